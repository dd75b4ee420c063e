"""Score `kg extract` against facts written by hand, and write docs/extraction.md.

    .venv/bin/python bench/extract.py [--out docs/extraction.md]

The test articles are bench/extract/<slug>/ (article.txt, source.json, expected.ttl: invented
news reports with their facts written by hand); the seed article is scored against its own
hand-written articles/2019-06-us-india-s400/facts.ttl. The gazetteer is the shipped graph's
(articles and cited sources), as `kg extract` builds it.

A proposal (one that is complete, so in the draft facts.ttl) matches an expected fact when both
have the same class, share a sentence, and agree on the fact's key roles (KEY_ROLES). Precision
and recall are counted per event type and overall, one to one. Separately:

* modality errors: a proposal of a plain event class (a sanction, deal, offer, ...) in a
  sentence where the expected facts, or the article's modality_traps, say the words are negated,
  conditional or a risk, and that matches no expected fact; and a matched proposal that lost its
  hedge;
* span accuracy: of the proposals, those whose quote is in its sentence word for word (as the
  build checks) and, for matched ones, overlaps the hand-written quote;
* role accuracy: of the matched facts' hand-written roles, those the proposal has with the same value.

Candidate entities are scored apart (a name the graph does not know, proposed as a new node).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

from rdflib import RDF, RDFS, BNode, Graph, URIRef

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.core.namespace import DKG, OA  # noqa: E402
from kg.core.resources import articles_dir, sources_dir  # noqa: E402
from kg.extract.draft import extract  # noqa: E402
from kg.extract.gazetteer import load_gazetteer  # noqa: E402
from kg.extract.rules import RULES  # noqa: E402
from kg.sources.text import index_text  # noqa: E402

SEED = "2019-06-us-india-s400"
#: class -> the event type it is scored under
TYPES = {
    DKG.Sanction: "impose sanctions", DKG.Offer: "offer", DKG.ArmsContract: "sign a contract",
    DKG.ArmsDeal: "sign a contract", DKG.DeliveryStart: "deliver", DKG.Visit: "visit",
    DKG.SaleApproval: "approve a sale", DKG.Appeal: "appeal or urge", DKG.Statement: "state",
    DKG.ConditionalThreat: "threaten (conditional)", DKG.SanctionsThreatLever: "threaten with sanctions",
    DKG.Stance: "negated (stance)",
}
PLAIN = {DKG.Sanction, DKG.Offer, DKG.ArmsContract, DKG.ArmsDeal, DKG.DeliveryStart, DKG.Visit,
         DKG.SaleApproval, DKG.Appeal}
KEY_ROLES = {
    DKG.Sanction: [DKG.sanctionTarget], DKG.Offer: [DKG.offeredItem, DKG.offeree],
    DKG.ArmsContract: [DKG.buyer, DKG.system], DKG.ArmsDeal: [DKG.buyer, DKG.system], DKG.DeliveryStart: [],
    DKG.Visit: [DKG.visitor], DKG.SaleApproval: [DKG.approvedSystem], DKG.Appeal: [DKG.addressee],
    DKG.Statement: [DKG.speaker], DKG.ConditionalThreat: [DKG.threatenedParty],
    DKG.SanctionsThreatLever: [DKG.underLaw], DKG.Stance: [DKG.holder],
}
#: roles not scored (bounds restate the time; labels and descriptions are free text)
SKIP = {RDF.type, RDFS.label, DKG.evidence, DKG.timeStart, DKG.timeEnd, DKG.timePrecision, DKG.dateNote,
        DKG.stanceDescription, DKG.quote, DKG.conditionText, DKG.urgedAction}
#: the seed article's sentences whose words a plain event must not be read from
SEED_TRAPS = {"s01": "risk: could leave them open to sanctions", "s04": "negation: no sign of backing out",
              "s07": "negation: did not come up", "s10": "condition: denied F-35s if it went ahead",
              "s13": "hedge and negation: is understood to have not responded"}


class Fact:
    def __init__(self, node, cls, roles, evidence):
        self.node, self.cls, self.roles, self.evidence = node, cls, roles, evidence  # evidence: [(sid, quote, hedge)]

    @property
    def sentences(self):
        return {e[0] for e in self.evidence}


def key(graph: Graph, value):
    """A role value comparable across files: a known IRI, a new node by its label, a literal's text."""
    if isinstance(value, URIRef):
        label = graph.value(value, RDFS.label)
        if graph.value(value, RDF.type) is None or "-entity-" in str(value) or str(value).rsplit("/", 1)[-1].startswith("x-"):
            return ("name", str(label).lower()) if label is not None else ("iri", str(value))
        return ("iri", str(value))
    return ("lit", str(value))


def facts_of(graph: Graph) -> tuple[list[Fact], list[tuple[str, str]]]:
    """The scored facts of a fact file, and its new entities (label, class)."""
    facts, entities = [], []
    for node in sorted(set(graph.subjects(DKG.evidence, None))):
        classes = set(graph.objects(node, RDF.type))
        cls = next((c for c in classes if c in TYPES), None)
        evidence = []
        for ev in graph.objects(node, DKG.evidence):
            sid = graph.value(ev, DKG.sentence)
            if sid is not None:
                hedge = graph.value(ev, DKG.hedge)
                evidence.append((str(sid).rsplit("#", 1)[-1], str(graph.value(ev, OA.exact)),
                                 str(hedge) if hedge is not None else None))
        if cls is None:
            if "-entity-" in str(node) or str(node).rsplit("/", 1)[-1].startswith("x-"):
                entities.append((str(graph.value(node, RDFS.label)).lower(), next(iter(sorted(classes)), None)))
            continue
        roles = Counter()
        for p, o in graph.predicate_objects(node):
            if p not in SKIP and not isinstance(o, BNode):
                roles[(p, key(graph, o))] += 1
        facts.append(Fact(node, cls, roles, evidence))
    return facts, entities


def match(expected: list[Fact], proposed: list[Fact]) -> list[tuple[Fact, Fact]]:
    pairs, used = [], set()
    for e in expected:
        for p in proposed:
            if id(p) in used or p.cls != e.cls or not (p.sentences & e.sentences):
                continue
            if all({v for (r, v) in p.roles if r == k} & {v for (r, v) in e.roles if r == k} or
                   not any(r == k for r, _ in e.roles) for k in KEY_ROLES[e.cls]):
                pairs.append((e, p))
                used.add(id(p))
                break
    return pairs


def overlaps(sentence: str, a: str, b: str) -> bool:
    i, j = sentence.find(a), sentence.find(b)
    return i >= 0 and j >= 0 and i < j + len(b) and j < i + len(a)


def score_article(name: str, text: str, expected_graph: Graph, traps: dict, gazetteer, date: str | None,
                  meta: Path | None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        draft = extract(_write(tmp, text), Path(tmp) / name, gazetteer, date=date, meta_path=meta)
        proposed_graph = Graph().parse(Path(tmp) / name / "facts.ttl", format="turtle")
    sentences = {s.id: s.text for s in index_text(text).sentences}
    expected, exp_entities = facts_of(expected_graph)
    proposed, prop_entities = facts_of(proposed_graph)
    pairs = match(expected, proposed)
    matched_p = {id(p) for _, p in pairs}
    traps = dict(traps)
    for e in expected:
        if e.cls in (DKG.Stance, DKG.ConditionalThreat):
            for sid in e.sentences:
                traps.setdefault(sid, f"{e.cls.rsplit('#', 1)[-1]} expected")
    modality = []
    for p in proposed:
        if p.cls in PLAIN and id(p) not in matched_p and p.sentences & set(traps):
            modality.append(f"{name} {sorted(p.sentences)}: {p.cls.rsplit('#', 1)[-1]} proposed where "
                            f"{'; '.join(traps[s] for s in sorted(p.sentences & set(traps)))}")
    for e, p in pairs:
        for sid, quote, hedge in e.evidence:
            if hedge and not any(ps == sid and ph for ps, _, ph in p.evidence):
                modality.append(f"{name} {sid}: hedge '{hedge}' lost")
    spans_ok = sum(1 for p in proposed for sid, quote, _ in p.evidence[:1] if quote in sentences.get(sid, ""))
    spans_overlap = sum(1 for e, p in pairs if any(overlaps(sentences[ps], pq, eq) for ps, pq, _ in p.evidence
                                                   for es, eq, _ in e.evidence if es == ps))
    roles_total = sum(sum(e.roles.values()) for e, _ in pairs)
    roles_ok = sum(min(n, p.roles[r]) for e, p in pairs for r, n in e.roles.items())
    per_type = {}
    for t in sorted(set(TYPES.values())):
        n_exp = sum(1 for e in expected if TYPES[e.cls] == t)
        n_prop = sum(1 for p in proposed if TYPES[p.cls] == t)
        n_ok = sum(1 for e, _ in pairs if TYPES[e.cls] == t)
        if n_exp or n_prop:
            per_type[t] = (n_ok, n_prop, n_exp)
    ent_exp, ent_prop = {e for e, _ in exp_entities}, {e for e, _ in prop_entities}
    return {
        "name": name, "per_type": per_type, "matched": len(pairs), "proposed": len(proposed), "expected": len(expected),
        "incomplete": len([p for p in draft.proposals if p.missing]),
        "modality_errors": modality, "spans_ok": spans_ok, "spans_overlap": spans_overlap,
        "roles_ok": roles_ok, "roles_total": roles_total,
        "entities": (len(ent_exp & ent_prop), len(ent_prop), len(ent_exp)),
        "missed": [f"{name} {sorted(e.sentences)} {e.cls.rsplit('#', 1)[-1]}" for e in expected
                   if all(e is not x for x, _ in pairs)],
        "spurious": [f"{name} {sorted(p.sentences)} {p.cls.rsplit('#', 1)[-1]}" for p in proposed if id(p) not in matched_p],
    }


def _write(tmp: str, text: str) -> Path:
    path = Path(tmp) / "article-in.txt"
    path.write_text(text, encoding="utf-8")
    return path


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.0f}%" if b else "–"


def table(results: list[dict]) -> list[str]:
    totals: dict[str, list[int]] = {}
    for r in results:
        for t, (ok, prop, exp) in r["per_type"].items():
            row = totals.setdefault(t, [0, 0, 0])
            row[0] += ok
            row[1] += prop
            row[2] += exp
    lines = ["| event type | matched | proposed | expected | precision | recall |", "|---|---|---|---|---|---|"]
    for t, (ok, prop, exp) in sorted(totals.items()):
        lines.append(f"| {t} | {ok} | {prop} | {exp} | {pct(ok, prop)} | {pct(ok, exp)} |")
    ok, prop, exp = (sum(r[k] for r in results) for k in ("matched", "proposed", "expected"))
    lines.append(f"| **all** | {ok} | {prop} | {exp} | **{pct(ok, prop)}** | **{pct(ok, exp)}** |")
    return lines


def summary(results: list[dict]) -> list[str]:
    prop = sum(r["proposed"] for r in results)
    me = [m for r in results for m in r["modality_errors"]]
    spans_ok = sum(r["spans_ok"] for r in results)
    ov = sum(r["spans_overlap"] for r in results)
    matched = sum(r["matched"] for r in results)
    rok, rtot = sum(r["roles_ok"] for r in results), sum(r["roles_total"] for r in results)
    e_ok, e_prop, e_exp = (sum(r["entities"][i] for r in results) for i in range(3))
    return [
        f"- modality errors: **{len(me)}**" + ("".join(f"\n  - {m}" for m in me)),
        f"- spans: {spans_ok} of {prop} proposals quote their sentence word for word ({pct(spans_ok, prop)}); "
        f"{ov} of {matched} matched proposals overlap the hand-written quote ({pct(ov, matched)})",
        f"- roles of matched facts: {rok} of {rtot} ({pct(rok, rtot)})",
        f"- candidate entities: {e_ok} of {e_prop} proposed are expected, {e_ok} of {e_exp} expected found",
        f"- incomplete proposals (listed in review.md, not in facts.ttl): {sum(r['incomplete'] for r in results)}",
    ]


NOTES = """## Reading the figures

* **The test articles are not a fair sample.** They were written by the person who wrote the rules,
  to cover the cases the issue lists (a sanction, an unanswered offer, a contract with quantity and
  year, a denial, a hedge, a conditional threat, a named speaker, an alias, an unknown name). Their
  scores show that each case is handled; they do not estimate accuracy on news the rules have not
  seen. The seed article, written by a newspaper, is the honest figure.
* **Where the rules fall short on the seed.** The contract of s03 has no seller in the sentence
  (the text says "Russian S-400s", an origin, not a seller), so it is proposed as a `dkg:ArmsDeal`
  and counts as a miss and a spurious proposal; the seed's two other deals ("its S-400 purchases",
  "for buying S-400s") are noun phrases no trigger reads. The sanction of s10 falls short of its
  target: "a Chinese military agency" is described, not named, and the graph's label for it
  ("Chinese military agency (unnamed in the article)") is not in the text, so the proposal is
  incomplete and not in the draft. Three statements are missed: the speaker of s05 is "a senior
  state department official" (no name the graph knows), and s07 and s11 report speech without
  quotation marks. Roles are thinner than the hand-written ones: an appeal's addressee list ("India
  and other countries", "allies and partners"), a contract's place and occasion, a threat's
  threatener from another sentence — coreference across sentences is beyond these rules.
* **What the rules never do** (pinned by tests/test_extract.py): type a negated, conditional or
  risked event as the plain event, guess a name the graph does not know, or quote words that are
  not in the sentence.
* Only the event types the rules know are scored; the seed's other fact nodes (the briefing, the
  pressure campaign, agreements signed, levers, topics) are outside them, as are its entities,
  which the gazetteer already holds.
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "extraction.md"))
    args = ap.parse_args(argv)
    gazetteer = load_gazetteer(articles_dir(), sources_dir())
    tests = []
    for folder in sorted((ROOT / "bench" / "extract").iterdir()):
        if not (folder / "article.txt").is_file():
            continue
        meta = json.loads((folder / "source.json").read_text(encoding="utf-8"))
        expected = Graph().parse(folder / "expected.ttl", format="turtle")
        tests.append(score_article(folder.name, (folder / "article.txt").read_text(encoding="utf-8"), expected,
                                   meta.get("modality_traps", {}), gazetteer, None, folder / "source.json"))
    seed_dir = ROOT / "articles" / SEED
    seed_expected = Graph().parse(seed_dir / "facts.ttl", format="turtle")
    seed = score_article(SEED, (seed_dir / "article.txt").read_text(encoding="utf-8"), seed_expected, SEED_TRAPS,
                         gazetteer, "2019-06-21", None)
    lines = [
        "# Extraction: measured", "",
        "`kg extract` scored against facts written by hand (`bench/extract.py`; the method is in its docstring).",
        "Reproduce with:", "", "```sh", ".venv/bin/python bench/extract.py", "```", "",
        "Written by that command; the figures below are what it measured.", "",
        f"## The test articles ({len(tests)}, invented, `bench/extract/`)", "",
    ]
    lines += table(tests) + [""] + summary(tests) + [""]
    lines += ["Missed (expected, not proposed):", ""] + [f"- {m}" for r in tests for m in r["missed"]] + [""]
    lines += ["Proposed, not expected:", ""] + [f"- {m}" for r in tests for m in r["spurious"]] + [""]
    lines += [f"## The seed article (`articles/{SEED}`, against its hand-written facts.ttl)", "",
              "Run with `--date 2019-06-21` (the article gives only the month). Its entities are scored out: the",
              "gazetteer is the graph's, which holds the seed's own hand-written entities.", ""]
    lines += table([seed]) + [""] + summary([seed]) + [""]
    lines += ["Missed (expected, not proposed):", ""] + [f"- {m}" for m in seed["missed"]] + [""]
    lines += ["Proposed, not expected:", ""] + [f"- {m}" for m in seed["spurious"]] + [""]
    lines += ["## The rules", "", "| event type | rule | CAMEO | PLOVER | proposes |", "|---|---|---|---|---|"]
    proposes = {"appeal": "dkg:Appeal", "threaten": "dkg:SanctionsThreatLever; dkg:ConditionalThreat under a condition",
                "sanction": "dkg:Sanction; a dkg:Stance if negated; a dkg:ConditionalThreat under a condition; nothing "
                            "under a risk", "offer": "dkg:Offer (one per item offered)",
                "contract": "dkg:ArmsContract, or dkg:ArmsDeal if a role is missing", "deliver": "dkg:DeliveryStart",
                "visit": "dkg:Visit", "approve": "dkg:SaleApproval", "statement": "dkg:Statement (a quotation and a named person)"}
    for key, (rule, cameo, plover) in RULES.items():
        lines.append(f"| {key} | `{rule}` | {cameo} | {plover} | {proposes[key]} |")
    lines += ["", NOTES]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
