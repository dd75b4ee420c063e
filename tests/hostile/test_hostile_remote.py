"""Remote stores under faults: credentials are never sent in the clear before a store asks for
them, push's count check survives a store that keeps numbers by value, and a push killed
part-way through is put right by the next one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from conftest import ROOT, run_kg
from rdflib import Dataset, Literal, URIRef
from servers import HOST, start_oxigraph
from utils import assert_store_equals_local, store_graph_names

from kg.core.iris import GRAPH_ASSERTED
from kg.core.iris import GRAPH_UNION
from kg.core.namespace import GRAPHS
from kg.remote.client import Auth, endpoints_for, push

pytestmark = pytest.mark.hostile

XSD = "http://www.w3.org/2001/XMLSchema#"

#: no KG_REMOTE_* setting of the caller's environment may change what is sent
CLEAN_ENV = {"KG_REMOTE_AUTH": "", "KG_REMOTE_USER": "", "KG_REMOTE_PASSWORD": "", "KG_REMOTE_TOKEN": ""}


class DigestAsker:
    """A loopback HTTP server that records each request's Authorization header and answers every
    request with 401 and a Digest challenge (it never lets anyone in)."""

    def __init__(self):
        self.seen: list[tuple[str, str, str | None]] = []  # (method, path, Authorization)
        asker = self

        class Handler(BaseHTTPRequestHandler):
            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                asker.seen.append((self.command, self.path, self.headers.get("Authorization")))
                body = b"who are you?"
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Digest realm="kg", qop="auth", algorithm=MD5, '
                                                     'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c"')
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = handle_one

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def headers(self) -> list[str | None]:
        return [auth for _, _, auth in self.seen]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def asker():
    a = DigestAsker()
    yield a
    a.close()


def command(kind: str, asker: DigestAsker, build_dir) -> list[str]:
    endpoint = f"{asker.base}/query"  # an Oxigraph layout: push PUTs to /store
    if kind == "query":
        return ["query", "--sparql", "ASK { ?s ?p ?o }", "--endpoint", endpoint]
    return ["push", "--endpoint", endpoint, "--build-dir", str(build_dir)]


@pytest.mark.parametrize("kind", ["query", "push"])
def test_auto_auth_never_sends_the_password_as_basic_even_to_a_digest_store(asker, build_dir, kind):
    """`--auth auto` (the default) waits for the challenge: the first request carries no
    credentials, the answer is Digest as the store asks, and Basic (the password in the clear) never goes."""
    proc = run_kg(*command(kind, asker, build_dir), "--user", "mufasa", "--password", "Circle of Life", env=CLEAN_ENV)
    assert proc.returncode == 2 and "refused the credentials" in proc.stderr and "Traceback" not in proc.stderr
    headers = asker.headers()
    assert headers[0] is None, headers  # the first request waits for the challenge
    assert len(headers) == 2 and headers[1].startswith("Digest "), headers  # answered once, with Digest
    assert 'username="mufasa"' in headers[1] and "Circle of Life" not in headers[1]
    assert not any(h and h.startswith("Basic") for h in headers)


@pytest.mark.parametrize("kind", ["query", "push"])
def test_explicit_basic_is_sent_up_front(asker, build_dir, kind):
    """The contrast: `--auth basic` does send Basic on the first request (so the recorder sees headers)."""
    proc = run_kg(*command(kind, asker, build_dir), "--user", "mufasa", "--password", "Circle of Life",
                  "--auth", "basic", env=CLEAN_ENV)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert asker.headers()[0].startswith("Basic ")


# --- push's count check, by value ------------------------------------------------------------------


def narrowed_dataset() -> Dataset:
    """An asserted graph of 4 triples that a store keeping integers by value holds as 2."""
    ds = Dataset()
    g = ds.graph(URIRef(GRAPH_ASSERTED))
    s, p, q = URIRef("http://example.org/s"), URIRef("http://example.org/p"), URIRef("http://example.org/q")
    g.add((s, p, Literal("5", datatype=URIRef(XSD + "positiveInteger"))))
    g.add((s, p, Literal("5", datatype=URIRef(XSD + "integer"))))
    g.add((s, p, Literal("5", datatype=URIRef(XSD + "int"))))
    g.add((s, q, Literal("five")))
    return ds


def test_push_count_check_sees_oxigraphs_integer_narrowing(tmp_path):
    """The defect: Oxigraph keeps "5"^^xsd:positiveInteger and "5"^^xsd:int as "5"^^xsd:integer,
    so it held fewer triples than the build and push reported an incomplete push."""
    server = start_oxigraph(tmp_path / "oxigraph")
    try:
        report = push(narrowed_dataset(), endpoints_for(server.url), Auth(), [URIRef(GRAPH_ASSERTED)], timeout=30)
    finally:
        server.stop()
    rep, union = report.graphs  # the graph asked for, and the union push writes after it
    assert (rep.triples, rep.remote, rep.by_value) == (4, 2, 2)
    assert (union.graph, union.triples, union.remote, union.by_value) == (GRAPH_UNION, 4, 2, 2)
    text = report.summary()
    assert "store holds 2 (by value: 2 triple(s) differ only in a value's datatype" in text
    assert text.endswith("counts match (compared by value)")


def test_count_by_value_and_a_real_loss_still_fails():
    from kg.remote.client import GraphReport, count_by_value

    assert count_by_value(narrowed_dataset().graph(URIRef(GRAPH_ASSERTED))) == 2
    lost = GraphReport(GRAPH_ASSERTED, 4, "PUT", 0.0, remote=1, by_value=2)
    assert not lost.matches
    assert GraphReport(GRAPH_ASSERTED, 4, "PUT", 0.0, remote=4, by_value=2).matches


# --- a push killed part-way through ------------------------------------------------------------------


@pytest.fixture(scope="module")
def local(build_dir):
    from kg.pipeline.build import load_built

    return load_built(build_dir)


@pytest.mark.servers
def test_interrupted_push_then_rerun_leaves_exactly_the_local_graph(local, build_dir, tmp_path):
    """A push by SPARQL Update killed (SIGKILL) while a graph is half sent leaves its staging graph
    behind; the next push, by PUT and by Update, leaves exactly the built graphs, and someone else's graph stays."""
    server = start_oxigraph(tmp_path / "ox")
    try:
        # a store that already holds a stale version of one graph, and someone else's graph
        stale = b'<http://example.org/stale> <http://example.org/p> "old" .\n'
        for graph in (str(GRAPHS[1]), "http://example.org/other"):
            req = urllib.request.Request(f"http://{HOST}:{server.url.split(':')[2].split('/')[0]}/store?"
                                         + urlencode({"graph": graph}), data=stale, method="PUT",
                                         headers={"Content-Type": "application/n-triples"})
            urllib.request.urlopen(req, timeout=30).read()
        # a push by SPARQL Update in small batches, killed part-way through
        proc = subprocess.Popen([sys.executable, "-m", "kg", "push", "--endpoint", server.url, "--build-dir",
                                 str(build_dir), "--no-graph-store", "--batch-size", "5"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("kg-push-incoming" in g for g in store_graph_names(server)):
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        names = store_graph_names(server)
        assert any("kg-push-incoming" in g for g in names), names  # really interrupted mid-graph
        # run it again: the store ends with exactly the local graphs (and the other graph untouched)
        again = run_kg("push", "--endpoint", server.url, "--build-dir", str(build_dir))
        assert again.returncode == 0, again.stderr
        assert_store_equals_local(server, local)
        built = {str(g.identifier) for g in local.graphs() if len(g)}  # the four graphs and any cited source's
        assert {str(g) for g in GRAPHS} <= built
        assert store_graph_names(server) == built | {GRAPH_UNION, "http://example.org/other"}
        # and once more by SPARQL Update only
        again = run_kg("push", "--endpoint", server.url, "--build-dir", str(build_dir), "--no-graph-store")
        assert again.returncode == 0, again.stderr
        assert_store_equals_local(server, local)
    finally:
        server.stop()
