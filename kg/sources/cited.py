"""Compile cited-source folders (``sources/<slug>/``) into their own named graphs.

A cited source is a document the project does not ship (a government statement, a statute,
a wire report). Its folder holds two files a person can review:

``source.ttl``
    the source node ``src:<slug>`` as a ``dkg:CitedSource`` (kind, title, publisher, date,
    URL, date read), its publishers and its Admiralty grading: into the provenance graph;
``facts.ttl``
    the facts it states, each node with ``dkg:evidence [ dkg:statedIn src:<slug> ;
    dkg:locator "para 3" ]`` blocks (optionally ``dkg:assertedBy``, ``dkg:attributionMode``,
    ``dkg:hedge``): the facts into the graph ``dkgg:source/<slug>``, one ``dkg:Citation``
    per block into the provenance graph.

The compiler refuses a citation without ``dkg:statedIn`` or ``dkg:locator``, one naming
another source, a quoted-span block (``dkg:sentence``/``oa:exact``: those are for shipped
texts only), stray blank nodes, a ``source.ttl`` that does not describe the folder's source,
and a ``facts.ttl`` that states nothing (unless ``NO-FACTS`` says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import DCTERMS

from kg.core.errors import KgError, SourceError, read_utf8
from kg.core.iris import SOURCE_GRAPH, SOURCE_RESOURCE
from kg.core.namespace import DKG, OA, bind_prefixes
from kg.core.rdfio import parse_turtle
from kg.sources.articles import add_emitted, line_of, plain, require_facts, split_facts
from kg.sources.evidence import citation_annotation

SOURCE_FILE = "source.ttl"
FACTS_FILE = "facts.ttl"

#: A folder name that makes a clean IRI segment.
SLUG = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")


@dataclass
class CitedSource:
    slug: str
    folder: Path
    iri: URIRef
    graph: URIRef
    facts: Graph
    provenance: Graph


def source_iri(slug: str) -> URIRef:
    return URIRef(SOURCE_RESOURCE + slug)


def source_graph_iri(slug: str) -> URIRef:
    return URIRef(SOURCE_GRAPH + slug)


def find_sources(root: Path) -> list[Path]:
    """The source folders in *root*, sorted; none if *root* is missing (a build without sources)."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def compile_source(folder: Path) -> CitedSource:
    """One source folder: its facts (for its own graph) and its provenance."""
    folder = Path(folder)
    slug = folder.name
    if not SLUG.match(slug):
        raise KgError(f"{folder}: a source folder's name is its IRI's last segment: use lower-case "
                      f"letters, digits, '.', '_' and '-' only")
    iri = source_iri(slug)
    meta_path = folder / SOURCE_FILE
    meta = parse_turtle(meta_path)
    if (iri, RDF.type, DKG.CitedSource) not in meta:
        raise SourceError(meta_path, f"does not describe <{iri}> (src:{slug}, the folder's source) as a dkg:CitedSource",
                          line_of(read_utf8(meta_path), "CitedSource"))
    publisher = meta.value(iri, DCTERMS.publisher)

    facts_path = folder / FACTS_FILE
    facts = parse_turtle(facts_path)
    facts_src = read_utf8(facts_path)
    provenance = Graph()
    for t in meta:
        provenance.add(t)
    # which named graph holds the source's facts, as data: a query finds a source's graph by this
    # pattern (which every store joins one lookup at a time), never by building its IRI from a string
    provenance.add((iri, DKG.factsGraph, source_graph_iri(slug)))

    evidence_nodes: set[BNode] = set()
    for fact, ev in sorted(facts.subject_objects(DKG.evidence)):
        where = _subject_line(facts_src, fact)
        if not isinstance(ev, BNode):
            raise SourceError(facts_path, f"evidence of <{fact}> must be a [ ... ] citation block", where)
        evidence_nodes.add(ev)
        add_emitted(provenance, _citation(facts, facts_path, facts_src, fact, ev, iri, publisher, meta_path, where))

    asserted = split_facts(facts, evidence_nodes, facts_path, facts_src)
    require_facts(folder, asserted, facts_path, "source")
    for g in (asserted, provenance):
        bind_prefixes(g)
    return CitedSource(slug, folder, iri, source_graph_iri(slug), asserted, provenance)


def _citation(facts, facts_path, facts_src, fact, ev, iri, publisher, meta_path, where):
    """The emitter's triples for one citation block, after checking it."""
    for quoted in (DKG.sentence, OA.exact):
        value = facts.value(ev, quoted)
        if value is not None:
            raise SourceError(facts_path, f"evidence of <{fact}> quotes a span ({facts.qname(quoted)}); a cited "
                                          f"source's text is not shipped: cite it with dkg:statedIn and dkg:locator",
                              line_of(facts_src, str(value)) or where)
    stated_in = facts.value(ev, DKG.statedIn)
    locator = facts.value(ev, DKG.locator)
    if stated_in is None:
        raise SourceError(facts_path, f"a citation of <{fact}> has no dkg:statedIn (write dkg:statedIn src:{_local(iri)})",
                          line_of(facts_src, str(locator)) if locator is not None else where)
    if stated_in != iri:
        raise SourceError(facts_path, f"a citation of <{fact}> names <{stated_in}>, not this folder's source <{iri}>: "
                                      f"a source's facts go in its own folder", line_of(facts_src, _local(stated_in)) or where)
    if locator is None or not str(locator).strip():
        raise SourceError(facts_path, f"a citation of <{fact}> has no dkg:locator (a section, paragraph or page, "
                                      f"such as \"para 3\")", where)
    asserted_by = facts.value(ev, DKG.assertedBy)
    if asserted_by is None and publisher is None:
        raise SourceError(meta_path, f"<{iri}> has no dcterms:publisher, so a citation without dkg:assertedBy "
                                     f"has no one to attribute it to")
    mode = facts.value(ev, DKG.attributionMode)
    hedge = facts.value(ev, DKG.hedge)
    return citation_annotation(str(fact), str(iri), str(locator),
                               str(asserted_by if asserted_by is not None else publisher),
                               str(mode if mode is not None else DKG.ExternalCitation),
                               plain(hedge) if hedge is not None else None)


def _subject_line(text: str, term) -> int | None:
    """The line where *term* is first described (a line that opens with it), else where it first occurs."""
    local = _local(term)
    for n, line in enumerate(text.splitlines(), 1):
        token = line.split(None, 1)[0] if line.strip() else ""
        if token.rstrip(">").endswith(local) and not line[:1].isspace():
            return n
    return line_of(text, local)


def _local(term) -> str:
    text = str(term)
    return re.split(r"[/#]", text)[-1] or text


def compile_sources(root: Path) -> tuple[dict[str, Graph], Graph, list[CitedSource]]:
    """Every source folder in *root*: ``({graph IRI: facts}, provenance, sources)``."""
    graphs: dict[str, Graph] = {}
    provenance = Graph()
    sources = []
    for folder in find_sources(root):
        src = compile_source(folder)
        graphs[str(src.graph)] = src.facts
        provenance += src.provenance
        sources.append(src)
    bind_prefixes(provenance)
    return graphs, provenance, sources
