"""One benchmark step in a fresh process: ``python bench/step.py BACKEND STEP INPUT WORKDIR``.

Prints one JSON line: the step's own time in seconds (``seconds``), the process's peak
resident memory in MB (``rss_mb``), and for the query step the latencies of every
competency query. Steps of the oxigraph backend share an on-disk store in WORKDIR; steps
of the rdflib reference re-read what they need (the input, and the inferred graph the
reason step saved), and only the step itself is timed.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

STEPS = ("parse", "reason", "validate", "write", "query")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _query_plan():
    """Every competency query with the bindings its header declares, as (slug, text, {name: value})."""
    from kg.queries import named_queries

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


# --- oxigraph -----------------------------------------------------------------------------


def oxigraph(step: str, source: Path, work: Path, repeats: int) -> dict:
    from kg import backend

    store_path = work / "store"
    if step == "parse":
        store = backend.open_store(store_path, fresh=True)
        t = time.perf_counter()
        backend.load_sources(store, source)
        store.flush()
        return {"seconds": time.perf_counter() - t}
    store = backend.open_store(store_path)
    t = time.perf_counter()
    if step == "reason":
        n = backend.reason(store, "native")
        store.flush()
        return {"seconds": time.perf_counter() - t, "inferred": n}
    if step == "validate":
        found = backend.validate_store(store)
        return {"seconds": time.perf_counter() - t, "violations": len(found)}
    if step == "write":
        result = backend.OxBuildResult(store, "native", source)
        backend.write_outputs(result, work / "out")
        return {"seconds": time.perf_counter() - t}
    if step == "query":
        from kg.queries import to_term

        view = backend.StoreView(store)

        def run_once(text, params):
            bindings = {k: to_term(view, v) for k, v in params.items()}
            return len(list(backend.run(store, text, bindings)))

        return {"queries": _latencies(run_once, repeats)}
    raise SystemExit(f"unknown step {step}")


# --- rdflib + owlrl (the reference) -------------------------------------------------------


def rdflib_ref(step: str, source: Path, work: Path, repeats: int) -> dict:
    from rdflib import Dataset, Graph

    from kg.build import BuildResult, assemble
    from kg.namespace import GRAPH_ASSERTED, GRAPH_PROVENANCE
    from kg.ontology import load_ontology

    def parse():
        raw = Dataset()
        raw.parse(source, format="nquads")
        return load_ontology(), raw.graph(GRAPH_ASSERTED), raw.graph(GRAPH_PROVENANCE)

    inferred_file = work / "inferred.nt"
    if step == "parse":
        t = time.perf_counter()
        parse()
        return {"seconds": time.perf_counter() - t}
    ontology, asserted, provenance = parse()
    if step == "reason":
        from kg.reasoning import expand

        g = Graph()
        for part in (ontology, asserted):
            for x in part:
                g.add(x)
        t = time.perf_counter()
        inferred = expand(g, "owl-rl", "owlrl")
        seconds = time.perf_counter() - t
        work.mkdir(parents=True, exist_ok=True)
        inferred.serialize(inferred_file, format="nt")
        return {"seconds": seconds, "inferred": len(inferred)}
    inferred = Graph()
    if inferred_file.is_file():
        inferred.parse(inferred_file, format="nt")
    ds = assemble(ontology, asserted, provenance, inferred)
    t = time.perf_counter()
    if step == "validate":
        from kg.backend import validate_rdflib

        found = validate_rdflib(ds)
        return {"seconds": time.perf_counter() - t, "violations": len(found)}
    if step == "write":
        from kg.build import write_outputs

        write_outputs(BuildResult(ds, 0.0, "owlrl"), work / "out")
        return {"seconds": time.perf_counter() - t}
    if step == "query":
        from kg.queries import run, to_term

        def run_once(text, params):
            bindings = {k: to_term(ds, v) for k, v in params.items()}
            return len(list(run(ds, text, bindings)))

        return {"queries": _latencies(run_once, repeats)}
    raise SystemExit(f"unknown step {step}")


def main(argv: list[str]) -> int:
    backend_name, step, source, work = argv[:4]
    repeats = int(argv[4]) if len(argv) > 4 else 5
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    fn = oxigraph if backend_name == "oxigraph" else rdflib_ref
    out = fn(step, Path(source), work, repeats)
    out["rss_mb"] = _rss_mb()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
