"""``kg synth``: a synthetic graph for tests and benchmarks."""

from __future__ import annotations

import sys
from pathlib import Path

from kg.sources.synth import write


def cmd_synth(args) -> int:
    n = write(Path(args.output), args.articles, args.seed)
    print(f"{n} quads ({args.articles} articles, seed {args.seed}) -> {args.output}", file=sys.stderr)
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("synth", help="write a synthetic graph of N articles (N-Quads or TriG) for tests and benchmarks")
    p.add_argument("--articles", type=int, required=True, metavar="N", help="number of synthetic articles (~2,000 triples each)")
    p.add_argument("--seed", type=int, default=0, metavar="S", help="random seed: the same seed gives the same file (default 0)")
    p.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the file to write: FILE.nq is N-Quads, FILE.trig TriG (both keep the named graphs)")
    p.set_defaults(func=cmd_synth)
