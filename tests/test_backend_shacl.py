"""SHACL as SPARQL on Oxigraph gives exactly pySHACL's results: clean graphs and graphs with faults."""

from __future__ import annotations

import io

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.core.namespace import DKG, DKGR, GRAPH_ASSERTED, GRAPH_PROVENANCE, GRAPHS
from kg.pipeline.build import assemble
from kg.store.oxigraph import OxigraphStore
from kg.validation.shacl import shacl_violations
from kg.validation.shacl_sparql import compile_shapes, shacl_violations_store

FAULTS = [
    (DKGR["offer-x"], RDF.type, DKG.Offer),                                  # no offeror, offeree, item, status
    (DKGR["offer-x"], DKG.responseStatus, DKG.NotYetAnswered),
    (DKGR["offer-x"], DKG.responseStatus, DKG.Declined),                      # two statuses
    (DKGR["contract-india-russia-s400-2018"], DKG.quantity, Literal("0", datatype=XSD.integer)),  # two, one < 1
    (DKGR["contract-india-russia-s400-2018"], DKG.statedTime, Literal("2018", datatype=XSD.gYear)),  # not a string, and two
    (DKGR["contract-india-russia-s400-2018"], DKG.inferredTime, Literal("2018")),  # both stated and inferred
    (DKGR["putin-visit-new-delhi-2018"], DKG.timeStart, Literal("2018-01-01T00:00:00", datatype=XSD.dateTime)),  # no timezone
    (DKGR["sanction-x"], DKG.statedTime, Literal("in 2018")),                # not ISO 8601, no bounds
    (DKGR["sanction-x"], RDF.type, DKG.Sanction),                             # no target, law, date, evidence
    (DKGR["sanction-x"], DKG.sanctionTarget, DKGR["S-400"]),                  # not an agent
]


def same(a: list, b: list) -> bool:
    key = lambda v: (v.check, v.resource, v.error, v.severity)  # noqa: E731
    return sorted(a, key=key) == sorted(b, key=key)


def store_of(ds) -> object:
    store = OxigraphStore.create()
    for g in GRAPHS:
        store.add_graph(str(g), ds.graph(g))
    return store


def article_dataset(faults=()):
    from kg.pipeline.build import build

    ds = build(engine="native", validate=False).dataset
    for t in faults:
        ds.graph(GRAPH_ASSERTED).add(t)
    return ds


def synthetic_graphs(seed: int):
    """The asserted and provenance graphs of one synthetic article."""
    from kg.sources.synth import generate

    buf = io.StringIO()
    generate(buf, articles=1, seed=seed)
    raw = Dataset()
    raw.parse(data=buf.getvalue(), format="nquads")
    return raw.graph(GRAPH_ASSERTED), raw.graph(GRAPH_PROVENANCE)


def closed_dataset(asserted, provenance):
    """The four graphs of a build: the ontology, *asserted*, *provenance* and their closure."""
    from kg.reasoning import expand
    from kg.sources.ontology import load_ontology

    onto = load_ontology()
    g = Graph()
    for part in (onto, asserted):
        for t in part:
            g.add(t)
    return assemble(onto, asserted, provenance, expand(g, "owl-rl", "native"))


def test_every_shape_compiles():
    assert len(compile_shapes()) >= 20


@pytest.mark.parametrize("faults", [(), FAULTS], ids=["clean", "faults"])
def test_same_results_as_pyshacl_on_the_article(faults):
    ds = article_dataset(faults)
    ref = shacl_violations(ds)
    ours = shacl_violations_store(store_of(ds))
    assert same(ours, ref)
    assert bool(faults) == bool(ours)


def test_same_results_as_pyshacl_on_a_synthetic_graph():
    asserted, provenance = synthetic_graphs(2)
    # a fault in the synthetic data: a sentence's evidence loses its quote
    ev = next(provenance.subjects(RDF.type, DKG.Evidence))
    target = provenance.value(ev, URIRef("http://www.w3.org/ns/oa#hasTarget"))
    for sel in list(provenance.objects(target, URIRef("http://www.w3.org/ns/oa#hasSelector"))):
        provenance.remove((sel, None, None))
    ds = closed_dataset(asserted, provenance)
    ref = shacl_violations(ds)
    ours = shacl_violations_store(store_of(ds))
    assert same(ours, ref) and ours


OA = "http://www.w3.org/ns/oa#"


def test_evidence_failing_every_alternative_of_its_shape_is_found_as_pyshacl_finds_it():
    """dkgsh:EvidenceShape is an sh:or of three shapes, asked alternative by alternative (the
    nodes that failed one are the candidates of the next, bound by VALUES; a blank node among
    them sends the question back to one query). Each fault below fails all three."""
    asserted, provenance = synthetic_graphs(3)
    evidence = sorted(provenance.subjects(RDF.type, DKG.Evidence))
    # a quote without its end offset
    target = provenance.value(evidence[0], URIRef(OA + "hasTarget"))
    for sel in list(provenance.objects(target, URIRef(OA + "hasSelector"))):
        provenance.remove((sel, URIRef(OA + "end"), None))
    # a citation whose source is not a cited source, and a quote without an asserter
    provenance.add((evidence[1], DKG.statedIn, DKGR.India))
    provenance.add((evidence[1], DKG.locator, Literal("para 2")))
    provenance.remove((evidence[1], DKG.assertedBy, None))
    ds = closed_dataset(asserted, provenance)
    ours = shacl_violations_store(store_of(ds))
    assert same(ours, shacl_violations(ds))
    found = {v.resource.split(" ")[0] for v in ours if v.check == "shacl dkgsh:EvidenceShape"}
    assert len(found) == 2
    # the same with a blank-node evidence annotation among them, that only names a locator
    from rdflib import BNode

    provenance.add((BNode("stray"), RDF.type, DKG.Evidence))
    provenance.add((BNode("stray"), DKG.locator, Literal("para 9")))
    ds = closed_dataset(asserted, provenance)
    ours = shacl_violations_store(store_of(ds))
    assert same(ours, shacl_violations(ds))
    assert len({v.resource.split(" ")[0] for v in ours if v.check == "shacl dkgsh:EvidenceShape"}) == 3
