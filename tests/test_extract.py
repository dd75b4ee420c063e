"""`kg extract` and `kg review`: each cue and each event type on a small sentence, written by hand;
the round trip extract → review → build → query; bad input; and a review cut short by Ctrl-C."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import ROOT, SHIPPED_SOURCES, run_kg
from rdflib import RDFS, Graph, Literal, URIRef

from kg.core.namespace import DKG, DKGR
from kg.core.resources import articles_dir, sources_dir
from kg.extract.analysis import analyse
from kg.extract.draft import extract
from kg.extract.gazetteer import load_gazetteer
from kg.sources.text import index_text

EXAMPLE = ROOT / "examples" / "2025-04-example-s400-sanction"
SEED = ROOT / "articles" / "2019-06-us-india-s400"


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(articles_dir(), sources_dir())


def draft_of(text: str, tmp_path: Path, gazetteer, date: str | None = "2025-03-14"):
    src = tmp_path / "in.txt"
    src.write_text(text, encoding="utf-8")
    meta = tmp_path / "meta.json"
    meta.write_text(json.dumps({"title": "a test", "grading": {"graded_on": "2025-03-14"}}), encoding="utf-8")
    return extract(src, tmp_path / "2025-03-test", gazetteer, date=date, meta_path=meta)


def of(draft, cls, complete_only=True):
    return [p for p in (draft.complete() if complete_only else draft.proposals) if p.cls == cls]


def one(draft, cls, complete_only=True):
    found = of(draft, cls, complete_only)
    assert len(found) == 1, [(p.id, p.label) for p in draft.proposals]
    return found[0]


def events(draft):
    return [p for p in draft.proposals if p.key != "entity"]


# --- event types ----------------------------------------------------------------------------

def test_a_sanction_imposed(tmp_path, gazetteer):
    d = draft_of("The United States imposed sanctions on Turkey under CAATSA in 2020.", tmp_path, gazetteer)
    p = one(d, DKG.Sanction)
    assert p.values(DKG.imposedBy) == [DKGR.UnitedStates]
    assert p.values(DKG.sanctionTarget) == [DKGR.Turkey]
    assert p.values(DKG.underLaw) == [DKGR.CAATSA]
    assert p.values(DKG.statedTime) == [Literal("2020")]
    assert p.rule == "impose-sanctions/cameo-163" and p.modality == "plain"
    assert p.evidence[0].sentence == "s01" and "imposed sanctions on Turkey under CAATSA in 2020" in p.evidence[0].quote


def test_an_offer_and_its_unanswered_response(tmp_path, gazetteer):
    d = draft_of("The United States has offered India PAC-3. India has not responded to the offer.", tmp_path, gazetteer)
    p = one(d, DKG.Offer)
    assert (p.values(DKG.offeror), p.values(DKG.offeree), p.values(DKG.offeredItem)) == (
        [DKGR.UnitedStates], [DKGR.India], [DKGR["PAC-3"]])
    assert p.values(DKG.responseStatus) == [DKG.NotYetAnswered]
    assert [e.sentence for e in p.evidence] == ["s01", "s02"]
    assert of(d, DKG.Stance, False) == []  # "has not responded" is the offer's status, not a negated event


def test_a_contract_with_quantity_and_year(tmp_path, gazetteer):
    d = draft_of("India signed a contract with Russia in 2018 to buy five S-400 units.", tmp_path, gazetteer)
    p = one(d, DKG.ArmsContract)
    assert p.values(DKG.buyer) == [DKGR.India] and p.values(DKG.seller) == [DKGR.Russia]
    assert p.values(DKG.system) == [DKGR["S-400"]]
    assert [str(q) for q in p.values(DKG.quantity)] == ["5"] and p.values(DKG.statedTime) == [Literal("2018")]


def test_a_contract_without_a_seller_is_only_a_deal(tmp_path, gazetteer):
    d = draft_of("India signed a contract in 2018 to buy five S-400 units.", tmp_path, gazetteer)
    assert of(d, DKG.ArmsContract) == []
    assert one(d, DKG.ArmsDeal).values(DKG.buyer) == [DKGR.India]


def test_a_delivery_under_the_one_known_deal(tmp_path, gazetteer):
    d = draft_of("Russia delivered the first S-400 units to Turkey in 2019.", tmp_path, gazetteer)
    p = one(d, DKG.DeliveryStart)
    assert p.values(DKG.deliveryUnder) == [DKGR["deal-turkey-s400"]]
    assert p.values(DKG.statedTime) == [Literal("2019")]


def test_a_visit(tmp_path, gazetteer):
    d = draft_of("Vladimir Putin visited New Delhi in 2018.", tmp_path, gazetteer)
    p = one(d, DKG.Visit)
    assert p.values(DKG.visitor) == [DKGR.VladimirPutin]
    assert p.values(DKG.destination) == [DKGR.India] and p.values(DKG.place) == [DKGR.NewDelhi]


def test_a_sale_approval(tmp_path, gazetteer):
    d = draft_of("The United States has approved the sale of armed Sea Guardian drones to India.", tmp_path, gazetteer)
    p = one(d, DKG.SaleApproval)
    assert (p.values(DKG.approvedBy), p.values(DKG.approvedBuyer), p.values(DKG.approvedSystem)) == (
        [DKGR.UnitedStates], [DKGR.India], [DKGR.ArmedSeaGuardian])


def test_an_appeal(tmp_path, gazetteer):
    d = draft_of("The United States urged India to forgo transactions with Russia.", tmp_path, gazetteer)
    p = one(d, DKG.Appeal)
    assert p.values(DKG.appellant) == [DKGR.UnitedStates] and p.values(DKG.addressee) == [DKGR.India]
    assert p.values(DKG.forgoTransactionsWith) == [DKGR.Russia]
    assert p.values(DKG.urgedAction) == [Literal("forgo transactions with Russia")]


def test_a_threat_of_sanctions_is_a_lever_not_a_sanction(tmp_path, gazetteer):
    d = draft_of("The United States has threatened buyers of Russian arms with sanctions under CAATSA.", tmp_path, gazetteer)
    p = one(d, DKG.SanctionsThreatLever)
    assert p.values(DKG.leverUser) == [DKGR.UnitedStates] and p.values(DKG.underLaw) == [DKGR.CAATSA]
    assert of(d, DKG.Sanction, False) == []


def test_a_statement_with_its_named_speaker(tmp_path, gazetteer):
    d = draft_of("“We urge India to look at alternatives,” Pompeo said.", tmp_path, gazetteer)
    st = one(d, DKG.Statement)
    assert st.values(DKG.speaker) == [DKGR.MikePompeo]
    assert st.values(DKG.quote) == [Literal("We urge India to look at alternatives")]
    appeal = one(d, DKG.Appeal, False)  # the words in quotation marks are the speaker's
    assert appeal.values(DKG.addressee) == [DKGR.India]
    assert (appeal.evidence[0].asserted_by, appeal.evidence[0].mode) == (DKGR.MikePompeo, DKG.DirectQuote)


# --- modality -------------------------------------------------------------------------------

def test_a_denial_is_a_stance_never_a_sanction(tmp_path, gazetteer):
    d = draft_of("The United States has not imposed sanctions on India.", tmp_path, gazetteer)
    assert of(d, DKG.Sanction, False) == []
    st = one(d, DKG.Stance)
    assert st.values(DKG.holder) == [DKGR.UnitedStates] and st.modality == "negated"
    assert "has not imposed sanctions on India" in str(st.values(DKG.stanceDescription)[0])


def test_no_sign_of_is_a_stance(tmp_path, gazetteer):
    d = draft_of("India has shown no sign of backing out of the deal.", tmp_path, gazetteer)
    st = one(d, DKG.Stance)
    assert st.values(DKG.holder) == [DKGR.India]
    assert st.values(DKG.stanceDescription) == [Literal("no sign of backing out of the deal")]


def test_a_conditional_threat_is_not_a_sanction(tmp_path, gazetteer):
    d = draft_of("India will face sanctions under CAATSA if it buys the S-400, a US official warned.", tmp_path, gazetteer)
    assert of(d, DKG.Sanction, False) == []
    t = one(d, DKG.ConditionalThreat)
    assert t.values(DKG.threatenedParty) == [DKGR.India] and t.values(DKG.threatener) == [DKGR.UnitedStates]
    assert t.values(DKG.underLaw) == [DKGR.CAATSA]
    assert t.values(DKG.conditionText) == [Literal("if it buys the S-400")]


def test_a_denial_if_is_a_conditional_threat(tmp_path, gazetteer):
    d = draft_of("Turkey will be denied F-35s if it goes ahead with the purchase.", tmp_path, gazetteer)
    t = one(d, DKG.ConditionalThreat)
    assert t.values(DKG.threatenedParty) == [DKGR.Turkey] and t.values(DKG.deniedSystem) == [DKGR["F-35"]]


def test_a_risk_proposes_no_sanction(tmp_path, gazetteer):
    d = draft_of("India could face sanctions under CAATSA for its S-400 contract.", tmp_path, gazetteer)
    assert events(d) == []
    assert "risk “could face sanctions”" in (tmp_path / "2025-03-test" / "review.md").read_text(encoding="utf-8")


def test_a_risk_an_appeal_warns_of_is_the_law_it_cites(tmp_path, gazetteer):
    d = draft_of("The United States urged India to forgo deals that risk triggering CAATSA sanctions.", tmp_path, gazetteer)
    assert of(d, DKG.Sanction, False) == []
    assert one(d, DKG.Appeal).values(DKG.citesRiskUnder) == [DKGR.CAATSA]


def test_a_hedge_stays_a_hedge(tmp_path, gazetteer):
    d = draft_of("The United States reportedly offered THAAD to India.", tmp_path, gazetteer)
    p = one(d, DKG.Offer, False)
    assert p.values(DKG.offeree) == [DKGR.India] and p.values(DKG.offeredItem) == [DKGR.THAAD]
    assert p.evidence[0].hedge == "reportedly" and p.modality == "hedged"
    assert p.missing  # no response status stated: not in facts.ttl until a person adds one
    assert "dkg:Offer" not in (tmp_path / "2025-03-test" / "facts.ttl").read_text(encoding="utf-8")


def test_an_event_to_come_is_not_proposed(tmp_path, gazetteer):
    d = draft_of("Deliveries of the S-400 to India will begin in 2027.", tmp_path, gazetteer)
    assert of(d, DKG.DeliveryStart, False) == []


# --- dates ----------------------------------------------------------------------------------

def test_last_year_is_an_inferred_year_with_the_word_kept(tmp_path, gazetteer):
    d = draft_of("The United States imposed sanctions on Turkey under CAATSA last year.", tmp_path, gazetteer,
                 date="2021-03-10")
    p = one(d, DKG.Sanction)
    assert p.values(DKG.statedTime) == [] and p.values(DKG.inferredTime) == [Literal("2020")]
    assert "'last year'" in str(p.values(DKG.dateNote)[0])


def test_a_weekday_is_an_inferred_day_and_kept_as_the_day_of_week(tmp_path, gazetteer):
    d = draft_of("The United States imposed sanctions on Turkey under CAATSA on Thursday.", tmp_path, gazetteer,
                 date="2025-03-14")  # a Friday
    p = one(d, DKG.Sanction)
    assert p.values(DKG.inferredTime) == [Literal("2025-03-13")] and p.values(DKG.dayOfWeek) == [Literal("Thursday")]


def test_a_weekday_without_a_day_date_is_not_resolved(tmp_path, gazetteer):
    d = draft_of("The United States imposed sanctions on Turkey under CAATSA on Thursday.", tmp_path, gazetteer,
                 date="2025-03")
    p = one(d, DKG.Sanction, False)
    assert p.values(DKG.inferredTime) == [] and p.values(DKG.dayOfWeek) == [Literal("Thursday")]


# --- names ----------------------------------------------------------------------------------

def names_in(text: str, gazetteer) -> set:
    seg = index_text(text).sentences[0]
    return {n for m in analyse(seg, gazetteer).known() for n in m.nodes}


def test_plurals_possessives_and_aliases_are_the_known_names(gazetteer):
    assert names_in("Russia’s S-400s worry the Americans.", gazetteer) == {DKGR.Russia, DKGR["S-400"], DKGR.UnitedStates}


def test_acronyms_match_case_sensitively(gazetteer):
    assert DKGR.UnitedStates not in names_in("They told us about it.", gazetteer)
    assert DKGR.UnitedStates in names_in("They told the US about it.", gazetteer)


def test_an_unknown_name_is_a_candidate_never_linked(tmp_path, gazetteer):
    d = draft_of("The United States imposed sanctions on Kestrel Dynamics under CAATSA in 2025. Officials met in Cyprus.",
                 tmp_path, gazetteer)
    kestrel = next(p for p in d.proposals if p.key == "entity" and p.label == "Kestrel Dynamics")
    cyprus = next(p for p in d.proposals if p.key == "entity" and p.label == "Cyprus")
    assert kestrel.cls == DKG.Organisation and cyprus.cls is None
    assert one(d, DKG.Sanction).values(DKG.sanctionTarget) == [kestrel.node]
    assert str(kestrel.node).startswith(str(DKGR) + "2025-03-test-entity-")


def test_a_namesake_is_not_resolved_by_guesswork(tmp_path, gazetteer):
    # "New Delhi" names India (an agent) and the city (a place): the role's kind decides, here the
    # addressee, an agent; "Washington" is no agent the graph knows, so the appeal has no appellant.
    d = draft_of("Washington urged New Delhi to reconsider the purchase.", tmp_path, gazetteer)
    p = one(d, DKG.Appeal)
    assert p.values(DKG.addressee) == [DKGR.India] and p.values(DKG.appellant) == []


def test_a_repeated_paragraph_is_never_cited(tmp_path, gazetteer):
    para = "The United States imposed sanctions on Turkey under CAATSA in 2020."
    d = draft_of(f"{para}\n\n{para}\n\nIndia has shown no sign of backing out of the deal.", tmp_path, gazetteer)
    assert index_text(d.folder.joinpath("article.txt").read_text(encoding="utf-8")).sentence("s02").repeats == "s01"
    assert sorted(e.sentence for p in d.proposals for e in p.evidence) == ["s01", "s03"]
    review = (d.folder / "review.md").read_text(encoding="utf-8")
    assert "## s02\n\nrepeats s01 (a paragraph printed twice): not read, never cited" in review


def test_the_draft_is_the_same_bytes_every_time(tmp_path, gazetteer):
    outs = []
    for n in (1, 2):
        d = extract(EXAMPLE / "article.txt", tmp_path / str(n) / "2025-04-example-s400-sanction", gazetteer,
                    meta_path=EXAMPLE / "source.json")
        outs.append({f: (d.folder / f).read_bytes() for f in ("facts.ttl", "review.md", "proposals.json", "article.ttl")})
    assert outs[0] == outs[1]


# --- the CLI: round trip, bad input, Ctrl-C -------------------------------------------------

def test_round_trip_extract_review_build_query(tmp_path):
    env = {"PYTHONPATH": str(ROOT)}
    draft = tmp_path / "2025-04-example-s400-sanction"
    articles = tmp_path / "articles"
    shutil.copytree(SEED, articles / SEED.name)
    proc = run_kg("extract", str(EXAMPLE / "article.txt"), "--source-meta", str(EXAMPLE / "source.json"), "-o", str(draft), env=env)
    assert proc.returncode == 0, proc.stderr
    proposals = json.loads((draft / "proposals.json").read_text(encoding="utf-8"))["proposals"]
    by_class = {p["class"]: p["id"] for p in proposals}
    sanction, stance = by_class["dkg:Sanction"], by_class["dkg:Stance"]
    proc = run_kg("review", str(draft), "--accept", sanction, stance, "--articles", str(articles), env=env)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "build"
    proc = run_kg("build", "--build-dir", str(out), env={**env, "KG_ARTICLES": str(articles)})
    assert proc.returncode == 0, proc.stderr
    query = """SELECT ?target ?quote ?status WHERE {
      ?f a dkg:Sanction ; dkg:sanctionTarget ?t ; dkg:evidence ?e .
      ?t rdfs:label ?target .
      ?e oa:hasTarget/oa:hasSelector/oa:exact ?quote ; dkg:reviewStatus ?status ; dkg:extractionRule ?rule }"""
    proc = run_kg("query", "--sparql", query, "--format", "json", "--build-dir", str(out), env=env)
    assert proc.returncode == 0, proc.stderr
    rows = [{k: v["value"] for k, v in b.items()} for b in json.loads(proc.stdout)["results"]["bindings"]]
    assert len(rows) == 1
    sentence = (EXAMPLE / "article.txt").read_text(encoding="utf-8").split(". ")[0]
    assert rows[0]["target"] == "Kestrel Dynamics" and rows[0]["status"] == "accepted"
    assert "imposed sanctions on Kestrel Dynamics under CAATSA in 2025" in rows[0]["quote"] and rows[0]["quote"] in sentence
    ask = "ASK { ?f a dkg:Sanction ; dkg:sanctionTarget dkgr:India }"  # the denial is no sanction on India
    proc = run_kg("query", "--sparql", ask, "--format", "json", "--build-dir", str(out), env=env)
    assert json.loads(proc.stdout)["boolean"] is False


def test_a_draft_compiles_in_a_build_unchanged(tmp_path):
    env = {"PYTHONPATH": str(ROOT)}
    articles = tmp_path / "articles"
    shutil.copytree(SEED, articles / SEED.name)
    proc = run_kg("extract", str(EXAMPLE / "article.txt"), "--source-meta", str(EXAMPLE / "source.json"),
                  "-o", str(articles / "2025-04-example-s400-sanction"), env=env)
    assert proc.returncode == 0, proc.stderr
    proc = run_kg("build", "--build-dir", str(tmp_path / "b"), env={**env, "KG_ARTICLES": str(articles)})
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize("setup, args, needle", [
    (None, ("extract", "{tmp}/missing.txt", "-o", "{tmp}/d"), "missing.txt"),
    ("bad-utf8", ("extract", "{tmp}/bad.txt", "-o", "{tmp}/d"), "bad.txt:1:"),
    ("bad-date", ("extract", "{tmp}/ok.txt", "--date", "June 2019", "-o", "{tmp}/d"), "not a date"),
    (None, ("review", "{tmp}/nothing"), "proposals.json"),
])
def test_bad_input_is_one_error_line(tmp_path, setup, args, needle):
    (tmp_path / "bad.txt").write_bytes(b"India \xff signed.")
    (tmp_path / "ok.txt").write_text("India signed.", encoding="utf-8")
    proc = run_kg(*(a.replace("{tmp}", str(tmp_path)) for a in args), env={"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:") and needle in lines[0], proc.stderr


@pytest.fixture(scope="module")
def example_draft(tmp_path_factory):
    draft = tmp_path_factory.mktemp("draft") / "2025-04-example-s400-sanction"
    proc = run_kg("extract", str(EXAMPLE / "article.txt"), "--source-meta", str(EXAMPLE / "source.json"), "-o", str(draft),
                  env={"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    return draft


def fresh(example_draft, tmp_path) -> Path:
    d = tmp_path / example_draft.name
    shutil.copytree(example_draft, d)
    return d


def test_review_refuses_an_unknown_id_an_incomplete_proposal_and_a_hand_written_article(example_draft, tmp_path):
    draft = fresh(example_draft, tmp_path)
    proposals = json.loads((draft / "proposals.json").read_text(encoding="utf-8"))["proposals"]
    incomplete = next(p["id"] for p in proposals if p["missing"])
    env = {"PYTHONPATH": str(ROOT)}
    for ids, needle in ((["p99"], "unknown proposal 'p99'"), ([incomplete], f"{incomplete} is incomplete")):
        proc = run_kg("review", str(draft), "--accept", *ids, "--articles", str(tmp_path / "a"), env=env)
        assert proc.returncode == 2 and needle in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    # a draft named like the seed article would overwrite hand-written facts: refused
    seedlike = tmp_path / "d" / SEED.name
    shutil.copytree(draft, seedlike)
    data = json.loads((seedlike / "proposals.json").read_text(encoding="utf-8"))
    data["slug"] = SEED.name
    (seedlike / "proposals.json").write_text(json.dumps(data), encoding="utf-8")
    articles = tmp_path / "articles"
    shutil.copytree(SEED, articles / SEED.name)
    before = (articles / SEED.name / "facts.ttl").read_bytes()
    proc = run_kg("review", str(seedlike), "--accept", "p01", "--articles", str(articles), env=env)
    assert proc.returncode == 2 and "was not written by `kg review`" in proc.stderr
    assert (articles / SEED.name / "facts.ttl").read_bytes() == before


def test_reject_keeps_the_reason_and_accept_all_above_takes_only_complete_confident_ones(example_draft, tmp_path):
    draft = fresh(example_draft, tmp_path)
    proposals = json.loads((draft / "proposals.json").read_text(encoding="utf-8"))["proposals"]
    env = {"PYTHONPATH": str(ROOT)}
    proc = run_kg("review", str(draft), "--reject", "p02", "--reason", "not news", "--articles", str(tmp_path / "a"), env=env)
    assert proc.returncode == 0, proc.stderr
    proc = run_kg("review", str(draft), "--accept-all-above", "0.8", "--articles", str(tmp_path / "a"), env=env)
    assert proc.returncode == 0, proc.stderr
    log = json.loads((draft / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    assert log["p02"] == {"decision": "rejected", "reason": "not news"}
    wanted = {p["id"] for p in proposals if p["confidence"] >= 0.8 and not p["missing"] and p["id"] != "p02"}
    assert {k for k, v in log.items() if v["decision"] == "accepted"} == wanted
    facts = Graph().parse(tmp_path / "a" / draft.name / "facts.ttl", format="turtle")
    statuses = {str(o) for o in facts.objects(None, DKG.reviewStatus)}
    assert statuses == {"accepted"}


def test_ctrl_c_in_the_interactive_review_loses_nothing(example_draft, tmp_path):
    draft = fresh(example_draft, tmp_path)
    articles = tmp_path / "articles"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "kg", "review", str(draft), "--articles", str(articles)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out: list[str] = []
    reader = threading.Thread(target=lambda: out.extend(iter(lambda: proc.stdout.read(1), "")), daemon=True)
    reader.start()
    proc.stdin.write("a\n")
    proc.stdin.flush()
    log = draft / "decisions.json"
    # wait for the second proposal to be shown: the first decision is then delivered, and the program
    # waits at the second prompt (waiting on what it prints, not on a guessed time)
    deadline = time.monotonic() + 120
    while "\np02 " not in "".join(out):
        assert proc.poll() is None and time.monotonic() < deadline, "".join(out)
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # Ctrl-C at the second prompt
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert proc.returncode == 130 and "kg: interrupted" in err
    assert json.loads(log.read_text(encoding="utf-8"))["decisions"] == {"p01": {"decision": "accepted"}}
    facts = Graph().parse(articles / draft.name / "facts.ttl", format="turtle")
    assert {str(o) for o in facts.objects(None, DKG.reviewStatus)} == {"accepted"}
    leftovers = [p.name for p in list(draft.iterdir()) + list((articles / draft.name).iterdir()) if p.name.startswith(".")]
    assert leftovers == []
    # the next review starts where this one stopped: p01 is not asked again
    again = subprocess.run([sys.executable, "-m", "kg", "review", str(draft), "--articles", str(articles)],
                           input="q\n", capture_output=True, text=True, env=env, timeout=120)
    assert again.returncode == 0 and "\np02 " in again.stdout and "\np01 " not in again.stdout


def test_the_interactive_loop_edits_rejects_with_a_reason_and_skips(example_draft, tmp_path):
    draft = fresh(example_draft, tmp_path)
    articles = tmp_path / "articles"
    p01 = json.loads((draft / "proposals.json").read_text(encoding="utf-8"))["proposals"][0]
    edited = p01["turtle"].replace('"sanction on Kestrel Dynamics"@en', '"US sanction on Kestrel Dynamics, 2025"@en')
    answers = "\n".join(["e", "this is not turtle ;", ".", "e", *edited.splitlines(), ".", "r", "a duplicate", "s", "q"]) + "\n"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("EDITOR", None)
    proc = subprocess.run([sys.executable, "-m", "kg", "review", str(draft), "--articles", str(articles)],
                          input=answers, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "[[United States imposed sanctions on Kestrel Dynamics under CAATSA in 2025]]" in proc.stdout
    assert "not valid Turtle" in proc.stdout
    log = json.loads((draft / "decisions.json").read_text(encoding="utf-8"))["decisions"]
    assert log["p01"]["decision"] == "edited" and log["p02"] == {"decision": "rejected", "reason": "a duplicate"}
    assert "p03" not in log  # skipped: asked again next time
    facts = Graph().parse(articles / draft.name / "facts.ttl", format="turtle")
    assert Literal("US sanction on Kestrel Dynamics, 2025", lang="en") in set(facts.objects(None, RDFS.label))
    sanction = URIRef(p01["node"])
    assert {str(facts.value(ev, DKG.reviewStatus)) for ev in facts.objects(sanction, DKG.evidence)} == {"edited"}
    # the candidate entity the edited fact names comes with it, accepted with it
    assert {str(o) for o in facts.objects(None, DKG.reviewStatus)} == {"edited", "accepted"}


def test_the_readme_walk_through_runs_as_written(tmp_path):
    """README, "From a text file to facts": every `$ ` command, run as written (with /tmp/ and
    drafts/ moved into a temporary folder), prints what the README shows."""
    import re
    import shlex

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## From a text file to facts", 1)[1].split("\n## ", 1)[0]
    shutil.copytree(ROOT / "articles", tmp_path / "kg-articles")  # the `cp -r articles /tmp/kg-articles` it asks for
    ran = []
    for block in re.findall(r"```text\n(.*?)```", section, re.S):
        lines = [ln.strip() for ln in block.splitlines()]
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            def moved(text: str) -> str:
                return text.replace("/tmp/", f"{tmp_path}/").replace("drafts/", f"{tmp_path}/drafts/")

            command = moved(lines[i][2:])
            printed = []
            i += 1
            while i < len(lines) and not lines[i].startswith("$ "):
                printed.append(moved(lines[i]))
                i += 1
            argv = shlex.split(command)
            env = {"PYTHONPATH": str(ROOT), "KG_SOURCES": str(SHIPPED_SOURCES)}
            while "=" in argv[0]:
                name, value = argv.pop(0).split("=", 1)
                env[name] = value
            assert argv[0] == ".venv/bin/kg", command
            proc = run_kg(*argv[1:], env=env)
            assert proc.returncode == 0, (command, proc.stderr)
            shown = [ln.rstrip() for ln in printed if ln]
            if shown:
                assert [ln.rstrip() for ln in proc.stdout.strip().splitlines()] == shown, command
            ran.append(argv[1])
    assert ran == ["extract", "review", "review", "build", "query", "explain"]
