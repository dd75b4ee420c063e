"""``kg viz``: draw the graph or its timeline."""

from __future__ import annotations

from pathlib import Path

from kg.core.errors import KgError
from kg.present.viz import draw


def cmd_viz(args) -> int:
    from kg.cli.options import dataset_of
    from kg.sparql.labels import to_term

    ds = dataset_of(args)
    focus = to_term(ds, args.focus) if args.focus else None
    if args.hops < 0:
        raise KgError("--hops must be 0 or more")
    out = draw(ds, Path(args.output), focus, args.hops, args.timeline)
    print(f"wrote {out}")
    return 0


def register(sub, common) -> None:
    v = sub.add_parser(
        "viz", parents=[common], help="draw the graph (or a timeline) as SVG, PNG or interactive HTML",
        description="Draw actors, systems, agreements, deals, offers, laws and sanctions and the relations "
                    "between them; inferred edges are dashed and red. With --timeline, draw the dated events.",
    )
    v.add_argument("-o", "--output", required=True, metavar="FILE", help="FILE.svg, FILE.png or FILE.html")
    v.add_argument("--focus", metavar="NODE", help="draw only the neighbourhood of NODE (label, prefix:name or <iri>)")
    v.add_argument("--hops", type=int, default=2, help="with --focus: how many steps away to draw (default 2)")
    v.add_argument("--timeline", action="store_true", help="draw the timeline of dated events instead")
    v.set_defaults(func=cmd_viz)
