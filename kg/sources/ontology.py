"""Load the ontology from ``ontology/*.ttl`` and stamp its version."""

from __future__ import annotations

from pathlib import Path

from rdflib import OWL, Graph, Literal, URIRef

from kg.core.namespace import ONTOLOGY_IRI, bind_prefixes
from kg.core.rdfio import canonical_bnodes, parse_turtle
from kg.core.resources import ontology_dir
from kg.core.version import __version__

#: Files in ontology/ that are not part of the OWL ontology itself.
NOT_ONTOLOGY = {"shapes.ttl"}


def ontology_files(folder: Path | None = None) -> list[Path]:
    folder = folder or ontology_dir()
    return sorted(p for p in folder.glob("*.ttl") if p.name not in NOT_ONTOLOGY)


def version_iri(version: str = __version__) -> URIRef:
    return URIRef(f"{ONTOLOGY_IRI}/{version}")


def load_ontology(folder: Path | None = None, version: str = __version__) -> Graph:
    """The ontology graph with ``owl:versionInfo``/``owl:versionIRI`` from the package version."""
    g = Graph()
    for path in ontology_files(folder):
        parse_turtle(path, g)
    g.remove((ONTOLOGY_IRI, OWL.versionInfo, None))
    g.remove((ONTOLOGY_IRI, OWL.versionIRI, None))
    g.add((ONTOLOGY_IRI, OWL.versionInfo, Literal(version)))
    g.add((ONTOLOGY_IRI, OWL.versionIRI, version_iri(version)))
    g = canonical_bnodes(g)
    bind_prefixes(g)
    return g
