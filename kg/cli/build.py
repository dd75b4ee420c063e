"""``kg build``: compile, reason, validate and write the graph."""

from __future__ import annotations

from pathlib import Path


def cmd_build(args) -> int:
    from kg.cli.options import build_dir_of, engine_for
    from kg.core.progress import Progress
    from kg.pipeline.build import build_into
    from kg.store import check_backend

    backend = check_backend(args.backend or "rdflib")
    with Progress("build") as progress:
        result = build_into(build_dir_of(args), Path(args.input) if args.input else None, backend=backend,
                            engine=engine_for(args), validate=not args.no_validate, progress=progress)
    print(result.summary())
    return 0


def register(sub, common) -> None:
    b = sub.add_parser("build", parents=[common], help="compile, reason, validate and write the graph")
    b.add_argument("--no-validate", action="store_true", help="skip the violation checks")
    b.add_argument("--input", metavar="FILE",
                   help="build from an N-Quads/TriG file of asserted and provenance graphs (e.g. from `kg synth`) "
                        "instead of the article folders")
    b.set_defaults(func=cmd_build)
