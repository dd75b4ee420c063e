"""The project's IRIs as plain strings: no rdflib import, for code where import cost matters.

:mod:`kg.core.namespace` builds its rdflib namespaces from these; nothing else spells them.
"""

from __future__ import annotations

BASE = "https://w3id.org/defence-kg/"
ONTOLOGY = "https://w3id.org/defence-kg/ontology"
VOCAB = BASE + "ontology#"
RESOURCE = BASE + "resource/"
GRAPH = BASE + "graph/"
#: Controlled vocabularies: SKOS concepts (kinds of source, the Admiralty code).
DKGV = BASE + "vocab/"
#: A cited source ``sources/<slug>`` is ``SOURCE_RESOURCE + slug``; its facts are in ``SOURCE_GRAPH + slug``.
SOURCE_RESOURCE = RESOURCE + "source/"
SOURCE_GRAPH = GRAPH + "source/"

GRAPH_ONTOLOGY = GRAPH + "ontology"
GRAPH_ASSERTED = GRAPH + "asserted"
GRAPH_PROVENANCE = GRAPH + "provenance"
GRAPH_INFERRED = GRAPH + "inferred"
#: The build's fixed named graphs, in the order outputs list them. A build with cited sources
#: also has one graph per source (``SOURCE_GRAPH + slug``): see :func:`build_graphs`.
GRAPHS = (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE, GRAPH_INFERRED)
#: Not a build graph: the set union of all of them, which ``kg push`` writes to a remote store so
#: that a store which merges ``default-graph-uri`` graphs as a bag (Oxigraph, Virtuoso) still has
#: a default graph in which a triple two sources state is there once, as it is in-process.
GRAPH_UNION = GRAPH + "union"
#: A graph that never holds a triple, and which every dataset therefore has: the side of a
#: dataset a query leaves empty (``FROM`` alone has no named graphs, ``FROM NAMED`` alone an
#: empty default graph) is sent to a remote store as this graph, since some stores (Virtuoso)
#: fill a side the request leaves out with every graph they hold.
GRAPH_NONE = GRAPH + "none"


def is_source_graph(iri: str) -> bool:
    """True for the named graph of a cited source."""
    return str(iri).startswith(SOURCE_GRAPH) and len(str(iri)) > len(SOURCE_GRAPH)


def is_build_graph(iri: str) -> bool:
    """True for a named graph a build may hold: a fixed one, or a cited source's."""
    return str(iri) in GRAPHS or is_source_graph(iri)


def build_graphs(present=()) -> list[str]:
    """The build's named graphs in output order: ontology, asserted, provenance, the source
    graphs among *present* (sorted), inferred. *present* is what a store or dataset holds."""
    sources = sorted({str(g) for g in present if is_source_graph(g)})
    return [GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE, *sources, GRAPH_INFERRED]

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "http://schema.org/"
WD = "http://www.wikidata.org/entity/"

TIME = "http://www.w3.org/2006/time#"
PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
SHAPES = BASE + "shapes#"

XSD_STRING = XSD + "string"
RDF_LANGSTRING = RDF + "langString"

#: Prefixes bound in every output and known to every query route.
PREFIXES = {
    "dkg": VOCAB,
    "dkgr": RESOURCE,
    "dkgg": GRAPH,
    "dkgv": DKGV,
    "src": SOURCE_RESOURCE,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "vann": "http://purl.org/vocab/vann/",
    "prov": PROV,
    "oa": OA,
    "org": ORG,
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": SCHEMA,
    "wd": WD,
    "time": TIME,
}
