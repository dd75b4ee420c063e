"""Every fact is traced to the exact words that state it, and the repeat says nothing new."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD, Namespace

from kg.core.namespace import DKG, DKGR, GRAPH_ASSERTED, GRAPH_PROVENANCE, OA
from kg.core.resources import articles_dir
from kg.sources.articles import article_iri
from kg.sources.text import index_text

TIME = Namespace("http://www.w3.org/2006/time#")

SLUG = "2019-06-us-india-s400"
TEXT = (articles_dir() / SLUG / "article.txt").read_text(encoding="utf-8")
SEED_FIRST_PARAGRAPH = (
    "The United States has reiterated its call to India and other countries to “forego transactions” "
    "with Russia — S-400s in most cases, and specially so for India — that could leave them open to "
    "sanctions under an American law and urged New Delhi to look at alternatives."
)


@pytest.fixture(scope="module")
def dataset(article_dataset):
    """These tests read the article's own layer: a build of the article without cited sources."""
    return article_dataset


def _prov(ds):
    return ds.graph(GRAPH_PROVENANCE)


def test_shipped_text_is_the_seed_with_its_repeated_first_paragraph():
    paragraphs = TEXT.split("\n\n")
    assert len(paragraphs) == 8
    assert paragraphs[0] == paragraphs[1] == SEED_FIRST_PARAGRAPH
    assert TEXT.endswith("continues to seek other defence equipment from the United States.")


def test_sentence_index_marks_the_repeat():
    idx = index_text(TEXT)
    assert len(idx.sentences) == 13
    assert [p.repeats for p in idx.paragraphs] == [None, "p1"] + [None] * 6
    s02 = idx.sentence("s02")
    assert s02.repeats == "s01" and s02.text == idx.sentence("s01").text
    assert idx.sentence("s06").text.startswith("CAATSA is Countering")
    for s in idx.sentences:
        assert TEXT[s.start:s.end] == s.text


def test_every_quote_occurs_at_its_offsets(dataset):
    prov = _prov(dataset)
    selectors = list(prov.subjects(RDF.type, OA.TextPositionSelector))
    assert len(selectors) >= 80  # 80 since the spans that stood for world knowledge went (s13 twice, s09, s03)
    for tp in selectors:
        target = prov.value(predicate=OA.hasSelector, object=tp)
        (tq,) = [s for s in prov.objects(target, OA.hasSelector) if (s, RDF.type, OA.TextQuoteSelector) in prov]
        start, end = int(prov.value(tp, OA.start)), int(prov.value(tp, OA.end))
        exact = str(prov.value(tq, OA.exact))
        assert TEXT[start:end] == exact
        assert TEXT[:start].endswith(str(prov.value(tq, OA.prefix)))
        assert TEXT[end:].startswith(str(prov.value(tq, OA.suffix)))
        assert prov.value(target, OA.hasSource) == article_iri(SLUG)


def test_every_evidence_lies_inside_its_sentence(dataset):
    prov = _prov(dataset)
    for ev in prov.subjects(RDF.type, DKG.Evidence):
        sentence = prov.value(ev, DKG.sentence)
        if sentence is None:
            assert prov.value(ev, DKG.citedSource) is not None
            continue
        target = prov.value(ev, OA.hasTarget)
        tp = next(s for s in prov.objects(target, OA.hasSelector) if (s, RDF.type, OA.TextPositionSelector) in prov)
        assert int(prov.value(sentence, DKG.startOffset)) <= int(prov.value(tp, OA.start))
        assert int(prov.value(tp, OA.end)) <= int(prov.value(sentence, DKG.endOffset))
        # its sentence is one of the article's sentences, the article the quote is selected from
        article = prov.value(target, OA.hasSource)
        assert (article, DKG.hasSentence, sentence) in prov
        assert str(sentence).startswith(str(article) + "#")
        assert prov.value(ev, DKG.assertedBy) is not None


def test_duplicated_first_paragraph_yields_no_duplicate_claims(dataset):
    prov = _prov(dataset)
    s01 = URIRef(f"{article_iri(SLUG)}#s01")
    s02 = URIRef(f"{article_iri(SLUG)}#s02")
    assert (s02, DKG.repeats, s01) in prov
    assert not list(prov.subjects(DKG.sentence, s02)), "evidence cites the repeated paragraph"
    # each quote from the first paragraph is anchored once, inside the first printing
    starts = Counter()
    for ev in prov.subjects(DKG.sentence, s01):
        target = prov.value(ev, OA.hasTarget)
        for sel in prov.objects(target, OA.hasSelector):
            if (sel, RDF.type, OA.TextPositionSelector) in prov:
                assert int(prov.value(sel, OA.end)) <= 267
                starts[(prov.value(ev, OA.hasBody), int(prov.value(sel, OA.start)))] += 1
    assert starts and max(starts.values()) == 1
    # and the appeal the paragraph states is one appeal, not two
    appeals = set(dataset.graph(GRAPH_ASSERTED).subjects(DKG.urgedAction, None))
    assert len([a for a in appeals if "forgo" in str(dataset.value(a, DKG.urgedAction))]) == 1


def test_every_asserted_node_has_evidence(dataset):
    asserted, prov = dataset.graph(GRAPH_ASSERTED), _prov(dataset)
    subjects = set(asserted.subjects())
    assert len(subjects) > 60
    missing = [s for s in subjects if (s, DKG.evidence, None) not in prov]
    assert not missing


def test_asserters_are_the_outlet_or_the_quoted_official(dataset):
    prov = _prov(dataset)
    who = Counter(prov.objects(None, DKG.assertedBy))
    assert set(who) == {DKGR["outlet-unconfirmed"], DKGR["senior-official"]}
    # the official's own words are direct quotes
    for ev in prov.subjects(DKG.assertedBy, DKGR["senior-official"]):
        assert prov.value(ev, DKG.attributionMode) == DKG.DirectQuote


def test_article_is_a_prov_entity_with_its_metadata(dataset):
    prov = _prov(dataset)
    art = article_iri(SLUG)
    assert (art, RDF.type, DKG.NewsArticle) in prov
    assert (DKG.NewsArticle, None, None) not in prov  # schema lives in the ontology graph
    assert str(prov.value(art, DCTERMS.title)) == "Look at alternatives, US says to India on S-400"
    assert prov.value(art, DCTERMS.date) == Literal("2019-06", datatype=URIRef("http://www.w3.org/2001/XMLSchema#gYearMonth"))
    assert prov.value(art, DKG.outletConfirmed).toPython() is False
    outlet = prov.value(art, DCTERMS.publisher)
    assert prov.value(outlet, DKG.anonymous).toPython() is True
    raw = (articles_dir() / SLUG / "article.txt").read_bytes()
    assert str(prov.value(art, DKG.sha256)) == hashlib.sha256(raw).hexdigest()
    # the article is a prov:Entity, stated with its metadata
    assert (art, RDF.type, PROV.Entity) in prov


def test_dates_not_in_the_article_are_marked_inferred_and_cited(dataset):
    briefing = DKGR["briefing-pompeo-india-preview"]
    assert str(dataset.value(briefing, DKG.dayOfWeek)) == "Thursday"
    assert str(dataset.value(briefing, DKG.inferredTime)) == "2019-06-20"
    assert dataset.value(briefing, DKG.statedTime) is None
    # the day it is inferred to be, as instants a reasoner and SPARQL can compare (end exclusive)
    assert dataset.value(briefing, DKG.timeStart) == Literal("2019-06-20T00:00:00Z", datatype=XSD.dateTime)
    assert dataset.value(briefing, DKG.timeEnd) == Literal("2019-06-21T00:00:00Z", datatype=XSD.dateTime)
    assert dataset.value(briefing, DKG.timePrecision) == TIME.unitDay
    cited = set(_prov(dataset).objects(None, DKG.citedSource))
    evs = set(_prov(dataset).objects(briefing, DKG.evidence))
    assert any(_prov(dataset).value(e, DKG.citedSource) in cited for e in evs)


def test_garbled_lemoa_name_is_flagged_with_both_names(dataset):
    flag = DKGR["lemoa-name-discrepancy"]
    assert dataset.value(flag, DKG.discrepancyOf) == DKGR.LEMOA
    assert str(dataset.value(flag, DKG.quotedName)) == "Logistics Exchange Memorandum of Understanding"
    assert str(dataset.value(flag, DKG.correctName)) == "Logistics Exchange Memorandum of Agreement"
    assert str(dataset.value(DKGR.LEMOA, DKG.fullName)) == "Logistics Exchange Memorandum of Agreement"


def test_two_articles_quoting_the_same_words_do_not_share_evidence(tmp_path):
    """Regression: evidence IRIs were keyed by the sentence's local id (``s03``), so a second
    article with the same fact, sentence number and quote merged into the first one's evidence."""
    from kg.sources.articles import compile_article

    src = articles_dir() / SLUG
    evidence = {}
    for copy in ("copy-a", "copy-b"):
        folder = tmp_path / copy
        folder.mkdir()
        for name in ("article.txt", "article.ttl", "facts.ttl"):
            text = (src / name).read_text(encoding="utf-8")
            (folder / name).write_text(text.replace(f"article/{SLUG}", f"article/{copy}"), encoding="utf-8")
        _, prov, article = compile_article(folder)
        assert article.iri == article_iri(copy)
        evidence[copy] = set(prov.subjects(RDF.type, DKG.Evidence))
    assert evidence["copy-a"] and len(evidence["copy-a"]) == len(evidence["copy-b"])
    assert not evidence["copy-a"] & evidence["copy-b"]
