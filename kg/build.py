"""The build: compile articles, load the ontology, reason, validate, write.

The result is an rdflib :class:`~rdflib.Dataset` with four named graphs
(ontology, asserted, provenance, inferred) whose default graph is their union.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph

from . import __version__
from .articles import compile_all
from .errors import KgError, missing_file
from .namespace import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, GRAPHS, bind_prefixes
from .ontology import load_ontology
from .reasoning import expand
from .rdfio import serialize, write_atomic
from .resources import MANIFEST_NAME, NQUADS_NAME, TRIG_NAME, TURTLE_NAME, articles_dir  # noqa: F401  (file names re-exported)


@dataclass
class BuildResult:
    dataset: Dataset
    seconds: float
    engine: str
    violations: list = field(default_factory=list)

    def count(self, graph_iri) -> int:
        return len(self.dataset.graph(graph_iri))

    @property
    def asserted(self) -> int:
        """Triples the sources state: the asserted facts and their provenance."""
        return self.count(GRAPH_ASSERTED) + self.count(GRAPH_PROVENANCE)

    @property
    def inferred(self) -> int:
        return self.count(GRAPH_INFERRED)

    def summary(self) -> str:
        return (
            f"{self.asserted} triples asserted ({self.count(GRAPH_ASSERTED)} facts, "
            f"{self.count(GRAPH_PROVENANCE)} provenance), {self.count(GRAPH_ONTOLOGY)} ontology, "
            f"{self.inferred} inferred, in {self.seconds:.2f} s"
        )


def new_dataset() -> Dataset:
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    return ds


def assemble(ontology: Graph, asserted: Graph, provenance: Graph, inferred: Graph | None) -> Dataset:
    ds = new_dataset()
    for iri, g in ((GRAPH_ONTOLOGY, ontology), (GRAPH_ASSERTED, asserted), (GRAPH_PROVENANCE, provenance),
                   (GRAPH_INFERRED, inferred if inferred is not None else Graph())):
        target = ds.graph(iri)
        for t in g:
            target.add(t)
    return ds


def build(articles: Path | None = None, engine: str = "owlrl", validate: bool = True) -> BuildResult:
    """Build the dataset in memory. Raises :class:`KgError` if validation finds violations."""
    t0 = time.perf_counter()
    ontology = load_ontology()
    asserted, provenance, _ = compile_all(articles or articles_dir())
    tbox_abox = Graph()
    for g in (ontology, asserted):
        for t in g:
            tbox_abox.add(t)
    inferred = expand(tbox_abox, "owl-rl", engine)
    ds = assemble(ontology, asserted, provenance, inferred)
    result = BuildResult(ds, 0.0, engine)
    if validate:
        from .checks import run_checks  # local import: checks needs the query machinery
        from .shacl import shacl_violations

        result.violations = run_checks(ds) + shacl_violations(ds)
        if result.violations:
            raise ValidationFailed(result.violations)
    result.seconds = time.perf_counter() - t0
    return result


class ValidationFailed(KgError):
    def __init__(self, violations):
        self.violations = violations
        lines = [f"validation failed: {len(violations)} violation(s)"]
        for v in violations[:50]:
            lines.append(f"  [{v.severity}] {v.check}: {v.resource} — {v.error}")
        if len(violations) > 50:
            lines.append(f"  ... and {len(violations) - 50} more")
        super().__init__("\n".join(lines))


def write_outputs(result: BuildResult, out_dir: Path) -> list[Path]:
    """Write TriG, N-Quads, Turtle (union) and a manifest; each file atomically.

    Everything is serialised in memory first, so a failure leaves the previous
    outputs untouched.
    """
    ds = result.dataset
    payloads = {
        TRIG_NAME: serialize(ds, "trig"),
        NQUADS_NAME: serialize(ds, "nquads"),
        TURTLE_NAME: serialize(union_graph(ds), "turtle"),
    }
    manifest = {
        "version": __version__,
        "engine": result.engine,
        "graphs": {str(g): result.count(g) for g in GRAPHS},
        "asserted": result.asserted,
        "inferred": result.inferred,
    }
    payloads[MANIFEST_NAME] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    written = []
    for name, data in payloads.items():
        write_atomic(out_dir / name, data)
        written.append(out_dir / name)
    return written


def union_graph(ds: Dataset, graphs=GRAPHS) -> Graph:
    g = Graph()
    bind_prefixes(g)
    for iri in graphs:
        for t in ds.graph(iri):
            g.add(t)
    return g


def load_built(out_dir: Path) -> Dataset:
    """Load a built dataset from *out_dir* (no reasoning)."""
    path = out_dir / NQUADS_NAME
    if not path.is_file():
        raise missing_file(path, "built graph (run `kg build` first)")
    ds = new_dataset()
    ds.parse(path, format="nquads")
    bind_prefixes(ds)
    return ds


def get_dataset(build_dir: Path | None, engine: str = "owlrl") -> Dataset:
    """The built dataset from *build_dir* if present, else a fresh in-memory build."""
    if build_dir is not None and (build_dir / NQUADS_NAME).is_file():
        return load_built(build_dir)
    return build(engine=engine).dataset
