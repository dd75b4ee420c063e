"""`kg viz`: the pictures parse, hold the key nodes, and keep inferred edges apart."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from conftest import run_kg

from kg.core.namespace import DKG, DKGR
from kg.explanation.explainer import Explainer
from kg.present.viz import draw, network, timeline_events

SVG = "{http://www.w3.org/2000/svg}"
KEY_LABELS = {"India", "Russia", "United States", "Turkey", "S-400", "THAAD", "PAC-3", "CAATSA", "F-35", "NATO",
              "LEMOA", "COMCASA"}


def _texts(svg_path) -> str:
    root = ET.parse(svg_path).getroot()
    assert root.tag == SVG + "svg"
    return " ".join(t.text or "" for t in root.iter(SVG + "text"))


@pytest.fixture(scope="module")
def explainer(dataset):
    return Explainer(dataset)


def test_network_holds_the_key_nodes_and_edges(dataset, explainer):
    net = network(dataset, explainer=explainer)
    labels = {n.label for n in net.nodes.values()}
    assert KEY_LABELS <= labels
    assert "India's 2018 contract for five S-400s from Russia" in labels
    assert "CAATSA sanction on a Chinese military agency, 2018" in labels
    edges = {(e.s, e.p, e.o, e.inferred) for e in net.edges}
    assert (DKGR["contract-india-russia-s400-2018"], DKG.buyer, DKGR.India, False) in edges
    assert (DKGR.India, DKG.risksSanctionsUnder, DKGR.CAATSA, True) in edges
    assert (DKGR.Turkey, DKG.risksSanctionsUnder, DKGR.CAATSA, True) in edges
    # an inferred inverse of a drawn edge is not drawn twice
    assert not any(e.p == DKG.buyerIn for e in net.edges)
    # provenance is not drawn as nodes
    assert not any(n.category == "other" for n in net.nodes.values())


def test_svg_parses_and_shows_labels(dataset, tmp_path):
    out = draw(dataset, tmp_path / "graph.svg")
    text = _texts(out)
    for label in KEY_LABELS:
        assert label in text, label
    assert "risks sanctions under (inferred)" in text
    assert "buyer" in text
    root = ET.parse(out).getroot()
    dashed = [p for p in root.iter(SVG + "path") if p.get("stroke-dasharray") and p.get("stroke") == "#c0392b"]
    assert len(dashed) >= 3  # the three risks of sanctions, drawn dashed and red


def test_focus_keeps_the_neighbourhood(dataset, explainer):
    net = network(dataset, DKGR.Turkey, hops=1, explainer=explainer)
    labels = {n.label for n in net.nodes.values()}
    assert {"Turkey", "Turkey's S-400 purchases", "CAATSA", "NATO"} <= labels
    assert "India" not in labels and "PAC-3" not in labels
    # one hop: every node drawn is Turkey or joined to Turkey by a drawn edge ...
    neighbours = {n for e in net.edges if DKGR.Turkey in (e.s, e.o) for n in (e.s, e.o)}
    assert set(net.nodes) == neighbours | {DKGR.Turkey}
    # ... and all of Turkey's neighbours are kept: they are the nodes one hop away in a wider focus
    wider = network(dataset, DKGR.Turkey, hops=2, explainer=explainer)
    assert {n for e in wider.edges if DKGR.Turkey in (e.s, e.o) for n in (e.s, e.o)} == neighbours
    assert len(wider.nodes) > len(net.nodes)


def test_timeline_dates_and_how_they_are_known(dataset, explainer):
    events = {e.iri: e for e in timeline_events(dataset, explainer)}
    expected = {
        DKGR["election-interference-2016"]: ("stated", "2016 (stated)"),
        DKGR["sanction-chinese-agency-2018"]: ("stated", "2018 (stated)"),
        DKGR["contract-india-russia-s400-2018"]: ("stated", "2018 (stated)"),
        DKGR["offer-thaad"]: ("reported", "reported June 2019"),
        DKGR["offer-pac3"]: ("reported", "reported June 2019"),
        DKGR["briefing-pompeo-india-preview"]: ("inferred", "inferred 20 June 2019"),
        DKGR["pompeo-visit-india-2019"]: ("inferred", "inferred 25–27 June 2019"),
    }
    for iri, (kind, when) in expected.items():
        assert (events[iri].kind, events[iri].when) == (kind, when), iri
    assert "Thursday" in events[DKGR["briefing-pompeo-india-preview"]].note
    # undated deals are not placed at the report's date
    assert DKGR["deal-china-s400"] not in events and DKGR["deal-turkey-s400"] not in events
    order = [e.iri for e in timeline_events(dataset, explainer)]
    assert order.index(DKGR["election-interference-2016"]) < order.index(DKGR["contract-india-russia-s400-2018"]) \
        < order.index(DKGR["offer-thaad"]) < order.index(DKGR["briefing-pompeo-india-preview"])


def test_timeline_svg(dataset, tmp_path):
    text = _texts(draw(dataset, tmp_path / "timeline.svg", timeline=True))
    for words in ("2016", "2018", "2019", "Russian meddling in the 2016 US", "offer of THAAD to India",
                  "reported June 2019", "inferred 20 June 2019", "the article says 'Thursday'"):
        assert words in text, words


def test_cli_png_and_html(build_dir, tmp_path):
    png = tmp_path / "g.png"
    proc = run_kg("viz", "-o", str(png), "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = tmp_path / "g.html"
    proc = run_kg("viz", "--focus", "India", "--hops", "1", "-o", str(page), "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    text = page.read_text(encoding="utf-8")
    assert "<svg" in text and "const DATA" in text and "India is contracted to buy" in text
    proc = run_kg("viz", "-o", str(tmp_path / "g.pdf"), "--build-dir", str(build_dir))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr and ".svg, .png or .html" in proc.stderr


def test_timeline_tells_stated_cited_and_inferred_dates_apart(sources_build_dir, tmp_path):
    """The whole story, 2016 to 2021, on the build with the cited sources: each event marked with the
    source its date comes from and that source's grade, and how its date is known, drawn apart."""
    import json
    import re

    page = tmp_path / "timeline.html"
    proc = run_kg("viz", "--timeline", "-o", str(page), "--build-dir", str(sources_build_dir))
    assert proc.returncode == 0, proc.stderr
    text = page.read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", text).group(1).replace("<\\/", "</"))
    by_iri = {d["iri"]: d for d in data.values()}
    expected = {  # written by hand from articles/ and sources/
        "contract-india-russia-s400-2018": ("stated", "2018 (stated)", [("unconfirmed Indian newspaper", "F6")]),
        "election-interference-2016": ("stated", "2016 (stated)", [("unconfirmed Indian newspaper", "F6")]),
        "suspension-turkey-f35-2019": ("cited", "17 July 2019 (cited)",
                                       [("US Department of Defense", "A2"), ("Radio Free Europe/Radio Liberty", "B2")]),
        "signing-lemoa": ("cited", "29 August 2016 (cited)", [("Voice of America", "B2")]),
        "delivery-start-india-s400": ("cited", "December 2021 (cited)", [("Press Trust of India", "B2")]),
        "briefing-pompeo-india-preview": ("inferred", "inferred 20 June 2019", None),
        "offer-thaad": ("reported", "reported June 2019", [("unconfirmed Indian newspaper", "F6")]),
    }
    for slug, (kind, when, dated_by) in expected.items():
        d = by_iri[str(DKGR[slug])]
        assert (d["kind"], d["when"]) == (kind, when), slug
        if dated_by is not None:
            assert [(x["source"], x["grade"]) for x in d["dated_by"]] == dated_by, slug
    # the article's year stands; the day the cited reports give is noted, with who gives it
    assert by_iri[str(DKGR["contract-india-russia-s400-2018"])]["note"] == \
        "5 October 2018 per NDTV, Press Trust of India"
    # two cited sources give the SSB sanction two dates: the more precise is drawn, both are named
    ssb = by_iri[str(DKGR["sanction-ssb-2020"])]
    assert ssb["kind"] == "cited" and ssb["when"] == "14 December 2020 (cited)"
    assert "December 2020" in ssb["note"] and "14 December 2020" in ssb["note"]
    assert {x["source"] for x in ssb["dated_by"]} == {"Hürriyet Daily News", "Voice of America"}
    # the story runs from 2016 to 2021
    years = sorted({int(y) for y in re.findall(r'<text[^>]*>(20\d\d)</text>', text)})
    assert years == [2016, 2017, 2018, 2019, 2020, 2021]
    # drawn apart: each kind its own border (SVG stroke) and fill, and each in the legend
    svg = ET.fromstring(text[text.index("<svg"):text.index("</svg>") + 6])
    ns = {"s": "http://www.w3.org/2000/svg"}
    look = {}
    for g in svg.iterfind(".//s:g[@class='node']", ns):
        if g.get("id") in data:
            shape = g.find(".//s:path", ns)  # the card's rounded box, inside its tooltip's link
            look.setdefault(data[g.get("id")]["kind"], set()).add(
                (shape.get("fill"), shape.get("stroke-width"), shape.get("stroke-dasharray")))
    assert set(look) == {"stated", "cited", "inferred", "reported"}
    assert all(len(v) == 1 for v in look.values()), look           # one look per kind ...
    assert len({next(iter(v)) for v in look.values()}) == 4          # ... and no two kinds alike
    for words in ("date stated in the article", "date given by a cited source",
                  "date inferred from the article and cited reports", "undated: placed at the report"):
        assert words in text
