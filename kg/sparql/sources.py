"""``kg sources``: the sources of the build (articles and cited sources), one row each.

The query is data (``queries/sources/sources-list.rq``), run as a report
(:mod:`kg.sparql.reports`), so that both backends and the remote store give the same rows.
"""

from __future__ import annotations

from kg.sparql.named import NamedQuery
from kg.sparql.reports import report_query, report_result, report_rows

#: The columns of a row, in order.
COLUMNS = ("slug", "source", "kind", "publisher", "issued", "grade", "graph", "facts")


def sources_query() -> NamedQuery:
    return report_query("sources", "sources-list")


def sources_result(store):
    """The sources as an rdflib SELECT result (for the result writers)."""
    return report_result(store, "sources", "sources-list")


def list_sources(store) -> list[dict]:
    """One dict per source (column -> rdflib term, or None where the source lacks it)."""
    return report_rows(sources_result(store), COLUMNS)
