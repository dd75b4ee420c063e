"""``kg export``: the graph in a standard RDF format."""

from __future__ import annotations

from pathlib import Path


def cmd_export(args) -> int:
    from kg.cli.options import dataset_of, emit
    from kg.core.rdfio import write_atomic
    from kg.pipeline.export import export

    payload = export(dataset_of(args), args.format, asserted_only=args.asserted_only,
                     ontology_only=args.ontology_only)
    if args.output:
        write_atomic(Path(args.output), payload)
    else:
        emit(payload)
    return 0


def register(sub, common) -> None:
    from kg.pipeline.export import EXPORT_FORMATS
    from kg.pipeline.graphexport import GRAPH_FORMATS

    e = sub.add_parser("export", parents=[common],
                       help="export the graph in a standard RDF format, or its facts for Gephi, yEd and spreadsheets")
    e.add_argument("--format", choices=sorted(EXPORT_FORMATS) + list(GRAPH_FORMATS), default="turtle",
                   help="an RDF format, or graphml / gexf / csv-edges: the resources and the facts between them")
    only = e.add_mutually_exclusive_group()
    only.add_argument("--asserted-only", action="store_true", help="leave out the inferred graph")
    only.add_argument("--ontology-only", action="store_true",
                      help="the ontology alone (no facts, no provenance, no inferred triples): for Protégé")
    e.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    e.set_defaults(func=cmd_export)
