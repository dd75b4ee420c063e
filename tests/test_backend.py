"""The Oxigraph backend against the rdflib reference: same graphs, same rows, same checks."""

from __future__ import annotations

import pytest
from conftest import run_kg
from rdflib import Graph, Literal
from rdflib.compare import isomorphic

from kg.core.errors import KgError
from kg.core.iris import GRAPH_ASSERTED as G_ASSERTED
from kg.core.namespace import GRAPH_INFERRED, GRAPHS
from kg.core.terms import shorten
from kg.pipeline.build import build, write_outputs
from kg.sparql import run
from kg.sparql.named import check_queries, named_queries
from kg.store import oxigraph as backend
from kg.store.oxigraph import OxigraphStore
from kg.store.rdflib_store import prepare
from kg.validation import validate


@pytest.fixture(scope="module")
def ox_build():
    """The article graph built on Oxigraph with the native reasoner."""
    return build(backend="oxigraph", engine="native")


def _value(term):
    """A term as compared across backends: Oxigraph keeps numbers by value (xsd:integer)."""
    if isinstance(term, Literal) and isinstance(term.toPython(), int) and not isinstance(term.toPython(), bool):
        return ("int", int(term.toPython()))
    return term


def rows(result) -> list:
    return sorted(tuple(_value(t) for t in row) for row in result)


def test_same_graphs_as_the_reference(ox_build, reference_build):
    o = backend.ox()
    for g in GRAPHS:
        ours = {tuple(_value(backend.from_ox(t)) for t in (q.subject, q.predicate, q.object))
                for q in ox_build.store.raw.quads_for_pattern(None, None, None, o.NamedNode(str(g)))}
        ref = {tuple(_value(t) for t in triple) for triple in reference_build.dataset.graph(g)}
        assert ours == ref, f"{g}: {len(ours - ref)} extra, {len(ref - ours)} missing"
    assert ox_build.inferred == len(reference_build.dataset.graph(GRAPH_INFERRED))


@pytest.mark.parametrize("slug", sorted(named_queries()))
def test_every_competency_query_gives_identical_rows(slug, ox_build, reference_build):
    q = named_queries()[slug]
    bindings = {}
    view = ox_build.store
    from kg.sparql.labels import to_term

    for name, value in q.params.items():
        bindings[name] = to_term(reference_build.dataset, value)
        assert to_term(view, value) == bindings[name]
    ref = run(reference_build.dataset, q.text, bindings, source=slug)
    ours = run(ox_build.store, q.text, bindings, source=slug)
    assert ours.type == ref.type
    if ref.type in ("CONSTRUCT", "DESCRIBE"):
        assert isomorphic(ours.graph, ref.graph)
    elif ref.type == "ASK":
        assert ours.askAnswer == ref.askAnswer
    else:
        assert [str(v) for v in ours.vars] == [str(v) for v in ref.vars]
        assert rows(ours) == rows(ref)
        assert sorted(tuple(shorten(t) for t in r) for r in ours) == sorted(tuple(shorten(t) for t in r) for r in ref)


def _top_order_by(text: str):
    """The ORDER BY of a SELECT query (under its projection), or None; and whether it is a SELECT."""
    algebra = prepare(text).algebra
    node = algebra.p
    while node.name in ("Project", "Distinct", "Reduced", "Slice", "ToMultiSet"):
        node = node.p
    return algebra.name == "SelectQuery", (node if node.name == "OrderBy" else None)


@pytest.mark.parametrize("slug", sorted(named_queries()))
def test_every_competency_query_prints_its_rows_in_the_same_order_on_both_backends(slug, request):
    """A SELECT question has a total ORDER BY, so `kg query` prints the same rows in the same order
    on both routes. (An ASK answer is one boolean and a CONSTRUCT answer a set of triples: ORDER BY
    means nothing there, but what `kg query` prints must still be the same.) Each question is asked
    of the build its answer is for: the article's alone, or with the cited sources (`# Layer: all`)."""
    q = named_queries()[slug]
    build_dir = request.getfixturevalue("build_dir" if q.layer == "article" else "sources_build_dir")
    is_select, order_by = _top_order_by(q.text)
    if is_select:
        assert order_by is not None, f"{slug} has no ORDER BY"
        projected = {str(v) for v in prepare(q.text).algebra["PV"]}
        keyed = {str(c.expr) for c in order_by.expr}  # the final keys break every tie
        assert projected <= keyed, f"{slug}: ORDER BY leaves ties on {sorted(projected - keyed)}"
    for fmt in ("csv", "table"):
        out = {}
        for route in ("rdflib", "oxigraph"):
            proc = run_kg("query", slug, "--backend", route, "--format", fmt, "--build-dir", str(build_dir))
            assert proc.returncode == 0, proc.stderr
            out[route] = proc.stdout
        assert len(out["rdflib"].splitlines()) > 1 or out["rdflib"].strip() in ("true", "yes")
        assert out["oxigraph"] == out["rdflib"], f"{slug} --format {fmt}"


def test_checks_agree_and_find_injected_faults(ox_build, reference_build):
    assert validate(ox_build.store) == []
    o = backend.ox()
    dkg, g = "https://w3id.org/defence-kg/ontology#", o.NamedNode(G_ASSERTED)
    store = OxigraphStore.create().raw
    store.extend(ox_build.store.raw.quads_for_pattern(None, None, None, None))
    bad = o.NamedNode("https://w3id.org/defence-kg/resource/offer-bad")
    store.add(o.Quad(bad, o.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), o.NamedNode(dkg + "Offer"), g))
    store.add(o.Quad(o.NamedNode("https://w3id.org/defence-kg/resource/India"), o.NamedNode(dkg + "position"),
                     o.Literal("-3", datatype=o.NamedNode("http://www.w3.org/2001/XMLSchema#integer")), g))
    found = {(v.check, v.resource) for v in validate(OxigraphStore(store))}
    assert ("offer-status-violation", "dkgr:offer-bad") in found
    assert ("missing-provenance-violation", "dkgr:offer-bad") in found
    assert any(c.startswith("datatype-range") and r == "dkgr:India" for c, r in found)
    # the same faults, on the rdflib route
    from rdflib import Dataset

    from kg.core.namespace import GRAPH_ASSERTED
    from kg.validation.checks import run_checks

    copy = Dataset(default_union=True)
    for gr in GRAPHS:
        for t in reference_build.dataset.graph(gr):
            copy.graph(gr).add(t)
    for q in store.quads_for_pattern(bad, None, None, g):
        copy.graph(GRAPH_ASSERTED).add(tuple(backend.from_ox(x) for x in (q.subject, q.predicate, q.object)))
    ref = {(v.check, v.resource) for v in run_checks(copy)}
    assert {("offer-status-violation", "dkgr:offer-bad"), ("missing-provenance-violation", "dkgr:offer-bad")} <= ref
    assert len(check_queries()) > 1


def test_cli_build_and_query_on_oxigraph(tmp_path):
    out = tmp_path / "b"
    proc = run_kg("build", "--backend", "oxigraph", "--build-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "(oxigraph, native)" in proc.stdout
    assert (out / "oxigraph").is_dir() and (out / "defence-kg.nq").is_file()
    fast = run_kg("query", "who-risks-caatsa-for-s400", "--format", "csv", "--build-dir", str(out))
    slow = run_kg("query", "who-risks-caatsa-for-s400", "--format", "csv", "--build-dir", str(out), "--backend", "rdflib")
    assert fast.returncode == 0 and slow.returncode == 0, fast.stderr + slow.stderr
    fast_lines, slow_lines = fast.stdout.splitlines(), slow.stdout.splitlines()
    assert fast_lines[0] == slow_lines[0] and sorted(fast_lines[1:]) == sorted(slow_lines[1:])  # rows in any order
    assert "dkgr:India" not in fast.stdout and "India" in fast.stdout
    bound = run_kg("query", "--sparql", "SELECT ?l WHERE { ?x rdfs:label ?l }", "--bind", "x=India",
                   "--format", "csv", "--build-dir", str(out))
    assert bound.returncode == 0, bound.stderr
    assert bound.stdout.split() == ["l", "India"]


def test_oxigraph_outputs_equal_the_rdflib_outputs(tmp_path, reference_build, ox_build):
    from kg.core.resources import NQUADS_NAME, TURTLE_NAME

    a, b = tmp_path / "a", tmp_path / "b"
    write_outputs(reference_build, a)
    write_outputs(ox_build, b)
    for name in (NQUADS_NAME, TURTLE_NAME):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_build_from_a_synthetic_file_on_both_backends(tmp_path):
    from rdflib import Dataset

    from kg.sources.synth import generate

    src = tmp_path / "s.nq"
    with open(src, "w", encoding="utf-8") as fh:
        generate(fh, articles=2, seed=3)
    ours = build(src, backend="oxigraph", engine="native", store_path=tmp_path / "store")
    ref = build(src, backend="rdflib", engine="owlrl", validate=False)  # pySHACL is slow; validated below
    o = backend.ox()
    inf = {tuple(backend.from_ox(t) for t in (q.subject, q.predicate, q.object))
           for q in ours.store.raw.quads_for_pattern(None, None, None, o.NamedNode(str(GRAPH_INFERRED)))}
    assert inf == set(ref.dataset.graph(GRAPH_INFERRED)) and inf
    write_outputs(ours, tmp_path / "out")
    written, expected = Dataset(), Dataset()
    written.parse(tmp_path / "out" / "defence-kg.nq", format="nquads")
    for g in GRAPHS:
        for t in ref.dataset.graph(g):
            expected.graph(g).add(t)
    for g in GRAPHS:  # datatypes kept, e.g. xsd:nonNegativeInteger; only the ontology has blank nodes (lists)
        same = isomorphic if g == GRAPHS[0] else (lambda a, b: set(a) == set(b))
        assert same(written.graph(g), expected.graph(g)), g
    turtle = Graph().parse(tmp_path / "out" / "defence-kg.ttl")
    assert len(turtle) == len({t for g in GRAPHS for t in expected.graph(g)})


def test_unknown_input_is_a_user_error(tmp_path):
    bad = tmp_path / "x.nq"
    bad.write_text("<a> <b> .\n")
    with pytest.raises(KgError):
        build(bad, backend="oxigraph")
    stray = tmp_path / "y.nq"
    stray.write_text("<http://a> <http://b> <http://c> <http://other-graph> .\n")
    with pytest.raises(KgError, match="asserted, provenance and source graphs only"):
        build(stray, backend="oxigraph")
    # a triple in the default graph is refused too, though the store writes the union there itself
    default = tmp_path / "z.nq"
    default.write_text("<http://a> <http://b> <http://c> .\n")
    for backend_name in ("oxigraph", "rdflib"):
        with pytest.raises(KgError, match="asserted, provenance and source graphs only"):
            build(default, backend=backend_name)
    proc = run_kg("build", "--backend", "oxigraph", "--input", str(tmp_path / "missing.nq"),
                  "--build-dir", str(tmp_path / "o"))
    assert proc.returncode != 0 and "no such" in proc.stderr and "Traceback" not in proc.stderr


# Regression (3c03d58): Oxigraph's own union mode matched a triple once per graph holding it, so a
# fact two sources state gave every row twice. The union is kept as a set in the store's default
# graph; since it is filled by the bulk loader and the reasoner's triples join it as they are
# written, the same rule is checked here through each way the union changes.
TWO_SOURCES = """
@prefix dkg: <https://w3id.org/defence-kg/ontology#> .
@prefix dkgr: <https://w3id.org/defence-kg/resource/> .
dkgr:India dkg:buyerIn dkgr:deal-1 .
"""


ASK_BUYER_IN = "SELECT ?s ?o WHERE { ?s <https://w3id.org/defence-kg/ontology#buyerIn> ?o }"


def _two_sources(backend_name):
    from kg.core.iris import SOURCE_GRAPH
    from kg.store import create

    store = create(backend_name)
    fact = Graph().parse(data=TWO_SOURCES, format="turtle")
    store.add_graph(str(G_ASSERTED), fact)
    store.add_graph(SOURCE_GRAPH + "a", fact)
    return store


@pytest.mark.parametrize("backend_name", ["rdflib", "oxigraph"])
def test_a_fact_two_graphs_state_is_one_row_of_the_default_graph(backend_name):
    from kg.core.iris import SOURCE_GRAPH

    store = _two_sources(backend_name)
    assert len(list(run(store, ASK_BUYER_IN))) == 1
    # a graph cleared leaves the union without what only it held
    store.clear_graph(str(G_ASSERTED))
    assert len(list(run(store, ASK_BUYER_IN))) == 1
    store.clear_graph(SOURCE_GRAPH + "a")
    assert list(run(store, ASK_BUYER_IN)) == []


def test_the_reasoners_triples_join_the_union_once_on_oxigraph():
    """The union is current when the native reasoner writes (a query came first): its triples join
    it as they are written, once each."""
    from kg.core.iris import GRAPH_ONTOLOGY, SOURCE_GRAPH
    from kg.sources.ontology import load_ontology

    store = _two_sources("oxigraph")
    store.add_graph(GRAPH_ONTOLOGY, load_ontology())
    assert len(list(run(store, ASK_BUYER_IN))) == 1  # the union is now current
    store.materialise([GRAPH_ONTOLOGY, str(G_ASSERTED), SOURCE_GRAPH + "a"], "native")
    # dkg:buyer is the inverse of dkg:buyerIn: derived from both graphs, one row
    inverse = "SELECT ?s ?o WHERE { ?s <https://w3id.org/defence-kg/ontology#buyer> ?o }"
    assert [(str(r[0]), str(r[1])) for r in run(store, inverse)] == [
        ("https://w3id.org/defence-kg/resource/deal-1", "https://w3id.org/defence-kg/resource/India")]
    assert len(list(run(store, ASK_BUYER_IN))) == 1


def test_an_on_disk_store_reopened_knows_its_union_is_current(tmp_path):
    """The benchmark's steps run one process each on one store: a store whose union a flush made
    current is not filled again when reopened, and any change after marks it out of date."""
    from kg.store.oxigraph import UNION_MARKER

    store = OxigraphStore.create(tmp_path / "store")
    store.add_graph(str(G_ASSERTED), Graph().parse(data=TWO_SOURCES, format="turtle"))
    store.flush()
    marker = tmp_path / ("store" + UNION_MARKER)
    assert marker.is_file()
    del store
    again = OxigraphStore.open(tmp_path / "store")
    assert marker.is_file() and not again._union_stale
    assert len(list(run(again, ASK_BUYER_IN))) == 1
    again.clear_graph(str(G_ASSERTED))
    assert not marker.exists()
    assert list(run(again, ASK_BUYER_IN)) == []
    again.flush()
    del again
    assert OxigraphStore.open(tmp_path / "store")._union_stale is False
    fresh = OxigraphStore.create(tmp_path / "store")  # a new, empty store there: the old marker goes
    assert not marker.exists() and list(run(fresh, ASK_BUYER_IN)) == []
    # an empty store's union is current, and each addition keeps it so: no fill is needed
    fresh.add_graph(str(G_ASSERTED), Graph().parse(data=TWO_SOURCES, format="turtle"))
    assert not fresh._union_stale and len(list(run(fresh, ASK_BUYER_IN))) == 1


def test_queries_on_threads_fill_an_out_of_date_union_once_without_hanging(ox_build):
    """Regression: validation's queries run on two threads; on a store whose union was out of date
    both filled it at once through the bulk loader, and the build hung."""
    import threading

    from kg.validation import select_all

    raw = OxigraphStore.create().raw
    raw.extend(ox_build.store.raw.quads_for_pattern(None, None, None, None))
    store = OxigraphStore(raw)  # a store made outside the class: its union is out of date
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("rows", select_all(store, [ASK_BUYER_IN] * 4, workers=4)),
                         daemon=True)
    t.start()
    t.join(120)
    assert not t.is_alive(), "the queries hung filling the union"
    expected = len(list(run(ox_build.store, ASK_BUYER_IN)))
    assert expected > 0 and [len(r) for r in out["rows"]] == [expected] * 4


ONE_FILE = """<http://x/a> <http://x/p> "one two" <https://w3id.org/defence-kg/graph/asserted> .
<http://x/a> <http://x/p> "one two" <https://w3id.org/defence-kg/graph/provenance> .
<http://x/b> <http://x/q> <http://x/c> <https://w3id.org/defence-kg/graph/asserted> .
<http://x/a> <http://x/r> <http://x/b> <https://w3id.org/defence-kg/graph/provenance> .

<http://x/a> <http://x/s> "7 <http://x/z> ."^^<http://www.w3.org/2001/XMLSchema#string> <https://w3id.org/defence-kg/graph/asserted> .
"""


def _union_and_named(store):
    import pyoxigraph as o

    union = {q.triple for q in store.raw.quads_for_pattern(None, None, None, o.DefaultGraph())}
    named = {q.triple for q in store.raw if isinstance(q.graph_name, o.NamedNode)}
    return union, named


@pytest.mark.parametrize("case", ["as written", "with a blank node", "a comment after a line",
                                  "a triple in the default graph"])
def test_an_nquads_file_loads_into_an_on_disk_store_with_its_union(tmp_path, monkeypatch, case):
    """The union of an N-Quads file is written by the bulk loader as the file loads (its lines
    without their graph label, as N-Triples); a file it cannot take so (blank nodes, which each
    load names anew; a comment) is read once by Python and written twice; a default-graph triple
    is refused all the same."""
    import pyoxigraph

    import kg.store.oxigraph as oxs

    text = ONE_FILE
    if case == "with a blank node":
        text = text.replace("<http://x/b>", "_:b1")
    if case == "a comment after a line":
        text = text.replace("provenance> .\n", "provenance> . # a comment\n", 1)
    if case == "a triple in the default graph":
        text += "<http://x/a> <http://x/t> <http://x/d> .\n"
    (tmp_path / "in.nq").write_text(text)
    monkeypatch.setattr(oxs, "NATIVE_UNION_BYTES", 0)  # natively from any size (a large file, below)
    monkeypatch.setattr(oxs, "_fill_union", lambda raw, fill=oxs._fill_union: (
        pytest.fail("the union was filled after the load") if case != "a triple in the default graph" else fill(raw)))
    if case in ("as written", "a triple in the default graph"):  # not read by Python
        monkeypatch.setattr(pyoxigraph, "parse", lambda *a, **k: pytest.fail("read by Python"))
    store = OxigraphStore.create(tmp_path / "store")
    store.load_file(tmp_path / "in.nq")
    union, named = _union_and_named(store)
    assert len(named) == 4 and union == named
    # the blank node is one node in the graphs and the union: the union joins through it
    rows = list(run(store, "SELECT ?o WHERE { <http://x/a> <http://x/r> ?b . ?b <http://x/q> ?o }"))
    assert [str(r[0]) for r in rows] == ["http://x/c"]
    assert store.stray_quads() == (case == "a triple in the default graph")
    assert not list(tmp_path.glob("*.nt"))  # the triples file is gone


def test_a_small_nquads_file_is_loaded_with_its_union_by_python(tmp_path, monkeypatch):
    """Below NATIVE_UNION_BYTES the bulk loader's own cost outweighs Python's: one parse, each quad
    written to its graph and the union."""
    import kg.store.oxigraph as oxs

    (tmp_path / "in.nq").write_text(ONE_FILE)
    monkeypatch.setattr(oxs.OxigraphStore, "_load_with_union", lambda self, path: pytest.fail("loaded natively"))
    store = OxigraphStore.create(tmp_path / "store")
    store.load_file(tmp_path / "in.nq")
    union, named = _union_and_named(store)
    assert len(named) == 4 and union == named and not store.stray_quads()
