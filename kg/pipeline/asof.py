"""The graph as it stood on a date: ``kg query NAME --as-of DATE`` and ``?as-of=`` in ``kg serve``.

Valid time, not knowledge time: every source is read as we hold it now, and the question is
what had happened by the end of DATE (UTC). Each source's account is judged on its own terms,
graph by graph, because sources disagree on when things happened:

* an event a graph dates (``dkg:timeStart``) after DATE is not yet there, in that graph;
* an event a graph says only had happened by some day (``dkg:noLaterThan``) is there if that
  day is DATE or before;
* a node a graph describes without a time, which other graphs date, is there if any of them
  puts it by DATE (the contract the Bangladesh Post describes is the 2018 contract others date);
* a law is there once some graph has its enactment by DATE (a law with no enactment recorded
  is taken as in force);
* everything else (states, systems, lists) is there: they carry no time of their own.

Triples about, or pointing to, what is not yet there are left out of that graph, the
provenance of what is left out everywhere goes too, and the reasoner runs again over what
remains, so that what is derived (a risk of sanctions) is derived as of DATE. The dated nodes
come from one query (``queries/asof/dated-nodes.rq``); the date is compared with them in Python
and never enters SPARQL text.
"""

from __future__ import annotations

import datetime as dt

from rdflib import Graph

from kg.core.errors import KgError, read_utf8
from kg.core.iris import GRAPH_ASSERTED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, is_source_graph
from kg.core.resources import queries_dir
from kg.pipeline.build import reason
from kg.sparql import run
from kg.store import create, default_engine


def parse_date(text: str) -> dt.date:
    """An ISO 8601 calendar date (YYYY-MM-DD); anything else is a KgError."""
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise KgError(f"--as-of needs a date as YYYY-MM-DD, got {text!r}") from None


def not_yet(store, day: dt.date) -> dict[str, set]:
    """{fact graph IRI: the nodes it does not yet hold at the end of *day*}."""
    text = read_utf8(queries_dir() / "asof" / "dated-nodes.rq")
    limit = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.timezone.utc)
    own: dict[tuple[str, object], tuple[bool, bool]] = {}   # (graph, node) -> (dated here, by the day)
    anywhere: dict[object, bool] = {}                        # node -> some graph puts it by the day
    for g, node, start, by in run(store, text, source="queries/asof/dated-nodes.rq"):
        g = str(g)
        if g != GRAPH_ASSERTED and not is_source_graph(g):
            continue
        dated = start is not None or by is not None
        there = (start is not None and _instant(start) < limit) or (by is not None and _day(by) <= day)
        was_dated, was_there = own.get((g, node), (False, False))
        own[(g, node)] = (was_dated or dated, was_there or there)
        if dated:
            anywhere[node] = anywhere.get(node, False) or there
    out: dict[str, set] = {}
    for (g, node), (dated, there) in own.items():
        if (dated and not there) or (not dated and not anywhere.get(node, True)):
            out.setdefault(g, set()).add(node)
    # a law is not in force before its enactment: where no graph has it enacted by the day, it is
    # not there in any graph
    text = read_utf8(queries_dir() / "asof" / "enacted-laws.rq")
    enacted: dict[object, bool] = {}
    for enactment, law in run(store, text, source="queries/asof/enacted-laws.rq"):
        enacted[law] = enacted.get(law, False) or anywhere.get(enactment, True)
    for law, in_force in enacted.items():
        if not in_force:
            for g in fact_graphs(store):
                out.setdefault(g, set()).add(law)
    return out


def _instant(term) -> dt.datetime:
    value = term.toPython()
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    raise KgError(f"dkg:timeStart {term!r} is not an xsd:dateTime")


def _day(term) -> dt.date:
    value = term.toPython()
    if isinstance(value, dt.date):
        return value
    raise KgError(f"dkg:noLaterThan {term!r} is not an xsd:date")


def fact_graphs(store) -> list[str]:
    """The graphs that hold facts: the articles' and every cited source's."""
    return [g for g in (store.graphs() or []) if g == GRAPH_ASSERTED or is_source_graph(g)]


def as_of(store, date, engine: str | None = None):
    """A new in-memory store of the same backend: *store* as it stood at the end of *date*."""
    day = date if isinstance(date, dt.date) else parse_date(date)
    absent = not_yet(store, day)
    graphs = fact_graphs(store)
    everywhere = None
    for g in graphs:
        gone = absent.get(g, set())
        everywhere = set(gone) if everywhere is None else everywhere & gone
    everywhere = everywhere or set()

    out = create(store.backend)
    out.add_graph(GRAPH_ONTOLOGY, store.graph(GRAPH_ONTOLOGY))
    for g in graphs:
        gone = absent.get(g, set())
        kept = Graph()
        for s, p, o in store.graph(g):
            if s not in gone and o not in gone:
                kept.add((s, p, o))
        out.add_graph(g, kept)
    prov = Graph()
    for s, p, o in store.graph(GRAPH_PROVENANCE):
        if s not in everywhere:
            prov.add((s, p, o))
    out.add_graph(GRAPH_PROVENANCE, prov)
    reason(out, engine or default_engine(store.backend))
    return out
