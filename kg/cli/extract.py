"""``kg extract``: propose facts, with their spans, from a news text (a person decides: kg review)."""

from __future__ import annotations

from pathlib import Path


def cmd_extract(args) -> int:
    from kg.core.resources import articles_dir, sources_dir
    from kg.extract.draft import extract
    from kg.extract.gazetteer import load_gazetteer

    gazetteer = load_gazetteer(articles_dir(), sources_dir())
    draft = extract(Path(args.article), Path(args.output), gazetteer, date=args.date,
                    meta_path=Path(args.source_meta) if args.source_meta else None)
    complete = draft.complete()
    entities = [p for p in draft.proposals if p.key == "entity"]
    print(f"{len(draft.proposals)} proposals in {len(draft.sentences)} sentences: {len(complete)} complete "
          f"({len(entities)} candidate entities), {len(draft.proposals) - len(complete)} incomplete; "
          f"see {Path(args.output) / 'review.md'}, then run `kg review {args.output}`")
    return 0


def register(sub, common) -> None:
    s = sub.add_parser("extract", help="propose facts with their spans from a news text, for review (kg review)")
    s.add_argument("article", metavar="ARTICLE.txt", help="the article's text, UTF-8")
    s.add_argument("-o", "--output", metavar="DRAFT_DIR", required=True,
                   help="the draft folder to write; its name is the article's slug (yyyy-mm-slug)")
    s.add_argument("--date", metavar="YYYY-MM-DD", help="the article's date, against which 'Thursday' or 'last year' "
                                                        "are resolved (as inferred dates)")
    s.add_argument("--source-meta", metavar="FILE", help="JSON: title, publisher, date, url, note, licence, grading")
    s.set_defaults(func=cmd_extract)
