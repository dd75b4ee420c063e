"""Compile article folders into the asserted and provenance graphs.

An article folder holds three files a person can review:

``article.txt``
    the source text, byte for byte as received;
``article.ttl``
    its metadata (title, outlet, date) and any external references;
``facts.ttl``
    the facts it states, each node with ``dkg:evidence [ dkg:sentence art:sNN ;
    oa:exact "..." ]`` blocks.

The compiler indexes the sentences, anchors every quote in its sentence (its
character offsets are computed, never typed by hand), and emits W3C Web
Annotation evidence with stable IRIs. It refuses a quote that is not in its
sentence, a repeated sentence, an unknown sentence, stray blank nodes, and an
article with no facts, unless an empty ``NO-FACTS`` file in its folder says that
it deliberately has none.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from kg.core.errors import KgError, SourceError, read_utf8
from kg.core.namespace import DKG, DKGR, OA, bind_prefixes
from kg.core.rdfio import parse_turtle
from kg.sources.evidence import Iri, Lit, quote_annotation, stable_iri
from kg.sources.mentions import mention_graph
from kg.sources.text import SentenceIndex, index_text

#: An empty file of this name in an article folder says that the article deliberately states
#: no facts (its facts.ttl may then be empty); without it, an article with no facts is refused.
NO_FACTS = "NO-FACTS"


@dataclass
class Article:
    slug: str
    folder: Path
    iri: URIRef
    text: str
    index: SentenceIndex

    @property
    def sentence_ns(self) -> str:
        return str(self.iri) + "#"

    def segment_iri(self, seg_id: str) -> URIRef:
        return URIRef(self.sentence_ns + seg_id)


def article_iri(slug: str) -> URIRef:
    return DKGR["article/" + slug]


def find_articles(root: Path) -> list[Path]:
    if not root.is_dir():
        raise KgError(f"{root}: no such articles folder")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and (p / "article.txt").is_file())
    if not folders:
        raise KgError(f"{root}: no article folders (each needs article.txt, article.ttl, facts.ttl)")
    return folders


def load_article(folder: Path) -> Article:
    txt = folder / "article.txt"
    text = read_utf8(txt)
    return Article(folder.name, folder, article_iri(folder.name), text, index_text(text))


def sentence_index_graph(article: Article) -> Graph:
    """Paragraphs and sentences of *article*, with offsets, text and repeats."""
    g = Graph()
    a = article.iri
    raw = (article.folder / "article.txt").read_bytes()
    g.add((a, DKG.textFile, Literal(f"articles/{article.slug}/article.txt")))
    g.add((a, DKG.sha256, Literal(hashlib.sha256(raw).hexdigest())))
    for seg_list, cls, link in (
        (article.index.paragraphs, DKG.Paragraph, DKG.hasParagraph),
        (article.index.sentences, DKG.Sentence, DKG.hasSentence),
    ):
        for seg in seg_list:
            node = article.segment_iri(seg.id)
            g.add((a, link, node))
            g.add((node, RDF.type, cls))
            g.add((node, RDFS.label, Literal(f"{article.slug} {seg.id}")))
            g.add((node, DKG.position, Literal(seg.position, datatype=XSD.positiveInteger)))
            g.add((node, DKG.startOffset, Literal(seg.start, datatype=XSD.nonNegativeInteger)))
            g.add((node, DKG.endOffset, Literal(seg.end, datatype=XSD.nonNegativeInteger)))
            g.add((node, DKG.text, Literal(seg.text)))
            if seg.repeats:
                g.add((node, DKG.repeats, article.segment_iri(seg.repeats)))
    for sid, pid in article.index.paragraph_of.items():
        g.add((article.segment_iri(pid), DKG.hasSentence, article.segment_iri(sid)))
    return g


def line_of(source: str, needle: str) -> int | None:
    """The line (from 1) of the first *needle* in the file text *source*; None if it is not there."""
    pos = source.find(needle)
    return None if pos < 0 else source.count("\n", 0, pos) + 1


def _stable_iri(kind: str, *parts: object) -> URIRef:
    return URIRef(stable_iri(kind, *parts))


def split_facts(facts: Graph, evidence_nodes: set, facts_path: Path, facts_src: str) -> Graph:
    """The facts of a parsed fact file: its triples less the evidence blocks. A blank node
    anywhere else is refused, located at its line."""
    asserted, stray = Graph(), []
    for s, p, o in facts:
        if s in evidence_nodes or p == DKG.evidence:
            continue
        if isinstance(s, BNode) or isinstance(o, BNode):
            stray.append(p)
            continue
        asserted.add((s, p, o))
    if stray:  # the first line that names one of their predicates: the same in every run
        lines = [n for n in (line_of(facts_src, str(p).rsplit("#", 1)[-1]) for p in stray) if n is not None]
        raise SourceError(facts_path, "blank nodes are only allowed as evidence blocks; give this node an IRI",
                          min(lines) if lines else None)
    return asserted


def require_facts(folder: Path, asserted: Graph, facts_path: Path, what: str) -> None:
    """Refuse a fact file that states nothing, unless an empty ``NO-FACTS`` file in *folder*
    says so on purpose (and refuse that file beside facts)."""
    deliberate = folder / NO_FACTS
    if not len(asserted) and not deliberate.is_file():
        raise SourceError(facts_path, f"states no facts; write the {what}'s facts here or, if it "
                                      f"deliberately has none, put an empty file {NO_FACTS} in its folder")
    if len(asserted) and deliberate.is_file():
        raise SourceError(deliberate, f"says the {what} has no facts, but facts.ttl states some: remove one of them")


def compile_article(folder: Path) -> tuple[Graph, Graph, Article]:
    """Return ``(asserted, provenance, article)`` for one article folder."""
    article = load_article(folder)
    meta = parse_turtle(folder / "article.ttl")
    facts_path = folder / "facts.ttl"
    facts = parse_turtle(facts_path)
    facts_src = read_utf8(facts_path)

    publisher = meta.value(article.iri, DCTERMS.publisher)
    if (article.iri, RDF.type, DKG.NewsArticle) not in meta:
        raise SourceError(folder / "article.ttl", f"does not describe <{article.iri}> as a dkg:NewsArticle")
    if publisher is None:
        raise SourceError(folder / "article.ttl", "the article has no dcterms:publisher (use an unconfirmed outlet node if unknown)")

    provenance = Graph()
    for t in meta:
        provenance.add(t)
    for t in sentence_index_graph(article):
        provenance.add(t)

    evidence_nodes: set[BNode] = set()
    for fact, ev in facts.subject_objects(DKG.evidence):
        if not isinstance(ev, BNode):
            raise SourceError(facts_path, f"evidence of <{fact}> must be a [ ... ] block", line_of(facts_src, str(ev)))
        evidence_nodes.add(ev)
        _compile_evidence(article, facts, facts_path, facts_src, fact, ev, publisher, provenance)

    asserted = split_facts(facts, evidence_nodes, facts_path, facts_src)
    require_facts(folder, asserted, facts_path, "article")
    first_printings = [(article.segment_iri(seg.id), seg.text) for seg in article.index.sentences if not seg.repeats]
    cited = [(fact, sentence) for fact, ev in facts.subject_objects(DKG.evidence)
             for sentence in facts.objects(ev, DKG.sentence)]
    provenance += mention_graph(first_printings, asserted, cited)
    for g in (asserted, provenance):
        bind_prefixes(g)
    return asserted, provenance, article


def _compile_evidence(article, facts, facts_path, facts_src, fact, ev, publisher, out: Graph) -> None:
    sentence = facts.value(ev, DKG.sentence)
    exact = facts.value(ev, OA.exact)
    cited = facts.value(ev, DKG.citedSource)
    asserted_by = facts.value(ev, DKG.assertedBy)
    mode = facts.value(ev, DKG.attributionMode)
    hedge = facts.value(ev, DKG.hedge)
    note = facts.value(ev, DKG.citationNote)
    line = line_of(facts_src, str(exact)) if exact is not None else None

    if cited is not None and sentence is None:
        node = _stable_iri("evidence", fact, cited, article.iri)  # each fact file its own record
        out.add((fact, DKG.evidence, node))
        out.add((node, RDF.type, DKG.Evidence))
        out.add((node, RDF.type, OA.Annotation))
        out.add((node, OA.hasBody, fact))
        out.add((node, OA.hasTarget, cited))
        out.add((node, DKG.citedSource, cited))
        out.add((node, DKG.attributionMode, DKG.ExternalCitation))
        out.add((fact, PROV.wasDerivedFrom, cited))
        if note is not None:
            out.add((node, DKG.citationNote, note))
        return

    if sentence is None or exact is None:
        raise SourceError(facts_path, f"evidence of <{fact}> needs dkg:sentence and oa:exact (or dkg:citedSource)", line)
    sid = str(sentence)
    if not sid.startswith(article.sentence_ns):
        raise SourceError(facts_path, f"<{sid}> is not a sentence of article {article.slug}", line)
    sid = sid[len(article.sentence_ns):]
    try:
        seg = article.index.sentence(sid)
    except KeyError:
        known = ", ".join(s.id for s in article.index.sentences)
        raise SourceError(facts_path, f"unknown sentence {sid} (the article has {known})", line) from None
    if seg.repeats:
        raise SourceError(
            facts_path,
            f"{sid} repeats {seg.repeats} (the paragraph is printed twice); cite {seg.repeats} instead",
            line,
        )
    quote = str(exact)
    hits = _occurrences(seg.text, quote)
    prefix_hint = facts.value(ev, OA.prefix)
    if prefix_hint is not None:
        hits = [h for h in hits if seg.text[:h].endswith(str(prefix_hint))]
    if not hits:
        raise SourceError(facts_path, f"quote not found in {sid}: {quote!r}", line)
    if len(hits) > 1:
        raise SourceError(facts_path, f"quote occurs {len(hits)} times in {sid}; add oa:prefix to choose: {quote!r}", line)
    start = seg.start + hits[0]
    end = start + len(quote)
    text = article.text
    assert text[start:end] == quote

    mode = mode if mode is not None else (DKG.DirectQuote if asserted_by is not None else DKG.NarrativeVoice)
    triples = quote_annotation(str(fact), str(article.segment_iri(sid)), str(article.iri), text, start, end,
                               str(asserted_by if asserted_by is not None else publisher), str(mode),
                               plain(hedge) if hedge is not None else None)
    add_emitted(out, triples)
    node = URIRef(triples[0][2].value)  # (fact, dkg:evidence, node) comes first
    for prop in REVIEW_TERMS:  # what `kg extract` and `kg review` say of the evidence
        for value in facts.objects(ev, prop):
            out.add((node, prop, value))


#: The review record an evidence block may carry (kg extract / kg review), kept on the annotation.
REVIEW_TERMS = (DKG.extractionRule, DKG.confidence, DKG.reviewStatus)


def add_emitted(out: Graph, triples) -> None:
    """Add the evidence emitter's plain triples to the rdflib graph *out*."""
    for s, p, o in triples:
        out.add((URIRef(s), URIRef(p), URIRef(o.value) if isinstance(o, Iri) else
                 Literal(o.value, lang=o.lang, datatype=URIRef(o.datatype) if o.datatype else None)))


def plain(term) -> Iri | Lit:
    """An rdflib term as the evidence emitter's plain value."""
    if isinstance(term, Literal):
        return Lit(str(term), str(term.datatype) if term.datatype else None, term.language)
    return Iri(str(term))


def _occurrences(haystack: str, needle: str) -> list[int]:
    hits, pos = [], haystack.find(needle)
    while pos >= 0:
        hits.append(pos)
        pos = haystack.find(needle, pos + 1)
    return hits


def compile_all(root: Path) -> tuple[Graph, Graph, list[Article]]:
    asserted, provenance, articles = Graph(), Graph(), []
    for folder in find_articles(root):
        a, p, art = compile_article(folder)
        asserted += a
        provenance += p
        articles.append(art)
    bind_prefixes(asserted)
    bind_prefixes(provenance)
    return asserted, provenance, articles
