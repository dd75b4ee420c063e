"""Helpers for the tests only: rows as text, terms normalised for comparing stores, a remote store's graphs,
a loopback listener, and one HTTP request."""

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kg.core.namespace import GRAPHS
from kg.core.terms import shorten
from kg.remote.client import Auth, RemoteClient, inject_values


def rows_as_text(result) -> list[tuple[str, ...]]:
    """Rows with each term shortened to text: what expected-answer files hold."""
    return [tuple(shorten(t) for t in row) for row in result]


def format_result(result, fmt: str, labels: dict | None = None) -> str:
    """The CLI's writer (:func:`kg.sparql.results.write`), as text."""
    from kg.sparql.results import write

    return write(result, fmt, labels).decode("utf-8")


_INTEGER_TYPES = {XSD[t] for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
                                   "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt",
                                   "unsignedShort", "unsignedByte")}
_DECIMAL_TYPES = {XSD.decimal, XSD.double, XSD.float}


def normalise_term(t) -> tuple:
    """One term in a form that is equal across stores.

    Store quirks absorbed here, and only here:

    * blank nodes are all alike (each store names them its own way);
    * a plain literal and an ``xsd:string`` literal are the same (RDF 1.1);
    * language tags are compared lower-case;
    * the integer types (``xsd:positiveInteger``, ``xsd:int``...) count as
      ``xsd:integer``, and numbers compare by value (Virtuoso keeps only the base
      numeric type of a value, and writes ``05`` as ``5``);
    * ``xsd:double``/``float``/``decimal`` compare by value;
    * date/time values compare by lexical form without a trailing ``Z`` for
      dates (Virtuoso may add a timezone to a plain ``xsd:date``).
    """
    if t is None:
        return ("unbound",)
    if isinstance(t, BNode):
        return ("bnode",)
    if isinstance(t, URIRef):
        return ("iri", str(t))
    if isinstance(t, Literal):
        if t.language:
            return ("lit", str(t), "@" + t.language.lower())
        dt = t.datatype
        if dt is None or dt == XSD.string:
            return ("lit", str(t), str(XSD.string))
        if dt in _INTEGER_TYPES:
            try:
                return ("num", str(int(str(t).strip())))
            except ValueError:
                return ("lit", str(t), str(XSD.integer))
        if dt in _DECIMAL_TYPES:
            try:
                value = Decimal(str(t).strip())
                # Virtuoso keeps an integer past 32 bits (5000000000) as an xsd:decimal
                return ("num", str(int(value)) if value == value.to_integral_value() else str(value.normalize()))
            except InvalidOperation:
                return ("lit", str(t), str(dt))
        if dt == XSD.date:
            return ("lit", str(t).rstrip("Z"), str(dt))
        return ("lit", str(t), str(dt))
    return ("other", str(t))


def normalise_graph(graph: Graph) -> Graph:
    """A copy of *graph* with integer-typed literals as ``xsd:integer``, for comparing a store's copy.

    Oxigraph (and Virtuoso) store ``"5"^^xsd:positiveInteger`` as ``"5"^^xsd:integer``:
    the value is kept, the derived type is not. Virtuoso keeps an integer past 32 bits
    (``5000000000``) as an ``xsd:decimal`` of the same value: an integral decimal counts as
    an integer here.
    """
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in _INTEGER_TYPES:
            try:
                o = Literal(str(int(str(o).strip())), datatype=XSD.integer)
            except ValueError:
                pass
        elif isinstance(o, Literal) and o.datatype == XSD.decimal:
            try:
                value = Decimal(str(o).strip())
                if value == value.to_integral_value():
                    o = Literal(str(int(value)), datatype=XSD.integer)
            except InvalidOperation:
                pass
        out.add((s, p, o))
    return out


def normalise_rows(result) -> list[tuple]:
    """A SELECT result (or ASK) as a sorted multiset of normalised rows, for comparing routes."""
    if result.type == "ASK":
        return [("ask", bool(result.askAnswer))]
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return sorted(tuple(normalise_term(x) for x in t) for t in result.graph)
    names = [str(v) for v in result.vars]
    rows = []
    for b in result.bindings:
        by_name = {str(k): v for k, v in b.items()}
        rows.append(tuple(normalise_term(by_name.get(n)) for n in names))
    return sorted(rows)


def store_graph(server, iri) -> Graph:
    """Graph *iri* as the remote store at *server* holds it."""
    client = RemoteClient(server.url, Auth(), 60, dataset=False)
    return client.graph(inject_values("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(iri)}))


def store_graph_names(server) -> set[str]:
    """The names of the non-empty graphs the remote store at *server* holds."""
    res = RemoteClient(server.url, Auth(), 60, dataset=False).select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    return {str(row[0]) for row in res}


def assert_store_equals_local(server, local):
    """Each built graph of the dataset *local* (the four and each cited source's) is in the store at
    *server*, triple for triple (by value), and so is their union (the graph `kg push` adds)."""
    from kg.core.iris import GRAPH_UNION
    from kg.store.rdflib_store import dataset_graphs, union_graph

    names = dataset_graphs(local)
    assert {str(g) for g in GRAPHS} <= set(names)
    for iri in names:
        expected = union_graph(local, [iri])
        assert isomorphic(normalise_graph(store_graph(server, iri)), normalise_graph(expected)), iri
    assert isomorphic(normalise_graph(store_graph(server, GRAPH_UNION)), normalise_graph(union_graph(local))), "union"


class Listener:
    """A TCP listener on loopback that records every connection it is offered."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def http(method: str, url: str, body: bytes | None = None, headers: dict | None = None, timeout: float = 30):
    """One HTTP request: (status, headers, body), an error status included."""
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get(url: str, timeout: float = 30):
    """A GET: (status, body)."""
    status, _, body = http("GET", url, timeout=timeout)
    return status, body
