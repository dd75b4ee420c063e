"""The one evidence-annotation emitter, shared by article folders, cited sources and ``kg synth``.

A quote from a sentence becomes a W3C Web Annotation: a ``dkg:Evidence`` whose target is the
article, selected by the exact quote with its context (``oa:TextQuoteSelector``) and by its
character offsets (``oa:TextPositionSelector``) (:func:`quote_annotation`). A fact of a cited
source, whose text is not shipped, becomes a ``dkg:Citation``: the source and a locator in it
(:func:`citation_annotation`). The triples are plain values (IRIs as
:class:`Iri`, literals as :class:`Lit`), so that the article compiler adds them to an rdflib
graph and the synthetic generator writes them as N-Quads straight away.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from kg.core.iris import OA, PROV, RDF, RESOURCE, VOCAB, XSD

#: Characters of context kept in ``oa:prefix`` / ``oa:suffix``.
CONTEXT = 32


class Iri(NamedTuple):
    value: str


class Lit(NamedTuple):
    value: str
    datatype: str | None = None
    lang: str | None = None


def stable_iri(kind: str, *parts: object) -> str:
    """A resource IRI derived from *parts*: the same parts, the same IRI, in every build."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{RESOURCE}{kind}/{digest}"


def quote_annotation(fact: str, sentence: str, source: str, text: str, start: int, end: int,
                     asserted_by: str, mode: str, hedge: Iri | Lit | None = None,
                     derived: bool = True) -> list[tuple[str, str, Iri | Lit]]:
    """The triples that tie *fact* to the quote ``text[start:end]`` of *sentence* in *source*.

    The evidence node is keyed by the sentence's IRI (which names the article), not its local
    id, so two articles quoting the same words about the same fact never share a node. With
    *derived*, the fact is also ``prov:wasDerivedFrom`` the sentence.
    """
    quote = text[start:end]
    node = stable_iri("evidence", fact, sentence, quote)
    target, tq, tp = node + "-target", node + "-quote", node + "-position"
    out = [(fact, VOCAB + "evidence", Iri(node))]
    if derived:
        out.append((fact, PROV + "wasDerivedFrom", Iri(sentence)))
    out += _annotation(node, fact, target, asserted_by, mode, hedge)
    out += [
        (node, OA + "motivatedBy", Iri(OA + "describing")),
        (node, VOCAB + "sentence", Iri(sentence)),
    ]
    out += [
        (target, RDF + "type", Iri(OA + "SpecificResource")),
        (target, OA + "hasSource", Iri(source)),
        (target, OA + "hasSelector", Iri(tq)),
        (target, OA + "hasSelector", Iri(tp)),
        (tq, RDF + "type", Iri(OA + "TextQuoteSelector")),
        (tq, OA + "exact", Lit(quote)),
        (tq, OA + "prefix", Lit(text[max(0, start - CONTEXT):start])),
        (tq, OA + "suffix", Lit(text[end:end + CONTEXT])),
        (tp, RDF + "type", Iri(OA + "TextPositionSelector")),
        (tp, OA + "start", Lit(str(start), XSD + "nonNegativeInteger")),
        (tp, OA + "end", Lit(str(end), XSD + "nonNegativeInteger")),
    ]
    return out


def citation_annotation(fact: str, source: str, locator: str, asserted_by: str, mode: str,
                        hedge: Iri | Lit | None = None) -> list[tuple[str, str, Iri | Lit]]:
    """The triples that tie *fact* to the place *locator* (``"para 3"``) of the cited *source*.

    The node is keyed by fact, source and locator, so that it is the same in every build, and
    two sources (or two places of one source) stating one fact give two citations.
    """
    node = stable_iri("citation", fact, source, locator)
    out = [
        (fact, VOCAB + "evidence", Iri(node)),
        (fact, PROV + "wasDerivedFrom", Iri(source)),
        (node, RDF + "type", Iri(VOCAB + "Citation")),
        (node, VOCAB + "statedIn", Iri(source)),
        (node, VOCAB + "locator", Lit(locator)),
    ]
    return out + _annotation(node, fact, source, asserted_by, mode, hedge)


def _annotation(node: str, fact: str, target: str, asserted_by: str, mode: str,
                hedge: Iri | Lit | None) -> list[tuple[str, str, Iri | Lit]]:
    """What every evidence annotation states, quoted span or citation: its body, target and voice."""
    out = [
        (node, RDF + "type", Iri(VOCAB + "Evidence")),
        (node, RDF + "type", Iri(OA + "Annotation")),
        (node, OA + "hasBody", Iri(fact)),
        (node, OA + "hasTarget", Iri(target)),
        (node, VOCAB + "assertedBy", Iri(asserted_by)),
        (node, VOCAB + "attributionMode", Iri(mode)),
    ]
    if hedge is not None:
        out.append((node, VOCAB + "hedge", hedge))
    return out
