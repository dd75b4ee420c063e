"""Parsing RDF with located errors, and deterministic serialisation."""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph

from kg.core.errors import KgError, SourceError, missing_file, read_utf8
from kg.core.namespace import bind_prefixes


def parse_turtle(path: str | Path, graph: Graph | None = None) -> Graph:
    """Parse a Turtle file into *graph*; a syntax error names ``file:line:column``."""
    path = Path(path)
    if not path.is_file():
        raise missing_file(path)
    graph = Graph() if graph is None else graph
    data = read_utf8(path)
    try:
        graph.parse(data=data, format="turtle", publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises BadSyntax and a few others
        line, column, why = _locate(exc, data)
        raise SourceError(path, f"malformed Turtle: {why}", line, column) from None
    return graph


def _locate(exc: Exception, data: str) -> tuple[int | None, int | None, str]:
    why = str(getattr(exc, "_why", None) or exc).strip()
    pos = getattr(exc, "_i", None)
    argstr = getattr(exc, "_str", None)
    if isinstance(argstr, bytes):
        argstr = argstr.decode("utf-8", "replace")
    if isinstance(pos, int) and isinstance(argstr, str):
        # notation3's BadSyntax: character index into the parsed string
        before = argstr[:pos]
        line = before.count("\n") + 1
        column = pos - (before.rfind("\n") + 1) + 1
        return line, column, why
    m = re.search(r"line (\d+)", str(exc))
    if m:
        return int(m.group(1)), None, why
    return None, None, why


def canonical_bnodes(graph: Graph) -> Graph:
    """A copy of *graph* whose blank nodes carry content-derived, stable labels."""
    if not any(isinstance(t, BNode) for triple in graph for t in triple):
        return graph
    out = Graph()
    for triple in to_canonical_graph(graph):
        out.add(triple)
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    return out


def _term_key(term) -> tuple:
    return (type(term).__name__, str(term), str(getattr(term, "datatype", "") or ""), getattr(term, "language", "") or "")


class OrderedGraph(Graph):
    """A graph whose every pattern match comes out sorted.

    rdflib's memory store keeps a graph's triples in sets, so the order its serialisers
    (RDF/XML, JSON-LD) write them in changes with each process's hash seed; reading them from
    this graph fixes it.
    """

    def triples(self, triple):
        yield from sorted(super().triples(triple), key=lambda t: tuple(_term_key(x) for x in t))


def stable_copy(graph: Graph) -> Graph:
    """A copy of *graph* that serialises to the same bytes in every run: blank nodes relabelled
    from their content (:func:`canonical_bnodes`), every match read in sorted order."""
    g = canonical_bnodes(graph)
    out = OrderedGraph()
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    for triple in g:
        out.add(triple)
    return out


def stable_dataset(ds: Dataset) -> Dataset:
    """:func:`stable_copy` of every graph of *ds*, the graphs in IRI order."""
    out = Dataset()
    bind_prefixes(out)
    for ctx in sorted(ds.contexts(), key=lambda c: str(c.identifier)):
        if len(ctx) == 0:
            continue
        target = out.graph(ctx.identifier)
        for t in stable_copy(ctx):
            target.add(t)
    return out


def _canonical(data: Graph | Dataset) -> Graph | Dataset:
    """*data* with content-derived blank-node labels (itself if it has no blank nodes)."""
    if not isinstance(data, Dataset):
        return canonical_bnodes(data)
    if not any(isinstance(x, BNode) for q in data.quads((None, None, None, None)) for x in q[:3]):
        return data
    out = Dataset()
    bind_prefixes(out)
    for ctx in data.contexts():
        target = out.graph(ctx.identifier)
        for t in canonical_bnodes(ctx):
            target.add(t)
    return out


def serialize(data: Graph | Dataset, fmt: str) -> bytes:
    """Serialise deterministically, in any format: the same graph gives the same bytes.

    Line formats are sorted; the others are written from a :func:`stable_copy`.
    """
    bind_prefixes(data)
    if fmt in ("nt", "nquads"):
        data = _canonical(data)
        text = data.serialize(format="nt11" if fmt == "nt" else "nquads", encoding="utf-8").decode("utf-8")
        lines = sorted({ln for ln in text.splitlines() if ln.strip()})
        return ("\n".join(lines) + "\n").encode("utf-8")
    if isinstance(data, Dataset):
        data = stable_dataset(data)
        if fmt == "trig":
            return _trig_sorted(data)
    else:
        data = stable_copy(data)
        bind_prefixes(data)
    if fmt == "json-ld":
        # compact, with our prefixes as its @context: "dkgr:India", not the full IRI, in every key
        from kg.core.iris import PREFIXES

        return _jsonld_sorted(data.serialize(format="json-ld", encoding="utf-8", context=dict(PREFIXES),
                                             auto_compact=True))
    return data.serialize(format=fmt, encoding="utf-8")


def _jsonld_sorted(payload: bytes) -> bytes:
    """JSON-LD with its keys and its arrays in one order (rdflib's follows the store's sets).

    Arrays in JSON-LD are unordered sets, except the value of ``@list``, which keeps its order.
    """
    import json

    def norm(value, in_list=False):
        if isinstance(value, dict):
            return {k: norm(v, k == "@list") for k, v in value.items()}
        if isinstance(value, list):
            items = [norm(v) for v in value]
            return items if in_list else sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
        return value

    data = norm(json.loads(payload.decode("utf-8")))
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _trig_sorted(ds: Dataset) -> bytes:
    """TriG with its graphs in a fixed order (rdflib's follows a set's order)."""
    chunks, head = [], set()
    for ctx in sorted(ds.contexts(), key=lambda c: str(c.identifier)):
        if len(ctx) == 0:
            continue
        one = Dataset()
        bind_prefixes(one)
        target = one.graph(ctx.identifier)
        for t in ctx:
            target.add(t)
        text = one.serialize(format="trig")
        lines = text.splitlines()
        prefix_lines = [ln for ln in lines if ln.startswith("@prefix")]
        body = [ln for ln in lines if not ln.startswith("@prefix")]
        head.update(prefix_lines)
        chunks.append("\n".join(body).strip("\n"))
    return ("\n".join(sorted(head)) + "\n\n" + "\n\n".join(chunks) + "\n").encode("utf-8")


@contextmanager
def atomic_file(path: str | Path):
    """``with atomic_file(path) as fh: fh.write(...)``: *path* appears whole, or not at all.

    The bytes go to a temporary file beside *path*, which replaces it by a rename only when
    the block ends without an error; the one atomic writer of every output.

    An :class:`OSError` (no such folder, no permission, a full disk, *path* a directory) is a
    :class:`~kg.core.errors.KgError` naming *path* and the reason.
    """
    path = Path(path)
    if path.is_dir():
        raise KgError(f"{path}: cannot write it: it is a directory (give a file name)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise cannot_write(path, exc) from None
        raise


def cannot_write(path: str | Path, exc: OSError, what: str = "it") -> KgError:
    """The KgError for an OSError met while writing *path*: the path and the reason."""
    return KgError(f"{path}: cannot write {what}: {exc.strerror or exc}")


def make_dir(path: str | Path, what: str = "folder") -> Path:
    """Create the folder *path* (and its parents) if it is missing; a KgError if it cannot be."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise KgError(f"{path}: cannot create the {what}: {exc.strerror or exc}") from None
    return path


def write_atomic(path: str | Path, payload: bytes) -> None:
    """Write *payload* to *path* through a temporary file and a rename."""
    with atomic_file(path) as fh:
        fh.write(payload)
