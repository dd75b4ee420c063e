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

import json
import multiprocessing
import os
import signal
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from pyparsing import ParseException

from kg.core.errors import KgError
from kg.core.iris import PREFIXES
from kg.serve.negotiation import GRAPH_TYPES, RESULT_TYPES, media_type, negotiate
from kg.sparql import run
from kg.sparql.boundary import inspect
from kg.sparql.labels import to_term
from kg.sparql.results import is_graph, write, write_graph
from kg.store.protocol import TooLarge
from kg.store.rdflib_store import RdflibStore, new_dataset, sparql_engine

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


def run_query_job(store, job: dict, limits: Limits) -> Reply:
    """Check, run and serialise one query on *store* (any backend); every failure becomes a Reply.

    The text passes the one SPARQL boundary (:func:`kg.sparql.run`): SERVICE, LOAD and FROM of
    graphs the build lacks are refused, the protocol's dataset replaces the query's own
    FROM / FROM NAMED (SPARQL 1.1 Protocol §2.1.4), and the rows are written by the one set
    of result writers (:mod:`kg.sparql.results`).
    """

    try:
        bindings = {name: to_term(store, value) for name, value in (job.get("bindings") or {}).items()}
        result = run(store, job["text"], bindings, source=job.get("source", "<query>"),
                     default_graph=job.get("default") or None, named_graphs=job.get("named") or None,
                     max_rows=limits.max_rows)
    except TooLarge as exc:
        return error_reply(507, f"{exc} (add LIMIT, or raise --max-rows)")
    except KgError as exc:
        return error_reply(400, str(exc))
    except MemoryError:
        return error_reply(507, "result too large: the query ran out of its memory allowance")
    kind = "graph" if is_graph(result) else "results"
    fmt = negotiate(kind, job.get("accept"), job.get("formats"))
    if fmt is None:
        offered = ", ".join(RESULT_TYPES.values()) if kind == "results" else ", ".join(v[0] for v in GRAPH_TYPES.values())
        return error_reply(406, f"no acceptable format for this query; offered: {offered}")
    try:
        body = write_graph(result.graph, fmt) if kind == "graph" else write(result, fmt)
    except MemoryError:
        return error_reply(507, "result too large: the query ran out of its memory allowance")
    if len(body) > limits.max_bytes:
        return error_reply(507, f"result too large: {len(body)} bytes, the cap is {limits.max_bytes} "
                                "(add LIMIT, or raise --max-bytes)")
    return Reply(200, media_type(kind, fmt), body)


def run_update_job(store, job: dict) -> Reply:
    """Apply a SPARQL Update (rdflib store only); the reply body is the whole new dataset as N-Quads."""

    ds = store.dataset
    prepareUpdate = sparql_engine().prepareUpdate
    try:
        info = inspect(job["text"])
    except KgError as exc:
        return error_reply(400, str(exc))
    if info.load:
        return error_reply(403, "LOAD is disabled: the server makes no outbound requests")
    if info.service:
        return error_reply(403, "SERVICE is disabled: queries make no outbound requests")

    try:
        update = prepareUpdate(job["text"], initNs=PREFIXES)
    except ParseException as exc:
        return error_reply(400, f"SPARQL Update syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}")
    except Exception as exc:
        return error_reply(400, f"SPARQL Update error: {exc}")
    try:
        ds.update(update)
    except Exception as exc:
        return error_reply(400, f"update failed: {type(exc).__name__}: {exc}")
    return Reply(200, "application/n-quads", ds.serialize(format="nquads", encoding="utf-8"))


def _worker_main(conn, ds, limits: Limits) -> None:
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
    def __init__(self, ctx, ds, limits: Limits, generation: int):
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

    def __init__(self, ds, limits: Limits | None = None, workers: int = 4, prestart: int | None = None,
                 cache_entries: int = 256, cache_bytes: int = 64 << 20):
        self.limits = limits or Limits()
        # Answers to identical requests, for the current version of the dataset (an update clears it).

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
    def dataset(self):
        """The store the workers answer from."""
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

        with self._update_lock:
            reply = self._run({"kind": "update", "text": text}, timeout)
            if reply.status != 200:
                return reply
            ds = new_dataset()
            ds.parse(data=reply.body, format="nquads")
            with self._cond:
                self._ds = RdflibStore(ds)
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
