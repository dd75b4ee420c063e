"""A cold ``kg query`` against ``python -c "import rdflib"``, each in fresh processes.

    .venv/bin/python bench/cold_query.py [--runs 20] [--build-dir DIR]

Builds the article first if DIR has no build (not timed), then alternates the two commands
RUNS times and prints the median wall time of each and their ratio (target: at most 2).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERY = "who-risks-caatsa-for-s400"


def _wall(cmd: list[str], env: dict) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    return wall


def measure(runs: int = 20, build_dir: Path | None = None, backend: str | None = None) -> dict:
    """Median seconds of a cold ``kg query`` and of ``import rdflib``, and their ratio."""
    kg = str(Path(sys.executable).with_name("kg"))
    tmp = None
    if build_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="kg-cold-")
        build_dir = Path(tmp.name)
    env = {**os.environ, "KG_PROGRESS": "0", "KG_BUILD_DIR": str(build_dir)}
    if not (Path(build_dir) / "defence-kg.nq").is_file():
        subprocess.run([kg, "build"], check=True, capture_output=True, env=env)
    query = [kg, "query", QUERY] + (["--backend", backend] if backend else [])
    baseline = [sys.executable, "-c", "import rdflib"]
    _wall(query, env), _wall(baseline, env)  # warm the file cache
    q, b = [], []
    for _ in range(runs):
        q.append(_wall(query, env))
        b.append(_wall(baseline, env))
    if tmp is not None:
        tmp.cleanup()
    out = {"query": statistics.median(q), "import_rdflib": statistics.median(b), "runs": runs,
           "route": backend or "default"}
    out["ratio"] = out["query"] / out["import_rdflib"]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--build-dir", type=Path, default=None, help="a built folder (default: build the article in a temporary one)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    results = [measure(args.runs, args.build_dir), measure(args.runs, args.build_dir, "rdflib")]
    if args.json:
        print(json.dumps(results))
        return 0
    for r in results:
        print(f"kg query {QUERY} ({r['route']} route): {r['query'] * 1000:.0f} ms; "
              f"import rdflib: {r['import_rdflib'] * 1000:.0f} ms; ratio {r['ratio']:.2f} (target <= 2; median of {r['runs']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
