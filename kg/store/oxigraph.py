"""The Oxigraph store: fast, on disk or in memory, for builds at scale and quick queries.

It holds the same four named graphs as the rdflib store, answers SPARQL with Oxigraph's
engine (the union of the named graphs as the default graph), and hands results back as
rdflib terms, so that every route formats its rows the same way. ``kg build --backend
oxigraph`` keeps a persistent store in ``<build dir>/oxigraph/``, so that ``kg query``
opens a large build in milliseconds instead of parsing it again.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result

from kg.core.errors import KgError, SourceError, missing_file
from kg.core.iris import GRAPH_INFERRED, GRAPH_ONTOLOGY, PREFIXES, RDF_LANGSTRING, XSD_STRING, build_graphs, is_build_graph
from kg.store.protocol import NeedsValues, TooLarge

STORE_NAME = "oxigraph"

#: Below this size of the build's N-Quads file, a read opens it in an in-memory store.
SMALL_BUILD_BYTES = 8 << 20
# From this size of N-Quads input, its union is written by the bulk loader (two native loads)
# rather than from Python (each quad written twice): measured 2026-12-01 on 2 cores, 42.9 s
# against 31.3 s at 1M quads (215 MB; the bulk loader's own cost dominates), 268 s against
# 351 s at 10M (2.1 GB), and half the peak memory. See docs/benchmark.md.
NATIVE_UNION_BYTES = 1 << 30


def ox():
    """The pyoxigraph module, or a clear error if it is missing."""
    try:
        import pyoxigraph
    except ImportError:
        raise KgError("the oxigraph backend needs pyoxigraph: pip install pyoxigraph") from None
    return pyoxigraph


# --- terms ------------------------------------------------------------------------------


def to_ox(term):
    """An rdflib term as a pyoxigraph term."""

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


def term_kind(term) -> str:
    """``iri``, ``literal`` or ``bnode``: what the native materialiser needs to know of a term."""
    o = ox()
    return "literal" if isinstance(term, o.Literal) else "bnode" if isinstance(term, o.BlankNode) else "iri"


def rdf_format(path: Path):
    """The Oxigraph format a file's extension names."""
    o = ox()
    name = Path(path).name.lower()
    for ext, fmt in ((".nq", o.RdfFormat.N_QUADS), (".trig", o.RdfFormat.TRIG), (".nt", o.RdfFormat.N_TRIPLES),
                     (".ttl", o.RdfFormat.TURTLE)):
        if name.endswith(ext):
            return fmt
    raise KgError(f"{path}: give an N-Quads (.nq) or TriG (.trig) file with the asserted and provenance graphs")


def _syntax_error(exc: SyntaxError, source: str) -> KgError:
    """Oxigraph's ``error at LINE:COL: why`` as a located :class:`~kg.core.errors.SourceError`."""
    m = re.match(r"error at (\d+):(\d+):\s*(.*)", str(exc), re.DOTALL)
    if m:
        return SourceError(source, f"SPARQL syntax error: {m.group(3).strip()}", int(m.group(1)), int(m.group(2)))
    return SourceError(source, f"SPARQL syntax error: {exc}")


def load_error(path: Path, exc: SyntaxError, hint: str = "") -> KgError:
    """Oxigraph's parse error for the file *path*, located at its ``line:column`` where it names one."""
    why = " ".join(str(exc).split())
    m = re.search(r"\bline (\d+)(?: between columns (\d+)| at column (\d+)|, column (\d+))?", why)
    if not m:
        return KgError(f"{path}: {why}{hint}")
    column = next((int(c) for c in m.groups()[1:] if c), None)
    return SourceError(path, f"not valid RDF: {why}{hint}", int(m.group(1)), column)


# --- the store ----------------------------------------------------------------------------


class OxigraphStore:
    backend = "oxigraph"
    shacl = "sparql"
    integers_by_value = True
    sorts_rows = True
    #: a build's outputs are streamed from the store, not handed to rdflib whole
    streams = True
    default_engine = "native"
    reference = False
    #: a build keeps the store on disk, in the build folder's ``oxigraph/``
    persistent = True
    folder = STORE_NAME
    #: served read-only
    updatable = False

    @classmethod
    def for_serving(cls, build_dir: Path) -> "BuiltStore":
        """The build for ``kg serve``: each forked worker opens it itself (:class:`BuiltStore`)."""
        return BuiltStore(build_dir)

    def __init__(self, store=None, path: Path | None = None):
        self._store = store
        # an on-disk store notes beside it that its union is current (written by flush, removed by
        # any change), so that a process opening it (the benchmark's steps) does not fill it again
        self._marker = Path(str(path) + UNION_MARKER) if path is not None else None
        self._stale = True  # until filled, or until open() finds the marker
        self._default_input = False  # a loaded file had default-graph quads (refused by stray_quads)

    @property
    def _union_stale(self) -> bool:
        return self._stale

    @_union_stale.setter
    def _union_stale(self, stale: bool) -> None:
        self._stale = stale
        if stale and self._marker is not None and self._marker.exists():
            self._marker.unlink()

    # The default graph a query sees is the union of the named graphs, as a *set* (the RDF merge),
    # the same as rdflib's: Oxigraph's own union mode (use_default_graph_as_union) matches a triple
    # once per graph that holds it, so two sources stating one fact gave every row twice. The store
    # therefore keeps the union, deduplicated, in its real default graph: refreshed before the first
    # query after a change, and written with the store (flush) so that a read-only build has it.

    def _ensure_union(self) -> bool:
        """Fill the default graph with the union of the named graphs if it is out of date; False if
        the store cannot be written (a read-only build without it: Oxigraph's union mode is used)."""
        if not self._union_stale:
            return True
        with _UNION_LOCK:  # validation queries run on threads: the first fills it, the others wait
            if not self._union_stale:
                return True
            try:
                _fill_union(self.raw)
            except OSError:
                return False
            self._union_stale = False
            return True

    def _union_dataset(self) -> dict:
        return {} if self._ensure_union() else {"use_default_graph_as_union": True}

    @classmethod
    def create(cls, path: Path | None = None) -> "OxigraphStore":
        """A new, empty store: in memory, or on disk at *path* (emptied first)."""
        o = ox()
        if path is None:
            store = cls(o.Store())
        else:
            path = Path(path)
            if path.exists():
                shutil.rmtree(path)
            store = cls(o.Store(str(path)), path)
            store._union_stale = True  # removes the marker of the store that was there
        store._stale = False  # empty: its union (empty) is current, and every addition keeps it so
        return store

    @classmethod
    def open(cls, path: Path) -> "OxigraphStore":
        """The store on disk at *path*, as it is (for the benchmark's steps, one process each)."""
        store = cls(ox().Store(str(path)), path)
        store._stale = not store._marker.exists()
        return store

    @property
    def raw(self):
        """The pyoxigraph store itself."""
        return self._store

    # --- reading ---

    def graphs(self) -> list[str]:
        """The build's named graphs: the four fixed ones and each cited source's in the store."""
        o = ox()
        return build_graphs(g.value for g in self.raw.named_graphs() if isinstance(g, o.NamedNode))

    def query(self, text: str, bindings: dict | None = None, *, source: str = "<query>",
              default_graph=None, named_graphs=None, max_rows: int | None = None):
        """Evaluate on Oxigraph with the project's prefixes; an rdflib Result.

        *bindings* (rdflib terms) are given to Oxigraph as substitutions, which it pushes into
        the query; for a bound variable that the query does not project (which rdflib's
        ``initBindings`` allows) it raises :class:`~kg.store.protocol.NeedsValues`, and the
        boundary binds it through a ``VALUES`` block instead.
        """

        o = ox()
        subs = {o.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
        if default_graph is not None or named_graphs is not None:
            dataset = {"default_graph": [o.NamedNode(g) for g in default_graph or []],
                       "named_graphs": [o.NamedNode(g) for g in named_graphs or []]}
        else:
            dataset = self._union_dataset()
        try:
            try:
                answer = self.raw.query(text, prefixes=PREFIXES, substitutions=subs or None, **dataset)
            except RuntimeError as exc:
                if not subs or "variable" not in str(exc):
                    raise
                raise NeedsValues(str(exc)) from None
        except SyntaxError as exc:
            raise _syntax_error(exc, source) from None
        except (OSError, RuntimeError) as exc:
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
            columns = list(enumerate(r.vars))
            terms: dict = {}  # each distinct term converted once: rows repeat their terms

            def term(t):
                try:
                    return terms[t]
                except KeyError:
                    terms[t] = out = from_ox(t)
                    return out

            r.bindings = [
                {var: term(t) for i, var in columns if (t := sol[i]) is not None}
                for sol in (answer if max_rows is None else capped(answer, "rows"))
            ]
            return r
        except (OSError, RuntimeError) as exc:  # evaluation errors surface while reading
            raise KgError(f"{source}: query failed: {exc}") from None

    def select(self, text: str) -> list[dict]:
        """The rows of a trusted, internal SELECT (checks, shapes) on the union, as name -> rdflib term."""
        answer = self.raw.query(text, prefixes=PREFIXES, **self._union_dataset())
        names = [v.value for v in answer.variables]
        return [{n: from_ox(sol[n]) for n in names if sol[n] is not None} for sol in answer]

    def objects(self, subject, predicate):
        s = to_ox(subject) if subject is not None else None
        p = to_ox(predicate) if predicate is not None else None
        seen = set()
        for q in self.raw.quads_for_pattern(s, p, None, None):
            t = from_ox(q.object)
            if t not in seen:
                seen.add(t)
                yield t

    def graph_sizes(self) -> tuple[dict[str, int], int]:
        per = {}
        for row in self.raw.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"):
            per[row["g"].value] = int(row["n"].value)
        total = next(iter(self.raw.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))["n"]
        return per, int(total.value)

    # --- building ---

    def add_graph(self, graph_iri: str, graph) -> None:
        """Copy an rdflib graph into the named graph *graph_iri*."""
        o = ox()
        g = o.NamedNode(graph_iri)
        quads = [o.Quad(to_ox(s), to_ox(p), to_ox(v), g) for s, p, v in graph]
        if not self._union_stale:  # the union kept current as the graph is added (a set: once each)
            quads += [o.Quad(q.subject, q.predicate, q.object, o.DefaultGraph()) for q in quads]
        self.raw.extend(quads)

    def load_file(self, path: Path) -> None:
        """Bulk-load an N-Quads or TriG file; its quads must be in the asserted and provenance graphs.

        Where the union is current it is written as the file is loaded: for an on-disk store and
        a large N-Quads file, natively (:meth:`_load_with_union`); else each quad is also written
        to the default graph as Python reads it. Either way one pass, where filling the union after
        it reads the whole store again."""
        o = ox()
        try:
            if self._union_stale:
                self.raw.bulk_load(path=str(path), format=rdf_format(path))
            elif not (self._marker is not None and rdf_format(path) == o.RdfFormat.N_QUADS
                      and Path(path).stat().st_size >= NATIVE_UNION_BYTES and self._load_with_union(path)):
                default = o.DefaultGraph()

                def with_union():
                    for q in o.parse(path=str(path), format=rdf_format(path)):
                        if isinstance(q.graph_name, o.DefaultGraph):
                            self._default_input = True  # refused by stray_quads, as it is in the file
                            continue
                        yield q
                        yield o.Quad(q.subject, q.predicate, q.object, default)

                self.raw.bulk_extend(with_union())
        except SyntaxError as exc:
            raise load_error(path, exc) from None

    def _load_with_union(self, path: Path) -> bool:
        """The N-Quads file into its graphs, and its triples into the default graph, both by
        Oxigraph's bulk loader: the triples are the file's lines without their graph label (each
        line's last term, :func:`_triples_of`), loaded as N-Triples. At 10M quads this takes a
        fraction of the time of writing each quad twice from Python.

        False, with nothing loaded, for a file it cannot take so: one with a blank node (each
        load names blank nodes anew, so the union's would not be the graphs'), or a line with a
        comment after it. A line that is a triple (in the default graph) loses its object there
        and fails to load as N-Triples: the default graph is then filled from the named graphs,
        and the file marked as having default-graph quads (refused by :meth:`stray_quads`)."""
        o = ox()
        triples = Path(str(self._marker) + ".nt")
        try:
            if not _triples_of(path, triples):
                return False
            self.raw.bulk_load(path=str(path), format=o.RdfFormat.N_QUADS)  # a syntax error: the caller's
            try:
                self.raw.bulk_load(path=str(triples), format=o.RdfFormat.N_TRIPLES, to_graph=o.DefaultGraph())
                return True
            except SyntaxError:
                self._default_input = True
        finally:
            triples.unlink(missing_ok=True)
        with _UNION_LOCK:
            _fill_union(self.raw)
        return True

    def quads(self, graph_iri: str):
        """The pyoxigraph quads of one named graph."""
        return self.raw.quads_for_pattern(None, None, None, ox().NamedNode(graph_iri))

    def graph(self, graph_iri: str):
        """The named graph *graph_iri* copied into an rdflib graph."""

        g = Graph()
        for q in self.quads(graph_iri):
            g.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return g

    def stray_quads(self) -> bool:
        """True if any quad is in the default graph or in a graph the build does not have."""
        o = ox()
        stray = [g for g in self.raw.named_graphs() if isinstance(g, o.NamedNode) and not is_build_graph(g.value)]
        default = next(iter(self.raw.quads_for_pattern(None, None, None, o.DefaultGraph())), None)
        # a default-graph quad is stray if the store did not put it there as the union
        return bool(stray) or self._default_input or (default is not None and self._union_stale)

    def clear_graph(self, graph_iri: str) -> None:
        g = ox().NamedNode(graph_iri)
        if next(iter(self.raw.quads_for_pattern(None, None, None, g)), None) is None:
            return  # nothing to clear: the union stays as it is
        self.raw.clear_graph(g)
        self._union_stale = True

    def count(self, graph_iri: str) -> int:
        rows = list(self.raw.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}"))
        return int(rows[0]["n"].value)

    def materialise(self, inputs: list[str], engine: str, progress=None) -> int | None:
        """Fill the inferred graph with the native engine straight from Oxigraph's terms.

        Returns the number of triples added, or None when *engine* has no such fast path
        here (the caller then reasons over an rdflib graph).
        """
        if engine != "native":
            return None
        from kg.reasoning import load_engine

        load_engine("native")  # a clear error if numpy is missing
        from kg.reasoning.native import decode, derive

        o = ox()
        g_inf = o.NamedNode(GRAPH_INFERRED)

        def triples():
            for g in inputs:
                for q in self.quads(g):
                    yield q.subject, q.predicate, q.object

        terms, derived = derive(triples(), o.NamedNode, term_kind, progress=progress)
        # derived triples are never in the input graphs; where the union is kept current, they join
        # it as they are written (a set: a triple the union has already is written once)
        default = None if self._union_stale else o.DefaultGraph()
        n, batch = 0, []
        for s, p, v in decode(terms, derived):
            batch.append(o.Quad(s, p, v, g_inf))
            if default is not None:
                batch.append(o.Quad(s, p, v, default))
            if len(batch) >= 500_000:
                self.raw.extend(batch)
                n += len(batch)
                batch = []
        self.raw.extend(batch)
        n += len(batch)
        return n // 2 if default is not None else n

    def as_dataset(self):
        """The whole store as an rdflib dataset (for writing a small build as rdflib writes it)."""

        from kg.store.rdflib_store import new_dataset

        ds = new_dataset()
        for iri in self.graphs():
            target = ds.graph(URIRef(iri))
            for q in self.quads(iri):
                target.add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return ds

    def dump(self, fh, fmt: str, source: Path | None = None) -> None:
        """Write the build to *fh* in *fmt* (nquads, trig, turtle for the union): the ontology and
        inferred graphs from the store, the asserted and provenance graphs from *source* as given
        (the store keeps numbers by value), or from the store if there is no source."""
        o = ox()
        stated = [g for g in self.graphs() if g not in (GRAPH_ONTOLOGY, GRAPH_INFERRED)]

        def quads():
            yield from self.quads(GRAPH_ONTOLOGY)
            if source is not None:
                yield from o.parse(path=str(source), format=rdf_format(source))
            else:
                for g in stated:
                    yield from self.quads(g)
            yield from self.quads(GRAPH_INFERRED)

        if fmt == "nquads":
            o.serialize(self.quads(GRAPH_ONTOLOGY), fh, o.RdfFormat.N_QUADS)
            if source is not None and rdf_format(source) == o.RdfFormat.N_QUADS:
                with open(source, "rb") as src:
                    shutil.copyfileobj(src, fh, 1 << 20)
            elif source is not None:
                o.serialize(o.parse(path=str(source), format=rdf_format(source)), fh, o.RdfFormat.N_QUADS)
            else:
                for g in stated:
                    o.serialize(self.quads(g), fh, o.RdfFormat.N_QUADS)
            o.serialize(self.quads(GRAPH_INFERRED), fh, o.RdfFormat.N_QUADS)
        elif fmt == "trig":
            o.serialize(quads(), fh, o.RdfFormat.TRIG, prefixes=PREFIXES)
        elif fmt == "turtle":
            o.serialize((q.triple for q in quads()), fh, o.RdfFormat.TURTLE, prefixes=PREFIXES)
        else:
            raise KgError(f"unknown output format {fmt!r}")

    def flush(self) -> None:
        self._ensure_union()
        self.raw.flush()
        if self._marker is not None and not self._union_stale:
            self._marker.touch()


class BuiltStore(OxigraphStore):
    """A build's Oxigraph store, opened anew in each process that uses it.

    ``kg serve`` forks its query workers; an Oxigraph store (RocksDB on disk, with its own
    threads) must not cross a fork, so each worker opens the build itself on first use.
    """

    def __init__(self, build_dir: Path):
        self.build_dir = Path(build_dir)
        self._store = _open_raw(self.build_dir)
        self._pid = os.getpid()
        self._marker, self._default_input = None, False  # read-only: no marker, nothing loaded
        self._sizes = OxigraphStore.graph_sizes(self)  # read once, before any fork
        self._graphs = OxigraphStore.graphs(self)
        # the union is in the default graph (written by the build); a store built before it was kept
        # there has an empty default graph, and is read in Oxigraph's union mode
        self._has_union = next(iter(self._store.quads_for_pattern(None, None, None, ox().DefaultGraph())), None) is not None
        self._union_stale = False
        self._store = None  # closed again: each process opens its own

    def _union_dataset(self) -> dict:
        return {} if self._has_union else {"use_default_graph_as_union": True}

    @property
    def raw(self):
        if self._store is None or self._pid != os.getpid():
            self._store = _open_raw(self.build_dir)
            self._pid = os.getpid()
        return self._store

    def graph_sizes(self) -> tuple[dict[str, int], int]:
        return self._sizes

    def graphs(self) -> list[str]:
        return list(self._graphs)


#: beside an on-disk store ``DIR``, the file ``DIR.union-current`` says its default graph is the union
UNION_MARKER = ".union-current"
#: one union fill at a time: two threads filling one store's default graph at once hung in the bulk loader
_UNION_LOCK = threading.Lock()


def _fill_union(raw) -> None:
    """Make *raw*'s default graph the union of its named graphs, as a set: streamed through the
    bulk loader, where one SPARQL ``INSERT ... WHERE { GRAPH ?g ... }`` held every quad of the
    union in one transaction (46 s and the whole union in memory at 1M asserted triples)."""
    o = ox()
    raw.clear_graph(o.DefaultGraph())
    graphs = [g for g in raw.named_graphs() if isinstance(g, o.NamedNode)]
    default = o.DefaultGraph()
    raw.bulk_extend(o.Quad(q.subject, q.predicate, q.object, default)
                    for g in graphs for q in raw.quads_for_pattern(None, None, None, g))


def _label_end(line: bytes) -> int | None:
    """Where the graph IRI of a stripped N-Quads *line* starts (its last term), or None."""
    if not line.endswith(b"."):
        return None
    body = line[:-1].rstrip()
    cut = body.rfind(b" ")
    label = body[cut + 1:]
    return cut if cut >= 0 and label.startswith(b"<") and label.endswith(b">") else None


def _triples_of(path: Path, out: Path) -> bool:
    """The lines of the N-Quads file *path* without their last term, as N-Triples in *out*
    (blank lines and comments left out); False, at once, at a line whose last term is not a graph
    IRI or that has a blank node. A line that is a triple loses its object, and fails to load."""
    with open(path, "rb") as fh, open(out, "wb") as w:
        buf = []
        for line in fh:
            line = line.strip()
            if not line or line.startswith(b"#"):
                continue
            cut = _label_end(line)
            if cut is None or b"_:" in line:
                return False
            buf.append(line[:cut] + b" .\n")
            if len(buf) >= 100_000:
                w.writelines(buf)
                buf = []
        w.writelines(buf)
    return True


def store_dir(build_dir: Path) -> Path:
    return Path(build_dir) / STORE_NAME


def _open_raw(build_dir: Path):
    from kg.core.generations import current
    from kg.core.resources import NQUADS_NAME

    build_dir = current(build_dir)  # the current generation, resolved once
    nq = build_dir / NQUADS_NAME
    if store_dir(build_dir).is_dir() and (not nq.is_file() or nq.stat().st_size > SMALL_BUILD_BYTES):
        return ox().Store.read_only(str(store_dir(build_dir)))
    if nq.is_file():
        o = ox()
        store = o.Store()
        try:
            store.bulk_load(path=str(nq), format=o.RdfFormat.N_QUADS)
        except SyntaxError as exc:
            raise load_error(nq, exc, " (is the build truncated? run `kg build` again)") from None
        _fill_union(store)
        return store
    raise missing_file(store_dir(build_dir), "built store (run `kg build` first)")


def open_built(build_dir: Path) -> OxigraphStore | None:
    """The build in *build_dir* on Oxigraph (see :func:`kg.store.open_build`); None if there is none."""
    from kg.core.generations import current
    from kg.core.resources import NQUADS_NAME

    build_dir = current(build_dir)
    if not (store_dir(build_dir).is_dir() or (build_dir / NQUADS_NAME).is_file()):
        return None
    return OxigraphStore(_open_raw(build_dir))
