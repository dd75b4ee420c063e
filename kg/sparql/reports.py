"""Reports: a query kept as data under ``queries/<folder>/``, run on any store, read as rows.

``kg sources`` and ``kg claims`` are reports: the query is a ``.rq`` file run through
:func:`kg.sparql.run`, so that both backends and the remote store give the same rows, and
the CLI writes them with the one set of result writers (:mod:`kg.sparql.results`).
"""

from __future__ import annotations

from kg.core.resources import queries_dir
from kg.sparql import run
from kg.sparql.named import NamedQuery, load_query_file


def report_query(folder: str, name: str) -> NamedQuery:
    """The query ``queries/<folder>/<name>.rq``."""
    return load_query_file(queries_dir() / folder / f"{name}.rq")


def report_result(store, folder: str, name: str):
    """The report's rows as an rdflib SELECT result (for the result writers)."""
    query = report_query(folder, name)
    return run(store, query.text, source=str(query.path))


def report_rows(result, columns) -> list[dict]:
    """One dict per row of *result*: column -> rdflib term, or None where the row lacks it."""
    return [{c: row.get(c) for c in columns} for row in
            ({str(k): v for k, v in b.items()} for b in result.bindings)]
