"""The one label lookup: labels for showing terms, and a user's value read as a term."""

from __future__ import annotations

from rdflib import Literal, URIRef

from kg.core.errors import KgError
from kg.core.iris import PREFIXES, RDFS
from kg.core.terms import check_iri, shorten
from kg.sparql.boundary import bind

RDFS_LABEL = URIRef(RDFS + "label")
_LABELS = "SELECT ?s ?l WHERE { ?s rdfs:label ?l }"


def english_literal(values) -> Literal | None:
    """The label to show among *values*: an English or untagged literal, the same one every time."""
    picked = sorted((v for v in values if isinstance(v, Literal) and v.language in (None, "en")),
                    key=lambda v: (str(v), v.language or ""))
    return picked[0] if picked else None


def english(values) -> str | None:
    """The text of :func:`english_literal`."""
    lit = english_literal(values)
    return str(lit) if lit is not None else None


def label_in(graph, term) -> str | None:
    """The label of *term* in an rdflib graph or dataset (see :func:`english`)."""
    return english(graph.objects(term, RDFS_LABEL)) if isinstance(term, URIRef) else None


def labels(store, terms) -> dict:
    """IRI -> its label (see :func:`english`), for those of *terms* that have one.

    One query per 200 IRIs, the IRIs bound through a ``VALUES`` block, on any store.
    """
    return {iri: str(lit) for iri, lit in label_literals(store, terms).items()}


def label_literals(store, terms) -> dict:
    """IRI -> its label as the literal it is (language tag kept; see :func:`english_literal`)."""
    from kg.sparql import run

    iris = sorted({t for t in terms if isinstance(t, URIRef)})
    found: dict = {}
    for i in range(0, len(iris), 200):
        for row in run(store, bind(_LABELS, {"s": iris[i:i + 200]}), source="<labels>"):
            found.setdefault(row[0], []).append(row[1])
    out = {}
    for iri, values in found.items():
        lit = english_literal(values)
        if lit is not None:
            out[iri] = lit
    return out



def to_term(store, value: str):
    """Read a user's value: ``<iri>``, ``prefix:name``, an http(s) IRI, or a label.

    A label is looked up through a bound variable, never pasted into SPARQL. An IRI (in any
    of the three forms) must be a valid one (:func:`kg.core.terms.check_iri`): a KgError
    otherwise, on every store and route.
    """

    from kg.sparql import run

    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return URIRef(check_iri(value[1:-1]))
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and " " not in value:
        return URIRef(check_iri(PREFIXES[prefix] + local))
    if value.startswith(("http://", "https://")):
        return URIRef(check_iri(value))
    rows = list(run(
        store,
        "SELECT DISTINCT ?x WHERE { ?x rdfs:label|skos:altLabel ?l . FILTER(lcase(str(?l)) = lcase(str(?v))) }",
        {"v": Literal(value)}, source="<label lookup>",
    ))
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise KgError(f"label {value!r} is ambiguous: {', '.join(sorted(shorten(r[0]) for r in rows))}")
    raise KgError(f"nothing is labelled {value!r}; give an IRI or prefix:name")
