"""The project's IRIs as plain strings: no rdflib import, for code where import cost matters.

:mod:`kg.core.namespace` builds its rdflib namespaces from these; nothing else spells them.
"""

from __future__ import annotations

BASE = "https://w3id.org/defence-kg/"
ONTOLOGY = "https://w3id.org/defence-kg/ontology"
VOCAB = BASE + "ontology#"
RESOURCE = BASE + "resource/"
GRAPH = BASE + "graph/"

GRAPH_ONTOLOGY = GRAPH + "ontology"
GRAPH_ASSERTED = GRAPH + "asserted"
GRAPH_PROVENANCE = GRAPH + "provenance"
GRAPH_INFERRED = GRAPH + "inferred"
#: The build's named graphs, in the order outputs list them.
GRAPHS = (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE, GRAPH_INFERRED)

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
