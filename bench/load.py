"""Load run: N concurrent clients, each sending M competency queries, against `kg serve` and Oxigraph.

    python bench/load.py [--clients 8] [--requests 20] [--build-dir DIR] [--workers 4] [--runaways 5]

The servers run on this machine on free loopback ports, started and stopped by this script:
`kg serve` over the build three times (without its answer cache, so every request is evaluated, and
with it, as it runs by default; and with `--backend oxigraph`, uncached), and
`oxigraph serve --union-default-graph` loaded by `kg push`. Every
client sends the same mix (all competency questions, parameterised ones with their example values
as a VALUES block), each answer is checked against the in-process row count, and the script
prints throughput, p50 / p99 latency and errors per server, and their ratio from the same run.
It exits non-zero if any request failed.

Then the runaway mix, on `kg serve` (rdflib, uncached), `kg serve --backend oxigraph` (uncached) and
the bare Oxigraph (all with a 10 s query timeout): the same clients send the same mix while
`--runaways` more clients each loop on a query that never finishes (a four-way cartesian COUNT),
hanging up after 2 s and sending another. It prints the p99 of the simple queries during it, the
answers refused (503) or failed, and the ratio of the p99 against the bare Oxigraph's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.core.resources import NQUADS_NAME  # noqa: E402
from kg.pipeline.build import load_built  # noqa: E402
from kg.remote.client import Auth, endpoints_for, inject_values, push, with_prefixes  # noqa: E402
from kg.sparql import run  # noqa: E402
from kg.sparql.labels import to_term  # noqa: E402
from kg.sparql.named import named_queries  # noqa: E402
from kg.store.rdflib_store import prepare  # noqa: E402


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"no answer at {url}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(5)


def workload(ds) -> list[tuple[str, str, int]]:
    """(name, query text, expected row count) for every competency question."""
    out = []
    for slug, q in named_queries().items():
        bindings = {k: to_term(ds, v) for k, v in q.params.items()}
        text = with_prefixes(inject_values(q.text, bindings))
        kind = prepare(text, slug).algebra.name
        if kind not in ("SelectQuery", "AskQuery"):
            continue  # graph results: no row count to check
        result = run(ds, q.text, bindings, source=slug)
        expected = 1 if kind == "AskQuery" else len(result.bindings)
        out.append((slug, text, expected))
    return out


def load_run(url: str, queries, clients: int, requests: int, timeout: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        for j in range(requests):
            slug, text, expected = queries[(i + j) % len(queries)]
            req = urllib.request.Request(url, data=text.encode("utf-8"), method="POST", headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
            t0 = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=timeout) as resp:
                    data = json.loads(resp.read())
                ms = (time.perf_counter() - t0) * 1000
                got = 1 if "boolean" in data else len(data["results"]["bindings"])
                problem = None if got == expected else f"{slug}: {got} rows, expected {expected}"
            except Exception as exc:  # any failure counts as an error
                ms = (time.perf_counter() - t0) * 1000
                problem = f"{slug}: {type(exc).__name__}: {exc}"
            with lock:
                latencies.append(ms)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    return {
        "requests": len(lat),
        "seconds": wall,
        "throughput": len(lat) / wall if wall else 0.0,
        "p50": statistics.median(lat),
        "p99": lat[min(len(lat) - 1, max(0, int(round(0.99 * len(lat))) - 1))],
        "errors": len(errors),
        "error_samples": errors[:5],
    }


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } # runaway %d-%d"


def runaway_run(url: str, queries, clients: int, requests: int, timeout: float, runaways: int) -> dict:
    """load_run while *runaways* clients loop on never-ending queries, each hanging up after 2 s."""
    stop_event = threading.Event()
    sent = [0]

    def attacker(i: int) -> None:
        n = 0
        while not stop_event.is_set():
            n += 1
            req = urllib.request.Request(url, data=(RUNAWAY % (i, n)).encode(), method="POST", headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
            try:
                with urllib.request.urlopen(req, timeout=2) as resp:
                    resp.read()
            except Exception:  # a timeout (we hang up) or a refusal: both expected
                pass
            sent[0] += 1

    threads = [threading.Thread(target=attacker, args=(i,), daemon=True) for i in range(runaways)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # the runaways hold the workers now
    try:
        result = load_run(url, queries, clients, requests, timeout)
    finally:
        stop_event.set()
        for t in threads:
            t.join(5)
    result["runaways_sent"] = sent[0]
    return result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=20, help="queries per client")
    ap.add_argument("--build-dir", help="a `kg build` output (default: build one in a temporary folder)")
    ap.add_argument("--workers", type=int, default=4, help="kg serve --workers")
    ap.add_argument("--timeout", type=float, default=60.0, help="client timeout per request, seconds")
    ap.add_argument("--runaways", type=int, default=5, help="runaway clients in the runaway mix (0: skip it)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    procs = []
    try:
        if args.build_dir:
            bdir = Path(args.build_dir)
        else:
            bdir = tmp / "build"
            subprocess.run([sys.executable, "-m", "kg", "build", "--build-dir", str(bdir)], cwd=ROOT, check=True,
                           stdout=subprocess.DEVNULL)
        if not (bdir / NQUADS_NAME).is_file():
            raise SystemExit(f"no build in {bdir}")
        ds = load_built(bdir)
        queries = workload(ds)

        def start_kg(name: str, *extra: str) -> str:
            port_file = tmp / f"port-{name}"
            kg = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--build-dir", str(bdir), "--port", "0",
                                   "--port-file", str(port_file), "--workers", str(args.workers), *extra],
                                  cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(kg)
            deadline = time.monotonic() + 60
            while not (port_file.exists() and port_file.read_text().strip()):
                if kg.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("kg serve did not start")
                time.sleep(0.05)
            url = f"http://127.0.0.1:{int(port_file.read_text())}/sparql"
            wait_http(url.replace("/sparql", "/status"), kg)
            return url

        kg_url = start_kg("nocache", "--cache-entries", "0")
        kg_cached_url = start_kg("cache")
        kg_ox_url = start_kg("oxigraph-nocache", "--cache-entries", "0", "--backend", "oxigraph")

        exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
        if not exe:
            raise SystemExit("oxigraph is not installed (pip install oxigraph)")
        oport = free_port()
        ox = subprocess.Popen([exe, "serve", "--location", str(tmp / "oxigraph"), "--bind", f"127.0.0.1:{oport}",
                               "--union-default-graph", "--timeout-s", "10"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(ox)
        ox_url = f"http://127.0.0.1:{oport}/query"
        wait_http(ox_url + "?query=ASK%7B%7D", ox)
        push(ds, endpoints_for(ox_url), Auth())

        print(f"{len(queries)} competency queries; {args.clients} clients x {args.requests} requests each; "
              f"kg serve --workers {args.workers}; machine: {os.cpu_count()} CPUs")
        results = {}
        servers = (("kg serve", kg_url), ("kg cached", kg_cached_url), ("kg ox", kg_ox_url), ("oxigraph", ox_url))
        for name, url in servers:
            load_run(url, queries, 1, len(queries), args.timeout)  # warm-up: each query once
            results[name] = load_run(url, queries, args.clients, args.requests, args.timeout)
        print(f"{'server':<10} {'requests':>8} {'seconds':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>9} {'errors':>6}")
        for name, r in results.items():
            print(f"{name:<10} {r['requests']:>8} {r['seconds']:>8.2f} {r['throughput']:>8.1f} {r['p50']:>8.1f} "
                  f"{r['p99']:>9.1f} {r['errors']:>6}")
            for e in r["error_samples"]:
                print(f"    error: {e}")
        o = results["oxigraph"]
        for name in ("kg serve", "kg cached", "kg ox"):
            k = results[name]
            print(f"ratio oxigraph / {name}: throughput x{o['throughput'] / k['throughput']:.1f}, "
                  f"p50 latency x{k['p50'] / o['p50']:.1f} lower, p99 x{k['p99'] / o['p99']:.1f} lower")
        print("(kg serve: --cache-entries 0, every request evaluated by rdflib; kg cached: the default answer cache; "
              "kg ox: --backend oxigraph --cache-entries 0, every request evaluated by Oxigraph in a worker)")
        failed = any(r["errors"] for r in results.values())
        if args.runaways:
            print(f"runaway mix: {args.runaways} runaway clients (each hangs up after 2 s and sends another) "
                  f"among {args.clients} clients x {args.requests} simple requests; query timeout 10 s everywhere")
            mixed = {}
            for name, url in (("kg serve", kg_url), ("kg ox", kg_ox_url), ("oxigraph", ox_url)):
                mixed[name] = runaway_run(url, queries, args.clients, args.requests, args.timeout, args.runaways)
            print(f"{'server':<10} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>9} {'errors':>6} {'runaways':>8}")
            for name, r in mixed.items():
                print(f"{name:<10} {r['requests']:>8} {r['throughput']:>8.1f} {r['p50']:>8.1f} {r['p99']:>9.1f} "
                      f"{r['errors']:>6} {r['runaways_sent']:>8}")
                for e in r["error_samples"]:
                    print(f"    error: {e}")
            o = mixed["oxigraph"]
            for name in ("kg serve", "kg ox"):
                k = mixed[name]
                print(f"runaway mix, p99 of the simple queries: {name} {k['p99']:.1f} ms, oxigraph {o['p99']:.1f} ms, "
                      f"ratio x{k['p99'] / o['p99']:.1f}; unloaded p99 {results[name]['p99']:.1f} ms "
                      f"(x{k['p99'] / results[name]['p99']:.1f} under runaways)")
            results["runaway mix"] = mixed
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
        return 1 if failed else 0
    finally:
        for p in procs:
            stop(p)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
