"""Linked Data: what ``kg serve`` answers for an IRI of the public namespace, mapped onto its host.

``https://w3id.org/defence-kg/X`` is served at ``/X`` (docs/linked-data.md):

* ``/resource/...`` and ``/vocab/...``: the resource's card (HTML) or its description (RDF): its
  concise bounded description (every triple with it as subject, blank nodes followed), the
  triples of the ``#``-IRIs the document holds (an article's sentences, a source's grading), and
  the labels of its neighbours. The description is what the sources state and the build records:
  the inferred graph is left out of it, so that nothing derived is read as stated (the card shows
  the derived facts, marked, with the explanation a click away).
* ``/ontology``: the ontology graph alone (no facts, no inferred triples).
* ``/graph/...``: a named graph's description (its size, its source).

Everything is read through :func:`kg.sparql.run` (the one boundary, the one store protocol) with
the IRI as a binding. A job runs in a query worker (:mod:`kg.serve.engine`), like a query, so its
time is bounded the same way; :func:`run_page_job` turns it into a reply.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef

from kg.core.iris import (BASE, GRAPH, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE,
                          RDF, RDFS, SKOS, SOURCE_GRAPH, SOURCE_RESOURCE, VOCAB, WD, is_source_graph)
from kg.sparql import run
from kg.sparql.labels import label_literals

RDF_TYPE = URIRef(RDF + "type")
RDFS_LABEL = URIRef(RDFS + "label")
SKOS_ALT = URIRef(SKOS + "altLabel")
SKOS_MATCH = URIRef(SKOS + "exactMatch")
MENTIONS = URIRef(VOCAB + "mentions")

#: rows a card reads per question at most (the queries' LIMIT), so that a hub's card stays bounded;
#: a description past it is refused (a 400 saying so) rather than cut
ROW_CAP = 5000

#: Paths of the public namespace served as resources (the rest of a path is the IRI's).
RESOURCE_PREFIXES = ("/resource/", "/vocab/")


def iri_for_path(path: str) -> str | None:
    """The public IRI a local *path* stands for, or None if it is not under the namespace."""
    if path == "/ontology" or path.startswith(RESOURCE_PREFIXES) or path.startswith("/graph/") or path == "/shapes":
        return BASE + path[1:]
    return None


def local_path(iri: str) -> str | None:
    """The local path of an IRI of the namespace (its fragment kept), or None for another IRI."""
    iri = str(iri)
    if iri.startswith(BASE):
        return "/" + iri[len(BASE):]
    return None


def document_of(iri: str) -> str:
    """The IRI of the document that describes *iri*: itself without its fragment."""
    return str(iri).split("#", 1)[0]


# --- what the graph holds about a resource ----------------------------------------------------

_LINKS = """
SELECT ?dir ?p ?x ?g WHERE {
  { GRAPH ?g { ?this ?p ?x } BIND("out" AS ?dir) }
  UNION
  { GRAPH ?g { ?x ?p ?this } BIND("in" AS ?dir) }
}
ORDER BY ?dir ?p ?x ?g
LIMIT 5000
"""
_PARTS = """
SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?s), ?hash)) }
ORDER BY ?s ?p ?o ?g
LIMIT 5000
"""
_EVENTS = """
SELECT ?e ?start ?time WHERE {
  ?e a dkg:Event .
  OPTIONAL { ?e dkg:timeStart ?start }
  OPTIONAL { ?e dkg:statedTime|dkg:inferredTime ?time }
}
"""
_CBD_TOP = """
CONSTRUCT { ?this ?p ?o } WHERE { GRAPH ?g { ?this ?p ?o } FILTER(?g != dkgg:inferred) }
"""
#: The description's blank nodes are followed four deep (a class's restriction, a property chain).
#: Only the ontology graph has blank nodes (the build names every node of the data), so this runs
#: only for a resource whose triples reach one.
_CBD = """
CONSTRUCT { ?this ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 . ?o3 ?p4 ?o4 . ?o4 ?p5 ?o5 }
WHERE {
  GRAPH ?g { ?this ?p ?o } FILTER(?g != dkgg:inferred)
  OPTIONAL { FILTER(isBlank(?o)) GRAPH ?g { ?o ?p2 ?o2 }
    OPTIONAL { FILTER(isBlank(?o2)) GRAPH ?g { ?o2 ?p3 ?o3 }
      OPTIONAL { FILTER(isBlank(?o3)) GRAPH ?g { ?o3 ?p4 ?o4 }
        OPTIONAL { FILTER(isBlank(?o4)) GRAPH ?g { ?o4 ?p5 ?o5 } } } } }
}
"""
_HASH_TRIPLES = """
CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != dkgg:inferred && STRSTARTS(STR(?s), ?hash)) }
"""
_ONTOLOGY = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH dkgg:ontology { ?s ?p ?o } }"
_ONTOLOGY_TERMS = """
SELECT ?term ?kind ?definition WHERE {
  GRAPH dkgg:ontology {
    VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
    ?term a ?kind . FILTER(isIRI(?term) && STRSTARTS(STR(?term), STR(dkg:)))
    OPTIONAL { ?term skos:definition ?definition }
  }
}
ORDER BY ?kind ?term ?definition
"""


@dataclass
class Fact:
    """One triple about the resource, with the graphs that hold it."""

    s: object
    p: object
    o: object
    graphs: list = field(default_factory=list)

    @property
    def stated_in(self) -> list[str]:
        """The graphs of sources that state it: the articles' graph, cited sources' graphs."""
        return [g for g in self.graphs if g == GRAPH_ASSERTED or is_source_graph(g)]

    @property
    def derived(self) -> bool:
        return not self.stated_in and GRAPH_INFERRED in self.graphs

    @property
    def recorded(self) -> bool:
        """Held only in the provenance or ontology graph: about the record, not the world."""
        return not self.stated_in and not self.derived


@dataclass
class Resource:
    """What a card shows: the resource's facts by direction, its parts, its events, the labels."""

    iri: URIRef
    out: list[Fact]
    inbound: list[Fact]
    parts: list[Fact]
    events: list[dict]
    labels: dict
    complete: bool = True   #: False when the resource has more links than a card reads (ROW_CAP)

    @property
    def exists(self) -> bool:
        return bool(self.out or self.inbound or self.parts)

    def label(self, term) -> str:
        lit = self.labels.get(term)
        return str(lit) if lit is not None else _short(term)

    def values(self, predicate, graphs=None) -> list:
        return sorted({f.o for f in self.out if f.p == predicate and (graphs is None or set(f.graphs) & graphs)},
                      key=str)


def _short(term) -> str:
    from kg.core.terms import shorten

    return shorten(term) if isinstance(term, URIRef) else str(term)


def _facts(rows) -> list[Fact]:
    merged: OrderedDict = OrderedDict()
    for s, p, o, g in rows:
        fact = merged.setdefault((s, p, o), Fact(s, p, o))
        if str(g) not in fact.graphs:
            fact.graphs.append(str(g))
    out = list(merged.values())
    for f in out:
        f.graphs.sort()
    out.sort(key=lambda f: (str(f.p), str(f.s), str(f.o)))
    return out


def read_resource(store, iri: str) -> Resource:
    """Everything the card of *iri* shows, read from *store* with the IRI bound as a value."""
    from kg.sparql.boundary import bind

    this = URIRef(iri)
    out_rows, in_rows = [], []
    for row in run(store, _LINKS, {"this": this}, source="<resource>"):
        d, p, x, g = row
        (out_rows if str(d) == "out" else in_rows).append((this, p, x, g) if str(d) == "out" else (x, p, this, g))
    parts = []
    if "#" not in iri:
        parts = [tuple(r) for r in run(store, _PARTS, {"hash": Literal(iri + "#")}, source="<resource>")]
    out, inbound, part_facts = _facts(out_rows), _facts(in_rows), _facts(parts)
    neighbours = {t for f in out + inbound + part_facts for t in (f.s, f.p, f.o) if isinstance(t, URIRef)}
    events = []
    others = sorted(t for t in {f.s for f in inbound} | {f.o for f in out} if isinstance(t, URIRef))
    if others:
        times: dict = {}
        for e, start, time in run(store, bind(_EVENTS, {"e": others}), source="<resource>", max_rows=ROW_CAP):
            entry = times.setdefault(e, {"event": e, "start": None, "times": set()})
            if start is not None and (entry["start"] is None or str(start) < str(entry["start"])):
                entry["start"] = start
            if time is not None:
                entry["times"].add(str(time))
        roles: dict = {}
        for f in inbound:
            roles.setdefault(f.s, set()).add(f.p)
        for f in out:
            roles.setdefault(f.o, set()).add(f.p)
        for e, entry in times.items():
            entry["roles"] = sorted(roles.get(e, ()), key=str)
            entry["times"] = sorted(entry["times"])
            events.append(entry)
            neighbours.update(entry["roles"])
        events.sort(key=lambda e: (e["start"] is None, str(e["start"] or ""), str(e["event"])))
    return Resource(this, out, inbound, part_facts, events, label_literals(store, neighbours | {this}),
                    complete=len(out_rows) + len(in_rows) < ROW_CAP)


# --- descriptions for RDF clients -------------------------------------------------------------


def _with_labels(store, graph: Graph) -> Graph:
    """*graph* with the label of every IRI it names (the one label lookup) that it lacks."""
    named = {t for triple in graph for t in triple if isinstance(t, URIRef)}
    for iri, lit in sorted(label_literals(store, named).items()):
        if (iri, RDFS_LABEL, None) not in graph:
            graph.add((iri, RDFS_LABEL, lit))
    return graph


def describe(store, iri: str) -> Graph:
    """The description of *iri*: its concise bounded description over the stated and recorded
    graphs, the triples of its document's ``#``-IRIs, and the labels of the IRIs they name."""
    this = URIRef(iri)
    g = Graph()
    for t in run(store, _CBD_TOP, {"this": this}, source="<describe>", max_rows=ROW_CAP).graph:
        g.add(t)
    if any(isinstance(o, BNode) for o in g.objects()):
        for t in run(store, _CBD, {"this": this}, source="<describe>", max_rows=ROW_CAP).graph:
            g.add(t)
    if "#" not in iri:
        for t in run(store, _HASH_TRIPLES, {"hash": Literal(iri + "#")}, source="<describe>",
                     max_rows=ROW_CAP).graph:
            g.add(t)
    return _with_labels(store, g)


def ontology_graph(store) -> Graph:
    """The ontology graph alone: its axioms and annotations, no facts and no inferred triples."""
    g = Graph()
    for t in run(store, _ONTOLOGY, source="<ontology>").graph:
        g.add(t)
    return g


def ontology_terms(store) -> list[tuple]:
    """(term, kind, definition) for every class and property the ontology declares."""
    return [tuple(r) for r in run(store, _ONTOLOGY_TERMS, source="<ontology>")]


def graph_description(store, iri: str, endpoint: str) -> Graph | None:
    """A named graph's description (its size, its source, the endpoint), or None if there is none."""
    from rdflib.namespace import VOID

    per, _ = store.graph_sizes()
    if iri not in (store.graphs() or []) and iri not in per:
        return None
    SD = "http://www.w3.org/ns/sparql-service-description#"
    g = Graph()
    node = URIRef(iri)
    g.add((node, RDF_TYPE, URIRef(SD + "NamedGraph")))
    g.add((node, RDF_TYPE, VOID.Dataset))
    g.add((node, VOID.triples, Literal(per.get(iri, 0))))
    g.add((node, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((node, RDFS_LABEL, Literal(GRAPH_LABELS.get(iri) or graph_label(iri), lang="en")))
    if is_source_graph(iri):
        g.add((node, URIRef("http://purl.org/dc/terms/source"), URIRef(SOURCE_RESOURCE + iri[len(SOURCE_GRAPH):])))
    return _with_labels(store, g)


GRAPH_LABELS = {
    GRAPH_ONTOLOGY: "the ontology",
    GRAPH_ASSERTED: "facts the articles state",
    GRAPH_PROVENANCE: "provenance: articles, sentences, evidence, sources and their grades",
    GRAPH_INFERRED: "facts derived by OWL 2 RL reasoning",
}


def graph_label(iri: str) -> str:
    if is_source_graph(iri):
        return f"facts cited source {iri[len(SOURCE_GRAPH):]} states"
    return GRAPH_LABELS.get(iri, iri[len(GRAPH):])


# --- the sources and their grades -------------------------------------------------------------


def source_grades(store) -> dict:
    """source IRI and source graph IRI -> (source IRI, grade text or "", publisher IRI or None)."""
    from kg.sparql.sources import list_sources

    out = {}
    for row in list_sources(store):
        entry = (row["source"], str(row["grade"]) if row["grade"] is not None else "", row["publisher"])
        out[str(row["source"])] = entry
        if row["graph"] is not None and is_source_graph(str(row["graph"])):
            out[str(row["graph"])] = entry
    return out


def is_wikidata(term) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(WD)
