"""``kg serve``: the SPARQL 1.1 endpoint with its query page."""

from __future__ import annotations

import os
import secrets
import sys

from kg.core.errors import KgError
from kg.serve.engine import Limits
from kg.serve.http import ServeConfig, serve


def cmd_serve(args) -> int:
    from kg.cli.options import build_dir_of, engine_for, notice
    from kg.pipeline.build import serving_store
    from kg.store import store_class

    backend = getattr(args, "backend", None) or "rdflib"
    if args.allow_update and not store_class(backend).updatable:
        raise KgError(f"--allow-update needs the rdflib backend ({backend} serves the build read-only)")
    ds = serving_store(build_dir_of(args), backend, engine_for(args), notice)
    token = args.token or os.environ.get("KG_SERVE_TOKEN")
    if args.allow_update and not token:
        token = secrets.token_urlsafe(24)
        print(f"kg serve: update token (send as 'Authorization: Bearer ...'): {token}", file=sys.stderr)
    if args.port < 0 or args.port > 65535:
        raise KgError(f"--port must be 0..65535, got {args.port}")
    if args.timeout <= 0 or args.workers < 1 or args.max_rows < 0 or args.max_bytes < 0:
        raise KgError("--timeout and --workers must be positive, --max-rows and --max-bytes not negative")
    if args.queue_timeout <= 0 or args.request_timeout <= 0 or args.max_queue < 0 or args.fast_timeout < 0 \
            or args.demote_after < 0:
        raise KgError("--queue-timeout and --request-timeout must be positive, --max-queue, --fast-timeout and "
                      "--demote-after not negative")
    limits = Limits(timeout=args.timeout, max_rows=args.max_rows, max_bytes=args.max_bytes,
                    memory=max(args.memory_mb, 0) << 20, queue_timeout=args.queue_timeout,
                    max_queue=args.max_queue, fast_timeout=args.fast_timeout,
                    demote_after=args.demote_after)
    config = ServeConfig(host=args.host, port=args.port, limits=limits, workers=args.workers,
                         max_request_bytes=args.max_request_bytes, request_timeout=args.request_timeout,
                         allow_update=args.allow_update, token=token,
                         cache_entries=args.cache_entries, cors=args.cors, docs=args.docs)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"kg serve: warning: listening on {args.host}, reachable from other machines", file=sys.stderr)
    serve(ds, config, args.port_file)
    return 0


def register(sub, common) -> None:
    s = sub.add_parser("serve", parents=[common], help="serve the graph as a SPARQL 1.1 endpoint with a query page")
    s.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    s.add_argument("--port-file", metavar="FILE", help="write the port actually bound to FILE")
    s.add_argument("--timeout", type=float, default=10.0,
                   help="seconds a query may run before it is stopped; waiting for a worker is not counted (default 10)")
    s.add_argument("--queue-timeout", type=float, default=10.0,
                   help="seconds a request may wait for a free worker, then 503 with Retry-After (default 10)")
    s.add_argument("--max-queue", type=int, default=64,
                   help="requests that may wait for a worker at once; more get 503 with Retry-After (default 64; 0: no bound)")
    s.add_argument("--fast-timeout", type=float, default=0.5,
                   help="the fast lane: with 2+ workers one is kept for cheap queries, which may run there this many "
                        "seconds when the others are busy (default 0.5; 0: no fast lane)")
    s.add_argument("--demote-after", type=float, default=1.0,
                   help="a query running longer than this many seconds gets the lowest CPU priority, so cheap queries "
                        "run first (default 1; 0: never)")
    s.add_argument("--request-timeout", type=float, default=10.0,
                   help="seconds a client may take to send a whole request, headers and body (default 10)")
    s.add_argument("--max-rows", type=int, default=100_000, help="result cap in rows or triples (default 100000)")
    s.add_argument("--max-bytes", type=int, default=64 << 20, help="result cap in bytes (default 64 MiB)")
    s.add_argument("--max-request-bytes", type=int, default=1 << 20, help="largest request body accepted (default 1 MiB)")
    s.add_argument("--memory-mb", type=int, default=2048, help="memory a query worker may add (default 2048 MiB)")
    s.add_argument("--workers", type=int, default=4, help="queries run at once, each in its own process (default 4)")
    s.add_argument("--cache-entries", type=int, default=256,
                   help="answers kept for repeated identical requests (default 256; 0: no cache; an update clears it)")
    s.add_argument("--cors", action="store_true", help="allow queries from web pages of any origin (e.g. a hosted YASGUI)")
    s.add_argument("--allow-update", action="store_true", help="accept SPARQL Update (in memory only) from holders of the token")
    s.add_argument("--docs", metavar="DIR",
                   help="a site `kg docs` wrote: its pyLODE page answers a browser at /ontology (default: a listing)")
    s.add_argument("--token", help="the update token (better: $KG_SERVE_TOKEN; generated and printed if absent)")
    s.set_defaults(func=cmd_serve)
