"""``kg explain``: why the graph holds a fact."""

from __future__ import annotations

import json

from kg.explanation.explainer import (explain, format_explanation, format_overview, format_summary,
                                      mentioning_sentences)


def cmd_explain(args) -> int:
    import sys

    from kg.cli.options import dataset_of

    ds = dataset_of(args)
    exps = explain(ds, args.subject, args.predicate, args.object)
    if args.format == "json":
        print(json.dumps([e.as_dict() for e in exps], indent=2, ensure_ascii=False))
        return 0
    tty = sys.stdout.isatty()
    mark = ("\033[1;33m", "\033[0m") if tty and not args.plain else ("«", "»")
    if args.predicate is None and not args.full:
        print(format_overview(exps, mark, mentioning_sentences(ds, args.subject)))
        return 0
    chunks = []
    for e in exps:
        text = format_explanation(e, mark=mark)
        summary = format_summary(e, mark=mark)
        chunks.append(text + ("\n" + summary if summary else ""))
    print("\n\n".join(chunks))
    return 0


def register(sub, common) -> None:
    e = sub.add_parser(
        "explain", parents=[common],
        help="why the graph holds a fact: its sentence, or the rule and facts it is derived from",
        description="Explain SUBJECT [PREDICATE [OBJECT]] (labels, prefix:name or <iri>). An asserted "
                    "fact shows its article sentence with the quote marked, the offsets and who asserts "
                    "it; a derived fact shows the OWL 2 RL rule, the axioms and the asserted facts it rests on.",
    )
    e.add_argument("subject", help="a label (India), prefix:name (dkgr:India) or <iri>")
    e.add_argument("predicate", nargs="?", help="a property label (buyer) or prefix:name (dkg:buyer); 'a' for rdf:type")
    e.add_argument("object", nargs="?", help="a label, prefix:name, <iri> or literal value")
    e.add_argument("--format", choices=["text", "json"], default="text")
    e.add_argument("--plain", action="store_true", help="mark quotes with «» even on a terminal")
    e.add_argument("--full", action="store_true", help="with a subject only: show every fact in full")
    e.set_defaults(func=cmd_explain)
