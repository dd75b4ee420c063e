"""The ontology: header, naming, the closed namespace module, and HermiT consistency."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

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


# --- OWL 2 DL: the OWL API's profile checker, and HermiT without lenience --------------------------

JAVA_DIR = Path("/usr/share/java")
#: The OWL API (Debian's libowlapi-java) and the jars it needs at run time, by their unversioned names.
OWLAPI_JARS = (
    "owlapi-distribution", "guava", "caffeine", "commons-rdf-api", "commons-io", "commons-codec",
    "jsr305", "atinject-jsr330-api", "hppcrt", "jackson-core", "jackson-databind", "jackson-annotations",
    "slf4j-api", "slf4j-nop", "xz", "jsonld-java", "httpclient", "httpcore", "commons-logging", "jaxb-api",
)
PROFILE_CHECK = Path(__file__).parent / "java" / "ProfileCheck.java"


def owlapi_classpath() -> str:
    assert shutil.which("java"), "the profile check needs a Java runtime (scripts/setup.d/java.sh installs one)"
    assert (JAVA_DIR / "owlapi-distribution.jar").exists(), (
        "the OWL API is missing: scripts/setup.d/java.sh installs libowlapi-java")
    jars = [JAVA_DIR / f"{name}.jar" for name in OWLAPI_JARS] + sorted(JAVA_DIR.glob("rdf4j-*[a-z].jar"))
    return ":".join(str(j) for j in jars if j.exists())


def owl2_profile_violations(graph: Graph, path: Path, profile: str = "DL") -> list[str]:
    """The OWL API's violations of *profile* for *graph* (written to *path* as N-Triples)."""
    graph.serialize(path, format="nt", encoding="utf-8")
    proc = subprocess.run(
        ["java", "-cp", owlapi_classpath(), str(PROFILE_CHECK), "--profile", profile, str(path)],
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    lines = proc.stdout.splitlines()
    summary = {k: v.strip() for k, _, v in (l.partition(":") for l in lines if l.startswith(("profile:", "violations:")))}
    assert summary.get("profile") == f"OWL 2 {profile}", proc.stdout
    violations = [l for l in lines if not l.startswith(("profile:", "axioms:", "violations:"))]
    assert len(violations) == int(summary["violations"]), proc.stdout
    assert (proc.returncode == 0) == (not violations)
    return violations


def hermit_world(graph: Graph, path: Path):
    import owlready2

    assert shutil.which("java"), "HermiT needs a Java runtime (scripts/setup.d/java.sh installs one)"
    graph.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    return owlready2, world, onto


@pytest.mark.java
def test_ontology_is_owl2_dl(onto, tmp_path):
    """ontology/*.ttl (without shapes.ttl) is in the OWL 2 DL profile: every datatype is in the OWL 2 map."""
    violations = owl2_profile_violations(onto, tmp_path / "ontology.nt")
    print("\n".join(violations))
    assert violations == []


@pytest.mark.java
def test_ontology_with_article_facts_is_owl2_dl(dataset, tmp_path):
    """The ontology with the asserted facts, and with the provenance graph too, is OWL 2 DL."""
    g = Graph()
    for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED):
        g += dataset.graph(iri)
    violations = owl2_profile_violations(g, tmp_path / "facts.nt")
    print("\n".join(violations))
    assert violations == []
    g += dataset.graph(GRAPH_PROVENANCE)
    violations = owl2_profile_violations(g, tmp_path / "facts-provenance.nt")
    print("\n".join(violations))
    assert violations == []


@pytest.mark.java
def test_ontology_and_facts_are_in_owl2_rl(dataset, tmp_path):
    """The closure is OWL 2 RL reasoning: ontology, facts and provenance stay inside the RL profile."""
    g = Graph()
    for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE):
        g += dataset.graph(iri)
    violations = owl2_profile_violations(g, tmp_path / "rl.nt", profile="RL")
    print("\n".join(violations))
    assert violations == []


@pytest.mark.java
def test_profile_check_reports_a_datatype_outside_the_owl2_map(onto, tmp_path):
    """The check has teeth: an xsd:gYear range (not in the OWL 2 datatype map) is a DL violation."""
    g = Graph() + onto
    g.add((DKG.timeStart, RDFS.range, XSD.gYear))
    violations = owl2_profile_violations(g, tmp_path / "bad.nt")
    assert any("UseOfUndeclaredDatatype" in v and "gYear" in v for v in violations), violations


@pytest.mark.java
def test_hermit_finds_ontology_and_facts_consistent(dataset, tmp_path):
    """HermiT accepts ontology, facts and provenance as they are: no unsupported datatypes to ignore."""
    g = Graph()
    for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE):
        g += dataset.graph(iri)
    owlready2, world, onto = hermit_world(g, tmp_path / "all.nt")
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    inconsistent = list(world.inconsistent_classes())
    assert inconsistent == []


@pytest.mark.java
def test_hermit_detects_a_truth_rule_violation(dataset, tmp_path):
    """The disjointness axioms have teeth: an offer typed as a deal is inconsistent."""
    g = Graph()
    for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED):
        g += dataset.graph(iri)
    g.add((URIRef("https://w3id.org/defence-kg/resource/offer-thaad"), RDF.type, DKG.ArmsDeal))
    owlready2, world, onto = hermit_world(g, tmp_path / "bad.nt")
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        with onto:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
