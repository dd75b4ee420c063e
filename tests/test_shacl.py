"""SHACL shapes (ontology/shapes.ttl): pass/fail pairs of inline Turtle, and the build gate.

Each pair is a snippet that must conform and one that must fail on the named shape and
path. Snippets are validated together with the ontology (for subclasses such as
dkg:State being a dkg:Agent) and a small prelude with one quoted evidence annotation.
"""

from __future__ import annotations

import shutil
from functools import lru_cache

import pytest
from conftest import ROOT, run_kg
from rdflib import Graph

from kg.core.errors import KgError
from kg.sources.ontology import load_ontology
from kg.validation.shacl import load_shapes, validate, validate_graph

PRELUDE = """
@prefix dkg: <https://w3id.org/defence-kg/ontology#> .
@prefix ex: <https://example.org/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix time: <http://www.w3.org/2006/time#> .

ex:article a dkg:NewsArticle ; dcterms:publisher ex:outlet ; dcterms:date "2019-06"^^xsd:gYearMonth .
ex:outlet a dkg:NewsOutlet .
ex:s1 a dkg:Sentence .
ex:ev a dkg:Evidence ; dkg:sentence ex:s1 ; dkg:assertedBy ex:outlet ; oa:hasTarget ex:target .
ex:target oa:hasSource ex:article ; oa:hasSelector ex:quote , ex:position .
ex:quote a oa:TextQuoteSelector ; oa:exact "the words of the source" .
ex:position a oa:TextPositionSelector ; oa:start "10"^^xsd:nonNegativeInteger ; oa:end "33"^^xsd:nonNegativeInteger .
ex:India a dkg:State ; dkg:evidence ex:ev .
ex:Russia a dkg:State ; dkg:evidence ex:ev .
ex:US a dkg:State ; dkg:evidence ex:ev .
ex:S400 a dkg:AirAndMissileDefenceSystem ; dkg:evidence ex:ev .
ex:THAAD a dkg:AirAndMissileDefenceSystem ; dkg:evidence ex:ev .
ex:CAATSA a dkg:Law ; dkg:evidence ex:ev .
ex:Agency a dkg:MilitaryAgency ; dkg:evidence ex:ev .
"""

TIMES = """dkg:statedTime "2018" ;
    dkg:timeStart "2018-01-01T00:00:00Z"^^xsd:dateTime ; dkg:timeEnd "2019-01-01T00:00:00Z"^^xsd:dateTime ;
    dkg:timePrecision time:unitYear"""

CONTRACT_OK = """
ex:c a dkg:ArmsContract ; dkg:evidence ex:ev ;
    dkg:buyer ex:India ; dkg:seller ex:Russia ; dkg:system ex:S400 ;
    dkg:quantity "5"^^xsd:positiveInteger ; """ + TIMES + """ .
"""
OFFER_OK = """
ex:o a dkg:Offer ; dkg:evidence ex:ev ;
    dkg:offeror ex:US ; dkg:offeree ex:India ; dkg:offeredItem ex:THAAD ;
    dkg:responseStatus dkg:NotYetAnswered .
"""
SANCTION_OK = """
ex:sn a dkg:Sanction ; dkg:evidence ex:ev ;
    dkg:sanctionTarget ex:Agency ; dkg:underLaw ex:CAATSA ; """ + TIMES + """ .
"""

#: (name, passing snippet, failing snippet, failing shape, failing path)
PAIRS = [
    ("contract needs a buyer", CONTRACT_OK, CONTRACT_OK.replace("dkg:buyer ex:India ;", ""),
     "dkgsh:ArmsContractShape", "dkg:buyer"),
    ("contract needs a seller", CONTRACT_OK, CONTRACT_OK.replace("dkg:seller ex:Russia ;", ""),
     "dkgsh:ArmsContractShape", "dkg:seller"),
    ("contract system is a defence system", CONTRACT_OK, CONTRACT_OK.replace("dkg:system ex:S400", "dkg:system ex:Russia"),
     "dkgsh:ArmsContractShape", "dkg:system"),
    ("contract needs a quantity", CONTRACT_OK, CONTRACT_OK.replace('dkg:quantity "5"^^xsd:positiveInteger ;', ""),
     "dkgsh:ArmsContractShape", "dkg:quantity"),
    ("contract quantity is at least 1", CONTRACT_OK, CONTRACT_OK.replace('"5"^^xsd:positiveInteger', '"0"^^xsd:integer'),
     "dkgsh:ArmsContractShape", "dkg:quantity"),
    ("contract quantity is an integer", CONTRACT_OK, CONTRACT_OK.replace('"5"^^xsd:positiveInteger', '"five"'),
     "dkgsh:ArmsContractShape", "dkg:quantity"),
    ("contract needs a time", CONTRACT_OK, CONTRACT_OK.replace("; " + TIMES, ""),
     "dkgsh:ArmsContractShape", "(dkg:statedTime | dkg:inferredTime)"),
    ("offer needs an offeror", OFFER_OK, OFFER_OK.replace("dkg:offeror ex:US ;", ""),
     "dkgsh:OfferShape", "dkg:offeror"),
    ("offer needs an offeree", OFFER_OK, OFFER_OK.replace("dkg:offeree ex:India ;", ""),
     "dkgsh:OfferShape", "dkg:offeree"),
    ("offer needs an item", OFFER_OK, OFFER_OK.replace("dkg:offeredItem ex:THAAD ;", ""),
     "dkgsh:OfferShape", "dkg:offeredItem"),
    ("offer needs a response status", OFFER_OK, OFFER_OK.replace("; \n    dkg:responseStatus dkg:NotYetAnswered", "").replace(
        "dkg:offeredItem ex:THAAD ;\n    dkg:responseStatus dkg:NotYetAnswered", "dkg:offeredItem ex:THAAD"),
     "dkgsh:OfferShape", "dkg:responseStatus"),
    ("offer status is a response status", OFFER_OK, OFFER_OK.replace("dkg:NotYetAnswered", "ex:India"),
     "dkgsh:OfferShape", "dkg:responseStatus"),
    ("sanction needs a target", SANCTION_OK, SANCTION_OK.replace("dkg:sanctionTarget ex:Agency ;", ""),
     "dkgsh:SanctionShape", "dkg:sanctionTarget"),
    ("sanction needs a law", SANCTION_OK, SANCTION_OK.replace("dkg:underLaw ex:CAATSA ;", ""),
     "dkgsh:SanctionShape", "dkg:underLaw"),
    ("sanction law is a law", SANCTION_OK, SANCTION_OK.replace("dkg:underLaw ex:CAATSA", "dkg:underLaw ex:S400"),
     "dkgsh:SanctionShape", "dkg:underLaw"),
    ("sanction needs a time", SANCTION_OK, SANCTION_OK.replace("; " + TIMES, ""),
     "dkgsh:SanctionShape", "(dkg:statedTime | dkg:inferredTime)"),
    ("stated time is an ISO 8601 string", SANCTION_OK, SANCTION_OK.replace('dkg:statedTime "2018"', 'dkg:statedTime "in 2018"'),
     "dkgsh:TimeShape", "dkg:statedTime"),
    ("stated time is a plain string, not an xsd:gYear", SANCTION_OK,
     SANCTION_OK.replace('dkg:statedTime "2018"', 'dkg:statedTime "2018"^^xsd:gYear'),
     "dkgsh:TimeShape", "dkg:statedTime"),
    # "stated or inferred, not both" is per source now: single-valued-per-source-violation (tests/test_sources.py)
    ("time start has a timezone", SANCTION_OK, SANCTION_OK.replace('"2018-01-01T00:00:00Z"', '"2018-01-01T00:00:00"'),
     "dkgsh:TimeShape", "dkg:timeStart"),
    ("time end is an xsd:dateTime", SANCTION_OK,
     SANCTION_OK.replace('"2019-01-01T00:00:00Z"^^xsd:dateTime', '"2019-01-01"^^xsd:date'),
     "dkgsh:TimeShape", "dkg:timeEnd"),
    ("a time needs its precision", SANCTION_OK, SANCTION_OK.replace(" ;\n    dkg:timePrecision time:unitYear", ""),
     "dkgsh:TimeShape", "dkg:timePrecision"),
    ("precision is an OWL-Time unit", SANCTION_OK, SANCTION_OK.replace("time:unitYear", "ex:India"),
     "dkgsh:TimeShape", "dkg:timePrecision"),
    ("inferred time is an ISO 8601 date or interval",
     'ex:b a dkg:Briefing ; dkg:evidence ex:ev ; dkg:inferredTime "2019-06-25/2019-06-27" ;\n'
     '    dkg:timeStart "2019-06-25T00:00:00Z"^^xsd:dateTime ; dkg:timeEnd "2019-06-28T00:00:00Z"^^xsd:dateTime ;\n'
     '    dkg:timePrecision time:unitDay .',
     'ex:b a dkg:Briefing ; dkg:evidence ex:ev ; dkg:inferredTime "25-27 June 2019" ;\n'
     '    dkg:timeStart "2019-06-25T00:00:00Z"^^xsd:dateTime ; dkg:timeEnd "2019-06-28T00:00:00Z"^^xsd:dateTime ;\n'
     '    dkg:timePrecision time:unitDay .',
     "dkgsh:TimeShape", "dkg:inferredTime"),
    ("source date is typed",
     'ex:a2 a dkg:NewsArticle ; dcterms:date "2019-06"^^xsd:gYearMonth .',
     'ex:a2 a dkg:NewsArticle ; dcterms:date "June 2019" .',
     "dkgsh:SourceDateShape", "dcterms:date"),
    ("fact node needs evidence",
     'ex:Turkey a dkg:State ; dkg:evidence ex:ev .',
     'ex:Turkey a dkg:State .',
     "dkgsh:FactNodeShape", ""),
    ("fact node evidence must quote",
     'ex:Turkey a dkg:State ; dkg:evidence ex:ev .',
     'ex:Turkey a dkg:State ; dkg:evidence ex:ev2 . ex:ev2 a dkg:Evidence ; dkg:citedSource ex:article .',
     "dkgsh:FactNodeShape", ""),
    ("evidence quotes or cites",
     'ex:ev3 a dkg:Evidence ; dkg:citedSource ex:article .',
     'ex:ev3 a dkg:Evidence ; dkg:sentence ex:s1 .',
     "dkgsh:EvidenceShape", ""),
]


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    return load_ontology()


@lru_cache(maxsize=1)
def _shapes() -> Graph:
    return load_shapes()


def _check(snippet: str):
    data = Graph()
    for t in _ontology():
        data.add(t)
    data.parse(data=PRELUDE + snippet, format="turtle")
    return validate_graph(data, _shapes())


def test_prelude_alone_conforms():
    report = _check("")
    assert report.conforms, report.text()


@pytest.mark.parametrize("name,good,bad,shape,path", PAIRS, ids=[p[0] for p in PAIRS])
def test_shape_pair(name, good, bad, shape, path):
    assert good != bad, "the failing snippet must differ from the passing one"
    ok = _check(good)
    assert ok.conforms, ok.text()
    ko = _check(bad)
    assert not ko.conforms
    hits = [r for r in ko.results if r.shape == shape and r.path == path]
    assert hits, ko.text()
    assert all(r.message for r in ko.results)
    # only the intended shape fails
    assert {r.shape for r in ko.results} == {shape}, ko.text()


def test_report_is_readable():
    report = _check(CONTRACT_OK.replace('dkg:quantity "5"^^xsd:positiveInteger ;', ""))
    text = report.text()
    assert "ex" not in report.results[0].shape
    assert "https://example.org/c" in text or "<https://example.org/c>" in text
    assert "dkgsh:ArmsContractShape on dkg:quantity" in text
    assert "an arms contract needs a quantity (dkg:quantity)" in text


def test_shipped_graph_conforms(dataset):
    report = validate(dataset)
    assert report.conforms, report.text()


def test_violation_fails_the_build(tmp_path):
    from kg.pipeline.build import build
    from kg.validation import ValidationFailed

    src = ROOT / "articles" / "2019-06-us-india-s400"
    art = tmp_path / "articles" / src.name
    shutil.copytree(src, art)
    facts = art / "facts.ttl"
    text = facts.read_text(encoding="utf-8")
    broken = text.replace('    dkg:quantity "5"^^xsd:positiveInteger ;\n', "", 1)
    broken = broken.replace("    dkg:responseStatus dkg:NotYetAnswered ;\n", "", 1)
    assert broken != text
    facts.write_text(broken, encoding="utf-8")
    no_sources = tmp_path / "no-sources"  # the article alone: cited sources give the quantity too
    no_sources.mkdir()
    with pytest.raises(ValidationFailed) as info:
        build(articles=art.parent, sources=no_sources)
    assert isinstance(info.value, KgError)
    message = str(info.value)
    assert "dkgr:contract-india-russia-s400-2018" in message
    assert "dkgsh:ArmsContractShape dkg:quantity" in message
    assert "quantity" in message
    assert "dkgr:offer-thaad" in message and "dkgsh:OfferShape dkg:responseStatus" in message

    proc = run_kg("build", "--build-dir", str(tmp_path / "out"),
                  env={"KG_ARTICLES": str(art.parent), "KG_SOURCES": str(no_sources)})
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "dkgsh:ArmsContractShape" in proc.stderr and "dkgr:contract-india-russia-s400-2018" in proc.stderr


def test_validate_cli_formats(build_dir):
    proc = run_kg("validate", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    assert "conforms" in proc.stdout
    proc = run_kg("validate", "--build-dir", str(build_dir), "--format", "turtle")
    assert proc.returncode == 0, proc.stderr
    report = Graph().parse(data=proc.stdout, format="turtle")
    from kg.validation.shacl import SH

    assert (None, SH.conforms, None) in report
    assert report.value(next(report.subjects(SH.conforms, None)), SH.conforms).toPython() is True
