"""``kg sentences``: an article's sentence index (ids and offsets for fact files)."""

from __future__ import annotations

from kg.core.errors import KgError


def cmd_sentences(args) -> int:
    from kg.core.resources import articles_dir
    from kg.sources.articles import find_articles, load_article

    folders = find_articles(articles_dir())
    names = [f.name for f in folders]
    chosen = [f for f in folders if args.article in (None, f.name)]
    if not chosen:
        raise KgError(f"unknown article {args.article!r} (known: {', '.join(names)})")
    for folder in chosen:
        art = load_article(folder)
        print(f"# {art.slug}  <{art.iri}>")
        for s in art.index.sentences:
            rep = f"  (repeats {s.repeats}; cite {s.repeats})" if s.repeats else ""
            print(f"{s.id} [{s.start}:{s.end}] {art.index.paragraph_of[s.id]}{rep}\n    {s.text}")
    return 0


def register(sub, common) -> None:
    s = sub.add_parser("sentences", help="print an article's sentence index (ids and offsets for fact files)")
    s.add_argument("article", nargs="?", help="article folder name (default: all)")
    s.set_defaults(func=cmd_sentences)
