"""Named SPARQL queries: discovery, headers and parameters (evaluation is :func:`kg.sparql.run`).

Each competency question is one ``queries/<slug>.rq`` opening with a header::

    # Question: Who risks CAATSA sanctions for buying the S-400?
    # Sentences: s03, s05, s06, s10
    # Param: fact = dkgr:contract-india-russia-s400-2018
    # Layer: article

Its hand-written answer sits beside it as ``<slug>.expected.csv``. ``Layer: article`` says
that answer is the article's own, as a build of the article alone gives it; without it (or
with ``Layer: all``) the answer is that of the whole graph, the cited sources included. User values
enter a query only as bindings (``initBindings``), never by string formatting.
Queries make no network requests: ``SERVICE`` is refused and ``FROM`` never
loads a graph from the web.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.core.errors import KgError, missing_file, read_utf8
from kg.core.resources import checks_dir, queries_dir

_HEADER = re.compile(r"^#\s*([A-Za-z][\w -]*?)\s*:\s*(.*)$")


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
    def layer(self) -> str:
        """``article``: the expected answer is the article's alone; ``all``: the whole graph's."""
        return (self.header("layer") or "all").split()[0]

    @property
    def params(self) -> dict[str, str]:
        """Declared parameters and their example values (``# Param: name = value``)."""
        out = {}
        for line in self.headers.get("param", []):
            name, _, value = line.partition("=")
            out[name.strip().lstrip("?$")] = value.strip()
        return out


_KEYS = {"question", "title", "description", "severity", "sentences", "sources", "param", "answer", "note", "layer"}


def parse_headers(text: str) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if m and m.group(1).lower() in _KEYS:
            last = m.group(1).lower()
            headers.setdefault(last, []).append(m.group(2).strip())
        elif last and line[1:].strip():
            headers[last].append(line[1:].strip())
    return headers


def load_query_file(path: Path, slug: str | None = None) -> NamedQuery:
    if not path.is_file():
        raise missing_file(path, "query file")
    text = read_utf8(path)
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
