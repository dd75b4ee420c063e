"""``kg claims``: where the sources disagree, and how many independent sources back a fact.

Three reports, each a query kept as data (its header documents the columns) and run through
:func:`kg.sparql.run` on any store: ``contested`` is the competency question
``queries/where-sources-disagree.rq`` (with its hand-written answer beside it), the other two
are under ``queries/claims/``:

* ``contested``: claims on which two fact graphs (the article's, a cited source's) give
  values of a single-valued property that cannot both hold, one row per side, never merged;
* ``single-source``: fact nodes that one independent source (one original publisher) alone
  describes;
* ``corroboration``: for every fact node, how many independent publishers describe it.
"""

from __future__ import annotations

from kg.sparql.reports import report_result, report_rows

#: report -> the columns of its rows, in order
COLUMNS = {
    "contested": ("claim", "property", "value", "source", "publisher", "grade"),
    "single-source": ("node", "label", "source", "publisher", "grade"),
    "corroboration": ("node", "label", "publishers", "sources"),
}


#: report -> (folder under queries/, file name)
FILES = {"contested": ("", "where-sources-disagree"), "single-source": ("claims", "single-source"),
         "corroboration": ("claims", "corroboration")}


def claims_result(store, report: str):
    """The rows of *report* (a key of :data:`COLUMNS`) as an rdflib SELECT result."""
    from kg.core.errors import KgError

    if report not in COLUMNS:
        raise KgError(f"unknown claims report {report!r} (known: {', '.join(COLUMNS)})")
    return report_result(store, *FILES[report])


def claims(store, report: str) -> list[dict]:
    """One dict per row of *report* (column -> rdflib term, or None where the row lacks it)."""
    return report_rows(claims_result(store, report), COLUMNS[report])


def contested(store) -> list[dict]:
    return claims(store, "contested")


def single_source(store) -> list[dict]:
    return claims(store, "single-source")


def corroboration(store) -> list[dict]:
    return claims(store, "corroboration")
