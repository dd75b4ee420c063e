"""`kg serve`: the SPARQL 1.1 Protocol, content negotiation, named queries, and hostile clients.

Every test talks to a real `kg serve` process over loopback HTTP.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from urllib.parse import urlencode

import pytest
from rdflib import Graph, URIRef
from servers import HOST, start_kg_serve
from utils import Listener, format_result, http, normalise_rows

from kg.core.namespace import GRAPHS
from kg.remote.client import Auth, run_remote
from kg.sparql import run
from kg.sparql.labels import to_term
from kg.sparql.named import named_queries

pytestmark = pytest.mark.servers

ASK_ALL = "ASK { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 4087^3 rows: never finishes


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def server(build_dir, tmp_path_factory, request):
    """`kg serve` on each backend: every test that uses it runs against both."""
    s = start_kg_serve(build_dir, tmp_path_factory.mktemp("serve"), "--timeout", "60", "--workers", "4",
                       "--backend", request.param)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def local(build_dir):
    from kg.pipeline.build import load_built

    return load_built(build_dir)


def sparql_get(server, query: str, accept: str | None = None, **params):
    qs = urlencode([("query", query)] + [(k.replace("_", "-"), v) for k, vs in params.items() for v in vs])
    return http("GET", f"{server.url}?{qs}", headers={"Accept": accept} if accept else {})


def local_rows(ds, q):
    bindings = {k: to_term(ds, v) for k, v in q.params.items()}
    return normalise_rows(run(ds, q.text, bindings, source=str(q.path)))


QUERIES = named_queries()


# --- parity ---------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(QUERIES))
def test_competency_query_same_rows_through_kg_serve(server, local, slug):
    q = QUERIES[slug]
    expected = local_rows(local, q)
    # 1. the query text through the SPARQL protocol, parameters as a VALUES block
    result, _ = run_remote(server.url, q.text, dict(q.params), Auth(), 30, slug, q.params)
    assert normalise_rows(result) == expected
    # 2. the named query by URL, parameters as URL parameters
    status, headers, body = http("GET", f"{server.extra['base']}/queries/{slug}?{urlencode(q.params)}",
                                 headers={"Accept": "application/sparql-results+json, application/n-triples;q=0.9"})
    assert status == 200, body
    assert normalise_rows(parse_response(headers, body)) == expected


def parse_response(headers, body):
    """A served result as an rdflib Result: SPARQL JSON results, or N-Triples for a graph."""
    from rdflib.query import Result

    if headers["Content-Type"].startswith("application/n-triples"):
        result = Result("CONSTRUCT")
        result.graph = Graph().parse(data=body, format="nt")
        return result
    return Result.parse(io.BytesIO(body), format="json")


def test_named_query_as_csv_by_url_matches_in_process_csv(server, local):
    q = QUERIES["who-risks-caatsa-for-s400"]
    status, headers, body = http("GET", f"{server.extra['base']}/queries/who-risks-caatsa-for-s400?format=csv")
    assert status == 200
    assert headers["Content-Type"].startswith("text/csv")
    served = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    cli = list(csv.reader(io.StringIO(format_result(run(local, q.text), "csv"))))
    assert served[0] == cli[0]
    assert sorted(served[1:]) == sorted(cli[1:])
    assert len(served) > 1


def test_named_query_parameters(server):
    base = server.extra["base"]
    status, _, body = http("GET", f"{base}/queries/sentences-supporting-fact?format=json&fact=dkgr:appeal-forgo-russian-transactions")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) >= 1
    # a value that is no IRI is looked up as a label, through a binding
    status, _, body = http("GET", f"{base}/queries/sentences-supporting-fact?fact=" + "nothing%20is%20called%20this")
    assert status == 400 and b"nothing is labelled" in body
    status, _, body = http("GET", f"{base}/queries/sentences-supporting-fact?nosuch=1")
    assert status == 400 and b"no parameter" in body
    status, _, body = http("GET", f"{base}/queries/no-such-question")
    assert status == 404
    status, _, body = http("GET", f"{base}/queries/who-risks-caatsa-for-s400.rq")
    assert status == 200 and body.decode() == QUERIES["who-risks-caatsa-for-s400"].text


# --- the protocol ---------------------------------------------------------------------------


def test_get_post_form_and_post_direct_give_the_same_answer(server, local):
    expected = len({t for g in GRAPHS for t in local.graph(g)})
    answers = []
    for method, body, ctype, url in (
        ("GET", None, None, f"{server.url}?{urlencode({'query': COUNT})}"),
        ("POST", urlencode({"query": COUNT}).encode(), "application/x-www-form-urlencoded", server.url),
        ("POST", COUNT.encode(), "application/sparql-query", server.url),
    ):
        headers = {"Accept": "application/sparql-results+json"}
        if ctype:
            headers["Content-Type"] = ctype
        status, _, data = http(method, url, body, headers)
        assert status == 200, data
        answers.append(int(json.loads(data)["results"]["bindings"][0]["n"]["value"]))
    assert answers == [expected] * 3


@pytest.mark.parametrize("accept, ctype", [
    (None, "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
    ("application/json", "application/sparql-results+json"),
])
def test_select_content_negotiation(server, accept, ctype):
    status, headers, _ = sparql_get(server, COUNT, accept)
    assert status == 200
    assert headers["Content-Type"].split(";")[0] == ctype


@pytest.mark.parametrize("accept, ctype, rdf_format", [
    (None, "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
])
def test_construct_and_describe_content_negotiation(server, local, accept, ctype, rdf_format):
    query = "CONSTRUCT { ?s a ?c } WHERE { GRAPH <https://w3id.org/defence-kg/graph/asserted> { ?s a ?c } }"
    status, headers, body = sparql_get(server, query, accept)
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == ctype
    g = Graph().parse(data=body, format=rdf_format)
    expected = run(local, query).graph
    assert len(g) == len(expected) > 0
    status, headers, body = sparql_get(server, "DESCRIBE <https://w3id.org/defence-kg/resource/India>", accept)
    assert status == 200
    assert len(Graph().parse(data=body, format=rdf_format)) > 0


def test_unacceptable_format_is_406(server):
    status, _, body = sparql_get(server, COUNT, "image/png")
    assert status == 406 and b"offered" in body


def test_named_graphs_and_dataset_parameters(server, local):
    counts = {str(g): len(local.graph(g)) for g in GRAPHS}
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    status, _, body = sparql_get(server, q, "application/sparql-results+json")
    got = {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(body)["results"]["bindings"]}
    assert got == counts
    inferred = "https://w3id.org/defence-kg/graph/inferred"
    asserted = "https://w3id.org/defence-kg/graph/asserted"
    # default-graph-uri: the default graph is that graph alone
    status, _, body = sparql_get(server, COUNT, "application/sparql-results+json", default_graph_uri=[inferred])
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == counts[inferred]
    status, _, body = sparql_get(server, COUNT, "application/sparql-results+json", default_graph_uri=[inferred, asserted])
    merged = len({t for g in (inferred, asserted) for t in local.graph(URIRef(g))})
    assert int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == merged
    # named-graph-uri: GRAPH sees only those
    status, _, body = sparql_get(server, q, "application/sparql-results+json", named_graph_uri=[inferred])
    got = {b["g"]["value"]: int(b["n"]["value"]) for b in json.loads(body)["results"]["bindings"]}
    assert got == {inferred: counts[inferred]}
    # GRAPH with a named graph in the query text
    status, _, body = sparql_get(server, f"ASK {{ GRAPH <{inferred}> {{ ?a <https://w3id.org/defence-kg/ontology#risksSanctionsUnder> ?b }} }}")
    assert json.loads(body)["boolean"] is True


def test_service_description(server):
    status, headers, body = http("GET", server.url, headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    sd = Graph().parse(data=body, format="turtle")
    SD = "http://www.w3.org/ns/sparql-service-description#"
    assert (URIRef(server.url), URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(SD + "Service")) in sd
    names = set(sd.objects(None, URIRef(SD + "name")))
    assert names == set(GRAPHS)
    # a hostile Host header does not get into the description
    status, _, body = http("GET", server.url, headers={"Accept": "text/turtle", "Host": "evil> <http://x"})
    assert status == 200
    assert URIRef(server.url) in set(Graph().parse(data=body, format="turtle").subjects())
    # a browser asking for HTML is sent to the query page
    status, headers, _ = http("GET", server.url, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert status in (200, 303)


def test_query_page_and_examples(server):
    status, headers, body = http("GET", server.extra["base"] + "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    page = body.decode()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts == ["/static/yasgui/yasgui.min.js", "/static/query.js"]  # served here: works offline
    assert "cdn" not in page.lower()
    script = http("GET", server.extra["base"] + "/static/query.js")[2].decode()
    assert '"/queries"' in script and '"/sparql"' in script
    status, headers, body = http("GET", server.extra["base"] + "/queries")
    listed = {q["name"]: q for q in json.loads(body)}
    assert set(listed) == set(QUERIES)
    assert all(listed[s]["text"] == QUERIES[s].text and listed[s]["question"] for s in QUERIES)


# --- a real client: SPARQLWrapper reads every format ---------------------------------------------


def test_sparqlwrapper_reads_every_result_format(server, local):
    from xml.dom.minidom import Document

    from SPARQLWrapper import (
        CSV,
        GET,
        JSON,
        JSONLD,
        N3,
        POST,
        POSTDIRECTLY,
        RDFXML,
        TSV,
        TURTLE,
        URLENCODED,
        XML,
        SPARQLWrapper,
    )

    select = "SELECT ?s WHERE { ?s a <https://w3id.org/defence-kg/ontology#State> }"
    n = len(run(local, select))
    for method, encoding in ((GET, None), (POST, URLENCODED), (POST, POSTDIRECTLY)):
        sw = SPARQLWrapper(server.url)
        sw.setMethod(method)
        if encoding:
            sw.setRequestMethod(encoding)
        sw.setQuery(select)
        sw.setReturnFormat(JSON)
        assert len(sw.query().convert()["results"]["bindings"]) == n
        sw.setReturnFormat(XML)
        doc = sw.query().convert()
        assert isinstance(doc, Document) and len(doc.getElementsByTagName("result")) == n
        sw.setReturnFormat(CSV)
        rows = list(csv.reader(io.StringIO(sw.query().convert().decode())))
        assert rows[0] == ["s"] and len(rows) == n + 1
        sw.setReturnFormat(TSV)
        lines = sw.query().convert().decode().strip().split("\n")
        assert lines[0] == "?s" and len(lines) == n + 1
        sw.setQuery(ASK_ALL)
        for fmt in (JSON, XML):
            sw.setReturnFormat(fmt)
            out = sw.query().convert()
            assert (out["boolean"] if fmt == JSON else out.getElementsByTagName("boolean")[0].firstChild.data == "true")
    construct = "CONSTRUCT { ?s a ?c } WHERE { GRAPH <https://w3id.org/defence-kg/graph/asserted> { ?s a ?c } }"
    size = len(run(local, construct).graph)
    sw = SPARQLWrapper(server.url)
    sw.setQuery(construct)
    for fmt, parse_as in ((TURTLE, "turtle"), (N3, "turtle"), (JSONLD, None), (RDFXML, None)):
        sw.setReturnFormat(fmt)
        out = sw.query().convert()
        g = out if isinstance(out, Graph) else Graph().parse(data=out, format=parse_as)
        assert len(g) == size, fmt


# --- hostile clients ---------------------------------------------------------------------------------


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


def test_service_load_and_from_open_no_connection(server, build_dir, tmp_path, listener):
    target = f"http://{HOST}:{listener.port}/data.ttl"
    for query in (
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }} LIMIT 1",
        f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
    ):
        status, _, body = sparql_get(server, query)
        assert status in (200, 400, 403), body
    status, _, body = sparql_get(server, COUNT, default_graph_uri=[target], named_graph_uri=[target])
    assert status == 400 and b"never fetched" in body  # a graph the build lacks is refused, not fetched
    # LOAD: refused by the read-only server, and by a writable one too
    status, _, body = http("POST", server.url, f"LOAD <{target}>".encode(), {"Content-Type": "application/sparql-update"})
    assert status == 403
    rw = start_kg_serve(build_dir, tmp_path / "rw", "--allow-update", env={"KG_SERVE_TOKEN": "t0ken"})
    try:
        for update in (f"LOAD <{target}>", f"LOAD SILENT <{target}> INTO GRAPH <http://x/g>"):
            status, _, body = http("POST", rw.url, update.encode(), {"Content-Type": "application/sparql-update",
                                                                      "Authorization": "Bearer t0ken"})
            assert status == 403 and b"LOAD is disabled" in body
    finally:
        rw.stop()
    time.sleep(0.5)
    assert listener.connections == 0


def test_oxigraph_backend_refuses_updates_clearly(build_dir):
    from conftest import run_kg

    proc = run_kg("serve", "--backend", "oxigraph", "--allow-update", "--build-dir", str(build_dir), "--port", "0")
    assert proc.returncode == 2 and proc.stderr.startswith("kg: error: --allow-update needs the rdflib backend")


def test_updates_need_allow_update_and_the_token(server, build_dir, tmp_path):
    insert = "INSERT DATA { GRAPH <https://w3id.org/defence-kg/graph/asserted> { <http://example.org/x> <http://example.org/p> 1 } }"
    status, _, body = http("POST", server.url, insert.encode(), {"Content-Type": "application/sparql-update"})
    assert status == 403 and b"read-only" in body
    status, _, _ = http("POST", server.url, urlencode({"update": insert}).encode(),
                        {"Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer x"})
    assert status == 403
    rw = start_kg_serve(build_dir, tmp_path / "rw", "--allow-update", env={"KG_SERVE_TOKEN": "s3cret"})
    try:
        ask = "ASK { <http://example.org/x> <http://example.org/p> 1 }"
        for auth in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcmV0"}):
            status, _, _ = http("POST", rw.url, insert.encode(), {"Content-Type": "application/sparql-update", **auth})
            assert status == 401
        assert json.loads(sparql_get(rw, ask)[2])["boolean"] is False
        status, _, body = http("POST", rw.url, insert.encode(), {"Content-Type": "application/sparql-update",
                                                                 "Authorization": "Bearer s3cret"})
        assert status == 204, body
        assert json.loads(sparql_get(rw, ask)[2])["boolean"] is True
    finally:
        rw.stop()


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def quick_timeout_server(build_dir, tmp_path_factory, request):
    s = start_kg_serve(build_dir, tmp_path_factory.mktemp("serve-timeout"), "--timeout", "6", "--workers", "3", "--cors",
                       "--backend", request.param)
    yield s
    s.stop()


def test_long_query_is_stopped_while_others_are_answered(quick_timeout_server):
    server = quick_timeout_server
    results = {}

    def slow():
        t0 = time.monotonic()
        results["slow"] = sparql_get(server, SLOW)
        results["slow_s"] = time.monotonic() - t0
        results["slow_end"] = time.monotonic()

    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.5)  # the slow query is running now
    quick, quick_end = [], 0.0
    for i in range(3):  # each query distinct, so none is answered from the cache
        t0 = time.monotonic()
        status, _, body = sparql_get(server, f"ASK {{ ?s ?p ?o FILTER(?o != {i}) }}")
        quick.append(time.monotonic() - t0)
        quick_end = time.monotonic()
        assert status == 200 and json.loads(body)["boolean"] is True
    t.join(60)
    assert not t.is_alive()
    status, _, body = results["slow"]
    assert status == 503 and b"timed out after 6 s" in body
    assert 5.5 < results["slow_s"] < 20
    assert quick_end < results["slow_end"] - 2, "the quick queries waited for the slow one"
    assert max(quick) < 3, quick
    # the server goes on answering, and its workers were replaced
    for _ in range(5):
        assert sparql_get(server, ASK_ALL)[0] == 200


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
def test_result_size_cap(build_dir, tmp_path, backend):
    s = start_kg_serve(build_dir, tmp_path, "--max-rows", "10", "--backend", backend)
    try:
        status, _, body = sparql_get(s, "SELECT * WHERE { ?s ?p ?o }")
        assert status == 507 and b"result too large" in body
        status, _, body = sparql_get(s, "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
        assert status == 200
        status, _, body = sparql_get(s, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
        assert status == 507 and b"more than 10 triples" in body
    finally:
        s.stop()


def test_one_log_line_per_request(server):
    before = server.log.read_text().count("\n")
    sparql_get(server, ASK_ALL)
    http("GET", server.extra["base"] + "/no-such-page")
    time.sleep(0.2)
    lines = server.log.read_text().splitlines()[before:]
    assert len(lines) == 2, lines
    import re

    assert re.fullmatch(r"GET /sparql 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"GET /no-such-page 404 \d+\.\dms", lines[1])


def test_binds_loopback_by_default(server):
    first = server.log.read_text().splitlines()[0]
    assert f"http://127.0.0.1:{server.extra['port']}/sparql" in first
    from kg.cli.app import make_parser

    args = make_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.timeout == 10.0 and not args.allow_update


def test_port_in_use_is_a_clear_error(server, build_dir):
    from conftest import run_kg

    proc = run_kg("serve", "--port", str(server.extra["port"]), "--build-dir", str(build_dir), timeout=120)
    assert proc.returncode != 0
    assert "cannot listen" in proc.stderr and "Traceback" not in proc.stderr


def test_cors_only_when_asked(server, quick_timeout_server):
    status, headers, _ = sparql_get(server, ASK_ALL)
    assert "Access-Control-Allow-Origin" not in headers
    status, headers, _ = sparql_get(quick_timeout_server, ASK_ALL)
    assert headers["Access-Control-Allow-Origin"] == "*"
    status, headers, _ = http("OPTIONS", quick_timeout_server.url, headers={
        "Origin": "https://yasgui.example", "Access-Control-Request-Method": "POST"})
    assert status == 204 and "POST" in headers["Access-Control-Allow-Methods"]


# A dataset with an empty side: FROM without FROM NAMED leaves no named graphs; FROM NAMED without
# FROM leaves the default graph empty; graph/none is the graph every dataset has and that is always
# empty (the remote client names it for an empty side). Each count below is 0 by the SPARQL 1.1
# dataset rules (section 13.2); the last pair is a control, so that "always 0" cannot pass.
NONE_IRI = "https://w3id.org/defence-kg/graph/none"
ASSERTED_IRI = "https://w3id.org/defence-kg/graph/asserted"
EMPTY_SIDES = [
    f"SELECT (COUNT(*) AS ?n) FROM <{NONE_IRI}> WHERE {{ ?s ?p ?o }}",
    f"SELECT (COUNT(*) AS ?n) FROM NAMED <{NONE_IRI}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ASSERTED_IRI}> WHERE {{ ?s ?p ?o }}",
    f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED_IRI}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
]
NOT_EMPTY = [f"SELECT (COUNT(*) AS ?n) FROM <{ASSERTED_IRI}> WHERE {{ ?s ?p ?o }}",
             f"SELECT (COUNT(*) AS ?n) FROM NAMED <{ASSERTED_IRI}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"]


def _count_served(server, query, **params) -> int:
    status, _, body = sparql_get(server, query, "application/sparql-results+json", **params)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_an_empty_side_of_the_dataset_is_empty_through_kg_serve(server):
    assert [_count_served(server, q) for q in EMPTY_SIDES] == [0, 0, 0, 0]
    assert all(_count_served(server, q) > 0 for q in NOT_EMPTY)
    # the same through the protocol's parameters
    assert _count_served(server, COUNT, default_graph_uri=[NONE_IRI]) == 0
    assert _count_served(server, COUNT, default_graph_uri=[NONE_IRI], named_graph_uri=[ASSERTED_IRI]) == 0
    assert _count_served(server, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
                         default_graph_uri=[ASSERTED_IRI], named_graph_uri=[NONE_IRI]) == 0


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
def test_an_empty_side_of_the_dataset_is_empty_through_kg_query(build_dir, backend):
    from conftest import run_kg

    counts = []
    for q in EMPTY_SIDES + NOT_EMPTY:
        proc = run_kg("query", "--build-dir", str(build_dir), "--backend", backend, "--format", "csv", "--sparql", q)
        assert proc.returncode == 0, proc.stderr
        counts.append(int(proc.stdout.split()[1]))
    assert counts[:4] == [0, 0, 0, 0] and all(n > 0 for n in counts[4:]), counts


def test_rows_come_in_the_order_the_query_asks_on_every_backend(server):
    """An ORDER BY by variables is sorted by kg.sparql.run on Oxigraph, by the engine on rdflib
    (tests/test_order.py): served, both give the dates latest first, ties by subject."""
    q = ("SELECT ?s ?start WHERE { GRAPH dkgg:asserted { ?s dkg:timeStart ?start } } "
         "ORDER BY DESC(?start) ?s")
    status, headers, body = sparql_get(server, q, "text/csv")
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))[1:]
    assert len({start for _, start in rows}) > 3
    # the article's times are xsd:dateTime in one lexical form, so their text orders as their value
    by_hand = sorted(sorted(rows, key=lambda r: r[0]), key=lambda r: r[1], reverse=True)
    assert rows == by_hand
