"""The endpoint's SPARQL 1.1 Service Description, and the graph sizes ``/status`` reports."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef


def graph_counts(store) -> dict[str, int]:
    return dict(store.graph_sizes()[0])


def service_description(store, endpoint: str, allow_update: bool) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint, with its dataset and graph sizes."""
    from rdflib import BNode, Namespace
    from rdflib.namespace import RDF, VOID

    from kg.core.namespace import bind_prefixes

    per, union = store.graph_sizes()

    SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
    FMT = Namespace("http://www.w3.org/ns/formats/")
    g = Graph()
    bind_prefixes(g)
    g.bind("sd", SD)
    g.bind("void", VOID)
    svc = URIRef(endpoint)
    g.add((svc, RDF.type, SD.Service))
    g.add((svc, SD.endpoint, svc))
    g.add((svc, SD.supportedLanguage, SD.SPARQL11Query))
    if allow_update:
        g.add((svc, SD.supportedLanguage, SD.SPARQL11Update))
    g.add((svc, SD.feature, SD.UnionDefaultGraph))
    for f in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
              "Turtle", "N-Triples", "JSON-LD", "RDF_XML"):
        g.add((svc, SD.resultFormat, FMT[f]))
    dataset = BNode()
    g.add((svc, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for name in store.graphs() or per:  # the build's graphs, the cited sources' among them
        iri = URIRef(name)
        n = per.get(str(iri), 0)
        ng, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, iri))
        g.add((ng, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(n)))
    g.add((default, VOID.triples, Literal(union)))
    return g
