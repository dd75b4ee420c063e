"""Pictures of the graph: who deals with whom over what, and a timeline of dated events.

:func:`network` picks the actors, systems, agreements, deals, offers, laws and sanctions
and the relations between them (asserted edges solid, inferred edges dashed and red);
:func:`timeline_events` lists the dated events and how each date is known (stated,
inferred from cited reports, or only placed by the date of the report). Both become
Graphviz DOT text; :func:`render` runs Graphviz (Debian's ``graphviz`` package) to make
SVG or PNG, and :func:`html_page` wraps the SVG in a small offline page where clicking a
node shows its evidence.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rdflib import RDF, RDFS, Dataset, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.core.errors import KgError
from kg.core.iris import SOURCE_GRAPH, SOURCE_RESOURCE, is_source_graph
from kg.core.namespace import DKG, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_PROVENANCE
from kg.core.rdfio import write_atomic
from kg.explanation.explainer import RULES, Explainer

FONT = "DejaVu Sans"

#: Node categories of the overview: (name, classes, Graphviz shape, style, fill colour).
CATEGORIES = [
    ("state", (DKG.State,), "ellipse", "filled", "#cfe2f3"),
    ("organisation", (DKG.Organisation,), "ellipse", "filled", "#d9ead3"),
    ("person", (DKG.Person,), "ellipse", "filled,dashed", "#eeeeee"),
    ("defence system", (DKG.DefenceSystem,), "box3d", "filled", "#fff2cc"),
    ("law", (DKG.Law,), "folder", "filled", "#f4cccc"),
    ("defence agreement", (DKG.DefenceAgreement,), "note", "filled", "#d0e0e3"),
    ("arms deal", (DKG.ArmsDeal,), "box", "filled,rounded", "#fce5cd"),
    ("offer", (DKG.Offer,), "box", "filled,rounded,dashed", "#fce5cd"),
    ("sanction", (DKG.Sanction,), "octagon", "filled", "#ea9999"),
    ("threat", (DKG.ConditionalThreat,), "hexagon", "filled", "#f9cb9c"),
]
#: Extra categories drawn only around a --focus node.
FOCUS_CATEGORIES = [
    ("actor group", (DKG.ActorGroup,), "ellipse", "filled,dotted", "#eeeeee"),
    ("event", (DKG.Event,), "box", "filled,rounded", "#f3f3f3"),
    ("situation", (DKG.Situation,), "box", "filled,dotted", "#f3f3f3"),
    ("other", (DKG.Place, DKG.Topic, DKG.Post), "plaintext", "filled", "#ffffff"),
]
INFERRED_COLOUR = "#c0392b"
#: The views' titles (``kg viz`` and ``kg docs`` draw the same pictures).
NETWORK_TITLE = "Actors, systems, agreements and sanctions"
TIMELINE_TITLE = "Timeline of dated events"
#: Rules whose conclusion only restates a drawn edge (its inverse, a super-property...).
RESTATING_RULES = {"prp-inv1", "prp-inv2", "prp-spo1", "prp-eqp1", "prp-eqp2", "prp-symp"}


# --- the network ---------------------------------------------------------------------------


@dataclass
class Node:
    iri: URIRef
    label: str
    category: str


@dataclass
class Edge:
    s: URIRef
    p: URIRef
    o: URIRef
    label: str
    inferred: bool
    note: str = ""     #: how the fact is known, in plain words (the SVG's tooltip)
    rule: str = ""     #: the rule that derived it (an expert detail), "" for a stated fact


@dataclass
class Network:
    nodes: dict[URIRef, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    focus: URIRef | None = None


def _types(ds: Dataset, node) -> set:
    return set(ds.graph(GRAPH_ASSERTED).objects(node, RDF.type)) | set(ds.graph(GRAPH_INFERRED).objects(node, RDF.type))


def _category(ds: Dataset, node, categories) -> tuple | None:
    types = _types(ds, node)
    if DKG.NewsOutlet in types:
        return None
    for cat in categories:
        if types & set(cat[1]):
            return cat
    return None


def network(ds: Dataset, focus: URIRef | None = None, hops: int = 2, explainer: Explainer | None = None) -> Network:
    """The nodes and labelled edges to draw (around *focus*, within *hops*, if given)."""
    ex = explainer or Explainer(ds)
    asserted, inferred = ds.graph(GRAPH_ASSERTED), ds.graph(GRAPH_INFERRED)
    cats = CATEGORIES + FOCUS_CATEGORIES if focus is not None else CATEGORIES
    subjects = set(asserted.subjects())
    if focus is not None and focus not in subjects:
        raise KgError(f"{ex.term(focus)} is not a node of the asserted graph; nothing to focus on")
    chosen: dict[URIRef, tuple] = {}
    for node in subjects:
        cat = _category(ds, node, cats)
        if cat is not None:
            chosen[node] = cat
    drawn_asserted = set()
    edges: list[Edge] = []
    for s, p, o in asserted:
        if s in chosen and o in chosen and p != RDF.type and s != o:
            drawn_asserted.add((s, p, o))
            edges.append(Edge(s, p, o, ex.label(p), False, _edge_note(ex, ex.explain((s, p, o)))))
    for s, p, o in inferred:
        if s in chosen and o in chosen and p != RDF.type and s != o and isinstance(o, URIRef):
            exp = ex.explain((s, p, o))
            if exp.rule in RESTATING_RULES and any(pr.triple in drawn_asserted for pr in exp.premises):
                continue
            edges.append(Edge(s, p, o, ex.label(p), True, _edge_note(ex, exp), exp.rule or ""))
    nodes = set(chosen)
    if focus is not None:
        nodes = _within(focus, edges, hops)
    edges = [e for e in edges if e.s in nodes and e.o in nodes]
    linked = {e.s for e in edges} | {e.o for e in edges} | ({focus} if focus is not None else set())
    net = Network(focus=focus)
    for n in sorted(nodes & linked, key=str):
        net.nodes[n] = Node(n, ex.label(n), chosen[n][0])
    net.edges = sorted(edges, key=lambda e: (str(e.s), str(e.p), str(e.o)))
    return net


def _within(focus, edges, hops):
    adj: dict = {}
    for e in edges:
        adj.setdefault(e.s, set()).add(e.o)
        adj.setdefault(e.o, set()).add(e.s)
    seen = {focus: 0}
    todo = deque([focus])
    while todo:
        n = todo.popleft()
        if seen[n] >= hops:
            continue
        for m in adj.get(n, ()):
            if m not in seen:
                seen[m] = seen[n] + 1
                todo.append(m)
    return set(seen)


def _edge_note(ex: Explainer, exp) -> str:
    """How a drawn fact is known, in plain words (no rule names: those are an expert detail)."""
    if exp.kind == "asserted":
        sentences = [q.sentence_id for q in exp.best_quotes() if q.sentence_id]
        return ("stated in sentence" + ("s " if len(sentences) > 1 else " ") + ", ".join(sentences)) if sentences \
            else "stated by a cited source"
    facts = exp.supporting_facts()
    return "derived by reasoning from: " + "; ".join(f.text for f in facts)


def _id(iri) -> str:
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", str(iri).rsplit("/", 1)[-1])


def _q(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wrap(text: str, width: int = 22) -> str:
    words, lines, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > width:
            lines.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}".strip()
    if cur:
        lines.append(cur)
    return "\n".join(lines)


def network_dot(net: Network, title: str = "", legend: bool = True) -> str:
    """The network as DOT; *legend* draws the legend beside it (the HTML view has its own)."""
    styles = {c[0]: c for c in CATEGORIES + FOCUS_CATEGORIES}
    out = [
        "digraph kg {",
        f'  graph [rankdir=LR, fontname="{FONT}", fontsize=12, nodesep=0.35, ranksep=0.9, pad=0.3, '
        f'labelloc=t, label={_q(title)}];',
        f'  node [fontname="{FONT}", fontsize=11, margin="0.12,0.06"];',
        f'  edge [fontname="{FONT}", fontsize=9, color="#555555", arrowsize=0.7];',
    ]
    for n in net.nodes.values():
        _, _, shape, style, fill = styles[n.category]
        pen = ', penwidth=2.5' if n.iri == net.focus else ""
        out.append(f"  {_id(n.iri)} [label={_q(_wrap(n.label))}, shape={shape}, style={_q(style)}, "
                   f"fillcolor={_q(fill)}, tooltip={_q(n.category + ': ' + str(n.iri))}, id={_q(_id(n.iri))}{pen}];")
    for e in net.edges:
        if e.inferred:
            attrs = (f'style=dashed, color="{INFERRED_COLOUR}", fontcolor="{INFERRED_COLOUR}", penwidth=1.6, '
                     f'label={_q(e.label + " (inferred)")}')
        else:
            attrs = f"label={_q(e.label)}"
        out.append(f"  {_id(e.s)} -> {_id(e.o)} [{attrs}, tooltip={_q(e.note)}];")
    if not legend:
        out.append("}")
        return "\n".join(out) + "\n"
    used = used_categories(net)
    out.append('  subgraph cluster_legend { label="legend"; fontsize=11; style="rounded"; color="#999999";')
    names = []
    for name, _, shape, style, fill in used:
        names.append(f"legend_{re.sub(r'[^a-z]', '_', name)}")
        out.append(f"    {names[-1]} [label={_q(name)}, shape={shape}, style={_q(style)}, "
                   f'fillcolor={_q(fill)}, fontsize=9];')
    # two columns: pair the entries with invisible edges
    for a, b in zip(names[0::2], names[1::2]):
        out.append(f"    {a} -> {b} [style=invis];")
    out.append('    legend_a [label="", shape=point, width=0.05]; legend_b [label="", shape=point, width=0.05];')
    out.append('    legend_c [label="", shape=point, width=0.05]; legend_d [label="", shape=point, width=0.05];')
    out.append('    legend_a -> legend_b [label="asserted (stated in the article)"];')
    out.append(f'    legend_c -> legend_d [label="inferred (derived by reasoning)", style=dashed, color="{INFERRED_COLOUR}", '
               f'fontcolor="{INFERRED_COLOUR}"];')
    out.append("  }")
    out.append("}")
    return "\n".join(out) + "\n"


def used_categories(net: Network) -> list[tuple]:
    """The categories of the drawn nodes, in legend order."""
    return [c for c in CATEGORIES + FOCUS_CATEGORIES if any(n.category == c[0] for n in net.nodes.values())]


# --- the timeline ----------------------------------------------------------------------------


@dataclass
class TimelineEvent:
    iri: URIRef
    label: str
    kind: str          #: "stated", "cited", "inferred" or "reported" (:data:`TIMELINE_KINDS`)
    when: str          #: the date in words, e.g. "2018 (stated)", "17 July 2019 (cited)", "reported June 2019"
    sort: tuple        #: (year, month, day)
    note: str = ""
    sentences: list[str] = field(default_factory=list)
    given: str = ""    #: the date as the graph holds it (ISO 8601), "" for an undated event
    sources: list[tuple[str, str]] = field(default_factory=list)  #: (source, its grade) the date comes from


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def _fmt_date(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def _fmt_iso(iso: str) -> str:
    """An ISO 8601 year, year-month, date or interval of them, in words at its own precision."""
    first, _, last = iso.partition("/")
    if len(first) == 10 and len(last) in (0, 10):
        d0 = date.fromisoformat(first)
        if not last:
            return _fmt_date(d0)
        d1 = date.fromisoformat(last)
        if (d0.year, d0.month) == (d1.year, d1.month):
            return f"{d0.day}–{d1.day} {MONTHS[d0.month - 1]} {d0.year}"
        return f"{_fmt_date(d0)} – {_fmt_date(d1)}"
    if len(first) == 7 and not last:
        return f"{MONTHS[int(first[5:7]) - 1]} {first[:4]}"
    return iso


def _sort_key(iso: str) -> tuple[int, int, int]:
    """(year, month, day) of an ISO 8601 year, year-month or date; 0 for a part not given."""
    parts = [int(x) for x in iso.split("-")[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def _cited_values(ds: Dataset, ev, p) -> list[tuple[str, URIRef]]:
    """(value, cited source) of *p* on *ev* in each cited source's graph."""
    out = set()
    for _, _, o, g in ds.quads((ev, p, None, None)):
        g = str(getattr(g, "identifier", g))
        if is_source_graph(g):
            out.add((str(o), URIRef(SOURCE_RESOURCE + g[len(SOURCE_GRAPH):])))
    return sorted(out)


def timeline_events(ds: Dataset, explainer: Explainer | None = None, grades: dict | None = None) -> list[TimelineEvent]:
    """Dated events, each with how its date is known and the sources (with their grades) it comes from.

    * **stated**: the article states it (``dkg:statedTime`` in the articles' graph, quoted), at
      its own precision (a year stays a year);
    * **cited**: only a cited source gives it (``dkg:statedTime`` in a cited source's graph); where
      cited sources give different dates, the most precise is drawn and every one is named;
    * **inferred**: the article gives no date and one was worked out from it and cited reports
      (``dkg:inferredTime``, with its ``dkg:dateNote``);
    * **reported**: undated, but the article reports it as standing at the time of writing (an
      offer awaiting its answer, an ongoing or upcoming event): placed at the article's date.

    Other undated events are left out.
    """
    ex = explainer or Explainer(ds)
    grades = _grades(ds) if grades is None else grades
    asserted, prov = ds.graph(GRAPH_ASSERTED), ds.graph(GRAPH_PROVENANCE)
    events = {ev for ev, _, _, g in ds.quads((None, DKG.statedTime, None, None))
              if is_source_graph(str(getattr(g, "identifier", g)))}  # the events only a cited source dates
    for node in set(asserted.subjects()):
        if DKG.Event in _types(ds, node) or any((c, RDFS.subClassOf, DKG.Event) in ex.kb for c in _types(ds, node)):
            events.add(node)

    def graded(source) -> tuple[str, str]:
        """The source by its publisher's name (its title where it names none), and its grade."""
        publisher = prov.value(source, DCTERMS.publisher)
        return ex.label(publisher if publisher is not None else source), grades.get(str(source), "")

    out = []
    for ev in events:
        label = ex.label(ev)
        quotes = ex.quotes(ev)
        sentences = list(dict.fromkeys(q.sentence_id for q in quotes if q.sentence_id))
        articles = list(dict.fromkeys(q.article for q in quotes if q.article is not None and not q.is_citation))
        cited = list(dict.fromkeys(q.cited_source for q in quotes if q.is_citation and q.cited_source is not None))
        stated = asserted.value(ev, DKG.statedTime)
        day = asserted.value(ev, DKG.dayOfWeek)
        inferred = asserted.value(ev, DKG.inferredTime)
        given = _cited_values(ds, ev, DKG.statedTime)
        if stated is not None:
            days: dict = {}
            for v, src in given:  # what cited sources add: a more precise date, each by who gives it
                days.setdefault(v, []).append(graded(src)[0])
            note = "; ".join(f"{_fmt_iso(v)} per {', '.join(dict.fromkeys(who))}" for v, who in sorted(days.items()))
            out.append(TimelineEvent(ev, label, "stated", f"{stated} (stated)", _sort_key(str(stated)), note, sentences,
                                     str(stated), [graded(a) for a in articles]))
        elif inferred is not None:
            first = str(inferred).partition("/")[0]
            note = f"the article says '{day}'" if day is not None else "the article gives no date"
            out.append(TimelineEvent(ev, label, "inferred", f"inferred {_fmt_iso(str(inferred))}", _sort_key(first),
                                     note, sentences, str(inferred), [graded(s) for s in articles + cited]))
        elif given:
            value = max((v for v, _ in given), key=lambda v: (len(v.partition("/")[0]), [-x for x in _sort_key(v)]))
            differ = len({v for v, _ in given}) > 1
            note = ("sources differ: " + "; ".join(f"{_fmt_iso(v)} ({graded(src)[0]})" for v, src in given)
                    if differ else "")
            sources = [graded(src) for v, src in given if v == value] + \
                      [graded(src) for v, src in given if v != value]
            out.append(TimelineEvent(ev, label, "cited", f"{_fmt_iso(value)} (cited)",
                                     _sort_key(value.partition("/")[0]), note, sentences, value, sources))
        else:
            standing = (asserted.value(ev, DKG.responseStatus) is not None
                        or (ev, DKG.ongoing, Literal(True)) in asserted
                        or (ev, DKG.upcoming, Literal(True)) in asserted)
            if not standing:
                continue
            article = next((q.article for q in quotes if q.article is not None), None)
            published = prov.value(article, DCTERMS.date) if article is not None else None
            if published is None:
                continue
            text = str(published)
            y, m = int(text[:4]), int(text[5:7]) if len(text) >= 7 else 0
            when = f"reported {MONTHS[m - 1]} {y}" if m else f"reported {y}"
            status = asserted.value(ev, DKG.responseStatus)
            why = (f"undated; {ex.label(status)} when reported" if status is not None
                   else "undated; ongoing when reported" if (ev, DKG.ongoing, Literal(True)) in asserted
                   else "undated; upcoming when reported")
            out.append(TimelineEvent(ev, label, "reported", when, (y, m, 0), why, sentences, "", [graded(article)]))
    out.sort(key=lambda e: (e.sort, e.kind != "stated", e.label))
    return out


TIMELINE_KINDS = (("stated", "date stated in the article"),
                  ("cited", "date given by a cited source"),
                  ("inferred", "date inferred from the article and cited reports"),
                  ("reported", "undated: placed at the report's date"))
TIMELINE_STYLES = {"stated": ("solid", "#fce5cd"), "cited": ("bold", "#cfe2f3"), "inferred": ("dashed", "#fff2cc"),
                   "reported": ("dotted", "#eeeeee")}


#: the border's width per kind of date: a cited date's card has a thick border
PENWIDTH = {"stated": 1.4, "cited": 3.5, "inferred": 1.4, "reported": 1.4}


def _sources_line(sources: list[tuple[str, str]]) -> str:
    """The sources of an event's date, with their grades, for its drawn card."""
    if not sources:
        return ""
    sources = list(dict.fromkeys(sources))
    names = [f"{name} ({grade or 'ungraded'})" for name, grade in sources[:2]]
    more = f" and {len(sources) - 2} more" if len(sources) > 2 else ""
    return ("source: " if len(sources) == 1 else "sources: ") + "; ".join(names) + more


def timeline_dot(events: list[TimelineEvent], title: str = TIMELINE_TITLE, legend: bool = True) -> str:
    """A timeline laid out by hand (Graphviz ``neato -n2``): years along an axis, events above;
    *legend* draws the legend under the axis (the HTML view has its own)."""
    if not events:
        raise KgError("no dated events to draw")
    years = list(range(min(e.sort[0] for e in events), max(e.sort[0] for e in events) + 1))
    col_w, card_w, gap, axis_y, left = 250, 220, 14, 40, 90
    x_of = {y: left + i * col_w for i, y in enumerate(years)}
    styles = TIMELINE_STYLES
    out = [
        "digraph timeline {",
        f'  graph [fontname="{FONT}", labelloc=t, label={_q(title)}, fontsize=14, splines=false, pad=0.3];',
        f'  node [fontname="{FONT}", fontsize=10];',
        '  edge [arrowhead=none, color="#999999"];',
    ]
    for y in years:
        out.append(f'  y{y} [label="{y}", shape=box, style="filled,bold", fillcolor="#444444", fontcolor=white, '
                   f'fontsize=12, pos="{x_of[y]},{axis_y}!", width=0.8, height=0.3];')
    for a, b in zip(years, years[1:]):
        out.append(f"  y{a} -> y{b} [penwidth=3, color=\"#444444\"];")
    heights: dict[int, float] = {}
    for i, e in enumerate(events):
        y = e.sort[0]
        title_lines = _wrap(e.label, 34).split("\n")
        detail = ([e.when] + ([e.note] if e.note else []) + ([_sources_line(e.sources)] if e.sources else [])
                  + (["sentence" + ("s " if len(e.sentences) > 1 else " ") + ", ".join(e.sentences)] if e.sentences else []))
        detail_lines = [ln for d in detail for ln in _wrap(d, 40).split("\n")]
        n_lines = len(title_lines) + len(detail_lines)
        h = 16 + 13 * n_lines
        base = heights.get(y, axis_y + 40)
        cy = base + h / 2
        heights[y] = base + h + gap
        style, fill = styles[e.kind]
        rows = "".join(f"<B>{html.escape(t)}</B><BR/>" for t in title_lines)
        rows += "".join(f'<FONT POINT-SIZE="9">{html.escape(t)}</FONT><BR/>' for t in detail_lines)
        out.append(f'  e{i} [shape=box, style="filled,rounded,{style}", fillcolor="{fill}", penwidth={PENWIDTH[e.kind]}, '
                   f'label=<{rows}>, pos="{x_of[y]},{cy}!", width={card_w / 72:.2f}, height={h / 72:.2f}, fixedsize=true, '
                   f'tooltip={_q(e.label + ": " + e.when)}, id={_q(_id(e.iri))}];')
    lx = left
    for kind, text in (TIMELINE_KINDS if legend else ()):
        style, fill = styles[kind]
        out.append(f'  legend_{kind} [shape=box, style="filled,rounded,{style}", fillcolor="{fill}", penwidth={PENWIDTH[kind]}, label={_q(text)}, '
                   f'fontsize=9, pos="{lx + 30},{axis_y - 45}!", width=3.3, height=0.35, fixedsize=true];')
        lx += 265
    out.append("}")
    return "\n".join(out) + "\n"


# --- rendering --------------------------------------------------------------------------------


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def render(dot_text: str, fmt: str, engine: str = "dot") -> bytes:
    """Run Graphviz on *dot_text*, returning SVG or PNG bytes."""
    exe = shutil.which(engine)
    if exe is None:
        raise KgError(f"Graphviz's `{engine}` is not installed (Debian: apt-get install graphviz)")
    args = [exe, f"-T{fmt}"]
    if engine == "neato":
        args.append("-n2")
    if fmt == "png":
        args.append("-Gdpi=110")
    proc = subprocess.run(args, input=dot_text.encode("utf-8"), capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise KgError(f"Graphviz failed: {proc.stderr.decode('utf-8', 'replace').strip()[:500]}")
    return proc.stdout


def _grades(ds: Dataset) -> dict:
    """source IRI -> its label and Admiralty grade (e.g. "F6"), for the cards."""
    from kg.sparql.sources import list_sources

    return {str(row["source"]): str(row["grade"]) if row["grade"] is not None else "" for row in list_sources(ds)}


def _evidence(q, grades: dict) -> dict:
    """One source of a fact, for a card: the sentence with the quote marked, or the citation,
    with the source's name and grade."""
    if q.is_citation:
        return {"source": q.cited_label or str(q.cited_source), "grade": grades.get(str(q.cited_source), ""),
                "note": q.citation_note, "by": q.asserted_by_label, "mode": q.mode}
    before, quote, after = q.parts()
    return {"source": q.article_label or (str(q.article) if q.article is not None else ""),
            "grade": grades.get(str(q.article), "") if q.article is not None else "",
            "sentence": q.sentence_id, "before": before, "quote": quote, "after": after,
            "by": q.asserted_by_label, "mode": q.mode}


def _sentences_once(quotes, grades: dict) -> list[dict]:
    """The quotes as one entry per sentence (a citation per source): a sentence that supports
    several facts is quoted once."""
    out, seen = [], set()
    for q in quotes:
        key = ("s", q.sentence_id) if q.sentence_id else ("c", str(q.cited_source), q.citation_note)
        if key not in seen:
            seen.add(key)
            out.append(_evidence(q, grades))
    return out


def _wikidata(ds: Dataset, node) -> str:
    from rdflib.namespace import OWL, SKOS

    from kg.core.iris import WD

    for p in (SKOS.exactMatch, OWL.sameAs):
        for _, _, o, _ in ds.quads((node, p, None, None)):
            if str(o).startswith(WD):
                return str(o)
    return ""


def node_details(ds: Dataset, net: Network, explainer: Explainer, grades: dict | None = None) -> dict:
    """Per drawn node, its card as the entity page has it, in plain words: label, kind, Wikidata
    link; the sentences about it (each once); its stated facts, each with its sources and their
    grades; its derived facts, each with the facts it was derived from (the rule that derived it,
    and the IRIs, only as an expert detail)."""
    grades = _grades(ds) if grades is None else grades
    out = {}
    for n in net.nodes.values():
        stated, derived = [], []
        for e in net.edges:
            if n.iri not in (e.s, e.o):
                continue
            other = e.o if e.s == n.iri else e.s
            fact = {"text": f"{net.nodes[e.s].label} — {e.label} — {net.nodes[e.o].label}", "other_id": _id(other)}
            exp = explainer.explain((e.s, e.p, e.o))
            if e.inferred:
                rule = exp.rule or e.rule
                fact.update({"from": [f.text for f in exp.supporting_facts()], "rule": rule,
                             "rule_description": RULES.get(rule, "") if rule else ""})
                derived.append(fact)
            else:
                fact["sources"] = _sentences_once(exp.best_quotes(), grades)
                stated.append(fact)
        out[_id(n.iri)] = {"label": n.label, "iri": str(n.iri), "category": n.category,
                           "wikidata": _wikidata(ds, n.iri),
                           "sentences": _sentences_once(explainer.quotes(n.iri), grades),
                           "stated": stated, "derived": derived}
    return out


def _precision(iso: str) -> str:
    """How precise an ISO 8601 date or interval is, in words."""
    first, _, last = iso.partition("/")
    if last:
        return "a range of days" if len(first) == 10 else "a range"
    return {4: "to the year", 7: "to the month", 10: "to the day"}.get(len(first), "as given")


def timeline_details(ds: Dataset, events: list[TimelineEvent], explainer: Explainer,
                     grades: dict | None = None) -> dict:
    """Per drawn event, its card: the event, its date with how precise it is and how it is known,
    and its sources (the sentence quoted once, with the quote marked; the cited reports), each
    with its grade."""
    grades = _grades(ds) if grades is None else grades
    how = dict(TIMELINE_KINDS)
    out = {}
    for e in events:
        precision = _precision(e.given) if e.given else "to the month of the report"
        out[_id(e.iri)] = {"label": e.label, "iri": str(e.iri), "when": e.when, "precision": precision,
                           "how": how[e.kind], "kind": e.kind, "note": e.note,
                           "dated_by": [{"source": name, "grade": grade} for name, grade in e.sources],
                           "sources": _sentences_once(explainer.quotes(e.iri), grades)}
    return out


HELP = {
    "network": ("Each box is an actor, a defence system, an agreement, a deal, an offer, a law or a sanction; "
                "each arrow a relation. Solid arrows are stated by a source; dashed red arrows are derived "
                "by reasoning from stated facts. Click a box to see its card: the sentences about it, "
                "its stated facts with their sources and grades, and what was derived and from what. "
                "Scroll or use + and − to zoom, drag to pan, Fit to see the whole graph again."),
    "timeline": ("Each card is a dated event, placed in its year, with the source its date comes from and "
                 "that source's grade. Its border and colour say how its date is known: a thin border on orange "
                 "if the article states it, a thick border on blue if only a cited source gives it, dashed "
                 "on yellow if it is inferred from the article and cited reports, dotted on grey if the event is "
                 "undated and placed at the date of the report. Click a card to see the "
                 "event, its date and how precise it is, and its sources with their grades. "
                 "Scroll or use + and − to zoom, drag to pan, Fit to see the whole timeline again."),
}

HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 0; display: flex; height: 100vh; color: #222; }}
#graph {{ flex: 3; position: relative; overflow: hidden; border-right: 1px solid #ccc; cursor: grab; background: #fff; }}
#graph.panning {{ cursor: grabbing; }}
#graph > svg {{ width: 100%; height: 100%; display: block; }}
#zoom {{ position: absolute; top: .6em; left: .6em; display: flex; gap: .3em; }}
#zoom button {{ font: inherit; min-width: 2.2em; padding: .2em .5em; background: #fff; border: 1px solid #999; border-radius: 4px; cursor: pointer; }}
#side {{ flex: 1; padding: 0 1em; display: flex; flex-direction: column; height: 100vh; box-sizing: border-box;
         overflow: hidden; font-size: 14px; min-width: 20em; max-width: 32em; }}
#side h2 {{ font-size: 1.2em; margin: .6em 0 .3em; flex: none; }}
/* The card first, at the top of the panel, scrolling by itself; the help and the legend under it,
   folded away once a card is shown (a click on "Help and legend" opens them again). */
#info {{ flex: 1 1 auto; min-height: 0; overflow: auto; border-top: 1px solid #ddd; }}
#info h3 {{ margin-top: .5em; }}
#about {{ flex: none; max-height: 45vh; overflow: auto; border-top: 1px solid #ddd; padding: .3em 0 .6em; }}
#about summary {{ cursor: pointer; font-weight: bold; color: #333; }}
.help {{ color: #444; }}
.legend {{ list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3em .8em; font-size: 12px; }}
.legend .swatch {{ display: inline-block; width: 1.4em; height: .9em; border: 1px solid #555; vertical-align: middle; margin-right: .3em; }}
.legend .dashed {{ border-style: dashed; }} .legend .dotted {{ border-style: dotted; }} .legend .bold {{ border-width: 3px; }}
.legend .line {{ display: inline-block; width: 2em; border-top: 2px solid #555; vertical-align: middle; margin-right: .3em; }}
.legend .line.inferred {{ border-top: 2px dashed {red}; }}
mark {{ background: #ffe08a; }}
blockquote {{ margin: .3em 0 .2em; padding-left: .6em; border-left: 3px solid #ddd; }}
.grade {{ font-weight: bold; border: 1px solid #999; border-radius: 3px; padding: 0 .3em; font-size: 12px; }}
.derived {{ color: {red}; }}
.muted {{ color: #666; font-size: 12px; }}
details {{ font-size: 12px; color: #555; }}
g.node {{ cursor: pointer; }}
g.node.dim, g.edge.dim {{ opacity: 0.2; }}
g.node.picked > path, g.node.picked > polygon, g.node.picked > ellipse {{ stroke: #1a5fb4; stroke-width: 3; }}
</style></head><body>
<div id="graph">{svg}<div id="zoom"><button id="zoom-in" title="zoom in">+</button><button id="zoom-out" title="zoom out">−</button><button id="zoom-fit" title="see it all">Fit</button></div></div>
<div id="side"><h2>{title}</h2><div id="info"><p class="muted" id="hint">{hint}</p></div>
<details id="about" open><summary>Help and legend</summary><p class="help" id="help">{help}</p>{legend}</details></div>
<script>
"use strict";
const DATA = {data};
const VIEW = {view};
const esc = (s) => String(s == null ? "" : s).replace(/[&<>"]/g, c => ({{'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}})[c]);
const grade = (g) => g ? ` <span class="grade" title="Admiralty grade: source reliability, information credibility">${{esc(g)}}</span>` : ' <span class="muted">(ungraded)</span>';
function source(x) {{
  const who = x.by ? ` — ${{esc(x.by)}}${{x.mode ? ", " + esc(x.mode) : ""}}` : "";
  if (x.quote !== undefined) return `<li><blockquote>${{esc(x.before)}}<mark>${{esc(x.quote)}}</mark>${{esc(x.after)}}</blockquote>` +
    `<span class="muted">sentence ${{esc(x.sentence)}} of</span> ${{esc(x.source)}}${{who}}${{grade(x.grade)}}</li>`;
  return `<li>cited: ${{esc(x.source)}}${{x.note ? " (" + esc(x.note) + ")" : ""}}${{who}}${{grade(x.grade)}}</li>`;
}}
const list = (xs) => xs.length ? `<ul>${{xs.map(source).join("")}}</ul>` : '<p class="muted">no source quoted</p>';
function nodeCard(d) {{
  let h = `<h3>${{esc(d.label)}}</h3><p>${{esc(d.category)}}${{d.wikidata ? ` · <a href="${{esc(d.wikidata)}}">Wikidata ${{esc(d.wikidata.split("/").pop())}}</a>` : ""}}</p>`;
  if (d.sentences.length) h += `<h4>What the sources say about it</h4>${{list(d.sentences)}}`;
  if (d.stated.length) h += '<h4>Stated facts</h4><ul>' + d.stated.map(f => `<li>${{esc(f.text)}}${{list(f.sources)}}</li>`).join("") + '</ul>';
  if (d.derived.length) h += '<h4>Derived facts</h4><ul>' + d.derived.map(f => `<li class="derived">${{esc(f.text)}} (derived)` +
    `<div class="muted">derived by reasoning from: ${{f.from.map(esc).join("; ")}}</div>` +
    `<details><summary>expert detail</summary>rule ${{esc(f.rule)}}: ${{esc(f.rule_description)}}</details></li>`).join("") + '</ul>';
  return h + `<details><summary>expert detail</summary><code>${{esc(d.iri)}}</code></details>`;
}}
function eventCard(d) {{
  return `<h3>${{esc(d.label)}}</h3><p><b>${{esc(d.when)}}</b> <span class="muted">(${{esc(d.precision)}}; ${{esc(d.how)}})</span></p>` +
    (d.note ? `<p>${{esc(d.note)}}</p>` : "") +
    (d.dated_by.length ? `<p class="dated-by">date from: ${{d.dated_by.map(x => esc(x.source) + grade(x.grade)).join("; ")}}</p>` : "") +
    `<h4>Sources</h4>${{list(d.sources)}}` +
    `<details><summary>expert detail</summary><code>${{esc(d.iri)}}</code></details>`;
}}
function show(id) {{
  const d = DATA[id]; if (!d) return;
  document.getElementById("info").innerHTML = VIEW === "timeline" ? eventCard(d) : nodeCard(d);
  document.getElementById("info").dataset.shown = id;
  document.getElementById("info").scrollTop = 0;
  document.getElementById("about").open = false;
  document.querySelectorAll("g.node").forEach(n => n.classList.toggle("picked", n.id === id));
  if (VIEW !== "network") return;
  const near = new Set([id, ...d.stated.map(f => f.other_id), ...d.derived.map(f => f.other_id)]);
  document.querySelectorAll("g.node").forEach(n => n.classList.toggle("dim", DATA[n.id] !== undefined && !near.has(n.id)));
  document.querySelectorAll("g.edge").forEach(e => {{
    const t = e.querySelector("title"); const ends = t ? t.textContent.split("->") : [];
    e.classList.toggle("dim", ends.length === 2 && ends[0] !== id && ends[1] !== id);
  }});
}}
// Zoom and pan by changing the SVG's viewBox; it opens fitted (the whole drawing in view).
const box = document.getElementById("graph"), svg = box.querySelector("svg");
svg.removeAttribute("width"); svg.removeAttribute("height");
svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
const full = svg.getAttribute("viewBox").split(/[ ,]+/).map(Number);
let vb = full.slice();
const setView = () => svg.setAttribute("viewBox", vb.join(" "));
function zoom(factor, cx, cy) {{
  const r = svg.getBoundingClientRect();
  const s = Math.max(vb[2] / r.width, vb[3] / r.height);
  const px = vb[0] + (cx - r.left - (r.width - vb[2] / s) / 2) * s, py = vb[1] + (cy - r.top - (r.height - vb[3] / s) / 2) * s;
  vb = [px - (px - vb[0]) * factor, py - (py - vb[1]) * factor, vb[2] * factor, vb[3] * factor];
  setView();
}}
const centre = () => {{ const r = svg.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; }};
document.getElementById("zoom-in").onclick = () => zoom(0.8, ...centre());
document.getElementById("zoom-out").onclick = () => zoom(1.25, ...centre());
document.getElementById("zoom-fit").onclick = () => {{ vb = full.slice(); setView(); }};
box.addEventListener("wheel", (ev) => {{ ev.preventDefault(); zoom(ev.deltaY < 0 ? 0.85 : 1 / 0.85, ev.clientX, ev.clientY); }}, {{passive: false}});
let drag = null;
box.addEventListener("pointerdown", (ev) => {{ if (ev.target.closest("#zoom")) return; drag = {{x: ev.clientX, y: ev.clientY, vb: vb.slice(), moved: false}}; }});
window.addEventListener("pointermove", (ev) => {{
  if (!drag) return;
  const dx = ev.clientX - drag.x, dy = ev.clientY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 4) {{ drag.moved = true; box.classList.add("panning"); }}
  if (!drag.moved) return;
  const r = svg.getBoundingClientRect(), s = Math.max(drag.vb[2] / r.width, drag.vb[3] / r.height);
  vb = [drag.vb[0] - dx * s, drag.vb[1] - dy * s, drag.vb[2], drag.vb[3]]; setView();
}});
window.addEventListener("pointerup", (ev) => {{
  const was = drag; drag = null; box.classList.remove("panning");
  if (was && !was.moved) {{ const n = ev.target.closest && ev.target.closest("g.node"); if (n) show(n.id); }}
}});
</script></body></html>
"""


def _legend_html(view: str, net: Network | None) -> str:
    if view == "timeline":
        items = "".join(f'<li><span class="swatch {TIMELINE_STYLES[k][0]}" style="background:{TIMELINE_STYLES[k][1]}"></span>'
                        f'{html.escape(text)}</li>' for k, text in TIMELINE_KINDS)
    else:
        items = "".join(f'<li><span class="swatch{" dashed" if "dashed" in style else ""}" style="background:{fill}"></span>'
                        f'{html.escape(name)}</li>' for name, _, _, style, fill in used_categories(net))
        items += ('<li><span class="line"></span>stated by a source</li>'
                  '<li><span class="line inferred"></span>derived by reasoning</li>')
    return f'<ul class="legend" id="legend">{items}</ul>'


def html_page(svg: bytes, details: dict, title: str, view: str = "network", net: Network | None = None) -> bytes:
    """The offline page of a view: the SVG, fitted, with zoom and pan; its help and legend in the
    side panel; a click on a node (an event, on the timeline) shows its card at the top of the panel,
    and folds the help and legend away under it."""
    text = svg.decode("utf-8")
    text = text[text.find("<svg"):]
    data = json.dumps(details, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    hint = "Click an event to see its card here." if view == "timeline" else "Click a box to see its card here."
    return HTML_TEMPLATE.format(title=html.escape(title), svg=text, data=data, red=INFERRED_COLOUR, hint=hint,
                                view=json.dumps(view), help=html.escape(HELP[view]),
                                legend=_legend_html(view, net)).encode("utf-8")


def network_view(ds: Dataset, net: Network, explainer: Explainer, title: str) -> bytes:
    """The network's offline HTML view (:func:`html_page`)."""
    svg = render(network_dot(net, title, legend=False), "svg")
    return html_page(svg, node_details(ds, net, explainer), title, "network", net)


def timeline_view(ds: Dataset, events: list[TimelineEvent], explainer: Explainer, title: str) -> bytes:
    """The timeline's offline HTML view (:func:`html_page`)."""
    svg = render(timeline_dot(events, title, legend=False), "svg", "neato")
    return html_page(svg, timeline_details(ds, events, explainer), title, "timeline")


def draw(ds: Dataset, output: Path, focus: URIRef | None = None, hops: int = 2, timeline: bool = False) -> Path:
    """Draw the network (or the timeline) into *output* (.svg, .png or .html)."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png", "html"):
        raise KgError(f"{output}: give an output file ending in .svg, .png or .html")
    ex = Explainer(ds)
    if timeline:
        if focus is not None:
            raise KgError("--focus does not apply to --timeline")
        events, title = timeline_events(ds, ex), TIMELINE_TITLE
        payload = (timeline_view(ds, events, ex, title) if fmt == "html"
                   else render(timeline_dot(events, title), fmt, "neato"))
    else:
        net = network(ds, focus, hops, ex)
        title = (f"Around {ex.label(focus)} ({hops} hop{'s' if hops != 1 else ''})" if focus is not None
                 else NETWORK_TITLE)
        # The HTML view shows its legend in the side panel, out of the drawing's way.
        payload = network_view(ds, net, ex, title) if fmt == "html" else render(network_dot(net, title), fmt)
    write_atomic(output, payload)
    return output


# --- CLI ------------------------------------------------------------------------------------
