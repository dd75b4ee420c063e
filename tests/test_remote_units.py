"""The small pieces behind `kg serve` and `kg push`, without a server: negotiation, VALUES, Digest, quirks."""

from __future__ import annotations

import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD

from kg.core.errors import KgError
from kg.store.rdflib_store import prepare
from kg.remote.client import Auth, _digest, endpoints_for, inject_values, select_graphs, with_prefixes
from utils import normalise_term
from kg.serve.negotiation import negotiate

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


def test_digest_response_matches_rfc_2617_example(monkeypatch):
    import kg.remote.client

    monkeypatch.setattr(kg.remote.client.os, "urandom", lambda n: bytes.fromhex("0a4f113b"))
    challenge = ('Digest realm="testrealm@host.com", qop="auth,auth-int", '
                 'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    header = _digest(challenge, Auth("digest", "Mufasa", "Circle Of Life"), "GET", "http://www.nowhere.org/dir/index.html")
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert 'uri="/dir/index.html"' in header and 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header


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
