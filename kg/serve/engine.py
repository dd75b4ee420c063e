"""The query engine behind ``kg serve``: killable worker processes over the built dataset.

rdflib evaluates SPARQL in pure Python, and a Python thread cannot be stopped
from outside. So every query runs in a *worker process* forked from the server
(the dataset is shared copy-on-write, nothing is reloaded). A query may run
``timeout`` seconds (time spent waiting for a worker is not counted); past that
the server kills the worker with SIGKILL, which really ends the work, and forks
a fresh one. It does the same at once when the client hangs up.

Fairness: the wait for a worker is bounded (``queue_timeout`` seconds, ``max_queue``
waiting requests; then 503 with ``Retry-After``), and with two workers or more one
is a *fast lane* kept for cheap queries: a query runs there only when the others
are all busy, and only for ``fast_timeout`` seconds, after which it is stopped,
remembered as slow and queued again, at the head of the queue, for a general worker. Runaways therefore hold
at most the general workers, and a simple query is answered within about
``fast_timeout`` even while more runaways than workers run (see :class:`Engine`).

A worker also enforces the result caps (rows or triples, and bytes) and a
memory ceiling (``RLIMIT_AS``), so a runaway query ends with a clear error
instead of taking the machine down.

Everything a worker sends back is a :class:`Reply`: an HTTP status, a content
type and a body, ready to be written to the client.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import select
import signal
import socket
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from multiprocessing.connection import wait as mp_wait

from pyparsing import ParseException
from rdflib import Dataset

from kg.core.errors import KgError
from kg.core.iris import PREFIXES
from kg.serve.negotiation import GRAPH_TYPES, RESULT_TYPES, media_type, negotiate
from kg.sparql import run
from kg.sparql.boundary import inspect, shape
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
    timeout: float = 10.0          # seconds a query may run (its time in the queue not counted)
    max_rows: int = 100_000        # result rows (SELECT) or triples (CONSTRUCT/DESCRIBE)
    max_bytes: int = 64 << 20      # serialised result size
    memory: int = 2 << 30          # extra address space a worker may take (bytes)
    queue_timeout: float = 10.0    # seconds a request may wait for a worker before a 503
    max_queue: int = 64            # requests waiting for a worker at most (0: no bound)
    fast_timeout: float = 0.5      # seconds a query may run on the reserved worker (0: no fast lane)
    demote_after: float = 1.0      # seconds after which a running query gets the lowest CPU priority (0: never)


# --- what a worker does ----------------------------------------------------------------------


_AS_OF: OrderedDict = OrderedDict()  # (store, day) -> the store as of that day, a few per worker


def _as_of_store(store, day: str):
    """*store* as of *day* (:func:`kg.pipeline.asof.as_of`), kept for the next requests of that day."""
    from kg.pipeline.asof import as_of

    key = (store, day)  # the store itself, not its id: an id can be reused after an update
    if key not in _AS_OF:
        _AS_OF[key] = as_of(store, day)
        while len(_AS_OF) > 4:
            _AS_OF.popitem(last=False)
    _AS_OF.move_to_end(key)
    return _AS_OF[key]


def run_query_job(store, job: dict, limits: Limits) -> Reply:
    """Check, run and serialise one query on *store* (any backend); every failure becomes a Reply.

    The text passes the one SPARQL boundary (:func:`kg.sparql.run`): SERVICE, LOAD and FROM of
    graphs the build lacks are refused, the protocol's dataset replaces the query's own
    FROM / FROM NAMED (SPARQL 1.1 Protocol §2.1.4), and the rows are written by the one set
    of result writers (:mod:`kg.sparql.results`).
    """

    try:
        if job.get("as_of"):
            store = _as_of_store(store, job["as_of"])
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
    """Apply a SPARQL Update (rdflib store only); the reply body is the whole new dataset as N-Quads.

    The served dataset's default graph is the union of its graphs (``default_union``), which
    rdflib's update evaluator cannot write to. So, as Jena and Oxigraph do with a union default
    graph: every WHERE clause reads the union, as queries do, while everything an update writes
    or removes *without* ``GRAPH`` (INSERT DATA, DELETE DATA, DELETE WHERE, the templates of
    DELETE/INSERT, and ``DEFAULT`` in CLEAR, DROP, ADD, MOVE, COPY) acts on the stored default
    graph, the one graph of the union that belongs to no name. CREATE GRAPH (which rdflib lacks)
    is a no-op for an empty graph, an error for one with triples (unless SILENT).
    """

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
        apply_update(ds, update)
    except Exception as exc:
        return error_reply(400, f"update failed: {type(exc).__name__}: {exc}")
    return Reply(200, "application/n-quads", ds.serialize(format="nquads", encoding="utf-8"))


class _UpdateView(Dataset):
    """The served dataset as rdflib's update evaluator sees it: reads see the union of the graphs;
    triples added or removed without a graph go to the stored default graph."""

    def __iadd__(self, other):
        self.default_context.addN((s, p, o, self.default_context) for s, p, o in other)
        return self

    def __isub__(self, other):
        for triple in other:
            self.default_context.remove(triple)
        return self


def apply_update(ds: Dataset, update) -> None:
    """Apply a prepared rdflib *update* to *ds* (a default-union Dataset), operation by operation."""
    from rdflib.plugins.sparql.sparql import Update
    from rdflib.plugins.sparql.update import evalUpdate

    view = _UpdateView(store=ds.store, default_union=True)
    default = ds.default_context.identifier
    for op in update.algebra:
        if op.name == "Create":
            if len(ds.graph(op.graphiri)) and not op.silent:
                raise KgError(f"graph <{op.graphiri}> already exists (CREATE SILENT ignores that)")
            continue
        if op.name in ("Clear", "Drop") and op.graphiri == "DEFAULT":
            op.graphiri = default
        elif op.name in ("Add", "Move", "Copy"):
            op.graph = [default if g == "DEFAULT" else g for g in op.graph]
        evalUpdate(view, Update(update.prologue, [op]))


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
            elif job.get("kind") == "page":
                from kg.serve.dereference import run_page_job

                reply = Reply(*run_page_job(ds, job))
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


class Busy(Exception):
    """No worker for this request: the queue is full, or the wait for a worker ran out."""


class ClientGone(Exception):
    """The client hung up while its request waited or ran."""


def client_gone(sock) -> bool:
    """True if *sock* (a client connection) has been closed by the client (EOF or reset).

    A client that half-closes its side (``shutdown(SHUT_WR)``) looks the same, and is taken for
    gone, as proxies do (nginx: "client prematurely closed connection"). Bytes of a pipelined
    next request are not a hang-up.
    """
    try:
        ready, _, _ = select.select([sock], [], [], 0)
        if not ready:
            return False
        return sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except (OSError, ValueError):
        return True


class _Worker:
    def __init__(self, ctx, ds, limits: Limits, generation: int):
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, ds, limits), daemon=True, name="kg-query-worker")
        self.proc.start()
        child.close()
        self.conn = parent
        self.generation = generation
        self._kill_lock = threading.Lock()
        self._killed = False

    def kill(self) -> None:
        """Stop the worker and close its pipe, once, whichever thread asks first.

        ``Engine.close`` and a request thread may both kill a running worker; closing one pipe
        twice is EBADF at best, and at worst closes a descriptor another thread has just opened.
        """
        with self._kill_lock:
            if self._killed:
                return
            self._killed = True
        try:
            os.kill(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, TypeError):
            pass
        self.proc.join(5)
        self.conn.close()


_GENERAL, _FAST = "general", "fast"


class _Ticket:
    """A request waiting for a lane; the lane is set, and the event, when one is handed to it."""

    __slots__ = ("event", "fast_ok", "lane")

    def __init__(self, fast_ok: bool):
        self.fast_ok = fast_ok
        self.lane: str | None = None
        self.event = threading.Event()


class Engine:
    """A pool of query workers over one dataset, with a queue in front of it. Thread-safe.

    Fairness (the same for every route and both backends):

    * ``limits.timeout`` counts execution only: it starts when a worker takes the job. Waiting
      for a worker has its own bounds, ``limits.queue_timeout`` seconds and ``limits.max_queue``
      waiting requests; past either the answer is a 503 with ``Retry-After``.
    * A client that hangs up is noticed at once (its socket is watched alongside the worker's
      pipe, and polled while it waits in the queue): its worker is killed, or it leaves the queue.
    * The fast lane: with two workers or more, one is reserved. A query takes it only when every
      other worker is busy, and there it may run ``limits.fast_timeout`` seconds; a query that
      needs longer is stopped, remembered as slow (its text never takes the fast lane again) and
      queued again, at the head of the queue, for a general worker with its full ``timeout``. So runaway queries, however
      many, hold at most the general workers, and a cheap query is answered within about
      ``fast_timeout`` seconds even while N+1 runaways run. Cached answers need no worker at all.
    """

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
        fast = 1 if self.max_workers >= 2 and self.limits.fast_timeout > 0 else 0
        self._slots = {_GENERAL: self.max_workers - fast, _FAST: fast}
        self._busy = {_GENERAL: 0, _FAST: 0}
        self._queue: list[_Ticket] = []         # the requests waiting for a worker, oldest first
        self._slow: OrderedDict[str, None] = OrderedDict()  # query texts that overran the fast lane
        self._ctx = multiprocessing.get_context("fork")
        self._ds = ds
        self._generation = 0
        self._idle: list[_Worker] = []
        self._running: set[_Worker] = set()   # workers with a query in hand (killed by close())
        self._cond = threading.Condition()
        self._update_lock = threading.Lock()
        self._closed = False
        for _ in range(min(self.max_workers, 2 if prestart is None else prestart)):
            self._idle.append(_Worker(self._ctx, ds, self.limits, 0))

    @property
    def dataset(self):
        """The store the workers answer from."""
        return self._ds

    def stats(self) -> dict:
        with self._cond:
            return {"workers": self.max_workers, "fast_lane": bool(self._slots[_FAST]),
                    "busy": self._busy[_GENERAL] + self._busy[_FAST], "queued": len(self._queue)}

    # --- slots: which lane a request runs in ---

    def _dispatch(self) -> None:
        """Hand every free lane to the request entitled to it (the caller holds ``_cond``).

        A general worker goes to the oldest waiting request, the fast lane to the oldest one that
        may take it. The lane is handed over directly and only its new holder is woken, so a
        freed worker wakes one thread, not every waiting one.
        """
        queue = self._queue
        while queue and self._busy[_GENERAL] < self._slots[_GENERAL]:
            self._grant(queue.pop(0), _GENERAL)
        while self._busy[_FAST] < self._slots[_FAST]:
            ticket = next((t for t in queue if t.fast_ok), None)
            if ticket is None:
                break
            queue.remove(ticket)
            self._grant(ticket, _FAST)

    def _grant(self, ticket: _Ticket, lane: str) -> None:
        self._busy[lane] += 1
        ticket.lane = lane
        ticket.event.set()

    def _acquire(self, fast_ok: bool, client, again: bool = False) -> str:
        """Wait for a lane (general, or the fast one if *fast_ok*); raises Busy or ClientGone.

        *again*: the request already waited its turn and ran on the fast lane past its budget; it
        goes to the head of the queue, not the back, so that it does not wait its turn twice.
        """
        limits = self.limits
        ticket = _Ticket(fast_ok)
        deadline = time.monotonic() + limits.queue_timeout
        with self._cond:
            if self._closed:
                raise Busy("the server is stopping")
            if again:
                self._queue.insert(0, ticket)
            else:
                self._queue.append(ticket)
            self._dispatch()
            if ticket.lane is not None:
                return ticket.lane
            if limits.max_queue and len(self._queue) > limits.max_queue and not again:
                self._queue.remove(ticket)
                raise Busy(f"{len(self._queue)} requests are already waiting for a query worker")
        while True:
            left = deadline - time.monotonic()
            ticket.event.wait(max(0.0, min(left, 0.1) if client is not None else left))
            gone = ticket.lane is None and client is not None and client_gone(client)
            with self._cond:
                if ticket.lane is not None:
                    return ticket.lane
                if self._closed or gone or time.monotonic() >= deadline:
                    self._queue.remove(ticket)
                    if self._closed:
                        raise Busy("the server is stopping")
                    if gone:
                        raise ClientGone()
                    raise Busy(f"no query worker became free within {limits.queue_timeout:g} s")

    def _worker(self) -> _Worker:
        """An idle worker of the current dataset, or a new one (the caller holds a lane)."""
        with self._cond:
            while self._idle:
                w = self._idle.pop()
                if w.generation == self._generation and w.proc.is_alive():
                    return w
                w.kill()
            ds, gen = self._ds, self._generation
        return _Worker(self._ctx, ds, self.limits, gen)

    def _release(self, lane: str, w: _Worker | None, healthy: bool) -> None:
        with self._cond:
            self._busy[lane] -= 1
            self._running.discard(w)
            if w is not None and healthy and not self._closed and w.generation == self._generation:
                self._idle.append(w)
                w = None
            self._dispatch()
        if w is not None:
            w.kill()

    # --- running ---

    def run(self, job: dict, timeout: float | None = None, client=None) -> Reply:
        """Answer *job* from the cache, or run it in a worker (killed past *timeout* seconds of
        execution, or as soon as *client*, the request's socket, is closed)."""
        if job.get("kind") not in ("query", "page") or not self.cache_entries:
            return self._run(job, timeout, client)

        with self._cond:
            key = f"{self._generation}:{json.dumps(job, sort_keys=True)}"
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.cache_hits += 1
                return hit
        reply = self._run(job, timeout, client)
        if reply.status == 200 and len(reply.body) <= self.cache_bytes // 4:
            with self._cond:
                if key.startswith(f"{self._generation}:") and key not in self._cache:
                    self._cache[key] = reply
                    self._cache_size += len(reply.body)
                    while len(self._cache) > self.cache_entries or self._cache_size > self.cache_bytes:
                        _, old = self._cache.popitem(last=False)
                        self._cache_size -= len(old.body)
        return reply

    def _busy_reply(self, why: str) -> Reply:
        retry = max(1, math.ceil(min(self.limits.timeout, 30)))
        return Reply(503, "text/plain; charset=utf-8", f"kg serve: server busy: {why}; retry in {retry} s\n".encode(),
                     {"Retry-After": str(retry)})

    def _run(self, job: dict, timeout: float | None = None, client=None) -> Reply:
        timeout = self.limits.timeout if timeout is None else timeout
        slow_key = shape(job["text"]) if "text" in job else json.dumps(job, sort_keys=True)
        with self._cond:
            fast_ok = job.get("kind") in ("query", "page") and slow_key not in self._slow
        again = False
        while True:
            try:
                lane = self._acquire(fast_ok, client, again)
            except Busy as exc:
                return self._busy_reply(str(exc))
            except ClientGone:
                return _gone_reply()
            budget = min(timeout, self.limits.fast_timeout) if lane == _FAST else timeout
            reply = self._execute(lane, job, budget, client)
            if reply is not None:
                return reply
            if budget >= timeout:
                return error_reply(503, f"query timed out after {timeout:g} s and was stopped "
                                        "(raise --timeout, or simplify the query)")
            with self._cond:  # overran the fast lane: a general worker, with the full timeout
                self._slow[slow_key] = None
                while len(self._slow) > 1024:
                    self._slow.popitem(last=False)
            fast_ok, again = False, True

    def _execute(self, lane: str, job: dict, budget: float, client) -> Reply | None:
        """Run *job* on a worker for at most *budget* seconds; None if it ran out of time."""
        w = None
        healthy = demoted = False
        try:
            w = self._worker()
            with self._cond:
                if self._closed:
                    return self._busy_reply("the server is stopping")
                self._running.add(w)
            w.conn.send(job)
            start = time.monotonic()
            deadline = start + budget
            demote = start + self.limits.demote_after if self.limits.demote_after else None
            watch = [w.conn] + ([client] if client is not None else [])
            while True:
                now = time.monotonic()
                if demote is not None and now >= demote:
                    demote = None
                    demoted = _demote(w)
                left = deadline - now
                wait = min(left, demote - now) if demote is not None else left
                ready = mp_wait(watch, max(wait, 0)) if left > 0 else []
                if w.conn in ready:
                    reply = w.conn.recv()
                    # an update's worker holds its changed copy; a demoted one, its low priority
                    healthy = job.get("kind") != "update" and (not demoted or _restore(w))
                    return reply
                if not ready:
                    if time.monotonic() >= deadline:
                        return None
                    continue
                if client_gone(client):
                    return _gone_reply()
                watch = [w.conn]  # a pipelined request's bytes: stop watching the socket
        except (EOFError, OSError):
            if self._closed:
                return self._busy_reply("the server is stopping")
            return error_reply(500, "the query worker died (out of memory?); the query was stopped")
        finally:
            self._release(lane, w, healthy)

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
            for w in stale:
                w.kill()
            return Reply(204, "text/plain; charset=utf-8", b"")

    def close(self) -> None:
        with self._cond:
            self._closed = True
            stale, self._idle = self._idle + list(self._running), []
            for ticket in self._queue:
                ticket.event.set()
        for w in stale:  # queries still running are stopped too: their requests get a 500
            w.kill()


def _demote(w: _Worker) -> bool:
    """Lower the CPU priority of *w*, a worker whose query has run past the fast lane's budget.

    The kernel then gives the cheap queries (the fast lane, the server's own threads) the CPU
    first, as a multilevel feedback scheduler does: a long query still runs, on what they leave.
    After its query the priority is raised back where the system allows it (:func:`_restore`);
    otherwise the worker is retired. True if the priority was lowered.
    """
    try:
        os.setpriority(os.PRIO_PROCESS, w.proc.pid, 19)
        return True
    except (OSError, AttributeError, TypeError):  # gone already, or not a POSIX system
        return False


def _restore(w: _Worker) -> bool:
    """Give a demoted worker the server's own priority back; False if not allowed (an unprivileged
    process may not raise a priority), and then the worker is retired."""
    try:
        os.setpriority(os.PRIO_PROCESS, w.proc.pid, os.getpriority(os.PRIO_PROCESS, 0))
        return True
    except (OSError, AttributeError, TypeError):
        return False


def _gone_reply() -> Reply:
    return error_reply(499, "the client closed the connection; its query was stopped")
