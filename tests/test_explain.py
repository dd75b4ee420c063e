"""`kg explain`: asserted facts quote their sentence; derived facts name their rule and facts.

Expected sentences and supporting facts are written by hand from the article text.
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import run_kg
from rdflib import RDF, Literal

from kg.core.namespace import DKG, DKGR, GRAPH_INFERRED
from kg.core.resources import articles_dir
from kg.explanation.explainer import Explainer, explain, query_support
from kg.sparql import run
from kg.sparql.labels import to_term
from kg.sparql.named import named_queries

ARTICLE = (articles_dir() / "2019-06-us-india-s400" / "article.txt").read_text(encoding="utf-8")
R = DKGR


@pytest.fixture(scope="module")
def explainer(dataset):
    return Explainer(dataset)


# --- asserted facts -------------------------------------------------------------------------

#: (subject, predicate, object) -> (the sentence that states it, words the best quote holds)
ASSERTED = [
    ((R["contract-india-russia-s400-2018"], DKG.buyer, R.India), "s03", "India is contracted to buy"),
    ((R["contract-india-russia-s400-2018"], DKG.statedTime, Literal("2018")),
     "s03", "New Delhi visit in 2018"),
    ((R["offer-thaad"], DKG.responseStatus, DKG.NotYetAnswered), "s13", "not responded to those offers yet"),
    ((R["offer-pac3"], DKG.offeredItem, R["PAC-3"]), "s03", "Patriot Advanced Capability-3 (PAC-3)"),
    ((R["sanction-chinese-agency-2018"], DKG.sanctionTarget, R.ChineseMilitaryAgency), "s10",
     "A Chinese military agency was sanctioned under CAATSA in 2018"),
    ((R.CAATSA, DKG.targetsState, R.Russia), "s06", "a law aimed at punishing Russia"),
    ((R["friction-us-india-trade"], DKG.chiefCause, R["topic-trade"]), "s07", "the chief cause of recent friction"),
    ((R["india-stance-on-s400-deal"], DKG.despite, R["us-pressure-on-india-s400"]), "s04", "despite continuing US pressure"),
    ((R["threat-turkey-f35"], DKG.deniedSystem, R["F-35"]), "s10", "denied F-35s"),
    ((R["approval-armed-sea-guardian"], DKG.approvedSystem, R.ArmedSeaGuardian), "s11", "armed Sea Guardian"),
]


@pytest.mark.parametrize("triple,sentence,words", ASSERTED, ids=[t[0][1].split("#")[-1] + ":" + t[1] for t in ASSERTED])
def test_asserted_fact_quotes_its_sentence(explainer, triple, sentence, words):
    exp = explainer.explain(triple)
    assert exp.kind == "asserted"
    best = exp.best_quotes()
    assert sentence in [q.sentence_id for q in best]
    q = next(q for q in best if q.sentence_id == sentence)
    assert words in q.sentence_text
    # offsets point at the quote in the shipped text, inside its sentence
    assert ARTICLE[q.start:q.end] == q.exact
    assert q.sentence_text in ARTICLE and q.exact in q.sentence_text
    assert f"«{q.exact}»" in q.highlighted()
    assert q.highlighted().replace("«", "").replace("»", "") == q.sentence_text
    assert q.asserted_by is not None


def test_who_asserts_a_quoted_appeal(explainer):
    exp = explainer.explain((R["appeal-forgo-russian-transactions"], RDF.type, DKG.Appeal))
    by_sentence = {q.sentence_id: q for q in exp.quotes}
    assert set(by_sentence) == {"s01", "s05"}
    assert by_sentence["s05"].asserted_by == R["senior-official"]
    assert by_sentence["s05"].mode == "direct quote"
    assert by_sentence["s01"].mode == "narrative voice"


def test_hedge_and_external_citation_are_shown(explainer):
    exp = explainer.explain((R["briefing-pompeo-india-preview"], DKG.dayOfWeek, Literal("Thursday")))
    assert [q.sentence_id for q in exp.best_quotes()] == ["s05"]
    assert any(q.is_citation and q.cited_source == R["ref-visit-and-briefing-dates"] for q in exp.quotes)
    status = explainer.explain((R["offer-pac3"], DKG.responseStatus, DKG.NotYetAnswered))
    assert status.best_quotes()[0].hedge == "is understood to"


# --- derived facts --------------------------------------------------------------------------

#: Each risk of sanctions, and the asserted facts (with their sentences) it rests on.
RISKS = {
    R.India: ({(R["contract-india-russia-s400-2018"], DKG.buyer, R.India),
               (R["contract-india-russia-s400-2018"], DKG.system, R["S-400"]),
               (R["S-400"], DKG.originState, R.Russia),
               (R.CAATSA, DKG.targetsState, R.Russia)}, {"s03", "s06"}),
    R.Turkey: ({(R["deal-turkey-s400"], DKG.buyer, R.Turkey),
                (R["deal-turkey-s400"], DKG.system, R["S-400"]),
                (R["S-400"], DKG.originState, R.Russia),
                (R.CAATSA, DKG.targetsState, R.Russia)}, {"s10", "s03", "s06"}),
    R.ChineseMilitaryAgency: ({(R["deal-china-s400"], DKG.buyer, R.ChineseMilitaryAgency),
                               (R["deal-china-s400"], DKG.system, R["S-400"]),
                               (R["S-400"], DKG.originState, R.Russia),
                               (R.CAATSA, DKG.targetsState, R.Russia)}, {"s10", "s03", "s06"}),
}


def test_derived_risks_are_the_expected_ones(built):
    risks = set(built.dataset.graph(GRAPH_INFERRED).subject_objects(DKG.risksSanctionsUnder))
    assert risks == {(who, R.CAATSA) for who in RISKS}  # the article's three buyers (article layer)


@pytest.mark.parametrize("who", list(RISKS), ids=lambda t: str(t).rsplit("/", 1)[-1])
def test_derivation_of_each_risk_names_its_facts(explainer, who):
    facts, sentences = RISKS[who]
    exp = explainer.explain((who, DKG.risksSanctionsUnder, R.CAATSA))
    assert exp.kind == "derived" and exp.rule == "prp-spo2"
    assert {f.triple for f in exp.supporting_facts()} == facts
    assert set(exp.sentences()) == sentences
    axioms = {a.n3 for a in exp.axioms()}
    assert "dkg:risksSanctionsUnder owl:propertyChainAxiom ( dkg:buyerIn dkg:system dkg:originState dkg:targetedBy )" in axioms
    assert "dkg:buyer owl:inverseOf dkg:buyerIn" in axioms
    assert "dkg:targetsState owl:inverseOf dkg:targetedBy" in axioms
    for f in exp.supporting_facts():
        assert f.quotes and all(ARTICLE[q.start:q.end] == q.exact for q in f.quotes if not q.is_citation)


def test_restriction_class_membership_is_derived_through_the_risk(explainer):
    exp = explainer.explain((R.India, RDF.type, DKG.SanctionsRiskBearer))
    assert "cls-svf1" in exp.rules() and "prp-spo2" in exp.rules()
    assert {f.triple for f in exp.supporting_facts()} >= RISKS[R.India][0]


def test_every_inferred_triple_has_a_derivation(built):
    """Generic rules, not hand-written explanations: everything the reasoner derived is re-derived."""
    ex = Explainer(built.dataset)
    unexplained = [e.n3 for e in (ex.explain(t) for t in ex.inferred) if e.kind != "derived"]
    assert unexplained == []


def test_a_fact_the_graph_lacks_is_refused(dataset):
    from kg.core.errors import KgError

    with pytest.raises(KgError, match="neither asserted nor derived"):
        explain(dataset, "India", "buyer", "Russia")


# --- competency answers ---------------------------------------------------------------------

#: Sentences an answer must be traced to, by hand from the article.
ANSWER_SENTENCES = {
    "who-risks-caatsa-for-s400": {"s03", "s06", "s10"},
    "sanctioned-under-caatsa": {"s10"},
    "s400-alternatives-offered-to-india": {"s03", "s13"},
    "what-is-caatsa": {"s06"},
    "chief-cause-of-us-india-friction": {"s07"},
    "india-holds-to-s400-deal": {"s04"},
    "india-s400-contract": {"s03"},
    "india-caatsa-risk-chain": {"s03", "s06"},
}


def _answer_sentences(explainer, dataset, query):
    params = {k: to_term(dataset, v) for k, v in query.params.items()}
    result = run(dataset, query.text, params)
    found = set()
    for exps in query_support(explainer, query.text, result, params):
        for e in exps:
            found |= set(e.sentences())
    return found


@pytest.mark.parametrize("slug", sorted(ANSWER_SENTENCES))
def test_competency_answer_quotes_the_right_sentences(explainer, dataset, slug):
    found = _answer_sentences(explainer, dataset, named_queries()[slug])
    assert ANSWER_SENTENCES[slug] <= found


def test_every_competency_answer_is_traced_to_a_declared_sentence(explainer, dataset):
    # the article's own questions, on the article's build (`dataset`): the whole-graph questions'
    # answers rest on cited sources too, whose evidence is a citation, not a sentence
    for slug, q in named_queries().items():
        declared = set(re.findall(r"\bs\d{2}\b", q.header("sentences")))
        if not declared or q.layer != "article":
            continue
        found = _answer_sentences(explainer, dataset, q)
        assert found & declared, f"{slug}: answers traced to {sorted(found)}, header says {sorted(declared)}"


# --- CLI ------------------------------------------------------------------------------------


def test_cli_explains_a_derived_risk(build_dir):
    proc = run_kg("explain", "India", "risks sanctions under", "CAATSA", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "prp-spo2" in out and "property chain" in out
    assert "«the five Russian S-400s that India is contracted to buy" in out
    assert "s06" in out and "«CAATSA is Countering America’s Adversaries Through Sanctions Act" in out


def test_cli_explains_an_asserted_fact_as_json(build_dir):
    proc = run_kg("explain", "dkgr:offer-thaad", "dkg:responseStatus", "--format", "json", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert len(data) == 1 and data[0]["kind"] == "asserted"
    first = data[0]["quotes"][0]
    assert first["sentence"] == "s13" and first["hedge"] == "is understood to"
    assert ARTICLE[first["start"]:first["end"]] == first["quote"]


def test_cli_user_errors_are_one_line(build_dir):
    proc = run_kg("explain", "Atlantis", "--build-dir", str(build_dir))
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "Atlantis" in proc.stderr


def test_cli_subject_overview(build_dir):
    proc = run_kg("explain", "Turkey", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "stated (" in out and "derived (" in out
    assert "dkgr:Turkey dkg:risksSanctionsUnder dkgr:CAATSA" in out
    assert "Turkey's S-400 purchases — buyer — Turkey [s10]" in out


@pytest.mark.parametrize("prop", ["buyer", "dkg:buyer", "https://w3id.org/defence-kg/ontology#buyer",
                                  "<https://w3id.org/defence-kg/ontology#buyer>", "buyer"])
def test_predicate_by_label_prefix_or_iri(dataset, prop):
    from kg.explanation.explainer import resolve

    s, p, o = resolve(dataset, "India's 2018 contract for five S-400s from Russia", prop, "New Delhi")
    assert (s, p) == (R["contract-india-russia-s400-2018"], DKG.buyer)
    assert o == R.India  # "New Delhi" is India's alternative label


def test_literal_object(dataset):
    exps = explain(dataset, "dkgr:contract-india-russia-s400-2018", "quantity", "5")
    assert len(exps) == 1 and exps[0].best_quotes()[0].sentence_id == "s03"
