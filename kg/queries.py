"""Named SPARQL queries: discovery, headers, safe execution and result formats.

Each competency question is one ``queries/<slug>.rq`` opening with a header::

    # Question: Who risks CAATSA sanctions for buying the S-400?
    # Sentences: s03, s05, s06, s10
    # Param: fact = dkgr:contract-india-russia-s400-2018

Its hand-written answer sits beside it as ``<slug>.expected.csv``. User values
enter a query only as bindings (``initBindings``), never by string formatting.
Queries make no network requests: ``SERVICE`` is refused and ``FROM`` never
loads a graph from the web.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.query import Result

from .errors import KgError, SourceError, missing_file
from .namespace import PREFIXES
from .resources import checks_dir, queries_dir



def sparql_engine():
    """rdflib's SPARQL engine, locked down: it would otherwise fetch FROM/FROM NAMED IRIs over HTTP.

    Imported on first use (it costs more than rdflib itself), so that a ``kg query`` answered
    from the build's Oxigraph store never loads it. Every route that evaluates SPARQL with
    rdflib calls this first.
    """
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    return rdflib_sparql

_HEADER = re.compile(r"^#\s*([A-Za-z][\w -]*?)\s*:\s*(.*)$")
FORMATS = ("table", "csv", "tsv", "json", "xml")


@dataclass
class NamedQuery:
    slug: str
    path: Path
    text: str
    headers: dict[str, list[str]] = field(default_factory=dict)

    def header(self, key: str, default: str = "") -> str:
        values = self.headers.get(key.lower())
        return " ".join(values) if values else default

    @property
    def question(self) -> str:
        return self.header("question") or self.header("title")

    @property
    def params(self) -> dict[str, str]:
        """Declared parameters and their example values (``# Param: name = value``)."""
        out = {}
        for line in self.headers.get("param", []):
            name, _, value = line.partition("=")
            out[name.strip().lstrip("?$")] = value.strip()
        return out


def parse_headers(text: str) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if m and m.group(1).lower() in {"question", "title", "description", "severity", "sentences", "param", "answer", "note"}:
            last = m.group(1).lower()
            headers.setdefault(last, []).append(m.group(2).strip())
        elif last and line[1:].strip():
            headers[last].append(line[1:].strip())
    return headers


def load_query_file(path: Path, slug: str | None = None) -> NamedQuery:
    if not path.is_file():
        raise missing_file(path, "query file")
    text = path.read_text(encoding="utf-8")
    return NamedQuery(slug or path.stem, path, text, parse_headers(text))


def named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    folder = folder or queries_dir()
    return {p.stem: load_query_file(p) for p in sorted(folder.glob("*.rq"))}


def check_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    folder = folder or checks_dir()
    return {p.stem: load_query_file(p) for p in sorted(folder.glob("*-violation.rq"))}


def resolve_query(name: str) -> NamedQuery:
    """A query by slug, or by path to a ``.rq`` file."""
    if name.endswith(".rq") or "/" in name or "\\" in name:
        return load_query_file(Path(name))
    queries = named_queries()
    if name in queries:
        return queries[name]
    close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.4)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KgError(f"unknown query {name!r}{hint} (`kg questions` lists them)")


# --- parsing and execution ---------------------------------------------------------


def prepare(text: str, source: str = "<query>"):
    """Parse and translate *text*; a syntax error names ``source:line:column``."""
    from pyparsing import ParseException  # rdflib's parser raises these

    try:
        query = sparql_engine().prepareQuery(text, initNs=PREFIXES)
    except ParseException as exc:
        raise SourceError(source, f"SPARQL syntax error: {exc.msg}", exc.lineno, exc.col) from None
    except Exception as exc:  # unknown prefix and the like
        raise SourceError(source, f"SPARQL error: {exc}") from None
    _refuse_service(query.algebra)
    return query


def _refuse_service(node) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if getattr(n, "name", None) == "ServiceGraphPattern":
            raise KgError("SERVICE is disabled: queries make no outbound requests")
        if isinstance(n, dict):
            stack.extend(v for v in n.values() if isinstance(v, (dict, list)))
        elif isinstance(n, list):
            stack.extend(n)


def run(ds: Dataset | Graph, text: str, bindings: dict | None = None, source: str = "<query>") -> Result:
    query = prepare(text, source)
    try:
        return ds.query(query, initBindings=bindings or {})
    except KgError:
        raise
    except Exception as exc:
        raise KgError(f"{source}: query failed: {exc}") from None


def to_term(ds: Dataset | Graph, value: str):
    """Read a user's value: ``<iri>``, ``prefix:name``, a number, or a label.

    A label is looked up through a bound variable, never pasted into SPARQL.
    """
    value = value.strip()
    if value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    prefix, colon, local = value.partition(":")
    if colon and prefix in PREFIXES and " " not in value:
        return URIRef(PREFIXES[prefix] + local)
    if value.startswith(("http://", "https://")):
        return URIRef(value)
    if isinstance(ds, Graph):
        sparql_engine()
    rows = list(ds.query(
        "SELECT DISTINCT ?x WHERE { ?x rdfs:label|skos:altLabel ?l . FILTER(lcase(str(?l)) = lcase(str(?v))) }",
        initNs=PREFIXES, initBindings={"v": Literal(value)},
    ))
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise KgError(f"label {value!r} is ambiguous: {', '.join(sorted(shorten(r[0]) for r in rows))}")
    raise KgError(f"nothing is labelled {value!r}; give an IRI or prefix:name")


# --- result formats ---------------------------------------------------------------------


def shorten(term) -> str:
    if isinstance(term, URIRef):
        s = str(term)
        for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if s.startswith(ns) and re.fullmatch(r"[\w.\-]*", s[len(ns):]):
                return f"{prefix}:{s[len(ns):]}"
        return f"<{s}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if term is None:
        return ""
    return str(term)


def _label(ds, term) -> str | None:
    if not isinstance(term, URIRef):
        return None
    for lbl in ds.objects(term, RDFS.label):
        if isinstance(lbl, Literal) and lbl.language in (None, "en"):
            return str(lbl)
    return None


def format_table(result: Result, ds) -> str:
    if result.type == "ASK":
        return "yes" if result.askAnswer else "no"
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return result.graph.serialize(format="turtle")
    names = [str(v) for v in result.vars]
    rows = []
    for row in result:
        cells = []
        for term in row:
            text = shorten(term)
            label = _label(ds, term)
            if label and label != text:
                text = f"{label} ({text})"
            cells.append(text.replace("\n", " "))
        rows.append(cells)
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip()
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def _tsv_term(term) -> str:
    if term is None:
        return ""
    return term.n3()


def format_result(result: Result, fmt: str, ds=None) -> str:
    """Render *result* as ``table`` or a SPARQL 1.1 results format (csv, tsv, json, xml)."""
    if fmt == "table":
        return format_table(result, ds)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        rdf_fmt = {"json": "json-ld", "xml": "xml", "tsv": "nt", "csv": "nt"}.get(fmt, "turtle")
        text = result.graph.serialize(format=rdf_fmt)
        if rdf_fmt == "nt":  # a graph has no order: print its lines sorted, the same on every backend
            text = "".join(sorted(ln + "\n" for ln in text.splitlines() if ln.strip()))
        return text
    if fmt == "tsv":
        if result.type == "ASK":
            return "true" if result.askAnswer else "false"
        lines = ["\t".join(f"?{v}" for v in result.vars)]
        lines += ["\t".join(_tsv_term(t) for t in row) for row in result]
        return "\n".join(lines)
    if fmt == "csv":
        if result.type == "ASK":
            return "true" if result.askAnswer else "false"
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([str(v) for v in result.vars])
        for row in result:
            w.writerow(["" if t is None else (f"_:{t}" if isinstance(t, BNode) else str(t)) for t in row])
        return buf.getvalue().rstrip("\r\n")
    if fmt == "json":
        data = json.loads(result.serialize(format="json").decode("utf-8"))
        return json.dumps(data, indent=2, ensure_ascii=False)
    if fmt == "xml":
        return result.serialize(format="xml").decode("utf-8")
    raise KgError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")


def rows_as_text(result: Result) -> list[tuple[str, ...]]:
    """Rows with each term shortened to text: what expected-answer files hold."""
    return [tuple(shorten(t) for t in row) for row in result]
