"""Quality checks as SPARQL violation queries (``queries/checks/*-violation.rq``).

Each check returns ``?resource ?error``; any row is a violation and fails the build.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Dataset

from .queries import check_queries, run, shorten


@dataclass(frozen=True)
class Violation:
    check: str
    severity: str
    resource: str
    error: str


def run_checks(ds: Dataset) -> list[Violation]:
    found = []
    for slug, q in check_queries().items():
        severity = q.header("severity", "error")
        for row in run(ds, q.text, source=str(q.path)):
            found.append(Violation(slug, severity, shorten(row.resource), str(row.error)))
    return sorted(found, key=lambda v: (v.check, v.resource, v.error))
