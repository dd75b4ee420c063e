"""The one build: load → reason → validate → write, staged and timed over a store.

The result is a store holding four named graphs (ontology, asserted, provenance, inferred)
whose default graph is their union, on either backend (rdflib, the reference; Oxigraph,
fast). ``bench/`` runs the same stage functions, one per process.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from kg.core import generations
from kg.core.errors import KgError, missing_file
from kg.core.iris import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, is_source_graph
from kg.core.progress import Silent
from kg.core.rdfio import atomic_file, make_dir, serialize, write_atomic
from kg.core.resources import MANIFEST_NAME, NQUADS_NAME, TRIG_NAME, TURTLE_NAME, articles_dir, sources_dir
from kg.core.version import __version__
from kg.reasoning import expand, load_engine
from kg.sources.articles import compile_all
from kg.sources.cited import compile_sources
from kg.sources.ontology import load_ontology
from kg.store import as_store, create, default_engine, open_build, store_class, store_location
from kg.store.rdflib_store import RdflibStore, union_graph
from kg.validation import ValidationFailed, validate


@dataclass
class BuildResult:
    """What a build made: the store, the time of each stage, and what validation found."""

    store: object
    backend: str
    engine: str
    source: Path | None = None
    #: for a build from the article folders: its rdflib graphs (ontology, asserted, provenance,
    #: {source graph IRI: facts}), written as they are, so that every literal keeps its datatype
    #: on every backend
    graphs: tuple | None = None
    timings: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def store_reference(self) -> bool:

        return store_class(self.backend).reference

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())

    @property
    def dataset(self):
        """The build as an rdflib dataset."""
        return self.store.as_dataset()

    def count(self, graph_iri) -> int:
        g = str(graph_iri)
        if g not in self.counts:
            self.counts[g] = self.store.count(g)
        return self.counts[g]

    def graph_names(self) -> list[str]:
        """The build's named graphs, the cited sources' among them, in output order."""
        if self.store is None:  # written and closed: the graphs it counted
            return list(self.counts)
        return self.store.graphs()

    @property
    def sources(self) -> int:
        """Triples in the cited sources' graphs."""
        return sum(self.count(g) for g in self.graph_names() if is_source_graph(g))

    @property
    def asserted(self) -> int:
        """Triples the sources state: the asserted facts, the cited sources' and their provenance."""
        return self.count(GRAPH_ASSERTED) + self.sources + self.count(GRAPH_PROVENANCE)

    @property
    def inferred(self) -> int:
        return self.count(GRAPH_INFERRED)

    def summary(self) -> str:
        cited = self.sources
        cited = f"{cited} from cited sources, " if cited else ""
        text = (f"{self.asserted} triples asserted ({self.count(GRAPH_ASSERTED)} facts, {cited}"
                f"{self.count(GRAPH_PROVENANCE)} provenance), {self.count(GRAPH_ONTOLOGY)} ontology, "
                f"{self.inferred} inferred, in {self.seconds:.2f} s")
        return text if self.store_reference else f"{text} ({self.backend}, {self.engine})"

    def manifest(self) -> dict:
        return {
            "version": __version__,
            "backend": self.backend,
            "engine": self.engine,
            "graphs": {str(g): self.count(g) for g in self.graph_names()},
            "asserted": self.asserted,
            "inferred": self.inferred,
        }


# --- the stages ---------------------------------------------------------------------------


def load(store, source: Path | None = None, articles: Path | None = None,
         sources: Path | None = None) -> tuple | None:
    """Fill the ontology, asserted, provenance and cited-source graphs: from the article and
    source folders, or from *source*.

    *source* is an N-Quads or TriG file whose quads are in the asserted, provenance and
    source graphs, as ``kg synth`` writes it (or ``kg export --format nquads --asserted-only``).
    Returns the rdflib graphs of a build from the folders, else None.
    """

    ontology = load_ontology()
    store.add_graph(GRAPH_ONTOLOGY, ontology)
    if source is None:
        asserted, provenance, _ = compile_all(Path(articles) if articles is not None else articles_dir())
        cited, cited_provenance, _ = compile_sources(Path(sources) if sources is not None else sources_dir())
        provenance += cited_provenance
        store.add_graph(GRAPH_ASSERTED, asserted)
        store.add_graph(GRAPH_PROVENANCE, provenance)
        for iri, g in cited.items():
            store.add_graph(iri, g)
        return ontology, asserted, provenance, cited
    source = Path(source)
    if not source.is_file():
        raise missing_file(source, "input graph")
    if not source.name.lower().endswith((".nq", ".trig")):
        raise KgError(f"{source}: give an N-Quads (.nq) or TriG (.trig) file with the asserted and provenance graphs")
    store.load_file(source)
    if store.count(GRAPH_INFERRED) or store.stray_quads():
        raise KgError(f"{source}: quads must be in the asserted, provenance and source graphs only")
    return None


def reason(store, engine: str, progress=None) -> int:
    """Fill the inferred graph from the ontology, asserted and cited-source graphs; return its size."""

    load_engine(engine)  # an unknown engine, or one that cannot load, fails before any work
    inputs = [GRAPH_ONTOLOGY, GRAPH_ASSERTED, *(g for g in store.graphs() if is_source_graph(g))]
    store.clear_graph(GRAPH_INFERRED)
    n = store.materialise(inputs, engine, progress)
    if n is not None:
        return n

    both = Graph()
    for iri in inputs:
        for t in store.graph(iri):
            both.add(t)
    inferred = expand(both, "owl-rl", engine)
    store.add_graph(GRAPH_INFERRED, inferred)
    return len(inferred)


def check(store) -> list:
    """The violations of the built store (checks and shapes)."""

    return validate(store)


def build(source: Path | None = None, *, backend: str = "rdflib", engine: str | None = None,
          validate: bool = True, store_path: Path | None = None, progress=None,
          articles: Path | None = None, sources: Path | None = None) -> BuildResult:
    """Build in a new store: load, reason, validate. Raises :class:`ValidationFailed`.

    The asserted and provenance graphs come from *source* (an N-Quads or TriG file) if given,
    else from the article folders in *articles* (default: the shipped ones, or ``$KG_ARTICLES``)
    and the cited-source folders in *sources* (default: the shipped ones, or ``$KG_SOURCES``).
    """

    progress = progress or Silent()
    engine = engine or default_engine(backend)
    store = create(backend, store_path)
    result = BuildResult(store, backend, engine, Path(source) if source is not None else None)

    def timed(stage: str, label: str, fn):
        progress.stage(label)
        t = time.perf_counter()
        out = fn()
        result.timings[stage] = time.perf_counter() - t
        return out

    result.graphs = timed("load", "loading", lambda: load(store, source, articles, sources))
    timed("reason", "reasoning", lambda: reason(store, engine, progress))
    if validate:
        result.violations = timed("validate", "validating", lambda: check(store))
        if result.violations:
            raise ValidationFailed(result.violations)
    return result


# --- writing ------------------------------------------------------------------------------


def assemble(ontology, asserted, provenance, inferred, sources: dict | None = None):
    """An rdflib dataset of the four graphs and the cited sources' (*sources*: graph IRI -> graph)."""

    store = RdflibStore()
    for iri, g in ((GRAPH_ONTOLOGY, ontology), (GRAPH_ASSERTED, asserted), (GRAPH_PROVENANCE, provenance),
                   *sorted((sources or {}).items()), (GRAPH_INFERRED, inferred if inferred is not None else Graph())):
        store.add_graph(iri, g)
    return store.dataset


def write_outputs(result: BuildResult, out_dir: Path, progress=None) -> list[Path]:
    """Write TriG, N-Quads, Turtle (the union) and the manifest, each file atomically.

    A build from the article folders (or any build on a store that can hand over an
    rdflib dataset) is written by rdflib, deterministically sorted; a large build from an
    input file on Oxigraph is streamed, its asserted and provenance graphs straight from
    the input file, so that every literal keeps its datatype.
    """

    progress = progress or Silent()
    t = time.perf_counter()
    out_dir = Path(out_dir)
    written = []
    if result.graphs is not None:
        ontology, asserted, provenance, cited = result.graphs
        ds = assemble(ontology, asserted, provenance, result.store.graph(GRAPH_INFERRED), cited)
    elif not getattr(result.store, "streams", False):
        ds = result.store.as_dataset()
    else:
        ds = None
    if ds is not None:
        payloads = {TRIG_NAME: serialize(ds, "trig"), NQUADS_NAME: serialize(ds, "nquads"),
                    TURTLE_NAME: serialize(union_graph(ds), "turtle")}
        for name, data in payloads.items():
            write_atomic(out_dir / name, data)
            written.append(out_dir / name)
    else:
        for name, fmt in ((NQUADS_NAME, "nquads"), (TRIG_NAME, "trig"), (TURTLE_NAME, "turtle")):
            progress.note(name)
            with atomic_file(out_dir / name) as fh:
                result.store.dump(fh, fmt, result.source)
            written.append(out_dir / name)
    write_atomic(out_dir / MANIFEST_NAME, (json.dumps(result.manifest(), indent=2, sort_keys=True) + "\n").encode())
    written.append(out_dir / MANIFEST_NAME)
    result.timings["write"] = time.perf_counter() - t
    return written


def build_into(build_dir: Path, source: Path | None = None, *, backend: str = "rdflib", engine: str | None = None,
               validate: bool = True, progress=None) -> BuildResult:
    """Build into a new generation of *build_dir* and make it current with one atomic rename.

    Readers see the previous build, whole, until the switch, and the new one, whole, after it;
    a build that fails or is killed leaves the previous one current (:mod:`kg.core.generations`).
    """
    progress = progress or Silent()
    build_dir = make_dir(build_dir, "build folder")
    with generations.lock(build_dir):
        generations.discard_unfinished(build_dir)
        try:
            gen = generations.new(build_dir)
        except OSError as exc:
            raise KgError(f"{build_dir}: cannot write the build folder: {exc.strerror or exc}") from None
        try:
            result = build(source, backend=backend, engine=engine, validate=validate,
                           store_path=store_location(backend, gen), progress=progress)
            progress.stage("writing")
            write_outputs(result, gen, progress)
            result.store.flush()
            result.counts = {str(g): result.count(g) for g in result.graph_names()}
            result.store = None  # closed before the generation becomes current
        except BaseException:
            shutil.rmtree(gen, ignore_errors=True)
            raise
        generations.switch(build_dir, gen)
        generations.clean(build_dir)
    return result


def serving_store(build_dir: Path, backend: str | None = None, engine: str | None = None, notice=None):
    """The build as ``kg serve``'s forked workers read it; a fresh build in memory (*notice*
    told) where the backend has no build to read."""

    store = store_class(backend or "rdflib").for_serving(Path(build_dir))
    if store is not None:
        return store
    return get_store(None, backend, engine or "owlrl",
                     lambda _: notice and notice(f"no build in {build_dir}/; building in memory (run `kg build` to keep it)"))


def get_store(build_dir: Path | None, backend: str | None = None, engine: str = "owlrl", notice=None):
    """The build in *build_dir* as a store; if there is none, a fresh build in memory (*notice* told)."""

    if build_dir is not None:
        store = open_build(build_dir, backend)
        if store is not None:
            return store
    if notice:
        notice(f"no build in {build_dir}/; building in memory (run `kg build` to keep it)")
    return as_store(build(backend=backend or "rdflib", engine=engine).store)


def get_dataset(build_dir: Path | None, engine: str = "owlrl", notice=None):
    """The build in *build_dir* (or a fresh one) as an rdflib dataset."""
    return get_store(build_dir, "rdflib", engine, notice).as_dataset()


def load_built(build_dir: Path):
    """The build in *build_dir* as an rdflib dataset (no reasoning); an error if there is none."""

    return RdflibStore.from_nquads(generations.current(build_dir) / NQUADS_NAME).dataset
