"""``kg query``: a named question, a .rq file or --sparql text, on the build or a remote store."""

from __future__ import annotations

import sys
from pathlib import Path

from kg.core.errors import KgError


def parse_binds(items) -> dict[str, str]:
    bindings = {}
    for item in items or []:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise KgError(f"--bind takes NAME=VALUE, got {item!r}")
        bindings[name.strip().lstrip("?$")] = value
    return bindings


def cmd_query(args) -> int:
    from kg.sparql.named import NamedQuery, resolve_query

    if args.sparql is not None and args.name is not None:
        raise KgError("give a query name/file or --sparql, not both")
    if args.sparql is not None:
        query = NamedQuery("--sparql", Path("<--sparql>"), args.sparql)
    elif args.name is not None:
        query = resolve_query(args.name)
    else:
        raise KgError("give a query name, a .rq file, or --sparql TEXT (`kg questions` lists names)")
    values = parse_binds(args.bind)
    declared = query.params
    unknown = [b for b in values if args.sparql is None and b not in declared]
    if unknown:  # a named question or .rq file declares its parameters; inline --sparql declares none
        takes = f"it takes: {', '.join(declared)}" if declared else "it takes no parameters"
        raise KgError(f"{query.slug} has no parameter {', '.join(unknown)} ({takes})")
    day = None
    if args.as_of is not None:
        from kg.pipeline.asof import parse_date

        day = parse_date(args.as_of)
        if getattr(args, "endpoint", None):
            raise KgError("--as-of works on the build, not on a remote store (--endpoint): "
                          "the graph as of a date is derived again by the reasoner")
    if getattr(args, "endpoint", None):
        from kg.remote.client import Auth, RemoteStore

        auth = Auth.from_options(args.auth, args.user, args.password, args.token)
        store = RemoteStore(args.endpoint, auth, args.timeout or 60.0)
    else:
        from kg.cli.options import store_of

        store = store_of(args)  # the build on Oxigraph, unless --backend rdflib
        if day is not None:
            from kg.pipeline.asof import as_of

            store = as_of(store, day)  # the graph as it stood at the end of that day
    from kg.sparql import run
    from kg.sparql.labels import labels, to_term
    from kg.sparql.results import write

    bindings = {name: to_term(store, value) for name, value in values.items()}
    for name, example in declared.items():
        if name not in bindings and example:
            print(f"kg: {query.slug}: no --bind {name}=...; using the example {example}", file=sys.stderr)
            bindings[name] = to_term(store, example)
    result = run(store, query.text, bindings, source=str(query.path))
    names = labels(store, {t for b in result.bindings for t in b.values()}) if (
        args.format == "table" and result.type == "SELECT") else {}
    from kg.cli.options import emit

    emit(write(result, args.format, names))
    return 0


def register(sub, common) -> None:
    from kg.cli.options import add_endpoint_options
    from kg.sparql.results import RESULT_FORMATS

    q = sub.add_parser("query", parents=[common], help="run a named question, a .rq file, or --sparql TEXT")
    q.add_argument("name", nargs="?", help="a question name (see `kg questions`) or a path to a .rq file")
    q.add_argument("--sparql", metavar="TEXT", help="a SPARQL query given inline")
    q.add_argument("--format", choices=list(RESULT_FORMATS), default="table")
    q.add_argument("--bind", action="append", metavar="NAME=VALUE",
                   help="bind a parameter; VALUE is <iri>, prefix:name, or a label (repeatable)")
    q.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="ask the question of the graph as it stood at the end of that day: what had happened by "
                        "then, each source read on its own terms, and what the reasoner derives from it")
    add_endpoint_options(q)
    q.set_defaults(func=cmd_query)
