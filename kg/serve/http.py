"""``kg serve``: a SPARQL 1.1 Protocol endpoint over the built graph.

Routes::

    GET  /                     the query page (self-contained HTML, works offline)
    GET  /sparql?query=...     SPARQL 1.1 Protocol query (also POST form or application/sparql-query)
    GET  /sparql               the Service Description (Turtle, or by Accept)
    POST /sparql               SPARQL Update (form ``update=`` or application/sparql-update), only
                               with --allow-update and ``Authorization: Bearer TOKEN``
    GET  /queries              the named competency questions (JSON)
    GET  /queries/NAME         run one; its parameters are URL parameters (?fact=dkgr:...),
                               ``format=`` or Accept picks the result format
    GET  /queries/NAME.rq      the query text
    GET  /status               JSON: graph sizes, limits

Safe by default: it binds 127.0.0.1, is read-only, refuses SERVICE and LOAD and
never fetches FROM graphs, runs each query in a killable worker under a time
limit and result caps (see :mod:`kg.serve.engine`), and rejects oversized,
empty or non-UTF-8 requests with a 4xx. Each request is logged as one line:
method, path, status, milliseconds.

Request framing is strict (RFC 9112 §6.3), since a server behind a proxy that reads
a body differently from the proxy runs the rest as a smuggled request: more than one
``Content-Length`` (even equal ones, or a list), ``Content-Length`` together with
``Transfer-Encoding``, or a length that is not plain digits is a 400, and the
connection is closed. A body that is not read (a GET with one, an error before the
body) closes the connection too. Each request has an overall deadline,
``request_timeout`` seconds for its request line, headers and body together (408
past it), however slowly the bytes trickle in. Headers are capped: more than 100 header lines
or one line past 64 KB (by :mod:`http.server`), or headers past 64 KB together
(:data:`MAX_HEAD_BYTES`), is a 431 and the connection is closed (a request line past 64 KB is a 414).
"""

from __future__ import annotations

import io
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from kg.core.errors import KgError
from kg.serve.engine import Engine, Limits, Reply, error_reply
from kg.serve.routes import BadRequest, Request, Routes, endpoint_url

_DRAIN_LIMIT = 16 << 20  # oversized bodies up to this size are read and dropped before the 413


@dataclass
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    limits: Limits = field(default_factory=Limits)
    workers: int = 4
    max_request_bytes: int = 1 << 20
    request_timeout: float = 10.0  # seconds to receive a request's line, headers and body
    cache_entries: int = 256
    cors: bool = False             # let pages from any origin (a hosted YASGUI) query it
    allow_update: bool = False
    token: str | None = None
    log: object = None  # a text stream for the request log (default stderr)
    docs: str | None = None  # a folder `kg docs` wrote: its ontology.html is the ontology IRI's page


class KgHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, config: ServeConfig, engine: Engine):
        self.config = config
        self.engine = engine
        self.log_stream = config.log or sys.stderr
        self._log_lock = threading.Lock()
        from kg.sparql.named import named_queries

        self.named = named_queries()
        if ":" in config.host:
            import socket

            self.address_family = socket.AF_INET6
        super().__init__((config.host, config.port), Handler)

    @property
    def endpoint(self) -> str:
        return endpoint_url(self.server_address)

    def log_line(self, text: str) -> None:
        with self._log_lock:
            print(text, file=self.log_stream, flush=True)

    def server_close(self) -> None:
        super().server_close()
        self.engine.close()


#: All of a request's headers together, at most (RFC 9110 §15.5.20: 431 past it). Python's
#: http.server caps lines (64 KB) and their number (100), not their sum: 95 lines of 60 KB were read.
MAX_HEAD_BYTES = 64 << 10


class _DeadlineReader(io.RawIOBase):
    """The client socket as a raw stream whose reads share one deadline per request.

    A socket timeout bounds each read; this bounds them all together: the deadline is set
    when a request starts (the connection is accepted, or the first byte after the previous
    reply arrives) and every read gets only the time left.
    """

    def __init__(self, sock, idle: float, limit: float):
        self.sock, self.idle, self.limit = sock, idle, limit
        self.deadline: float | None = time.monotonic() + limit
        #: bytes a request's headers may still take (None outside the headers)
        self.head_budget: int | None = None

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self.deadline is None:
            self.sock.settimeout(self.idle)
        else:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("request deadline passed")
            self.sock.settimeout(left)
        if self.head_budget is not None and self.head_budget <= 0:
            raise HeadTooLarge(f"request headers larger than {MAX_HEAD_BYTES} bytes")
        n = self.sock.recv_into(buf)
        if n and self.deadline is None:
            self.deadline = time.monotonic() + self.limit
        if self.head_budget is not None:
            self.head_budget -= n
        return n


class HeadTooLarge(Exception):
    """A request's headers together passed :data:`MAX_HEAD_BYTES`."""


class Handler(BaseHTTPRequestHandler):
    server: KgHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    timeout = 60  # seconds an open connection may stay idle between requests

    # --- plumbing ---

    def setup(self):
        super().setup()
        self._reader = _DeadlineReader(self.connection, self.timeout, self.server.config.request_timeout)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self):
        self._has_body = self._body_read = False
        self._reader.head_budget = None  # the request line has http.server's own bound (414)
        try:
            super().handle_one_request()
        finally:
            self._reader.deadline = None  # idle until the next request's first byte

    def parse_request(self):
        self._t0 = time.perf_counter()
        self._reader.head_budget = MAX_HEAD_BYTES  # the headers, read by super().parse_request()
        try:
            if not super().parse_request():
                return False
        except TimeoutError:
            self.close_connection = True
            self.send_error(408, f"request not received within {self.server.config.request_timeout:g} s")
            return False
        except HeadTooLarge as exc:
            self.close_connection = True
            self.send_error(431, str(exc))
            return False
        finally:
            self._reader.head_budget = None  # the body has its own bound (--max-request-bytes)
        problem = self._framing_problem()
        if problem:
            self.send_error(400, problem)
            return False
        return True

    def _framing_problem(self) -> str | None:
        """Why the request's body framing is refused (RFC 9112 §6.3), or None."""
        lengths = self.headers.get_all("Content-Length") or []
        encodings = self.headers.get_all("Transfer-Encoding") or []
        if len(lengths) > 1 or any("," in v for v in lengths):
            return "more than one Content-Length"
        if lengths and encodings:
            return "both Content-Length and Transfer-Encoding"
        if lengths and not re.fullmatch(r"[0-9]{1,18}", lengths[0].strip()):
            return "bad Content-Length"
        self._has_body = bool(encodings) or (bool(lengths) and int(lengths[0]) > 0)
        return None

    def log_message(self, format, *args):  # noqa: A002 - http.server's signature
        pass  # one line per request is written by _send instead

    def log_request(self, code="-", size="-"):
        pass

    def send_error(self, code, message=None, explain=None):
        # http.server's own errors (bad request line, 414...): plain text, then the log line.
        self.close_connection = True
        if getattr(self, "request_version", "HTTP/0.9") == "HTTP/0.9":
            self.request_version = "HTTP/1.1"  # answer garbage with a real status line
        self._send(error_reply(code, message or self.responses.get(code, ("error",))[0]))

    def _send(self, reply: Reply) -> None:
        # The log line first: once the reply is out, the client may send its next request.
        ms = (time.perf_counter() - getattr(self, "_t0", time.perf_counter())) * 1000
        path = urlsplit(getattr(self, "path", "") or "").path or "-"
        self.server.log_line(f"{getattr(self, 'command', None) or '-'} {path} {reply.status} {ms:.1f}ms")
        try:
            self.connection.settimeout(self.timeout)
            self.send_response_only(reply.status)
            self.send_header("Server", self.server_version)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            if self.server.config.cors:
                self.send_header("Access-Control-Allow-Origin", "*")
            if reply.status >= 400 and reply.status not in (404, 406):
                self.close_connection = True
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError, TimeoutError):
            self.close_connection = True

    def _body(self) -> bytes:
        try:
            return self._read_body()
        except TimeoutError:
            raise BadRequest(408, f"request not received within {self.server.config.request_timeout:g} s") from None

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise BadRequest(411, "chunked requests are not accepted; send Content-Length")
        length = self.headers.get("Content-Length")
        if length is None:
            raise BadRequest(411, "Content-Length is required")
        n = int(length)  # checked by _framing_problem
        if n > self.server.config.max_request_bytes:
            if n <= _DRAIN_LIMIT:
                # Read and drop it, so the client, still sending, gets the 413 rather than a broken pipe.
                left = n
                while left > 0:
                    chunk = self.rfile.read(min(left, 1 << 16))
                    if not chunk:
                        break
                    left -= len(chunk)
            raise BadRequest(413, f"request body too large: {n} bytes, the limit is {self.server.config.max_request_bytes}")
        data = self.rfile.read(n)
        if len(data) < n:
            raise BadRequest(400, "request body shorter than its Content-Length")
        self._body_read = True
        return data

    def _dispatch(self) -> None:
        self._t0 = time.perf_counter()
        try:
            request = Request(self.command, self.path, self.headers, self._body, self.connection)
            reply = Routes(self.server, request).reply()
        except BadRequest as exc:
            if exc.status in (408, 411, 413):
                self.close_connection = True  # the unread body would be taken for the next request
            reply = error_reply(exc.status, exc.message)
        except KgError as exc:
            reply = error_reply(400, str(exc))
        if self._has_body and not self._body_read:
            self.close_connection = True  # its unread body must not be read as the next request
        self._send(reply)

    do_GET = do_POST = do_HEAD = _dispatch

    def do_OPTIONS(self):
        self._t0 = time.perf_counter()
        if self._has_body:
            self.close_connection = True
        headers = {"Allow": "GET, HEAD, POST, OPTIONS"}
        if self.server.config.cors:
            headers.update({"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                            "Access-Control-Allow-Headers": "Accept, Content-Type, Authorization",
                            "Access-Control-Max-Age": "600"})
        self._send(Reply(204, "text/plain; charset=utf-8", b"", headers))

    def do_PUT(self):
        self._t0 = time.perf_counter()
        self.close_connection = True
        self._send(error_reply(405, "method not allowed"))

    do_DELETE = do_PATCH = do_PUT


# --- library entry points -----------------------------------------------------------------


def make_server(ds, config: ServeConfig | None = None) -> KgHTTPServer:
    """An HTTP server over *ds*, bound but not yet serving (call ``serve_forever``)."""
    config = config or ServeConfig()
    if config.allow_update and not config.token:
        raise KgError("--allow-update needs a token (--token or $KG_SERVE_TOKEN)")
    engine = Engine(ds, config.limits, config.workers, cache_entries=config.cache_entries)
    try:
        return KgHTTPServer(config, engine)
    except OSError as exc:
        engine.close()
        raise KgError(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}") from None


def serve(ds, config: ServeConfig, port_file: str | None = None) -> None:
    """Serve until interrupted; *port_file* receives the port actually bound (for --port 0)."""
    server = make_server(ds, config)
    host, port = server.server_address[:2]
    if port_file:
        Path(port_file).write_text(str(port))
    print(f"kg serve: SPARQL endpoint http://{host}:{port}/sparql, query page http://{host}:{port}/ "
          f"({'read-write' if config.allow_update else 'read-only'}; timeout {config.limits.timeout:g} s)",
          file=sys.stderr, flush=True)
    import signal

    def _terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        print("kg serve: stopped", file=sys.stderr, flush=True)


# --- CLI --------------------------------------------------------------------------------
