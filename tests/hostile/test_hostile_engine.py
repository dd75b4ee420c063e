"""The query engine's fairness, at the level of :class:`kg.serve.engine.Engine` (issue 10, defect 1):
a runaway that changes only its comment, its layout or its variable names is known for what it is,
and a query that runs long gives the CPU to the cheap ones."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from kg.serve.engine import Engine, Limits
from kg.sparql.boundary import shape
from kg.store.rdflib_store import RdflibStore, new_dataset

pytestmark = pytest.mark.hostile

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?o ?q }"


def small_store() -> RdflibStore:
    ds = new_dataset()
    g = ds.graph(URIRef("https://example.org/g"))
    for i in range(40):
        g.add((URIRef(f"https://example.org/s{i}"), URIRef("https://example.org/p"), Literal(i)))
    return RdflibStore(ds)


def job(text: str) -> dict:
    return {"kind": "query", "text": text, "accept": "application/sparql-results+json"}


def in_background(engine: Engine, text: str) -> threading.Thread:
    t = threading.Thread(target=engine.run, args=(job(text),), daemon=True)
    t.start()
    return t


def test_shape_ignores_comments_layout_names_and_values_but_not_structure():
    base = shape("SELECT ?x WHERE { ?x <http://e/p> 'a' . ?y ?z 3 } # one")
    assert shape("select $s where {\n ?s <http://e/p> \"b\".?t ?u 4}#two") == base
    assert shape("SELECT ?x WHERE { ?x <http://e/q> 'a' . ?y ?z 3 }") != base      # another IRI
    assert shape("SELECT ?x WHERE { ?x <http://e/p> 'a' . ?x ?z 3 }") != base      # another join
    assert shape("SELECT ?x WHERE { ?x <http://e/p> 'a' }") != base                 # fewer patterns


def test_a_runaway_with_a_fresh_comment_or_renamed_variables_does_not_take_the_fast_lane_again():
    """The defect: the engine knew overrunning queries by their exact text, so a client that sent
    the same runaway with a new comment each time held the fast lane for its whole budget every time
    (a simple query's p99 was 2.3 s in bench/load.py's runaway mix)."""
    engine = Engine(small_store(), Limits(timeout=30, fast_timeout=1.5), workers=2, cache_entries=0)
    try:
        first = in_background(engine, RUNAWAY + " # 1")            # takes the general worker
        time.sleep(0.5)
        second = in_background(engine, RUNAWAY + " # 2")           # fast lane: overruns, is remembered
        time.sleep(2.0)
        assert engine.stats()["busy"] == 1                          # the fast lane is free again
        third = in_background(engine, RUNAWAY.replace("?a", "?renamed") + " # 3")
        time.sleep(0.3)
        t0 = time.monotonic()
        reply = engine.run(job("ASK { ?s ?p ?o }"))
        took = time.monotonic() - t0
        assert reply.status == 200 and b"true" in reply.body
        assert took < 0.75, f"the simple query waited {took:.2f} s: the renamed runaway took the fast lane"
    finally:
        engine.close()
        for t in (first, second, third):
            t.join(0.1)


def children() -> set[int]:
    pids = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        pids.update(int(c) for c in (task / "children").read_text().split())
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


def niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_a_query_running_past_the_demotion_time_gets_the_lowest_priority_then_its_own_back():
    """A long query's worker gets the lowest CPU priority, so cheap queries run first. Afterwards it
    gets the server's priority back where the system allows that (root may raise a priority) and is
    otherwise retired: no later query runs at the lowest priority."""
    engine = Engine(small_store(), Limits(timeout=60, fast_timeout=0.3, demote_after=0.3), workers=2,
                    cache_entries=0)
    long_query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 64,000 rows: about 2 s
    try:
        assert engine.run(job("ASK {}")).status == 200
        before = children()
        assert before and all(niceness(pid) == niceness(0) for pid in before)
        t = in_background(engine, long_query)
        time.sleep(0.7)
        demoted = [pid for pid in children() if niceness(pid) == 19]
        assert len(demoted) == 1, "the runaway's worker was not demoted"
        t.join(30)
        assert not t.is_alive()
        time.sleep(0.2)
        if os.geteuid() == 0:
            assert demoted[0] in children() and niceness(demoted[0]) == niceness(0)
        else:
            assert demoted[0] not in children(), "the demoted worker was kept for later queries"
        assert engine.run(job("ASK {}")).status == 200
        assert all(niceness(pid) == niceness(0) for pid in children())
    finally:
        engine.close()


def test_a_query_that_overran_the_fast_lane_keeps_its_place_in_the_queue():
    """The defect: a query stopped on the fast lane was queued again at the back, so it waited its
    turn twice; under load (bench/load.py, 50 clients, rdflib without the cache) such queries ran
    past the queue's bound and got 503."""
    engine = Engine(small_store(), Limits(timeout=1.0, fast_timeout=0.3, demote_after=0), workers=2,
                    cache_entries=0)
    finished: dict[str, float] = {}

    def send(name: str, text: str) -> threading.Thread:
        def go():
            engine.run(job(text))
            finished[name] = time.monotonic()
        t = threading.Thread(target=go, daemon=True)
        t.start()
        return t

    other_shape = RUNAWAY.replace("?q }", "?q FILTER(?a != ?q) }")
    try:
        threads = [send("A", RUNAWAY + " # holds the general worker")]
        time.sleep(0.05)
        threads.append(send("P", RUNAWAY + " # overruns the fast lane first"))    # queued at 0.35
        time.sleep(0.35)
        threads.append(send("M", other_shape))      # fast lane 0.4-0.7, then back in the queue
        time.sleep(0.1)
        threads.append(send("B", RUNAWAY + " # known slow: general lane only"))
        for t in threads:
            t.join(10)
        assert set(finished) == {"A", "P", "M", "B"}
        order = sorted(finished, key=finished.get)
        assert order.index("P") < order.index("B") and order.index("M") < order.index("B"), order
        assert order.index("M") < order.index("P"), f"M lost its place in the queue: {order}"
    finally:
        engine.close()


def test_a_worker_killed_by_close_and_by_its_request_at_once_closes_its_pipe_once():
    """The defect: ``Engine.close`` killed the running workers while their request threads killed
    them too; both closed the same pipe, and the second close raised EBADF out of ``close()``
    (CI, 2026-12-02) — or could have closed a descriptor another thread had just opened."""
    engine = Engine(small_store(), Limits(timeout=30), workers=1, prestart=1, cache_entries=0)
    try:
        w = engine._idle[0]
        barrier = threading.Barrier(8)
        errors: list[BaseException] = []

        def kill():
            barrier.wait()
            try:
                w.kill()
            except BaseException as exc:  # noqa: BLE001 - the test reports whatever escaped
                errors.append(exc)

        threads = [threading.Thread(target=kill) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert errors == []
        assert w.conn.closed and not w.proc.is_alive()
    finally:
        engine.close()
