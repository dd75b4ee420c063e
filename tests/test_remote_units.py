"""The small pieces behind `kg serve` and `kg push`, without a server: negotiation, VALUES, HTTP auth, quirks."""

from __future__ import annotations

import base64
import hashlib
import socket
from urllib.parse import parse_qs, urlsplit
from urllib.request import parse_http_list, parse_keqv_list

import httpx
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from utils import normalise_term

from kg.core.errors import KgError
from kg.remote.client import Auth, Http, RemoteClient, endpoints_for, inject_values, select_graphs, with_prefixes
from kg.serve.negotiation import negotiate
from kg.store.rdflib_store import prepare

INDIA = URIRef("https://w3id.org/defence-kg/resource/India")


@pytest.mark.parametrize("accept, formats, kind, want", [
    (None, None, "results", "json"),
    ("*/*", None, "results", "json"),
    ("text/*", None, "results", "csv"),
    ("application/sparql-results+xml;q=0.9, text/csv", None, "results", "csv"),
    ("text/csv;q=0", None, "results", None),
    ("image/png", None, "results", None),
    (None, ["tsv"], "results", "tsv"),
    (None, ["text/tab-separated-values"], "results", "tsv"),
    ("text/csv", ["json"], "results", "json"),          # format= wins over Accept
    (None, ["nonsense"], "results", None),
    (None, None, "graph", "turtle"),
    ("application/n-triples", None, "graph", "nt"),
    ("application/ld+json", None, "graph", "jsonld"),
    ("application/json", None, "graph", "jsonld"),
    (None, ["json-ld"], "graph", "jsonld"),
    (None, ["rdf+xml"], "graph", "rdfxml"),
])
def test_negotiate(accept, formats, kind, want):
    assert negotiate(kind, accept, formats) == want


def test_values_go_at_the_start_of_the_where_group_and_survive_tricky_text():
    text = """# a comment with WHERE { braces }
PREFIX dkg: <https://w3id.org/defence-kg/ontology#>
SELECT ?x ?label WHERE {
  ?x rdfs:label ?label . FILTER(?label != "WHERE { not here }")
}"""
    out = inject_values(text, {"x": INDIA})
    assert out.index("VALUES ?x") > out.index("SELECT ?x ?label WHERE {")
    assert "# a comment with WHERE { braces }" in out
    prepare(out)  # still a valid query
    # a literal value cannot change the query's shape
    hostile = Literal('x" } ; DROP ALL ; SELECT * { "')
    out = inject_values(text, {"label": hostile})
    q = prepare(out)
    assert q.algebra.name == "SelectQuery"
    with pytest.raises(KgError):
        inject_values(text, {"x": URIRef("http://a> } <http://b")})
    with pytest.raises(KgError):
        inject_values(text, {"x y": INDIA})


def test_values_in_construct_and_without_where_keyword():
    construct = "CONSTRUCT { ?x a ?c } WHERE { ?x a ?c }"
    out = inject_values(construct, {"x": INDIA})
    assert out.index("VALUES") > out.index("WHERE {")
    prepare(out)
    short = "SELECT * { ?x a ?c }"
    out = inject_values(short, {"x": INDIA})
    assert prepare(out).algebra.name == "SelectQuery" and "VALUES ?x" in out


def test_missing_project_prefixes_are_declared():
    query = "SELECT ?x WHERE { ?x a dkg:State ; rdfs:label ?l }"
    out = with_prefixes(query)
    head, _, rest = out.partition("SELECT")
    assert "SELECT" + rest == query  # the query itself is kept as written, after the declarations
    assert sorted(head.splitlines()) == [
        "PREFIX dkg: <https://w3id.org/defence-kg/ontology#>",
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>",
    ]  # exactly the two prefixes it uses, with their IRIs; owl: is not used, so not declared
    declared = "PREFIX dkg: <x:y#>\nSELECT ?x WHERE { ?x a dkg:State }"
    assert with_prefixes(declared) == declared


def test_store_quirks_are_absorbed_by_normalise_term():
    assert normalise_term(Literal("5", datatype=XSD.positiveInteger)) == normalise_term(Literal("5", datatype=XSD.integer))
    assert normalise_term(Literal("05", datatype=XSD.integer)) == normalise_term(Literal(5))
    assert normalise_term(Literal("x")) == normalise_term(Literal("x", datatype=XSD.string))
    assert normalise_term(Literal("x", lang="EN")) == normalise_term(Literal("x", lang="en"))
    assert normalise_term(BNode("a")) == normalise_term(BNode("b"))
    assert normalise_term(Literal("1.50", datatype=XSD.decimal)) == normalise_term(Literal("1.5", datatype=XSD.decimal))
    # but real differences stay different
    assert normalise_term(Literal("5")) != normalise_term(Literal(5))
    assert normalise_term(Literal("x", lang="en")) != normalise_term(Literal("x"))
    assert normalise_term(INDIA) != normalise_term(Literal(str(INDIA)))


# --- HTTP authentication, timeouts and errors (httpx, through kg.remote.client.Http) ----------------

def digest_fields(header: str) -> dict[str, str]:
    scheme, _, rest = header.partition(" ")
    assert scheme == "Digest", header
    return parse_keqv_list(parse_http_list(rest))


def digest_response(f: dict[str, str], password: str, method: str) -> str:
    """RFC 7616 section 3.4.1, qop=auth: what a server expects in ``response``."""
    h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[f.get("algorithm", "MD5")]
    H = lambda text: h(text.encode()).hexdigest()  # noqa: E731
    ha1 = H(f"{f['username']}:{f['realm']}:{password}")
    ha2 = H(f"{method}:{f['uri']}")
    return H(f"{ha1}:{f['nonce']}:{f['nc']}:{f['cnonce']}:{f['qop']}:{ha2}")


RFC_7616 = {"username": "Mufasa", "realm": "http-auth@example.org", "uri": "/dir/index.html", "qop": "auth",
            "nonce": "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", "nc": "00000001",
            "cnonce": "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"}
OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"


@pytest.mark.parametrize("algorithm, want", [("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
                                             ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")])
def test_the_digest_checker_reproduces_the_rfc_7616_examples(algorithm, want):
    """The checker the fake store below uses is RFC 7616's own formula (its section 3.9.1 examples)."""
    assert digest_response({**RFC_7616, "algorithm": algorithm}, "Circle of Life", "GET") == want


class FakeStore:
    """An httpx.MockTransport handler: asks for *scheme* credentials and checks them as a server would."""

    def __init__(self, scheme: str = "Digest", algorithm: str = "MD5", password: str = "Circle of Life"):
        self.scheme, self.algorithm, self.password = scheme, algorithm, password
        self.seen: list[httpx.Request] = []

    def challenge(self) -> str:
        if self.scheme == "Basic":
            return 'Basic realm="kg"'
        return (f'Digest realm="{RFC_7616["realm"]}", qop="auth, auth-int", algorithm={self.algorithm}, '
                f'nonce="{RFC_7616["nonce"]}", opaque="{OPAQUE}"')

    def accepts(self, request: httpx.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if self.scheme == "Basic":
            return header == "Basic " + base64.b64encode(f"Mufasa:{self.password}".encode()).decode()
        if not header.startswith("Digest "):
            return False
        f = digest_fields(header)
        return (f["username"] == "Mufasa" and f["realm"] == RFC_7616["realm"] and f["nonce"] == RFC_7616["nonce"]
                and f["uri"] == request.url.raw_path.decode() and f["qop"] == "auth" and f["opaque"] == OPAQUE
                and f["algorithm"] == self.algorithm and len(f["nc"]) == 8 and f["cnonce"]
                and f["response"] == digest_response(f, self.password, request.method))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # a copy: httpx re-sends the same Request object, with the answer's header added
        self.seen.append(httpx.Request(request.method, request.url, headers=request.headers.copy(), content=request.content))
        if self.accepts(request):
            return httpx.Response(204)
        return httpx.Response(401, headers={"WWW-Authenticate": self.challenge()}, text="who are you?")


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
@pytest.mark.parametrize("kind", ["digest", "auto"])
def test_digest_auth_answers_the_stores_challenge_with_rfc_7616_fields(kind, algorithm):
    store = FakeStore("Digest", algorithm)
    with Http(Auth(kind, "Mufasa", "Circle of Life"), transport=httpx.MockTransport(store)) as http:
        resp = http.request("PUT", "http://store.test/dir/index.html?graph=g", b"<a> <b> <c> .")
        assert resp.status_code == 204
        assert "Authorization" not in store.seen[0].headers  # Digest waits for the challenge
        assert len(store.seen) == 2  # the challenge is answered once, not asked for again
        f = digest_fields(store.seen[1].headers["Authorization"])
        assert {"username", "realm", "nonce", "uri", "response", "qop", "nc", "cnonce"} <= set(f)
        assert (f["username"], f["realm"], f["nonce"], f["uri"], f["qop"], f["nc"]) == (
            "Mufasa", RFC_7616["realm"], RFC_7616["nonce"], "/dir/index.html?graph=g", "auth", "00000001")
        assert f["response"] == digest_response(f, "Circle of Life", "PUT")
        assert store.seen[1].content == b"<a> <b> <c> ."  # the body is sent again with the answer
        # the next request of the same push answers the known challenge up front, with the next nc
        assert http.request("DELETE", "http://store.test/dir/other").status_code == 204
        assert len(store.seen) == 3 and digest_fields(store.seen[2].headers["Authorization"])["nc"] == "00000002"


def test_auto_answers_a_basic_challenge_with_basic_and_explicit_basic_sends_it_up_front():
    store = FakeStore("Basic")
    with Http(Auth("auto", "Mufasa", "Circle of Life"), transport=httpx.MockTransport(store)) as http:
        assert http.request("GET", "http://store.test/q").status_code == 204
    assert [("Authorization" in r.headers) for r in store.seen] == [False, True]
    store = FakeStore("Basic")
    with Http(Auth("basic", "Mufasa", "Circle of Life"), transport=httpx.MockTransport(store)) as http:
        assert http.request("GET", "http://store.test/q").status_code == 204
    assert len(store.seen) == 1


def test_digest_is_not_downgraded_to_basic_when_the_store_asks_for_basic():
    store = FakeStore("Basic")
    with Http(Auth("digest", "Mufasa", "Circle of Life"), transport=httpx.MockTransport(store)) as http:
        resp = http.request("GET", "http://store.test/q")
    assert resp.status_code == 401 and all("Authorization" not in r.headers for r in store.seen)


def test_bearer_token_is_an_authorization_header_on_push_and_query():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"head": {"vars": ["x"]}, "results": {"bindings": []}})

    with Http(Auth("bearer", token="t0ken"), transport=httpx.MockTransport(handler)) as http:
        http.request("POST", "http://store.test/update", b"CLEAR ALL")
        RemoteClient("http://store.test/query", http=http).select("SELECT ?x {}")
    # the update, the client's one look-up of the cited sources' graphs, the query: each with the token
    assert [r.headers["Authorization"] for r in seen] == ["Bearer t0ken", "Bearer t0ken", "Bearer t0ken"]


def test_queries_name_the_dataset_ask_by_accept_and_post_long_text():
    seen = []

    def handler(request):
        seen.append(request)
        return httpx.Response(200, json={"head": {"vars": ["x"]}, "results": {"bindings": []}},
                              headers={"Content-Type": "application/sparql-results+json"})

    graphs = [URIRef("http://g/1"), URIRef("http://g/2")]
    with Http(transport=httpx.MockTransport(handler)) as http:
        client = RemoteClient("http://store.test/sparql", graphs=graphs, http=http)
        client.select("SELECT ?x {}")
        client.select("SELECT ?x {} # " + "x" * RemoteClient.POST_OVER)
        RemoteClient("http://store.test/sparql", dataset=False, http=http).select("SELECT ?x {}")
    short, long, bare = seen
    assert short.method == "GET" and short.headers["Accept"] == "application/sparql-results+json"
    assert parse_qs(urlsplit(str(short.url)).query) == {
        "query": ["SELECT ?x {}"], "default-graph-uri": ["http://g/1", "http://g/2"],
        "named-graph-uri": ["http://g/1", "http://g/2"]}
    assert long.method == "POST" and long.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = parse_qs(long.content.decode())
    assert form["default-graph-uri"] == ["http://g/1", "http://g/2"] and form["query"][0].startswith("SELECT ?x {} # x")
    assert parse_qs(urlsplit(str(bare.url)).query) == {"query": ["SELECT ?x {}"]}


def test_refused_credentials_timeouts_and_a_store_that_is_down_are_kg_errors():
    store = FakeStore("Digest", password="something else")
    with Http(Auth("digest", "Mufasa", "Circle of Life"), transport=httpx.MockTransport(store)) as http:
        resp = http.request("GET", "http://store.test/q")
        with pytest.raises(KgError, match=r"PUT <g>: the store at http://store.test/q refused the credentials "
                                          r"\(HTTP 401; sent user 'Mufasa' \(Digest\)\)"):
            http.fail(resp, "http://store.test/q", "PUT <g>")
        with pytest.raises(KgError, match=r"^the store at http://store.test/q refused the credentials \(HTTP 401"):
            RemoteClient("http://store.test/q", http=http).select("ASK {}")

    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with Http(timeout=2, transport=httpx.MockTransport(slow)) as http:
        with pytest.raises(KgError, match=r"the store at http://store.test/q did not answer within 2 s"):
            http.request("GET", "http://store.test/q")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/query"
    with Http(timeout=5) as http:
        with pytest.raises(KgError, match=f"cannot reach the store at {url}: "):
            http.request("GET", url)
        with pytest.raises(KgError, match=f"cannot reach the store at {url}: "):
            RemoteClient(url, http=http).select("ASK {}")


def test_credentials_from_options_or_environment():
    env = {"KG_REMOTE_USER": "dba", "KG_REMOTE_PASSWORD": "pw"}
    a = Auth.from_options(environ=env)
    assert (a.kind, a.user, a.password) == ("auto", "dba", "pw")
    a = Auth.from_options(user="me", password="x", kind="digest", environ=env)
    assert (a.kind, a.user, a.password) == ("digest", "me", "x")
    assert Auth.from_options(environ={"KG_REMOTE_TOKEN": "t"}).kind == "bearer"
    assert Auth.from_options(environ={}).kind == "none"
    with pytest.raises(KgError):
        Auth.from_options(kind="basic", environ={})
    with pytest.raises(KgError):
        Auth.from_options(kind="bearer", environ={})


@pytest.mark.parametrize("url, kind, update, store, key", [
    ("http://h:7878/query", "oxigraph", "http://h:7878/update", "http://h:7878/store", "graph"),
    ("http://h:3030/kg/sparql", "fuseki", "http://h:3030/kg/update", "http://h:3030/kg/data", "graph"),
    ("http://h:8890/sparql", "virtuoso", "http://h:8890/sparql-auth", "http://h:8890/sparql-graph-crud-auth", "graph-uri"),
    ("http://h:7200/repositories/kg", "graphdb", "http://h:7200/repositories/kg/statements",
     "http://h:7200/repositories/kg/rdf-graphs/service", "graph"),
])
def test_store_layouts(url, kind, update, store, key):
    ep = endpoints_for(url)
    assert (ep.kind, ep.query, ep.update, ep.store, ep.graph_key) == (kind, url, update, store, key)


def test_bad_endpoint_and_graph_names():
    with pytest.raises(KgError):
        endpoints_for("ftp://h/sparql")
    with pytest.raises(KgError):
        select_graphs(["nope"])
    assert [str(g).rsplit("/", 1)[1] for g in select_graphs(["inferred", "ontology"])] == ["inferred", "ontology"]


def test_a_malformed_digest_challenge_is_a_kg_error_not_a_traceback():
    def handler(request):
        return httpx.Response(401, headers={"WWW-Authenticate": 'Digest qop="auth"'})  # no realm, no nonce

    with Http(Auth("digest", "Mufasa", "x"), transport=httpx.MockTransport(handler)) as http:
        with pytest.raises(KgError, match=r"the request to the store at http://store.test/q failed: Malformed Digest"):
            http.request("GET", "http://store.test/q")
