"""`kg serve` under attack and under faults (issue 10, the serving part), on both backends:
runaway queries and clients that hang up, a bounded queue, request smuggling by body framing,
requests that trickle in, every SPARQL Update form, the service description's address, header
floods and slow clients, garbage, oversized and truncated bodies, and path traversal."""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import quote, urlencode

import pytest
from conftest import ROOT
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


def wait_for(server, busy: int, queued: int, seconds: float = 10) -> None:
    """Wait until *busy* workers run and *queued* requests wait (fails past *seconds*): a test that
    needs a request running or queued waits for the server to say so, not for a guessed sleep."""
    t0 = time.monotonic()
    while True:
        s = status(server)
        if s["busy"] == busy and s["queued"] == queued:
            return
        assert time.monotonic() - t0 < seconds, s
        time.sleep(0.02)


def wait_idle(server, seconds: float) -> float:
    """Seconds until no worker is busy and nobody waits (fails past *seconds*)."""
    t0 = time.monotonic()
    while True:
        s = status(server)
        if s["busy"] == 0 and s["queued"] == 0:
            return time.monotonic() - t0
        assert time.monotonic() - t0 < seconds, s
        time.sleep(0.05)


def exchange(port: int, data: bytes, timeout: float = 10, half_close: bool = False) -> tuple[bytes, float]:
    """Send *data* on a fresh connection (half-closing it after if *half_close*); everything the
    server sends until it closes (or *timeout* passes), and the seconds that took. A server that
    answers before it has read everything may cut the sending short: the answer is read all the same."""
    t0 = time.monotonic()
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
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
        started = time.monotonic()
        socks = [runaway(s, "queue1")]
        wait_for(s, busy=1, queued=0)
        socks.append(runaway(s, "queue2"))  # queued behind the first: together they hold the worker 6 s
        wait_for(s, busy=1, queued=1)
        code, _, body = ask(s, "ASK { ?s ?p ?o }", timeout=30)
        # 200, not 503: the ASK waited about 6 s for the worker, and only its own execution counts
        assert code == 200, body
        # it ran after both runaways had used their 3 s each (measured from before the first was sent,
        # so a slow machine cannot make this shorter)
        assert time.monotonic() - started >= 6, "the runaways should have held the only worker until their timeouts"
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
        wait_for(s, busy=1, queued=0)
        waiting = {}

        def queued():
            t0 = time.monotonic()
            waiting["reply"] = ask(s, "ASK { ?s ?p ?o }", timeout=10)
            waiting["seconds"] = time.monotonic() - t0

        t = threading.Thread(target=queued)
        t.start()
        wait_for(s, busy=1, queued=1)
        t0 = time.monotonic()
        code, headers, body = ask(s, "ASK { ?s ?p ?x }", timeout=10)  # the queue is full
        assert code == 503 and headers["Retry-After"].isdigit() and b"already waiting" in body
        assert time.monotonic() - t0 < 0.9, "a full queue answers at once, without waiting the 1 s queue timeout"
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


# --- 5. header floods and slow clients ----------------------------------------------------------------


def log_mark(server) -> int:
    """Where the server's log ends now (read what comes after with :func:`log_since`)."""
    return len(server.log.read_bytes())


def log_since(server, mark: int, want: str | None = None, seconds: float = 3) -> str:
    """The server's log after *mark*; waits up to *seconds* for *want* to appear in it."""
    deadline = time.monotonic() + seconds
    while True:
        text = server.log.read_bytes()[mark:].decode("utf-8", "replace")
        if want is None or want in text or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def assert_no_crash(server, mark: int) -> None:
    """Since *mark*: the server is up, logged no traceback and answered no 500; it still answers a query."""
    assert server.proc.poll() is None, f"kg serve exited:\n{server.log_text()}"
    code, _, body = ask(server, "ASK { FILTER(1 = 1) }", timeout=10)
    assert code == 200 and json.loads(body)["boolean"] is True, (code, body)
    text = log_since(server, mark)
    assert "Traceback" not in text and " 500 " not in text, text[-3000:]


FLOOD = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n"


@pytest.mark.parametrize("headers", [
    pytest.param(b"".join(b"X-Flood-%d: y\r\n" % i for i in range(200)), id="200-headers"),
    pytest.param(b"X-Flood: " + b"a" * 100_000 + b"\r\n", id="one-100kb-header"),
    pytest.param(b"X-Flood: y\r\n " + b"a" * 100_000 + b"\r\n", id="100kb-continuation-line"),
    pytest.param(b"X-Flood: y\r\n" + b" a\r\n" * 200, id="200-continuation-lines"),
])
def test_header_flood_is_refused_with_431_and_the_connection_closed(two_workers, headers):
    mark = log_mark(two_workers)
    reply, took = exchange(two_workers.extra["port"], FLOOD + headers + b"\r\n", timeout=8)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith((b"HTTP/1.1 431", b"HTTP/1.1 400")), reply[:300]
    assert b"\r\nConnection: close" in head and body.startswith(b"kg serve:"), reply[:300]
    assert reply.count(b"HTTP/1.1 ") == 1
    assert took < 5, f"the connection was held {took:.1f} s after the refusal"
    assert_no_crash(two_workers, mark)


def test_slow_clients_whose_headers_never_end_do_not_hold_up_a_query(two_workers):
    """30 clients each send a request line and a header that never ends, a byte at a time; a
    normal query is answered at once meanwhile, and each slow client is cut at the request
    deadline (--request-timeout 2) with a 408."""
    port = two_workers.extra["port"]
    mark = log_mark(two_workers)
    slow = []
    try:
        t0 = time.monotonic()
        for i in range(30):
            sock = socket.create_connection((HOST, port), timeout=10)
            sock.sendall(FLOOD + b"X-Slow-%d: " % i)
            slow.append(sock)
        for sock in slow:
            sock.sendall(b"a")  # still sending: no idle timeout would cut these
        q0 = time.monotonic()
        code, _, body = ask(two_workers, "ASK { FILTER(2 > 1) }", timeout=10)
        took = time.monotonic() - q0
        assert code == 200 and json.loads(body)["boolean"] is True, body
        assert took < 1.5, f"a query took {took:.2f} s while 30 slow clients held connections"
        for sock in slow:  # they were all still held while it was answered
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)
            sock.setblocking(True)
        # and the deadline cuts every one of them
        for sock in slow:
            sock.settimeout(max(0.1, t0 + 6 - time.monotonic()))
            reply = b""
            try:
                while chunk := sock.recv(65536):
                    reply += chunk
            except ConnectionResetError:
                pass
            assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
        assert time.monotonic() - t0 < 6
    finally:
        for sock in slow:
            sock.close()
    assert_no_crash(two_workers, mark)


# --- 6. garbage, empty, non-UTF-8, oversized and truncated bodies ---------------------------------------


def test_garbage_empty_non_utf8_and_oversized_requests_get_4xx(two_workers):
    url = two_workers.url
    cases = [
        (b"\xff\xfe\xfa not utf-8", {"Content-Type": "application/sparql-query"}, 400),
        (b"", {"Content-Type": "application/sparql-query"}, 400),
        (b"   \n ", {"Content-Type": "application/sparql-query"}, 400),
        (b"query=%FF%FE", {"Content-Type": "application/x-www-form-urlencoded"}, 400),
        (b"SELECT garbage WHERE", {"Content-Type": "application/sparql-query"}, 400),
        (b"\x00\x01\x02" * 100, {"Content-Type": "application/octet-stream"}, 415),
        (b"x" * ((1 << 20) + 1), {"Content-Type": "application/sparql-query"}, 413),
        (b"query=" + b"A" * (2 << 20), {"Content-Type": "application/x-www-form-urlencoded"}, 413),
    ]
    for body, headers, want in cases:
        status, _, text = http("POST", url, body, headers)
        assert status == want, (body[:40], status, text)
        assert text.startswith(b"kg serve:")
    status, _, _ = http("GET", f"{url}?query=")
    assert status == 400
    status, _, _ = http("GET", f"{url}?query=%C3%28")
    assert status == 400
    status, _, _ = http("GET", f"{url}?query=" + "A" * 70000)
    assert status == 414
    # not HTTP at all, a missing Content-Length, a bad one
    port = two_workers.extra["port"]
    assert exchange(port, b"\x16\x03\x01\x02\x00garbage\r\n\r\n", half_close=True)[0].startswith(b"HTTP/1.")
    reply, _ = exchange(port, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n\r\nASK{}",
                        half_close=True)
    assert reply.startswith(b"HTTP/1.1 411")
    reply, _ = exchange(port, b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", half_close=True)
    assert reply.startswith(b"HTTP/1.1 400")
    # and the server is still up
    assert ask(two_workers, "ASK { ?s ?p ?o }")[0] == 200


@pytest.mark.parametrize("length, sent, want", [
    pytest.param(100, b"ASK { ?s ", 400, id="short"),
    pytest.param(5_000_000, b"x" * 1000, 413, id="oversized"),  # past --max-request-bytes, drained until the end
])
@pytest.mark.parametrize("hang_up", ["close", "half-close"])
def test_truncated_body_then_hang_up_is_a_4xx_not_a_500(two_workers, length, sent, want, hang_up):
    """A Content-Length larger than the bytes sent, then the client closes (or half-closes and
    reads): the request is refused, nothing breaks, and the server goes on answering."""
    mark = log_mark(two_workers)
    request = (b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
               b"Content-Length: %d\r\n\r\n" % length + sent)
    if hang_up == "close":
        with socket.create_connection((HOST, two_workers.extra["port"]), timeout=10) as sock:
            sock.sendall(request)
    else:
        reply, took = exchange(two_workers.extra["port"], request, timeout=8, half_close=True)
        assert reply.startswith(b"HTTP/1.1 %d" % want), reply[:300]
        assert took < 3, f"the server waited {took:.1f} s for bytes after the client had closed"
        if want == 400:
            assert b"shorter than its Content-Length" in reply
    line = f"POST /sparql {want} "
    assert line in log_since(two_workers, mark, want=line), log_since(two_workers, mark)
    assert_no_crash(two_workers, mark)


# --- 7. path traversal -----------------------------------------------------------------------------------

#: text from files that no request may read through the server
SECRETS = {
    "pyproject.toml": b"[tool.pytest.ini_options]",
    "kg/serve/http.py": b"class _DeadlineReader",
    "/etc/passwd": b"root:x:0:0",
}

TRAVERSALS = [
    b"/static/../../../pyproject.toml",
    b"/static/../http.py",
    b"/static/..%2fhttp.py",
    b"/static/..%2Fhttp.py",
    b"/static/%2e%2e/http.py",
    b"/static/.%2e/http.py",
    b"/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fpyproject.toml",
    b"/static/%252e%252e/http.py",
    b"/static/%c0%ae%c0%ae/http.py",
    b"/static/..%5c..%5c..%5cpyproject.toml",
    b"/static/..\\http.py",
    b"/static/....//....//http.py",
    b"/static/index.html/../../http.py",
    b"/static//etc/passwd",
    b"/static/%2fetc%2fpasswd",
    b"/static/" + str(ROOT / "pyproject.toml").encode(),
    b"/%2e%2e/pyproject.toml",
    b"/%2e%2e/%2e%2e/etc/passwd",
    b"/..%2fpyproject.toml",
    b"/../../pyproject.toml",
    b"//etc/passwd",
    b"../../pyproject.toml",
    b"http://localhost/static/../http.py",
    b"/queries/..%2F..%2Fpyproject.toml",
    b"/queries/..%2F..%2Fpyproject.toml.rq",
    b"/queries/../../pyproject.toml",
    b"/queries/%2e%2e%2f%2e%2e%2fpyproject",
    b"/queries/..%2F..%2Fkg%2Fserve%2Fhttp.py",
]


def raw_get(server, target: bytes) -> tuple[int, bytes]:
    """GET *target* exactly as given (no client normalises it): (status, body)."""
    reply, _ = exchange(server.extra["port"], b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        timeout=8)
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 "), reply[:300]
    return int(head.split()[1]), body


def test_raw_get_reads_what_the_server_does_serve(two_workers):
    """The contrast: the page and a query's text do come back through :func:`raw_get`."""
    status, body = raw_get(two_workers, b"/static/index.html")
    assert status == 200 and b"<html" in body
    status, body = raw_get(two_workers, b"/queries/who-risks-caatsa-for-s400.rq")
    assert status == 200 and b"SELECT" in body


@pytest.mark.parametrize("target", TRAVERSALS, ids=lambda t: t.decode().replace(str(ROOT), "<root>"))
def test_path_traversal_is_a_404_never_a_file(two_workers, target):
    status, body = raw_get(two_workers, target)
    assert status in (400, 404), (status, body[:300])
    for name, secret in SECRETS.items():
        assert secret not in body, f"{target!r} read {name}"


@pytest.mark.parametrize("target", [
    pytest.param(b"/static/index.html\x00", id="nul-after-a-name"),
    pytest.param(b"/static/\x00../http.py", id="nul-then-dot-dot"),
    pytest.param(b"/static/" + b"a" * 300, id="name-past-name-max"),
    pytest.param(b"/static/" + b"a/" * 2100, id="path-past-path-max"),
])
def test_a_static_path_with_a_nul_byte_or_a_name_too_long_is_a_404_not_a_dropped_connection(two_workers, target):
    """The defect: /static/ resolved the name on the file system unguarded, so a NUL byte
    (ValueError) or a name the file system cannot hold (OSError ENAMETOOLONG) escaped the handler:
    a traceback in the log and the connection dropped without an answer."""
    mark = log_mark(two_workers)
    status, body = raw_get(two_workers, target)
    assert status == 404 and body.startswith(b"kg serve: no such file"), (status, body[:300])
    assert_no_crash(two_workers, mark)


def test_headers_whose_sum_is_too_large_are_refused_with_431(two_workers):
    """The defect: http.server caps each header line (64 KB) and their number (100), not their sum:
    95 lines of 60 KB (5.7 MB) were read and answered 200."""
    port = two_workers.extra["port"]
    flood = "".join(f"X-Pad-{i}: {'a' * 60_000}\r\n" for i in range(95))
    data, _ = exchange(port, f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n{flood}\r\n".encode(), timeout=10)
    assert data.startswith(b"HTTP/1.1 431"), data[:80]
    # a request with many ordinary headers, well under the bound, is still served
    ok = "".join(f"X-Note-{i}: {'b' * 500}\r\n" for i in range(50))
    data, _ = exchange(port, f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{ok}\r\n".encode())
    assert data.startswith(b"HTTP/1.1 200"), data[:80]
