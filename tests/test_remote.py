"""`kg push` and `kg query --endpoint` against real stores: Oxigraph and Virtuoso 7.

The servers run as their own processes on free loopback ports (tests/servers.py);
a missing server makes these tests fail, never skip.
"""

from __future__ import annotations

import csv
import io
import time
import urllib.request
from urllib.parse import urlencode

import pytest
from rdflib import URIRef
from conftest import run_kg
from expected import assert_matches_expected
from servers import HOST, VIRTUOSO_PASSWORD, free_port, start_kg_serve, start_oxigraph, start_virtuoso
from utils import assert_store_equals_local, format_result, normalise_rows, store_graph_names

from kg.core.iris import GRAPH_ASSERTED, GRAPH_UNION, SOURCE_GRAPH
from kg.remote.client import Auth, count_by_value, inject_values, run_remote, with_prefixes
from kg.sparql import run
from kg.sparql.labels import to_term
from kg.sparql.named import named_queries
from kg.store.rdflib_store import dataset_graphs, union_graph

pytestmark = pytest.mark.servers

QUERIES = named_queries()
VIRTUOSO_ENV = {"KG_REMOTE_USER": "dba", "KG_REMOTE_PASSWORD": VIRTUOSO_PASSWORD}


@pytest.fixture(scope="module")
def build_dir(sources_build_dir):
    """Every route of this module serves the article and the cited sources: facts that two sources
    state are where a store that merges graphs as a bag would give a row twice."""
    return sources_build_dir


@pytest.fixture(scope="module")
def local(build_dir):
    from kg.pipeline.build import load_built

    return load_built(build_dir)


def pushed(server, build_dir, *args, env=None):
    """*server* loaded by `kg push` (Graph Store PUT); stopped after the module."""
    try:
        proc = run_kg("push", "--endpoint", server.url, "--build-dir", str(build_dir), *args, env=env)
        assert proc.returncode == 0, proc.stderr
        assert "counts match" in proc.stdout and "by PUT" in proc.stdout
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def oxigraph(build_dir, tmp_path_factory):
    """An Oxigraph server loaded by `kg push` (no credentials)."""
    yield from pushed(start_oxigraph(tmp_path_factory.mktemp("oxigraph")), build_dir)


@pytest.fixture(scope="module")
def virtuoso(build_dir, tmp_path_factory):
    """A private Virtuoso 7 loaded by `kg push` under Digest authentication."""
    yield from pushed(start_virtuoso(tmp_path_factory.mktemp("virtuoso")), build_dir, "--auth", "digest", env=VIRTUOSO_ENV)


@pytest.fixture(scope="module")
def served(build_dir, tmp_path_factory):
    # rdflib's engine takes up to ~6 s on a whole-graph question (where-sources-disagree) on 2
    # CPUs, near the default 10 s timeout of the rdflib backend on a loaded machine; what this
    # module tests is the answers of each route
    server = start_kg_serve(build_dir, tmp_path_factory.mktemp("serve-remote"), "--timeout", "120")
    yield server
    server.stop()


def local_rows(ds, q):
    return normalise_rows(run(ds, q.text, {k: to_term(ds, v) for k, v in q.params.items()}, source=str(q.path)))


# --- parity -------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(QUERIES))
def test_every_route_gives_the_same_rows(local, served, oxigraph, virtuoso, slug):
    q = QUERIES[slug]
    expected = local_rows(local, q)
    for server in (served, oxigraph, virtuoso):
        result, _ = run_remote(server.url, q.text, dict(q.params), Auth(), 60, slug, q.params)
        assert normalise_rows(result) == expected, f"{slug} on {server.name}"


@pytest.mark.parametrize("slug", sorted(s for s, q in QUERIES.items() if q.layer == "all"))
def test_every_route_gives_the_hand_written_rows_of_a_whole_graph_question(served, oxigraph, virtuoso, slug):
    """Not only the rows in-process gives: the hand-written ones (this module's build is the whole
    graph, the layer these questions name). A formulation one engine reads its own way fails here
    even where every route agrees with in-process."""
    q = QUERIES[slug]
    for server in (served, oxigraph, virtuoso):
        result, _ = run_remote(server.url, q.text, dict(q.params), Auth(), 60, slug, q.params)
        try:
            assert_matches_expected(q, result)
        except AssertionError as exc:
            raise AssertionError(f"on {server.name}: {exc}") from None


def fetch_csv(url: str, query: str, graphs: list[str]) -> tuple[str, list[list[str]]]:
    """Raw CSV; with *graphs*, the dataset `kg query --endpoint` names: those graphs, and as the
    default graph the union `kg push` wrote."""
    params = [("query", query)]
    if graphs:
        params += [("default-graph-uri", GRAPH_UNION)] + [("named-graph-uri", str(g)) for g in graphs]
    req = urllib.request.Request(url, data=urlencode(params).encode(), headers={
        "Accept": "text/csv", "Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        ctype = resp.headers["Content-Type"]
        charset = resp.headers.get_content_charset() or "utf-8"
        text = resp.read().decode(charset)
    return ctype.split(";")[0].strip().lower(), list(csv.reader(io.StringIO(text)))


def _is_select(q) -> bool:
    from kg.store.rdflib_store import prepare

    return prepare(q.text, str(q.path)).algebra.name == "SelectQuery"


@pytest.mark.parametrize("slug", sorted(s for s, q in QUERIES.items() if _is_select(q)))  # CSV is defined for SELECT
def test_csv_is_the_same_on_every_route(local, served, oxigraph, virtuoso, slug):
    """Raw CSV from each server: Virtuoso's quoting and charset parameter are absorbed by reading it as CSV."""
    q = QUERIES[slug]
    text = with_prefixes(inject_values(q.text, {k: to_term(local, v) for k, v in q.params.items()}))
    expected = list(csv.reader(io.StringIO(format_result(run(local, text), "csv"))))
    for server in (served, oxigraph, virtuoso):
        ctype, rows = fetch_csv(server.url, text, [] if server is served else dataset_graphs(local))
        assert ctype == "text/csv"
        assert rows[0] == expected[0], server.name
        assert sorted(rows[1:]) == sorted(expected[1:]), f"{slug} on {server.name}"


@pytest.mark.parametrize("store", ["oxigraph", "virtuoso"])
def test_kg_query_endpoint_prints_what_in_process_prints(build_dir, request, store):
    server = request.getfixturevalue(store)
    for fmt in ("csv", "table"):
        here = run_kg("query", "who-risks-caatsa-for-s400", "--format", fmt, "--build-dir", str(build_dir))
        there = run_kg("query", "who-risks-caatsa-for-s400", "--format", fmt, "--endpoint", server.url)
        assert here.returncode == 0 and there.returncode == 0, there.stderr
        a, b = here.stdout.strip().splitlines(), there.stdout.strip().splitlines()
        assert a[0] == b[0] and sorted(a[1:]) == sorted(b[1:]), fmt
    # a parameter by label, looked up on the store through a binding
    label = run_kg("query", "sentences-supporting-fact", "--format", "csv", "--endpoint", server.url,
                   "--bind", "fact=dkgr:appeal-forgo-russian-transactions")
    assert label.returncode == 0, label.stderr
    assert len(label.stdout.strip().splitlines()) >= 2


def test_a_triple_two_sources_state_is_counted_once_on_every_route(local, served, oxigraph, virtuoso):
    """A store given several default-graph-uri graphs merges them as a bag (Oxigraph, Virtuoso): the
    facts two sources state came back twice through `kg query --endpoint`. The default graph is now
    the union `kg push` writes, a set, as in-process."""
    union = union_graph(local)
    shared = {t for t in union if sum(t in local.graph(URIRef(g)) for g in dataset_graphs(local)) > 1}
    assert shared, "the build has no triple in two graphs: this test would prove nothing"
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for server in (served, oxigraph, virtuoso):
        result, _ = run_remote(server.url, text, {}, Auth(), 60)
        assert int(list(result)[0][0]) in (len(union), count_by_value(union)), server.name
    # and the rows of a question that rests on a fact two sources state
    q = QUERIES["india-s400-contract"]
    for server in (oxigraph, virtuoso):
        result, _ = run_remote(server.url, q.text, {}, Auth(), 60, "india-s400-contract", q.params)
        assert normalise_rows(result) == local_rows(local, q), server.name


@pytest.mark.parametrize("clause, expected", [
    ("FROM <{asserted}>", "asserted"),
    ("FROM NAMED <{asserted}>", "none"),
    ("FROM <{asserted}> FROM NAMED <{asserted}>", "asserted"),
])
def test_a_query_naming_its_own_dataset_gets_it_on_a_remote_store(local, served, oxigraph, virtuoso, clause, expected):
    """FROM / FROM NAMED were overridden by the client's own default-graph-uri: `FROM <asserted>`
    counted the whole build on a remote store. They now mean what they mean in-process."""
    asserted = union_graph(local, [GRAPH_ASSERTED])
    want = {"asserted": (len(asserted), count_by_value(asserted)), "none": (0,)}[expected]
    text = ("SELECT (COUNT(*) AS ?n) " + clause.format(asserted=GRAPH_ASSERTED) + " WHERE { ?s ?p ?o }")
    names = "SELECT DISTINCT ?g " + clause.format(asserted=GRAPH_ASSERTED) + " WHERE { GRAPH ?g { ?s ?p ?o } }"
    graphs = {"FROM <{asserted}>": set(), "FROM NAMED <{asserted}>": {GRAPH_ASSERTED},
              "FROM <{asserted}> FROM NAMED <{asserted}>": {GRAPH_ASSERTED}}[clause]
    for server in (served, oxigraph, virtuoso):
        result, _ = run_remote(server.url, text, {}, Auth(), 60)
        assert int(list(result)[0][0]) in want, server.name
        result, _ = run_remote(server.url, names, {}, Auth(), 60)
        assert {str(row[0]) for row in result} == graphs, server.name
    # the in-process answer is the same (what the remote routes are held to)
    assert int(list(run(local, text))[0][0]) in want


def test_the_client_finds_each_cited_source_graph(local, oxigraph):
    from kg.remote.client import RemoteClient

    client = RemoteClient(oxigraph.url, Auth(), 60)
    params = client.dataset()
    named = {v for k, v in params if k == "named-graph-uri"}
    assert named == set(dataset_graphs(local))
    assert any(g.startswith(SOURCE_GRAPH) for g in named)
    assert [v for k, v in params if k == "default-graph-uri"] == [GRAPH_UNION]


def test_long_queries_are_posted(oxigraph, local):
    padding = "# " + "x" * 3000 + "\n"
    q = QUERIES["who-risks-caatsa-for-s400"]
    result, _ = run_remote(oxigraph.url, padding + q.text, {}, Auth(), 60)
    assert normalise_rows(result) == local_rows(local, q)


# --- push ------------------------------------------------------------------------------------------


def test_push_is_idempotent(oxigraph, local, build_dir):
    for _ in range(2):
        proc = run_kg("push", "--endpoint", oxigraph.url, "--build-dir", str(build_dir))
        assert proc.returncode == 0, proc.stderr
    assert_store_equals_local(oxigraph, local)
    assert store_graph_names(oxigraph) == {*dataset_graphs(local), GRAPH_UNION}


def test_push_to_a_store_that_is_down(build_dir):
    url = f"http://{HOST}:{free_port()}/query"
    proc = run_kg("push", "--endpoint", url, "--build-dir", str(build_dir))
    assert proc.returncode != 0
    assert "cannot reach the store" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_kg("query", "who-risks-caatsa-for-s400", "--endpoint", url)
    assert proc.returncode != 0
    assert "cannot reach the store" in proc.stderr and "Traceback" not in proc.stderr


def test_push_with_wrong_credentials(virtuoso, build_dir):
    for extra in (["--auth", "digest"], ["--auth", "basic"], []):
        proc = run_kg("push", "--endpoint", virtuoso.url, "--build-dir", str(build_dir), *extra,
                      env={"KG_REMOTE_USER": "dba", "KG_REMOTE_PASSWORD": "not-the-password"})
        assert proc.returncode != 0, extra
        assert "refused the credentials" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_kg("push", "--endpoint", virtuoso.url, "--build-dir", str(build_dir))
    assert proc.returncode != 0 and "refused the credentials" in proc.stderr


def test_virtuoso_by_sparql_update_with_digest(virtuoso, local, build_dir):
    proc = run_kg("push", "--endpoint", virtuoso.url, "--build-dir", str(build_dir), "--no-graph-store",
                  "--graph", "inferred", "--graph", "asserted", "--batch-size", "100", env=VIRTUOSO_ENV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("by UPDATE") == 3  # the two graphs asked for, and the union
    q = QUERIES["who-risks-caatsa-for-s400"]
    result, _ = run_remote(virtuoso.url, q.text, {}, Auth(), 60)
    assert normalise_rows(result) == local_rows(local, q)


def test_a_graph_with_blank_nodes_pushes_to_virtuoso_by_sparql_update(virtuoso, local, build_dir):
    """Virtuoso refuses blank nodes in INSERT DATA ("not allowed in a constant clause"): the
    ontology graph (its OWL lists are blank nodes) could not be pushed by SPARQL Update."""
    proc = run_kg("push", "--endpoint", virtuoso.url, "--build-dir", str(build_dir), "--no-graph-store",
                  "--graph", "ontology", "--batch-size", "500", env=VIRTUOSO_ENV)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("by UPDATE") == 2  # the ontology and the union
    assert_store_equals_local(virtuoso, local)


def test_fallback_to_sparql_update_when_the_store_lacks_graph_store_protocol(local, build_dir, tmp_path):
    """`kg serve --allow-update` has no Graph Store Protocol (PUT gets 405): push falls back to SPARQL Update."""
    store = start_kg_serve(build_dir, tmp_path / "store", "--allow-update", env={"KG_SERVE_TOKEN": "push-token"})
    try:
        proc = run_kg("push", "--endpoint", store.url, "--store", "generic", "--graph-store",
                      store.url.replace("/sparql", "/store"), "--build-dir", str(build_dir), "--batch-size", "500",
                      env={"KG_REMOTE_TOKEN": "push-token"})
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.count("by UPDATE") == len(dataset_graphs(local)) + 1  # and the union
        assert_store_equals_local(store, local)
        proc = run_kg("push", "--endpoint", store.url, "--store", "generic", "--build-dir", str(build_dir),
                      env={"KG_REMOTE_TOKEN": "wrong"})
        assert proc.returncode != 0 and "refused the credentials" in proc.stderr
    finally:
        store.stop()


def test_push_fails_loudly_when_counts_differ(local, build_dir, tmp_path):
    """A store that drops triples on the way in is caught by the count check."""
    from kg.remote.client import Endpoints, push

    server = start_oxigraph(tmp_path / "ox")
    try:
        base = server.url.rsplit("/", 1)[0]
        # the store's GSP endpoint is real, but the counts are read from a different (empty) store
        other = start_oxigraph(tmp_path / "ox2")
        try:
            ep = Endpoints(other.url, f"{base}/update", f"{base}/store", "graph", "oxigraph")
            from kg.core.errors import KgError

            with pytest.raises(KgError, match="counts differ"):
                push(local, ep, Auth())
        finally:
            other.stop()
    finally:
        server.stop()


def test_kg_query_endpoint_timeout_is_a_clear_error(served):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    t0 = time.monotonic()
    proc = run_kg("query", "--sparql", slow, "--endpoint", served.url, "--timeout", "1", timeout=60)
    assert proc.returncode != 0
    assert "did not answer within 1 s" in proc.stderr and "Traceback" not in proc.stderr
    assert time.monotonic() - t0 < 15
