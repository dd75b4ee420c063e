"""``kg questions``: list the named competency questions."""

from __future__ import annotations


def cmd_questions(args) -> int:
    from kg.sparql.named import named_queries

    queries = named_queries()
    width = max(len(s) for s in queries)
    for slug, q in queries.items():
        params = f"  [--bind {', '.join(f'{k}=...' for k in q.params)}]" if q.params else ""
        print(f"{slug.ljust(width)}  {q.question}{params}")
    return 0


def register(sub, common) -> None:
    qs = sub.add_parser("questions", help="list the named competency questions")
    qs.set_defaults(func=cmd_questions)
