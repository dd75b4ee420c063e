"""The violation queries hold on the real graph and fire on each kind of defect."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import XSD, Namespace

from kg.core.namespace import DKG, DKGR, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE
from kg.pipeline.build import assemble
from kg.sparql.named import check_queries
from kg.validation.checks import run_checks


def test_every_check_has_its_header():
    checks = check_queries()
    assert {"undeclared-term-violation", "missing-label-or-definition-violation",
            "missing-provenance-violation"} <= set(checks)
    for slug, q in checks.items():
        assert q.header("title") and q.header("description") and q.header("severity"), slug
        assert "?resource" in q.text and "?error" in q.text


def test_the_graph_has_no_violations(built):
    assert run_checks(built.dataset) == []


def _copy(ds):
    return {iri: Graph() + ds.graph(iri) for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE, GRAPH_INFERRED)}


def _checks_after(ds, mutate):
    graphs = _copy(ds)
    mutate(graphs)
    fresh = assemble(graphs[GRAPH_ONTOLOGY], graphs[GRAPH_ASSERTED], graphs[GRAPH_PROVENANCE], graphs[GRAPH_INFERRED])
    return {(v.check, v.resource) for v in run_checks(fresh)}


TIME = Namespace("http://www.w3.org/2006/time#")
TYPO = URIRef(str(DKG._NS) + "buyr")


@pytest.mark.parametrize(
    "case, mutate, expected",
    [
        ("typo in a predicate",
         lambda g: g[GRAPH_ASSERTED].add((DKGR.India, TYPO, DKGR.Russia)),
         ("undeclared-term-violation", "dkg:buyr")),
        ("undeclared class",
         lambda g: g[GRAPH_ASSERTED].add((DKGR.India, RDF.type, URIRef(str(DKG._NS) + "Contry"))),
         ("undeclared-term-violation", "dkg:Contry")),
        ("term without definition",
         lambda g: g[GRAPH_ONTOLOGY].remove((DKG.Offer, URIRef("http://www.w3.org/2004/02/skos/core#definition"), None)),
         ("missing-label-or-definition-violation", "dkg:Offer")),
        ("term without label",
         lambda g: g[GRAPH_ONTOLOGY].remove((DKG.buyer, RDFS.label, None)),
         ("missing-label-or-definition-violation", "dkg:buyer")),
        ("fact without provenance",
         lambda g: g[GRAPH_ASSERTED].add((DKGR["offer-mystery"], RDF.type, DKG.Offer)),
         ("missing-provenance-violation", "dkgr:offer-mystery")),
        ("risk asserted instead of derived",
         lambda g: g[GRAPH_ASSERTED].add((DKGR.China, DKG.risksSanctionsUnder, DKGR.CAATSA)),
         ("asserted-derived-term-violation", "dkgr:China")),
        ("offer without response status",
         lambda g: g[GRAPH_ASSERTED].remove((DKGR["offer-thaad"], DKG.responseStatus, None)),
         ("offer-status-violation", "dkgr:offer-thaad")),
        ("time end not after its start",
         lambda g: (g[GRAPH_ASSERTED].remove((DKGR["sanction-chinese-agency-2018"], DKG.timeEnd, None)),
                    g[GRAPH_ASSERTED].add((DKGR["sanction-chinese-agency-2018"], DKG.timeEnd,
                                           Literal("2018-01-01T00:00:00Z", datatype=XSD.dateTime)))),
         ("time-bounds-violation", "dkgr:sanction-chinese-agency-2018")),
        ("time start not where the stated year begins",
         lambda g: (g[GRAPH_ASSERTED].remove((DKGR["contract-india-russia-s400-2018"], DKG.timeStart, None)),
                    g[GRAPH_ASSERTED].add((DKGR["contract-india-russia-s400-2018"], DKG.timeStart,
                                           Literal("2017-01-01T00:00:00Z", datatype=XSD.dateTime)))),
         ("time-bounds-violation", "dkgr:contract-india-russia-s400-2018")),
        ("a year given the precision of a day",
         lambda g: (g[GRAPH_ASSERTED].remove((DKGR["putin-visit-new-delhi-2018"], DKG.timePrecision, None)),
                    g[GRAPH_ASSERTED].add((DKGR["putin-visit-new-delhi-2018"], DKG.timePrecision, TIME.unitDay))),
         ("time-bounds-violation", "dkgr:putin-visit-new-delhi-2018")),
        ("a year's time ending after its first month: finer than the source gives",
         lambda g: g[GRAPH_ASSERTED].set((DKGR["sanction-chinese-agency-2018"], DKG.timeEnd,
                                          Literal("2018-02-01T00:00:00Z", datatype=XSD.dateTime))),
         ("time-precision-violation", "dkgr:sanction-chinese-agency-2018")),
        ("a year's time ending a year late: coarser than the source gives",
         lambda g: g[GRAPH_ASSERTED].set((DKGR["contract-india-russia-s400-2018"], DKG.timeEnd,
                                          Literal("2020-01-01T00:00:00Z", datatype=XSD.dateTime))),
         ("time-precision-violation", "dkgr:contract-india-russia-s400-2018")),
        ("a day's time spanning two days",
         lambda g: g[GRAPH_ASSERTED].set((DKGR["briefing-pompeo-india-preview"], DKG.timeEnd,
                                          Literal("2019-06-22T00:00:00Z", datatype=XSD.dateTime))),
         ("time-precision-violation", "dkgr:briefing-pompeo-india-preview")),
        ("language tag on an xsd:string value",
         lambda g: g[GRAPH_ASSERTED].add((DKGR.CAATSA, DKG.aim, Literal("punish", lang="en"))),
         ("datatype-range-violation", "dkgr:CAATSA")),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_check_fires(dataset, case, mutate, expected):
    assert expected in _checks_after(dataset, mutate), case


def test_citing_the_repeated_paragraph_is_caught(dataset):

    def cite_repeat(g):
        prov = g[GRAPH_PROVENANCE]
        ev = next(prov.objects(DKGR.India, DKG.evidence))
        s01 = prov.value(ev, DKG.sentence)
        prov.set((ev, DKG.sentence, URIRef(str(s01)[:-2] + "02")))

    found = _checks_after(dataset, cite_repeat)
    assert any(c == "repeated-sentence-cited-violation" for c, _ in found)


def test_a_day_at_the_end_of_a_month_or_a_month_at_the_end_of_a_year_fits_its_time(dataset):
    """The unit after 30 June is 1 July, after December 2018 is January 2019: no violation."""
    briefing, sanction = DKGR["briefing-pompeo-india-preview"], DKGR["sanction-chinese-agency-2018"]

    def month_ends(g):
        a = g[GRAPH_ASSERTED]
        a.set((briefing, DKG.inferredTime, Literal("2019-06-30")))
        a.set((briefing, DKG.timeStart, Literal("2019-06-30T00:00:00Z", datatype=XSD.dateTime)))
        a.set((briefing, DKG.timeEnd, Literal("2019-07-01T00:00:00Z", datatype=XSD.dateTime)))
        a.set((sanction, DKG.statedTime, Literal("2018-12")))
        a.set((sanction, DKG.timePrecision, TIME.unitMonth))
        a.set((sanction, DKG.timeStart, Literal("2018-12-01T00:00:00Z", datatype=XSD.dateTime)))
        a.set((sanction, DKG.timeEnd, Literal("2019-01-01T00:00:00Z", datatype=XSD.dateTime)))

    found = _checks_after(dataset, month_ends)
    assert not [c for c in found if c[0] in ("time-precision-violation", "time-bounds-violation")], found


OA = Namespace("http://www.w3.org/ns/oa#")


def _drop_from_evidence(part):
    """Remove one part of the first quoted evidence of dkgr:India (sentence, asserter, the
    target's source, the quote, the position's start or end)."""

    def mutate(g):
        prov = g[GRAPH_PROVENANCE]
        ev = next(e for e in prov.objects(DKGR.India, DKG.evidence) if (e, DKG.sentence, None) in prov)
        target = prov.value(ev, OA.hasTarget)
        sels = list(prov.objects(target, OA.hasSelector))
        if part == "sentence":
            prov.remove((ev, DKG.sentence, None))
        elif part == "asserter":
            prov.remove((ev, DKG.assertedBy, None))
        elif part == "source":
            prov.remove((target, OA.hasSource, None))
        else:
            pred = {"quote": OA.exact, "start": OA.start, "end": OA.end}[part]
            for sel in sels:
                prov.remove((sel, pred, None))
        g["evidence"] = ev

    return mutate


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("part", ["sentence", "asserter", "source", "quote", "start", "end"])
def test_evidence_missing_any_part_of_its_quote_is_caught_on_both_backends(dataset, part, backend):
    from kg.core.terms import shorten
    from kg.store.oxigraph import OxigraphStore

    graphs = _copy(dataset)
    _drop_from_evidence(part)(graphs)
    ev = graphs.pop("evidence")
    fresh = assemble(graphs[GRAPH_ONTOLOGY], graphs[GRAPH_ASSERTED], graphs[GRAPH_PROVENANCE], graphs[GRAPH_INFERRED])
    if backend == "oxigraph":
        store = OxigraphStore.create()
        for iri in (GRAPH_ONTOLOGY, GRAPH_ASSERTED, GRAPH_PROVENANCE, GRAPH_INFERRED):
            store.add_graph(str(iri), fresh.graph(iri))
        fresh = store
    from kg.store import as_store
    from kg.validation.checks import check_texts

    store = as_store(fresh)
    text = next(t for slug, _, t in check_texts(store) if slug == "missing-provenance-violation")
    found = [shorten(row["resource"]) for row in store.select(text)]
    # the other evidence of the same node is whole: only the broken one is reported, once
    assert found == [shorten(ev)]
