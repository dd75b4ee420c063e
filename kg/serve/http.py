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
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from kg.core.errors import KgError
from kg.serve.engine import Engine, Limits, Reply, error_reply
from kg.serve.routes import BadRequest, Request, Routes

_DRAIN_LIMIT = 16 << 20  # oversized bodies up to this size are read and dropped before the 413


@dataclass
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8000
    limits: Limits = field(default_factory=Limits)
    workers: int = 4
    max_request_bytes: int = 1 << 20
    cache_entries: int = 256
    cors: bool = False             # let pages from any origin (a hosted YASGUI) query it
    allow_update: bool = False
    token: str | None = None
    log: object = None  # a text stream for the request log (default stderr)


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
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/sparql"

    def log_line(self, text: str) -> None:
        with self._log_lock:
            print(text, file=self.log_stream, flush=True)

    def server_close(self) -> None:
        super().server_close()
        self.engine.close()


class Handler(BaseHTTPRequestHandler):
    server: KgHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    timeout = 60  # seconds a client may take to send its request

    # --- plumbing ---

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
        try:
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
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        ms = (time.perf_counter() - getattr(self, "_t0", time.perf_counter())) * 1000
        path = urlsplit(getattr(self, "path", "") or "").path or "-"
        self.server.log_line(f"{getattr(self, 'command', None) or '-'} {path} {reply.status} {ms:.1f}ms")

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise BadRequest(411, "chunked requests are not accepted; send Content-Length")
        length = self.headers.get("Content-Length")
        if length is None:
            raise BadRequest(411, "Content-Length is required")
        try:
            n = int(length)
        except ValueError:
            raise BadRequest(400, "bad Content-Length") from None
        if n < 0:
            raise BadRequest(400, "bad Content-Length")
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
        return data

    def _dispatch(self) -> None:
        self._t0 = time.perf_counter()
        try:
            reply = Routes(self.server, Request(self.command, self.path, self.headers, self._body)).reply()
        except BadRequest as exc:
            if exc.status in (411, 413):
                self.close_connection = True  # the unread body would be taken for the next request
            reply = error_reply(exc.status, exc.message)
        except KgError as exc:
            reply = error_reply(400, str(exc))
        self._send(reply)

    do_GET = do_POST = do_HEAD = _dispatch

    def do_OPTIONS(self):
        self._t0 = time.perf_counter()
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
