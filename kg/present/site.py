"""``kg docs``: a small static site an analyst can open offline.

The site holds the ontology reference (made by pyLODE), one page per competency
question (its SPARQL, its answer table and the sentences that support each answer,
traced by :mod:`kg.explanation.explainer`), the SHACL shapes, the article with numbered sentences,
and the pictures of :mod:`kg.present.viz`. Every page is plain HTML with one shared style
sheet; nothing is fetched from the network.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from rdflib import RDFS, Dataset, Graph, Literal
from rdflib.namespace import DCTERMS

from kg.core.errors import KgError
from kg.core.namespace import DKG, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, ONTOLOGY_IRI
from kg.core.rdfio import write_atomic
from kg.core.terms import shorten
from kg.core.version import __version__
from kg.explanation.explainer import RULES, Explainer, Explanation, Quote, query_support
from kg.sparql import run
from kg.sparql.labels import to_term
from kg.sparql.named import NamedQuery, named_queries
from kg.validation.shacl import SH, load_shapes, shapes_path, validate

STYLE = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       line-height: 1.45; color: #222; }
nav { border-bottom: 1px solid #ccc; padding-bottom: .5em; margin-bottom: 1.5em; }
nav a { margin-right: 1em; }
pre { background: #f6f6f6; padding: .8em; overflow-x: auto; border: 1px solid #e0e0e0; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: .3em .6em; vertical-align: top; text-align: left; }
th { background: #f0f0f0; }
mark { background: #ffe08a; }
.iri { color: #666; font-size: .85em; font-family: "DejaVu Sans Mono", monospace; }
.derived { color: #c0392b; }
.muted { color: #666; font-size: .9em; }
blockquote { margin: .3em 0 .8em 1em; padding-left: .8em; border-left: 3px solid #ddd; }
li { margin-bottom: .3em; }
img { max-width: 100%; border: 1px solid #ddd; }
.sentence:target { background: #fff4c2; }
"""

NAV = [("index.html", "Home"), ("ontology.html", "Ontology"), ("shapes.html", "Shapes"),
       ("article.html", "Article"), ("pictures.html", "Pictures")]


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _page(title: str, body: str) -> bytes:
    nav = " ".join(f'<a href="{href}">{_e(name)}</a>' for href, name in NAV)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)} — defence-kg</title>'
            f'<link rel="stylesheet" href="style.css"></head><body><nav>{nav}</nav>\n<h1>{_e(title)}</h1>\n{body}\n'
            f'<p class="muted">defence-kg {__version__}</p></body></html>\n').encode("utf-8")


def question_file(slug: str) -> str:
    return f"question-{slug}.html"


# --- pieces -------------------------------------------------------------------------------


def _term_html(ex: Explainer, term) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        return _e(str(term))
    label = ex.label(term)
    short = shorten(term)
    if label and label != short:
        return f'{_e(label)} <span class="iri">{_e(short)}</span>'
    return f'<span class="iri">{_e(short)}</span>'


def _quote_ref(q: Quote) -> str:
    """Where a fact is stated, as a reference to its sentence (quoted once, under "Supporting
    sentences") or to the cited source."""
    if q.is_citation:
        note = f": {_e(q.citation_note)}" if q.citation_note else ""
        return f'external source <span class="iri">{_e(shorten(q.cited_source))}</span> ({_e(q.cited_label)}){note}'
    who = _e(q.asserted_by_label or "")
    hedge = f', hedged: “{_e(q.hedge)}”' if q.hedge else ""
    return (f'<a href="#support-{_e(q.sentence_id)}">{_e(q.sentence_id)}</a> '
            f'<span class="muted">(asserted by {who}, {_e(q.mode)}{hedge})</span>')


def _fact_html(exp: Explanation) -> str:
    if exp.kind == "asserted":
        refs = list(dict.fromkeys(_quote_ref(q) for q in exp.best_quotes()))
        where = f' — {"; ".join(refs)}' if refs else ""
        return f"<li>{_e(exp.text)} <span class=\"muted\">(stated)</span>{where}</li>"
    if exp.kind == "derived":
        rules = ", ".join(f"{r} ({RULES.get(r, '')})" for r in exp.rules())
        axioms = "".join(f'<li><span class="iri">{_e(a.n3)}</span></li>' for a in exp.axioms())
        facts = "".join(_fact_html(f) for f in exp.supporting_facts())
        return (f'<li><span class="derived">{_e(exp.text)} (derived)</span><div class="muted">rules: {_e(rules)}</div>'
                f"<div>axioms:</div><ul>{axioms}</ul><div>rests on:</div><ul>{facts}</ul></li>")
    return f"<li>{_e(exp.text)} <span class=\"muted\">({_e(exp.kind)})</span></li>"


def _marked(text: str, spans: list[tuple[int, int]]) -> str:
    """*text* escaped, with every span of *spans* (merged where they overlap) in a ``<mark>``."""
    out, at = [], 0
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    for a, b in merged:
        out.append(_e(text[at:a]) + f"<mark>{_e(text[a:b])}</mark>")
        at = b
    return "".join(out) + _e(text[at:])


def supporting_sentences(exps: list[Explanation]) -> dict[str, dict]:
    """sentence id -> its text, the spans quoted from it and the stated facts it supports (in
    order of first use), over the stated facts *exps* rest on: each sentence once, however many
    facts it supports."""
    out: dict[str, dict] = {}
    for exp in exps:
        for fact in exp.supporting_facts():
            for q in fact.best_quotes():
                if q.is_citation or not q.sentence_id:
                    continue
                entry = out.setdefault(q.sentence_id, {"text": "", "spans": [], "facts": []})
                before, quote, after = q.parts()
                if not entry["text"]:
                    entry["text"] = before + quote + after
                if entry["text"] == before + quote + after and (len(before), len(before) + len(quote)) not in entry["spans"]:
                    entry["spans"].append((len(before), len(before) + len(quote)))
                if fact.text not in entry["facts"]:
                    entry["facts"].append(fact.text)
    return out


# --- pages --------------------------------------------------------------------------------


def question_page(ds: Dataset, ex: Explainer, q: NamedQuery) -> tuple[bytes, list[str]]:
    """The page of one competency question, and the sentence ids its answers rest on."""
    params = {k: to_term(ds, v) for k, v in q.params.items()}
    result = run(ds, q.text, params, source=str(q.path))
    support = query_support(ex, q.text, result, params)
    parts = []
    if q.header("answer"):
        parts.append(f"<p><strong>Answer, in words:</strong> {_e(q.header('answer'))}</p>")
    if params:
        parts.append("<p>Parameters (examples from the query's header): " + ", ".join(
            f"<code>?{_e(k)}</code> = {_term_html(ex, v)}" for k, v in params.items()) + "</p>")
    parts.append(f"<h2>SPARQL</h2><pre><code>{_e(q.text)}</code></pre>")
    parts.append("<h2>Answer</h2>")
    if result.type == "SELECT":
        names = [str(v) for v in result.vars]
        rows = list(result)
        head = "".join(f"<th>{_e(n)}</th>" for n in names)
        body = "".join("<tr>" + "".join(f"<td>{_term_html(ex, t)}</td>" for t in row) + "</tr>" for row in rows)
        parts.append(f"<table><tr>{head}</tr>{body}</table><p class=\"muted\">{len(rows)} row(s)</p>")
        labels = [", ".join(ex.label(t) for t in row if t is not None) for row in rows]
    elif result.type == "ASK":
        parts.append(f"<p><strong>{'yes' if result.askAnswer else 'no'}</strong></p>")
        labels = ["the answer"]
    else:
        triples = sorted(result.graph, key=lambda t: tuple(map(str, t)))
        body = "".join("<tr>" + "".join(f"<td>{_term_html(ex, t)}</td>" for t in tr) + "</tr>" for tr in triples)
        parts.append(f"<table><tr><th>subject</th><th>predicate</th><th>object</th></tr>{body}</table>")
        labels = [ex.triple_text(t) for t in triples if t in ex.asserted or t in ex.inferred]
    parts.append("<h2>Why: the facts behind each answer</h2>")
    sentences: list[str] = []
    every: list[Explanation] = []
    for label, exps in zip(labels, support):
        items = "".join(_fact_html(e) for e in exps) or "<li>no fact links this answer's resources</li>"
        parts.append(f"<h3>{_e(label)}</h3><ul>{items}</ul>")
        for e in exps:
            sentences += [s for s in e.sentences() if s not in sentences]
        every += exps
    quoted = supporting_sentences(every)
    parts.append("<h2>Supporting sentences</h2><p class=\"muted\">Each sentence once, the words quoted from it "
                 "marked, with the facts it states under it.</p><ul class=\"supporting\">")
    for sid in sorted(set(sentences) | set(quoted)):
        entry = quoted.get(sid)
        text = _marked(entry["text"], entry["spans"]) if entry else _e(_sentence_text(ds, sid))
        facts = "".join(f"<li>{_e(f)}</li>" for f in entry["facts"]) if entry else ""
        parts.append(f'<li id="support-{_e(sid)}"><a href="article.html#{_e(sid)}">{_e(sid)}</a>'
                     f"<blockquote>{text}</blockquote>{f'<ul>{facts}</ul>' if facts else ''}</li>")
    parts.append("</ul>")
    declared = re.findall(r"\bs\d{2}\b", q.header("sentences"))
    if declared:
        parts.append("<p class=\"muted\">Sentences named by the question's author: " + ", ".join(
            f'<a href="article.html#{s}">{s}</a>' for s in declared) + "</p>")
    return _page(q.question or q.slug, "\n".join(parts)), sentences


def _sentence_text(ds: Dataset, sid: str) -> str:
    prov = ds.graph(GRAPH_PROVENANCE)
    for s in prov.subjects(DKG.text, None):
        if str(s).endswith("#" + sid) and (s, None, DKG.Sentence) in prov:
            return str(prov.value(s, DKG.text))
    return ""


def article_page(ds: Dataset) -> bytes:
    prov = ds.graph(GRAPH_PROVENANCE)
    parts = []
    for art in sorted(set(prov.subjects(DKG.hasParagraph, None)), key=str):
        title = prov.value(art, DCTERMS.title) or prov.value(art, RDFS.label) or art
        date = prov.value(art, DCTERMS.date)
        parts.append(f"<h2>{_e(title)}</h2><p class=\"muted\">{_e(shorten(art))}; dated {_e(date)}; "
                     f"outlet: {_e(prov.value(prov.value(art, DCTERMS.publisher), RDFS.label) or 'unknown')}</p>")
        sentences = sorted(prov.objects(art, DKG.hasSentence), key=lambda s: int(prov.value(s, DKG.position)))
        parts.append("<ol class=\"sentences\">")
        for s in sentences:
            sid = str(s).rsplit("#", 1)[-1]
            rep = prov.value(s, DKG.repeats)
            note = (f' <span class="muted">(repeats <a href="#{_e(str(rep).rsplit("#", 1)[-1])}">'
                    f'{_e(str(rep).rsplit("#", 1)[-1])}</a>)</span>') if rep is not None else ""
            parts.append(f'<li class="sentence" id="{_e(sid)}" value="{int(prov.value(s, DKG.position))}">'
                         f"<strong>{_e(sid)}</strong> "
                         f'<span class="muted">[{prov.value(s, DKG.startOffset)}:{prov.value(s, DKG.endOffset)}]</span> '
                         f"{_e(prov.value(s, DKG.text))}{note}</li>")
        parts.append("</ol>")
    return _page("The article, sentence by sentence", "\n".join(parts))


def shapes_page(ds: Dataset) -> bytes:

    shapes = load_shapes()
    report = validate(ds)
    status = ("The built graph conforms to every shape." if report.conforms
              else f"The built graph has {len(report.results)} SHACL result(s).")
    parts = [f"<p>{_e(status)} The shapes are in <code>ontology/{_e(shapes_path().name)}</code> and are checked "
             "by <code>kg build</code> and <code>kg validate</code>.</p>", "<table><tr><th>shape</th><th>targets</th>"
             "<th>what it asks</th></tr>"]
    for shape in sorted(set(shapes.subjects(RDFS.comment, None)), key=str):
        targets = [shorten(t) for p in (SH.targetClass, SH.targetSubjectsOf) for t in shapes.objects(shape, p)]
        asks = [str(shapes.value(shape, RDFS.comment))]
        for ps in shapes.objects(shape, SH.property):
            msg = shapes.value(ps, SH.message)
            if msg is not None:
                asks.append(str(msg))
        items = "".join(f"<li>{_e(a)}</li>" for a in asks)
        parts.append(f"<tr><td>{_e(shapes.value(shape, RDFS.label) or shorten(shape))}<br>"
                     f'<span class="iri">{_e(str(shape).rsplit("#", 1)[-1])}</span></td>'
                     f"<td>{_e(', '.join(targets))}</td><td><ul>{items}</ul></td></tr>")
    parts.append("</table>")
    if not report.conforms:
        parts.append("<pre>" + _e(report.text()) + "</pre>")
    return _page("SHACL shapes", "\n".join(parts))


def ontology_page(ds: Dataset) -> bytes:
    """The ontology reference, made by pyLODE from the ontology graph."""
    try:
        from pylode import OntPub
    except ImportError as exc:
        raise KgError("`kg docs` needs pyLODE 3.3.4 for the ontology reference: pip install 'defence-kg[docs]'") from exc

    g = Graph()
    for t in ds.graph(GRAPH_ONTOLOGY):
        g.add(t)
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns)
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.WARNING)  # pyLODE logs its progress at INFO on the root logger
    try:
        text = OntPub(ontology=g, sort_subjects=True).make_html(include_css=True)
    finally:
        root.setLevel(level)
    back = '<p style="margin:1em"><a href="index.html">← defence-kg documentation</a></p>'
    text = re.sub(r"(<body[^>]*>)", r"\1" + back, text, count=1)
    return text.encode("utf-8")


def pictures_page() -> bytes:
    body = """
<h2>Actors, systems, agreements and sanctions</h2>
<p>Solid edges are stated in the article; dashed red edges are inferred by reasoning (for example, who
risks sanctions under CAATSA). <a href="network.html">Open the interactive view</a>: click a node to see
the sentences that support it.</p>
<p><img src="network.svg" alt="network of actors, systems, agreements and sanctions"></p>
<h2>Timeline of dated events</h2>
<p>Each event is marked with the source its date comes from and that source's grade. Dates the article states
are drawn with a thin border on orange; dates only a cited source gives, with a thick border on blue; dates
inferred from the article and cited reports, dashed on yellow; undated events the article reports as standing
(offers not yet answered, ongoing efforts) are dotted on grey and placed at the article's date.
<a href="timeline.html">Open the interactive view</a>: click an event to see its date, how precise it is,
and its sources with their grades.</p>
<p><img src="timeline.svg" alt="timeline of dated events"></p>
"""
    return _page("Pictures", body)


def index_page(ds: Dataset, queries: dict[str, NamedQuery], supported: dict[str, list[str]]) -> bytes:
    onto = ds.graph(GRAPH_ONTOLOGY)

    desc = onto.value(ONTOLOGY_IRI, DCTERMS.description)
    items = "".join(
        f'<li><a href="{question_file(slug)}">{_e(q.question or slug)}</a> '
        f'<span class="muted">({_e(", ".join(sorted(supported.get(slug, []))) or "no sentences")})</span></li>'
        for slug, q in queries.items())
    body = (f"<p>{_e(desc or '')}</p>"
            "<p>Every answer below is traced to the sentences of the article that state it; derived answers show "
            "the OWL 2 RL rule and the stated facts they rest on.</p>"
            f"<h2>Competency questions</h2><ol>{items}</ol>"
            "<h2>Reference</h2><ul>"
            '<li><a href="ontology.html">Ontology reference</a> (classes, properties, individuals; made by pyLODE)</li>'
            '<li><a href="shapes.html">SHACL shapes</a> the graph is validated against</li>'
            '<li><a href="article.html">The article</a>, sentence by sentence, with offsets</li>'
            '<li><a href="pictures.html">Pictures</a>: the network (<a href="network.html">interactive view</a>) '
            'and the timeline (<a href="timeline.html">interactive view</a>)</li></ul>')
    return _page("defence-kg documentation", body)


# --- the site -------------------------------------------------------------------------------


def build_site(ds: Dataset, out_dir: Path, pictures: bool = True) -> list[Path]:
    """Write the site into *out_dir*; returns the files written."""
    from . import viz

    ex = Explainer(ds)
    queries = named_queries()
    files: dict[str, bytes] = {"style.css": STYLE.lstrip().encode("utf-8")}
    supported = {}
    for slug, q in queries.items():
        files[question_file(slug)], supported[slug] = question_page(ds, ex, q)
    files["index.html"] = index_page(ds, queries, supported)
    files["article.html"] = article_page(ds)
    files["shapes.html"] = shapes_page(ds)
    files["ontology.html"] = ontology_page(ds)
    files["pictures.html"] = pictures_page()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if pictures:
        net = viz.network(ds, explainer=ex)
        files["network.svg"] = viz.render(viz.network_dot(net, viz.NETWORK_TITLE), "svg")
        files["network.html"] = viz.network_view(ds, net, ex, viz.NETWORK_TITLE)
        events = viz.timeline_events(ds, ex)
        files["timeline.svg"] = viz.render(viz.timeline_dot(events, viz.TIMELINE_TITLE), "svg", "neato")
        files["timeline.html"] = viz.timeline_view(ds, events, ex, viz.TIMELINE_TITLE)  # as `kg viz --timeline`
    for name, payload in files.items():
        write_atomic(out_dir / name, payload)
        written.append(out_dir / name)
    return written
