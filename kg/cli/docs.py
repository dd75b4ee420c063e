"""``kg docs``: the static documentation site."""

from __future__ import annotations

from pathlib import Path

from kg.present.site import build_site


def cmd_docs(args) -> int:
    from kg.cli.options import dataset_of

    out = Path(args.output)
    files = build_site(dataset_of(args), out)
    print(f"wrote {len(files)} files to {out}/ (open {out / 'index.html'})")
    return 0


def register(sub, common) -> None:
    d = sub.add_parser(
        "docs", parents=[common], help="build the static documentation site (ontology, questions, pictures)",
        description="Build a static site an analyst can open offline: the ontology reference (pyLODE), one page "
                    "per competency question with its SPARQL, answer table and supporting sentences, the SHACL "
                    "shapes, the article and the pictures.",
    )
    d.add_argument("-o", "--output", default="site", metavar="DIR", help="where to write the site (default: site)")
    d.set_defaults(func=cmd_docs)
