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

import hmac
import json
import os
import re
import secrets
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from kg.core.errors import KgError
from kg.serve.description import graph_counts, service_description
from kg.serve.engine import Engine, Limits, Reply, error_reply
from kg.serve.negotiation import GRAPH_TYPES, negotiate, parse_accept, quality

STATIC_DIR = Path(__file__).resolve().parent / "static"
_DRAIN_LIMIT = 16 << 20  # oversized bodies up to this size are read and dropped before the 413
_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8"}


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


class BadRequest(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(400, f"{what} is not valid UTF-8 (byte {exc.start})") from None


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
            reply = self._route()
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

    # --- routing ---

    def _route(self) -> Reply:
        url = urlsplit(self.path)
        try:
            params = parse_qs(url.query, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise BadRequest(400, "the URL's parameters are not valid UTF-8") from None
        path = url.path.rstrip("/") or "/"
        if path in ("/sparql", "/query", "/update"):
            return self._sparql(params)
        if self.command == "POST":
            raise BadRequest(405, f"POST is only accepted at /sparql, not {path}")
        if path in ("/", "/index.html"):
            return self._static("index.html")
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        if path == "/queries":
            return self._list_queries()
        if path.startswith("/queries/"):
            return self._named(path[len("/queries/"):], params)
        if path == "/status":
            body = {"graphs": graph_counts(self.server.engine.dataset), "timeout": self.server.config.limits.timeout,
                    "max_rows": self.server.config.limits.max_rows, "max_bytes": self.server.config.limits.max_bytes,
                    "update": self.server.config.allow_update, "cache_hits": self.server.engine.cache_hits}
            return Reply(200, "application/json", json.dumps(body, indent=2).encode())
        return error_reply(404, f"no such page: {path} (try /, /sparql or /queries)")

    def _static(self, name: str) -> Reply:
        target = (STATIC_DIR / name).resolve()
        if STATIC_DIR.resolve() not in target.parents or not target.is_file():
            return error_reply(404, f"no such file: {name}")
        ctype = _STATIC_TYPES.get(target.suffix, "application/octet-stream")
        return Reply(200, ctype, target.read_bytes(), {"Cache-Control": "no-cache"})

    def _list_queries(self) -> Reply:
        out = []
        for slug, q in self.server.named.items():
            out.append({"name": slug, "question": q.question, "params": q.params,
                        "url": f"/queries/{slug}", "text": q.text})
        return Reply(200, "application/json; charset=utf-8", json.dumps(out, indent=2, ensure_ascii=False).encode("utf-8"))

    def _named(self, name: str, params: dict[str, list[str]]) -> Reply:
        if self.command not in ("GET", "HEAD"):
            raise BadRequest(405, "named queries are read with GET")
        want_text = name.endswith(".rq")
        slug = name[:-3] if want_text else name
        q = self.server.named.get(slug)
        if q is None:
            return error_reply(404, f"no query named {slug!r} (GET /queries lists them)")
        if want_text:
            return Reply(200, "application/sparql-query; charset=utf-8", q.text.encode("utf-8"))
        formats = params.pop("format", []) + params.pop("output", [])
        params.pop("results", None)  # SPARQLWrapper sends format, output and results
        bindings = {}
        for key, values in params.items():
            name = key.lstrip("?$")
            if name not in q.params:
                takes = ", ".join(q.params) or "no parameters"
                raise BadRequest(400, f"{slug} has no parameter {name!r} (it takes: {takes})")
            if len(values) != 1 or not values[0].strip():
                raise BadRequest(400, f"give parameter {name!r} exactly one non-empty value")
            bindings[name] = values[0]
        job = {"kind": "query", "text": q.text, "source": f"queries/{slug}.rq", "bindings": bindings,
               "accept": self.headers.get("Accept"), "formats": formats}
        return self.server.engine.run(job)

    def _sparql(self, params: dict[str, list[str]]) -> Reply:
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        query = update = None
        if self.command == "POST":
            body = self._body()
            if ctype == "application/x-www-form-urlencoded":
                text = _decode(body, "the form body")
                try:
                    form = parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
                except UnicodeDecodeError:
                    raise BadRequest(400, "the form body is not valid UTF-8") from None
                for k, v in form.items():
                    params.setdefault(k, []).extend(v)
                query = _single(params, "query")
                update = _single(params, "update")
            elif ctype == "application/sparql-query":
                query = _decode(body, "the query")
            elif ctype == "application/sparql-update":
                update = _decode(body, "the update")
            else:
                raise BadRequest(415, "POST a query as application/sparql-query, application/sparql-update "
                                      "or application/x-www-form-urlencoded")
        else:
            query = _single(params, "query")
            if "update" in params:
                raise BadRequest(400, "SPARQL Update must be sent with POST")
        if query is not None and update is not None:
            raise BadRequest(400, "give either query or update, not both")
        if update is not None:
            return self._update(update)
        if query is None:
            if self.command == "POST":
                raise BadRequest(400, "no query given (send query=... or a application/sparql-query body)")
            return self._service_description()
        if not query.strip():
            raise BadRequest(400, "the query is empty")
        formats = params.get("format", []) + params.get("output", [])
        job = {"kind": "query", "text": query, "source": "<query>", "accept": self.headers.get("Accept"),
               "formats": formats, "default": params.get("default-graph-uri", []),
               "named": params.get("named-graph-uri", [])}
        return self.server.engine.run(job)

    def _update(self, text: str) -> Reply:
        cfg = self.server.config
        if not cfg.allow_update:
            return error_reply(403, "this endpoint is read-only (start it with --allow-update to accept SPARQL Update)")
        auth = self.headers.get("Authorization") or ""
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), (cfg.token or "").encode()):
            return Reply(401, "text/plain; charset=utf-8", b"kg serve: updates need Authorization: Bearer TOKEN\n",
                         {"WWW-Authenticate": 'Bearer realm="kg serve"'})
        if not text.strip():
            raise BadRequest(400, "the update is empty")
        return self.server.engine.update(text)

    def _service_description(self) -> Reply:
        accept = self.headers.get("Accept") or ""
        ranges = parse_accept(accept)
        html_q = quality(ranges, "text/html") if "text/html" in accept else 0.0
        fmt = negotiate("graph", accept)
        rdf_q = quality(ranges, GRAPH_TYPES[fmt][0]) if fmt else 0.0
        if html_q > rdf_q:
            return Reply(303, "text/plain; charset=utf-8", b"see /\n", {"Location": "/"})
        if fmt is None:
            return error_reply(406, "the service description is offered as Turtle, N-Triples, JSON-LD or RDF/XML")
        host = self.headers.get("Host") or ""
        if not re.fullmatch(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?", host):
            host = "%s:%s" % self.server.server_address[:2]  # the client's Host header is not a safe IRI part
        sd = service_description(self.server.engine.dataset, f"http://{host}/sparql", self.server.config.allow_update)
        return Reply(200, f"{GRAPH_TYPES[fmt][0]}; charset=utf-8", sd.serialize(format=GRAPH_TYPES[fmt][1], encoding="utf-8"))


def _single(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(400, f"give exactly one {key}")
    return values[0]


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
