"""``kg claims``: where the sources disagree (--contested), what rests on one source
(--single-source), and how many independent sources back each fact (--corroboration)."""

from __future__ import annotations

from kg.cli.options import REPORT_FORMATS

#: option dest -> the report of kg.sparql.claims it prints
REPORTS = {"contested": "contested", "single_source": "single-source", "corroboration": "corroboration"}


def cmd_claims(args) -> int:
    from kg.cli.options import emit_result, store_of
    from kg.core.errors import KgError
    from kg.sparql.claims import claims_result

    chosen = [report for dest, report in REPORTS.items() if getattr(args, dest)]
    if len(chosen) != 1:
        given = " and ".join(f"--{r}" for r in chosen) if chosen else "none"
        raise KgError(f"kg claims takes one of --contested, --single-source, --corroboration (given: {given})")
    store = store_of(args)
    emit_result(store, claims_result(store, chosen[0]), args.format)
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("claims", parents=[common],
                       help="where the sources disagree (--contested), what rests on one source (--single-source), "
                            "how many independent sources back each fact (--corroboration)")
    p.add_argument("--contested", action="store_true",
                   help="claims on which sources give values that cannot both hold, one row per side")
    p.add_argument("--single-source", action="store_true",
                   help="fact nodes described by one independent source (one original publisher) only")
    p.add_argument("--corroboration", action="store_true",
                   help="for every fact node, how many independent publishers describe it")
    p.add_argument("--format", choices=REPORT_FORMATS, default="table")
    p.set_defaults(func=cmd_claims)
