"""The article's own layer, read as a sceptical analyst would (issue 11): it states what the
article says, in the voice it says it, and nothing the article does not say."""

from __future__ import annotations

import re

import pytest
from rdflib import RDF, RDFS

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
