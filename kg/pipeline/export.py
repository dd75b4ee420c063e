"""``kg export``: the build in a standard RDF format, byte for byte the same on every run."""

from __future__ import annotations

from rdflib import Dataset, URIRef

from kg.core.iris import GRAPH_INFERRED, GRAPH_ONTOLOGY
from kg.core.namespace import bind_prefixes
from kg.core.rdfio import serialize
from kg.pipeline.graphexport import GRAPH_FORMATS, write_graph_export
from kg.store.rdflib_store import dataset_graphs, union_graph

#: format name -> (rdflib format, holds named graphs)
EXPORT_FORMATS = {
    "turtle": ("turtle", False),
    "nt": ("nt", False),
    "nquads": ("nquads", True),
    "trig": ("trig", True),
    "jsonld": ("json-ld", True),
    "xml": ("xml", False),
}


def export(ds, fmt: str, asserted_only: bool = False, ontology_only: bool = False) -> bytes:
    """The dataset *ds* in *fmt*; formats without named graphs get the union of the graphs.

    *asserted_only* leaves out the inferred graph; *ontology_only* keeps the ontology graph alone
    (for Protégé: no facts, no provenance, no inferred triples).

    Blank nodes are labelled from their content and everything is written in one fixed
    order (:func:`kg.core.rdfio.serialize`), so two exports of one build are identical.
    """

    if fmt in GRAPH_FORMATS:
        if ontology_only:
            from kg.core.errors import KgError

            raise KgError(f"--ontology-only writes RDF; {fmt} holds the graph of facts")
        return write_graph_export(ds, fmt, derived=not asserted_only)
    rdf_format, quads = EXPORT_FORMATS[fmt]
    graphs = [g for g in dataset_graphs(ds) if not (asserted_only and g == GRAPH_INFERRED)]
    if ontology_only:
        graphs = [g for g in graphs if g == GRAPH_ONTOLOGY]
    if not quads:
        return serialize(union_graph(ds, graphs), rdf_format)
    out = Dataset()
    bind_prefixes(out)
    for iri in graphs:
        target = out.graph(URIRef(iri))
        for t in ds.graph(URIRef(iri)):
            target.add(t)
    return serialize(out, rdf_format)
