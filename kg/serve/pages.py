"""The HTML pages of ``kg serve``'s Linked Data routes: an analyst's card per resource, the
ontology's listing, a named graph's page and an explanation. Plain HTML and CSS: every page works
without JavaScript, and links to the resources it names on this host."""

from __future__ import annotations

import html
from urllib.parse import urlencode

from rdflib import Literal, URIRef

from kg.core.version import __version__
from kg.core.iris import GRAPH_ASSERTED, RDF, VOCAB, WD, is_source_graph
from kg.serve.lod import MENTIONS, RDF_TYPE, RDFS_LABEL, SKOS_ALT, SKOS_MATCH, Resource, graph_label, local_path

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 62em; margin: 1.5em auto; padding: 0 1em;
       line-height: 1.45; color: #222; }
h1 { margin-bottom: .1em; } h2 { border-bottom: 1px solid #ddd; margin-top: 1.6em; }
h3 { margin: 1em 0 .3em; font-size: 1.02em; color: #333; }
mark { background: #ffe08a; }
.iri { color: #666; font-size: .85em; font-family: "DejaVu Sans Mono", monospace; }
.muted { color: #666; font-size: .9em; }
.derived { color: #a93226; font-weight: bold; font-size: .85em; text-transform: uppercase; }
.grade { display: inline-block; font-family: monospace; font-weight: bold; padding: 0 .35em;
         border: 1px solid #999; border-radius: 3px; background: #f4f4f4; }
blockquote { margin: .2em 0 .4em 0; padding-left: .8em; border-left: 3px solid #ddd; }
ul.facts > li { margin-bottom: .6em; } ul.evidence { list-style: none; padding-left: 1em; margin: .2em 0; }
ol.timeline { list-style: none; padding-left: 0; border-left: 3px solid #7a9cc6; margin-left: .5em; }
ol.timeline li { position: relative; padding: .15em 0 .35em 1.1em; }
ol.timeline li::before { content: ""; position: absolute; left: -.45em; top: .55em; width: .6em; height: .6em;
                         border-radius: 50%; background: #7a9cc6; }
ol.timeline time { font-family: monospace; margin-right: .6em; }
ul.neighbours { columns: 2; } nav a { margin-right: 1em; }
table { border-collapse: collapse; } th, td { text-align: left; padding: .2em .8em .2em 0; border-bottom: 1px solid #eee; }
td.n { text-align: right; font-family: monospace; }
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def page(title: str, body: str) -> bytes:
    nav = ('<nav><a href="/">Query</a><a href="/ontology">Ontology</a><a href="/.well-known/void">VoID</a>'
           '<a href="/catalog">Catalogue</a></nav>')
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{_e(title)} — defence-kg</title><style>{STYLE}</style></head>\n<body>{nav}\n'
            f'{body}\n<p class="muted">defence-kg {_e(__version__)}</p></body></html>\n').encode("utf-8")


def href(term) -> str:
    """Where a link to *term* goes: its page on this host, or the IRI itself elsewhere."""
    return local_path(term) or str(term)


def link(term, label: str) -> str:
    return f'<a href="{_e(href(term))}">{_e(label)}</a>'


def _term(res: Resource, term) -> str:
    if isinstance(term, Literal):
        return _e(term)
    if not isinstance(term, URIRef):
        return '<span class="muted">(an anonymous node)</span>'
    return link(term, res.label(term))


def _formats(path: str) -> str:
    links = [f'<a href="{_e(path)}?{urlencode({"format": f})}">{name}</a>'
             for f, name in (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdfxml", "RDF/XML"))]
    return f'<p class="muted">This description as {", ".join(links)}.</p>'


# --- the card ------------------------------------------------------------------------------------


def _evidence(fact, grades: dict, ex) -> str:
    """The source of each graph that states *fact*: the sentence with the quote marked, or the
    citation, with the source's grade."""
    items = []
    quotes = ex.quotes(fact.s, about=fact.o if isinstance(fact.o, URIRef) else None)
    for g in fact.stated_in:
        if g == GRAPH_ASSERTED:
            picked = [q for q in quotes if q.article is not None and not q.is_citation]
            top = max((q.relevance for q in picked), default=0)
            picked = [q for q in picked if q.relevance == top][:1]
            for q in picked:
                before, quote, after = q.parts()
                source, grade, _ = grades.get(str(q.article), (q.article, "", None))
                who = f" — {_e(q.asserted_by_label)}" if q.asserted_by_label else ""
                mode = f", {_e(q.mode)}" if q.mode else ""
                hedge = f' <span class="muted">(hedged: “{_e(q.hedge)}”)</span>' if q.hedge else ""
                items.append(f'<li><blockquote>{_e(before)}<mark>{_e(quote)}</mark>{_e(after)}</blockquote>'
                             f'{link(source, q.article_label or str(source))}{who}{mode}{hedge} {_grade(grade)}</li>')
            if not picked:
                items.append(f'<li>stated in the articles\' graph {_grade("")}</li>')
        elif is_source_graph(g):
            source, grade, _ = grades.get(g, (None, "", None))
            cites = [q for q in quotes if q.cited_source is not None and str(q.cited_source) == str(source)]
            where = "; ".join(sorted({q.citation_note for q in cites if q.citation_note}))
            label = cites[0].cited_label if cites else (str(source) if source is not None else g)
            who = "; ".join(sorted({f"{q.asserted_by_label}, {q.mode}" for q in cites if q.asserted_by_label}))
            target = source if source is not None else URIRef(g)
            items.append(f'<li>cited: {link(target, label)}{f" ({_e(where)})" if where else ""}'
                         f'{f" — {_e(who)}" if who else ""} {_grade(grade)}</li>')
    return f'<ul class="evidence">{"".join(items)}</ul>' if items else ""


def _grade(grade: str) -> str:
    if not grade:
        return '<span class="muted">(ungraded)</span>'
    return f'<span class="grade" title="Admiralty grade: source reliability, information credibility">{_e(grade)}</span>'


def _why(fact) -> str:
    params = {"s": f"<{fact.s}>", "p": f"<{fact.p}>",
              "o": f"<{fact.o}>" if isinstance(fact.o, URIRef) else str(fact.o)}
    return f'<a href="/explain?{_e(urlencode(params))}">why</a>'


_IDENTITY = {RDF_TYPE, RDFS_LABEL, SKOS_ALT, SKOS_MATCH}


def _sentence(res: Resource, fact) -> str:
    return f"{_term(res, fact.s)} — {_e(res.label(fact.p))} — {_term(res, fact.o)}"


def resource_page(res: Resource, grades: dict, ex) -> bytes:
    """The card of *res*: label, type, Wikidata link; stated facts grouped, each with its sentence
    or citation and its source's grade; derived facts, marked, with a "why"; events on a
    timeline; the neighbours."""
    this = res.iri
    title = res.label(this)
    path = local_path(this) or "/"
    stated_types = [f.o for f in res.out if f.p == RDF_TYPE and not f.derived]
    derived_types = [f.o for f in res.out if f.p == RDF_TYPE and f.derived]
    head = [f'<h1>{_e(title)}</h1>', f'<p class="iri">{_e(this)}</p>']
    if stated_types:
        head.append("<p>" + ", ".join(_term(res, t) for t in stated_types) + "</p>")
    alts = res.values(SKOS_ALT)
    if alts:
        head.append(f'<p class="muted">also called {_e(", ".join(str(a) for a in alts))}</p>')
    wd = [m for m in res.values(SKOS_MATCH) if str(m).startswith(WD)]
    for m in wd:
        head.append(f'<p>Wikidata: <a href="{_e(m)}">{_e(str(m)[len(WD):])}</a></p>')
    if str(this) in grades:
        _, grade, publisher = grades[str(this)]
        head.append(f'<p>Source grade {_grade(grade)}'
                    f'{" · published by " + _term(res, publisher) if publisher is not None else ""}</p>')
    head.append(_formats(path))
    if not res.complete:
        head.append(f'<p class="muted">{_e(title)} has more links than a card shows; the first '
                    'of them, in IRI order, are here. The query page has them all.</p>')
    body = ["\n".join(head)]

    stated = [f for f in res.out + res.inbound if f.stated_in and not (f.s == this and f.p in _IDENTITY)]
    if stated:
        body.append('<section id="stated"><h2>Stated facts</h2>')
        groups: dict = {}
        for f in stated:
            key = ("out", f.p) if f.s == this else ("in", f.p)
            groups.setdefault(key, []).append(f)
        for (direction, p), facts in sorted(groups.items(), key=lambda kv: (kv[0][0] != "out", res.label(kv[0][1]))):
            heading = res.label(p) if direction == "out" else f"{title} as {res.label(p)}"
            items = "".join(f"<li>{_sentence(res, f)}{_evidence(f, grades, ex)}</li>" for f in facts)
            body.append(f'<h3>{_e(heading)}</h3><ul class="facts">{items}</ul>')
        body.append("</section>")

    derived = [f for f in res.out + res.inbound if f.derived]
    if derived:
        items = "".join(f'<li>{_sentence(res, f)} <span class="derived">derived</span> · {_why(f)}</li>'
                        for f in derived if f.p != RDF_TYPE)
        if derived_types:
            items += (f'<li>{_e(title)} is a {", ".join(_term(res, t) for t in derived_types)} '
                      f'<span class="derived">derived</span> · '
                      + ", ".join(_why(f) for f in derived if f.p == RDF_TYPE) + "</li>")
        body.append(f'<section id="derived"><h2>Derived facts</h2><p class="muted">Not stated by any source: '
                    f'the OWL 2 RL reasoner derives them from stated facts and the ontology; "why" shows how.</p>'
                    f'<ul class="facts">{items}</ul></section>')

    if res.events:
        items = []
        for e in res.events:
            when = " / ".join(e["times"]) or (str(e["start"])[:10] if e["start"] is not None else "undated")
            stamp = f' datetime="{_e(e["start"])}"' if e["start"] is not None else ""
            roles = ", ".join(res.label(r) for r in e["roles"])
            items.append(f'<li><time{stamp}>{_e(when)}</time>{_term(res, e["event"])}'
                         f'{f" <span class=muted>({_e(roles)})</span>" if roles else ""}</li>')
        body.append(f'<section id="events"><h2>Events</h2><ol class="timeline">{"".join(items)}</ol></section>')

    mentions = [f for f in res.inbound if f.p == MENTIONS]
    record = [f for f in res.out if f.recorded and f.p not in _IDENTITY]
    if record or mentions or res.parts:
        rows = "".join(f"<li>{_e(res.label(f.p))}: {_term(res, f.o)}</li>" for f in record)
        rows += "".join(f"<li>mentioned in {_term(res, f.s)}</li>" for f in mentions)
        parts = sorted({f.s for f in res.parts}, key=str)
        rows += "".join(f'<li id="{_e(str(s).rsplit("#", 1)[-1])}">part: {_term(res, s)}</li>' for s in parts)
        body.append(f'<section id="record"><h2>Record</h2><ul>{rows}</ul></section>')

    near = sorted({t for f in res.out + res.inbound for t in (f.s, f.o)
                   if isinstance(t, URIRef) and t != this and local_path(t) and not str(t).startswith(VOCAB)
                   and not str(t).startswith(RDF)}, key=lambda t: (res.label(t).lower(), str(t)))
    if near:
        items = "".join(f"<li>{link(t, res.label(t))}</li>" for t in near)
        body.append(f'<section id="neighbours"><h2>Neighbours</h2><ul class="neighbours">{items}</ul></section>')
    return page(title, "\n".join(body))


# --- other pages ---------------------------------------------------------------------------------


def ontology_listing(terms: list[tuple], labels: dict) -> bytes:
    """The ontology's classes and properties, each with its label and definition (when no pyLODE
    page was built: ``kg docs``)."""
    from kg.core.terms import shorten

    groups: dict = {}
    for term, kind, definition in terms:
        groups.setdefault(shorten(kind), []).append((term, definition))
    body = ['<h1>defence-kg ontology</h1><p class="iri">https://w3id.org/defence-kg/ontology</p>',
            _formats("/ontology")]
    names = {"owl:Class": "Classes", "owl:ObjectProperty": "Object properties",
             "owl:DatatypeProperty": "Datatype properties", "owl:AnnotationProperty": "Annotation properties"}
    for kind in ("owl:Class", "owl:ObjectProperty", "owl:DatatypeProperty", "owl:AnnotationProperty"):
        entries = groups.get(kind, [])
        if not entries:
            continue
        items = "".join(f'<li id="{_e(str(t)[len(VOCAB):])}"><b>{_e(_label_or_short(labels, t))}</b> '
                        f'<span class="iri">{_e(shorten(t))}</span>{" — " + _e(d) if d is not None else ""}</li>'
                        for t, d in entries)
        body.append(f"<h2>{names[kind]}</h2><ul>{items}</ul>")
    return page("Ontology", "\n".join(body))


def graph_page(iri: str, graph, grades: dict) -> bytes:
    from rdflib.namespace import VOID

    n = graph.value(URIRef(iri), VOID.triples)
    body = [f"<h1>{_e(graph_label(iri))}</h1>", f'<p class="iri">{_e(iri)}</p>', _formats(local_path(iri) or "/"),
            f"<p>{_e(n)} triples.</p>"]
    if iri in grades:
        source, grade, _ = grades[iri]
        body.append(f"<p>Stated by {link(source, str(graph.value(source, RDFS_LABEL) or source))} {_grade(grade)}</p>")
    body.append('<p>Query it at <a href="/">the query page</a> with <code>GRAPH &lt;' + _e(iri) + '&gt; { ... }</code>.</p>')
    return page(graph_label(iri), "\n".join(body))


def explain_page(ex, s: str, p: str | None, o: str | None) -> bytes:
    """Why the graph holds a fact: its sentence or the rule and the facts it rests on
    (:mod:`kg.explanation`), with quotes marked."""
    from kg.explanation.explainer import format_explanation, resolve

    subject, predicate, obj = resolve(ex.ds, s, p, o)
    exps = ex.explain_all(subject, predicate, obj)
    if not exps:
        from kg.core.errors import KgError

        raise KgError("the graph holds no such fact (neither stated nor derived)")
    open_, close = "\x01", "\x02"
    blocks = []
    for exp in exps:
        text = _e(format_explanation(exp, mark=(open_, close)))
        blocks.append("<pre>" + text.replace(open_, "<mark>").replace(close, "</mark>") + "</pre>")
    title = ex.triple_text((subject, predicate, obj)) if predicate is not None and obj is not None else ex.label(subject)
    body = f'<h1>Why: {_e(title)}</h1><p>{link(subject, ex.label(subject))}</p>' + "\n".join(blocks)
    return page(f"Why: {title}", body)


def shapes_listing(shapes) -> bytes:
    """The SHACL shapes the build validates with (``ontology/shapes.ttl``), each with its messages,
    anchored by its local name (``/shapes#ArmsContractShape``)."""
    from kg.core.iris import SHAPES

    SH = "http://www.w3.org/ns/shacl#"
    items = []
    for shape in sorted({s for s in shapes.subjects(URIRef(RDF + "type"), URIRef(SH + "NodeShape"))
                         if isinstance(s, URIRef)}, key=str):
        messages = sorted({str(m) for prop in shapes.objects(shape, URIRef(SH + "property"))
                           for m in shapes.objects(prop, URIRef(SH + "message"))}
                          | {str(m) for m in shapes.objects(shape, URIRef(SH + "message"))})
        name = str(shape)[len(SHAPES):] if str(shape).startswith(SHAPES) else str(shape)
        rows = "".join(f"<li>{_e(m)}</li>" for m in messages)
        items.append(f'<li id="{_e(name)}"><b>{_e(name)}</b><ul>{rows}</ul></li>')
    body = (f'<h1>SHACL shapes</h1><p class="iri">{_e(SHAPES[:-1])}</p>{_formats("/shapes")}'
            f'<ul>{"".join(items)}</ul>')
    return page("Shapes", body)


# --- VoID and the DCAT catalogue, for a browser --------------------------------------------------

DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
VOID_NS = "http://rdfs.org/ns/void#"


def _one(graph, s, p: str):
    return graph.value(s, URIRef(p))


def _dataset(graph, kind: str):
    """The dataset node of a VoID or DCAT *graph* (the subject typed *kind* that is no subset)."""
    subsets = set(graph.objects(None, URIRef(VOID_NS + "subset")))
    return next(s for s in sorted(graph.subjects(RDF_TYPE, URIRef(kind)), key=str) if s not in subsets)


def _label_or_short(labels: dict, term) -> str:
    from kg.core.terms import shorten

    return str(labels[term]) if term in labels else shorten(term)


def void_page(graph, labels: dict) -> bytes:
    """The VoID description (:func:`kg.serve.description.void_description`) as a page: the dataset,
    its graphs with their triple counts, the SPARQL endpoint, the vocabularies, example resources."""
    V = lambda name: VOID_NS + name  # noqa: E731
    ds = _dataset(graph, V("Dataset"))
    title = str(_one(graph, ds, DCTERMS + "title") or "defence-kg")
    endpoint = _one(graph, ds, V("sparqlEndpoint"))
    rows = "".join(
        f'<tr><td>{link(sub, graph_label(str(sub)))}</td><td class="iri">{_e(sub)}</td>'
        f'<td class="n">{_e(_one(graph, sub, V("triples")))}</td></tr>'
        for sub in sorted(graph.objects(ds, URIRef(V("subset"))), key=str))
    vocabularies = "".join(f'<li><a href="{_e(v)}">{_e(v)}</a></li>'
                           for v in sorted(graph.objects(ds, URIRef(V("vocabulary"))), key=str))
    examples = "".join(f"<li>{link(x, _label_or_short(labels, x))}</li>"
                       for x in sorted(graph.objects(ds, URIRef(V("exampleResource"))), key=str))
    body = [f"<h1>{_e(title)}</h1>", f'<p class="iri">{_e(ds)}</p>', _formats("/.well-known/void"),
            f'<p>{_e(_one(graph, ds, V("triples")))} triples in all. The IRIs of its resources begin with '
            f'<code>{_e(_one(graph, ds, V("uriSpace")))}</code>.</p>',
            f'<p>SPARQL endpoint: <a href="{_e(endpoint)}" id="endpoint">{_e(endpoint)}</a> '
            '(or ask it on <a href="/">the query page</a>).</p>',
            '<h2>Graphs</h2><table id="graphs"><thead><tr><th>graph</th><th>IRI</th><th>triples</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>",
            f'<h2>Example resources</h2><ul id="examples">{examples}</ul>',
            f'<h2>Vocabularies used</h2><ul id="vocabularies">{vocabularies}</ul>']
    return page("VoID", "\n".join(body))


def catalog_page(graph, labels: dict, grades: dict) -> bytes:
    """The DCAT catalogue (:func:`kg.serve.description.catalogue`) as a page: the dataset, its
    distributions with their media types and downloads, the SPARQL endpoint, the sources with their
    grades."""
    D = lambda name: URIRef(DCAT + name)  # noqa: E731
    ds = _dataset(graph, DCAT + "Dataset")
    title = str(_one(graph, ds, DCTERMS + "title") or "defence-kg")
    dists = []
    for dist in sorted(graph.objects(ds, D("distribution")), key=str):
        url = graph.value(dist, D("downloadURL")) or graph.value(dist, D("accessURL"))
        mime = graph.value(dist, D("mediaType"))
        what = str(graph.value(dist, URIRef(DCTERMS + "title")) or "the SPARQL endpoint")
        where = _path_of(str(url)) if url is not None else ""
        kind = str(mime).split("/media-types/")[-1] if mime is not None else "SPARQL 1.1 protocol"
        dists.append(f'<tr><td>{_e(what)}</td><td><code>{_e(kind)}</code></td>'
                     f'<td><a href="{_e(where or url)}">{_e(url)}</a></td></tr>')
    services = "".join(f'<li><a href="{_e(svc)}">{_e(svc)}</a> (SPARQL 1.1 protocol; '
                       '<a href="/">the query page</a>)</li>'
                       for svc in sorted(graph.subjects(D("servesDataset"), ds), key=str))
    sources = []
    for src in sorted(graph.objects(ds, URIRef(DCTERMS + "source")), key=lambda s: (_label_or_short(labels, s), str(s))):
        grade = grades.get(str(src), (src, "", None))[1]
        sources.append(f"<li>{link(src, _label_or_short(labels, src))} {_grade(grade)}</li>")
    body = [f"<h1>{_e(title)}</h1>", f'<p class="iri">{_e(ds)}</p>', _formats("/catalog"),
            f'<p>{_e(_one(graph, ds, DCTERMS + "description") or "")}</p>',
            f'<p class="muted">version {_e(_one(graph, ds, "http://www.w3.org/2002/07/owl#versionInfo") or "")}; '
            'its graphs and their sizes: <a href="/.well-known/void">VoID</a>.</p>',
            '<h2>Distributions</h2><table id="distributions"><thead><tr><th>what</th><th>media type</th>'
            f'<th>download</th></tr></thead><tbody>{"".join(dists)}</tbody></table>',
            f'<h2>SPARQL endpoint</h2><ul id="services">{services}</ul>',
            f'<h2>Sources</h2><p class="muted">The articles and cited sources the facts are taken from, '
            f'with their Admiralty grades.</p><ul id="sources">{"".join(sources)}</ul>']
    return page("Catalogue", "\n".join(body))


def _path_of(url: str) -> str:
    """The path and query of *url* (a link on this host works whatever name the host is reached by)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
