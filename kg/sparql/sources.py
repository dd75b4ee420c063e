"""``kg sources``: the sources of the build (articles and cited sources), one row each.

The query is data (``queries/sources/sources-list.rq``), run through :func:`kg.sparql.run` on
any store, so that both backends and the remote store give the same rows.
"""

from __future__ import annotations

from kg.core.resources import queries_dir
from kg.sparql import run
from kg.sparql.named import NamedQuery, load_query_file

#: The columns of a row, in order.
COLUMNS = ("slug", "source", "kind", "publisher", "issued", "grade", "graph", "facts")


def sources_query() -> NamedQuery:
    return load_query_file(queries_dir() / "sources" / "sources-list.rq")


def sources_result(store):
    """The sources as an rdflib SELECT result (for the result writers)."""
    query = sources_query()
    return run(store, query.text, source=str(query.path))


def list_sources(store) -> list[dict]:
    """One dict per source (column -> rdflib term, or None where the source lacks it)."""
    return [{c: row.get(c) for c in COLUMNS} for row in
            ({str(k): v for k, v in b.items()} for b in sources_result(store).bindings)]
