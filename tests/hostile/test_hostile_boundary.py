"""The one SPARQL boundary, on every route: `kg query` on both backends, `kg serve` on both backends
(the protocol endpoint and named questions by URL). No query makes an outbound connection; the
dataset clause (FROM, FROM NAMED, default-graph-uri, named-graph-uri) means the same everywhere."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from conftest import run_kg
from servers import start_kg_serve
from utils import Listener, get

from kg.core.errors import KgError
from kg.core.iris import GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE
from kg.sparql.boundary import MAX_DEPTH, bind, check, inspect, tokens

pytestmark = pytest.mark.hostile

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def hostile(target: str) -> dict[str, str]:
    """Each a query that would open a connection to *target* if any engine ran its SERVICE,
    LOAD or FROM: named after the trick it plays on a guard."""
    return {
        "iri-with-hash": f"SELECT * WHERE {{ ?s <{RDF_TYPE}> ?t . SERVICE <{target}> {{ ?a ?b ?c }} }} LIMIT 1",
        "comment-before": f"# a comment, then SERVICE\nSELECT * WHERE {{ SERVICE <{target}> {{ ?a ?b ?c }} }}",
        "string-with-the-word": f'SELECT * WHERE {{ BIND("SERVICE" AS ?w) SERVICE <{target}> {{ ?a ?b ?c }} }}',
        "lowercase": f"select * where {{ service <{target}> {{ ?a ?b ?c }} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?a ?b ?c }} }}",
        "variable-endpoint": f"SELECT * WHERE {{ VALUES ?x {{ <{target}> }} SERVICE ?x {{ ?a ?b ?c }} }}",
        "long-string-then-service": f'SELECT * WHERE {{ BIND("""a\n# not a comment""" AS ?w) SERVICE <{target}> {{ ?a ?b ?c }} }}',
        "from": f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }} LIMIT 1",
        "from-named": f"SELECT * FROM NAMED <{target}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} LIMIT 1",
        "load": f"LOAD <{target}>",
    }


# --- the boundary as a unit ------------------------------------------------------------------------


@pytest.mark.parametrize("trick", sorted(hostile("http://127.0.0.1:9/x")))
def test_boundary_refuses_every_way_of_reaching_out(trick):
    text = hostile("http://127.0.0.1:9/x")[trick]
    with pytest.raises(KgError, match="SERVICE|LOAD|never fetched"):
        check(text, [GRAPH_ASSERTED], "<q>")


def test_regex_guard_bypass_by_hash_in_iri_is_refused():
    """The defect: a regex guard took the `#` of rdf:type's IRI for a comment and read past SERVICE."""
    text = hostile("http://127.0.0.1:9/x")["iri-with-hash"]
    assert inspect(text).service


@pytest.mark.parametrize("text", [
    'SELECT ?x WHERE { BIND("SERVICE <http://x/> { }" AS ?x) }',
    "SELECT ?x WHERE { ?x ?p ?o } # SERVICE <http://x/> { }",
    "PREFIX service: <http://example.org/> SELECT ?service WHERE { ?service service:SERVICE ?o }",
    "SELECT ?x WHERE { ?x <http://example.org/SERVICE> ?o }",
    "SELECT ?x WHERE { ?x ?p '''SERVICE LOAD FROM''' }",
])
def test_the_word_service_where_it_is_no_keyword_passes(text):
    info = check(text, [GRAPH_ASSERTED])
    assert not info.service and not info.load and not info.has_dataset


def test_dataset_clause_is_read_with_prefixes_expanded():
    info = inspect("PREFIX g: <https://w3id.org/defence-kg/graph/> SELECT * FROM g:asserted FROM NAMED dkgg:inferred "
                   "WHERE { ?s ?p ?o }")
    assert info.from_graphs == [GRAPH_ASSERTED] and info.from_named == [GRAPH_INFERRED]


def test_deep_nesting_is_refused_before_any_parser():
    deep = "SELECT * WHERE " + "{" * (MAX_DEPTH + 1) + "?s ?p ?o" + "}" * (MAX_DEPTH + 1)
    with pytest.raises(KgError, match="nests"):
        check(deep)
    check("SELECT * WHERE " + "{" * 10 + "?s ?p ?o" + "}" * 10)


def test_values_are_bound_at_the_where_group_and_never_change_the_query_shape():
    from rdflib import Literal, URIRef

    text = "SELECT ?l WHERE { ?x rdfs:label ?l } # WHERE { in a comment"
    out = bind(text, {"x": URIRef("https://w3id.org/defence-kg/resource/India"), "v": Literal('a" } SERVICE <x> {')})
    assert out.startswith("SELECT ?l WHERE { VALUES (?x ?v) { (<https://w3id.org/defence-kg/resource/India> "
                          '"a\\" } SERVICE <x> {") }')
    assert not inspect(out).service  # the value stays one string token
    assert [t.kind for t in tokens('"a\\" } SERVICE <x> {"')] == ["string"]


# --- every route ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def serve(build_dir, tmp_path_factory, request):
    s = start_kg_serve(build_dir, tmp_path_factory.mktemp("serve"), "--backend", request.param)
    yield s
    s.stop()


@pytest.mark.parametrize("route", [[], ["--backend", "rdflib"], ["--backend", "oxigraph"]],
                         ids=["default", "rdflib", "oxigraph"])
def test_no_query_reaches_out_from_kg_query(build_dir, route):
    lst = Listener()
    try:
        for trick, text in hostile(f"http://127.0.0.1:{lst.port}/x").items():
            proc = run_kg("query", "--sparql", text, "--build-dir", str(build_dir), *route)
            assert proc.returncode == 2, (trick, proc.stdout, proc.stderr)
            assert proc.stderr.startswith("kg: error:") and "Traceback" not in proc.stderr, trick
            assert proc.stderr.count("\n") == 1, trick
    finally:
        lst.close()
    assert lst.connections == 0


def test_no_query_reaches_out_from_kg_serve(serve):
    lst = Listener()
    try:
        for trick, text in hostile(f"http://127.0.0.1:{lst.port}/x").items():
            status, body = get(f"{serve.url}?{urlencode({'query': text})}")
            assert status == 400, (trick, body)
        # a named question by URL: its parameter is a value, bound as a term, never query text
        status, _ = get(f"{serve.url.rsplit('/', 1)[0]}/queries/sentences-supporting-fact?"
                        + urlencode({"fact": f"<http://127.0.0.1:{lst.port}/x> }} SERVICE <http://127.0.0.1:{lst.port}/y> {{"}))
        assert status in (200, 400)
        status, _ = get(f"{serve.url}?{urlencode({'query': 'ASK {}', 'default-graph-uri': f'http://127.0.0.1:{lst.port}/g'})}")
        assert status == 400
    finally:
        lst.close()
    assert lst.connections == 0


# --- the dataset clause means the same on every route --------------------------------------------------


def graph_sizes(dataset) -> dict[str, int]:
    return {g: len(dataset.graph(g)) for g in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE, GRAPH_INFERRED)}


def dataset_questions(sizes: dict[str, int]):
    """(query, protocol parameters, the count the dataset it names must give)."""
    a, p, i = sizes[GRAPH_ASSERTED], sizes[GRAPH_PROVENANCE], sizes[GRAPH_INFERRED]
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    named = "SELECT (COUNT(*) AS ?n) {} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    return [
        (count.format(f"FROM <{GRAPH_ASSERTED}>"), {}, a),
        (count.format(f"FROM <{GRAPH_ASSERTED}> FROM <{GRAPH_INFERRED}>"), {}, a + i),  # no triple is in both
        (count.format(f"FROM NAMED <{GRAPH_ASSERTED}>"), {}, 0),  # FROM NAMED alone: an empty default graph
        (named.format(f"FROM NAMED <{GRAPH_PROVENANCE}>"), {}, p),
        (named.format(f"FROM <{GRAPH_ASSERTED}>"), {}, 0),        # FROM alone: no named graphs
        (count.format(""), {"default-graph-uri": GRAPH_ASSERTED}, a),
        (count.format(f"FROM <{GRAPH_PROVENANCE}>"), {"default-graph-uri": GRAPH_ASSERTED}, a),  # the protocol wins
        (named.format(""), {"named-graph-uri": GRAPH_INFERRED}, i),
    ]


def test_oxigraph_route_honours_from(build_dir, dataset):
    """The defect: `kg query --backend oxigraph` counted the whole union for a FROM <asserted> query."""
    sizes = graph_sizes(dataset)
    for route in ([], ["--backend", "rdflib"], ["--backend", "oxigraph"]):
        for text, params, expected in dataset_questions(sizes):
            if params:
                continue  # protocol parameters: kg serve only
            proc = run_kg("query", "--sparql", text, "--format", "csv", "--build-dir", str(build_dir), *route)
            assert proc.returncode == 0, proc.stderr
            assert proc.stdout.split() == ["n", str(expected)], (route, text)


def test_every_dataset_clause_means_the_same_through_kg_serve(serve, dataset):
    for text, params, expected in dataset_questions(graph_sizes(dataset)):
        status, body = get(f"{serve.url}?{urlencode({'query': text, **params})}&format=json")
        assert status == 200, body
        n = json.loads(body)["results"]["bindings"][0]["n"]["value"]
        assert int(n) == expected, (text, params)


DEEP = "SELECT * WHERE { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }"


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
def test_deep_nesting_is_one_error_line_not_a_segfault(build_dir, backend):
    """The defect: 10,000 nested parentheses ended `kg query --backend oxigraph` with exit 139."""
    proc = run_kg("query", "--sparql", DEEP, "--build-dir", str(build_dir), "--backend", backend)
    assert proc.returncode == 2, proc.stderr[-300:]
    assert proc.stderr.startswith("kg: error:") and "nests 10002 brackets deep" in proc.stderr  # { and FILTER( and 10,000 more
    assert proc.stderr.count("\n") == 1


def test_deep_nesting_is_a_400_and_the_worker_lives(serve):
    """The defect: the same query killed the Oxigraph worker (500 "worker died")."""
    status, body = get(f"{serve.url}?{urlencode({'query': DEEP})}")
    assert status == 400 and b"nests" in body
    status, _ = get(f"{serve.url}?{urlencode({'query': 'ASK { ?s ?p ?o }'})}")
    assert status == 200


def test_no_service_or_load_reaches_out_from_kg_query_on_a_remote_store():
    """The remote route: the boundary refuses before any request, so the endpoint (here the
    listener itself) sees no connection. (FROM is the remote store's to resolve there.)"""
    lst = Listener()
    try:
        endpoint = f"http://127.0.0.1:{lst.port}/sparql"
        for trick, text in hostile(f"http://127.0.0.1:{lst.port}/x").items():
            if trick.startswith("from"):
                continue
            proc = run_kg("query", "--sparql", text, "--endpoint", endpoint, "--timeout", "5")
            assert proc.returncode == 2, (trick, proc.stderr)
            assert proc.stderr.startswith("kg: error:") and "Traceback" not in proc.stderr, trick
        proc = run_kg("query", "--sparql", DEEP, "--endpoint", endpoint, "--timeout", "5")
        assert proc.returncode == 2 and "nests" in proc.stderr
    finally:
        lst.close()
    assert lst.connections == 0
