"""The query engine behind ``kg serve``: killable worker processes over the built dataset.

rdflib evaluates SPARQL in pure Python, and a Python thread cannot be stopped
from outside. So every query runs in a *worker process* forked from the server
(the dataset is shared copy-on-write, nothing is reloaded). The server waits for
the answer at most ``timeout`` seconds; past that it kills the worker with
SIGKILL, which really ends the work, and forks a fresh one. Several workers run
at once, so a long query never blocks other clients.

A worker also enforces the result caps (rows or triples, and bytes) and a
memory ceiling (``RLIMIT_AS``), so a runaway query ends with a clear error
instead of taking the machine down.

Everything a worker sends back is a :class:`Reply`: an HTTP status, a content
type and a body, ready to be written to the client.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass, field

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.plugins.sparql.parserutils import CompValue

from .errors import KgError
from .queries import sparql_engine

sparql_engine()  # LOAD of remote graphs off before any query of the server runs

# --- media types and negotiation ---------------------------------------------------------

#: SELECT / ASK result formats: short name -> media type (first is the default).
RESULT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
#: CONSTRUCT / DESCRIBE formats: short name -> (media type, rdflib format).
GRAPH_TYPES = {
    "turtle": ("text/turtle", "turtle"),
    "nt": ("application/n-triples", "nt11"),
    "jsonld": ("application/ld+json", "json-ld"),
    "rdfxml": ("application/rdf+xml", "xml"),
}
#: Other names clients use (SPARQLWrapper sends ``format=`` / ``output=`` with these).
_RESULT_ALIASES = {
    "application/json": "json", "application/sparql-results+json": "json", "json": "json",
    "application/xml": "xml", "text/xml": "xml", "application/sparql-results+xml": "xml", "xml": "xml",
    "text/csv": "csv", "csv": "csv",
    "text/tab-separated-values": "tsv", "tsv": "tsv",
}
_GRAPH_ALIASES = {
    "text/turtle": "turtle", "application/turtle": "turtle", "application/x-turtle": "turtle", "turtle": "turtle",
    "ttl": "turtle", "text/n3": "turtle", "text/rdf+n3": "turtle", "application/n3": "turtle", "n3": "turtle",
    "application/n-triples": "nt", "text/plain": "nt", "nt": "nt", "ntriples": "nt", "n-triples": "nt",
    "application/ld+json": "jsonld", "application/x-json+ld": "jsonld", "jsonld": "jsonld", "json-ld": "jsonld",
    "application/json": "jsonld", "json": "jsonld",
    "application/rdf+xml": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml", "xml": "rdfxml",
    "application/xml": "rdfxml",
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs; a missing header accepts anything."""
    if not header or not header.strip():
        return [("*/*", 1.0)]
    out = []
    for part in header.split(","):
        bits = [b.strip() for b in part.split(";")]
        mime = bits[0].lower()
        if not mime:
            continue
        q = 1.0
        for b in bits[1:]:
            k, _, v = b.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 0.0
        out.append((mime, q))
    return out


def _quality(ranges: list[tuple[str, float]], mime: str) -> float:
    """q of the most specific range matching *mime* (0 if none)."""
    best, best_spec = 0.0, -1
    major = mime.split("/")[0]
    for rng, q in ranges:
        if rng == mime:
            spec = 2
        elif rng == f"{major}/*":
            spec = 1
        elif rng == "*/*":
            spec = 0
        else:
            continue
        if spec > best_spec:
            best, best_spec = q, spec
    return best


def negotiate(kind: str, accept: str | None, formats: list[str] | None = None) -> str | None:
    """The short format name for a result of *kind* ("results" or "graph"), or None (406).

    Explicit ``format``/``output`` values win over ``Accept``; among equally
    acceptable types the server's order decides (JSON results, Turtle graphs).
    """
    aliases = _RESULT_ALIASES if kind == "results" else _GRAPH_ALIASES
    table = RESULT_TYPES if kind == "results" else {k: v[0] for k, v in GRAPH_TYPES.items()}
    for value in formats or []:
        name = aliases.get(value.strip().lower().split(";")[0].strip())
        if name:
            return name
    if formats:
        return None
    ranges = parse_accept(accept)
    # Aliased media types (application/json, text/plain...) count as their format.
    best, best_q = None, 0.0
    for name, mime in table.items():
        q = _quality(ranges, mime)
        for alias, target in aliases.items():
            if target == name and "/" in alias and any(r == alias for r, _ in ranges):
                q = max(q, _quality(ranges, alias))
        if q > best_q:
            best, best_q = name, q
    return best


def media_type(kind: str, name: str) -> str:
    mime = RESULT_TYPES[name] if kind == "results" else GRAPH_TYPES[name][0]
    return f"{mime}; charset=utf-8"


# --- replies ---------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict = field(default_factory=dict)


def error_reply(status: int, message: str) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", f"kg serve: {message}\n".encode("utf-8"))


@dataclass
class Limits:
    timeout: float = 10.0          # seconds a query may run
    max_rows: int = 100_000        # result rows (SELECT) or triples (CONSTRUCT/DESCRIBE)
    max_bytes: int = 64 << 20      # serialised result size
    memory: int = 2 << 30          # extra address space a worker may take (bytes)


# --- what a worker does ----------------------------------------------------------------------


def _dataset_clause(default: list[str], named: list[str]):
    clause = [CompValue("DatasetClause", default=URIRef(g)) for g in default]
    clause += [CompValue("DatasetClause", named=URIRef(g)) for g in named]
    return clause


def _raw_bindings(result):
    gen = getattr(result, "_genbindings", None)
    return gen if gen is not None else iter(result.bindings)


def run_query_job(ds: Dataset, job: dict, limits: Limits) -> Reply:
    """Parse, run and serialise one query; every failure becomes a Reply."""
    from .queries import prepare, to_term

    if _on_oxigraph(ds):
        return run_query_job_oxigraph(ds, job, limits)
    try:
        query = prepare(job["text"], job.get("source", "<query>"))
    except KgError as exc:
        return error_reply(400, str(exc))
    if job.get("default") or job.get("named"):
        # The protocol's dataset replaces the query's own FROM / FROM NAMED (SPARQL 1.1 Protocol 2.1.4).
        query.algebra["datasetClause"] = _dataset_clause(job.get("default", []), job.get("named", []))
    qtype = query.algebra.name
    kind = "graph" if qtype in ("ConstructQuery", "DescribeQuery") else "results"
    fmt = negotiate(kind, job.get("accept"), job.get("formats"))
    if fmt is None:
        return _not_acceptable(kind)
    try:
        bindings = {name: to_term(ds, value) for name, value in (job.get("bindings") or {}).items()}
    except KgError as exc:
        return error_reply(400, str(exc))
    try:
        result = ds.query(query, initBindings=bindings)
        if kind == "results" and result.type == "SELECT":
            rows = list(itertools.islice(_raw_bindings(result), limits.max_rows + 1))
            if len(rows) > limits.max_rows:
                return error_reply(507, f"result too large: more than {limits.max_rows} rows (add LIMIT, or raise --max-rows)")
            result.bindings = rows
        elif kind == "graph" and len(result.graph) > limits.max_rows:
            return error_reply(507, f"result too large: more than {limits.max_rows} triples (raise --max-rows)")
        body = _serialise(result, kind, fmt)
    except KgError as exc:
        return error_reply(400, str(exc))
    except MemoryError:
        return error_reply(507, "result too large: the query ran out of its memory allowance")
    except Exception as exc:  # rdflib raises plain exceptions for evaluation errors
        return error_reply(400, f"query failed: {type(exc).__name__}: {exc}")
    return _ok(kind, fmt, body, limits)


def run_query_job_oxigraph(view, job: dict, limits: Limits) -> Reply:
    """:func:`run_query_job` on the build's Oxigraph store (``kg serve --backend oxigraph``).

    Oxigraph parses and evaluates; the rows come back as rdflib terms and are written by
    the same serialisers as on the rdflib route, so both routes answer byte for byte alike
    where their engines agree. A FROM / FROM NAMED IRI names a graph of the store and is
    never fetched; SERVICE is refused.
    """
    from .backend import TooLarge, run
    from .queries import to_term

    try:
        bindings = {name: to_term(view, value) for name, value in (job.get("bindings") or {}).items()}
        dataset = {}
        if job.get("default") or job.get("named"):
            dataset = {"default_graph": job.get("default", []), "named_graphs": job.get("named", [])}
        result = run(view.store, job["text"], bindings, job.get("source", "<query>"), limits.max_rows, **dataset)
    except TooLarge as exc:
        return error_reply(507, f"{exc} (add LIMIT, or raise --max-rows)")
    except KgError as exc:
        return error_reply(400, str(exc))
    except MemoryError:
        return error_reply(507, "result too large: the query ran out of its memory allowance")
    kind = "graph" if result.type in ("CONSTRUCT", "DESCRIBE") else "results"
    fmt = negotiate(kind, job.get("accept"), job.get("formats"))
    if fmt is None:
        return _not_acceptable(kind)
    try:
        body = _serialise(result, kind, fmt)
    except MemoryError:
        return error_reply(507, "result too large: the query ran out of its memory allowance")
    return _ok(kind, fmt, body, limits)


def _on_oxigraph(ds) -> bool:
    return hasattr(ds, "sizes") and hasattr(ds, "store")


def _not_acceptable(kind: str) -> Reply:
    offered = ", ".join(RESULT_TYPES.values()) if kind == "results" else ", ".join(v[0] for v in GRAPH_TYPES.values())
    return error_reply(406, f"no acceptable format for this query; offered: {offered}")


def _serialise(result, kind: str, fmt: str) -> bytes:
    if kind == "results":
        return _serialise_results(result, fmt)
    return result.graph.serialize(format=GRAPH_TYPES[fmt][1], encoding="utf-8")


def _ok(kind: str, fmt: str, body: bytes, limits: Limits) -> Reply:
    if len(body) > limits.max_bytes:
        return error_reply(507, f"result too large: {len(body)} bytes, the cap is {limits.max_bytes} (add LIMIT, or raise --max-bytes)")
    return Reply(200, media_type(kind, fmt), body)


def _serialise_results(result, fmt: str) -> bytes:
    if result.type == "ASK" and fmt in ("csv", "tsv"):
        # No W3C form exists for ASK in CSV/TSV; this is the one Jena and others use.
        return f"_askResult\r\n{'true' if result.askAnswer else 'false'}\r\n".encode()
    if fmt == "tsv":
        return _tsv(result)
    if fmt == "csv":
        return result.serialize(format="csv")
    return result.serialize(format=fmt, encoding="utf-8")


def _tsv(result) -> bytes:
    """SPARQL 1.1 TSV: terms in Turtle syntax, unbound as empty (rdflib's own writer lacks escapes)."""
    lines = ["\t".join(f"?{v}" for v in result.vars)]
    for b in result.bindings:
        cells = []
        for v in result.vars:
            t = b.get(v)
            cells.append("" if t is None else t.n3().replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r"))
        lines.append("\t".join(cells))
    return ("\n".join(lines) + "\n").encode("utf-8")


def run_update_job(ds: Dataset, job: dict) -> Reply:
    """Apply a SPARQL Update; the reply body is the whole new dataset as N-Quads."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql import prepareUpdate

    from .namespace import PREFIXES
    from .queries import _refuse_service

    try:
        update = prepareUpdate(job["text"], initNs=PREFIXES)
    except ParseException as exc:
        return error_reply(400, f"SPARQL Update syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}")
    except Exception as exc:
        return error_reply(400, f"SPARQL Update error: {exc}")
    for op in update.algebra:
        if getattr(op, "name", "") == "Load":
            return error_reply(403, "LOAD is disabled: the server makes no outbound requests")
    try:
        _refuse_service(list(update.algebra))
    except KgError as exc:
        return error_reply(403, str(exc))
    try:
        ds.update(update)
    except Exception as exc:
        return error_reply(400, f"update failed: {type(exc).__name__}: {exc}")
    return Reply(200, "application/n-quads", ds.serialize(format="nquads", encoding="utf-8"))


def _worker_main(conn, ds: Dataset, limits: Limits) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with_parent()
    _close_inherited_fds(conn.fileno())
    _limit_memory(limits.memory)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            if job.get("kind") == "update":
                reply = run_update_job(ds, job)
            else:
                reply = run_query_job(ds, job, limits)
        except MemoryError:
            reply = error_reply(507, "result too large: the query ran out of its memory allowance")
        except Exception as exc:  # pragma: no cover - a bug, reported rather than crashing the worker
            reply = error_reply(500, f"internal error: {type(exc).__name__}: {exc}")
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


def _die_with_parent() -> None:
    """End this worker when the server process is gone, even in the middle of a query.

    (A watchdog thread rather than PR_SET_PDEATHSIG: that signal follows the
    *thread* that forked, and request threads come and go.)
    """
    parent = os.getppid()

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, daemon=True, name="kg-worker-watchdog").start()


def _close_inherited_fds(keep: int) -> None:
    """Drop the copies of the listening socket and of client connections a fork hands over.

    Otherwise a connection the server closes stays open while any worker holds it.
    """
    try:
        fds = [int(n) for n in os.listdir("/proc/self/fd")]
    except OSError:
        return
    for fd in fds:
        if fd > 2 and fd != keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _limit_memory(extra: int) -> None:
    if not extra:
        return
    try:
        import resource

        with open("/proc/self/statm") as fh:
            vm = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = vm + extra
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (OSError, ValueError, ImportError):  # not Linux: no ceiling
        pass


# --- the pool --------------------------------------------------------------------------------


class QueryTimeout(Exception):
    pass


class _Worker:
    def __init__(self, ctx, ds: Dataset, limits: Limits, generation: int):
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, ds, limits), daemon=True, name="kg-query-worker")
        self.proc.start()
        child.close()
        self.conn = parent
        self.generation = generation

    def kill(self) -> None:
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass
        self.proc.join(5)
        self.conn.close()


class Engine:
    """A pool of query workers over one dataset. Thread-safe."""

    def __init__(self, ds: Dataset, limits: Limits | None = None, workers: int = 4, prestart: int | None = None,
                 cache_entries: int = 256, cache_bytes: int = 64 << 20):
        self.limits = limits or Limits()
        # Answers to identical requests, for the current version of the dataset (an update clears it).
        from collections import OrderedDict

        self._cache: OrderedDict[str, Reply] = OrderedDict()
        self._cache_size = 0
        self.cache_entries = max(0, cache_entries)
        self.cache_bytes = cache_bytes
        self.cache_hits = 0
        self.max_workers = max(1, workers)
        self._ctx = multiprocessing.get_context("fork")
        self._ds = ds
        self._generation = 0
        self._idle: list[_Worker] = []
        self._count = 0
        self._cond = threading.Condition()
        self._update_lock = threading.Lock()
        self._closed = False
        for _ in range(min(self.max_workers, 2 if prestart is None else prestart)):
            self._count += 1
            self._idle.append(_Worker(self._ctx, ds, self.limits, 0))

    @property
    def dataset(self) -> Dataset:
        return self._ds

    def _acquire(self, deadline: float) -> _Worker:
        with self._cond:
            while True:
                if self._closed:
                    raise RuntimeError("engine closed")
                while self._idle:
                    w = self._idle.pop()
                    if w.generation == self._generation and w.proc.is_alive():
                        return w
                    self._count -= 1
                    w.kill()
                if self._count < self.max_workers:
                    self._count += 1
                    ds, gen = self._ds, self._generation
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise QueryTimeout("busy")
                self._cond.wait(left)
        try:
            return _Worker(self._ctx, ds, self.limits, gen)
        except BaseException:
            with self._cond:
                self._count -= 1
                self._cond.notify()
            raise

    def _release(self, w: _Worker, healthy: bool) -> None:
        with self._cond:
            if healthy and not self._closed and w.generation == self._generation:
                self._idle.append(w)
            else:
                self._count -= 1
                w.kill()
            self._cond.notify()

    def run(self, job: dict, timeout: float | None = None) -> Reply:
        """Answer *job* from the cache, or run it in a worker (killed past *timeout* seconds)."""
        if job.get("kind") != "query" or not self.cache_entries:
            return self._run(job, timeout)
        import json

        with self._cond:
            key = f"{self._generation}:{json.dumps(job, sort_keys=True)}"
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                return hit
        reply = self._run(job, timeout)
        if reply.status == 200 and len(reply.body) <= self.cache_bytes // 4:
            with self._cond:
                if key.startswith(f"{self._generation}:") and key not in self._cache:
                    self._cache[key] = reply
                    self._cache_size += len(reply.body)
                    while len(self._cache) > self.cache_entries or self._cache_size > self.cache_bytes:
                        _, old = self._cache.popitem(last=False)
                        self._cache_size -= len(old.body)
        return reply

    def _run(self, job: dict, timeout: float | None = None) -> Reply:
        timeout = self.limits.timeout if timeout is None else timeout
        start = time.monotonic()
        try:
            w = self._acquire(start + timeout)
        except QueryTimeout:
            return error_reply(503, f"server busy: no query worker became free within {timeout:g} s")
        healthy = False
        try:
            w.conn.send(job)
            left = timeout - (time.monotonic() - start)
            if not w.conn.poll(max(left, 0)):
                return error_reply(503, f"query timed out after {timeout:g} s and was stopped (raise --timeout, or simplify the query)")
            reply = w.conn.recv()
            healthy = True
            return reply
        except (EOFError, OSError, BrokenPipeError):
            return error_reply(500, "the query worker died (out of memory?); the query was stopped")
        finally:
            self._release(w, healthy)

    def update(self, text: str, timeout: float | None = None) -> Reply:
        """Apply an update in a worker, then serve the new dataset to all later queries."""
        from .build import new_dataset

        with self._update_lock:
            reply = self._run({"kind": "update", "text": text}, timeout)
            if reply.status != 200:
                return reply
            ds = new_dataset()
            ds.parse(data=reply.body, format="nquads")
            with self._cond:
                self._ds = ds
                self._generation += 1
                self._cache.clear()
                self._cache_size = 0
                stale, self._idle = self._idle, []
                self._count -= len(stale)
            for w in stale:
                w.kill()
            return Reply(204, "text/plain; charset=utf-8", b"")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            stale, self._idle = self._idle, []
            self._count -= len(stale)
            self._cond.notify_all()
        for w in stale:
            w.kill()


def graph_counts(ds: Dataset) -> dict[str, int]:
    if _on_oxigraph(ds):
        return dict(ds.sizes[0])
    return {str(g.identifier): len(g) for g in ds.contexts() if len(g)}


def service_description(ds: Dataset, endpoint: str, allow_update: bool) -> Graph:
    """A SPARQL 1.1 Service Description of the endpoint, with its dataset and graph sizes."""
    from rdflib import BNode, Namespace
    from rdflib.namespace import RDF, VOID

    from .namespace import GRAPHS, bind_prefixes

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
    for iri in GRAPHS:
        n = ds.sizes[0].get(str(iri), 0) if _on_oxigraph(ds) else len(ds.graph(iri))
        ng, graph = BNode(), BNode()
        g.add((dataset, SD.namedGraph, ng))
        g.add((ng, RDF.type, SD.NamedGraph))
        g.add((ng, SD.name, iri))
        g.add((ng, SD.graph, graph))
        g.add((graph, RDF.type, SD.Graph))
        g.add((graph, VOID.triples, Literal(n)))
    union = ds.sizes[1] if _on_oxigraph(ds) else len({t for iri in GRAPHS for t in ds.graph(iri)})
    g.add((default, VOID.triples, Literal(union)))
    return g
