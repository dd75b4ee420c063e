"""Remote SPARQL stores: ``kg push`` loads the build into one, ``kg query --endpoint`` queries it.

Push uses the SPARQL 1.1 Graph Store Protocol: one HTTP ``PUT`` per named graph,
which replaces that graph atomically. A store without the protocol gets SPARQL
Update instead: the graph is built in batches of ``INSERT DATA`` into a
temporary graph, then ``MOVE``\\ d over the target in one operation, so an
interrupted push never leaves a half-loaded target graph. Afterwards the store
is asked how many triples each graph holds; any difference from the local build
fails the push. Running it again gives the same store (PUT and MOVE replace).

Queries go through SPARQLWrapper with an explicit ``Accept`` header, POST for
long queries, and a timeout. The request names the build's four graphs as
``default-graph-uri`` and ``named-graph-uri``, so every store answers with the
same dataset the in-process graph has: a default graph that is their union,
and the four graphs reachable with ``GRAPH`` (and none of the store's own
system graphs, such as Virtuoso's).

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

import base64
import io
import os
import re
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kg.core.errors import KgError
from kg.core.namespace import GRAPHS, PREFIXES
from kg.remote import AUTH_KINDS, ENV_AUTH, ENV_PASSWORD, ENV_TOKEN, ENV_USER

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


class Http:
    """A small urllib client that authenticates as *auth* says.

    Basic and bearer credentials are sent with the first request. Digest (what
    Virtuoso asks for) answers the server's challenge: a 401 with
    ``WWW-Authenticate: Digest ...`` is answered once, per RFC 7616 (MD5,
    MD5-sess or SHA-256, qop=auth). With ``auto`` the server's challenge picks
    Basic or Digest.
    """

    def __init__(self, auth: Auth, timeout: float = 60.0):
        self.auth = auth
        self.timeout = timeout
        self.opener = urllib.request.build_opener()

    def headers(self) -> dict[str, str]:
        h = {"User-Agent": "defence-kg (kg push)"}
        if self.auth.kind == "basic":
            h["Authorization"] = _basic(self.auth)
        elif self.auth.kind == "bearer":
            h["Authorization"] = f"Bearer {self.auth.token}"
        return h

    def _once(self, method, url, body, headers):
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as exc:
            try:
                data = exc.read()
            except Exception:
                data = b""
            return exc.code, exc.headers, data
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise KgError(f"the store at {url} did not answer within {self.timeout:g} s") from None
            raise KgError(f"cannot reach the store at {url}: {reason}") from None

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict | None = None):
        """Send one request; returns (status, headers, body) for any HTTP status, raises KgError when unreachable."""
        h = self.headers()
        h.update(headers or {})
        status, rh, data = self._once(method, url, body, h)
        if status == 401 and self.auth.kind in ("auto", "digest") and rh is not None:
            challenges = rh.get_all("WWW-Authenticate") or []
            digest = next((c for c in challenges if c.strip().lower().startswith("digest")), None)
            basic = next((c for c in challenges if c.strip().lower().startswith("basic")), None)
            if digest:
                h["Authorization"] = _digest(digest, self.auth, method, url)
            elif basic and self.auth.kind == "auto":
                h["Authorization"] = _basic(self.auth)
            else:
                return status, rh, data
            status, rh, data = self._once(method, url, body, h)
        return status, rh, data


def _basic(auth: Auth) -> str:
    return "Basic " + base64.b64encode(f"{auth.user}:{auth.password}".encode()).decode()


def _challenge_params(challenge: str) -> dict[str, str]:
    rest = challenge.strip().split(None, 1)[1] if " " in challenge.strip() else ""
    out = {}
    for m in re.finditer(r'([\w-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]+)', rest):
        out[m.group(1).lower()] = m.group(3) if m.group(3) is not None else m.group(2)
    return out


def _digest(challenge: str, auth: Auth, method: str, url: str) -> str:
    import hashlib

    p = _challenge_params(challenge)
    algorithm = p.get("algorithm", "MD5")
    algo = algorithm.upper()
    hname = "sha256" if algo.startswith("SHA-256") else "md5"

    def H(text: str) -> str:
        return hashlib.new(hname, text.encode("utf-8")).hexdigest()

    realm, nonce = p.get("realm", ""), p.get("nonce", "")
    parts = urlsplit(url)
    uri = parts.path + (f"?{parts.query}" if parts.query else "")
    cnonce = os.urandom(8).hex()
    nc = "00000001"
    ha1 = H(f"{auth.user}:{realm}:{auth.password}")
    if algo.endswith("-SESS"):
        ha1 = H(f"{ha1}:{nonce}:{cnonce}")
    ha2 = H(f"{method}:{uri}")
    qops = [q.strip() for q in p.get("qop", "").split(",") if q.strip()]
    fields = [f'username="{auth.user}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"', f"algorithm={algorithm}"]
    if "auth" in qops:
        response = H(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    else:
        response = H(f"{ha1}:{nonce}:{ha2}")
    fields.append(f'response="{response}"')
    if "opaque" in p:
        fields.append(f'opaque="{p["opaque"]}"')
    return "Digest " + ", ".join(fields)


def _excerpt(body: bytes, limit: int = 300) -> str:
    text = body.decode("utf-8", "replace").strip()
    text = re.sub(r"<[^>]+>", " ", text) if text.lstrip().startswith("<") else text
    text = re.sub(r"\s+", " ", text)
    return text[:limit] + ("..." if len(text) > limit else "")


def _raise_for(status: int, body: bytes, what: str, url: str, auth: Auth) -> None:
    if status in (401, 407):
        raise KgError(f"{what}: the store at {url} refused the credentials (HTTP {status}; sent {auth.describe()}). "
                      f"Check --user/--password/--token and --auth (Virtuoso needs Digest)")
    if status == 403:
        raise KgError(f"{what}: the store at {url} forbids this (HTTP 403): {_excerpt(body)}")
    raise KgError(f"{what}: the store at {url} answered HTTP {status}: {_excerpt(body)}")


# --- push --------------------------------------------------------------------------------------


@dataclass
class GraphReport:
    graph: str
    triples: int
    method: str        # "PUT" or "UPDATE"
    seconds: float
    remote: int = -1   # the store's count afterwards


@dataclass
class PushReport:
    endpoint: str
    graphs: list[GraphReport] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{g.graph}: {g.triples} triples by {g.method} in {g.seconds:.2f} s; store holds {g.remote}"
                 for g in self.graphs]
        total = sum(g.triples for g in self.graphs)
        lines.append(f"pushed {total} triples in {len(self.graphs)} graph(s) to {self.endpoint}; counts match")
        return "\n".join(lines)


_NO_GSP = {404, 405, 501}


def select_graphs(names: list[str] | None) -> list[URIRef]:
    """The build graphs to push: all four, or those named (full IRIs or ontology/asserted/...)."""
    if not names:
        return list(GRAPHS)
    out = []
    short = {str(g).rsplit("/", 1)[-1]: g for g in GRAPHS}
    for n in names:
        g = short.get(n) or next((x for x in GRAPHS if str(x) == n), None)
        if g is None:
            raise KgError(f"--graph {n!r} is not a graph of the build (known: {', '.join(str(x) for x in GRAPHS)})")
        if g not in out:
            out.append(g)
    return out


def graph_payload(ds: Dataset, iri: URIRef) -> tuple[bytes, int]:
    """A graph as N-Triples (also valid Turtle, which every store reads) and its size."""
    from kg.core.rdfio import serialize

    g = Graph()
    for t in ds.graph(iri):
        g.add(t)
    if len(g) == 0:
        return b"", 0
    return serialize(g, "nt"), len(g)


def push(ds: Dataset, endpoints: Endpoints, auth: Auth, graphs: list[URIRef] | None = None,
         batch_size: int = 2000, timeout: float = 120.0, use_gsp: bool = True, progress=None) -> PushReport:
    """Load each graph of *ds* into the store, then check the store's counts (KgError on mismatch)."""
    http = Http(auth, timeout)
    report = PushReport(endpoints.query)
    gsp = use_gsp and endpoints.store is not None
    for iri in graphs or list(GRAPHS):
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
    counts = remote_counts(endpoints.query, auth, [URIRef(g.graph) for g in report.graphs], timeout)
    wrong = []
    for rep in report.graphs:
        rep.remote = counts.get(rep.graph, 0)
        if rep.remote != rep.triples:
            wrong.append(f"{rep.graph}: store holds {rep.remote}, the local build has {rep.triples}")
    if wrong:
        raise KgError("push incomplete: the store's triple counts differ from the local build:\n  " + "\n  ".join(wrong))
    return report


def _put_graph(http: Http, ep: Endpoints, iri: URIRef, payload: bytes) -> bool:
    """Graph Store PUT; False when the store has no such protocol."""
    url = f"{ep.store}?{urlencode({ep.graph_key: str(iri)})}"
    if payload:
        status, _, body = http.request("PUT", url, payload, {"Content-Type": "text/turtle; charset=utf-8"})
    else:
        status, _, body = http.request("DELETE", url)
        if status == 404:  # nothing to delete: already empty
            return True
    if status in (200, 201, 204):
        return True
    if status in _NO_GSP:
        return False
    _raise_for(status, body, f"PUT <{iri}>", ep.store, http.auth)
    return False


def _incoming(iri: URIRef) -> URIRef:
    """The temporary graph a SPARQL Update push builds before its MOVE."""
    return URIRef(f"{iri}-kg-push-incoming")


def _drop_leftover(http: Http, ep: Endpoints, iri: URIRef) -> None:
    """Remove the temporary graph an interrupted SPARQL Update push may have left."""
    url = f"{ep.store}?{urlencode({ep.graph_key: str(_incoming(iri))})}"
    status, _, body = http.request("DELETE", url)
    if status not in (200, 204, 404):
        _raise_for(status, body, f"DELETE <{_incoming(iri)}>", ep.store, http.auth)


def _update(http: Http, ep: Endpoints, text: str, what: str) -> None:
    if not ep.update:
        raise KgError(f"{what}: the store has no Graph Store Protocol and no update endpoint is known (give --update-endpoint)")
    status, _, body = http.request("POST", ep.update, text.encode("utf-8"),
                                   {"Content-Type": "application/sparql-update; charset=utf-8"})
    if status in (200, 201, 204):
        return
    if status == 415:  # some stores only take the form encoding
        status, _, body = http.request("POST", ep.update, urlencode({"update": text}).encode("utf-8"),
                                       {"Content-Type": "application/x-www-form-urlencoded"})
        if status in (200, 201, 204):
            return
    _raise_for(status, body, what, ep.update, http.auth)


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


def _update_graph(http: Http, ep: Endpoints, ds: Dataset, iri: URIRef, batch_size: int) -> None:
    """Rebuild *iri* by SPARQL Update: batches into a temporary graph, then one MOVE over the target."""
    tmp = _incoming(iri)
    _update(http, ep, f"DROP SILENT GRAPH {tmp.n3()}", f"clear <{tmp}>")
    graph = ds.graph(iri)
    if len(graph) == 0:
        _update(http, ep, f"DROP SILENT GRAPH {iri.n3()}", f"clear <{iri}>")
        return
    for batch in _batches(graph, batch_size):
        body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in batch)
        _update(http, ep, f"INSERT DATA {{ GRAPH {tmp.n3()} {{\n{body}\n}} }}", f"INSERT DATA into <{tmp}>")
    _update(http, ep, f"MOVE SILENT GRAPH {tmp.n3()} TO GRAPH {iri.n3()}", f"MOVE <{tmp}> TO <{iri}>")


def remote_counts(query_url: str, auth: Auth, graphs: list[URIRef], timeout: float = 60.0) -> dict[str, int]:
    """Triples per named graph, as the store counts them."""
    from rdflib import Variable

    text = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    client = RemoteClient(query_url, auth, timeout, dataset=False)
    result = client.select(inject_values(text, {"g": list(graphs)}))
    out = {}
    for row in result.bindings:
        out[str(row[Variable("g")])] = int(row[Variable("n")])
    return out


# --- remote queries ----------------------------------------------------------------------------


def inject_values(text: str, bindings: dict) -> str:
    """*text* with *bindings* as a ``VALUES`` block (the boundary's :func:`kg.sparql.boundary.bind`)."""
    from kg.sparql.boundary import bind

    return bind(text, bindings)


def with_prefixes(text: str) -> str:
    """*text* with PREFIX lines for the project's prefixes it uses (:func:`kg.sparql.boundary.with_prefixes`)."""
    from kg.sparql.boundary import with_prefixes as add

    return add(text)


class RemoteClient:
    """SPARQLWrapper on a store's query endpoint, with the build's dataset named in every request."""

    POST_OVER = 1500  # characters: longer queries are sent by POST

    def __init__(self, url: str, auth: Auth | None = None, timeout: float = 60.0, dataset: bool = True,
                 graphs=GRAPHS):
        self.url = url
        self.auth = auth or Auth()
        self.timeout = timeout
        self.graphs = list(graphs) if dataset else []

    def _wrapper(self, text: str, accept: str, fmt: str):
        from SPARQLWrapper import BASIC, DIGEST, GET, POST, URLENCODED, SPARQLWrapper

        sw = SPARQLWrapper(self.url, agent="defence-kg (kg query)")
        sw.setOnlyConneg(True)
        sw.setReturnFormat(fmt)
        sw.setTimeout(int(max(1, round(self.timeout))))
        for g in self.graphs:
            sw.addDefaultGraph(str(g))
            sw.addNamedGraph(str(g))
        if len(text) > self.POST_OVER:
            sw.setMethod(POST)
            sw.setRequestMethod(URLENCODED)
        else:
            sw.setMethod(GET)
        if self.auth.kind in ("basic", "digest", "auto"):
            sw.setHTTPAuth(DIGEST if self.auth.kind == "digest" else BASIC)
            sw.setCredentials(self.auth.user, self.auth.password)
        elif self.auth.kind == "bearer":
            sw.addCustomHttpHeader("Authorization", f"Bearer {self.auth.token}")
        sw.addCustomHttpHeader("Accept", accept)
        sw.setQuery(text)
        return sw

    def _send(self, text: str, accept: str, fmt: str) -> tuple[bytes, str]:
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        sw = self._wrapper(text, accept, fmt)
        try:
            resp = sw.query()
            data = resp.response.read()
            ctype = resp.response.headers.get("Content-Type", "")
        except SPARQLWrapperException as exc:
            msg = str(exc).split("Response:", 1)
            detail = _excerpt(msg[1].encode()) if len(msg) > 1 else ""
            name = type(exc).__name__
            if name == "Unauthorized":
                raise KgError(f"the store at {self.url} refused the credentials (HTTP 401; sent {self.auth.describe()})") from None
            if name == "EndPointNotFound":
                raise KgError(f"no SPARQL endpoint at {self.url} (HTTP 404)") from None
            if name == "QueryBadFormed":
                raise KgError(f"the store at {self.url} rejected the query: {detail or exc}") from None
            raise KgError(f"the store at {self.url} failed: {detail or exc}") from None
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 407):
                raise KgError(f"the store at {self.url} refused the credentials (HTTP {exc.code}; sent {self.auth.describe()})") from None
            raise KgError(f"the store at {self.url} answered HTTP {exc.code}: {_excerpt(exc.read() or b'')}") from None
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, (socket.timeout, TimeoutError)) or isinstance(exc, (socket.timeout, TimeoutError)):
                raise KgError(f"the store at {self.url} did not answer within {self.timeout:g} s") from None
            raise KgError(f"cannot reach the store at {self.url}: {reason}") from None
        return data, ctype

    def select(self, text: str):
        """SELECT or ASK: an rdflib Result, parsed from SPARQL JSON results."""
        from rdflib.query import Result
        from SPARQLWrapper import JSON

        data, ctype = self._send(text, "application/sparql-results+json", JSON)
        try:
            return Result.parse(io.BytesIO(data), format="json")
        except Exception as exc:
            raise KgError(f"the store at {self.url} sent unreadable results ({ctype or 'no content type'}): {exc}") from None

    def graph(self, text: str) -> Graph:
        """CONSTRUCT or DESCRIBE: a Graph, parsed from N-Triples (or Turtle)."""
        from SPARQLWrapper import TURTLE

        data, ctype = self._send(text, "application/n-triples, text/turtle;q=0.9", TURTLE)
        fmt = "nt" if "n-triples" in ctype or "text/plain" in ctype else "turtle"
        g = Graph()
        try:
            g.parse(data=data, format=fmt)
        except Exception as exc:
            raise KgError(f"the store at {self.url} sent an unreadable graph ({ctype}): {exc}") from None
        return g

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

    def __init__(self, url: str, auth: Auth | None = None, timeout: float = 60.0):
        self.client = RemoteClient(url, auth, timeout)

    def graphs(self):
        return None  # the remote store decides what FROM names

    def query(self, text: str, bindings: dict | None = None, *, source: str = "<query>",
              default_graph=None, named_graphs=None, max_rows=None):
        from rdflib.query import Result

        from kg.sparql.boundary import bind
        from kg.sparql.boundary import with_prefixes as add_prefixes
        from kg.store.rdflib_store import prepare

        query = prepare(text, source)  # the same syntax check as in-process
        full = add_prefixes(bind(text, dict(bindings or {})))
        if query.algebra.name in ("ConstructQuery", "DescribeQuery"):
            result = Result("CONSTRUCT")
            result.graph = self.client.graph(full)
            return result
        return self.client.select(full)

    def objects(self, subject, predicate):
        from kg.sparql.boundary import bind

        res = self.client.select(bind("SELECT DISTINCT ?o WHERE { ?s ?p ?o }", {"s": subject, "p": predicate}))
        return [row[0] for row in res]

    def graph_sizes(self):
        counts = remote_counts(self.client.url, self.client.auth, list(GRAPHS), self.client.timeout)
        return counts, sum(counts.values())


def run_remote(url: str, text: str, bindings: dict[str, str] | None = None, auth: Auth | None = None,
               timeout: float = 60.0, source: str = "<query>", params: dict | None = None):
    """Run a query on a remote store through the boundary; returns (rdflib Result, client)."""
    from kg.sparql import run
    from kg.sparql.labels import to_term

    store = RemoteStore(url, auth, timeout)
    terms = {}
    for name, value in (bindings or {}).items():
        if params and name not in params:
            raise KgError(f"{source} has no parameter {name} (it takes: {', '.join(params)})")
        terms[name] = to_term(store, value)
    return run(store, text, terms, source=source), store.client
