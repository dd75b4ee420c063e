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

from .errors import KgError
from .namespace import GRAPHS, PREFIXES
from .options import AUTH_KINDS, ENV_AUTH, ENV_PASSWORD, ENV_TOKEN, ENV_USER, add_auth_options

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
    from .rdfio import serialize

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
    """*text* with a ``VALUES`` block for *bindings* at the start of its WHERE group.

    Each value is an RDF term (or a list of terms, one row each) written with its
    own N-Triples syntax, so a user's value cannot change the query's shape. At
    the start of the group the block binds the variables before the rest of the
    pattern, as the in-process ``initBindings`` do.
    """
    if not bindings:
        return text
    names = list(bindings)
    for n in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n):
            raise KgError(f"bad variable name {n!r}")
    columns = [v if isinstance(v, list) else [v] for v in bindings.values()]
    if len(names) == 1:
        block = f"VALUES ?{names[0]} {{ {' '.join(_term(t) for t in columns[0])} }}"
    else:
        if len({len(c) for c in columns}) != 1:
            raise KgError("bindings of different lengths")
        rows = " ".join("(" + " ".join(_term(t) for t in row) + ")" for row in zip(*columns))
        block = f"VALUES ({' '.join('?' + n for n in names)}) {{ {rows} }}"
    pos = _where_brace(text)
    if pos is None:
        return f"{text}\n{block}\n"  # a trailing VALUES clause
    return f"{text[:pos + 1]} {block}\n{text[pos + 1:]}"


def _term(t) -> str:
    if isinstance(t, URIRef):
        if re.search(r'[\x00-\x20<>"{}|^`\\]', str(t)):
            raise KgError(f"not a valid IRI: {str(t)!r}")
        return t.n3()
    if isinstance(t, Literal):
        return t.n3()
    raise KgError(f"cannot bind {t!r}: only IRIs and literals")


_TOKEN = re.compile(r'''("""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|\#[^\n]*|\bWHERE\b|\{)''', re.I)


def _where_brace(text: str) -> int | None:
    """Index of the ``{`` opening the WHERE group (skipping strings, IRIs and comments)."""
    first_brace = None
    after_where = False
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok.upper() == "WHERE":
            after_where = True
        elif tok == "{":
            if after_where:
                return m.start()
            if first_brace is None:
                first_brace = m.start()
    if re.match(r"\s*(PREFIX|BASE|#|SELECT|ASK|DESCRIBE)", _strip_comments(text), re.I) and first_brace is not None:
        head = _strip_comments(text)
        if not re.search(r"\bCONSTRUCT\b", head, re.I):
            return first_brace
    return None


def _strip_comments(text: str) -> str:
    return "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))


def with_prefixes(text: str) -> str:
    """*text* with PREFIX lines for the project's prefixes it uses but does not declare (as in-process)."""
    declared = {m.group(1) for m in re.finditer(r"\bPREFIX\s+([A-Za-z][\w.-]*|):", text, re.I)}
    body = _strip_comments(text)
    missing = [p for p in PREFIXES if p not in declared and re.search(rf"(?<![\w<#]){re.escape(p)}:", body)]
    if not missing:
        return text
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in missing) + text


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
        """The shape of ``Graph.query`` that :func:`kg.queries.to_term` uses, run remotely."""
        text = with_prefixes(inject_values(text, dict(initBindings or {})))
        return list(self.select(text))

    def labels(self, terms) -> Graph:
        """rdfs:label triples of *terms*, for the table format."""
        from rdflib.namespace import RDFS

        iris = sorted({t for t in terms if isinstance(t, URIRef)})
        g = Graph()
        for i in range(0, len(iris), 200):
            chunk = iris[i:i + 200]
            res = self.select(inject_values("SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
                                            {"s": chunk}))
            for row in res:
                g.add((row[0], RDFS.label, row[1]))
        return g


def run_remote(url: str, text: str, bindings: dict[str, str] | None = None, auth: Auth | None = None,
               timeout: float = 60.0, source: str = "<query>", params: dict | None = None):
    """Run a query on a remote store; returns (rdflib Result, client). Values become terms as in-process."""
    from rdflib.query import Result

    from .queries import prepare, to_term

    query = prepare(text, source)  # the same syntax check (and SERVICE refusal) as in-process
    client = RemoteClient(url, auth, timeout)
    terms = {}
    for name, value in (bindings or {}).items():
        if params and name not in params:
            raise KgError(f"{source} has no parameter {name} (it takes: {', '.join(params)})")
        terms[name] = to_term(client, value)
    full = with_prefixes(inject_values(text, terms))
    if query.algebra.name in ("ConstructQuery", "DescribeQuery"):
        result = Result("CONSTRUCT")
        result.graph = client.graph(full)
        return result, client
    return client.select(full), client


def query_remote_cli(args, query) -> int:
    """``kg query NAME --endpoint URL``: the CLI side (called from kg.cli.cmd_query)."""
    from .queries import format_result

    bindings = {}
    for item in args.bind or []:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise KgError(f"--bind takes NAME=VALUE, got {item!r}")
        bindings[name.strip().lstrip("?$")] = value
    auth = Auth.from_options(getattr(args, "auth", None), getattr(args, "user", None),
                             getattr(args, "password", None), getattr(args, "token", None))
    result, client = run_remote(args.endpoint, query.text, bindings, auth, getattr(args, "timeout", 60.0) or 60.0,
                                str(query.path), query.params or None)
    labels = None
    if args.format == "table" and result.type == "SELECT":
        labels = client.labels(t for row in result for t in row if t is not None)
    print(format_result(result, args.format, labels))
    return 0


# --- result comparison across routes -------------------------------------------------------------

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
                return ("num", str(Decimal(str(t).strip()).normalize()))
            except InvalidOperation:
                return ("lit", str(t), str(dt))
        if dt == XSD.date:
            return ("lit", str(t).rstrip("Z"), str(dt))
        return ("lit", str(t), str(dt))
    return ("other", str(t))


def normalise_graph(graph: Graph) -> Graph:
    """A copy of *graph* with integer-typed literals as ``xsd:integer``, for comparing a store's copy.

    Oxigraph (and Virtuoso) store ``"5"^^xsd:positiveInteger`` as ``"5"^^xsd:integer``:
    the value is kept, the derived type is not.
    """
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in _INTEGER_TYPES:
            try:
                o = Literal(str(int(str(o).strip())), datatype=XSD.integer)
            except ValueError:
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


# --- CLI ----------------------------------------------------------------------------------------------


def cmd_push(args) -> int:
    import sys

    from .build import NQUADS_NAME, get_dataset
    from .resources import default_build_dir

    bdir = Path(args.build_dir) if args.build_dir else default_build_dir()
    if not (bdir / NQUADS_NAME).is_file():
        print(f"kg: no build in {bdir}/; building in memory (run `kg build` to keep it)", file=sys.stderr)
    endpoints = endpoints_for(args.endpoint, args.store, args.update_endpoint, args.graph_store)
    auth = Auth.from_options(args.auth, args.user, args.password, args.token)
    ds = get_dataset(bdir, args.engine)
    if args.batch_size < 1:
        raise KgError("--batch-size must be positive")
    report = push(ds, endpoints, auth, select_graphs(args.graph), batch_size=args.batch_size,
                  timeout=args.timeout, use_gsp=not args.no_graph_store,
                  progress=lambda line: print(line, file=sys.stderr, flush=True))
    print(report.summary())
    return 0


def register_cli(sub, common) -> None:
    p = sub.add_parser("push", parents=[common], help="load the built graph into a SPARQL 1.1 store (Graph Store PUT)")
    p.add_argument("--endpoint", required=True, metavar="URL", help="the store's SPARQL query endpoint")
    p.add_argument("--graph", action="append", metavar="IRI",
                   help="push only this graph of the build (IRI, or ontology/asserted/provenance/inferred; repeatable; default all)")
    p.add_argument("--store", choices=STORES, default="auto", help="the store's URL layout (default: guessed from the URL)")
    p.add_argument("--update-endpoint", metavar="URL", help="SPARQL Update URL (default: from --store)")
    p.add_argument("--graph-store", metavar="URL", help="Graph Store Protocol URL (default: from --store)")
    p.add_argument("--no-graph-store", action="store_true", help="use SPARQL Update even if the store has the Graph Store Protocol")
    p.add_argument("--batch-size", type=int, default=2000, help="triples per INSERT DATA when using SPARQL Update (default 2000)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for each request (default 120)")
    add_auth_options(p)
    p.set_defaults(func=cmd_push)
