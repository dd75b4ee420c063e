"""OWL 2 RL reasoning: derived risks, class membership, and a clean inferred graph."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, BNode, Graph, Literal, URIRef

from kg.core.namespace import DKG, DKGR, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE
from kg.reasoning import BUILTIN_NAMESPACES, expand, is_noise


def test_closure_holds_the_derived_risks(built):
    inferred = built.dataset.graph(GRAPH_INFERRED)
    assert (DKGR.India, DKG.risksSanctionsUnder, DKGR.CAATSA) in inferred
    assert (DKGR.Turkey, DKG.risksSanctionsUnder, DKGR.CAATSA) in inferred
    for who in (DKGR.India, DKGR.Turkey):
        assert (who, RDF.type, DKG.SanctionsRiskBearer) in inferred
        assert (who, RDF.type, DKG.ArmsBuyer) in inferred


def test_risk_is_never_stated_only_derived(built):
    ds = built.dataset
    for iri in (GRAPH_ASSERTED, GRAPH_PROVENANCE):
        assert not list(ds.graph(iri).triples((None, DKG.risksSanctionsUnder, None)))
    # nobody on the US side, nobody merely offered a system, risks CAATSA sanctions
    risky = set(ds.graph(GRAPH_INFERRED).subjects(DKG.risksSanctionsUnder, DKGR.CAATSA))
    assert DKGR.UnitedStates not in risky and DKGR.TrumpAdministration not in risky


def test_actual_sanction_and_risk_are_kept_apart(built):
    inferred = built.dataset.graph(GRAPH_INFERRED)
    assert (DKGR.ChineseMilitaryAgency, RDF.type, DKG.SanctionedParty) in inferred
    assert (DKGR.India, RDF.type, DKG.SanctionedParty) not in inferred
    assert (DKGR.Turkey, RDF.type, DKG.SanctionedParty) not in inferred


def test_hierarchy_and_chains_give_class_and_property_membership(built):
    inferred = built.dataset.graph(GRAPH_INFERRED)
    assert (DKGR["S-400"], RDF.type, DKG.DefenceSystem) in inferred
    assert (DKGR["contract-india-russia-s400-2018"], RDF.type, DKG.ArmsDeal) in inferred
    assert (DKGR["contract-india-russia-s400-2018"], RDF.type, DKG.Event) in inferred
    assert (DKGR.Turkey, DKG.memberOfAlliance, DKGR.NATO) in inferred
    assert (DKGR.India, DKG.buyerIn, DKGR["contract-india-russia-s400-2018"]) in inferred
    assert (DKGR.Russia, DKG.targetedBy, DKGR.CAATSA) in inferred
    assert (DKGR["F-35"], DKG.inArmouryOf, DKGR.NATO) in inferred


def test_inferred_graph_is_free_of_axiomatic_noise(built):
    inferred = built.dataset.graph(GRAPH_INFERRED)
    assert len(inferred) > 100
    for s, p, o in inferred:
        assert not isinstance(s, (Literal, BNode)) and not isinstance(o, BNode)
        assert not (p == OWL.sameAs and s == o)
        assert not str(s).startswith(BUILTIN_NAMESPACES)
        assert not (isinstance(o, URIRef) and str(o).startswith(BUILTIN_NAMESPACES))


def test_inferred_graph_holds_nothing_already_stated(built):
    ds = built.dataset
    stated = ds.graph(GRAPH_ONTOLOGY) + ds.graph(GRAPH_ASSERTED)
    assert not [t for t in ds.graph(GRAPH_INFERRED) if t in stated]


def test_noise_filter():
    x = URIRef("https://example.org/x")
    assert is_noise(x, OWL.sameAs, x)
    assert is_noise(Literal("a"), RDF.type, URIRef("http://www.w3.org/2000/01/rdf-schema#Literal"))
    assert is_noise(x, RDF.type, OWL.Thing)
    assert is_noise(OWL.Thing, RDF.type, OWL.Class)
    assert not is_noise(x, RDF.type, DKG.State)


def test_unknown_engine_and_profile_are_user_errors():
    from kg.core.errors import KgError

    with pytest.raises(KgError, match="unknown reasoning engine"):
        expand(Graph(), engine="no-such-engine")
    with pytest.raises(KgError, match="unknown reasoning profile"):
        expand(Graph(), profile="owl-dl")
