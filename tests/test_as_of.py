"""`--as-of DATE`: every question asked of the graph as it stood at the end of a day (issue 11).
Expected answers written by hand from the sources: sources/*/facts.ttl and the article."""

from __future__ import annotations

import io
import json
import urllib.request
from urllib.parse import urlencode

import pytest
from conftest import SHIPPED_SOURCES, run_kg
from expected import as_of_dates, assert_matches_expected
from rdflib.query import Result
from servers import start_kg_serve

from kg.pipeline.asof import as_of, parse_date
from kg.core.errors import KgError
from kg.sparql import run
from kg.sparql.named import named_queries

QUERIES = named_queries()
BACKENDS = ["rdflib", "oxigraph"]


def short(term) -> str:
    return str(term).rsplit("/", 1)[-1]


@pytest.fixture(scope="module", params=BACKENDS)
def store(request):
    from kg.pipeline.build import build

    return build(backend=request.param, sources=SHIPPED_SOURCES).store


def at_risk(store, day):
    return {short(r[0]) for r in run(as_of(store, day), QUERIES["who-risks-caatsa-for-s400"].text)}


def sanctioned(store, day):
    return {(short(r.sanction), short(r.target)) for r in run(as_of(store, day), QUERIES["sanctioned-under-caatsa"].text)}


def test_on_the_articles_date_india_and_turkey_were_at_risk_and_the_edd_had_been_sanctioned(store):
    assert at_risk(store, "2019-06-21") == {"India", "Turkey"}
    assert sanctioned(store, "2019-06-21") == {
        ("sanction-chinese-agency-2018", "ChineseMilitaryAgency"),       # the article, 2018
        ("sanction-edd-2018", "EquipmentDevelopmentDepartment"),        # State Department, 2018-09-20
        ("sanction-edd-2018", "LiShangfu"),
    }


def test_by_2021_turkeys_ssb_had_been_sanctioned_too(store):
    assert sanctioned(store, "2021-01-01") == sanctioned(store, "2019-06-21") | {
        ("sanction-ssb-2020", "SSB"), ("sanction-ssb-2020", "IsmailDemir")}   # December 2020
    # a risk is not a sanction: Turkey the state still bears the risk; its agency was sanctioned
    assert at_risk(store, "2021-01-01") == {"India", "Turkey"}


def test_before_caatsa_was_enacted_nobody_risked_sanctions_under_it(store):
    """CAATSA became law on 2017-08-02 (CRS IF10694); before that its risk cannot be derived."""
    assert at_risk(store, "2017-08-01") == set()
    assert at_risk(store, "2017-08-02") == {"Turkey", "ChineseMilitaryAgency"}  # India's contract is of 2018


def test_each_source_is_read_on_its_own_dates():
    """Deliveries to India: begun by 2021-11-14 says a Russian official (ANI); in December 2021 says
    India's Foreign Secretary (PTI). As of 2021-11-20 the first account holds, the second not yet."""
    from kg.pipeline.build import build

    store = build(sources=SHIPPED_SOURCES).store
    text = ("SELECT ?g WHERE { GRAPH ?g { <https://w3id.org/defence-kg/resource/delivery-start-india-s400> "
            "a <https://w3id.org/defence-kg/ontology#DeliveryStart> } }")
    graphs = {short(r[0]) for r in run(as_of(store, "2021-11-20"), text)}
    assert graphs == {"ani-2021-11-14-shugaev"}
    assert {short(r[0]) for r in run(as_of(store, "2021-12-31"), text)} == {"ani-2021-11-14-shugaev", "pti-2021-12-06-shringla"}
    assert {short(r[0]) for r in run(as_of(store, "2021-11-13"), text)} == set()


@pytest.mark.parametrize("bad", ["2019-13-01", "yesterday", "2019-06", "2019-06-21'} DROP ALL"])
def test_a_bad_date_is_refused(bad):
    with pytest.raises(KgError, match="YYYY-MM-DD"):
        parse_date(bad)


@pytest.mark.parametrize("backend", BACKENDS)
def test_kg_query_as_of_on_both_backends(sources_build_dir, backend):
    proc = run_kg("query", "who-risks-caatsa-for-s400", "--as-of", "2017-08-01", "--format", "csv",
                  "--build-dir", str(sources_build_dir), "--backend", backend)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines() == ["actor,deal,system,originState"]
    proc = run_kg("query", "who-risks-caatsa-for-s400", "--as-of", "21 June 2019", "--build-dir", str(sources_build_dir),
                  "--backend", backend)
    assert proc.returncode == 2 and proc.stderr.startswith("kg: error:") and "YYYY-MM-DD" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.servers
@pytest.mark.parametrize("backend", BACKENDS)
def test_kg_serve_as_of_on_named_questions_and_sparql(sources_build_dir, tmp_path, backend):
    s = start_kg_serve(sources_build_dir, tmp_path, "--backend", backend)
    try:
        base = s.extra["base"]
        url = f"{base}/queries/sanctioned-under-caatsa?{urlencode({'as-of': '2019-06-21', 'format': 'json'})}"
        rows = json.loads(urllib.request.urlopen(url, timeout=60).read())["results"]["bindings"]
        assert {(short(r["sanction"]["value"]), short(r["target"]["value"])) for r in rows} == {
            ("sanction-chinese-agency-2018", "ChineseMilitaryAgency"),
            ("sanction-edd-2018", "EquipmentDevelopmentDepartment"), ("sanction-edd-2018", "LiShangfu")}
        q = "SELECT ?a WHERE { ?a <https://w3id.org/defence-kg/ontology#risksSanctionsUnder> ?law }"
        url = f"{s.url}?{urlencode({'query': q, 'as-of': '2017-08-01'})}"
        req = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
        assert json.loads(urllib.request.urlopen(req, timeout=60).read())["results"]["bindings"] == []
        try:
            urllib.request.urlopen(f"{s.url}?{urlencode({'query': q, 'as-of': 'June 2019'})}", timeout=30)
            raise AssertionError("a bad as-of was accepted")
        except urllib.error.HTTPError as exc:
            assert exc.code == 400 and b"YYYY-MM-DD" in exc.read()
    finally:
        s.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def served(sources_build_dir, tmp_path_factory, request):
    # rdflib's engine needs more than the default 10 s on some whole-graph questions on 2 CPUs
    s = start_kg_serve(sources_build_dir, tmp_path_factory.mktemp(f"serve-as-of-{request.param}"),
                       "--backend", request.param, "--timeout", "120")
    yield s
    s.stop()


AS_OF = sorted((slug, day) for slug, q in QUERIES.items() for day in as_of_dates(q))


@pytest.mark.servers
@pytest.mark.parametrize("slug, day", AS_OF)
def test_kg_serve_gives_every_hand_written_as_of_answer(served, slug, day):
    """`/queries/SLUG?as-of=DAY` on kg serve gives `SLUG.as-of-DAY.expected.csv`, as `kg query --as-of` does."""
    url = f"{served.extra['base']}/queries/{slug}?{urlencode({'as-of': day, 'format': 'json'})}"
    body = urllib.request.urlopen(url, timeout=150).read()
    assert_matches_expected(QUERIES[slug], Result.parse(io.BytesIO(body), format="json"), as_of=day)
