"""Linked Data on `kg serve`: every IRI of the namespace dereferences, by direct content negotiation
(docs/linked-data.md), on both backends.

Real HTTP requests against a `kg serve` started here, one per backend. The expected facts are
written by hand from articles/2019-06-us-india-s400/ and sources/ (the quote, the grades) and
ontology/*.ttl (the labels); counts are taken from the build's N-Quads file, read here apart from
the server.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, VOID
from servers import start_kg_serve
from utils import http, normalise_term

pytestmark = pytest.mark.servers

BASE = "https://w3id.org/defence-kg/"
DKG = BASE + "ontology#"
DKGR = BASE + "resource/"
INDIA = URIRef(DKGR + "India")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_TYPES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
             "application/rdf+xml": "xml"}


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def server(sources_build_dir, tmp_path_factory, request):
    """`kg serve` on each backend, with a `kg docs`-like folder whose ontology.html is known."""
    docs = tmp_path_factory.mktemp("docs")
    (docs / "ontology.html").write_text("<!DOCTYPE html><title>pyLODE page (test)</title><p>made by pyLODE</p>\n")
    s = start_kg_serve(sources_build_dir, tmp_path_factory.mktemp("serve-lod"), "--backend", request.param,
                       "--docs", str(docs), "--timeout", "60")
    yield s
    s.stop()


def get(server, path, accept=None, method="GET"):
    headers = {"Accept": accept} if accept is not None else {}
    return http(method, server.extra["base"] + path, headers=headers)


def media(headers) -> str:
    return headers["Content-Type"].split(";")[0].strip()


def vary_accept(headers) -> bool:
    return "accept" in [v.strip().lower() for v in (headers.get("Vary") or "").split(",")]


def parse(body: bytes, mime: str) -> Graph:
    return Graph().parse(data=body, format=RDF_TYPES[mime])


def quads_per_graph(sources_build_dir) -> Counter:
    """Triples per named graph, counted from the build's N-Quads file (each line one quad)."""
    counts = Counter()
    for line in (sources_build_dir / "defence-kg.nq").read_text(encoding="utf-8").splitlines():
        m = re.search(r"<([^<>]+)> \.$", line.strip())
        if m:
            counts[m.group(1)] += 1
    return counts


class Page(HTMLParser):
    """What a test reads from a page: its text, the marked quotes, the links, the scripts."""

    def __init__(self, body: bytes):
        super().__init__()
        self.text, self.marks, self.links, self.scripts, self.h1 = [], [], [], 0, ""
        self._in = []
        self.feed(body.decode("utf-8"))

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        if tag == "a":
            self.links.append(dict(attrs).get("href"))
        if tag == "script":
            self.scripts += 1
        if tag == "mark":
            self.marks.append("")

    def handle_endtag(self, tag):
        if tag in self._in:
            while self._in.pop() != tag:
                pass

    def handle_data(self, data):
        self.text.append(data)
        if "mark" in self._in:
            self.marks[-1] += data
        if "h1" in self._in:
            self.h1 += data

    @property
    def all_text(self) -> str:
        return "".join(self.text)


# --- content negotiation, over HTTP ----------------------------------------------------------------


@pytest.mark.parametrize("mime", sorted(RDF_TYPES))
def test_resource_in_every_rdf_type_is_its_stated_description_with_labels(server, mime):
    status, headers, body = get(server, "/resource/India", mime)
    assert status == 200, body
    assert media(headers) == mime
    assert vary_accept(headers)
    g = parse(body, mime)
    assert (INDIA, RDFS.label, Literal("India", lang="en")) in g
    assert (INDIA, RDF.type, URIRef(DKG + "State")) in g
    assert (INDIA, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q668")) in g
    assert (INDIA, SKOS.altLabel, Literal("New Delhi", lang="en")) in g
    # a neighbour's label: dkg:State is labelled "state" in ontology/
    assert (URIRef(DKG + "State"), RDFS.label, Literal("state", lang="en")) in g
    # nothing derived: the risk of sanctions and the derived classes are the reasoner's
    assert (INDIA, URIRef(DKG + "risksSanctionsUnder"), None) not in g
    assert (INDIA, RDF.type, URIRef(DKG + "SanctionsRiskBearer")) not in g
    # bounded: only the resource and its neighbours' labels
    for s in set(g.subjects()) - {INDIA}:
        assert set(g.predicates(s)) == {RDFS.label}, s


@pytest.mark.parametrize("accept,expected", [
    (None, "text/turtle"),                                          # no Accept: anything; the server's first
    ("*/*", "text/turtle"),
    ("text/*", "text/turtle"),                                      # the first text/* type offered
    (BROWSER, "text/html"),                                         # a browser names text/html
    ("text/html", "text/html"),
    ("application/xhtml+xml", "text/html"),
    ("application/n-triples", "application/n-triples"),
    ("text/turtle;q=0.5, application/ld+json", "application/ld+json"),
    ("text/html;q=0.9, application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json;q=0, */*;q=0.1", "text/turtle"),          # q=0: not that one
    ("text/turtle;q=0, application/ld+json;q=0, */*;q=0.5", "application/n-triples"),
    ("TEXT/HTML", "text/html"),                                     # media types are case-insensitive
    ("image/png", None),                                            # nothing acceptable: 406
    ("text/turtle;q=0", None),
])
def test_negotiation_follows_rfc_9110(server, accept, expected):
    status, headers, body = get(server, "/resource/S-400", accept)
    assert vary_accept(headers)
    if expected is None:
        assert status == 406, body
        assert b"text/turtle" in body and b"text/html" in body  # it says what is offered
        return
    assert status == 200, body
    assert media(headers) == expected


def test_format_parameter_wins_and_names_each_representation(server):
    status, headers, body = get(server, "/resource/S-400?format=jsonld", "text/html")
    assert status == 200 and media(headers) == "application/ld+json"
    g = parse(body, "application/ld+json")
    assert (URIRef(DKGR + "S-400"), RDF.type, URIRef(DKG + "AirAndMissileDefenceSystem")) in g
    # Content-Location names the representation sent, which is there to fetch by itself
    status, headers, _ = get(server, "/resource/S-400", "application/rdf+xml")
    location = headers["Content-Location"]
    assert location == "/resource/S-400?format=rdfxml"
    status, headers2, body2 = get(server, location, "text/html")
    assert status == 200 and media(headers2) == "application/rdf+xml"
    assert status == 200 and get(server, "/resource/S-400?format=nosuch")[0] == 406


@pytest.mark.parametrize("path", ["/resource/India", "/ontology", "/graph/asserted", "/.well-known/void", "/catalog",
                                  "/shapes", "/resource/source/ap-2018-10-05-s400", "/vocab/reliability-B"])
@pytest.mark.parametrize("accept", [None, "text/turtle", BROWSER])
def test_head_answers_as_get_does_without_a_body(server, path, accept):
    g_status, g_headers, g_body = get(server, path, accept)
    h_status, h_headers, h_body = get(server, path, accept, method="HEAD")
    assert g_status == h_status == 200
    assert h_body == b""
    assert h_headers["Content-Type"] == g_headers["Content-Type"]
    assert int(h_headers["Content-Length"]) == len(g_body)
    assert vary_accept(h_headers) and vary_accept(g_headers)


@pytest.mark.parametrize("path,accept,status", [
    ("/resource/no-such-thing", "text/turtle", 404),
    ("/resource/no-such-thing", "text/html", 404),
    ("/graph/no-such-graph", "text/turtle", 404),
    ("/ontology", "image/png", 406),
    ("/.well-known/void", "image/png", 406),
    ("/catalog", "image/png", 406),
    ("/catalog", "text/html;q=0, text/turtle;q=0, application/ld+json;q=0, application/n-triples;q=0, "
                 "application/rdf+xml;q=0", 406),
])
def test_errors_carry_vary_and_the_server_stays_up(server, path, accept, status):
    got, headers, _ = get(server, path, accept)
    assert got == status
    assert vary_accept(headers)
    assert get(server, "/resource/India", "text/turtle")[0] == 200


def test_post_to_a_resource_is_refused(server):
    status, _, _ = http("POST", server.extra["base"] + "/resource/India", body=b"x",
                        headers={"Content-Type": "text/turtle"})
    assert status == 405


def test_hash_iris_are_described_by_their_document(server):
    """An article's sentences (#s01...) and a source's grading (#grading) are in their document."""
    status, _, body = get(server, "/resource/source/ap-2018-10-05-s400", "text/turtle")
    assert status == 200
    g = parse(body, "text/turtle")
    src = URIRef(DKGR + "source/ap-2018-10-05-s400")
    grading = URIRef(DKGR + "source/ap-2018-10-05-s400#grading")
    assert (src, URIRef(DKG + "grading"), grading) in g
    assert (grading, URIRef(DKG + "sourceReliability"), URIRef(BASE + "vocab/reliability-B")) in g
    assert (grading, URIRef(DKG + "informationCredibility"), URIRef(BASE + "vocab/credibility-2")) in g
    status, _, body = get(server, "/resource/article/2019-06-us-india-s400", "application/n-triples")
    g = parse(body, "application/n-triples")
    s03 = URIRef(DKGR + "article/2019-06-us-india-s400#s03")
    text = str(g.value(s03, URIRef(DKG + "text")))
    assert text.startswith("The Trump administration has offered India Terminal High Altitude Area Defence (THAAD)")


# --- the card -----------------------------------------------------------------------------------------


def test_entity_page_is_an_analysts_card(server):
    status, headers, body = get(server, "/resource/India", BROWSER)
    assert status == 200 and media(headers) == "text/html"
    page = Page(body)
    assert page.scripts == 0                                       # works without JavaScript
    assert page.h1 == "India"
    text = page.all_text
    assert "state" in text                                          # its stated type, by label
    assert "http://www.wikidata.org/entity/Q668" in page.links     # the Wikidata link
    # a stated fact, in words, with its sentence and the quote marked, and the article's grade
    assert "India's 2018 contract for five S-400s from Russia — buyer — India" in text
    assert ("the five Russian S-400s that India is contracted to buy in a deal finalised and signed during "
            "President Vladimir Putin’s New Delhi visit in 2018") in page.marks
    assert "F6" in text                                            # the article: unconfirmed outlet
    # the same fact cited by AP (B2, para 1) and Bangladesh Post (C5)
    assert re.search(r"cited: India Has Signed A \$5 Billion Deal To Buy Russian S-400s \(para 1\).*B2", text)
    assert re.search(r"cited: India, Russia sign S-400 missile deal .*C5", text)
    # a derived fact, marked as such, with a "why"
    assert "India — risks sanctions under — CAATSA derived" in text
    why = [h for h in page.links if h.startswith("/explain?") and "risksSanctionsUnder" in h]
    assert why
    # the events it took part in, in order of time: Putin's visit (October 2018) before Pompeo's (June 2019)
    events = text[text.index("Events"):]
    assert events.index("Vladimir Putin's New Delhi visit, 2018") < events.index("Mike Pompeo's upcoming visit to India")
    # neighbours, as links on this host
    assert {"/resource/CAATSA", "/resource/LEMOA", "/resource/contract-india-russia-s400-2018"} <= set(page.links)


def test_why_link_opens_the_explanation(server):
    _, _, body = get(server, "/resource/India", BROWSER)
    href = next(h for h in Page(body).links if h.startswith("/explain?") and "risksSanctionsUnder" in h)
    status, headers, body = get(server, href.replace("&amp;", "&"), BROWSER)
    assert status == 200 and media(headers) == "text/html"
    text = Page(body).all_text
    # the chain India buyer-in the contract, whose system is the S-400, of Russian origin, which CAATSA targets
    for step in ("buyer", "system", "origin", "CAATSA"):
        assert step in text
    assert "prp-spo2" in text                                      # the property chain rule
    assert get(server, "/explain?s=dkgr:India&p=dkg:buyer&o=dkgr:Turkey", BROWSER)[0] == 404
    assert get(server, "/explain", BROWSER)[0] == 400


def test_source_page_shows_its_grade(server):
    status, _, body = get(server, "/resource/source/ap-2018-10-05-s400", BROWSER)
    assert status == 200
    text = Page(body).all_text
    assert "India Has Signed A $5 Billion Deal To Buy Russian S-400s" in text
    assert re.search(r"Source grade\s*B2", text)
    assert "Associated Press" in text


def test_card_is_the_same_on_both_backends(server, sources_build_dir, tmp_path_factory):
    """The page is read through the store protocol only: the same bytes from rdflib and Oxigraph."""
    other = "oxigraph" if "rdflib" in server.proc.args else "rdflib"
    peer = start_kg_serve(sources_build_dir, tmp_path_factory.mktemp("serve-peer"), "--backend", other)
    try:
        for path in ("/resource/India", "/resource/contract-india-russia-s400-2018"):
            assert get(server, path, BROWSER)[2] == get(peer, path, BROWSER)[2]
            # the description: the same triples (Oxigraph keeps integers by value: utils.normalise_term)
            mine, theirs = (parse(get(x, path, "text/turtle")[2], "text/turtle") for x in (server, peer))
            assert {tuple(map(normalise_term, t)) for t in mine} == {tuple(map(normalise_term, t)) for t in theirs}
            assert len(mine) == len(theirs)
    finally:
        peer.stop()


# --- the ontology ------------------------------------------------------------------------------------


def test_ontology_to_an_rdf_client_is_the_ontology_alone(server, sources_build_dir):
    status, headers, body = get(server, "/ontology", "text/turtle")
    assert status == 200 and vary_accept(headers)
    g = parse(body, "text/turtle")
    assert (URIRef(BASE + "ontology"), RDF.type, OWL.Ontology) in g
    assert (URIRef(DKG + "buyer"), RDF.type, OWL.ObjectProperty) in g
    assert (URIRef(DKG + "buyer"), RDFS.label, Literal("buyer", lang="en")) in g
    # no facts, no provenance: of the resources only the ontology's curators (its dcterms:creator)
    assert {s for s in g.subjects() if str(s).startswith(DKGR)} == {URIRef(DKGR + "defence-kg-curators")}
    assert (INDIA, None, None) not in g and (None, None, INDIA) not in g
    assert len(g) == quads_per_graph(sources_build_dir)[BASE + "graph/ontology"]


def test_ontology_to_a_browser_is_the_pylode_page_or_a_listing(server, sources_build_dir, tmp_path_factory):
    status, headers, body = get(server, "/ontology", BROWSER)
    assert status == 200 and vary_accept(headers)
    assert b"made by pyLODE" in body
    # without --docs: the listing, each term with its label and definition, anchored by local name
    bare = start_kg_serve(sources_build_dir, tmp_path_factory.mktemp("serve-bare"))
    try:
        status, _, body = get(bare, "/ontology", BROWSER)
    finally:
        bare.stop()
    assert status == 200
    assert b'id="buyer"' in body and b'id="ArmsContract"' in body
    assert "Object properties" in Page(body).all_text


def test_export_ontology_only(sources_build_dir):
    from conftest import run_kg

    proc = run_kg("export", "--build-dir", str(sources_build_dir), "--ontology-only", "--format", "nt")
    assert proc.returncode == 0, proc.stderr
    g = Graph().parse(data=proc.stdout, format="nt")
    assert (URIRef(DKG + "risksSanctionsUnder"), RDF.type, OWL.ObjectProperty) in g
    assert {s for s in g.subjects() if str(s).startswith(DKGR)} == {URIRef(DKGR + "defence-kg-curators")}
    assert len(g) == quads_per_graph(sources_build_dir)[BASE + "graph/ontology"]
    proc = run_kg("export", "--build-dir", str(sources_build_dir), "--ontology-only", "--asserted-only")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


# --- graphs, VoID, DCAT -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["asserted", "provenance", "inferred", "source/ap-2018-10-05-s400"])
def test_graph_iris_describe_the_graph(server, sources_build_dir, name):
    status, headers, body = get(server, f"/graph/{name}", "text/turtle")
    assert status == 200 and vary_accept(headers)
    g = parse(body, "text/turtle")
    iri = URIRef(BASE + "graph/" + name)
    assert (iri, VOID.triples, None) in g
    assert int(g.value(iri, VOID.triples)) == quads_per_graph(sources_build_dir)[str(iri)]
    if name.startswith("source/"):
        assert (iri, URIRef("http://purl.org/dc/terms/source"), URIRef(DKGR + name)) in g
    assert get(server, f"/graph/{name}", BROWSER)[0] == 200


def test_void(server, sources_build_dir):
    status, headers, body = get(server, "/.well-known/void", "text/turtle")
    assert status == 200 and vary_accept(headers)
    g = parse(body, "text/turtle")
    ds = URIRef(BASE + "dataset")
    assert (ds, RDF.type, VOID.Dataset) in g
    assert (ds, VOID.sparqlEndpoint, URIRef(server.url)) in g
    counts = quads_per_graph(sources_build_dir)
    subsets = set(g.objects(ds, VOID.subset))
    assert {str(s) for s in subsets} == set(counts)
    for s in subsets:
        assert int(g.value(s, VOID.triples)) == counts[str(s)]
    vocabularies = {str(v) for v in g.objects(ds, VOID.vocabulary)}
    assert {DKG, "http://www.w3.org/ns/prov#", "http://www.w3.org/ns/oa#", "http://www.w3.org/2004/02/skos/core#"} \
        <= vocabularies
    examples = list(g.objects(ds, VOID.exampleResource))
    assert examples
    for ex in examples:  # each example dereferences
        assert get(server, "/" + str(ex)[len(BASE):], "text/turtle")[0] == 200


@pytest.mark.parametrize("path", ["/.well-known/void", "/catalog"])
@pytest.mark.parametrize("accept,expected", [
    (None, "text/turtle"),                                          # no Accept: anything; the server's first
    ("*/*", "text/turtle"),
    (BROWSER, "text/html"),                                         # a browser gets the page
    ("text/html", "text/html"),
    ("application/xhtml+xml", "text/html"),
    ("text/html;q=0.5, text/turtle", "text/turtle"),
    ("text/turtle;q=0, text/html", "text/html"),
    ("application/ld+json;q=0.9, text/html;q=0.8", "application/ld+json"),
    ("image/png", None),
    ("text/html;q=0", None),
])
def test_void_and_catalogue_negotiate_as_every_resource_does(server, path, accept, expected):
    status, headers, body = get(server, path, accept)
    assert vary_accept(headers)
    if expected is None:
        assert status == 406, body
        assert b"text/turtle" in body and b"text/html" in body
        return
    assert status == 200 and media(headers) == expected
    fmt = {"text/turtle": "turtle", "text/html": "html", "application/ld+json": "jsonld"}[expected]
    assert headers["Content-Location"] == f"{path}?format={fmt}"
    h_status, h_headers, h_body = get(server, path, accept, method="HEAD")
    assert h_status == 200 and h_body == b"" and int(h_headers["Content-Length"]) == len(body)
    assert h_headers["Content-Type"] == headers["Content-Type"] and vary_accept(h_headers)


def test_void_to_a_browser_is_a_readable_page(server, sources_build_dir):
    status, headers, body = get(server, "/.well-known/void", BROWSER)
    assert status == 200 and media(headers) == "text/html"
    page = Page(body)
    assert page.scripts == 0
    assert page.h1 == "defence-kg: US–India–Russia defence relations"
    text = page.all_text
    # every graph, by name and link, with its triple count (counted here from the build's N-Quads)
    counts = quads_per_graph(sources_build_dir)
    rows = re.findall(r'<tr><td><a href="(/graph/[^"]+)">([^<]+)</a></td><td class="iri">([^<]+)</td>'
                      r'<td class="n">(\d+)</td></tr>', body.decode("utf-8"))
    assert {iri: int(n) for _, _, iri, n in rows} == dict(counts)
    assert ("/graph/asserted", "facts the articles state") in {(h, t) for h, t, _, _ in rows}
    assert ("/graph/source/ap-2018-10-05-s400", "facts cited source ap-2018-10-05-s400 states") \
        in {(h, t) for h, t, _, _ in rows}
    # the endpoint, the query page, the representations, the examples by label and link
    assert server.url in page.links and "/" in page.links
    assert "/.well-known/void?format=turtle" in page.links
    assert "/resource/contract-india-russia-s400-2018" in page.links
    assert "India's 2018 contract for five S-400s from Russia" in text
    assert "https://w3id.org/defence-kg/ontology#" in page.links   # a vocabulary it uses
    for href in [h for h in page.links if h.startswith("/resource/")]:  # each example dereferences
        assert get(server, href, BROWSER)[0] == 200


def test_catalogue_to_a_browser_is_a_readable_page(server):
    status, headers, body = get(server, "/catalog", BROWSER)
    assert status == 200 and media(headers) == "text/html"
    page = Page(body)
    assert page.scripts == 0
    text = page.all_text
    assert page.h1 == "defence-kg: US–India–Russia defence relations"
    # the distributions, each with its media type and a download on this host that answers
    for href, mime in [("/data/defence-kg.trig", "application/trig"), ("/data/defence-kg.nq", "application/n-quads"),
                       ("/data/defence-kg.ttl", "text/turtle"), ("/data/defence-kg.jsonld", "application/ld+json"),
                       ("/data/defence-kg.rdf", "application/rdf+xml"), ("/data/defence-kg.nt", "application/n-triples"),
                       ("/ontology?format=turtle", "text/turtle")]:
        assert href in page.links and mime in text, href
    assert "the ontology alone (kg export --ontology-only)" in text
    assert get(server, "/data/defence-kg.ttl", "text/turtle")[0] == 200
    assert server.url in page.links                                  # the SPARQL endpoint
    # the sources, by title and link, with their grades
    assert "/resource/source/ap-2018-10-05-s400" in page.links
    assert "/resource/article/2019-06-us-india-s400" in page.links
    assert re.search(r"India Has Signed A \$5 Billion Deal To Buy Russian S-400s\s*B2", text)
    assert "/.well-known/void" in page.links


def test_dcat_catalogue(server):
    status, headers, body = get(server, "/catalog", "text/turtle")
    assert status == 200 and vary_accept(headers)
    g = parse(body, "text/turtle")
    DCAT = "http://www.w3.org/ns/dcat#"
    ds = URIRef(BASE + "dataset")
    assert (URIRef(BASE + "catalog"), URIRef(DCAT + "dataset"), ds) in g
    sources = set(g.objects(ds, URIRef("http://purl.org/dc/terms/source")))
    assert URIRef(DKGR + "source/ap-2018-10-05-s400") in sources
    assert URIRef(DKGR + "article/2019-06-us-india-s400") in sources
    downloads = {}
    for dist in g.objects(ds, URIRef(DCAT + "distribution")):
        url = g.value(dist, URIRef(DCAT + "downloadURL"))
        if url is not None:
            downloads[str(url)] = str(g.value(dist, URIRef(DCAT + "mediaType"))).rsplit("/", 2)
    # every export format, and the ontology alone
    assert {u.rsplit("/", 1)[-1] for u in downloads} >= {"defence-kg.trig", "defence-kg.nq", "defence-kg.ttl",
                                                          "defence-kg.nt", "defence-kg.jsonld", "defence-kg.rdf",
                                                          "ontology?format=turtle"}
    for url, (_, major, minor) in downloads.items():
        parts = urlsplit(url)
        status, headers, body = get(server, parts.path + (f"?{parts.query}" if parts.query else ""))
        assert status == 200, url
        assert media(headers) == f"{major}/{minor}"
        assert body


def test_shapes_iri(server):
    status, headers, body = get(server, "/shapes", "text/turtle")
    assert status == 200 and vary_accept(headers)
    g = parse(body, "text/turtle")
    shape = URIRef(BASE + "shapes#ArmsContractShape")
    assert (shape, RDF.type, URIRef("http://www.w3.org/ns/shacl#NodeShape")) in g
    status, _, body = get(server, "/shapes", BROWSER)
    assert status == 200 and b'id="ArmsContractShape"' in body
    assert "an arms contract needs a time (dkg:statedTime as stated, or dkg:inferredTime)" in Page(body).all_text


@pytest.mark.parametrize("path", ['/resource/a"b', "/resource/a\\b", "/vocab/x^y"])
def test_a_path_no_iri_may_hold_is_a_400_and_the_server_stays_up(server, path):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", server.extra["port"], timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": "text/html"})  # sent as is, unquoted
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 400, body
    assert vary_accept(resp.headers)
    assert get(server, "/resource/India", "text/turtle")[0] == 200
