"""``kg push``: load the built graph into a SPARQL 1.1 store."""

from __future__ import annotations

from kg.cli.options import add_auth_options
from kg.core.errors import KgError
from kg.remote.client import STORES, Auth, endpoints_for, push, select_graphs


def cmd_push(args) -> int:
    import sys

    from kg.cli.options import build_dir_of, engine_for, notice
    from kg.pipeline.build import get_dataset

    endpoints = endpoints_for(args.endpoint, args.store, args.update_endpoint, args.graph_store)
    auth = Auth.from_options(args.auth, args.user, args.password, args.token)
    ds = get_dataset(build_dir_of(args), engine_for(args), notice)
    if args.batch_size < 1:
        raise KgError("--batch-size must be positive")
    report = push(ds, endpoints, auth, select_graphs(args.graph, ds), batch_size=args.batch_size,
                  timeout=args.timeout, use_gsp=not args.no_graph_store,
                  progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(report.summary())
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("push", parents=[common], help="load the built graph into a SPARQL 1.1 store (Graph Store PUT)")
    p.add_argument("--endpoint", required=True, metavar="URL", help="the store's SPARQL query endpoint")
    p.add_argument("--graph", action="append", metavar="IRI",
                   help="push only this graph of the build (IRI, or ontology/asserted/provenance/inferred/source/SLUG; repeatable; default all)")
    p.add_argument("--store", choices=STORES, default="auto", help="the store's URL layout (default: guessed from the URL)")
    p.add_argument("--update-endpoint", metavar="URL", help="SPARQL Update URL (default: from --store)")
    p.add_argument("--graph-store", metavar="URL", help="Graph Store Protocol URL (default: from --store)")
    p.add_argument("--no-graph-store", action="store_true", help="use SPARQL Update even if the store has the Graph Store Protocol")
    p.add_argument("--batch-size", type=int, default=2000, help="triples per INSERT DATA when using SPARQL Update (default 2000)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each request (default 120)")
    add_auth_options(p)
    p.set_defaults(func=cmd_push)
