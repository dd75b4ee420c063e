"""``kg review``: accept, reject or edit ``kg extract``'s proposals; accepted facts go into an article folder."""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_review(args) -> int:
    from kg.core.errors import KgError, read_utf8
    from kg.core.resources import articles_dir
    from kg.extract.review import apply, interactive, open_review
    from kg.sources.text import index_text

    review = open_review(Path(args.draft))
    articles = Path(args.articles) if args.articles else articles_dir()
    if args.accept_all_above is not None and not 0 <= args.accept_all_above <= 1:
        raise KgError(f"--accept-all-above takes a confidence from 0 to 1, not {args.accept_all_above}")
    if args.accept or args.reject or args.accept_all_above is not None:
        target = apply(review, articles, args.accept or (), args.reject or (), args.accept_all_above, args.reason)
    else:
        text = read_utf8(Path(args.draft) / "article.txt")
        sentences = {s.id: s.text for s in index_text(text).sentences}
        target = interactive(review, articles, sentences, _reader(), lambda t: print(t, end="", flush=True),
                             sys.stdout.isatty())
    decided = len(review.decisions)
    accepted = len(review.accepted())
    print(f"{decided} of {len(review.proposals)} proposals decided: {accepted} accepted or edited, "
          f"{decided - accepted} rejected (log: {Path(args.draft) / 'decisions.json'})"
          + (f"; facts in {target / 'facts.ttl'}" if target else "; nothing accepted, no article written"))
    return 0


def _reader():
    def read(prompt: str):
        try:
            return input(prompt)
        except EOFError:
            return None
    return read


def register(sub, common) -> None:
    s = sub.add_parser("review", help="accept, reject or edit kg extract's proposals (interactive, or with --accept ...)")
    s.add_argument("draft", metavar="DRAFT_DIR", help="the folder kg extract wrote")
    s.add_argument("--accept", nargs="+", metavar="ID", help="accept these proposals (p01 ...)")
    s.add_argument("--reject", nargs="+", metavar="ID", help="reject these proposals (p01 ...)")
    s.add_argument("--reason", help="why the --reject proposals are rejected (kept in the log)")
    s.add_argument("--accept-all-above", type=float, metavar="CONFIDENCE",
                   help="accept every complete, undecided proposal of at least this confidence")
    s.add_argument("--articles", metavar="DIR",
                   help="the articles folder to write the accepted facts into (default: ./articles or $KG_ARTICLES)")
    s.set_defaults(func=cmd_review)
