"""The synthetic generator: deterministic, valid, and shaped like the real graph."""

from __future__ import annotations

import io

import pytest
from conftest import run_kg
from rdflib import Dataset

from kg.core.iris import SOURCE_GRAPH, SOURCE_RESOURCE
from kg.core.namespace import DKG, GRAPH_ASSERTED, GRAPH_PROVENANCE
from kg.sources.synth import generate


def make(articles=2, seed=1) -> str:
    buf = io.StringIO()
    generate(buf, articles=articles, seed=seed)
    return buf.getvalue()


def test_same_seed_same_bytes_other_seed_other_bytes():
    assert make(2, 1) == make(2, 1)
    assert make(2, 1) != make(2, 2)


def test_quads_go_to_the_asserted_and_provenance_graphs():
    ds = Dataset()
    ds.parse(data=make(3, 5), format="nquads")
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert graphs == {str(GRAPH_ASSERTED), str(GRAPH_PROVENANCE)}
    assert len(ds.graph(GRAPH_ASSERTED)) > 300 and len(ds.graph(GRAPH_PROVENANCE)) > 3000


def test_every_fourth_article_has_a_cited_source_with_its_own_graph():
    ds = Dataset()
    ds.parse(data=make(8, 5), format="nquads")
    graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
    assert graphs == {str(GRAPH_ASSERTED), str(GRAPH_PROVENANCE), SOURCE_GRAPH + "synth-000004-cited",
                      SOURCE_GRAPH + "synth-000008-cited"}
    # each source names its graph, as the source compiler does (the queries reach it so)
    named = {(str(s), str(o)) for s, o in ds.graph(GRAPH_PROVENANCE).subject_objects(DKG.factsGraph)}
    assert named == {(SOURCE_RESOURCE + "synth-000004-cited", SOURCE_GRAPH + "synth-000004-cited"),
                     (SOURCE_RESOURCE + "synth-000008-cited", SOURCE_GRAPH + "synth-000008-cited")}


CITED = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/>
SELECT ?g ?fact ?source ?locator ?publisher ?reliability ?credibility ?url ?issued WHERE {
  GRAPH ?g { ?fact a ?cls }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/defence-kg/graph/source/"))
  GRAPH dkgg:provenance {
    ?fact dkg:evidence ?c . ?c a dkg:Citation ; dkg:statedIn ?source ; dkg:locator ?locator ; dkg:assertedBy ?publisher .
    ?source a dkg:CitedSource ; dcterms:publisher ?publisher ; schema:url ?url ; dcterms:issued ?issued ;
      dkg:grading [ dkg:sourceReliability ?reliability ; dkg:informationCredibility ?credibility ] .
  }
}
"""


def test_a_cited_source_graph_holds_only_facts_its_source_cites():
    """Every node typed in a cited source's graph has a citation of that source (its slug is the
    graph's), with a locator, asserted by the source's publisher; the source is graded."""
    from kg.store.oxigraph import OxigraphStore, ox

    store = OxigraphStore.create()
    store.raw.load(make(16, 3).encode("utf-8"), ox().RdfFormat.N_QUADS)
    rows = store.select(CITED)
    typed = store.select("SELECT DISTINCT ?g ?fact WHERE { GRAPH ?g { ?fact a ?cls } "
                         "FILTER(STRSTARTS(STR(?g), 'https://w3id.org/defence-kg/graph/source/')) }")
    assert len(typed) >= 4
    assert {(str(r["g"]), str(r["fact"])) for r in rows} == {(str(r["g"]), str(r["fact"])) for r in typed}
    for r in rows:
        assert str(r["g"]).rsplit("/", 1)[1] == str(r["source"]).rsplit("/", 1)[1]
        assert str(r["locator"]).startswith("para ") and str(r["url"]).startswith("https://")


def test_contested_synthetic_claims_are_reported_and_corroborations_are_not(tmp_path):
    """kg claims --contested on a synthetic graph lists exactly the nodes whose cited source gives
    another quantity or a year outside the article's, worked out here from the quads themselves."""
    from kg.pipeline.build import build
    from kg.sparql.claims import contested

    text = make(40, 2)
    src = tmp_path / "s.nq"
    src.write_text(text, encoding="utf-8")
    ds = Dataset()
    ds.parse(data=text, format="nquads")
    asserted = ds.graph(GRAPH_ASSERTED)
    want = set()
    for g in ds.graphs():
        if not str(g.identifier).startswith(SOURCE_GRAPH):
            continue
        for node in set(g.subjects()):
            theirs_q, ours_q = g.value(node, DKG.quantity), asserted.value(node, DKG.quantity)
            their_year = int(str(g.value(node, DKG.statedTime))[:4])
            our_year = int(str(asserted.value(node, DKG.statedTime))[:4])
            if (theirs_q is not None and int(theirs_q) != int(ours_q)) or their_year != our_year:
                want.add(str(node))
    assert want, "the generator should make some contested claims in 40 articles"
    result = build(src, backend="oxigraph", engine="native")
    assert result.violations == []
    got = {str(r["claim"]) for r in contested(result.store)}
    assert got == want


SHAPE = """
PREFIX dkgg: <https://w3id.org/defence-kg/graph/>
SELECT ?exact ?start ?end ?sstart ?text WHERE { GRAPH dkgg:provenance {
  ?ev a dkg:Evidence ; dkg:sentence ?s ; oa:hasTarget ?t .
  ?t oa:hasSource ?article ; oa:hasSelector ?q , ?p .
  ?q a oa:TextQuoteSelector ; oa:exact ?exact .
  ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?s a dkg:Sentence ; dkg:startOffset ?sstart ; dkg:text ?text .
  ?article dkg:hasSentence ?s .
} }
"""


def test_every_quote_is_at_its_offsets_in_its_sentence():
    from kg.store.oxigraph import OxigraphStore, ox

    store = OxigraphStore.create()
    store.raw.load(make(2, 9).encode("utf-8"), ox().RdfFormat.N_QUADS)
    rows = store.select(SHAPE)
    assert len(rows) > 100
    for r in rows:
        a, b = int(r["start"].value) - int(r["sstart"].value), int(r["end"].value) - int(r["sstart"].value)
        assert r["text"].value[a:b] == r["exact"].value


def test_synthetic_graph_passes_the_checks_and_reasons_like_the_article():
    import tempfile
    from pathlib import Path

    from kg.pipeline.build import build

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "s.nq"
        src.write_text(make(4, 11), encoding="utf-8")
        result = build(src, backend="oxigraph", engine="native")  # validates: raises on any violation
        assert result.violations == []
        risk = list(result.store.select("SELECT ?a ?law WHERE { GRAPH dkgg:inferred { ?a dkg:risksSanctionsUnder ?law } }"))
        assert risk, "the chain buyer-in/system/origin-state/targeted-by should fire on synthetic deals"
        buyers = list(result.store.select(f"SELECT ?a WHERE {{ ?a a <{DKG.ArmsBuyer}> }}"))
        assert buyers


def test_cli_writes_the_file_quietly_when_piped(tmp_path):
    out = tmp_path / "s.nq"
    proc = run_kg("synth", "--articles", "2", "--seed", "4", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == make(2, 4)
    assert "\r" not in proc.stderr
    bad = run_kg("synth", "--articles", "0", "-o", str(out))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr


def test_benchmark_sizes_come_out_near_their_labels():
    """Regression: `articles_for` once assumed 1,950 triples an article, so the "1M" graph of
    the benchmark held 665k triples. A size now comes out within 15% of what it is asked for."""
    from kg.sources.synth import articles_for

    for target in (10_000, 50_000, 150_000):
        text = make(articles=articles_for(target), seed=0)
        distinct = len(set(text.splitlines()))
        assert abs(distinct - target) / target < 0.15, (target, distinct)


def test_size_table_is_what_the_generator_makes():
    from kg.sources.synth import SIZE_TABLE

    for articles, triples in SIZE_TABLE[:6]:
        assert len(set(make(articles=articles, seed=0).splitlines())) == triples, articles


def test_shape_is_close_to_the_real_article(article_dataset):
    """Regression: every mention of a state or system once got its own evidence annotation,
    which made the synthetic graph twice as provenance-heavy as the real one. The evidence per
    described node and the share of facts among the triples stay near the article's."""

    def shape(asserted, provenance):
        nodes = set(asserted.subjects())
        evidence = set(provenance.objects(None, DKG.evidence))
        return len(evidence) / len(nodes), len(asserted) / (len(asserted) + len(provenance))

    real_ev, real_share = shape(article_dataset.graph(GRAPH_ASSERTED), article_dataset.graph(GRAPH_PROVENANCE))
    ds = Dataset()  # a few articles: across many, a state is rightly quoted once in each
    ds.parse(data=make(articles=3, seed=0), format="nquads")
    ev, share = shape(ds.graph(GRAPH_ASSERTED), ds.graph(GRAPH_PROVENANCE))
    assert abs(ev - real_ev) / real_ev < 0.25, (ev, real_ev)
    assert real_share / 2 < share < real_share * 2, (share, real_share)


def _quads(path, fmt):
    ds = Dataset()
    ds.parse(path, format=fmt)
    return {(s, p, o, g) for s, p, o, g in ds.quads((None, None, None, None))}


def test_synth_writes_the_format_its_file_extension_names(tmp_path):
    """Regression: `kg synth -o x.ttl` wrote N-Quads into a `.ttl` file. A `.trig` file is TriG
    (the same quads as the `.nq` file), and `kg build --input` reads both alike."""
    nq, trig = tmp_path / "s.nq", tmp_path / "s.TriG"
    for out in (nq, trig):
        proc = run_kg("synth", "--articles", "2", "--seed", "6", "-o", str(out))
        assert proc.returncode == 0, proc.stderr
    assert nq.read_text(encoding="utf-8") == make(2, 6)
    text = trig.read_text(encoding="utf-8")
    assert text != nq.read_text(encoding="utf-8")
    with pytest.raises(Exception):
        Dataset().parse(data=text, format="nquads")  # not N-Quads under another name
    quads = _quads(trig, "trig")
    assert quads == _quads(nq, "nquads") and len(quads) > 3000
    assert {str(g) for *_, g in quads} == {str(GRAPH_ASSERTED), str(GRAPH_PROVENANCE)}
    counts = []
    for src in (nq, trig):
        proc = run_kg("build", "--backend", "oxigraph", "--input", str(src), "--build-dir", str(tmp_path / src.suffix[1:]))
        assert proc.returncode == 0, proc.stderr
        counts.append(proc.stdout.split(" in ")[0])  # "N triples asserted (...), M ontology, K inferred"
    assert counts[0] == counts[1] and "inferred" in counts[0]


@pytest.mark.parametrize("name", ["x.ttl", "x.nt", "x.txt", "x"])
def test_synth_refuses_an_extension_that_cannot_hold_its_named_graphs(tmp_path, name):
    out = tmp_path / name
    proc = run_kg("synth", "--articles", "1", "-o", str(out))
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:"), proc.stderr
    assert ".nq" in lines[0] and ".trig" in lines[0] and name in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_a_benchmark_step_reports_its_own_peak_memory_not_its_parents(tmp_path):
    """Regression: bench/step.py read ru_maxrss, which Linux keeps across exec, so every step that
    bench/run.py started at 10M reported the parent's 2.7 GB as its own peak."""
    import subprocess
    import sys
    from pathlib import Path

    bench = Path(__file__).resolve().parent.parent / "bench"
    child = tmp_path / "child.py"
    child.write_text(f"import sys\nsys.path.insert(0, {str(bench)!r})\nfrom step import _rss_mb\nprint(_rss_mb())\n")
    parent = tmp_path / "parent.py"
    parent.write_text(
        "import subprocess, sys\n"
        "ballast = bytearray(400 * 1024 * 1024)\n"
        "for i in range(0, len(ballast), 4096):\n    ballast[i] = 1\n"
        f"print(subprocess.run([sys.executable, {str(child)!r}], capture_output=True, text=True, check=True).stdout)\n")
    child_peak = float(subprocess.run([sys.executable, str(parent)], capture_output=True, text=True,
                                      check=True).stdout.strip())
    assert 1 < child_peak < 200  # a bare Python, not the parent's 400 MB
