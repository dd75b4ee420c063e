"""One benchmark step in a fresh process: ``python bench/step.py BACKEND STEP INPUT WORKDIR``.

Each step is one stage of the build itself (:mod:`kg.pipeline.build`: load, reason, check,
write) or the competency queries, on the backend's store. Prints one JSON line: the step's
own time in seconds (``seconds``), the process's peak resident memory in MB (``rss_mb``),
and for the query step the latencies of every competency query. Steps of the oxigraph
backend share an on-disk store in WORKDIR; steps of the rdflib reference re-read what they
need (the input, and the inferred graph the reason step saved), and only the step itself
is timed.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

STEPS = ("parse", "reason", "validate", "write", "query")


def _rss_mb() -> float:
    """This process's own peak resident memory in MB.

    Linux keeps ``ru_maxrss`` across ``exec``: a step started by bench/run.py reported the
    parent's peak when it was the larger (at 10M the parent's 2.7 GB, from counting the input's
    distinct lines, stood for every step's). ``VmHWM`` is the peak of this process's own memory.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _query_plan():
    """Every competency query with the bindings its header declares, as (slug, text, {name: value})."""
    from kg.sparql.named import named_queries

    return [(slug, q.text, q.params) for slug, q in named_queries().items()]


def _latencies(run_once, repeats: int) -> dict:
    out = {}
    for slug, text, params in _query_plan():
        times, rows = [], None
        for _ in range(repeats):
            t = time.perf_counter()
            rows = run_once(text, params)
            times.append(time.perf_counter() - t)
        out[slug] = {"times": times, "rows": rows}
    return out


# --- the build's own stages (kg.pipeline.build), one per process ---------------------------


def _open(backend: str, step: str, source: Path, work: Path):
    """The store a step starts from: Oxigraph's on disk in WORKDIR (shared by the steps); for
    the rdflib reference, the input and the inferred graph the reason step saved, re-read."""
    from kg.pipeline import build as pipeline
    from kg.store import create
    from kg.store.oxigraph import OxigraphStore

    if backend == "oxigraph":
        return create("oxigraph", work / "store") if step == "parse" else OxigraphStore.open(work / "store")
    store = create("rdflib")
    if step != "parse":
        pipeline.load(store, source)
        inferred = work / "inferred.nt"
        if step != "reason" and inferred.is_file():
            from rdflib import Graph

            from kg.core.iris import GRAPH_INFERRED

            store.add_graph(GRAPH_INFERRED, Graph().parse(inferred, format="nt"))
    return store


def stage(backend: str, step: str, source: Path, work: Path, repeats: int) -> dict:
    from kg.pipeline import build as pipeline

    store = _open(backend, step, source, work)
    from kg.store import default_engine

    engine = default_engine(backend)
    t = time.perf_counter()
    if step == "parse":
        pipeline.load(store, source)
        store.flush()
        return {"seconds": time.perf_counter() - t}
    if step == "reason":
        n = pipeline.reason(store, engine)
        seconds = time.perf_counter() - t
        store.flush()
        if backend == "rdflib":  # the next steps of the reference re-read it
            from kg.core.iris import GRAPH_INFERRED

            store.graph(GRAPH_INFERRED).serialize(work / "inferred.nt", format="nt")
        return {"seconds": seconds, "inferred": n}
    if step == "validate":
        found = pipeline.check(store)
        return {"seconds": time.perf_counter() - t, "violations": len(found)}
    if step == "write":
        result = pipeline.BuildResult(store, backend, engine, source)
        pipeline.write_outputs(result, work / "out")
        return {"seconds": time.perf_counter() - t}
    if step == "query":
        from kg.sparql import run
        from kg.sparql.labels import to_term

        def run_once(text, params):
            bindings = {k: to_term(store, v) for k, v in params.items()}
            return len(list(run(store, text, bindings)))

        return {"queries": _latencies(run_once, repeats)}
    raise SystemExit(f"unknown step {step}")


def main(argv: list[str]) -> int:
    backend_name, step, source, work = argv[:4]
    repeats = int(argv[4]) if len(argv) > 4 else 5
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    out = stage(backend_name, step, Path(source), work, repeats)
    out["rss_mb"] = _rss_mb()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
