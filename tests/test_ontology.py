"""The ontology: header, naming, the closed namespace module, and HermiT consistency."""

from __future__ import annotations

import re
import shutil

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

import kg
from kg.core.namespace import DKG, GRAPH_ASSERTED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, ONTOLOGY_IRI
from kg.sources.ontology import load_ontology

VANN = "http://purl.org/vocab/vann/"


@pytest.fixture(scope="module")
def onto():
    return load_ontology()


def dkg_terms(g: Graph) -> set[URIRef]:
    ns = str(DKG._NS)
    return {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}


def test_header_is_complete_and_version_comes_from_the_package(onto):
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in onto
    assert onto.value(o, DCTERMS.title).language == "en"
    assert onto.value(o, DCTERMS.description).language == "en"
    assert isinstance(onto.value(o, DCTERMS.license), URIRef)
    assert onto.value(o, DCTERMS.created).datatype == XSD.date
    assert str(onto.value(o, URIRef(VANN + "preferredNamespacePrefix"))) == "dkg"
    assert str(onto.value(o, URIRef(VANN + "preferredNamespaceUri"))) == str(DKG._NS)
    assert str(onto.value(o, OWL.versionInfo)) == kg.__version__
    assert onto.value(o, OWL.versionIRI) == URIRef(f"{o}/{kg.__version__}")


def test_version_stamp_follows_the_given_version():
    g = load_ontology(version="9.9.9")
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == "9.9.9"
    assert len(list(g.objects(ONTOLOGY_IRI, OWL.versionInfo))) == 1


def test_namespace_module_lists_exactly_the_ontology_terms(onto):
    declared = {str(t) for t in dkg_terms(onto)}
    module = {str(DKG._NS) + name for name in DKG.__annotations__}
    assert module == declared


def test_namespace_module_is_closed():
    with pytest.raises(AttributeError):
        DKG.buyr  # noqa: B018


def test_naming_conventions(onto):
    for term in dkg_terms(onto):
        local = str(term).split("#", 1)[1]
        kinds = set(onto.objects(term, RDF.type))
        if OWL.Class in kinds or OWL.NamedIndividual in kinds:
            assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", local), local
        else:
            assert re.fullmatch(r"[a-z][A-Za-z0-9]*", local), local


def test_every_term_has_english_label_and_definition(onto):
    for term in dkg_terms(onto):
        labels = [l for l in onto.objects(term, RDFS.label) if l.language == "en"]
        assert labels, term
        assert onto.value(term, SKOS.definition) is not None, term


def test_models_what_the_issue_asks_for(onto):
    for cls in ("State", "Administration", "GovernmentAgency", "MilitaryAlliance", "Person", "Post",
                "AirAndMissileDefenceSystem", "FighterAircraft", "ArmedDrone", "ArmsContract",
                "DefenceAgreement", "Law", "Sanction", "ConditionalThreat", "Offer", "Appeal",
                "Statement", "Visit", "Briefing", "SaleApproval", "Lever", "Friction", "SanctionsRiskBearer"):
        assert (DKG[cls], RDF.type, OWL.Class) in onto, cls
    chain = onto.value(DKG.risksSanctionsUnder, OWL.propertyChainAxiom)
    assert chain is not None


def test_truth_rule_classes_are_disjoint(onto):
    """A threat is not a sanction; an offer is not a purchase."""
    members = set()
    for adc in onto.subjects(RDF.type, OWL.AllDisjointClasses):
        lst = onto.value(adc, OWL.members)
        members.add(frozenset(onto.items(lst)))
    assert any({DKG.Offer, DKG.ArmsDeal, DKG.Sanction, DKG.ConditionalThreat} <= m for m in members)


def test_wikidata_links_only_where_certain(dataset):
    wd = "http://www.wikidata.org/entity/"
    links = {(str(s).rsplit("/", 1)[1], str(o)[len(wd):]) for s, o in dataset.graph(GRAPH_ASSERTED).subject_objects(SKOS.exactMatch)}
    assert links == {
        ("India", "Q668"), ("UnitedStates", "Q30"), ("Russia", "Q159"), ("China", "Q148"), ("Turkey", "Q43"),
        ("NATO", "Q7184"), ("DonaldTrump", "Q22686"), ("VladimirPutin", "Q7747"),
        ("StateDepartment", "Q789915"), ("MikePompeo", "Q473239"),
    }


def test_hermit_finds_ontology_and_facts_consistent(dataset, tmp_path):
    import owlready2
    assert shutil.which("java"), "HermiT needs a Java runtime (scripts/setup.d/java.sh installs one)"
    g = Graph()
    for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE):
        g += dataset.graph(iri)
    path = tmp_path / "all.nt"
    g.serialize(path, format="nt")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    # xsd:gYear/gYearMonth are not in the OWL 2 datatype map: HermiT is told to ignore them
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True)
    inconsistent = list(world.inconsistent_classes())
    assert inconsistent == []


def test_hermit_detects_a_truth_rule_violation(dataset, tmp_path):
    """The disjointness axioms have teeth: an offer typed as a deal is inconsistent."""
    import owlready2

    g = Graph()
    for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED):
        g += dataset.graph(iri)
    g.add((URIRef("https://w3id.org/defence-kg/resource/offer-thaad"), RDF.type, DKG.ArmsDeal))
    path = tmp_path / "bad.nt"
    g.serialize(path, format="nt")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True)
