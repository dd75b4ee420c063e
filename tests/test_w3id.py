"""The w3id redirect rules (docs/w3id/.htaccess), exercised: the file's RewriteCond / RewriteRule lines
are read and applied here as mod_rewrite applies them in a directory (the directory's prefix
``defence-kg/`` taken off the path), each public IRI's redirect is checked against the target
written by hand, and the target is then fetched from a running `kg serve` (both backends), with
each Accept, to check that the host gives the representation asked for."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from servers import start_kg_serve
from utils import http

pytestmark = pytest.mark.servers

HTACCESS = Path(__file__).resolve().parent.parent / "docs" / "w3id" / ".htaccess"
PUBLIC = "https://w3id.org/defence-kg/"
HOST = "https://defence-kg.example.org"


@dataclass
class Rule:
    pattern: str
    target: str
    flags: dict
    conds: list = field(default_factory=list)  #: (variable, pattern, flags)


def read_rules(path: Path) -> list[Rule]:
    rules, conds = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line, posix=False)
        if words[0] == "RewriteCond":
            conds.append((words[1], words[2], _flags(words[3] if len(words) > 3 else "")))
        elif words[0] == "RewriteRule":
            rules.append(Rule(words[1], words[2], _flags(words[3] if len(words) > 3 else ""), conds))
            conds = []
    return rules


def _flags(text: str) -> dict:
    out = {}
    for flag in text.strip("[]").split(","):
        if flag:
            name, _, value = flag.partition("=")
            out[name.strip().upper()] = value.strip()
    return out


def apply(rules: list[Rule], iri: str, accept: str | None) -> tuple[int, str | None]:
    """(status, Location) for a GET of *iri* with *accept*, as mod_rewrite in the directory does."""
    parts = urlsplit(iri)
    assert parts.path.startswith("/defence-kg/")
    path = parts.path[len("/defence-kg/"):]
    env = {"HTTP_ACCEPT": accept or "", "QUERY_STRING": parts.query, "REQUEST_URI": parts.path}
    for rule in rules:
        m = re.search(rule.pattern, path)
        if not m:
            continue
        cond_match = None
        ok = True
        for var, pattern, flags in rule.conds:
            value = re.sub(r"%\{(\w+)\}", lambda v: env.get(v.group(1), ""), var)
            negate = pattern.startswith("!")
            found = re.search(pattern[1:] if negate else pattern, value, re.I if "NC" in flags else 0)
            if bool(found) == negate:
                ok = False
                break
            cond_match = found
        if not ok:
            continue
        status = int(rule.flags.get("R") or 302) if "R" in rule.flags else 200
        if rule.target == "-":
            return status, None
        target = re.sub(r"\$(\d)", lambda g: m.group(int(g.group(1))) or "", rule.target)
        if cond_match is not None:
            target = re.sub(r"%(\d)", lambda g: cond_match.group(int(g.group(1))) or "", target)
        if parts.query and "?" not in target:
            target += "?" + parts.query  # mod_rewrite passes the query string on unless the target has one
        return status, target
    return 200, None


RULES = read_rules(HTACCESS)

#: public IRI -> (status, Location), by hand
#: paths the rules send to the same path on the host, by hand
SAME_PATH = ["resource/India", "resource/source/ap-2018-10-05-s400", "ontology", "graph/asserted",
             "graph/source/ap-2018-10-05-s400", "vocab/reliability-B", "shapes"]
EXPECTED = {
    **{PUBLIC + path: (303, f"{HOST}/{path}") for path in SAME_PATH},
    PUBLIC: (303, f"{HOST}/"),
    # hash IRIs: the fragment stays with the client, the document is requested
    PUBLIC + "resource/article/2019-06-us-india-s400#s03": (303, f"{HOST}/resource/article/2019-06-us-india-s400"),
    PUBLIC + "ontology#buyer": (303, f"{HOST}/ontology"),
    PUBLIC + "void": (303, f"{HOST}/.well-known/void"),
    PUBLIC + "dataset": (303, f"{HOST}/catalog"),
    PUBLIC + "catalog": (303, f"{HOST}/catalog"),
    PUBLIC + "sparql?query=ASK%7B%7D": (307, f"{HOST}/sparql?query=ASK%7B%7D"),
    PUBLIC + "no-such-thing": (404, None),
    PUBLIC + "resource": (404, None),
}
ACCEPTS = [None, "*/*", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/turtle",
           "application/ld+json", "application/n-triples", "application/rdf+xml",
           "application/rdf+xml, text/html;q=0.1"]


def test_the_file_has_rules():
    assert len(RULES) >= 8
    assert all(r.flags.get("L") is not None for r in RULES)  # every rule ends the round


@pytest.mark.parametrize("iri", sorted(EXPECTED))
@pytest.mark.parametrize("accept", ACCEPTS)
def test_each_public_iri_redirects_to_its_host_path(iri, accept):
    fragmentless = iri.split("#", 1)[0]  # a client never sends the fragment
    assert apply(RULES, fragmentless, accept) == EXPECTED[iri]


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def host(sources_build_dir, tmp_path_factory, request):
    s = start_kg_serve(sources_build_dir, tmp_path_factory.mktemp("serve-w3id"), "--backend", request.param)
    yield s
    s.stop()


#: Accept -> the media type the host must answer a resource with, by hand (RFC 9110)
HOST_ANSWERS = {
    None: "text/turtle", "*/*": "text/turtle",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": "text/html",
    "text/turtle": "text/turtle", "application/ld+json": "application/ld+json",
    "application/n-triples": "application/n-triples", "application/rdf+xml": "application/rdf+xml",
    "application/rdf+xml, text/html;q=0.1": "application/rdf+xml",  # RDF, not the page (the w3id mistake)
}


@pytest.mark.parametrize("iri", [PUBLIC + "resource/India", PUBLIC + "ontology", PUBLIC + "graph/asserted",
                                 PUBLIC + "resource/article/2019-06-us-india-s400#s03", PUBLIC + "vocab/reliability-B",
                                 PUBLIC + "shapes"])
def test_following_the_redirect_gives_what_the_client_asked_for(host, iri):
    for accept, expected in HOST_ANSWERS.items():
        status, location = apply(RULES, iri.split("#", 1)[0], accept)
        assert status == 303
        local = host.extra["base"] + location[len(HOST):]
        got, headers, body = http("GET", local, headers={"Accept": accept} if accept else {})
        assert got == 200, (iri, accept, body)
        assert headers["Content-Type"].split(";")[0] == expected, (iri, accept)
        assert "Accept" in headers["Vary"]
    for target in ("/.well-known/void", "/catalog"):
        status, location = apply(RULES, PUBLIC + ("void" if "void" in target else "catalog"), "text/turtle")
        assert location == HOST + target
        assert http("GET", host.extra["base"] + target, headers={"Accept": "text/turtle"})[0] == 200
