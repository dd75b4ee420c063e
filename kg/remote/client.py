"""Remote SPARQL stores: ``kg push`` loads the build into one, ``kg query --endpoint`` queries it.

Push uses the SPARQL 1.1 Graph Store Protocol: one HTTP ``PUT`` per named graph,
which replaces that graph atomically. A store without the protocol gets SPARQL
Update instead: the graph is built in batches of ``INSERT DATA`` into a
temporary graph, then ``MOVE``\\ d over the target in one operation, so an
interrupted push never leaves a half-loaded target graph. Afterwards the store
is asked how many triples each graph holds; any difference from the local build
fails the push. A store that keeps numbers by value (Oxigraph narrows
``xsd:positiveInteger`` to ``xsd:integer`` and ``"05"`` to ``"5"``) may hold fewer
triples than the build states: its count is then compared with the build's triples
counted by value, and the push report says so. Running it again gives the same store (PUT and MOVE replace).

After the build's graphs, push writes their set union as one more graph,
``graph/union`` (:data:`~kg.core.iris.GRAPH_UNION`).

Queries are SPARQL 1.1 Protocol requests with an explicit ``Accept`` header, GET
for short queries and form-encoded POST for long ones. The request names the
build's graphs (the four and one per cited source) as ``named-graph-uri`` and the
union as ``default-graph-uri``, so every store answers with the same dataset the
in-process graph has: a default graph that is the union of the build's graphs, with
each triple once, and the build's graphs reachable with ``GRAPH`` (and none of the
store's own system graphs, such as Virtuoso's). Naming the build's graphs as
``default-graph-uri`` instead, as a store loaded by other means needs, gives a bag on
Oxigraph and Virtuoso: a fact two sources state would come back twice. A query's own
dataset (``FROM``, ``FROM NAMED``) is sent as the protocol's parameters, which take
precedence over it, so it means on the store what it means in-process.

One HTTP stack, httpx, carries both: :class:`Http` holds the credentials
(``httpx.BasicAuth``, ``httpx.DigestAuth``, a bearer token, or the server's own
choice of Basic or Digest), the timeout and the mapping of failures to
:class:`KgError`, and one connection pool serves a whole push or a remote store.
Queries used to go through SPARQLWrapper; they no longer do, because it brings a
second HTTP stack (urllib) with its own authentication, timeout and error
handling, and what kg asks of it (a GET or POST with ``query``, the dataset
parameters and an ``Accept`` header; results parsed by rdflib anyway) is a few
lines over :class:`Http`. Nothing it did is lost: its only-conneg mode sent no
``format=`` parameter, and its exceptions were mapped to the same messages
:meth:`Http.fail` gives. (SPARQLWrapper stays a dependency as the reference
client ``kg serve`` is tested against.)

Store layouts (``--store``; ``auto`` guesses from the URL):

==========  ============================  ==========================  ==============================  =========
store       query endpoint (--endpoint)   update                      graph store                     graph key
==========  ============================  ==========================  ==============================  =========
oxigraph    http://H:7878/query           /update                     /store                          graph
fuseki      http://H:3030/DS/sparql       /DS/update                  /DS/data                        graph
virtuoso    http://H:8890/sparql          /sparql-auth                /sparql-graph-crud-auth         graph-uri
graphdb     http://H:7200/repositories/R  /repositories/R/statements  /repositories/R/rdf-graphs/service  graph
generic     URL                           URL                         (none: SPARQL Update only)      graph
==========  ============================  ==========================  ==============================  =========
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.query import Result

from kg.core.errors import KgError
from kg.core.iris import GRAPH, GRAPH_NONE, GRAPH_PROVENANCE, GRAPH_UNION, SOURCE_GRAPH, SOURCE_RESOURCE, VOCAB
from kg.core.namespace import GRAPHS
from kg.core.rdfio import serialize
from kg.core.terms import n3
from kg.core.version import __version__
from kg.remote import AUTH_KINDS, ENV_AUTH, ENV_PASSWORD, ENV_TOKEN, ENV_USER
from kg.sparql import run
from kg.sparql.boundary import bind
from kg.sparql.boundary import with_prefixes as add
from kg.sparql.boundary import with_prefixes as add_prefixes
from kg.sparql.labels import to_term
from kg.store.rdflib_store import prepare

STORES = ("auto", "oxigraph", "fuseki", "virtuoso", "graphdb", "generic")


# --- where a store listens ----------------------------------------------------------------


@dataclass
class Endpoints:
    query: str
    update: str | None
    store: str | None          # Graph Store Protocol endpoint, or None
    graph_key: str = "graph"   # the GSP parameter naming the graph
    kind: str = "generic"


def _replace_path(url: str, path: str) -> str:
    p = urlsplit(url)
    return urlunsplit((p.scheme, p.netloc, path, "", ""))


def guess_store(url: str) -> str:
    path = urlsplit(url).path.rstrip("/")
    if path == "/query":
        return "oxigraph"
    if path == "/sparql":
        return "virtuoso"
    if re.fullmatch(r"/repositories/[^/]+", path):
        return "graphdb"
    if re.fullmatch(r"(/[^/]+)+/(sparql|query)", path) or re.fullmatch(r"/[^/]+", path):
        return "fuseki"
    return "generic"


def endpoints_for(url: str, store: str = "auto", update: str | None = None, graph_store: str | None = None) -> Endpoints:
    """The query, update and Graph Store URLs of a store whose query endpoint is *url*."""
    p = urlsplit(url)
    if p.scheme not in ("http", "https") or not p.netloc:
        raise KgError(f"--endpoint must be an http(s) URL, got {url!r}")
    kind = guess_store(url) if store == "auto" else store
    if kind not in STORES:
        raise KgError(f"unknown store kind {store!r} (known: {', '.join(STORES)})")
    path = p.path.rstrip("/")
    if kind == "oxigraph":
        base = path[: -len("/query")] if path.endswith("/query") else path
        ep = Endpoints(url, _replace_path(url, base + "/update"), _replace_path(url, base + "/store"), "graph", kind)
    elif kind == "fuseki":
        base = re.sub(r"/(sparql|query)$", "", path)
        ep = Endpoints(url, _replace_path(url, base + "/update"), _replace_path(url, base + "/data"), "graph", kind)
    elif kind == "virtuoso":
        base = path[: -len("/sparql")] if path.endswith("/sparql") else path
        ep = Endpoints(url, _replace_path(url, base + "/sparql-auth"),
                       _replace_path(url, base + "/sparql-graph-crud-auth"), "graph-uri", kind)
    elif kind == "graphdb":
        ep = Endpoints(url, _replace_path(url, path + "/statements"), _replace_path(url, path + "/rdf-graphs/service"),
                       "graph", kind)
    else:
        ep = Endpoints(url, url, None, "graph", "generic")
    if update:
        ep.update = update
    if graph_store:
        ep.store = graph_store
    return ep


# --- credentials and HTTP -------------------------------------------------------------------


@dataclass
class Auth:
    kind: str = "none"
    user: str | None = None
    password: str | None = None
    token: str | None = None

    @classmethod
    def from_options(cls, kind: str | None = None, user: str | None = None, password: str | None = None,
                     token: str | None = None, environ=None) -> "Auth":
        """Options first, then $KG_REMOTE_USER, $KG_REMOTE_PASSWORD, $KG_REMOTE_TOKEN, $KG_REMOTE_AUTH."""
        env = os.environ if environ is None else environ
        user = user or env.get(ENV_USER) or None
        password = password if password is not None else env.get(ENV_PASSWORD)
        token = token or env.get(ENV_TOKEN) or None
        kind = (kind or env.get(ENV_AUTH) or "auto").lower()
        if kind not in AUTH_KINDS:
            raise KgError(f"unknown authentication {kind!r} (known: {', '.join(AUTH_KINDS)})")
        if kind == "auto":
            kind = "bearer" if token else ("auto" if user else "none")
        if kind in ("basic", "digest") and not user:
            raise KgError(f"--auth {kind} needs --user (or ${ENV_USER}) and a password (--password or ${ENV_PASSWORD})")
        if kind == "bearer" and not token:
            raise KgError(f"--auth bearer needs --token (or ${ENV_TOKEN})")
        return cls(kind, user, password or "", token)

    def describe(self) -> str:
        if self.kind == "none":
            return "no credentials"
        if self.kind == "bearer":
            return "a bearer token"
        return f"user {self.user!r} ({'Basic or Digest, as the server asks' if self.kind == 'auto' else self.kind.capitalize()})"


class _Bearer(httpx.Auth):
    """``Authorization: Bearer TOKEN`` on every request."""

    def __init__(self, token: str):
        self.token = token

    def auth_flow(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


class _AsTheServerAsks(httpx.Auth):
    """``--auth auto``: answer the server's challenge with Digest or Basic, as its ``WWW-Authenticate`` asks.

    The first request goes without credentials; a 401 naming Digest (preferred) or Basic
    picks the scheme, and that 401 is handed to the scheme's own flow, so Digest answers
    it at once instead of asking again. Later requests go straight to the chosen scheme
    (Digest then reuses the server's nonce with a rising ``nc``, as RFC 7616 allows).
    """

    def __init__(self, user: str, password: str):
        self.schemes = {"digest": httpx.DigestAuth(user, password), "basic": httpx.BasicAuth(user, password)}
        self.chosen: httpx.Auth | None = None

    def auth_flow(self, request):
        if self.chosen is not None:
            yield from self.chosen.auth_flow(request)
            return
        response = yield request
        if response.status_code != 401:
            return
        asked = {c.strip().split(None, 1)[0].lower() for c in response.headers.get_list("www-authenticate") if c.strip()}
        name = next((n for n in ("digest", "basic") if n in asked), None)
        if name is None:
            return  # a challenge we cannot answer (or none): the 401 stands
        self.chosen = self.schemes[name]
        flow = self.chosen.auth_flow(request)
        try:
            outgoing = next(flow)
            if "authorization" not in outgoing.headers:  # a scheme that waits for a challenge: give it this one
                outgoing = flow.send(response)
            while True:
                outgoing = flow.send((yield outgoing))
        except StopIteration:
            return


def httpx_auth(auth: Auth) -> httpx.Auth | None:
    """The httpx authentication for *auth*: Basic, Digest, bearer, the server's choice, or none."""
    if auth.kind == "basic":
        return httpx.BasicAuth(auth.user or "", auth.password or "")
    if auth.kind == "digest":
        return httpx.DigestAuth(auth.user or "", auth.password or "")
    if auth.kind == "bearer":
        return _Bearer(auth.token or "")
    if auth.kind == "auto":
        return _AsTheServerAsks(auth.user or "", auth.password or "")
    return None


class Http:
    """The one HTTP client of push and query: credentials, timeout and errors in one place.

    One :class:`httpx.Client` (so one connection pool) per push or per remote store.
    :meth:`request` answers with any HTTP status and turns a store that is down or slow
    into a :class:`KgError`; :meth:`fail` turns an unwanted status into one.
    """

    def __init__(self, auth: Auth | None = None, timeout: float = 60.0, transport: httpx.BaseTransport | None = None):
        self.auth = auth or Auth()
        self.timeout = timeout
        self.client = httpx.Client(auth=httpx_auth(self.auth), timeout=httpx.Timeout(timeout), transport=transport,
                                   follow_redirects=True, headers={"User-Agent": f"defence-kg/{__version__}"})

    def request(self, method: str, url: str, content: bytes | None = None, headers: dict | None = None,
                params=None, data=None) -> httpx.Response:
        """Send one request; the response for any HTTP status, a KgError when the store cannot be reached."""
        try:
            return self.client.request(method, url, content=content, headers=headers, params=params, data=data)
        except httpx.TimeoutException:
            raise KgError(f"the store at {url} did not answer within {self.timeout:g} s") from None
        except (httpx.NetworkError, httpx.ProxyError, httpx.UnsupportedProtocol) as exc:
            raise KgError(f"cannot reach the store at {url}: {_reason(exc)}") from None
        except httpx.HTTPError as exc:  # e.g. a malformed answer or Digest challenge
            raise KgError(f"the request to the store at {url} failed: {_reason(exc)}") from None

    def fail(self, response: httpx.Response, url: str, what: str | None = None) -> None:
        """Raise the KgError for an unwanted *response* from the store at *url*: to *what*, or to a query (None)."""
        status, body = response.status_code, response.content
        at = f"{what + ': ' if what else ''}the store at {url}"
        if status in (401, 407):
            raise KgError(f"{at} refused the credentials (HTTP {status}; sent {self.auth.describe()}). "
                          f"Check --user/--password/--token and --auth (Virtuoso needs Digest)")
        if status == 403:
            raise KgError(f"{at} forbids this (HTTP 403): {_excerpt(body)}")
        if what is None and status == 404:
            raise KgError(f"no SPARQL endpoint at {url} (HTTP 404)")
        if what is None and status == 400:
            raise KgError(f"{at} rejected the query: {_excerpt(body)}")
        raise KgError(f"{at} answered HTTP {status}: {_excerpt(body)}")

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Http":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def _excerpt(body: bytes, limit: int = 300) -> str:
    text = body.decode("utf-8", "replace").strip()
    text = re.sub(r"<[^>]+>", " ", text) if text.lstrip().startswith("<") else text
    text = re.sub(r"\s+", " ", text)
    return text[:limit] + ("..." if len(text) > limit else "")


# --- push --------------------------------------------------------------------------------------


@dataclass
class GraphReport:
    graph: str
    triples: int
    method: str        # "PUT" or "UPDATE"
    seconds: float
    remote: int = -1   # the store's count afterwards
    #: the graph's size counted by value (:func:`count_by_value`): what a store that keeps
    #: numbers by value (Oxigraph, Virtuoso) holds; -1 when not counted
    by_value: int = -1

    @property
    def matches(self) -> bool:
        return self.remote in (self.triples, self.by_value)

    @property
    def narrowed(self) -> bool:
        """The store holds the graph by value: fewer triples, none lost."""
        return self.remote == self.by_value != self.triples


@dataclass
class PushReport:
    endpoint: str
    graphs: list[GraphReport] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{g.graph}: {g.triples} triples by {g.method} in {g.seconds:.2f} s; store holds {g.remote}"
                 + (f" (by value: {g.triples - g.remote} triple(s) differ only in a value's datatype or lexical "
                    "form, such as xsd:positiveInteger for xsd:integer, which the store keeps by value)"
                    if g.narrowed else "")
                 for g in self.graphs]
        total = sum(g.triples for g in self.graphs)
        by_value = " (compared by value)" if any(g.narrowed for g in self.graphs) else ""
        lines.append(f"pushed {total} triples in {len(self.graphs)} graph(s) to {self.endpoint}; counts match{by_value}")
        return "\n".join(lines)


#: XSD datatypes whose literals a store may keep by value (Oxigraph: oxigraph/oxigraph#1413)
_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                 "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
                                 "unsignedShort", "unsignedByte")}
_DECIMALS = {_XSD + t for t in ("decimal", "double", "float")}


def value_key(term):
    """*term*, or for a number or boolean literal its value (the integer types as one type), so
    that two literals a store keeping values would merge have one key."""
    if not isinstance(term, Literal) or term.datatype is None:
        return term
    dt, lexical = str(term.datatype), str(term).strip()
    try:
        if dt in _INTEGERS:
            return ("integer", int(lexical))
        if dt in _DECIMALS:
            return ("decimal" if dt == _XSD + "decimal" else "double", Decimal(lexical).normalize())
    except (ValueError, ArithmeticError):
        return term
    if dt == _XSD + "boolean" and lexical in ("true", "false", "1", "0"):
        return ("boolean", lexical in ("true", "1"))
    return term


def count_by_value(graph) -> int:
    """How many triples *graph* holds when literals are compared by value (:func:`value_key`)."""
    return len({(s, p, value_key(o)) for s, p, o in graph})


_NO_GSP = {404, 405, 501}


def select_graphs(names: list[str] | None, ds: Dataset | None = None) -> list[URIRef]:
    """The build graphs to push: all of *ds*'s (the four and the cited sources'), or those named
    (full IRIs, or ontology/asserted/provenance/inferred/source/<slug>)."""
    from kg.store.rdflib_store import dataset_graphs

    known = [URIRef(g) for g in dataset_graphs(ds)] if ds is not None else list(GRAPHS)
    if not names:
        return known
    out = []
    short = {str(g).removeprefix(GRAPH): g for g in known}
    for n in names:
        g = short.get(n) or next((x for x in known if str(x) == n), None)
        if g is None:
            raise KgError(f"--graph {n!r} is not a graph of the build (known: {', '.join(str(x) for x in known)})")
        if g not in out:
            out.append(g)
    return out


def pushed_graph(ds: Dataset, iri: URIRef) -> Graph:
    """The triples ``kg push`` writes to *iri*: the build's graph of that name, or for
    :data:`~kg.core.iris.GRAPH_UNION` the set union of every graph of the build."""
    from kg.store.rdflib_store import union_graph

    return union_graph(ds, None if str(iri) == GRAPH_UNION else [iri])


def graph_payload(ds: Dataset, iri: URIRef) -> tuple[bytes, int]:
    """A graph as N-Triples (also valid Turtle, which every store reads) and its size."""

    g = pushed_graph(ds, iri)
    if len(g) == 0:
        return b"", 0
    return serialize(g, "nt"), len(g)


def push(ds: Dataset, endpoints: Endpoints, auth: Auth, graphs: list[URIRef] | None = None,
         batch_size: int = 2000, timeout: float = 120.0, use_gsp: bool = True, progress=None) -> PushReport:
    """Load each graph of *ds* (or those in *graphs*) into the store, and then their union as
    :data:`~kg.core.iris.GRAPH_UNION`, the default graph :class:`RemoteClient` names; then check
    the store's counts (KgError on mismatch).

    The union is the set union of the whole build, whatever *graphs* selects, so that the store's
    default graph stays the build's: a store given several ``default-graph-uri`` graphs merges
    them as a bag (Oxigraph and Virtuoso do), and a fact two sources state would come back twice.
    """
    with Http(auth, timeout) as http:
        report = _push(http, ds, endpoints, [*(graphs or select_graphs(None, ds)), URIRef(GRAPH_UNION)],
                       batch_size, use_gsp, progress)
    for rep in report.graphs:
        if rep.remote != rep.triples:
            rep.by_value = count_by_value(pushed_graph(ds, URIRef(rep.graph)))
    wrong = [f"{rep.graph}: store holds {rep.remote}, the local build has {rep.triples}"
             + (f" ({rep.by_value} by value)" if rep.by_value != rep.triples else "")
             for rep in report.graphs if not rep.matches]
    if wrong:
        raise KgError("push incomplete: the store's triple counts differ from the local build:\n  " + "\n  ".join(wrong))
    return report


def _push(http: Http, ds: Dataset, endpoints: Endpoints, graphs, batch_size: int, use_gsp: bool, progress) -> PushReport:
    report = PushReport(endpoints.query)
    gsp = use_gsp and endpoints.store is not None
    for iri in graphs:
        payload, n = graph_payload(ds, iri)
        t0 = time.perf_counter()
        method = "PUT"
        if gsp:
            done = _put_graph(http, endpoints, iri, payload)
            if done:
                _drop_leftover(http, endpoints, iri)
            else:
                gsp = False  # the store lacks the Graph Store Protocol: SPARQL Update from here on
        if not gsp:
            method = "UPDATE"
            _update_graph(http, endpoints, ds, iri, batch_size)
        rep = GraphReport(str(iri), n, method, time.perf_counter() - t0)
        report.graphs.append(rep)
        if progress:
            progress(f"{iri}: {n} triples by {method} in {rep.seconds:.2f} s")
    counts = RemoteClient(endpoints.query, dataset=False, http=http).counts([URIRef(g.graph) for g in report.graphs])
    for rep in report.graphs:
        rep.remote = counts.get(rep.graph, 0)
    return report


def _put_graph(http: Http, ep: Endpoints, iri: URIRef, payload: bytes) -> bool:
    """Graph Store PUT; False when the store has no such protocol."""
    url = f"{ep.store}?{urlencode({ep.graph_key: str(iri)})}"
    if payload:
        resp = http.request("PUT", url, payload, {"Content-Type": "text/turtle; charset=utf-8"})
    else:
        resp = http.request("DELETE", url)
        if resp.status_code == 404:  # nothing to delete: already empty
            return True
    if resp.status_code in (200, 201, 204):
        return True
    if resp.status_code in _NO_GSP:
        return False
    http.fail(resp, ep.store, f"PUT <{iri}>")
    return False


def _incoming(iri: URIRef) -> URIRef:
    """The temporary graph a SPARQL Update push builds before its MOVE."""
    return URIRef(f"{iri}-kg-push-incoming")


def _drop_leftover(http: Http, ep: Endpoints, iri: URIRef) -> None:
    """Remove the temporary graph an interrupted SPARQL Update push may have left."""
    url = f"{ep.store}?{urlencode({ep.graph_key: str(_incoming(iri))})}"
    resp = http.request("DELETE", url)
    if resp.status_code not in (200, 204, 404):
        http.fail(resp, ep.store, f"DELETE <{_incoming(iri)}>")


def _update(http: Http, ep: Endpoints, text: str, what: str) -> None:
    if not ep.update:
        raise KgError(f"{what}: the store has no Graph Store Protocol and no update endpoint is known (give --update-endpoint)")
    resp = http.request("POST", ep.update, text.encode("utf-8"), {"Content-Type": "application/sparql-update; charset=utf-8"})
    if resp.status_code in (200, 201, 204):
        return
    if resp.status_code == 415:  # some stores only take the form encoding
        resp = http.request("POST", ep.update, data={"update": text})
        if resp.status_code in (200, 201, 204):
            return
    http.fail(resp, ep.update, what)


def _batches(graph, size: int):
    """Triples in batches; triples sharing a blank node stay in one batch (they must be in one INSERT DATA)."""
    plain, linked = [], []
    parent: dict = {}

    def find(x):
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for t in graph:
        nodes = [x for x in (t[0], t[2]) if isinstance(x, BNode)]
        if not nodes:
            plain.append(t)
            continue
        for x in nodes:
            parent.setdefault(x, x)
        if len(nodes) == 2:
            a, b = find(nodes[0]), find(nodes[1])
            if a != b:
                parent[a] = b
        linked.append((t, nodes[0]))
    groups: dict = {}
    for t, node in linked:
        groups.setdefault(find(node), []).append(t)
    chunks = [[t] for t in sorted(plain)] + [sorted(g) for g in groups.values()]
    batch: list = []
    for chunk in chunks:
        if batch and len(batch) + len(chunk) > size:
            yield batch
            batch = []
        batch.extend(chunk)
    if batch:
        yield batch


#: triples per INSERT template (the batches with blank nodes)
TEMPLATE_BATCH = 100


def _update_graph(http: Http, ep: Endpoints, ds: Dataset, iri: URIRef, batch_size: int) -> None:
    """Rebuild *iri* by SPARQL Update: batches into a temporary graph, then one MOVE over the target."""
    tmp = _incoming(iri)
    _update(http, ep, f"DROP SILENT GRAPH {n3(tmp)}", f"clear <{tmp}>")
    graph = pushed_graph(ds, iri)
    if len(graph) == 0:
        _update(http, ep, f"DROP SILENT GRAPH {n3(iri)}", f"clear <{iri}>")
        return
    ground = [t for t in graph if not any(isinstance(x, BNode) for x in t)]
    blank = [t for t in graph if any(isinstance(x, BNode) for x in t)]
    for batch in _batches(ground, batch_size):
        body = "\n".join(f"{n3(s)} {n3(p)} {n3(o)} ." for s, p, o in batch)
        _update(http, ep, f"INSERT DATA {{ GRAPH {n3(tmp)} {{\n{body}\n}} }}", f"INSERT DATA into <{tmp}>")
    # triples with blank nodes go as a template with an empty WHERE, which makes fresh blank nodes
    # as INSERT DATA would: Virtuoso refuses blank nodes in INSERT DATA ("not allowed in a constant
    # clause"), and compiles a template into SQL, so these batches are kept small
    for batch in _batches(blank, min(batch_size, TEMPLATE_BATCH)):
        body = "\n".join(f"{n3(s)} {n3(p)} {n3(o)} ." for s, p, o in batch)
        _update(http, ep, f"INSERT {{ GRAPH {n3(tmp)} {{\n{body}\n}} }} WHERE {{}}", f"INSERT into <{tmp}>")
    _update(http, ep, f"MOVE SILENT GRAPH {n3(tmp)} TO GRAPH {n3(iri)}", f"MOVE <{tmp}> TO <{iri}>")


def remote_counts(query_url: str, auth: Auth, graphs: list[URIRef], timeout: float = 60.0) -> dict[str, int]:
    """Triples per named graph, as the store counts them."""
    with Http(auth, timeout) as http:
        return RemoteClient(query_url, dataset=False, http=http).counts(graphs)


# --- remote queries ----------------------------------------------------------------------------


def inject_values(text: str, bindings: dict) -> str:
    """*text* with *bindings* as a ``VALUES`` block (the boundary's :func:`kg.sparql.boundary.bind`)."""

    return bind(text, bindings)


def with_prefixes(text: str) -> str:
    """*text* with PREFIX lines for the project's prefixes it uses (:func:`kg.sparql.boundary.with_prefixes`)."""

    return add(text)


class RemoteClient:
    """SPARQL 1.1 Protocol queries on a store's query endpoint, over :class:`Http`.

    Every request names the build's graphs (``default-graph-uri``, ``named-graph-uri``)
    unless ``dataset=False``, asks for one format by ``Accept``, and is a GET, or a
    form-encoded POST when the query is long.
    """

    POST_OVER = 1500  # characters: longer queries are sent by POST

    def __init__(self, url: str, auth: Auth | None = None, timeout: float = 60.0, dataset: bool = True,
                 graphs=GRAPHS, http: Http | None = None):
        self.url = url
        self.http = http or Http(auth, timeout)
        self.auth = self.http.auth
        self.timeout = self.http.timeout
        self.graphs = list(graphs) if dataset else []
        #: the build's graphs are the four fixed ones and one per cited source: found on first use,
        #: with whether the store holds the union ``kg push`` writes (:meth:`dataset`)
        self._discovering = dataset and graphs is GRAPHS
        self._union = False

    def _discover(self) -> tuple[list[str], bool]:
        """The cited sources' graphs the store holds (from the sources its provenance graph
        lists), and whether it holds the union ``kg push`` writes: one request."""
        query = (f"SELECT DISTINCT ?source WHERE {{ {{ GRAPH <{GRAPH_PROVENANCE}> {{ ?source a <{VOCAB}CitedSource> }} }} "
                 f"UNION {{ SELECT (<{GRAPH_UNION}> AS ?source) WHERE {{ GRAPH <{GRAPH_UNION}> {{ ?s ?p ?o }} }} LIMIT 1 }} }}")
        params = [("query", query)]
        resp = self.http.request("GET", self.url, headers={"Accept": "application/sparql-results+json"}, params=params)
        if not resp.is_success:
            self.http.fail(resp, self.url)
        try:
            rows = json.loads(resp.content)["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as exc:
            raise KgError(f"the store at {self.url} sent unreadable results: {exc}") from None
        found = [r.get("source", {}).get("value", "") for r in rows]
        slugs = sorted(v[len(SOURCE_RESOURCE):] for v in found if v.startswith(SOURCE_RESOURCE))
        return [SOURCE_GRAPH + slug for slug in slugs if slug], GRAPH_UNION in found

    def dataset(self, default_graph=None, named_graphs=None) -> list[tuple[str, str]]:
        """The protocol's dataset parameters for a request: *default_graph* / *named_graphs* when
        the query names its own dataset (FROM, or the protocol's parameters handed on); else the
        build's graphs as named graphs and, as the default graph, the union ``kg push`` wrote
        (or, on a store loaded otherwise, every build graph)."""
        if self._discovering:
            self._discovering = False
            sources, self._union = self._discover()
            self.graphs += [g for g in sources if g not in self.graphs]
        if default_graph is not None or named_graphs is not None:
            # an empty side is named by a graph that never holds a triple: Virtuoso fills a side
            # the request leaves out with every graph it has, where the protocol means none
            return ([("default-graph-uri", str(g)) for g in default_graph or [GRAPH_NONE]]
                    + [("named-graph-uri", str(g)) for g in named_graphs or [GRAPH_NONE]])
        default = [GRAPH_UNION] if self._union else self.graphs
        return [("default-graph-uri", str(g)) for g in default] + [("named-graph-uri", str(g)) for g in self.graphs]

    def _send(self, text: str, accept: str, default_graph=None, named_graphs=None) -> tuple[bytes, str]:
        params = [("query", text)]
        if self.graphs or self._discovering:
            params += self.dataset(default_graph, named_graphs)
        headers = {"Accept": accept}
        if len(text) > self.POST_OVER:
            resp = self.http.request("POST", self.url, urlencode(params).encode("ascii"),
                                     {**headers, "Content-Type": "application/x-www-form-urlencoded"})
        else:
            resp = self.http.request("GET", self.url, headers=headers, params=params)
        if not resp.is_success:
            self.http.fail(resp, self.url)
        return resp.content, resp.headers.get("Content-Type", "")

    def select(self, text: str, default_graph=None, named_graphs=None):
        """SELECT or ASK: an rdflib Result, parsed from SPARQL JSON results."""

        data, ctype = self._send(text, "application/sparql-results+json", default_graph, named_graphs)
        try:
            return Result.parse(io.BytesIO(data), format="json")
        except Exception as exc:
            raise KgError(f"the store at {self.url} sent unreadable results ({ctype or 'no content type'}): {exc}") from None

    def graph(self, text: str, default_graph=None, named_graphs=None) -> Graph:
        """CONSTRUCT or DESCRIBE: a Graph, parsed from N-Triples (or Turtle)."""
        data, ctype = self._send(text, "application/n-triples, text/turtle;q=0.9", default_graph, named_graphs)
        fmt = "nt" if "n-triples" in ctype or "text/plain" in ctype else "turtle"
        g = Graph()
        try:
            g.parse(data=data, format=fmt)
        except Exception as exc:
            raise KgError(f"the store at {self.url} sent an unreadable graph ({ctype}): {exc}") from None
        return g

    def counts(self, graphs) -> dict[str, int]:
        """Triples per named graph in *graphs*, as the store counts them."""

        text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        result = self.select(inject_values(text, {"g": list(graphs)}))
        return {str(row[Variable("g")]): int(row[Variable("n")]) for row in result.bindings}

    def query(self, text: str, initNs=None, initBindings=None):
        """``Graph.query``'s shape, run remotely (for callers that hold a client)."""
        text = with_prefixes(inject_values(text, dict(initBindings or {})))
        return list(self.select(text))


class RemoteStore:
    """A remote SPARQL endpoint behind the store protocol (:class:`kg.store.Store`).

    The text it is handed has passed the boundary; it is syntax-checked here as in-process,
    its bindings become a ``VALUES`` block, the project's prefixes are added, and the
    build's graphs are named as the protocol's dataset in every request.
    """

    backend = "remote"
    shacl = "sparql"
    integers_by_value = True
    sorts_rows = False  # the remote store orders its own rows

    def __init__(self, url: str, auth: Auth | None = None, timeout: float = 60.0):
        self.client = RemoteClient(url, auth, timeout)

    def graphs(self):
        return None  # the remote store decides what FROM names

    def query(self, text: str, bindings: dict | None = None, *, source: str = "<query>",
              default_graph=None, named_graphs=None, max_rows=None):


        query = prepare(text, source)  # the same syntax check as in-process
        full = add_prefixes(bind(text, dict(bindings or {})))
        # the dataset the query names (FROM, or the protocol's parameters) is sent as the
        # protocol's parameters, which a store must prefer to the query's own FROM: so it means
        # what it means in-process, and not the build's union
        if query.algebra.name in ("ConstructQuery", "DescribeQuery"):
            result = Result("CONSTRUCT")
            result.graph = self.client.graph(full, default_graph, named_graphs)
            return result
        return self.client.select(full, default_graph, named_graphs)

    def objects(self, subject, predicate):

        res = self.client.select(bind("SELECT DISTINCT ?o WHERE { ?s ?p ?o }", {"s": subject, "p": predicate}))
        return [row[0] for row in res]

    def graph_sizes(self):
        counts = RemoteClient(self.client.url, dataset=False, http=self.client.http).counts(GRAPHS)
        return counts, sum(counts.values())


def run_remote(url: str, text: str, bindings: dict[str, str] | None = None, auth: Auth | None = None,
               timeout: float = 60.0, source: str = "<query>", params: dict | None = None):
    """Run a query on a remote store through the boundary; returns (rdflib Result, client)."""

    store = RemoteStore(url, auth, timeout)
    terms = {}
    for name, value in (bindings or {}).items():
        if params is not None and name not in params:  # None: an inline query, which declares none
            raise KgError(f"{source} has no parameter {name} "
                          f"({'it takes: ' + ', '.join(params) if params else 'it takes no parameters'})")
        terms[name] = to_term(store, value)
    return run(store, text, terms, source=source), store.client
