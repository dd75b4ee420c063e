"""The article's own layer, read as a sceptical analyst would (issue 11): it states what the
article says, in the voice it says it, and nothing the article does not say."""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.core.namespace import DKG, DKGR, GRAPH_ASSERTED, GRAPH_PROVENANCE, OA
from kg.core.resources import articles_dir

SLUG = "2019-06-us-india-s400"
TEXT = (articles_dir() / SLUG / "article.txt").read_text(encoding="utf-8")
QUOTATIONS = [(m.start(), m.end()) for m in re.finditer("“[^”]*”", TEXT)]


def spans(dataset):
    """(evidence, start, end, mode, asserter) for every quoted span of the article."""
    prov = dataset.graph(GRAPH_PROVENANCE)
    out = []
    for tp in prov.subjects(RDF.type, OA.TextPositionSelector):
        target = prov.value(predicate=OA.hasSelector, object=tp)
        ev = prov.value(predicate=OA.hasTarget, object=target)
        out.append((ev, int(prov.value(tp, OA.start)), int(prov.value(tp, OA.end)),
                    prov.value(ev, DKG.attributionMode), prov.value(ev, DKG.assertedBy)))
    return out


def test_the_article_has_quotations_to_check():
    assert len(QUOTATIONS) == 6  # written by hand from the text: s01, s05, s11 (two), s13; s02 repeats s01


def test_words_inside_the_officials_quotation_marks_are_his_not_the_outlets(dataset):
    inside = [(s, e, mode, who) for _, s, e, mode, who in spans(dataset)
              if any(qs < s and e <= qe for qs, qe in QUOTATIONS)]
    assert len(inside) == 4
    for s, e, mode, who in inside:
        assert mode == DKG.DirectQuote, TEXT[s:e]
        assert who == DKGR["senior-official"], TEXT[s:e]


def test_no_evidence_span_straddles_a_quotation_mark(dataset):
    """A span is inside a quotation, holds whole quotations, or lies outside them: never half of one,
    which would put the speaker's words and the outlet's narration in one voice. (Russia's mention
    in s01 did: 'transactions” with Russia'.)"""
    for _, s, e, _, _ in spans(dataset):
        for qs, qe in QUOTATIONS:
            overlaps = s < qe and qs < e
            if overlaps:
                assert (qs < s and e <= qe) or (s <= qs and qe <= e), TEXT[s:e]


STEPS = ["signing-lemoa", "signing-comcasa", "access-upgrade-nato-level", "approval-armed-sea-guardian"]


@pytest.mark.parametrize("step", STEPS)
def test_a_step_the_official_cited_is_not_stated_as_taken_by_the_trump_administration(dataset, step):
    """The article says the official cited the steps as the Trump administration's; it does not say
    the administration took them (LEMOA was signed in August 2016)."""
    asserted = dataset.graph(GRAPH_ASSERTED)
    node = DKGR[step]
    assert (DKGR["defence-ties-us-india"], DKG.citedStep, node) in asserted
    assert asserted.value(node, DKG.takenBy) is None
    assert asserted.value(node, DKG.approvedBy) is None


def test_the_credit_to_the_trump_administration_is_the_officials_claim(dataset):
    asserted, prov = dataset.graph(GRAPH_ASSERTED), dataset.graph(GRAPH_PROVENANCE)
    statement = DKGR["statement-great-steps"]
    assert asserted.value(statement, DKG.creditedTo) == DKGR.TrumpAdministration
    assert asserted.value(statement, DKG.speaker) == DKGR["senior-official"]
    modes = {prov.value(ev, DKG.attributionMode) for ev in prov.objects(statement, DKG.evidence)}
    assert modes and DKG.NarrativeVoice not in modes


MONTHS = "January February March April May June July August September October November December".split()


def test_labels_state_no_date_the_article_does_not_give(dataset):
    """A year or month in a label must be in the text the node's evidence cites (the visit's label
    said 'June 2019', which the article never says)."""
    asserted, prov = dataset.graph(GRAPH_ASSERTED), dataset.graph(GRAPH_PROVENANCE)
    checked = 0
    for node, label in asserted.subject_objects(RDFS.label):
        words = re.findall(r"\b(?:1[89]\d\d|20\d\d)\b", str(label)) + [m for m in MONTHS if m in str(label)]
        if not words:
            continue
        cited = []
        for ev in prov.objects(node, DKG.evidence):
            for target in prov.objects(ev, OA.hasTarget):
                for sel in prov.objects(target, OA.hasSelector):
                    if (sel, RDF.type, OA.TextPositionSelector) in prov:
                        s, e = int(prov.value(sel, OA.start)), int(prov.value(sel, OA.end))
                        cited.append(TEXT[s:e])
        for word in words:
            assert any(word in text for text in cited), f"{node}: label {label!r} says {word}"
        checked += 1
    assert checked >= 3  # the 2018 visit, the 2018 contract, the 2018 sanction


# --- world knowledge: only from a cited source ----------------------------------------------
#
# Written by hand from the text: the article never says who makes THAAD, PAC-3, the F-35 or
# Sea Guardian ("offered by the Trump administration" says who offers, "from the United States"
# who supplies), never calls Sea Guardian a drone (only "armed Sea Guardian", "that
# technology"), never says of what Putin is President ("President Vladimir Putin") nor of which
# state the Secretary of State is ("Secretary of State Mike Pompeo"). Each fact is in a cited
# source, at the place given here (each confirmed by reading that page).

SRC = "https://w3id.org/defence-kg/resource/source/"
SCHEMA_URL = URIRef("http://schema.org/url")
US = DKGR.UnitedStates

WORLD_KNOWLEDGE = [
    # (triple the article overstated, the cited source that states it, its locator)
    ((DKGR.THAAD, DKG.originState, US), "defenseworld-2019-us-offers-thaad-pac3", "para 1"),
    ((DKGR["PAC-3"], DKG.originState, US), "defenseworld-2019-us-offers-thaad-pac3", "para 1"),
    ((DKGR["F-35"], DKG.originState, US), "ap-2019-07-17-turkey-f35", "para 1"),
    ((DKGR.ArmedSeaGuardian, RDF.type, DKG.ArmedDrone), "pratidintime-2019-armed-guardian", "para 1"),
    ((DKGR.VladimirPutin, DKG.holdsPost, DKGR.PresidentOfRussia), "nie-2018-09-29-putin-visit", "headline; para 1"),
    ((DKGR.PresidentOfRussia, DKG.postIn, DKGR.Russia), "nie-2018-09-29-putin-visit", "headline; para 1"),
    ((DKGR.SecretaryOfState, DKG.postIn, US), "mea-2019-06-26-pompeo-jaishankar", "title"),
]
#: (triple, source, locator) that the cited graph adds for Sea Guardian, whose origin it gives
#: for the system the armed version is a version of
SEA_GUARDIAN = [
    ((DKGR.ArmedSeaGuardian, DKG.variantOf, DKGR.SeaGuardian), "pratidintime-2019-armed-guardian", "para 1"),
    ((DKGR.SeaGuardian, DKG.originState, US), "pti-2025-02-02-mq9b-replacement", "para 1"),
]


def _ids(cases):
    return [f"{t[0].rsplit('/', 1)[1]} {t[1].rsplit('#', 1)[-1].rsplit('/', 1)[-1]} {t[2].rsplit('/', 1)[-1].rsplit('#', 1)[-1]}"
            for t, _, _ in cases]


def _graphs_stating(dataset, s, p, o):
    return {str(g.identifier) for g in dataset.graphs() if (s, p, o) in g}


@pytest.mark.parametrize("triple,slug,locator", WORLD_KNOWLEDGE, ids=_ids(WORLD_KNOWLEDGE))
def test_the_articles_graph_does_not_state_world_knowledge(article_dataset, triple, slug, locator):
    """Not asserted, and not derived either, in the build of the article alone."""
    assert _graphs_stating(article_dataset, *triple) == set()


@pytest.mark.parametrize("node,prop", [(DKGR.THAAD, DKG.originState), (DKGR["PAC-3"], DKG.originState),
                                       (DKGR["F-35"], DKG.originState), (DKGR.ArmedSeaGuardian, DKG.originState),
                                       (DKGR.ArmedSeaGuardian, DKG.variantOf), (DKGR.VladimirPutin, DKG.holdsPost),
                                       (DKGR.SecretaryOfState, DKG.postIn)])
def test_the_article_gives_no_origin_drone_or_post_of_any_value(article_dataset, node, prop):
    assert [o for g in article_dataset.graphs() for o in g.objects(node, prop)] == []


def test_the_article_still_states_what_it_says(article_dataset):
    asserted = article_dataset.graph(GRAPH_ASSERTED)
    assert (DKGR["S-400"], DKG.originState, DKGR.Russia) in asserted       # "the five Russian S-400s"
    assert (DKGR.ArmedSeaGuardian, RDFS.label, Literal("armed Sea Guardian", lang="en")) in asserted
    assert (DKGR.ArmedSeaGuardian, RDF.type, DKG.DefenceSystem) in asserted  # "that technology"
    assert (DKGR["approval-armed-sea-guardian"], DKG.approvedSystem, DKGR.ArmedSeaGuardian) in asserted
    assert (DKGR.MikePompeo, DKG.holdsPost, DKGR.SecretaryOfState) in asserted  # "Secretary of State Mike Pompeo"
    assert (DKGR.PresidentOfRussia, None, None) not in asserted
    for node in (DKGR.ArmedSeaGuardian, DKGR.THAAD, DKGR["PAC-3"], DKGR["F-35"]):
        assert (node, RDF.type, DKG.ArmedDrone) not in asserted


@pytest.fixture(scope="module")
def cited_dataset(sources_build_dir):
    """The build of the article and the shipped cited sources, as `kg build` wrote it."""
    ds = Dataset()
    ds.parse(sources_build_dir / "defence-kg.trig", format="trig")
    return ds


@pytest.mark.parametrize("triple,slug,locator", WORLD_KNOWLEDGE + SEA_GUARDIAN, ids=_ids(WORLD_KNOWLEDGE + SEA_GUARDIAN))
def test_the_cited_graph_states_it_with_its_citation(cited_dataset, triple, slug, locator):
    from kg.core.iris import GRAPH

    source = URIRef(SRC + slug)
    # in that source's own graph, and in no other fact graph (not in the article's)
    stating = _graphs_stating(cited_dataset, *triple) - {GRAPH + "inferred"}
    assert stating == {GRAPH + "source/" + slug}
    prov = cited_dataset.graph(URIRef(GRAPH_PROVENANCE))
    citations = [ev for ev in prov.objects(triple[0], DKG.evidence) if (ev, DKG.statedIn, source) in prov]
    assert [str(prov.value(ev, DKG.locator)) for ev in citations] == [locator]
    assert (citations[0], RDF.type, DKG.Citation) in prov
    # the source can be found again, and is graded
    assert prov.value(source, SCHEMA_URL) is not None and prov.value(source, DCTERMS.issued) is not None
    assert str(prov.value(source, DKG.retrieved)) == "2026-12-01"
    grading = prov.value(source, DKG.grading)
    assert prov.value(grading, DKG.sourceReliability) is not None
    assert prov.value(grading, DKG.informationCredibility) is not None


def test_the_cited_sea_guardian_is_not_called_armed(cited_dataset):
    """The armed version is; the Sea Guardian itself is a military aircraft, as its sources say."""
    types = {o for g in cited_dataset.graphs() for o in g.objects(DKGR.SeaGuardian, RDF.type)}
    assert DKG.MilitaryAircraft in types and DKG.ArmedDrone not in types


# --- mentions -------------------------------------------------------------------------------


def test_a_name_is_found_as_a_whole_word_with_plural_or_possessive_endings():
    from rdflib import URIRef

    from kg.sources.mentions import find_mentions

    india, us, s400, official = (URIRef(f"urn:x:{n}") for n in ("india", "us", "s400", "official"))
    gazetteer = {india: {"India"}, us: {"US"}, s400: {"S-400"}, official: {"the official"}}
    sentences = [(URIRef("urn:s:1"), "Russia’s S-400s reached India's border."),
                 (URIRef("urn:s:2"), "An Indian view of us and of the S-4000."),
                 (URIRef("urn:s:3"), "The official said the US would act.")]
    found = {(str(s)[-1], str(n).rsplit(":", 1)[1]) for s, n in find_mentions(sentences, gazetteer)}
    assert found == {("1", "s400"), ("1", "india"), ("3", "official"), ("3", "us")}


def test_every_sentence_that_names_the_s400_is_findable_from_it(dataset):
    """Written by hand from the text: s01, s03, s05, s07 ("The issue of S-400s") and s10; s02 repeats s01."""
    prov = dataset.graph(GRAPH_PROVENANCE)
    found = sorted(str(s).rsplit("#", 1)[1] for s in prov.subjects(DKG.mentions, DKGR["S-400"]))
    assert found == ["s01", "s03", "s05", "s07", "s10"]
    official = sorted(str(s).rsplit("#", 1)[1] for s in prov.subjects(DKG.mentions, DKGR["senior-official"]))
    assert official == ["s05", "s07", "s08", "s11", "s12"]


def test_kg_explain_lists_the_sentences_that_mention_an_entity(build_dir):
    from conftest import run_kg

    proc = run_kg("explain", "S-400", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    tail = proc.stdout.split("mentioned in (5):", 1)[1]
    ids = re.findall(r"2019-06-us-india-s400 (s\d\d):", tail)
    assert ids == ["s01", "s03", "s05", "s07", "s10"]
    assert "The issue of S-400s did not come up" in tail
