"""``kg export --format graphml|gexf|csv-edges``: the graph of facts for Gephi, yEd, Cytoscape and
spreadsheets.

Nodes are the resources that facts link (the articles' graph, the cited sources' graphs, the
inferred graph), each with its label, its stated type (by label) and its Wikidata QID where the
graph links one. Edges are the facts between two resources (not ``rdf:type``, not the links to
Wikidata), each with its predicate, the predicate's label and whether it is *stated* (some source
states it) or *derived* (the reasoner adds it). In GEXF the events' dates are spells, from
``dkg:timeStart`` to the day before ``dkg:timeEnd`` (which the graph keeps exclusive), so that Gephi's
timeline plays the story. Everything is written in one fixed order: the same build, the same bytes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from rdflib import RDF, Literal, URIRef

from kg.core.iris import GRAPH_ASSERTED, GRAPH_INFERRED, OWL, RDFS, SKOS, WD, is_source_graph
from kg.core.namespace import DKG
from kg.core.terms import shorten
from kg.sparql.labels import label_in

GRAPH_FORMATS = ("graphml", "gexf", "csv-edges")
_EXACT = URIRef(SKOS + "exactMatch")
_SKIP = {RDF.type, _EXACT}


def _is_fact(s, p, o) -> bool:
    """A link between two resources, not a type, a Wikidata link or a schema axiom (rdfs:, owl:)."""
    return (isinstance(s, URIRef) and isinstance(o, URIRef) and p not in _SKIP
            and not str(p).startswith((RDFS, OWL)))


@dataclass
class Node:
    iri: str
    label: str
    type: str = ""
    qid: str = ""
    start: str = ""   #: an event's first day (YYYY-MM-DD), from dkg:timeStart
    end: str = ""     #: its last day (inclusive, as GEXF spells are), from dkg:timeEnd


@dataclass
class Edge:
    source: str
    target: str
    predicate: str
    label: str
    status: str   #: "stated" or "derived"


@dataclass
class FactGraph:
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def fact_graph(ds, derived: bool = True) -> FactGraph:
    """The resources the facts of *ds* (an rdflib dataset) link, and the facts between them (the
    derived ones too, unless *derived* is false)."""
    stated_graphs = [g for g in ds.graphs() if str(g.identifier) == GRAPH_ASSERTED or is_source_graph(str(g.identifier))]
    inferred = ds.graph(URIRef(GRAPH_INFERRED))
    edges: dict = {}
    types: dict = {}
    for g in stated_graphs:
        for s, p, o in g:
            if p == RDF.type:
                types.setdefault(s, set()).add(o)
            if _is_fact(s, p, o):
                edges[(s, p, o)] = "stated"
    for s, p, o in inferred if derived else ():
        if _is_fact(s, p, o):
            edges.setdefault((s, p, o), "derived")
    ends = sorted({t for s, _, o in edges for t in (s, o)}, key=str)

    def label(term) -> str:
        return label_in(ds, term) or shorten(term)

    def day(value) -> str:
        return str(value)[:10] if isinstance(value, Literal) else ""

    out = FactGraph()
    for n in ends:
        kinds = sorted(label(t) for t in types.get(n, ()))
        qids = sorted(str(m)[len(WD):] for m in ds.objects(n, _EXACT) if str(m).startswith(WD))
        start, end = _spell(sorted(day(v) for v in ds.objects(n, DKG.timeStart)),
                            sorted(day(v) for v in ds.objects(n, DKG.timeEnd)))
        out.nodes.append(Node(str(n), label(n), ", ".join(kinds), qids[0] if qids else "", start, end))
    for (s, p, o), status in sorted(edges.items(), key=lambda kv: tuple(str(t) for t in kv[0])):
        out.edges.append(Edge(str(s), str(o), shorten(p), label(p), status))
    return out


def _spell(starts: list[str], ends: list[str]) -> tuple[str, str]:
    """An event's days as (first, last), both inclusive: where its sources' intervals ``[start, end)``
    overlap, the overlap (the most precise: the article's "2018" and a wire's 4 October 2018 give
    the 4th); where they do not (sources that disagree), from the earliest start to the latest end."""
    from datetime import date, timedelta

    if not starts:
        return "", ""
    first, last = starts[-1], ends[0] if ends else ""
    if last and last <= first:
        first, last = starts[0], ends[-1]
    if last:
        last = (date.fromisoformat(last) - timedelta(days=1)).isoformat()
    return first, last


def write_graph_export(ds, fmt: str, derived: bool = True) -> bytes:
    """*ds*'s facts as GraphML, GEXF or a CSV of edges."""
    fg = fact_graph(ds, derived)
    if fmt == "graphml":
        return _graphml(fg)
    if fmt == "gexf":
        return _gexf(fg)
    return _csv_edges(fg)


def _graphml(fg: FactGraph) -> bytes:
    keys = [("label", "node"), ("type", "node"), ("qid", "node"), ("predicate", "edge"), ("label", "edge"),
            ("status", "edge")]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">']
    for name, domain in keys:
        lines.append(f'  <key id="{domain[0]}_{name}" for="{domain}" attr.name="{name}" attr.type="string"/>')
    lines.append('  <graph id="defence-kg" edgedefault="directed">')
    for n in fg.nodes:
        lines.append(f"    <node id={quoteattr(n.iri)}>")
        for name in ("label", "type", "qid"):
            lines.append(f'      <data key="n_{name}">{escape(getattr(n, name))}</data>')
        lines.append("    </node>")
    for i, e in enumerate(fg.edges):
        lines.append(f'    <edge id="e{i}" source={quoteattr(e.source)} target={quoteattr(e.target)}>')
        for name, value in (("predicate", e.predicate), ("label", e.label), ("status", e.status)):
            lines.append(f'      <data key="e_{name}">{escape(value)}</data>')
        lines.append("    </edge>")
    lines += ["  </graph>", "</graphml>", ""]
    return "\n".join(lines).encode("utf-8")


def _gexf(fg: FactGraph) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<gexf xmlns="http://gexf.net/1.3" version="1.3">',
             '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">',
             '    <attributes class="node">',
             '      <attribute id="type" title="type" type="string"/>',
             '      <attribute id="qid" title="Wikidata QID" type="string"/>',
             '      <attribute id="iri" title="IRI" type="string"/>',
             '    </attributes>',
             '    <attributes class="edge">',
             '      <attribute id="predicate" title="predicate" type="string"/>',
             '      <attribute id="status" title="status" type="string"/>',
             '    </attributes>',
             '    <nodes>']
    for n in fg.nodes:
        lines.append(f"      <node id={quoteattr(n.iri)} label={quoteattr(n.label)}>")
        lines.append("        <attvalues>")
        for name, value in (("type", n.type), ("qid", n.qid), ("iri", n.iri)):
            lines.append(f'          <attvalue for="{name}" value={quoteattr(value)}/>')
        lines.append("        </attvalues>")
        if n.start:
            end = f" end={quoteattr(n.end)}" if n.end else ""
            lines.append(f"        <spells><spell start={quoteattr(n.start)}{end}/></spells>")
        lines.append("      </node>")
    lines.append("    </nodes>")
    lines.append("    <edges>")
    for i, e in enumerate(fg.edges):
        lines.append(f'      <edge id="e{i}" source={quoteattr(e.source)} target={quoteattr(e.target)} '
                     f"label={quoteattr(e.label)}>")
        lines.append("        <attvalues>")
        for name, value in (("predicate", e.predicate), ("status", e.status)):
            lines.append(f'          <attvalue for="{name}" value={quoteattr(value)}/>')
        lines.append("        </attvalues>")
        lines.append("      </edge>")
    lines += ["    </edges>", "  </graph>", "</gexf>", ""]
    return "\n".join(lines).encode("utf-8")


def _csv_edges(fg: FactGraph) -> bytes:
    labels = {n.iri: n.label for n in fg.nodes}
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["source", "source_label", "predicate", "predicate_label", "target", "target_label", "status"])
    for e in fg.edges:
        w.writerow([e.source, labels[e.source], e.predicate, e.label, e.target, labels[e.target], e.status])
    return buf.getvalue().encode("utf-8")
