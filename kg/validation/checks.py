"""Quality checks as SPARQL violation queries (``queries/checks/*-violation.rq``).

Each check returns ``?resource ?error``; any row is a violation and fails the build.
"""

from __future__ import annotations

from kg.core.terms import shorten
from kg.sparql.named import check_queries
from kg.validation.datatypes import by_value
from kg.validation.report import Violation


def check_texts(store) -> list[tuple[str, str, str]]:
    """(slug, severity, query text) of every check, as *store* should run it."""
    out = []
    for slug, q in check_queries().items():
        out.append((slug, q.header("severity", "error"), by_value(q.text) if store.integers_by_value else q.text))
    return out


def violations_from_rows(checks, rows_per_check) -> list[Violation]:
    found = []
    for (slug, severity, _), rows in zip(checks, rows_per_check):
        for row in rows:
            found.append(Violation(slug, severity, shorten(row["resource"]), str(row["error"])))
    return found


def run_checks(store) -> list[Violation]:
    """The violations the checks find in *store* (a store, or an rdflib dataset)."""
    from kg.store import as_store

    store = as_store(store)
    checks = check_texts(store)
    found = violations_from_rows(checks, [store.select(text) for _, _, text in checks])
    return sorted(found, key=lambda v: (v.check, v.resource, v.error))
