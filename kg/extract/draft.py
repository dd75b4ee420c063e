"""``kg extract``: a text file in, a draft article folder out.

The draft folder is an article folder the build compiles unchanged: ``article.txt`` (the text
byte for byte), ``article.ttl`` (its metadata, from ``--source-meta``), ``LICENSE-ARTICLE.md``,
and ``facts.ttl`` holding every complete proposal in the form of ``articles/*/facts.ttl``. Each
proposal's evidence block names its sentence and exact words, and carries the rule that
proposed it (``dkg:extractionRule``), a confidence (``dkg:confidence``) and its review status
(``dkg:reviewStatus "proposed"``). Beside them, ``review.md`` lists the proposals sentence by
sentence for a person, and ``proposals.json`` is what ``kg review`` reads. Same input, same
bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Literal, URIRef

from kg.core.resources import ontology_dir
from kg.core.errors import KgError, missing_file, read_utf8
from kg.core.rdfio import make_dir, parse_turtle, write_atomic
from kg.core.terms import literal_text, shorten
from kg.extract.analysis import Sentence, analyse
from kg.extract.gazetteer import Gazetteer
from kg.extract.rules import RULES, Context, Proposal, check_complete, link_article, parse_date, propose
from kg.sources.articles import article_iri
from kg.sources.text import index_text

PROPOSALS = "proposals.json"
REVIEW = "review.md"
PREFIX_LINES = [
    "@prefix dkg:     <https://w3id.org/defence-kg/ontology#> .",
    "@prefix dkgr:    <https://w3id.org/defence-kg/resource/> .",
    "@prefix art:     <{art}> .",
    "@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .",
    "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .",
    "@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .",
    "@prefix oa:      <http://www.w3.org/ns/oa#> .",
    "@prefix time:    <http://www.w3.org/2006/time#> .",
]


@dataclass
class Draft:
    slug: str
    folder: Path
    sentences: list[Sentence]
    proposals: list[Proposal]
    #: sentence id -> the sentence it repeats (a paragraph printed twice), as the build's index marks it
    repeats: dict[str, str] = field(default_factory=dict)

    def complete(self) -> list[Proposal]:
        return [p for p in self.proposals if not p.missing]


def prefixes(slug: str) -> str:
    return "\n".join(PREFIX_LINES).replace("{art}", str(article_iri(slug)) + "#") + "\n"


def term(value) -> str:
    """A term in the fact file's Turtle: prefixed where a prefix fits."""
    if isinstance(value, URIRef):
        return shorten(value)
    if isinstance(value, Literal):
        text = literal_text(str(value))
        if value.language:
            return f"{text}@{value.language}"
        if value.datatype is not None:
            return f"{text}^^{shorten(value.datatype)}"
        return text
    return literal_text(str(value))


def evidence_block(slug: str, ev, p: Proposal, status: str) -> str:
    parts = [f"dkg:sentence art:{ev.sentence}", f"oa:exact {literal_text(ev.quote)}"]
    if ev.prefix is not None:
        parts.append(f"oa:prefix {literal_text(ev.prefix)}")
    if ev.asserted_by is not None:
        parts.append(f"dkg:assertedBy {shorten(ev.asserted_by)}")
        parts.append(f"dkg:attributionMode {shorten(ev.mode)}")
    if ev.hedge is not None:
        parts.append(f"dkg:hedge {literal_text(ev.hedge)}")
    parts += [f'dkg:extractionRule {literal_text(p.rule)}',
              f'dkg:confidence "{p.confidence:.2f}"^^xsd:decimal',
              f'dkg:reviewStatus {literal_text(status)}']
    return "[ " + " ;\n                   ".join(parts) + " ]"


def node_block(slug: str, p: Proposal, status: str = "proposed") -> str:
    """One proposal as a fact-file node: its class, label, roles and evidence blocks."""
    lines = [f"{shorten(p.node)}" + (f" a {shorten(p.cls)} ;" if p.cls is not None else "")]
    lines.append(f"    rdfs:label {literal_text(p.label)}@en ;")
    for prop, value in p.roles:
        lines.append(f"    {shorten(prop)} {term(value)} ;")
    evs = [evidence_block(slug, ev, p, status) for ev in p.evidence]
    lines.append("    dkg:evidence " + " ,\n                 ".join(evs) + " .")
    if p.cls is None:
        lines[0] = shorten(p.node)
    return "\n".join(lines)


def header(slug: str, what: str) -> str:
    return (f"# {what}\n"
            f"# Written by `kg extract` (see README, \"From a text file to facts\"); each node's evidence\n"
            f"# carries the rule that proposed it, a confidence and its review status.\n" + prefixes(slug))


def _comment(p: Proposal) -> str:
    mode = f" · {p.modality}" if p.modality != "plain" else ""
    return f"# {p.id} · {p.sentence} · {p.rule} · confidence {p.confidence:.2f}{mode}"


def facts_text(slug: str, proposals: list[Proposal], status: str, what: str) -> str:
    blocks = [header(slug, what)]
    for p in proposals:
        blocks.append(_comment(p) + "\n" + node_block(slug, p, status))
    return "\n\n".join(blocks) + "\n"


# --- metadata ------------------------------------------------------------------------------

def read_meta(path: Path | None) -> dict:
    if path is None:
        return {}
    path = Path(path)
    if not path.is_file():
        raise missing_file(path, "source metadata file")
    try:
        meta = json.loads(read_utf8(path))
    except json.JSONDecodeError as exc:
        raise KgError(f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
    if not isinstance(meta, dict):
        raise KgError(f"{path}: the source metadata must be a JSON object")
    return meta


def article_ttl(slug: str, meta: dict, date: str | None) -> str:
    """The article's metadata in the form of ``articles/*/article.ttl``."""
    iri = str(article_iri(slug))
    title = meta.get("title", slug)
    publisher = meta.get("publisher")
    outlet = f"dkgr:outlet-{slug}"
    grading = meta.get("grading", {})
    rel, cred = grading.get("reliability", "F"), grading.get("credibility", "6")
    graded_on = grading.get("graded_on") or (date if date and len(date) == 10 else None)
    if graded_on is None:
        raise KgError("give the date the source was graded (\"grading\": {\"graded_on\": \"YYYY-MM-DD\"} in "
                      "--source-meta) or the article's date to the day (--date)")
    lines = [
        f"# Metadata of the article {slug} (goes to the provenance graph). Written by `kg extract`.",
        prefixes(slug).replace("@prefix time:    <http://www.w3.org/2006/time#> .\n", "")
        + "@prefix dkgv:    <https://w3id.org/defence-kg/vocab/> .\n"
          "@prefix dcterms: <http://purl.org/dc/terms/> .\n"
          "@prefix prov:    <http://www.w3.org/ns/prov#> .\n"
          "@prefix schema:  <http://schema.org/> .\n",
        f"<{iri}>\n    a dkg:NewsArticle , prov:Entity , schema:NewsArticle ;",
        f"    rdfs:label {literal_text(title)}@en ;",
        f"    dcterms:title {literal_text(title)}@en ;",
    ]
    if date:
        dtype = {4: "gYear", 7: "gYearMonth", 10: "date"}.get(len(date), "date")
        lines.append(f'    dcterms:date "{date}"^^xsd:{dtype} ;')
    lines += ['    dcterms:language "en" ;', f"    dcterms:publisher {outlet} ;",
              f"    dkg:outletConfirmed {'true' if publisher else 'false'} ;"]
    if meta.get("url"):
        lines.append(f'    schema:url "{meta["url"]}"^^xsd:anyURI ;')
    if meta.get("note"):
        lines.append(f"    skos:note {literal_text(meta['note'])}@en ;")
    lines += ["    dkg:sourceKind dkgv:kind-news-report ;", f"    dkg:grading <{iri}#grading> .", ""]
    lines += [
        f"<{iri}#grading> a dkg:SourceGrading ;",
        f"    rdfs:label {literal_text(f'grading of {slug}: {rel}{cred}')}@en ;",
        f"    dkg:sourceReliability dkgv:reliability-{rel} ;",
        f"    dkg:informationCredibility dkgv:credibility-{cred} ;",
        "    prov:wasAttributedTo dkgr:defence-kg-curators ;",
        f'    dkg:gradedOn "{graded_on}"^^xsd:date ;',
        "    skos:note " + literal_text(grading.get("note", "Not graded by a person yet: F (the reliability of the "
                                                   "source cannot be judged), 6 (its truth cannot be judged).")) + "@en .",
        "",
        f"{outlet} a dkg:NewsOutlet ;",
        f"    rdfs:label {literal_text(publisher or 'unconfirmed outlet of ' + slug)}@en"
        + (" ." if publisher else ' ;\n    dkg:anonymous true .'),
    ]
    return "\n".join(lines) + "\n"


def licence_text(slug: str, meta: dict) -> str:
    return meta.get("licence") or (
        f"# The text of {slug}\n\nThe text in `article.txt` is its publisher's; it is quoted as the evidence base for "
        "the facts, and the project's MIT licence does not cover it.\n")


# --- the extraction ------------------------------------------------------------------------

def extract(article: Path, out: Path, gazetteer: Gazetteer, *, date: str | None = None,
            meta_path: Path | None = None) -> Draft:
    """Read *article* (UTF-8 text), propose facts, and write the draft folder *out*."""
    article, out = Path(article), Path(out)
    text = read_utf8(article)
    meta = read_meta(meta_path)
    date = date or meta.get("date")
    day, precision = parse_date(date)
    if date and day is None:
        raise KgError(f"not a date: {date!r} (give YYYY-MM-DD, YYYY-MM or YYYY)")
    slug = out.name
    ctx = Context(slug, gazetteer, day, precision)
    index = index_text(text)
    sentences = [analyse(seg, gazetteer) for seg in index.sentences if not seg.repeats]
    proposals: list[Proposal] = []
    for s in sentences:
        proposals += propose(ctx, s)
    proposals = link_article(ctx, proposals, sentences, gazetteer.deals)
    entities = list(ctx.candidates.values())
    used = {o for p in proposals for _, o in p.roles if isinstance(o, URIRef)}
    for e in entities:
        if e.node in used:
            e.confidence = max(e.confidence, 0.6)
    check_complete(_shapes(), proposals)
    ordered = sorted(proposals, key=lambda p: (int(p.sentence[1:]), p.evidence[0].quote and text.find(p.evidence[0].quote)))
    ordered += sorted(entities, key=lambda p: (int(p.sentence[1:]), p.label))
    _number(ordered)
    draft = Draft(slug, out, sentences, ordered, {seg.id: seg.repeats for seg in index.sentences if seg.repeats})
    _write(draft, text, article, meta, date)
    return draft


def _number(proposals: list[Proposal]) -> None:
    """Ids p01, p02, ... and one node IRI per proposal (a second one in a sentence gets -2)."""
    seen: dict[URIRef, int] = {}
    for n, p in enumerate(proposals, start=1):
        p.id = f"p{n:02d}"
        if p.node in seen:
            seen[p.node] += 1
            p.node = URIRef(f"{p.node}-{seen[p.node]}")
        else:
            seen[p.node] = 1


def _shapes():
    """The SHACL shapes, read for what they require of each class (validation is the build's)."""
    return parse_turtle(ontology_dir() / "shapes.ttl")


def _write(draft: Draft, text: str, article: Path, meta: dict, date: str | None) -> None:
    out = make_dir(draft.folder, "draft folder")
    slug = draft.slug
    write_atomic(out / "article.ttl", article_ttl(slug, meta, date).encode("utf-8"))
    write_atomic(out / "LICENSE-ARTICLE.md", licence_text(slug, meta).encode("utf-8"))
    complete = draft.complete()
    write_atomic(out / "facts.ttl", facts_text(slug, complete, "proposed",
                                               f"Proposed facts of {slug}: a draft for review (kg review).").encode("utf-8"))
    write_atomic(out / PROPOSALS, proposals_json(draft).encode("utf-8"))
    write_atomic(out / REVIEW, review_md(draft).encode("utf-8"))
    write_atomic(out / "article.txt", article.read_bytes())  # last: a folder with article.txt is whole


def proposals_json(draft: Draft) -> str:
    rows = []
    for p in draft.proposals:
        rows.append({
            "id": p.id, "node": str(p.node), "class": shorten(p.cls) if p.cls is not None else None,
            "kind": p.key, "sentence": p.sentence, "quote": p.evidence[0].quote, "confidence": p.confidence,
            "rule": p.rule, "modality": p.modality, "missing": p.missing, "notes": p.notes,
            "names": sorted({str(o) for _, o in p.roles if isinstance(o, URIRef) and "-entity-" in str(o)}),
            "turtle": node_block(draft.slug, p, "proposed"),
        })
    return json.dumps({"slug": draft.slug, "proposals": rows}, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def review_md(draft: Draft) -> str:
    """The proposals sentence by sentence, for a person."""
    lines = [f"# Proposals for {draft.slug}", "",
             "`kg review` accepts, rejects or edits them; `kg review DIR --accept p01 p03` does so without asking.",
             "A proposal marked *incomplete* lacks a role the shapes require and is not in facts.ttl until edited.", ""]
    by_sentence: dict[str, list[Proposal]] = {}
    for p in draft.proposals:
        by_sentence.setdefault(p.sentence, []).append(p)
    items = [(int(s.id[1:]), s) for s in draft.sentences] + [(int(k[1:]), k) for k in draft.repeats]
    for _, s in sorted(items, key=lambda item: item[0]):
        if isinstance(s, str):
            lines += [f"## {s}", "", f"repeats {draft.repeats[s]} (a paragraph printed twice): not read, never cited", ""]
            continue
        lines += [f"## {s.id}", "", f"> {s.text}", ""]
        cues = ", ".join(f"{c.key} “{c.text}”" for c in s.cues)
        if cues:
            lines += [f"cues: {cues}", ""]
        for p in by_sentence.get(s.id, []):
            cls = shorten(p.cls) if p.cls is not None else "(no class)"
            flag = " — **incomplete**: needs " + "; ".join(p.missing) if p.missing else ""
            lines.append(f"- **{p.id}** {cls} `{shorten(p.node)}` — {p.label} "
                         f"(confidence {p.confidence:.2f}, rule `{p.rule}`, {p.modality}){flag}")
            for prop, value in p.roles:
                lines.append(f"  - {shorten(prop)} {term(value)}")
            for ev in p.evidence:
                voice = f" — {shorten(ev.asserted_by)}'s words" if ev.asserted_by is not None else ""
                hedge = f" — hedge “{ev.hedge}”" if ev.hedge else ""
                lines.append(f"  - {ev.sentence}: “{ev.quote}”{voice}{hedge}")
            for note in p.notes:
                lines.append(f"  - note: {note}")
        lines.append("")
    lines += ["## Rules", "", "| rule | CAMEO | PLOVER |", "|---|---|---|"]
    lines += [f"| `{r}` | {c} | {pl} |" for r, c, pl in RULES.values()]
    return "\n".join(lines) + "\n"

