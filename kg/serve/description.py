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


# --- VoID and DCAT ------------------------------------------------------------------------------

DATASET = "https://w3id.org/defence-kg/dataset"
CATALOG = "https://w3id.org/defence-kg/catalog"
DCAT = "http://www.w3.org/ns/dcat#"
_PREDICATES = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
_CLASSES = "SELECT DISTINCT ?c WHERE { ?s a ?c }"
#: the resources most described by the sources (by stated triples), the first few as examples
_EXAMPLES = """
SELECT ?s (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o }
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(dkgr:)) && (?g = dkgg:asserted || STRSTARTS(STR(?g), ?sources)))
}
GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 5
"""
#: the build's export formats: ``kg export --format`` name -> (media type, file extension)
EXPORTS = {"trig": ("application/trig", "trig"), "nquads": ("application/n-quads", "nq"),
           "turtle": ("text/turtle", "ttl"), "nt": ("application/n-triples", "nt"),
           "jsonld": ("application/ld+json", "jsonld"), "xml": ("application/rdf+xml", "rdf")}


def vocabularies(store) -> list[str]:
    """The namespaces (of our prefixes) whose terms the graph uses as a predicate or a class."""
    from kg.core.iris import DKGV, GRAPH, PREFIXES, RESOURCE
    from kg.sparql import run

    used = {str(r[0]) for r in run(store, _PREDICATES, source="<void>")}
    used |= {str(r[0]) for r in run(store, _CLASSES, source="<void>")}
    data = {RESOURCE, GRAPH, DKGV}
    spaces = sorted((ns for ns in PREFIXES.values() if ns not in data), key=len, reverse=True)
    found = set()
    for iri in used:
        for ns in spaces:
            if iri.startswith(ns):
                found.add(ns)
                break
    return sorted(found)


def void_description(store, endpoint: str) -> Graph:
    """A VoID description of the dataset: its graphs as subsets with their triple counts, the
    vocabularies it uses, the SPARQL endpoint, example resources, the namespace of its resources."""
    from rdflib.namespace import DCTERMS, RDF, VOID

    from kg.core.iris import RESOURCE, build_graphs
    from kg.core.namespace import bind_prefixes
    from kg.sparql import run

    per, union = store.graph_sizes()
    g = Graph()
    bind_prefixes(g)
    g.bind("void", VOID)
    ds = URIRef(DATASET)
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, DCTERMS.title, Literal("defence-kg: US–India–Russia defence relations", lang="en")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(endpoint)))
    g.add((ds, VOID.uriSpace, Literal(RESOURCE)))
    g.add((ds, VOID.triples, Literal(union)))
    for ns in vocabularies(store):
        g.add((ds, VOID.vocabulary, URIRef(ns)))
    from kg.core.iris import SOURCE_GRAPH

    for row in run(store, _EXAMPLES, {"sources": Literal(SOURCE_GRAPH)}, source="<void>"):
        g.add((ds, VOID.exampleResource, row[0]))
    for name in build_graphs(store.graphs() or per):
        sub = URIRef(name)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(per.get(name, 0))))
        g.add((sub, VOID.sparqlEndpoint, URIRef(endpoint)))
    return g


def catalogue(store, endpoint: str) -> Graph:
    """A DCAT catalogue: the dataset, one distribution per export format (and the ontology alone),
    the SPARQL endpoint as a data service, and the sources the facts are taken from."""
    from rdflib.namespace import DCTERMS, RDF, RDFS

    from kg.core.namespace import bind_prefixes
    from kg.sparql.sources import list_sources

    base = endpoint.rsplit("/sparql", 1)[0]
    D = lambda name: URIRef(DCAT + name)  # noqa: E731
    g = Graph()
    bind_prefixes(g)
    g.bind("dcat", DCAT)
    cat, ds = URIRef(CATALOG), URIRef(DATASET)
    g.add((cat, RDF.type, D("Catalog")))
    g.add((cat, DCTERMS.title, Literal("defence-kg catalogue", lang="en")))
    g.add((cat, D("dataset"), ds))
    g.add((ds, RDF.type, D("Dataset")))
    g.add((ds, DCTERMS.title, Literal("defence-kg: US–India–Russia defence relations", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "A knowledge graph of US–India–Russia defence relations built from news reports and cited sources, "
        "each fact traced to its source's words, reasoned over with OWL 2 RL.", lang="en")))
    from kg.core.version import __version__

    g.add((ds, URIRef("http://www.w3.org/2002/07/owl#versionInfo"), Literal(__version__)))
    for name, (mime, ext) in EXPORTS.items():
        dist = URIRef(f"{DATASET}/distribution/{name}")
        g.add((ds, D("distribution"), dist))
        g.add((dist, RDF.type, D("Distribution")))
        g.add((dist, D("mediaType"), URIRef(f"https://www.iana.org/assignments/media-types/{mime}")))
        g.add((dist, D("downloadURL"), URIRef(f"{base}/data/defence-kg.{ext}")))
        g.add((dist, DCTERMS.title, Literal(f"the dataset as {name} (kg export --format {name})", lang="en")))
    onto = URIRef(f"{DATASET}/distribution/ontology")
    g.add((ds, D("distribution"), onto))
    g.add((onto, RDF.type, D("Distribution")))
    g.add((onto, D("mediaType"), URIRef("https://www.iana.org/assignments/media-types/text/turtle")))
    g.add((onto, D("downloadURL"), URIRef(f"{base}/ontology?format=turtle")))
    g.add((onto, DCTERMS.title, Literal("the ontology alone (kg export --ontology-only)", lang="en")))
    svc = URIRef(endpoint)
    g.add((svc, RDF.type, D("DataService")))
    g.add((svc, D("endpointURL"), svc))
    g.add((svc, D("servesDataset"), ds))
    g.add((ds, D("distribution"), URIRef(f"{DATASET}/distribution/sparql")))
    sparql = URIRef(f"{DATASET}/distribution/sparql")
    g.add((sparql, RDF.type, D("Distribution")))
    g.add((sparql, D("accessService"), svc))
    g.add((sparql, D("accessURL"), svc))
    for row in list_sources(store):
        g.add((ds, DCTERMS.source, row["source"]))
        if row["grade"] is not None:
            g.add((row["source"], RDFS.comment, Literal(f"Admiralty grade {row['grade']}", lang="en")))
    return g
