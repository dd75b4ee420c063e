"""Queries: the SPARQL boundary, named questions, labels and the result writers.

:func:`run` is how every route evaluates a query on a :class:`~kg.store.Store`: the text
passes the boundary (:func:`kg.sparql.boundary.check`) and the dataset it names is applied
the same way on every store.
"""

from __future__ import annotations


def run(store, text: str, bindings: dict | None = None, *, source: str = "<query>",
        default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
        max_rows: int | None = None):
    """Check *text* at the boundary and evaluate it on *store*; an rdflib Result.

    *default_graph* / *named_graphs* are the SPARQL protocol's ``default-graph-uri`` and
    ``named-graph-uri``; when given they replace the query's own FROM / FROM NAMED.
    """
    from kg.sparql.boundary import check, check_dataset
    from kg.store import as_store

    store = as_store(store)
    graphs = store.graphs()
    info = check(text, graphs, source)
    if default_graph or named_graphs:
        if graphs is not None:
            check_dataset(default_graph, named_graphs, graphs)
        default_graph, named_graphs = list(default_graph or []), list(named_graphs or [])
    elif info.has_dataset:
        default_graph, named_graphs = info.from_graphs, info.from_named
    else:
        default_graph = named_graphs = None
    from kg.store.protocol import NeedsValues

    order = info.order if getattr(store, "sorts_rows", False) else None
    if order:  # the store's engine sorts slower than Python: ask for the rows as they come
        from kg.sparql.boundary import without_order

        text = without_order(text, info)
    try:
        result = store.query(text, bindings, source=source, default_graph=default_graph,
                             named_graphs=named_graphs, max_rows=max_rows)
    except NeedsValues:
        from kg.sparql.boundary import bind

        result = store.query(bind(text, bindings, info), None, source=source, default_graph=default_graph,
                             named_graphs=named_graphs, max_rows=max_rows)
    if order:
        from kg.sparql.order import sort_rows

        sort_rows(result.bindings, order)
    return result
