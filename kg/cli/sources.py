"""``kg sources``: list the sources facts are taken from, with their grades."""

from __future__ import annotations

from kg.cli.options import REPORT_FORMATS


def cmd_sources(args) -> int:
    from kg.cli.options import emit_result, store_of
    from kg.sparql.sources import sources_result

    store = store_of(args)
    emit_result(store, sources_result(store), args.format)
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("sources", parents=[common],
                       help="list the sources (articles and cited sources): kind, publisher, date, grade, graph, facts")
    p.add_argument("--format", choices=REPORT_FORMATS, default="table")
    p.set_defaults(func=cmd_sources)
