"""`kg serve` under attack and under faults (issue 10, the serving part), on both backends:
runaway queries and clients that hang up, a bounded queue, request smuggling by body framing,
requests that trickle in, every SPARQL Update form, and the service description's address."""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import quote, urlencode

import pytest
from rdflib import Graph, URIRef
from servers import HOST, start_kg_serve
from utils import http

pytestmark = pytest.mark.hostile

BACKENDS = ["rdflib", "oxigraph"]
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } #"


def ask(server, text: str, timeout: float = 30):
    return http("GET", f"{server.url}?{urlencode({'query': text})}", headers={"Accept": "application/sparql-results+json"},
                timeout=timeout)


def runaway(server, tag: str) -> socket.socket:
    """A client that sends a query that never finishes and keeps its connection open (close it to hang up)."""
    sock = socket.create_connection((HOST, server.extra["port"]), timeout=30)
    sock.sendall(f"GET /sparql?query={quote(RUNAWAY + tag)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return sock


def status(server) -> dict:
    return json.loads(http("GET", server.extra["base"] + "/status")[2])


def wait_idle(server, seconds: float) -> float:
    """Seconds until no worker is busy and nobody waits (fails past *seconds*)."""
    t0 = time.monotonic()
    while True:
        s = status(server)
        if s["busy"] == 0 and s["queued"] == 0:
            return time.monotonic() - t0
        assert time.monotonic() - t0 < seconds, s
        time.sleep(0.05)


def exchange(port: int, data: bytes, timeout: float = 10) -> tuple[bytes, float]:
    """Send *data* on a fresh connection (without half-closing it); everything the server sends
    until it closes, and the seconds that took."""
    t0 = time.monotonic()
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks), time.monotonic() - t0


@pytest.fixture(scope="module", params=BACKENDS)
def two_workers(build_dir, tmp_path_factory, request):
    s = start_kg_serve(build_dir, tmp_path_factory.mktemp("serve-fair"), "--workers", "2", "--timeout", "30",
                       "--request-timeout", "2", "--backend", request.param)
    yield s
    s.stop()


# --- 1. a few slow queries starve everyone ----------------------------------------------------------


def test_simple_query_answers_while_more_runaways_than_workers_run(two_workers):
    """The defect: with 4 workers, five runaway queries held a simple query for 8.5 s."""
    socks = [runaway(two_workers, f"starve{i}") for i in range(3)]  # N + 1 runaways, N = 2
    try:
        time.sleep(1.5)
        assert status(two_workers)["busy"] >= 1
        for i in range(3):
            t0 = time.monotonic()
            code, _, body = ask(two_workers, "ASK {}" if i == 0 else f"ASK {{ FILTER({i} > 0) }}", timeout=10)
            took = time.monotonic() - t0
            assert code == 200 and json.loads(body)["boolean"] is True
            assert took < 1.0, f"a simple query took {took:.2f} s while 3 runaways ran on 2 workers"
    finally:
        for s in socks:
            s.close()
    wait_idle(two_workers, 3)


def test_runaways_whose_clients_hung_up_are_stopped_at_once(two_workers):
    """The defect: four runaways whose clients had already hung up held a simple query for 8.5 s."""
    socks = [runaway(two_workers, f"gone{i}") for i in range(4)]
    time.sleep(1.0)
    s = status(two_workers)
    assert s["busy"] + s["queued"] >= 2, s
    for sock in socks:
        sock.close()
    assert wait_idle(two_workers, 3) < 1.5
    # every worker is free again: two queries at once, each answered at once
    results = []

    def one(i):
        t0 = time.monotonic()
        code = ask(two_workers, f"ASK {{ ?s ?p ?o FILTER(?o != {i}) }}", timeout=10)[0]
        results.append((code, time.monotonic() - t0))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert [c for c, _ in results] == [200, 200] and max(s for _, s in results) < 2, results
    time.sleep(0.2)
    assert two_workers.log.read_text().count(" 499 ") >= 4


@pytest.mark.parametrize("backend", BACKENDS)
def test_timeout_counts_execution_not_the_wait_in_the_queue(build_dir, tmp_path, backend):
    """The defect: the timeout also counted the wait for a worker, so short queries got 503 under load."""
    s = start_kg_serve(build_dir, tmp_path, "--workers", "1", "--timeout", "3", "--queue-timeout", "30",
                       "--backend", backend)
    try:
        socks = [runaway(s, "queue1")]
        time.sleep(0.3)
        socks.append(runaway(s, "queue2"))  # queued behind the first: together they hold the worker 6 s
        time.sleep(0.3)
        t0 = time.monotonic()
        code, _, body = ask(s, "ASK { ?s ?p ?o }", timeout=30)
        waited = time.monotonic() - t0
        assert code == 200, body
        assert waited > 4, "the runaways should have held the only worker until their timeouts"
        for sock in socks:
            reply = sock.recv(65536)
            assert reply.startswith(b"HTTP/1.1 503") and b"timed out after 3 s" in reply
        for sock in socks:
            sock.close()
    finally:
        s.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_queue_is_bounded_and_busy_answers_say_when_to_retry(build_dir, tmp_path, backend):
    s = start_kg_serve(build_dir, tmp_path, "--workers", "1", "--timeout", "30", "--queue-timeout", "1",
                       "--max-queue", "1", "--backend", backend)
    try:
        sock = runaway(s, "bound")
        time.sleep(0.5)
        waiting = {}

        def queued():
            t0 = time.monotonic()
            waiting["reply"] = ask(s, "ASK { ?s ?p ?o }", timeout=10)
            waiting["seconds"] = time.monotonic() - t0

        t = threading.Thread(target=queued)
        t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        code, headers, body = ask(s, "ASK { ?s ?p ?x }", timeout=10)  # the queue is full
        assert code == 503 and headers["Retry-After"].isdigit() and b"already waiting" in body
        assert time.monotonic() - t0 < 0.5
        t.join(10)
        code, headers, body = waiting["reply"]
        assert code == 503 and headers["Retry-After"].isdigit() and b"within 1 s" in body
        assert 0.8 < waiting["seconds"] < 3
        sock.close()
        wait_idle(s, 3)
        assert ask(s, "ASK { ?s ?p ?o }")[0] == 200
    finally:
        s.stop()


# --- 3. request smuggling and slow requests ---------------------------------------------------------

SMUGGLED = b"GET /queries HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.mark.parametrize("framing", [
    b"Content-Length: 5\r\nContent-Length: 41\r\n",          # conflicting duplicates: the first won
    b"Content-Length: 5\r\nContent-Length: 5\r\n",           # identical duplicates
    b"Content-Length: 5, 41\r\n",                            # a list of differing values
    b"Content-Length: 5, 5\r\n",                             # a list
    b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",  # both
    b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
    b"Content-Length: +5\r\n",                               # not plain digits
])
def test_conflicting_content_length_is_rejected_not_smuggled(two_workers, framing):
    """The defect: duplicate, conflicting Content-Length headers were accepted and the first won;
    the bytes after it ran as a second request."""
    request = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n" + framing
               + b"\r\nASK{}" + SMUGGLED)
    reply, _ = exchange(two_workers.extra["port"], request)
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert reply.count(b"HTTP/1.1 ") == 1, "a second, smuggled request was answered"


def test_unread_body_of_a_get_is_not_run_as_a_second_request(two_workers):
    body = SMUGGLED
    request = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    reply, _ = exchange(two_workers.extra["port"], request)
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
    assert reply.count(b"HTTP/1.1 ") == 1, "the body of a GET was run as a request"


def test_body_trickling_in_is_cut_at_the_request_deadline(two_workers):
    """The defect: a body that trickled in at one byte a second was held open for 65 s."""
    port = two_workers.extra["port"]
    t0 = time.monotonic()
    with socket.create_connection((HOST, port), timeout=15) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                     b"Content-Length: 40\r\n\r\n")
        reply = b""
        try:
            for byte in b"ASK { ?s ?p ?o }" * 3:
                sock.sendall(bytes([byte]))
                time.sleep(0.25)
                sock.setblocking(False)
                try:
                    reply += sock.recv(65536)
                except BlockingIOError:
                    pass
                finally:
                    sock.setblocking(True)
                if reply:
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.settimeout(5)
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    took = time.monotonic() - t0
    assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
    assert took < 5, f"the connection was held {took:.1f} s (--request-timeout 2)"


def test_headers_trickling_in_are_cut_at_the_request_deadline(two_workers):
    port = two_workers.extra["port"]
    t0 = time.monotonic()
    closed = False
    with socket.create_connection((HOST, port), timeout=15) as sock:
        try:
            sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\n")
            for i in range(40):
                sock.sendall(b"X-%d: y\r\n" % i)
                time.sleep(0.25)
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        if not closed:
            sock.settimeout(5)
            try:
                data = sock.recv(65536)
                closed = data == b"" or data.startswith(b"HTTP/1.1 408")
            except ConnectionResetError:
                closed = True
    took = time.monotonic() - t0
    assert closed and took < 6, took


# --- 4. every SPARQL Update form ------------------------------------------------------------------

EX = "http://example.org/"
G1, G2, G3 = f"{EX}g1", f"{EX}g2", f"{EX}g3"
BUILT = "https://w3id.org/defence-kg/graph/asserted"
COUNT_BUILT = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{BUILT}> {{ ?s ?p ?o }} }}"


@pytest.fixture(scope="module")
def writable(build_dir, tmp_path_factory):
    s = start_kg_serve(build_dir, tmp_path_factory.mktemp("serve-rw"), "--allow-update", "--backend", "rdflib",
                       env={"KG_SERVE_TOKEN": "t0ken"})
    yield s
    s.stop()


def update(server, text: str):
    return http("POST", server.url, text.encode(), {"Content-Type": "application/sparql-update",
                                                    "Authorization": "Bearer t0ken"})


def asked(server, text: str) -> bool:
    code, _, body = ask(server, text)
    assert code == 200, body
    return json.loads(body)["boolean"]


UPDATE_FORMS = [
    # (name, update, ASK that must be true after it, ASK that must be false after it)
    ("insert-data-default", f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}", f"ASK {{ <{EX}a> <{EX}p> 1 }}", None),
    ("insert-data-graph", f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}b> <{EX}p> 2 }} }}",
     f"ASK {{ GRAPH <{G1}> {{ <{EX}b> <{EX}p> 2 }} }}", None),
    ("delete-data-default", f"DELETE DATA {{ <{EX}a> <{EX}p> 1 }}", None, f"ASK {{ <{EX}a> <{EX}p> 1 }}"),
    ("delete-data-graph", f"DELETE DATA {{ GRAPH <{G1}> {{ <{EX}b> <{EX}p> 2 }} }}", None,
     f"ASK {{ GRAPH <{G1}> {{ <{EX}b> <{EX}p> 2 }} }}"),
    ("delete-insert-where", (f"INSERT DATA {{ <{EX}c> <{EX}p> 3 }} ; "
                             f"DELETE {{ ?s <{EX}p> 3 }} INSERT {{ ?s <{EX}p> 4 }} WHERE {{ ?s <{EX}p> 3 }}"),
     f"ASK {{ <{EX}c> <{EX}p> 4 }}", f"ASK {{ <{EX}c> <{EX}p> 3 }}"),
    ("delete-where", f"DELETE WHERE {{ <{EX}c> <{EX}p> ?o }}", None, f"ASK {{ <{EX}c> <{EX}p> ?o }}"),
    ("with", (f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}d> <{EX}p> 5 }} }} ; "
              f"WITH <{G1}> DELETE {{ ?s <{EX}p> 5 }} INSERT {{ ?s <{EX}p> 6 }} WHERE {{ ?s <{EX}p> 5 }}"),
     f"ASK {{ GRAPH <{G1}> {{ <{EX}d> <{EX}p> 6 }} }}", f"ASK {{ GRAPH ?g {{ <{EX}d> <{EX}p> 5 }} }}"),
    ("create", f"CREATE GRAPH <{G2}>", None, f"ASK {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}"),
    ("add", f"ADD <{G1}> TO <{G2}>", f"ASK {{ GRAPH <{G2}> {{ <{EX}d> <{EX}p> 6 }} }}", None),
    ("copy", f"COPY <{G2}> TO <{G3}>", f"ASK {{ GRAPH <{G3}> {{ <{EX}d> <{EX}p> 6 }} }}", None),
    ("move", f"INSERT DATA {{ <{EX}e> <{EX}p> 7 }} ; MOVE DEFAULT TO <{G3}>",
     f"ASK {{ GRAPH <{G3}> {{ <{EX}e> <{EX}p> 7 }} }}", f"ASK {{ GRAPH <{G3}> {{ <{EX}d> <{EX}p> 6 }} }}"),
    ("copy-to-default", f"COPY <{G3}> TO DEFAULT", f"ASK {{ <{EX}e> <{EX}p> 7 }}", None),
    ("clear-default", f"DELETE DATA {{ GRAPH <{G3}> {{ <{EX}e> <{EX}p> 7 }} }} ; CLEAR DEFAULT", None,
     f"ASK {{ <{EX}e> <{EX}p> 7 }}"),
    ("clear-graph", f"CLEAR GRAPH <{G1}>", None, f"ASK {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}"),
    ("drop-graph", f"DROP GRAPH <{G2}>", None, f"ASK {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}"),
    ("drop-default", f"INSERT DATA {{ <{EX}f> <{EX}p> 8 }} ; DROP DEFAULT", None, f"ASK {{ <{EX}f> <{EX}p> 8 }}"),
]


def test_every_update_form_works_including_the_default_graph(writable):
    """The defect: INSERT DATA into the default graph failed with a valid token (400 "ValueError:
    not enough values to unpack"). Each form runs in order, its effect checked by a query."""
    def built() -> int:
        code, _, body = ask(writable, COUNT_BUILT)
        assert code == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    before = built()
    assert before > 0
    for name, text, true_after, false_after in UPDATE_FORMS:
        code, _, body = update(writable, text)
        assert code == 204, (name, body)
        if true_after:
            assert asked(writable, true_after), name
        if false_after:
            assert not asked(writable, false_after), name
        assert built() == before, f"{name} touched the built graphs"
    code, _, body = update(writable, f"CREATE GRAPH <{BUILT}>")  # it has triples
    assert code == 400 and b"already exists" in body
    assert update(writable, f"CREATE SILENT GRAPH <{BUILT}>")[0] == 204
    for refused in (f"LOAD <{EX}x>", f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{EX}x> {{ ?s ?p ?o }} }}"):
        assert update(writable, refused)[0] == 403


def test_a_failed_update_leaves_no_trace(writable):
    code, _, _ = update(writable, f"INSERT DATA {{ <{EX}half> <{EX}p> 1 }} ; CREATE GRAPH <{BUILT}>")
    assert code == 400
    for _ in range(4):  # whichever worker answers
        assert not asked(writable, f"ASK {{ <{EX}half> ?p ?o }}")


# --- the service description --------------------------------------------------------------------


def test_service_description_names_the_bound_address_not_the_host_header(two_workers):
    """The defect: the service description echoed the request's Host header."""
    code, _, body = http("GET", two_workers.url, headers={"Accept": "text/turtle", "Host": "attacker.example:1234"})
    assert code == 200 and b"attacker.example" not in body
    sd = Graph().parse(data=body, format="turtle")
    assert URIRef(two_workers.url) in set(sd.subjects())
