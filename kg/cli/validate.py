"""``kg validate``: the quality checks and the SHACL shapes on the graph."""

from __future__ import annotations

from kg.core.errors import KgError


def cmd_validate(args) -> int:
    from kg.cli.options import dataset_of
    from kg.validation.checks import run_checks
    from kg.validation.shacl import validate as shacl_validate

    ds = dataset_of(args)
    report = shacl_validate(ds)
    if args.format == "turtle":
        print(report.turtle())
        if not report.conforms:
            raise KgError(f"SHACL: {len(report.results)} result(s)")
        return 0
    violations = run_checks(ds)
    for v in violations:
        print(f"[{v.severity}] {v.check}: {v.resource} — {v.error}")
    print(report.text())
    if violations or not report.conforms:
        raise KgError(f"{len(violations) + len(report.results)} violation(s)")
    print("no violations")
    return 0


def register(sub, common) -> None:
    v = sub.add_parser("validate", parents=[common], help="run the quality checks and the SHACL shapes on the graph")
    v.add_argument("--format", choices=["text", "turtle"], default="text",
                   help="text: readable report of checks and shapes; turtle: the SHACL report graph")
    v.set_defaults(func=cmd_validate)
