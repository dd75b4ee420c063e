"""`kg export --format graphml|gexf|csv-edges` and compact JSON-LD, each read back: networkx for
GraphML and GEXF, the csv module for the edges, rdflib for JSON-LD. Expected values are written
by hand from articles/2019-06-us-india-s400/ and sources/ (India's QID, who buys what, the dates)."""

from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest
from conftest import run_kg
from rdflib import Dataset

R = "https://w3id.org/defence-kg/resource/"
INDIA, CAATSA, CONTRACT = R + "India", R + "CAATSA", R + "contract-india-russia-s400-2018"


@pytest.fixture(scope="module")
def exports(sources_build_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("graph-export")
    files = {}
    for fmt in ("graphml", "gexf", "csv-edges", "jsonld", "nquads"):
        files[fmt] = out / f"defence-kg.{fmt}"
        proc = run_kg("export", "--build-dir", str(sources_build_dir), "--format", fmt, "-o", str(files[fmt]))
        assert proc.returncode == 0, proc.stderr
    return files


def test_graphml_reads_back_with_labels_types_qids_and_stated_or_derived(exports):
    g = nx.read_graphml(exports["graphml"])
    assert g.is_directed()
    assert g.nodes[INDIA] == {"label": "India", "type": "state", "qid": "Q668"}
    assert g.nodes[R + "Russia"]["qid"] == "Q159"
    assert g.nodes[CONTRACT]["label"] == "India's 2018 contract for five S-400s from Russia"
    buyer = [d for d in g.get_edge_data(CONTRACT, INDIA).values() if d["predicate"] == "dkg:buyer"]
    assert buyer == [{"predicate": "dkg:buyer", "label": "buyer", "status": "stated"}]
    risk = list(g.get_edge_data(INDIA, CAATSA).values())
    assert risk == [{"predicate": "dkg:risksSanctionsUnder", "label": "risks sanctions under", "status": "derived"}]
    predicates = {d["predicate"] for _, _, d in g.edges(data=True)}
    assert "rdfs:subClassOf" not in predicates and "rdf:type" not in predicates   # facts only
    assert {d["status"] for _, _, d in g.edges(data=True)} == {"stated", "derived"}


def test_gexf_reads_back_with_event_dates_as_spells(exports):
    g = nx.read_gexf(exports["gexf"])
    assert g.nodes[INDIA]["label"] == "India" and g.nodes[INDIA]["Wikidata QID"] == "Q668"
    # Putin's visit: the article says 2018, the sources 4-5 October 2018: the spell is the overlap
    assert g.nodes[R + "putin-visit-new-delhi-2018"]["spells"] == [("2018-10-04", "2018-10-05")]
    # the contract: the article's 2018, AP's Friday 5 October 2018
    assert g.nodes[CONTRACT]["spells"] == [("2018-10-05", "2018-10-05")]
    assert "spells" not in g.nodes[INDIA]                      # not an event
    statuses = {(u, v, d["predicate"]): d["status"] for u, v, d in g.edges(data=True)}
    assert statuses[(INDIA, CAATSA, "dkg:risksSanctionsUnder")] == "derived"
    assert statuses[(CONTRACT, INDIA, "dkg:buyer")] == "stated"


def test_csv_edges_and_asserted_only(exports, sources_build_dir):
    rows = list(csv.reader(io.StringIO(exports["csv-edges"].read_text(encoding="utf-8"))))
    assert rows[0] == ["source", "source_label", "predicate", "predicate_label", "target", "target_label", "status"]
    body = [tuple(r) for r in rows[1:]]
    assert (INDIA, "India", "dkg:risksSanctionsUnder", "risks sanctions under", CAATSA, "CAATSA", "derived") in body
    assert (CONTRACT, "India's 2018 contract for five S-400s from Russia", "dkg:buyer", "buyer", INDIA, "India",
            "stated") in body
    assert len(body) == len(set(body))
    proc = run_kg("export", "--build-dir", str(sources_build_dir), "--format", "csv-edges", "--asserted-only")
    assert proc.returncode == 0, proc.stderr
    stated = [tuple(r) for r in csv.reader(io.StringIO(proc.stdout))][1:]
    assert stated and all(r[-1] == "stated" for r in stated)
    assert sorted(stated) == sorted(r for r in body if r[-1] == "stated")


def test_graph_exports_are_deterministic(exports, sources_build_dir, tmp_path):
    for fmt in ("graphml", "gexf", "csv-edges"):
        again = tmp_path / f"again.{fmt}"
        proc = run_kg("export", "--build-dir", str(sources_build_dir), "--format", fmt, "-o", str(again))
        assert proc.returncode == 0, proc.stderr
        assert again.read_bytes() == exports[fmt].read_bytes(), fmt


def test_jsonld_has_a_compact_context_of_our_prefixes_and_reads_back(exports):
    data = json.loads(exports["jsonld"].read_text(encoding="utf-8"))
    context = data["@context"]
    assert context["dkg"] == "https://w3id.org/defence-kg/ontology#"
    assert context["dkgr"] == R
    text = exports["jsonld"].read_text(encoding="utf-8")
    assert '"dkgr:India"' in text                              # compact IRIs, not full ones
    back = Dataset()
    back.parse(exports["jsonld"], format="json-ld")
    nquads = Dataset()
    nquads.parse(exports["nquads"], format="nquads")
    assert sum(1 for _ in back.quads()) == sum(1 for _ in nquads.quads())
    for g in nquads.graphs():
        assert len(back.graph(g.identifier)) == len(g), g.identifier


def test_ontology_only_is_rdf_only(sources_build_dir):
    proc = run_kg("export", "--build-dir", str(sources_build_dir), "--format", "graphml", "--ontology-only")
    assert proc.returncode == 2
    assert proc.stderr.startswith("kg: error:") and "Traceback" not in proc.stderr
