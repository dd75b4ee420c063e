"""The graph in a real browser: Debian's Chromium, headless, driven through the DevTools protocol
(tests/browser.py). Each test opens a page as an analyst would, saves a screenshot under its
temporary directory, and asserts on the DOM: an entity page of `kg serve`; the query page (YASGUI,
served offline: an example run, a labelled result row, a click through to an entity page; a
prefix completed as it is typed); the network view and the timeline view of `kg viz … -o x.html`.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from browser import Chromium
from conftest import run_kg
from servers import start_kg_serve

pytestmark = [pytest.mark.browser, pytest.mark.servers]

DKG = "https://w3id.org/defence-kg/ontology#"


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def server(sources_build_dir, tmp_path_factory, request):
    """`kg serve` on each backend: the pages and the query page are the same on both."""
    s = start_kg_serve(sources_build_dir, tmp_path_factory.mktemp("serve-browser"), "--backend", request.param,
                       "--timeout", "60")
    yield s
    s.stop()


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    c = Chromium(tmp_path_factory.mktemp("chromium"))
    yield c
    c.close()


def only_local(chromium, origin: str) -> None:
    """The page asked nothing of the network: every request went to *origin* (or was a data: or
    file: URL). So it works with the network off: no CDN, no prefix.cc, no LOV."""
    urls = chromium.requested_urls()
    assert urls
    elsewhere = [u for u in urls if not (u.startswith(origin + "/") or u.startswith(("data:", "file:")))]
    assert elsewhere == []


def test_entity_page(server, chromium, tmp_path):
    base = server.extra["base"]
    chromium.open(base + "/resource/India")
    chromium.screenshot(tmp_path / "entity-page.png")
    page = chromium.eval("""({h1: document.querySelector('h1').textContent,
        marks: [...document.querySelectorAll('mark')].map(m => m.textContent),
        wikidata: [...document.querySelectorAll('a[href^="http://www.wikidata.org/entity/"]')].map(a => a.href),
        why: document.querySelectorAll('a[href^="/explain?"]').length,
        derived: document.body.innerText.includes('derived'),
        scripts: [...document.scripts].map(s => s.src).filter(s => s)})""")
    assert page["h1"].strip() == "India"
    assert any("India is contracted to buy" in m or "India" in m for m in page["marks"])
    assert page["wikidata"] == ["http://www.wikidata.org/entity/Q668"]
    assert page["why"] > 0 and page["derived"]
    assert all(s.startswith(base + "/") for s in page["scripts"])
    only_local(chromium, base)


def test_query_page_runs_an_example_with_labels_and_links(server, chromium, tmp_path):
    base = server.extra["base"]
    chromium.open(base + "/?example=india-s400-contract")
    chromium.wait_for("document.body.dataset.ready === '1'")
    options = chromium.eval("[...document.querySelectorAll('#examples option')].map(o => o.value)")
    assert "india-s400-contract" in options and "who-risks-caatsa-for-s400" in options
    query = chromium.eval("document.querySelector('.CodeMirror').CodeMirror.getValue()")
    assert "PREFIX dkgr: <https://w3id.org/defence-kg/resource/>" in query and "dkgr:India" in query
    chromium.click(".yasqe_queryButton")
    chromium.wait_for("document.querySelectorAll('.yasr tbody tr .kg-label').length >= 4")
    chromium.screenshot(tmp_path / "query-page.png")
    # The table's columns: YASR's row number (no title, not sortable), then each projected variable, once,
    # each with its sort arrows after its title and inside its own header (none standing apart).
    heads = chromium.eval("""[...document.querySelectorAll('.yasr thead th')].map(th => {
        const r = th.getBoundingClientRect(), t = th.querySelector('.dt-column-title').getBoundingClientRect();
        const o = th.querySelector('.dt-column-order'), ob = o.getBoundingClientRect();
        return {title: th.innerText.trim(), arrows: getComputedStyle(o).display !== 'none' && ob.width > 0,
                th: [r.left, r.right], t: [t.left, t.right], o: [ob.left, ob.right]}; })""")
    assert [h["title"] for h in heads] == ["", "contract", "system", "quantity", "year", "place", "occasion", "visitor"]
    assert [h["arrows"] for h in heads] == [False] + [True] * 7
    for h in heads[1:]:
        assert h["th"][0] <= h["t"][0] < h["t"][1] <= h["o"][0] < h["o"][1] <= h["th"][1] + 0.5, h
    cells = chromium.eval("""[...document.querySelectorAll('.yasr tbody tr')[0].querySelectorAll('td')].map(td =>
        td.getBoundingClientRect().width)""")
    assert len(cells) == len(heads)
    row = chromium.eval("""[...document.querySelectorAll('.yasr tbody tr')[0].querySelectorAll('td')].map(td =>
        ({text: td.innerText, links: [...td.querySelectorAll('a.iri')].map(a => a.getAttribute('href')),
          labels: [...td.querySelectorAll('.kg-label')].map(s => s.textContent)}))""")
    cells = {label for cell in row for label in cell["labels"]}
    assert {"S-400", "New Delhi", "Vladimir Putin"} <= cells
    links = [link for cell in row for link in cell["links"]]
    assert "/resource/S-400" in links and "/resource/VladimirPutin" in links
    assert any('"5"' in cell["text"] for cell in row)
    # The query is in the address: the same page, opened from it, holds the same query.
    address = chromium.eval("location.href")
    assert urlsplit(address).query.startswith("query=")
    only_local(chromium, base)
    chromium.open(address)
    chromium.wait_for("document.body.dataset.ready === '1'")
    assert chromium.eval("document.querySelector('.CodeMirror').CodeMirror.getValue()") == query
    chromium.click(".yasqe_queryButton")
    chromium.wait_for("document.querySelector('.yasr a.iri[href=\"/resource/S-400\"]') !== null")
    chromium.click('.yasr a.iri[href="/resource/S-400"]')
    chromium.wait_for("location.pathname === '/resource/S-400' && document.readyState === 'complete'")
    assert chromium.eval("document.querySelector('h1').textContent").strip() == "S-400"


def test_query_page_completes_our_prefixes_as_one_types(server, chromium, tmp_path):
    base = server.extra["base"]
    chromium.open(base + "/")
    chromium.wait_for("document.body.dataset.ready === '1'")
    chromium.eval("(() => { const cm = document.querySelector('.CodeMirror').CodeMirror; cm.setValue(''); cm.focus(); return 1; })()")
    chromium.click(".CodeMirror-lines")
    chromium.type_text("SELECT ?s WHERE { ?s a dkg:")
    typed = chromium.wait_for("(() => { const v = document.querySelector('.CodeMirror').CodeMirror.getValue();"
                              " return v.includes('PREFIX dkg:') ? v : null; })()")
    chromium.screenshot(tmp_path / "prefix-completed.png")
    assert f"PREFIX dkg: <{DKG}>" in typed
    assert "SELECT ?s WHERE { ?s a dkg:" in typed
    only_local(chromium, base)


def _view(build_dir, tmp_path, *args):
    page = tmp_path / "view.html"
    proc = run_kg("viz", *args, "-o", str(page), "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    return page


def _fitted(chromium) -> dict:
    return chromium.eval("""(() => { const svg = document.querySelector('#graph svg');
        const g = svg.querySelector('g.graph').getBoundingClientRect(), box = document.getElementById('graph').getBoundingClientRect();
        return {g: [g.left, g.top, g.right, g.bottom], box: [box.left, box.top, box.right, box.bottom],
                legendInSvg: svg.querySelector('g[id^="clust"] title') !== null && [...svg.querySelectorAll('g.cluster title')].some(t => t.textContent.includes('legend')),
                legend: document.querySelectorAll('#side #legend li').length}; })()""")


def _card_in_view(chromium) -> None:
    """The card a click showed is where an analyst looks, with no scrolling: inside the viewport,
    its title at its top, taking most of the panel's height; the help and legend folded under it."""
    at = chromium.eval("""(() => { const info = document.getElementById('info'), r = info.getBoundingClientRect();
        const h3 = info.querySelector('h3').getBoundingClientRect();
        return {card: [r.left, r.top, r.right, r.bottom], title: [h3.top, h3.bottom], w: innerWidth, h: innerHeight,
                scrolled: [scrollX, scrollY, document.getElementById('side').scrollTop, info.scrollTop],
                about: document.getElementById('about').open}; })()""")
    left, top, right, bottom = at["card"]
    assert at["scrolled"] == [0, 0, 0, 0]
    assert 0 <= left < right <= at["w"] and 0 <= top < bottom <= at["h"], at
    assert top < 0.15 * at["h"] and bottom - top > 0.6 * at["h"], at     # at the top, most of the height
    assert top <= at["title"][0] < at["title"][1] <= bottom, at            # its title is seen
    assert at["about"] is False


def test_network_view_opens_fitted_and_a_click_shows_the_card(sources_build_dir, chromium, tmp_path):
    page = _view(sources_build_dir, tmp_path)
    chromium.open(page.as_uri())
    fit = _fitted(chromium)
    (gl, gt, gr, gb), (bl, bt, br, bb) = fit["g"], fit["box"]
    # The whole drawing is in view, and fills the view's width or its height.
    assert bl - 1 <= gl and gr <= br + 1 and bt - 1 <= gt and gb <= bb + 1
    assert (gr - gl) > 0.9 * (br - bl) or (gb - gt) > 0.9 * (bb - bt)
    assert not fit["legendInSvg"] and fit["legend"] >= 6  # the legend is in the side panel
    india = chromium.eval("""[...document.querySelectorAll('g.node')].find(n => n.querySelector('title') &&
        DATA[n.id] && DATA[n.id].label === 'India').id""")
    chromium.click(f"g.node#{india} polygon, g.node#{india} ellipse, g.node#{india} path")
    chromium.wait_for(f"document.getElementById('info').dataset.shown === {json.dumps(india)}")
    chromium.screenshot(tmp_path / "network-card.png")
    _card_in_view(chromium)
    card = chromium.eval("""(() => { const info = document.getElementById('info');
        const expert = [...info.querySelectorAll('details')].map(d => d.textContent).join(' ');
        const clone = info.cloneNode(true); clone.querySelectorAll('details').forEach(d => d.remove());
        return {plain: clone.innerText, expert: expert, html: info.innerHTML,
                marks: info.querySelectorAll('mark').length, grades: [...info.querySelectorAll('.grade')].map(g => g.textContent)}; })()""")
    assert card["plain"].startswith("India")
    assert "Stated facts" in card["plain"] and "Derived facts" in card["plain"]
    assert "India — risks sanctions under — CAATSA (derived)" in card["plain"]
    assert "derived by reasoning from:" in card["plain"]
    assert "prp-" not in card["plain"] and "prp-spo2" in card["expert"]  # rule names only in the expert detail
    assert card["marks"] > 0 and "F6" in card["grades"]
    assert "Wikidata Q668" in card["plain"]
    # Zoom in: the drawing grows past the view; Fit brings it back.
    chromium.click("#zoom-in")
    chromium.click("#zoom-in")
    zoomed = _fitted(chromium)["g"]
    assert zoomed[2] - zoomed[0] > gr - gl
    chromium.click("#zoom-fit")
    assert _fitted(chromium)["g"] == fit["g"]


def test_timeline_view_has_its_help_and_click_data(sources_build_dir, chromium, tmp_path):
    page = _view(sources_build_dir, tmp_path, "--timeline")
    chromium.open(page.as_uri())
    fit = _fitted(chromium)
    (gl, gt, gr, gb), (bl, bt, br, bb) = fit["g"], fit["box"]
    assert bl - 1 <= gl and gr <= br + 1 and bt - 1 <= gt and gb <= bb + 1
    help_text = chromium.eval("document.getElementById('help').textContent")
    assert "dated event" in help_text and "edge" not in help_text.lower() and "arrow" not in help_text.lower()
    contract = chromium.eval("""[...document.querySelectorAll('g.node')].find(n => DATA[n.id] &&
        DATA[n.id].label.startsWith("India's 2018 contract")).id""")
    chromium.click(f"g.node#{contract} path, g.node#{contract} polygon")
    chromium.wait_for(f"document.getElementById('info').dataset.shown === {json.dumps(contract)}")
    chromium.screenshot(tmp_path / "timeline-card.png")
    _card_in_view(chromium)
    card = chromium.eval("document.getElementById('info').innerText")
    assert card.startswith("India's 2018 contract for five S-400s from Russia")
    assert "2018 (stated)" in card and "to the year" in card and "date stated in the article" in card
    assert "Look at alternatives, US says to India on S-400" in card and "F6" in card  # the article, its grade
    assert "India, Russia sign USD 5 billion S-400 deal" in card  # a cited report
    briefing = chromium.eval("""[...document.querySelectorAll('g.node')].find(n => DATA[n.id] &&
        DATA[n.id].label.startsWith('State Department briefing')).id""")
    chromium.click(f"g.node#{briefing} path, g.node#{briefing} polygon")
    chromium.wait_for(f"document.getElementById('info').dataset.shown === {json.dumps(briefing)}")
    card = chromium.eval("document.getElementById('info').innerText")
    assert "inferred 20 June 2019" in card and "to the day" in card and "Thursday" in card
