"""Storage and query backends: rdflib (the reference, the default) and Oxigraph (fast, at scale).

The Oxigraph backend keeps the same four named graphs as the rdflib build
(:data:`kg.namespace.GRAPHS`), reasons with the native materialiser
(:mod:`kg.materialise`), runs the same violation checks and competency queries as SPARQL
on Oxigraph, and writes the same output files. ``kg build --backend oxigraph`` also keeps
a persistent store (``<build dir>/oxigraph/``), so that ``kg query`` opens it in
milliseconds instead of parsing and reasoning again.

Results come back as rdflib terms, so every route formats its rows the same way; the
tests check that every competency query gives identical rows on both backends.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KgError, missing_file
from .options import BACKENDS

STORE_NAME = "oxigraph"
G_ONTOLOGY = "https://w3id.org/defence-kg/graph/ontology"
G_ASSERTED = "https://w3id.org/defence-kg/graph/asserted"
G_PROVENANCE = "https://w3id.org/defence-kg/graph/provenance"
G_INFERRED = "https://w3id.org/defence-kg/graph/inferred"
GRAPH_IRIS = (G_ONTOLOGY, G_ASSERTED, G_PROVENANCE, G_INFERRED)
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def ox():
    """The pyoxigraph module, or a clear error if the ``fast`` extra is missing."""
    try:
        import pyoxigraph
    except ImportError:
        raise KgError("the oxigraph backend needs pyoxigraph: pip install 'defence-kg[fast]'") from None
    return pyoxigraph


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise KgError(f"unknown backend {name!r} (known: {', '.join(BACKENDS)})")
    return name


# --- terms ------------------------------------------------------------------------------


def to_ox(term):
    """An rdflib term as a pyoxigraph term."""
    from rdflib import BNode, Literal, URIRef

    o = ox()
    if isinstance(term, URIRef):
        return o.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return o.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return o.Literal(str(term), datatype=o.NamedNode(str(term.datatype)))
        return o.Literal(str(term))
    if isinstance(term, BNode):
        return o.BlankNode(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def from_ox(term):
    """A pyoxigraph term as an rdflib term (``xsd:string`` literals become plain, as rdflib parses them)."""
    from rdflib import BNode, Literal, URIRef

    o = ox()
    if term is None:
        return None
    if isinstance(term, o.NamedNode):
        return URIRef(term.value)
    if isinstance(term, o.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt in (XSD_STRING, RDF_LANGSTRING):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, o.BlankNode):
        return BNode(term.value)
    raise TypeError(f"unsupported term: {term!r}")


def _ox_kind(term) -> str:
    o = ox()
    return "literal" if isinstance(term, o.Literal) else "bnode" if isinstance(term, o.BlankNode) else "iri"


def add_graph(store, graph, graph_iri: str) -> None:
    """Copy an rdflib graph into *store*'s named graph *graph_iri*."""
    o = ox()
    g = o.NamedNode(graph_iri)
    store.extend([o.Quad(to_ox(s), to_ox(p), to_ox(v), g) for s, p, v in graph])


# --- the build --------------------------------------------------------------------------


@dataclass
class OxBuildResult:
    """What an Oxigraph build made: the store, counts per graph, and the time of each phase."""

    store: object
    engine: str
    source: Path | None = None
    #: for a build from the article folders: the rdflib graphs (ontology, asserted, provenance)
    graphs: tuple | None = None
    timings: dict = field(default_factory=dict)
    violations: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())

    def count(self, graph_iri) -> int:
        g = str(graph_iri)
        if g not in self.counts:
            self.counts[g] = count_graph(self.store, g)
        return self.counts[g]

    @property
    def asserted(self) -> int:
        return self.count(G_ASSERTED) + self.count(G_PROVENANCE)

    @property
    def inferred(self) -> int:
        return self.count(G_INFERRED)

    def summary(self) -> str:
        return (
            f"{self.asserted} triples asserted ({self.count(G_ASSERTED)} facts, "
            f"{self.count(G_PROVENANCE)} provenance), {self.count(G_ONTOLOGY)} ontology, "
            f"{self.inferred} inferred, in {self.seconds:.2f} s (oxigraph, {self.engine})"
        )


def count_graph(store, graph_iri: str) -> int:
    rows = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"))
    return int(rows[0]["n"].value)


def _format_of(path: Path):
    o = ox()
    name = path.name.lower()
    for ext, fmt in ((".nq", o.RdfFormat.N_QUADS), (".trig", o.RdfFormat.TRIG), (".nt", o.RdfFormat.N_TRIPLES),
                     (".ttl", o.RdfFormat.TURTLE)):
        if name.endswith(ext):
            return fmt
    raise KgError(f"{path}: give an N-Quads (.nq) or TriG (.trig) file with the asserted and provenance graphs")


def open_store(path: Path | None = None, fresh: bool = False):
    """An Oxigraph store: in memory, or on disk at *path* (emptied first if *fresh*)."""
    o = ox()
    if path is None:
        return o.Store()
    path = Path(path)
    if fresh and path.exists():
        shutil.rmtree(path)
    return o.Store(str(path))


def load_sources(store, source: Path | None = None, progress=None) -> tuple | None:
    """Fill the ontology, asserted and provenance graphs: from the article folders, or from *source*.

    *source* is an N-Quads or TriG file whose quads are in the asserted and provenance
    graphs, as ``kg synth`` writes it (or ``kg export --format nquads --asserted-only``).
    """
    from .ontology import load_ontology

    ontology = load_ontology()
    add_graph(store, ontology, G_ONTOLOGY)
    if source is None:
        from .articles import compile_all
        from .resources import articles_dir

        asserted, provenance, _ = compile_all(articles_dir())
        add_graph(store, asserted, G_ASSERTED)
        add_graph(store, provenance, G_PROVENANCE)
        return ontology, asserted, provenance
    source = Path(source)
    if not source.is_file():
        raise missing_file(source, "input graph")
    if progress:
        progress(f"loading {source.name}")
    fmt = _format_of(source)
    try:
        store.bulk_load(path=str(source), format=fmt)
    except SyntaxError as exc:
        raise KgError(f"{source}: {exc}") from None
    o = ox()
    stray = [g for g in store.named_graphs() if isinstance(g, o.NamedNode) and g.value not in GRAPH_IRIS]
    default = next(iter(store.quads_for_pattern(None, None, None, o.DefaultGraph())), None)
    if stray or default is not None or any(True for _ in store.quads_for_pattern(None, None, None, o.NamedNode(G_INFERRED))):
        raise KgError(f"{source}: quads must be in the asserted and provenance graphs only")
    return None


def reason(store, engine: str = "native", progress=None) -> int:
    """Fill the inferred graph from the ontology and asserted graphs; return its size."""
    o = ox()
    inputs = [o.NamedNode(G_ONTOLOGY), o.NamedNode(G_ASSERTED)]
    store.clear_graph(o.NamedNode(G_INFERRED))
    g_inf = o.NamedNode(G_INFERRED)

    def triples():
        for g in inputs:
            for q in store.quads_for_pattern(None, None, None, g):
                yield q.subject, q.predicate, q.object

    if engine == "native":
        from .materialise import decode, derive

        terms, derived = derive(triples(), o.NamedNode, _ox_kind, progress=progress)
        n = 0
        batch = []
        for s, p, v in decode(terms, derived):  # derived triples are never in the input graphs
            batch.append(o.Quad(s, p, v, g_inf))
            if len(batch) >= 500_000:
                store.extend(batch)
                n += len(batch)
                batch = []
        store.extend(batch)
        return n + len(batch)
    # any other engine runs on rdflib (the reference path)
    from rdflib import Graph

    from .reasoning import expand

    g = Graph()
    for s, p, v in triples():
        g.add((from_ox(s), from_ox(p), from_ox(v)))
    inferred = expand(g, "owl-rl", engine)
    add_graph(store, inferred, G_INFERRED)
    return len(inferred)


#: Oxigraph stores numbers by value: a literal typed with a derived integer type
#: (xsd:nonNegativeInteger, xsd:positiveInteger, ...) comes back as xsd:integer
#: (oxigraph/oxigraph#1413). The datatype check is therefore evaluated by value on
#: Oxigraph: an xsd:integer in the value space of the declared range passes.
_INTEGER_RANGES = {
    "nonNegativeInteger": "?v >= 0", "positiveInteger": "?v > 0", "nonPositiveInteger": "?v <= 0",
    "negativeInteger": "?v < 0", "long": "true", "int": "true", "short": "true", "byte": "true",
    "unsignedLong": "?v >= 0", "unsignedInt": "?v >= 0", "unsignedShort": "?v >= 0", "unsignedByte": "?v >= 0",
}
_DATATYPE_TEST = "DATATYPE(?v) != ?range"


def _by_value(check_text: str) -> str:
    """The datatype test of a check, read by value (see :data:`_INTEGER_RANGES`)."""
    if _DATATYPE_TEST not in check_text:
        return check_text
    cases = " || ".join(
        f"(?range = xsd:{name} && {cond})" for name, cond in _INTEGER_RANGES.items()
    )
    relaxed = f"({_DATATYPE_TEST} && !(DATATYPE(?v) = xsd:integer && ({cases})))"
    return check_text.replace(_DATATYPE_TEST, relaxed)


def validate_store(store) -> list:
    """The violation checks (``queries/checks``) and the SHACL shapes, as SPARQL on Oxigraph."""
    from .checks import Violation
    from .queries import check_queries, shorten

    checks = list(check_queries().items())
    try:
        from .shacl_sparql import compile_shapes, violations_from_rows
    except ImportError:
        constraints = []
    else:
        constraints = compile_shapes()
    rows = select_all(store, [_by_value(q.text) for _, q in checks] + [c.query for c in constraints])
    found = []
    for (slug, q), check_rows in zip(checks, rows):
        severity = q.header("severity", "error")
        for row in check_rows:
            found.append(Violation(slug, severity, shorten(from_ox(row["resource"])), str(row["error"].value)))
    if constraints:
        found.extend(violations_from_rows(constraints, rows[len(checks):]))
    return sorted(found, key=lambda v: (v.check, v.resource, v.error))


def select_all(store, texts: list[str], workers: int | None = None) -> list[list]:
    """The rows of several read-only queries, run side by side; in the order of *texts*.

    Oxigraph evaluates much of a query outside Python's lock, so on two cores two threads
    finish the build's 39 validation queries in 0.6 of the time one takes. The longest
    queries (the SHACL node shapes, slowest by far) start first.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    out: list = [None] * len(texts)

    def job(i):
        out[i] = list(select(store, texts[i]))

    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    workers = workers or max(1, min(len(texts), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(job, order))
    return out


def build(source: Path | None = None, engine: str = "native", validate: bool = True,
          store_path: Path | None = None, progress=None) -> OxBuildResult:
    """Build on Oxigraph: load, reason, validate. Raises :class:`kg.build.ValidationFailed`."""
    from .build import ValidationFailed

    store = open_store(store_path, fresh=True)
    result = OxBuildResult(store, engine, Path(source) if source is not None else None)
    t = time.perf_counter()
    result.graphs = load_sources(store, source, progress)
    result.timings["parse"] = time.perf_counter() - t
    t = time.perf_counter()
    reason(store, engine, progress)
    result.timings["reason"] = time.perf_counter() - t
    if validate:
        t = time.perf_counter()
        result.violations = validate_store(store)
        result.timings["validate"] = time.perf_counter() - t
        if result.violations:
            raise ValidationFailed(result.violations)
    return result


def write_outputs(result: OxBuildResult, out_dir: Path, progress=None) -> list[Path]:
    """Write the same files as the rdflib build: TriG, N-Quads, Turtle of the union, manifest.

    The asserted and provenance graphs are written from their source, not from the store,
    so that every literal keeps its datatype (see :data:`_INTEGER_RANGES`); the ontology
    and the inferred graph come from the build. A build from the article folders writes
    exactly what the rdflib build writes.
    """
    from . import __version__
    from .build import MANIFEST_NAME, NQUADS_NAME, TRIG_NAME, TURTLE_NAME
    from .namespace import PREFIXES

    o = ox()
    t = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if result.graphs is not None:
        written = _write_small(result, out_dir)
    else:
        def atomic(name, fill):
            path = out_dir / name
            tmp = out_dir / f".{name}.tmp"
            try:
                with open(tmp, "wb") as fh:
                    fill(fh)
                tmp.replace(path)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            written.append(path)

        store, source = result.store, result.source
        onto, inf = o.NamedNode(G_ONTOLOGY), o.NamedNode(G_INFERRED)

        def quads():
            yield from store.quads_for_pattern(None, None, None, onto)
            yield from o.parse(path=str(source), format=_format_of(source))
            yield from store.quads_for_pattern(None, None, None, inf)

        def nquads(fh):  # (dump with from_graph would drop the graph names)
            o.serialize(store.quads_for_pattern(None, None, None, onto), fh, o.RdfFormat.N_QUADS)
            if _format_of(source) == o.RdfFormat.N_QUADS:
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)
            else:
                o.serialize(o.parse(path=str(source), format=_format_of(source)), fh, o.RdfFormat.N_QUADS)
            o.serialize(store.quads_for_pattern(None, None, None, inf), fh, o.RdfFormat.N_QUADS)

        atomic(NQUADS_NAME, nquads)
        atomic(TRIG_NAME, lambda fh: o.serialize(quads(), fh, o.RdfFormat.TRIG, prefixes=PREFIXES))
        atomic(TURTLE_NAME, lambda fh: o.serialize((q.triple for q in quads()), fh, o.RdfFormat.TURTLE,
                                                    prefixes=PREFIXES))
        manifest = {
            "version": __version__,
            "engine": result.engine,
            "backend": "oxigraph",
            "graphs": {g: result.count(g) for g in GRAPH_IRIS},
            "asserted": result.asserted,
            "inferred": result.inferred,
        }
        atomic(MANIFEST_NAME, lambda fh: fh.write((json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()))
    result.timings["write"] = time.perf_counter() - t
    return written


def _write_small(result: OxBuildResult, out_dir: Path) -> list[Path]:
    """Outputs of a build from the article folders, written as the rdflib build writes them."""
    from rdflib import Graph

    from .build import BuildResult, assemble
    from .build import write_outputs as write_rdflib

    o = ox()
    inferred = Graph()
    for q in result.store.quads_for_pattern(None, None, None, o.NamedNode(G_INFERRED)):
        inferred.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
    ontology, asserted, provenance = result.graphs
    ds = assemble(ontology, asserted, provenance, inferred)
    paths = write_rdflib(BuildResult(ds, result.seconds, result.engine), out_dir)
    manifest = out_dir / "manifest.json"
    data = json.loads(manifest.read_text())
    data["backend"] = "oxigraph"
    manifest.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return paths


def store_dir(build_dir: Path) -> Path:
    return Path(build_dir) / STORE_NAME


def open_built(build_dir: Path):
    """The persistent store a build left in *build_dir*, opened read-only."""
    path = store_dir(build_dir)
    if not path.is_dir():
        raise missing_file(path, "built store (run `kg build --backend oxigraph` first)")
    return ox().Store.read_only(str(path))


def drop_store(build_dir: Path) -> None:
    """Remove the store of an earlier build (it would be stale)."""
    if store_dir(build_dir).is_dir():
        shutil.rmtree(store_dir(build_dir))


#: Below this size of the build's N-Quads file, ``kg query`` loads the file into an in-memory
#: Oxigraph store (the article's 4,000 quads take 7 ms) rather than open the on-disk store
#: (RocksDB takes about 45 ms to open, whatever the size).
SMALL_BUILD_BYTES = 8 << 20


def store_for_query(backend: str | None, build_dir: Path):
    """The Oxigraph store ``kg query`` should read, or None for the rdflib route.

    * ``--backend rdflib``: None, always (rdflib's engine on the built files).
    * Otherwise the build is queried on Oxigraph: its persistent store (left by
      ``kg build --backend oxigraph``) when the build is large, else its N-Quads file loaded
      into memory. Either way nothing is reasoned again.
    * Without ``--backend``, the rdflib route is taken when pyoxigraph is missing or there
      is no build yet.
    """
    from .resources import NQUADS_NAME

    if backend == "rdflib":
        return None
    build_dir = Path(build_dir)
    nq = build_dir / NQUADS_NAME
    if backend is None:
        try:
            ox()
        except KgError:
            return None
    if store_dir(build_dir).is_dir() and (not nq.is_file() or nq.stat().st_size > SMALL_BUILD_BYTES):
        return open_built(build_dir)
    if nq.is_file():
        return load_built_store(nq)
    if backend is None:
        return None
    return open_built(build_dir)  # names what is missing


def load_built_store(nq: Path):
    """The built N-Quads file in an in-memory Oxigraph store."""
    o = ox()
    store = o.Store()
    try:
        store.bulk_load(path=str(nq), format=o.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise KgError(f"{nq}: {exc} (run `kg build` again)") from None
    return store


# --- CLI glue ---------------------------------------------------------------------------


def resolve_engine(backend: str | None, engine: str | None) -> str:
    return engine or ("native" if backend == "oxigraph" else "owlrl")


def build_rdflib_file(source: Path, engine: str = "owlrl", validate: bool = True):
    """The rdflib build of a pre-compiled input file (asserted and provenance graphs)."""
    from rdflib import Dataset, Graph

    from .build import BuildResult, ValidationFailed, assemble
    from .namespace import GRAPH_ASSERTED, GRAPH_PROVENANCE
    from .ontology import load_ontology
    from .reasoning import expand

    source = Path(source)
    if not source.is_file():
        raise missing_file(source, "input graph")
    t0 = time.perf_counter()
    ontology = load_ontology()
    raw = Dataset()
    raw.parse(source, format="nquads" if source.suffix == ".nq" else "trig")
    asserted, provenance = raw.graph(GRAPH_ASSERTED), raw.graph(GRAPH_PROVENANCE)
    tbox_abox = Graph()
    for g in (ontology, asserted):
        for t in g:
            tbox_abox.add(t)
    inferred = expand(tbox_abox, "owl-rl", engine)
    result = BuildResult(assemble(ontology, asserted, provenance, inferred), 0.0, engine)
    if validate:
        result.violations = validate_rdflib(result.dataset)
        if result.violations:
            raise ValidationFailed(result.violations)
    result.seconds = time.perf_counter() - t0
    return result


def validate_rdflib(dataset) -> list:
    """The rdflib route's validation: the SPARQL checks and, where present, pySHACL."""
    from .checks import run_checks

    found = run_checks(dataset)
    try:
        from .shacl import shacl_violations
    except ImportError:
        return found
    return found + shacl_violations(dataset)


def cmd_build(args, build_dir: Path) -> int:
    """``kg build`` on the Oxigraph backend, or from an ``--input`` file on either backend."""
    from .progress import Progress

    backend = check_backend(getattr(args, "backend", None) or "rdflib")
    engine = engine_for(args)
    source = getattr(args, "input", None)
    validate = not getattr(args, "no_validate", False)
    build_dir = Path(build_dir)
    if backend == "rdflib":
        from .build import write_outputs as write_rdflib

        result = build_rdflib_file(Path(source), engine, validate)
        write_rdflib(result, build_dir)
        drop_store(build_dir)
        print(result.summary())
        return 0
    build_dir.mkdir(parents=True, exist_ok=True)
    work = build_dir / f".{STORE_NAME}.build"
    with Progress("build") as bar:
        result = build(Path(source) if source else None, engine, validate, store_path=work, progress=bar.note)
        bar.note("writing")
        write_outputs(result, build_dir)
    result.store.flush()
    summary = result.summary()
    del result
    target = store_dir(build_dir)
    if target.exists():
        shutil.rmtree(target)
    work.replace(target)
    print(summary)
    return 0


# --- queries ----------------------------------------------------------------------------


def _syntax_error(exc: SyntaxError, source: str) -> KgError:
    """Oxigraph's ``error at LINE:COL: why`` as a located :class:`~kg.errors.SourceError`."""
    import re

    from .errors import SourceError

    m = re.match(r"error at (\d+):(\d+):\s*(.*)", str(exc), re.DOTALL)
    if m:
        return SourceError(source, f"SPARQL syntax error: {m.group(3).strip()}", int(m.group(1)), int(m.group(2)))
    return SourceError(source, f"SPARQL syntax error: {exc}")


def select(store, text: str, bindings: dict | None = None, source: str = "<query>",
           default_graph: list[str] | None = None, named_graphs: list[str] | None = None):
    """Run a SPARQL query on the union default graph, with the project's prefixes.

    *bindings* (rdflib terms) are given to Oxigraph as substitutions, which it pushes into
    the query; a bound variable that the query does not project (which rdflib's
    ``initBindings`` allows) is joined instead through a trailing ``VALUES`` clause, the
    term written by Oxigraph's own serialiser. *default_graph* / *named_graphs* (IRIs) give
    the dataset of the SPARQL protocol's ``default-graph-uri`` / ``named-graph-uri``
    instead: when either is given, the default graph is the merge of *default_graph*
    (empty if none) and ``GRAPH`` sees only *named_graphs*.
    """
    from .namespace import PREFIXES

    o = ox()
    subs = {o.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
    if default_graph is not None or named_graphs is not None:
        dataset = {"default_graph": [o.NamedNode(g) for g in default_graph or []],
                   "named_graphs": [o.NamedNode(g) for g in named_graphs or []]}
    else:
        dataset = {"use_default_graph_as_union": True}
    try:
        return store.query(text, prefixes=PREFIXES, substitutions=subs or None, **dataset)
    except SyntaxError as exc:
        raise _syntax_error(exc, source) from None
    except RuntimeError as exc:
        if not subs or "variable" not in str(exc):
            raise
    return store.query(_values_inside(text, subs), prefixes=PREFIXES, **dataset)


def _values_inside(text: str, subs: dict) -> str:
    """*text* with ``VALUES`` for *subs* opening its WHERE group, where rdflib's initBindings act."""
    import re

    values = "VALUES (" + " ".join(str(v) for v in subs) + ") { (" + " ".join(str(t) for t in subs.values()) + ") }"
    body = re.sub(r"#[^\n]*", lambda m: " " * len(m.group(0)), text)  # keep offsets, ignore comments
    m = re.search(r"\bWHERE\s*\{", body, re.IGNORECASE) or re.search(r"\{", body)
    if m is None:
        raise KgError("cannot bind parameters: the query has no WHERE group")
    return text[:m.end()] + " " + values + " " + text[m.end():]


class TooLarge(KgError):
    """A result over the row cap a caller set (``kg serve --max-rows``)."""


def run(store, text: str, bindings: dict | None = None, source: str = "<query>", max_rows: int | None = None,
        default_graph: list[str] | None = None, named_graphs: list[str] | None = None):
    """Like :func:`kg.queries.run`, on Oxigraph: an rdflib :class:`~rdflib.query.Result`.

    With *max_rows*, a result of more rows (or triples) raises :class:`TooLarge` as soon
    as the cap is passed, before the rest is read.
    """
    from rdflib import Graph, Variable
    from rdflib.query import Result

    if "SERVICE" in text.upper() and _has_service(text):
        raise KgError("SERVICE is disabled: queries make no outbound requests")
    o = ox()
    try:
        answer = select(store, text, bindings, source, default_graph, named_graphs)
    except OSError as exc:
        raise KgError(f"{source}: query failed: {exc}") from None

    def capped(items, what):
        for n, item in enumerate(items):
            if max_rows is not None and n >= max_rows:
                raise TooLarge(f"result too large: more than {max_rows} {what}")
            yield item

    try:
        if isinstance(answer, o.QueryBoolean):
            r = Result("ASK")
            r.askAnswer = bool(answer)
            return r
        if isinstance(answer, o.QueryTriples):
            r = Result("CONSTRUCT")
            g = Graph()
            for t in capped(answer, "triples"):
                g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
            r.graph = g
            return r
        names = [v.value for v in answer.variables]
        r = Result("SELECT")
        r.vars = [Variable(n) for n in names]
        r.bindings = [
            {Variable(n): from_ox(sol[n]) for n in names if sol[n] is not None}
            for sol in capped(answer, "rows")
        ]
        return r
    except (OSError, RuntimeError) as exc:  # evaluation errors surface while reading
        raise KgError(f"{source}: query failed: {exc}") from None


def _has_service(text: str) -> bool:
    import re

    body = re.sub(r"#[^\n]*", "", text)
    return re.search(r"\bSERVICE\b", body, re.IGNORECASE) is not None


class StoreView:
    """Just enough of an rdflib graph for :func:`kg.queries.format_result` labels and ``to_term``."""

    def __init__(self, store):
        self._store = store

    @property
    def store(self):
        return self._store

    def objects(self, subject=None, predicate=None):
        o = ox()
        s = to_ox(subject) if subject is not None else None
        p = to_ox(predicate) if predicate is not None else None
        seen = set()
        for q in self.store.quads_for_pattern(s, p, None, None):
            t = from_ox(q.object)
            if t not in seen:
                seen.add(t)
                yield t
        del o

    def query(self, text, initNs=None, initBindings=None, **_):
        return run(self.store, str(text), initBindings)

    def run(self, text: str, bindings: dict | None = None, source: str = "<query>"):
        return run(self.store, text, bindings, source)


class BuiltStore(StoreView):
    """The build on Oxigraph for ``kg serve --backend oxigraph``: opened in each process that uses it.

    The server forks its query workers; an Oxigraph store (RocksDB on disk, with its own
    threads) must not cross a fork, so each worker opens the build itself on first use.
    The sizes of the graphs, which the server reports, are read once at start-up from a
    store that is closed again before any fork.
    """

    def __init__(self, build_dir: Path):
        self.build_dir = Path(build_dir)
        probe = store_for_query("oxigraph", self.build_dir)
        self.sizes = graph_sizes(probe)
        del probe
        self._store = None
        self._pid = None

    @property
    def store(self):
        import os

        if self._store is None or self._pid != os.getpid():
            self._store = store_for_query("oxigraph", self.build_dir)
            self._pid = os.getpid()
        return self._store


def graph_sizes(store) -> tuple[dict[str, int], int]:
    """Triples per named graph (those that have any), and distinct triples over all of them."""
    per = {}
    for row in store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
        per[row["g"].value] = int(row["n"].value)
    total = next(iter(store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"]
    return per, int(total.value)


class EngineOption:
    """``--engine``: remembers whether it was given, so that ``--backend oxigraph`` defaults to native."""

    def __new__(cls, *args, **kwargs):
        import argparse

        class _Action(argparse.Action):
            def __call__(self, parser, namespace, values, option_string=None):
                setattr(namespace, self.dest, values)
                namespace.engine_given = True

        return _Action(*args, **kwargs)


def engine_for(args) -> str:
    """The engine a command should use: ``--engine`` if given, else by backend."""
    if getattr(args, "engine_given", False):
        return args.engine
    return resolve_engine(getattr(args, "backend", None), None)
