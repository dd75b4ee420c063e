"""The one set of result writers, for the CLI and the server alike.

SELECT and ASK results: ``table`` (for a person, with labels), and the SPARQL 1.1 formats
``json``, ``xml``, ``csv`` and ``tsv``. CSV follows the SPARQL 1.1 CSV spec (RFC 4180
quoting, CRLF after every row, the last included); TSV writes terms in Turtle syntax with
their escapes, so a tab or newline inside a literal never breaks a row. No W3C form exists
for ASK in CSV/TSV; both give the one Jena and others use (``_askResult``, then
``true``/``false``). CONSTRUCT and DESCRIBE results are graphs, written in an RDF format.
"""

from __future__ import annotations

import csv
import io
import json

from kg.core.errors import KgError
from kg.core.terms import n3, shorten

#: SELECT / ASK formats
RESULT_FORMATS = ("table", "json", "xml", "csv", "tsv")
#: graph formats by short name -> rdflib serializer name
GRAPH_FORMATS = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "rdfxml": "xml"}
#: the graph format a result format stands for when a CONSTRUCT is asked in it (CLI --format)
GRAPH_FOR_RESULT_FORMAT = {"table": "turtle", "json": "jsonld", "xml": "rdfxml", "csv": "nt", "tsv": "nt"}


def is_graph(result) -> bool:
    return result.type in ("CONSTRUCT", "DESCRIBE")


def write_graph(graph, fmt: str) -> bytes:
    """A graph result in *fmt* (a :data:`GRAPH_FORMATS` name), the same bytes on every backend
    (:func:`kg.core.rdfio.serialize`: a graph has no order, so it is written in a fixed one)."""
    from kg.core.rdfio import serialize

    if fmt not in GRAPH_FORMATS:
        raise KgError(f"unknown graph format {fmt!r} (known: {', '.join(GRAPH_FORMATS)})")
    return serialize(graph, GRAPH_FORMATS[fmt])


def _csv_cell(term) -> str:
    if term is None:
        return ""
    from rdflib import BNode

    return f"_:{term}" if isinstance(term, BNode) else str(term)


def write(result, fmt: str, labels: dict | None = None) -> bytes:
    """*result* in *fmt*: a result format for SELECT/ASK, or a graph format for CONSTRUCT/DESCRIBE
    (a result format name stands for its graph format, as :data:`GRAPH_FOR_RESULT_FORMAT` says)."""
    if is_graph(result):
        return write_graph(result.graph, GRAPH_FOR_RESULT_FORMAT.get(fmt, fmt))
    if fmt == "table":
        return (table(result, labels or {}) + "\n").encode("utf-8")
    if fmt in ("csv", "tsv") and result.type == "ASK":
        answer = "true" if result.askAnswer else "false"
        return (f"_askResult\r\n{answer}\r\n" if fmt == "csv" else f"?_askResult\n{answer}\n").encode()
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow([str(v) for v in result.vars])
        for b in result.bindings:
            w.writerow([_csv_cell(b.get(v)) for v in result.vars])
        return buf.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in result.vars)]
        for b in result.bindings:
            lines.append("\t".join("" if b.get(v) is None else n3(b.get(v)) for v in result.vars))
        return ("\n".join(lines) + "\n").encode("utf-8")
    if fmt == "json":
        data = json.loads(result.serialize(format="json").decode("utf-8"))
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt == "xml":
        return result.serialize(format="xml", encoding="utf-8")
    raise KgError(f"unknown format {fmt!r} (known: {', '.join(RESULT_FORMATS)})")


def table(result, labels: dict) -> str:
    """A SELECT result as an aligned text table, IRIs shortened and labelled; ASK as yes/no."""
    if result.type == "ASK":
        return "yes" if result.askAnswer else "no"
    names = [str(v) for v in result.vars]
    rows = []
    for b in result.bindings:
        cells = []
        for v in result.vars:
            term = b.get(v)
            text = shorten(term)
            label = labels.get(term) if term is not None else None
            if label and label != text:
                text = f"{label} ({text})"
            cells.append(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))
        rows.append(cells)
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths)).rstrip()
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
