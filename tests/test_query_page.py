"""The query page's server side, over HTTP on a running `kg serve`: YASGUI is served from the
package with its licence and nothing from elsewhere; /prefixes gives our namespaces; /labels is
the one label lookup for result tables, bounded and checked; CONSTRUCT results use our prefixes."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from servers import start_kg_serve
from utils import http

from kg.core.iris import PREFIXES, RESOURCE
from kg.serve.routes import MAX_LABELS, STATIC_DIR

pytestmark = pytest.mark.servers


@pytest.fixture(scope="module")
def server(sources_build_dir, tmp_path_factory):
    s = start_kg_serve(sources_build_dir, tmp_path_factory.mktemp("serve-query-page"), "--timeout", "60")
    yield s
    s.stop()


def get(server, path, accept=None):
    return http("GET", server.extra["base"] + path, headers={"Accept": accept} if accept else {})


def test_the_page_is_yasgui_served_from_the_package(server):
    status, headers, body = get(server, "/", "text/html")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    refs = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert "/static/yasgui/yasgui.min.js" in refs and "/static/yasgui/yasgui.min.css" in refs
    assert [r for r in refs if "//" in r] == []  # no CDN
    for ref in ("/static/yasgui/yasgui.min.js", "/static/yasgui/yasgui.min.css", "/static/query.js"):
        status, headers, body = get(server, ref)
        assert status == 200 and len(body) > 1000, ref
    version = (STATIC_DIR / "yasgui" / "VERSION").read_text().split()
    licence = (STATIC_DIR / "yasgui" / "LICENSE").read_text()
    script = (STATIC_DIR.parent.parent.parent / "scripts" / "vendor-yasgui.sh").read_text()
    assert version[0] == "@zazuko/yasgui" and f"VERSION={version[1]}" in script
    assert "MIT License" in licence and version[1] in licence


def test_prefixes_are_ours(server):
    status, _, body = get(server, "/prefixes")
    assert status == 200 and json.loads(body) == PREFIXES


def test_labels_come_from_the_label_lookup(server):
    iris = [RESOURCE + "India", RESOURCE + "S-400", "http://example.org/nothing"]
    status, headers, body = get(server, "/labels?" + urlencode([("iri", i) for i in iris]))
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    assert json.loads(body) == {RESOURCE + "India": "India", RESOURCE + "S-400": "S-400"}


@pytest.mark.parametrize("query", ["", "iri=not%20an%20iri", "iri=http://x/%3E%20.", "&".join(
    f"iri=http://example.org/{i}" for i in range(MAX_LABELS + 1))])
def test_labels_refuses_what_it_cannot_look_up(server, query):
    status, _, body = get(server, "/labels?" + query)
    assert status == 400 and body.startswith(b"kg serve:")
    assert get(server, "/labels?iri=" + RESOURCE + "India")[0] == 200


@pytest.mark.parametrize("accept,declares,uses", [("text/turtle", "@prefix dkg: <", " dkg:buyer dkgr:India"),
                                                  ("application/rdf+xml", 'xmlns:dkg="', "<dkg:buyer ")])
def test_construct_results_use_our_prefixes(server, accept, declares, uses):
    query = ("PREFIX dkg: <https://w3id.org/defence-kg/ontology#>\n"
             "CONSTRUCT { ?deal dkg:buyer ?buyer } WHERE { ?deal dkg:buyer ?buyer }")
    status, _, body = http("POST", server.extra["base"] + "/sparql", body=query.encode(),
                           headers={"Content-Type": "application/sparql-query", "Accept": accept})
    text = body.decode("utf-8")
    assert status == 200 and declares in text and uses in text
    assert "ns1" not in text
