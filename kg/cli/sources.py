"""``kg sources``: list the sources facts are taken from, with their grades."""

from __future__ import annotations


def cmd_sources(args) -> int:
    from kg.cli.options import emit, store_of
    from kg.sparql.labels import labels
    from kg.sparql.results import write
    from kg.sparql.sources import sources_result

    store = store_of(args)
    result = sources_result(store)
    names = labels(store, {t for b in result.bindings for t in b.values()}) if args.format == "table" else {}
    emit(write(result, args.format, names))
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("sources", parents=[common],
                       help="list the sources (articles and cited sources): kind, publisher, date, grade, graph, facts")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_sources)
