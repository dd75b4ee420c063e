"""`kg docs`: the static site holds every page, and its internal links all resolve."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import run_kg

from kg.present.site import build_site, question_file
from kg.sparql.named import named_queries


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("href", "src"):
            if a.get(key):
                self.links.append(a[key])
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def site(dataset, tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site(dataset, out)
    return out


def test_site_has_every_page(site):
    names = {p.name for p in site.iterdir()}
    assert {"index.html", "ontology.html", "shapes.html", "article.html", "pictures.html", "network.svg",
            "timeline.svg", "network.html", "timeline.html", "style.css"} <= names
    for slug in named_queries():
        assert question_file(slug) in names


def test_no_broken_internal_links(site):
    pages = {p.name: _parse(p) for p in site.glob("*.html")}
    broken = []
    checked = 0
    for name, parsed in pages.items():
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto", "data") or link.startswith("//"):
                continue
            target = unquote(parts.path) or name
            if not (site / target).is_file():
                broken.append(f"{name}: {link} (no file)")
                continue
            if parts.fragment and target.endswith(".html"):
                if parts.fragment not in pages[target].ids:
                    broken.append(f"{name}: {link} (no anchor)")
            checked += 1
    assert broken == []
    assert checked > 100


def test_every_page_is_reachable_from_the_index(site):
    seen, todo = set(), ["index.html"]
    while todo:
        name = todo.pop()
        if name in seen or not name.endswith(".html"):
            seen.add(name)
            continue
        seen.add(name)
        for link in _parse(site / name).links:
            parts = urlsplit(link)
            if not parts.scheme and parts.path and (site / parts.path).is_file():
                todo.append(parts.path)
    assert {p.name for p in site.glob("*.html")} <= seen
    assert {"network.svg", "timeline.svg"} <= seen


def test_article_page_anchors_each_sentence_once(site):
    page = (site / "article.html").read_text(encoding="utf-8")
    for n in range(1, 14):
        assert page.count(f'id="s{n:02d}"') == 1, n
    assert "(repeats <a href=\"#s01\">s01</a>)" in page


def test_question_page_shows_sparql_answers_and_sentences(site):
    page = (site / question_file("who-risks-caatsa-for-s400")).read_text(encoding="utf-8")
    assert "Who risks CAATSA sanctions for buying the S-400?" in page
    assert "dkg:risksSanctionsUnder" in page  # the SPARQL
    assert "India" in page and "Turkey" in page  # the answer table
    assert "prp-spo2" in page  # the derivation of the risk
    assert '<a href="article.html#s03">s03</a>' in page and '<a href="article.html#s06">s06</a>' in page
    assert "<mark>the five Russian S-400s that India is contracted to buy" in page


def test_ontology_reference_is_offline_and_complete(site):
    page = (site / "ontology.html").read_text(encoding="utf-8")
    for term in ("risks sanctions under", "arms contract", "sanctions risk bearer", "response status"):
        assert term in page.lower()
    assert "<script src=\"http" not in page and 'rel="stylesheet" href="http' not in page


def test_pictures_parse(site):
    for name in ("network.svg", "timeline.svg"):
        root = ET.parse(site / name).getroot()
        assert root.tag.endswith("svg")


def test_cli_writes_the_site(build_dir, tmp_path):
    out = tmp_path / "site"
    proc = run_kg("docs", "-o", str(out), "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    assert (out / "index.html").is_file() and (out / "ontology.html").is_file()
    # the interactive timeline is the page `kg viz --timeline` writes, byte for byte
    view = tmp_path / "timeline.html"
    proc = run_kg("viz", "--timeline", "-o", str(view), "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    assert (out / "timeline.html").read_bytes() == view.read_bytes()


def test_site_ships_the_interactive_timeline_offline(site):
    page = site / "timeline.html"
    text = page.read_text(encoding="utf-8")
    # linked from the index and from the pictures page
    assert "timeline.html" in _parse(site / "index.html").links
    assert "timeline.html" in _parse(site / "pictures.html").links
    # the view itself: the drawing, its events' cards, its help
    assert "<svg" in text and "const DATA" in text and 'const VIEW = "timeline"' in text
    assert "India's 2018 contract for five S-400s from Russia" in text and 'id="help"' in text
    # offline: its script and style are in the page; nothing it loads comes from elsewhere
    class Loads(HTMLParser):
        def __init__(self):
            super().__init__()
            self.loads, self.scripts = [], 0

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "script":
                self.scripts += 1
            if tag in ("script", "img", "iframe", "link", "image", "use", "source", "embed", "object"):
                self.loads += [a[k] for k in ("src", "href", "xlink:href", "data") if a.get(k)]

    parsed = Loads()
    parsed.feed(text)
    assert parsed.scripts == 1 and parsed.loads == []
    assert "@import" not in text and "url(" not in text
    assert not re.search(r"cdn|unpkg|jsdelivr|googleapis|cdnjs", text, re.I)


def test_question_page_quotes_each_supporting_sentence_once(site):
    """Under "Supporting sentences" each sentence is quoted once, the facts it supports listed
    under it; the facts behind each answer name their sentences rather than quote them again."""
    page = (site / question_file("who-risks-caatsa-for-s400")).read_text(encoding="utf-8")
    ids = re.findall(r'<li id="support-(s\d{2})">', page)
    assert ids and len(ids) == len(set(ids))
    assert page.count("<blockquote>") == len(ids)
    s03 = page[page.index('<li id="support-s03">'):]
    s03 = s03[:s03.index("</li></ul></li>") + 5]
    assert "<mark>the five Russian S-400s that India is contracted to buy" in s03
    facts = re.findall(r"<li>([^<]*)</li>", s03)
    assert "India&#x27;s 2018 contract for five S-400s from Russia — system — S-400" in facts
    assert page.count('<a href="#support-s03">s03</a>') >= 2  # named by more than one fact
