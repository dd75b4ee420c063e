"""Reading hand-written expected answers and comparing results without regard to order."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from rdflib import Graph
from rdflib.compare import isomorphic
from utils import rows_as_text

from kg.sparql.named import NamedQuery


def expected_path(query: NamedQuery, as_of: str | None = None) -> Path:
    """``<slug>.expected.csv`` (or ``.ttl``); with *as_of*, ``<slug>.as-of-<DATE>.expected.csv``:
    the answer asked with ``--as-of DATE``."""
    stem = query.slug + (f".as-of-{as_of}" if as_of else "")
    for suffix in (".expected.csv", ".expected.ttl"):
        p = query.path.with_name(stem + suffix)
        if p.exists():
            return p
    raise AssertionError(f"{stem} has no expected-answer file beside it")


def as_of_dates(query: NamedQuery) -> list[str]:
    """The dates for which *query* has a hand-written as-of answer beside it."""
    prefix = query.slug + ".as-of-"
    return sorted(p.name[len(prefix):].split(".")[0] for p in query.path.parent.glob(prefix + "*.expected.*"))


def read_expected_rows(path: Path) -> tuple[list[str], Counter]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = Counter(tuple(r) for r in reader if r)
    return header, rows


def assert_matches_expected(query: NamedQuery, result, as_of: str | None = None) -> None:
    path = expected_path(query, as_of)
    if result.type == "CONSTRUCT" or result.type == "DESCRIBE":
        want = Graph().parse(path)
        assert isomorphic(result.graph, want), (
            f"{query.slug}: graph differs from {path.name}:\n" + result.graph.serialize(format="turtle")
        )
        return
    header, want = read_expected_rows(path)
    if result.type == "ASK":
        assert header == ["ask"] and len(want) == 1
        (value,) = next(iter(want))
        assert result.askAnswer is (value == "true")
        return
    names = [str(v) for v in result.vars]
    assert sorted(names) == sorted(header), f"{query.slug}: columns {names} != expected {header}"
    order = [names.index(h) for h in header]
    got = Counter(tuple(row[i] for i in order) for row in rows_as_text(result))
    assert got == want, f"{query.slug}:\n missing {want - got}\n unexpected {got - want}"
