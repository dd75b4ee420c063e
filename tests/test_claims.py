"""`kg claims`: contested claims (one row per side), single-source fact nodes, corroboration.

The expected rows are written by hand from the facts files (sources/<slug>/facts.ttl,
articles/2019-06-us-india-s400/facts.ttl) and the grades in each source.ttl, never from the
program's output; rows are compared as multisets.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter

import pytest
from conftest import ROOT, SHIPPED_SOURCES, run_kg
from test_sources import SOURCE_TTL, write_source

from kg.core.terms import shorten
from kg.sparql.claims import COLUMNS, claims, contested, corroboration, single_source

ARTICLE = "<https://w3id.org/defence-kg/resource/article/2019-06-us-india-s400>"
CONTRACT = "dkgr:contract-india-russia-s400-2018"
DELIVERY = "dkgr:delivery-start-india-s400"

# By hand: the article and AP give 5 S-400 units, Bangladesh Post 4; NDTV, PTI, Bangladesh
# Post and AP give USD 5 billion, the New Indian Express 5.43 billion; PTI (Shringla) dates
# the start of deliveries to December 2021, ANI (Shugaev) says they had begun by 14 November.
# The article's "2018" and the sources' 5 October 2018 are compatible: not contested.
CONTESTED = [
    (CONTRACT, "dkg:quantity", "5", ARTICLE, "dkgr:outlet-unconfirmed", "F6"),
    (CONTRACT, "dkg:quantity", "5", "src:ap-2018-10-05-s400", "dkgr:AP", "B2"),
    (CONTRACT, "dkg:quantity", "4", "src:bangladeshpost-2018-10-s400", "dkgr:BangladeshPost", "C5"),
    (CONTRACT, "dkg:contractValue", "5000000000", "src:ndtv-2018-10-05-s400", "dkgr:NDTV", "B2"),
    (CONTRACT, "dkg:contractValue", "5000000000", "src:pti-2018-10-05-s400", "dkgr:PTI", "B2"),
    (CONTRACT, "dkg:contractValue", "5000000000", "src:bangladeshpost-2018-10-s400", "dkgr:BangladeshPost", "C5"),
    (CONTRACT, "dkg:contractValue", "5000000000", "src:ap-2018-10-05-s400", "dkgr:AP", "B2"),
    (CONTRACT, "dkg:contractValue", "5430000000", "src:nie-2018-09-29-putin-visit", "dkgr:NewIndianExpress", "B3"),
    (DELIVERY, "dkg:timeStart", "2021-12-01/2022-01-01", "src:pti-2021-12-06-shringla", "dkgr:PTI", "B2"),
    (DELIVERY, "dkg:noLaterThan", "2021-11-14", "src:ani-2021-11-14-shugaev", "dkgr:ANI", "B3"),
]


def cells(rows: list[dict], columns) -> Counter:
    """Rows as a multiset of tuples of short strings (IRIs shortened, literals as text)."""
    return Counter(tuple("" if r[c] is None else shorten(r[c]) if c not in ("value", "label") else str(r[c])
                         for c in columns) for r in rows)


@pytest.fixture(scope="module")
def ox_build():
    from kg.pipeline.build import build

    return build(backend="oxigraph", engine="native", sources=SHIPPED_SOURCES)


@pytest.fixture(scope="module")
def rdflib_build():
    from kg.pipeline.build import build

    return build(engine="owlrl", sources=SHIPPED_SOURCES)


@pytest.fixture(params=["rdflib", "oxigraph"])
def store(request, rdflib_build, ox_build):
    return (rdflib_build if request.param == "rdflib" else ox_build).store


def test_contested_gives_each_side_of_each_disagreement(store):
    assert cells(contested(store), COLUMNS["contested"]) == Counter(CONTESTED)


def test_contested_never_pairs_compatible_values(store):
    """Values that can both hold (a year and a day in it, the same value twice) are not contested."""
    sides = {(r[0], r[1]) for r in cells(contested(store), COLUMNS["contested"])}
    assert (CONTRACT, "dkg:statedTime") not in sides and (CONTRACT, "dkg:timeStart") not in sides
    assert (CONTRACT, "dkg:currency") not in sides and (CONTRACT, "dkg:timePrecision") not in sides


def _publishers(store) -> dict[str, int]:
    return {shorten(r["node"]): int(r["publishers"]) for r in corroboration(store)}


def test_corroboration_counts_independent_publishers(store):
    counts = _publishers(store)
    # outlet-unconfirmed (the article), NDTV, PTI, New Indian Express, Bangladesh Post, AP
    assert counts[CONTRACT] == 6
    # State Department, Akin Gump, Federal Register, Steptoe
    assert counts["dkgr:sanction-edd-2018"] == 4
    # Defense Department (Lord), RFE/RL
    assert counts["dkgr:suspension-turkey-f35-2019"] == 2
    # the article alone
    assert counts["dkgr:lever-technology-denial"] == 1
    # PTI (Shringla) and ANI (Shugaev); the article does not describe the start of deliveries
    assert counts[DELIVERY] == 2
    # no source, no grading is a fact node
    assert not [n for n in counts if n.startswith("src:") or "#grading" in n or "/article/" in n]


def test_single_source_names_the_one_source(store):
    rows = cells(single_source(store), COLUMNS["single-source"])
    by_node = {r[0]: r for r in rows}
    assert by_node["dkgr:lever-technology-denial"] == (
        "dkgr:lever-technology-denial", "denial of access to hi-tech American defence technology",
        ARTICLE, "dkgr:outlet-unconfirmed", "F6")
    assert by_node["dkgr:DmitryShugaev"] == ("dkgr:DmitryShugaev", "Dmitry Shugaev", "src:ani-2021-11-14-shugaev",
                                             "dkgr:ANI", "B3")
    for corroborated in (CONTRACT, "dkgr:sanction-edd-2018", "dkgr:suspension-turkey-f35-2019", DELIVERY):
        assert corroborated not in by_node
    # the same nodes as corroboration's count of 1, each once (no node has two stories of one publisher)
    assert sorted(by_node) == sorted(n for n, c in _publishers(store).items() if c == 1)
    assert sum(rows.values()) == len(by_node)


# --- planted: a second PTI story that contradicts the article's year -----------------------

FOLLOW_UP = "pti-2018-10-06-s400-follow-up"
FOLLOW_UP_FACTS = """@prefix dkg:     <https://w3id.org/defence-kg/ontology#> .
@prefix dkgr:    <https://w3id.org/defence-kg/resource/> .
@prefix src:     <https://w3id.org/defence-kg/resource/source/> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix time:    <http://www.w3.org/2006/time#> .

dkgr:contract-india-russia-s400-2018 dkg:statedTime "2019-01" ;
    dkg:timeStart "2019-01-01T00:00:00Z"^^xsd:dateTime ;
    dkg:timeEnd "2019-02-01T00:00:00Z"^^xsd:dateTime ;
    dkg:timePrecision time:unitMonth ;
    dkg:evidence [ dkg:statedIn src:{slug} ; dkg:locator "para 1" ] .

dkgr:india-russia-summit-2018 dkg:place dkgr:NewDelhi ;
    dkg:evidence [ dkg:statedIn src:{slug} ; dkg:locator "para 2" ] .

dkgr:delivery-start-india-s400 dkg:statedTime "2021-12-06" ;
    dkg:timeStart "2021-12-06T00:00:00Z"^^xsd:dateTime ;
    dkg:timeEnd "2021-12-07T00:00:00Z"^^xsd:dateTime ;
    dkg:timePrecision time:unitDay ;
    dkg:evidence [ dkg:statedIn src:{slug} ; dkg:locator "para 3" ] .
"""


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def planted(request, tmp_path_factory):
    """The shipped sources and one more PTI story: January 2019 for the contract (disjoint from
    2018), 6 December 2021 for the start of deliveries (inside PTI's December, after ANI's 14
    November), and the summit, which the first PTI story alone described."""
    from kg.pipeline.build import build

    root = tmp_path_factory.mktemp("planted") / "sources"
    shutil.copytree(ROOT / "sources", root)
    source = SOURCE_TTL.replace("dkgr:StateDepartment", "dkgr:PTI").replace(
        "dkgv:kind-government-statement", "dkgv:kind-news-report").replace("reliability-A", "reliability-B")
    write_source(root, FOLLOW_UP, facts=FOLLOW_UP_FACTS, source=source)
    return build(backend=request.param, sources=root).store


def test_planted_disjoint_intervals_and_no_later_than_are_contested(planted):
    rows = cells(contested(planted), COLUMNS["contested"]) - Counter(CONTESTED)
    follow = "src:" + FOLLOW_UP
    assert rows == Counter([
        # January 2019 against the article's 2018 and the 5 October 2018 of NDTV and PTI
        (CONTRACT, "dkg:timeStart", "2019-01-01/2019-02-01", follow, "dkgr:PTI", "B2"),
        (CONTRACT, "dkg:timeStart", "2018-01-01/2019-01-01", ARTICLE, "dkgr:outlet-unconfirmed", "F6"),
        (CONTRACT, "dkg:timeStart", "2018-10-05/2018-10-06", "src:ndtv-2018-10-05-s400", "dkgr:NDTV", "B2"),
        (CONTRACT, "dkg:timeStart", "2018-10-05/2018-10-06", "src:pti-2018-10-05-s400", "dkgr:PTI", "B2"),
        # 6 December 2021 lies inside PTI's December (not contested) but after ANI's 14 November
        (DELIVERY, "dkg:timeStart", "2021-12-06/2021-12-07", follow, "dkgr:PTI", "B2"),
    ])


def test_planted_two_stories_of_one_publisher_are_one_source(planted):
    counts = {shorten(r["node"]): (int(r["publishers"]), int(r["sources"])) for r in corroboration(planted)}
    assert counts["dkgr:india-russia-summit-2018"] == (1, 2)  # two PTI stories
    assert counts[DELIVERY] == (2, 3)  # PTI twice, ANI
    summit = [r for r in cells(single_source(planted), COLUMNS["single-source"]) if r[0] == "dkgr:india-russia-summit-2018"]
    assert sorted(r[2] for r in summit) == sorted(["src:" + FOLLOW_UP, "src:pti-2018-10-05-s400"])
    assert {r[3] for r in summit} == {"dkgr:PTI"}


def test_unknown_report_is_a_user_error(reference_build):
    from kg.core.errors import KgError

    with pytest.raises(KgError, match="unknown claims report 'disputed'"):
        claims(reference_build.store, "disputed")


# --- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
def test_cli_contested_prints_the_sides(sources_build_dir, backend):
    proc = run_kg("claims", "--contested", "--format", "csv", "--backend", backend, "--build-dir", str(sources_build_dir))
    assert proc.returncode == 0, proc.stderr
    header, *rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert header == list(COLUMNS["contested"])
    expand = {"dkgr:": "https://w3id.org/defence-kg/resource/", "src:": "https://w3id.org/defence-kg/resource/source/",
              "dkg:": "https://w3id.org/defence-kg/ontology#"}

    def full(cell: str) -> str:
        if cell.startswith("<"):
            return cell[1:-1]
        prefix = next((p for p in expand if cell.startswith(p)), None)
        return expand[prefix] + cell[len(prefix):] if prefix else cell

    assert Counter(map(tuple, rows)) == Counter(tuple(full(c) for c in row) for row in CONTESTED)


def test_cli_table_labels_the_sides(sources_build_dir):
    proc = run_kg("claims", "--contested", "--build-dir", str(sources_build_dir))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == list(COLUMNS["contested"]) and lines[-1] == "(10 rows)"
    assert any("Bangladesh Post (dkgr:BangladeshPost)" in l and l.rstrip().endswith("C5") for l in lines)


@pytest.mark.parametrize("flags,given", [(["--contested", "--single-source"], "--contested and --single-source"),
                                         ([], "none")])
def test_cli_needs_exactly_one_report(sources_build_dir, flags, given):
    proc = run_kg("claims", *flags, "--build-dir", str(sources_build_dir))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"kg: error: kg claims takes one of --contested, --single-source, --corroboration (given: {given})"]


def test_cli_json_single_source(sources_build_dir):
    import json

    proc = run_kg("claims", "--single-source", "--format", "json", "--build-dir", str(sources_build_dir))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["head"]["vars"] == list(COLUMNS["single-source"])
    lever = [b for b in data["results"]["bindings"]
             if b["node"]["value"] == "https://w3id.org/defence-kg/resource/lever-technology-denial"]
    assert [(b["publisher"]["value"], b["grade"]["value"]) for b in lever] == [
        ("https://w3id.org/defence-kg/resource/outlet-unconfirmed", "F6")]
