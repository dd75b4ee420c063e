"""Content negotiation for SPARQL results and graphs, as a unit with no server (RFC 9110 §12.5.1).

Explicit ``format`` / ``output`` parameters win over ``Accept``; among equally acceptable
types the server's own order decides (JSON results, Turtle graphs); a missing ``Accept``
accepts anything.
"""

from __future__ import annotations

# --- media types and negotiation ---------------------------------------------------------

#: SELECT / ASK result formats: short name -> media type (first is the default).
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: CONSTRUCT / DESCRIBE formats: short name -> (media type, rdflib format).
GRAPH_TYPES = {
    "turtle": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt11"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdfxml": ("application/rdf+xml", "xml"),
}
#: Other names clients use (SPARQLWrapper sends ``format=`` / ``output=`` with these).
_RESULT_ALIASES = {
    "application/json": "json", "application/sparql-results+json": "json", "json": "json",
    "application/xml": "xml", "text/xml": "xml", "application/sparql-results+xml": "xml", "xml": "xml",
    "text/csv": "csv", "csv": "csv",
    "text/tab-separated-values": "tsv", "tsv": "tsv",
}
_GRAPH_ALIASES = {
    "text/turtle": "turtle", "application/turtle": "turtle", "application/x-turtle": "turtle", "turtle": "turtle",
    "ttl": "turtle", "text/n3": "turtle", "text/rdf+n3": "turtle", "application/n3": "turtle", "n3": "turtle",
    "application/n-triples": "nt", "text/plain": "nt", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "application/ld+json": "jsonld", "application/x-json+ld": "jsonld", "jsonld": "jsonld", "json-ld": "jsonld",
    "application/json": "jsonld", "json": "jsonld",
    "application/rdf+xml": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml", "xml": "rdfxml",
    "application/xml": "rdfxml",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; a missing header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    out = []
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        mime = bits[0].lower()
        if not mime:
            continue
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((mime, q))
    return out


def quality(ranges: list[tuple[str, float]], mime: str) -> float:
    """q of the most specific range matching *mime* (0 if none)."""
    best, best_spec = 0.0, -1
    major = mime.split("/")[0]
    for rng, q in ranges:
        if rng == mime:
            spec = 2
        elif rng == f"{major}/*":
            spec = 1
        elif rng == "*/*":
            spec = 0
        else:
            continue
        if spec > best_spec:
            best, best_spec = q, spec
    return best


def negotiate(kind: str, accept: str | None, formats: list[str] | None = None) -> str | None:
    """The short format name for a result of *kind* ("results" or "graph"), or None (406).

    Explicit ``format``/``output`` values win over ``Accept``; among equally
    acceptable types the server's order decides (JSON results, Turtle graphs).
    """
    aliases = _RESULT_ALIASES if kind == "results" else _GRAPH_ALIASES
    table = RESULT_TYPES if kind == "results" else {k: v[0] for k, v in GRAPH_TYPES.items()}
    return _choose(table, aliases, accept, formats)


def _choose(table: dict, aliases: dict, accept: str | None, formats: list[str] | None) -> str | None:
    """The first known explicit format, if any was given (None if none is known); else by Accept."""
    for value in formats or []:
        name = aliases.get(value.strip().lower().split(";")[0].strip())
        if name:
            return name
    if formats:
        return None
    return _best(table, aliases, parse_accept(accept))


def _best(table: dict, aliases: dict, ranges: list[tuple[str, float]]) -> str | None:
    """The name in *table* with the highest q under *ranges* (the table's order breaks ties), or None.

    Aliased media types (application/json, text/plain...) count as their format.
    """
    best, best_q = None, 0.0
    for name, mime in table.items():
        q = quality(ranges, mime)
        for alias, target in aliases.items():
            if target == name and "/" in alias and any(r == alias for r, _ in ranges):
                q = max(q, quality(ranges, alias))
        if q > best_q:
            best, best_q = name, q
    return best


#: The representations of a Linked Data resource (``/resource/...``, ``/ontology``, ``/graph/...``):
#: short name -> media type, in the server's order of preference, which decides among equally
#: acceptable types: ``*/*`` or no Accept gets Turtle, a browser (which names text/html) the page.
PAGE_TYPES = {"turtle": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
              "rdfxml": "application/rdf+xml", "html": "text/html"}
_PAGE_ALIASES = {**_GRAPH_ALIASES, "text/html": "html", "application/xhtml+xml": "html", "html": "html"}


def negotiate_page(accept: str | None, formats: list[str] | None = None) -> str | None:
    """The representation of a resource to send (a :data:`PAGE_TYPES` name), or None (406).

    As :func:`negotiate`: an explicit ``format`` wins over ``Accept``; among equally acceptable
    types the server's order decides (RFC 9110 §12.5.1).
    """
    return _choose(PAGE_TYPES, _PAGE_ALIASES, accept, formats)


def page_media_type(name: str) -> str:
    return f"{PAGE_TYPES[name]}; charset=utf-8"


def media_type(kind: str, name: str) -> str:
    mime = RESULT_TYPES[name] if kind == "results" else GRAPH_TYPES[name][0]
    return f"{mime}; charset=utf-8"


