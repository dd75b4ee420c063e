"""Writing terms: the one term writer (SPARQL/Turtle/N-Triples syntax), IRI shortening, RDF lists.

Every place that puts a term into query text (bound values, VALUES blocks, SHACL as SPARQL,
INSERT DATA batches) writes it with :func:`n3`; every place that shows an IRI to a person
shortens it with :func:`shorten`; every walk of an ``rdf:first``/``rdf:rest`` list is
:func:`rdf_list`.
"""

from __future__ import annotations

import re

from rdflib import BNode, Literal, URIRef

from kg.core.iris import PREFIXES, RDF

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_ESCAPE = re.compile(r'[\\"\n\r\t\b\f]')
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"[A-Za-z]+(-[A-Za-z0-9]+)*")
_LOCAL = re.compile(r"[\w.\-]*")


def literal_text(value: str) -> str:
    """A string in double quotes, escaped for SPARQL, Turtle and N-Triples alike."""
    return '"' + _ESCAPE.sub(lambda m: _ESCAPES[m.group()], value) + '"'


def check_iri(iri: str) -> str:
    """*iri* itself if it is a valid IRI, else a KgError: RFC 3987 excludes spaces, control
    characters and ``<>"{}|^`\\`` from an IRI (one of them could end the IRI in query text)."""
    bad = _IRI_BAD.search(iri)
    if bad:
        from kg.core.errors import KgError

        raise KgError(f"not a valid IRI: {iri!r} (an IRI cannot hold {bad.group()!r})")
    return iri


def iri_text(iri: str) -> str:
    """*iri* in angle brackets, for query text; a KgError if it is not a valid IRI."""
    return f"<{check_iri(iri)}>"


def n3(term) -> str:
    """An rdflib term (IRI, literal or blank node) in SPARQL / Turtle / N-Triples syntax."""

    if isinstance(term, URIRef):
        return iri_text(str(term))
    if isinstance(term, Literal):
        text = literal_text(str(term))
        if term.language:
            if not _LANG.fullmatch(term.language):
                from kg.core.errors import KgError

                raise KgError(f"not a valid language tag: {term.language!r}")
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != "http://www.w3.org/2001/XMLSchema#string":
            return f"{text}^^{iri_text(str(term.datatype))}"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def shorten(term) -> str:
    """An IRI as ``prefix:name`` where a project prefix fits, else ``<iri>``; other terms as text."""

    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if s.startswith(ns) and _LOCAL.fullmatch(s[len(ns):]):
                return f"{prefix}:{s[len(ns):]}"
        return f"<{s}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if term is None:
        return ""
    return str(term)


def rdf_list(graph, head) -> list:
    """The members of the RDF list at *head* in *graph* (an rdflib graph), in order."""

    first, rest, nil = URIRef(RDF + "first"), URIRef(RDF + "rest"), URIRef(RDF + "nil")
    out, seen = [], set()
    node = head
    while node is not None and node != nil and node not in seen:
        seen.add(node)
        item = graph.value(node, first)
        if item is None:
            break
        out.append(item)
        node = graph.value(node, rest)
    return out
