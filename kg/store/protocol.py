"""The store protocol, and what every store shares (see :mod:`kg.store`)."""

from __future__ import annotations

from typing import Iterator, Protocol

from kg.core.errors import KgError

BACKENDS = ("rdflib", "oxigraph")


class TooLarge(KgError):
    """A result over the row cap a caller set (``kg serve --max-rows``)."""


class NeedsValues(KgError):
    """The store cannot take these bindings as parameters (a bound variable the query does not
    project, on Oxigraph); the caller binds them through a ``VALUES`` block instead."""


class Store(Protocol):
    backend: str
    #: "pyshacl" (walk the graph with pySHACL) or "sparql" (the shapes compiled to SPARQL)
    shacl: str
    #: True where the store keeps numbers by value, so that xsd:positiveInteger comes back
    #: as xsd:integer (Oxigraph, oxigraph/oxigraph#1413); datatype checks then compare by value
    integers_by_value: bool
    #: True where the rows of a query ordered by variables alone are sorted faster by the caller
    #: than by the engine (Oxigraph on disk decodes both terms of every comparison: 12,000 rows,
    #: a second); :func:`kg.sparql.run` then asks for them unordered and sorts them
    sorts_rows: bool

    def graphs(self) -> list[str] | None:
        """The named graphs FROM may name; None where the store decides (a remote store)."""

    def query(self, text: str, bindings: dict | None = None, *, source: str = "<query>",
              default_graph: list[str] | None = None, named_graphs: list[str] | None = None,
              max_rows: int | None = None):
        """Evaluate checked *text*; an rdflib Result. Past *max_rows*: :class:`TooLarge`."""

    def objects(self, subject, predicate) -> Iterator:
        """The objects of (*subject*, *predicate*, ?) over all graphs, each once."""

    def graph_sizes(self) -> tuple[dict[str, int], int]:
        """Triples per named graph (those that have any), and distinct triples over all."""


def check_backend(name: str) -> str:
    if name not in BACKENDS:
        raise KgError(f"unknown backend {name!r} (known: {', '.join(BACKENDS)})")
    return name


