"""Which sentences mention which entities, found from the graph's own names.

Every node an article's facts describe has an ``rdfs:label`` and perhaps ``skos:altLabel``
names. A sentence *mentions* a node when one of those names occurs in it as a whole word
(``S-400`` in "S-400s", ``Russia`` in "Russia's", never ``India`` in "Indian"), or when the
node's own evidence quotes that sentence (so an expression the graph already ties to the
node, such as "the issue of S-400s", counts too). Names match case-sensitively: "US" is the
United States, "us" is not.

The result is a set of ``(sentence, dkg:mentions, node)`` triples for the provenance graph:
what the build found in the text, not a claim of the article. A repeated paragraph's
sentences mention nothing; their first printing does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kg.core.namespace import DKG

#: Endings a name may carry in running text: plural and possessive.
_ENDINGS = "(?:s|’s|'s|s’|s')?"


def names(graph: Graph, nodes: Iterable[URIRef]) -> dict[URIRef, set[str]]:
    """The English (or untagged) labels and alternative labels of *nodes* in *graph*."""
    out: dict[URIRef, set[str]] = {}
    for node in nodes:
        for prop in (RDFS.label, SKOS.altLabel):
            for value in graph.objects(node, prop):
                if isinstance(value, Literal) and value.language in (None, "en") and str(value).strip():
                    out.setdefault(node, set()).add(str(value).strip())
    return out


def _pattern(name: str) -> re.Pattern:
    """*name* as a whole word, with a plural or possessive ending; a name that begins in lower case
    ("the official") also matches with a capital, as it is written at the start of a sentence."""
    head = re.escape(name[0])
    if name[0].islower():
        head = f"[{re.escape(name[0])}{re.escape(name[0].upper())}]"
    return re.compile(r"(?<![\w-])" + head + re.escape(name[1:]) + _ENDINGS + r"(?![\w-])")


def name_spans(text: str, gazetteer: dict[URIRef, set[str]]) -> list[tuple[int, int, str, tuple[URIRef, ...]]]:
    """Every name of *gazetteer* found in *text*, by the same rule as :func:`find_mentions`:
    ``(start, end, name, nodes)``, longest match first and never overlapping, in text order.
    A name several nodes bear (a namesake: "New Delhi" the city and India's capital for India)
    gives all of them, for the caller to tell apart; it never picks one."""
    bearers: dict[str, set[URIRef]] = {}
    for node, found in gazetteer.items():
        for name in found:
            bearers.setdefault(name, set()).add(node)
    hits = []
    for name in sorted(bearers, key=lambda n: (-len(n), n)):
        for m in _pattern(name).finditer(text):
            hits.append((m.start(), m.end(), name, tuple(sorted(bearers[name]))))
    hits.sort(key=lambda h: (-(h[1] - h[0]), h[0], h[2]))
    taken: list[tuple[int, int, str, tuple[URIRef, ...]]] = []
    for hit in hits:
        if all(hit[1] <= t[0] or hit[0] >= t[1] for t in taken):
            taken.append(hit)
    return sorted(taken)


def find_mentions(sentences: Iterable[tuple[URIRef, str]], gazetteer: dict[URIRef, set[str]]
                  ) -> Iterator[tuple[URIRef, URIRef]]:
    """(sentence, node) for every node whose name occurs in a sentence's text."""
    patterns = [(node, _pattern(name)) for node, found in sorted(gazetteer.items()) for name in sorted(found)]
    for sentence, text in sentences:
        seen = set()
        for node, pattern in patterns:
            if node not in seen and pattern.search(text):
                seen.add(node)
                yield sentence, node


def mention_graph(sentences: Iterable[tuple[URIRef, str]], asserted: Graph,
                  cited: Iterable[tuple[URIRef, URIRef]] = ()) -> Graph:
    """The ``dkg:mentions`` triples for an article: name matches in *sentences* (id, text) of the
    nodes *asserted* describes, and the (node, sentence) pairs its evidence *cited*."""
    nodes = {s for s in asserted.subjects() if isinstance(s, URIRef)}
    out = Graph()
    for sentence, node in find_mentions(sentences, names(asserted, nodes)):
        out.add((sentence, DKG.mentions, node))
    for node, sentence in cited:
        out.add((sentence, DKG.mentions, node))
    return out
