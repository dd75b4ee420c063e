"""``kg serve``'s routing: what each request gets, as a :class:`~kg.serve.engine.Reply`.

No sockets here: a :class:`Request` is the method, the target, the headers and a way to
read the body; :class:`Routes` answers it from the server's engine, configuration and
named questions. The plumbing (reading requests, limits on bodies, writing replies, the
log) is :mod:`kg.serve.http`'s.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from kg.core.errors import KgError
from kg.serve.description import graph_counts, service_description
from kg.serve.engine import Reply, error_reply
from kg.serve.lod import iri_for_path
from kg.serve.negotiation import GRAPH_TYPES, PAGE_TYPES, negotiate, negotiate_page, parse_accept, quality

STATIC_DIR = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
#: Most IRIs one ``/labels`` request may ask about (the query page asks a page of results at a time).
MAX_LABELS = 500


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


@dataclass
class Request:
    method: str
    target: str                   #: the request target: path and query string
    headers: object               #: a mapping with .get(name)
    body: Callable[[], bytes]     #: reads the body (raising :class:`BadRequest` past the limits)
    client: object = None         #: the client's socket, watched for a hang-up while a query runs


class Routes:
    """The routes of ``kg serve``, for one request; *server* has ``engine``, ``config``, ``named``
    and ``server_address``."""

    def __init__(self, server, request: Request):
        self.server = server
        self.request = request


    def reply(self) -> Reply:
        """The reply to the request (a :class:`BadRequest` for a 4xx the caller turns into one)."""
        url = urlsplit(self.request.target)
        try:
            params = parse_qs(url.query, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            raise BadRequest(400, "the URL's parameters are not valid UTF-8") from None
        path = url.path.rstrip("/") or "/"
        if path in ("/sparql", "/query", "/update"):
            return self._sparql(params)
        if self.request.method == "POST":
            raise BadRequest(405, f"POST is only accepted at /sparql, not {path}")
        if path in ("/", "/index.html"):
            return self._static("index.html")
        if path.startswith("/static/"):
            return self._static(path[len("/static/"):])
        if path == "/queries":
            return self._list_queries()
        if path == "/prefixes":
            from kg.core.iris import PREFIXES

            return Reply(200, "application/json; charset=utf-8", json.dumps(PREFIXES, indent=2).encode("utf-8"))
        if path == "/labels":
            return self._labels(params)
        if path.startswith("/queries/"):
            return self._named(path[len("/queries/"):], params)
        if iri_for_path(path) is not None or path in ("/.well-known/void", "/catalog", "/explain") \
                or path.startswith("/data/"):
            return self._linked_data(path, params)
        if path == "/status":
            body = {"graphs": graph_counts(self.server.engine.dataset), "timeout": self.server.config.limits.timeout,
                    "max_rows": self.server.config.limits.max_rows, "max_bytes": self.server.config.limits.max_bytes,
                    "update": self.server.config.allow_update, "cache_hits": self.server.engine.cache_hits,
                    "queue_timeout": self.server.config.limits.queue_timeout,
                    "max_queue": self.server.config.limits.max_queue, **self.server.engine.stats()}
            return Reply(200, "application/json", json.dumps(body, indent=2).encode())
        return error_reply(404, f"no such page: {path} (try /, /sparql or /queries)")

    def _linked_data(self, path: str, params: dict[str, list[str]]) -> Reply:
        """The Linked Data routes (docs/linked-data.md): direct content negotiation, with
        ``Vary: Accept`` on every answer and ``Content-Location`` naming the representation sent."""
        if self.request.method not in ("GET", "HEAD"):
            raise BadRequest(405, f"{path} is read with GET or HEAD")
        formats = params.get("format", [])
        endpoint = endpoint_url(self.server.server_address)
        if path.startswith("/data/"):
            return self._data(path[len("/data/"):])
        if path == "/explain":
            s = _single(params, "s")
            if not s or not s.strip():
                raise BadRequest(400, "give the fact to explain: /explain?s=SUBJECT[&p=PREDICATE[&o=OBJECT]]")
            job = {"kind": "page", "what": "explain", "s": s, "p": _single(params, "p"), "o": _single(params, "o"),
                   "fmt": "html"}
            return self._vary(self.server.engine.run(job, client=self.request.client))
        fmt = negotiate_page(self.request.headers.get("Accept"), formats)
        if fmt is None:
            offered = ", ".join(PAGE_TYPES.values())
            return self._vary(error_reply(406, f"no acceptable representation of {path}; offered: {offered}"))
        iri = iri_for_path(path)
        if iri is not None:
            from kg.core.terms import check_iri

            try:
                check_iri(iri)
            except KgError as exc:  # a character no IRI may hold: nothing the graph can describe
                return self._vary(error_reply(400, str(exc)))
        location = {"Content-Location": f"{path}?format={fmt}"}
        if path in ("/.well-known/void", "/catalog"):
            job = {"kind": "page", "what": "void" if path == "/.well-known/void" else "catalog", "fmt": fmt,
                   "endpoint": endpoint}
        elif path == "/ontology":
            docs = getattr(self.server.config, "docs", None)
            page = Path(docs) / "ontology.html" if docs else None
            if fmt == "html" and page is not None and page.is_file():
                return Reply(200, "text/html; charset=utf-8", page.read_bytes(), {"Vary": "Accept", **location})
            job = {"kind": "page", "what": "ontology", "fmt": fmt}
        elif path == "/shapes":
            job = {"kind": "page", "what": "shapes", "fmt": fmt}
        elif path.startswith("/graph/"):
            job = {"kind": "page", "what": "graph", "iri": iri, "fmt": fmt, "endpoint": endpoint}
        else:
            job = {"kind": "page", "what": "resource", "iri": iri, "fmt": fmt}
        reply = self._vary(self.server.engine.run(job, client=self.request.client))
        if reply.status == 200:
            reply.headers.update(location)
        return reply

    def _data(self, name: str) -> Reply:
        """The whole dataset as a file of the catalogue's distributions (``kg export``)."""
        from kg.serve.description import EXPORTS

        by_name = {f"defence-kg.{ext}": (fmt, mime) for fmt, (mime, ext) in EXPORTS.items()}
        if name not in by_name:
            return error_reply(404, f"no such file: {name} (the catalogue at /catalog lists them)")
        fmt, mime = by_name[name]
        return self.server.engine.run({"kind": "page", "what": "data", "fmt": fmt, "ctype": f"{mime}; charset=utf-8"},
                                      client=self.request.client)

    @staticmethod
    def _vary(reply: Reply) -> Reply:
        """*reply* with ``Vary: Accept`` (a copy: a cached reply is shared)."""
        return Reply(reply.status, reply.content_type, reply.body, {**reply.headers, "Vary": "Accept"})

    def _static(self, name: str) -> Reply:
        """A file under :data:`STATIC_DIR`, or a 404: for a name that resolves outside it, and for one
        the file system cannot look up at all (a NUL byte is a ValueError, a name past NAME_MAX or
        PATH_MAX an OSError), which would otherwise escape the handler and drop the connection."""
        try:
            target = (STATIC_DIR / name).resolve()
            found = STATIC_DIR.resolve() in target.parents and target.is_file()
        except (OSError, ValueError):
            found = False
        if not found:
            return error_reply(404, f"no such file: {name}")
        ctype = _STATIC_TYPES.get(target.suffix, "application/octet-stream")
        return Reply(200, ctype, target.read_bytes(), {"Cache-Control": "no-cache"})

    def _labels(self, params: dict[str, list[str]]) -> Reply:
        """``/labels?iri=A&iri=B``: the label of each IRI that has one, as a JSON object (the one
        label lookup, run in a query worker), for the query page's result tables."""
        if self.request.method not in ("GET", "HEAD"):
            raise BadRequest(405, "/labels is read with GET")
        iris = sorted(set(params.get("iri", [])))
        if not iris:
            raise BadRequest(400, "give the IRIs to label: /labels?iri=IRI[&iri=IRI...]")
        if len(iris) > MAX_LABELS:
            raise BadRequest(400, f"ask for at most {MAX_LABELS} labels at once (got {len(iris)})")
        from kg.core.terms import check_iri

        try:
            for iri in iris:
                check_iri(iri)
        except KgError as exc:
            raise BadRequest(400, str(exc)) from None
        return self.server.engine.run({"kind": "page", "what": "labels", "iris": iris}, client=self.request.client)

    def _list_queries(self) -> Reply:
        out = []
        for slug, q in self.server.named.items():
            out.append({"name": slug, "question": q.question, "params": q.params,
                        "url": f"/queries/{slug}", "text": q.text})
        return Reply(200, "application/json; charset=utf-8", json.dumps(out, indent=2, ensure_ascii=False).encode("utf-8"))

    def _named(self, name: str, params: dict[str, list[str]]) -> Reply:
        if self.request.method not in ("GET", "HEAD"):
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
        as_of = _as_of(params.pop("as-of", None))
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
               "accept": self.request.headers.get("Accept"), "formats": formats, "as_of": as_of}
        return self.server.engine.run(job, client=self.request.client)

    def _sparql(self, params: dict[str, list[str]]) -> Reply:
        ctype = (self.request.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        query = update = None
        if self.request.method == "POST":
            body = self.request.body()
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
            if self.request.method == "POST":
                raise BadRequest(400, "no query given (send query=... or a application/sparql-query body)")
            return self._service_description()
        if not query.strip():
            raise BadRequest(400, "the query is empty")
        formats = params.get("format", []) + params.get("output", [])
        job = {"kind": "query", "text": query, "source": "<query>", "accept": self.request.headers.get("Accept"),
               "formats": formats, "default": params.get("default-graph-uri", []),
               "named": params.get("named-graph-uri", []), "as_of": _as_of(params.get("as-of"))}
        return self.server.engine.run(job, client=self.request.client)

    def _update(self, text: str) -> Reply:
        cfg = self.server.config
        if not cfg.allow_update:
            return error_reply(403, "this endpoint is read-only (start it with --allow-update to accept SPARQL Update)")
        auth = self.request.headers.get("Authorization") or ""
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), (cfg.token or "").encode()):
            return Reply(401, "text/plain; charset=utf-8", b"kg serve: updates need Authorization: Bearer TOKEN\n",
                         {"WWW-Authenticate": 'Bearer realm="kg serve"'})
        if not text.strip():
            raise BadRequest(400, "the update is empty")
        return self.server.engine.update(text)

    def _service_description(self) -> Reply:
        accept = self.request.headers.get("Accept") or ""
        ranges = parse_accept(accept)
        html_q = quality(ranges, "text/html") if "text/html" in accept else 0.0
        fmt = negotiate("graph", accept)
        rdf_q = quality(ranges, GRAPH_TYPES[fmt][0]) if fmt else 0.0
        if html_q > rdf_q:
            return Reply(303, "text/plain; charset=utf-8", b"see /\n", {"Location": "/"})
        if fmt is None:
            return error_reply(406, "the service description is offered as Turtle, N-Triples, JSON-LD or RDF/XML")
        # The address the server is bound to, never the client's Host header (which anyone can set).
        sd = service_description(self.server.engine.dataset, endpoint_url(self.server.server_address),
                                 self.server.config.allow_update)
        return Reply(200, f"{GRAPH_TYPES[fmt][0]}; charset=utf-8", sd.serialize(format=GRAPH_TYPES[fmt][1], encoding="utf-8"))



def endpoint_url(address) -> str:
    """The SPARQL endpoint's URL for a bound socket *address* (host, port[, ...])."""
    host, port = address[:2]
    return f"http://[{host}]:{port}/sparql" if ":" in host else f"http://{host}:{port}/sparql"


def _as_of(values: list[str] | None) -> str | None:
    """The ``as-of`` parameter, checked: one date as YYYY-MM-DD, or None."""
    if not values:
        return None
    if len(values) != 1:
        raise BadRequest(400, "give as-of once")
    from kg.pipeline.asof import parse_date

    try:
        return parse_date(values[0]).isoformat()
    except KgError as exc:
        raise BadRequest(400, str(exc).replace("--as-of", "as-of")) from None


def _single(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(400, f"give exactly one {key}")
    return values[0]
