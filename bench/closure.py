"""The native materialiser against owlrl on synthetic graphs, up to the largest size owlrl finishes.

    .venv/bin/python bench/closure.py [--sizes 10k,100k,1M,10M] [--timeout 600]

For each size (the same synthetic graphs as bench/run.py: ``kg synth``, seed 0) a fresh
process loads the ontology and the asserted graph into rdflib, computes the OWL 2 RL closure
with owlrl and with the native materialiser (``kg.reasoning.expand``, owlrl's axiomatic noise
left aside as everywhere), and compares the two sets of inferred triples. It prints, per size,
both times, the number of inferred triples, and the triples only one engine derives (none,
when they agree). A size where owlrl does not finish within ``--timeout`` seconds is reported
as such and no larger size is tried. Exit status 1 if any size disagrees.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def compare(source: Path) -> dict:
    """Both closures of the ontology + asserted graph of *source*, and how they differ."""
    from rdflib import Dataset, Graph

    from kg.core.namespace import GRAPH_ASSERTED
    from kg.reasoning import expand
    from kg.sources.ontology import load_ontology

    raw = Dataset()
    raw.parse(source, format="nquads")
    g = Graph()
    for part in (load_ontology(), raw.graph(GRAPH_ASSERTED)):
        for t in part:
            g.add(t)
    out = {"input": len(g)}
    t = time.perf_counter()
    native = set(expand(g, "owl-rl", "native"))
    out["native_s"] = time.perf_counter() - t
    t = time.perf_counter()
    ref = set(expand(g, "owl-rl", "owlrl"))
    out["owlrl_s"] = time.perf_counter() - t
    out["inferred"] = len(ref)
    out["only_owlrl"] = [" ".join(x.n3() for x in t) for t in sorted(ref - native)[:5]]
    out["only_native"] = [" ".join(x.n3() for x in t) for t in sorted(native - ref)[:5]]
    out["n_only_owlrl"], out["n_only_native"] = len(ref - native), len(native - ref)
    return out


def main(argv=None) -> int:
    from run import label, parse_size, synth_file

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10k,100k,1M,10M")
    ap.add_argument("--timeout", type=float, default=600, help="seconds owlrl (with the load) may take per size")
    ap.add_argument("--data", default=os.environ.get("KG_BENCH_DATA", "/tmp/kg-bench"))
    ap.add_argument("--out", default=str(ROOT / "docs" / "closure.md"), help="the Markdown report")
    ap.add_argument("--one", metavar="FILE", help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps(compare(Path(args.one))))
        return 0
    data = Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    status = 0
    lines = ["# The native materialiser against owlrl at scale", "",
             "Reproduce with:", "", "```", f".venv/bin/python bench/closure.py --sizes {args.sizes} "
             f"--timeout {args.timeout:.0f}", "```", "",
             "Synthetic graphs of `kg synth` (seed 0), ontology + asserted graph, closure by each engine in "
             "one fresh process per size; owlrl's axiomatic noise is left aside, as in every comparison "
             "(`kg.reasoning.is_noise`). The tests check the same on the article and on a small synthetic graph.", "",
             "| size | triples in | inferred (owlrl) | owlrl | native | result |", "|---|---|---|---|---|---|"]
    for size in (parse_size(s) for s in args.sizes.split(",")):
        src = synth_file(data, size)
        try:
            proc = subprocess.run([sys.executable, __file__, "--one", str(src)], capture_output=True, text=True,
                                  timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"{label(size):>5}: owlrl did not finish within {args.timeout:.0f} s; larger sizes not tried")
            lines.append(f"| {label(size)} | | | > {args.timeout:.0f} s | | owlrl did not finish; larger sizes not tried |")
            break
        if proc.returncode != 0:
            print(f"{label(size):>5}: failed: {proc.stderr.strip().splitlines()[-1:]}")
            status = 1
            break
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        same = not r["n_only_owlrl"] and not r["n_only_native"]
        status |= 0 if same else 1
        lines.append(f"| {label(size)} | {r['input']:,} | {r['inferred']:,} | {r['owlrl_s']:.1f} s | {r['native_s']:.2f} s | "
                     + ("equal" if same else f"DIFFER ({r['n_only_owlrl']} only owlrl, {r['n_only_native']} only native)")
                     + " |")
        print(f"{label(size):>5}: {r['input']:,} triples in (ontology + asserted), {r['inferred']:,} inferred; "
              f"owlrl {r['owlrl_s']:.1f} s, native {r['native_s']:.2f} s; "
              + ("closures equal" if same else
                 f"DIFFER: {r['n_only_owlrl']} only owlrl {r['only_owlrl']}, {r['n_only_native']} only native {r['only_native']}"),
              flush=True)
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return status


if __name__ == "__main__":
    sys.exit(main())
