"""The CLI, run in a subprocess as a user would run it."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, run_kg

from kg.core.resources import articles_dir

HEADLINE = "who-risks-caatsa-for-s400"


def assert_user_error(proc, *needles):
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("kg: error:"), proc.stderr
    for n in needles:
        assert n in proc.stderr, (n, proc.stderr)


def test_version_and_module_entry_point():
    proc = run_kg("--version")
    assert proc.returncode == 0 and re.fullmatch(r"kg \d+\.\d+\.\d+\n", proc.stdout)


def test_build_prints_one_summary_line(build_dir):
    proc = run_kg("build", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    assert re.fullmatch(r"\d+ triples asserted .*, \d+ inferred, in [\d.]+ s", lines[0]), lines[0]
    assert {"defence-kg.ttl", "defence-kg.trig", "defence-kg.nq", "manifest.json"} <= {p.name for p in build_dir.iterdir()}


def test_questions_lists_every_named_query():
    proc = run_kg("questions")
    assert proc.returncode == 0
    assert re.search(rf"^{HEADLINE} +Who risks CAATSA sanctions for buying the S-400\?$", proc.stdout, re.M)
    assert "sentences-supporting-fact" in proc.stdout and "--bind fact=" in proc.stdout


def test_query_table_shows_labels_next_to_iris(build_dir):
    proc = run_kg("query", HEADLINE, "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["actor", "deal", "system", "originState"]
    assert set(lines[1]) <= {"-", " "}
    assert any(l.startswith("India (dkgr:India)") for l in lines)
    assert any(l.startswith("Turkey (dkgr:Turkey)") for l in lines)
    assert lines[-1] == "(2 rows)"
    # columns are aligned: every row's second column starts where the header's does
    col = lines[0].index("deal")
    assert all(l[col - 2:col] == "  " for l in lines[2:-1])


def test_query_csv_tsv_json_follow_the_sparql_result_formats(build_dir):
    csv_out = run_kg("query", HEADLINE, "--format", "csv", "--build-dir", str(build_dir)).stdout
    rows = list(csv.reader(io.StringIO(csv_out)))
    assert rows[0] == ["actor", "deal", "system", "originState"]
    assert {r[0] for r in rows[1:]} == {"https://w3id.org/defence-kg/resource/India", "https://w3id.org/defence-kg/resource/Turkey"}

    tsv_out = run_kg("query", HEADLINE, "--format", "tsv", "--build-dir", str(build_dir)).stdout.splitlines()
    assert tsv_out[0] == "?actor\t?deal\t?system\t?originState"
    assert "<https://w3id.org/defence-kg/resource/India>" in {l.split("\t")[0] for l in tsv_out[1:]}

    data = json.loads(run_kg("query", HEADLINE, "--format", "json", "--build-dir", str(build_dir)).stdout)
    assert data["head"]["vars"] == ["actor", "deal", "system", "originState"]
    assert {b["actor"]["value"] for b in data["results"]["bindings"]} == {
        "https://w3id.org/defence-kg/resource/India", "https://w3id.org/defence-kg/resource/Turkey"}
    assert all(b["actor"]["type"] == "uri" for b in data["results"]["bindings"])


def test_query_binds_a_label_as_a_parameter(build_dir):
    proc = run_kg("query", "sentences-supporting-fact", "--bind", "fact=India's 2018 contract for five S-400s from Russia",
                  "--format", "csv", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert [r["sentence"].rsplit("#", 1)[1] for r in rows] == ["s03"]


def test_hostile_label_is_a_value_not_sparql(build_dir):
    evil = 'x" } ; DROP ALL ; SELECT * { ?s ?p "'
    proc = run_kg("query", "sentences-supporting-fact", "--bind", f"fact={evil}", "--build-dir", str(build_dir))
    assert_user_error(proc, "nothing is labelled")


def test_inline_sparql(build_dir):
    proc = run_kg("query", "--sparql", "ASK { dkgr:India a dkg:State }", "--build-dir", str(build_dir))
    assert proc.returncode == 0 and proc.stdout.strip() == "yes"


def test_unknown_query_name_suggests_close_matches():
    proc = run_kg("query", "who-risks-caatsa")
    assert_user_error(proc, "unknown query 'who-risks-caatsa'", HEADLINE)


def test_sparql_syntax_error_names_line_and_column(build_dir):
    proc = run_kg("query", "--sparql", "SELECT ?x WHERE {\n  ?x ?y \n}", "--build-dir", str(build_dir))
    assert_user_error(proc, "SPARQL syntax error")
    assert re.search(r"<--sparql>:\d+:\d+: SPARQL syntax error", proc.stderr), proc.stderr


def test_sparql_syntax_error_in_a_file(tmp_path, build_dir):
    bad = tmp_path / "bad.rq"
    bad.write_text("PREFIX dkg: <https://w3id.org/defence-kg/ontology#>\nSELECT ?x WHERE {\n  ?x a dkg:State \n")
    proc = run_kg("query", str(bad), "--build-dir", str(build_dir))
    assert_user_error(proc, f"{bad}:", "SPARQL syntax error")


def test_service_is_refused(build_dir):
    proc = run_kg("query", "--sparql", "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
                  "--build-dir", str(build_dir))
    assert_user_error(proc, "SERVICE is disabled")


def test_missing_query_file():
    proc = run_kg("query", "/no/such/file.rq")
    assert_user_error(proc, "/no/such/file.rq", "no such query file")


def test_missing_build_folder_for_export_falls_back_to_memory(tmp_path):
    proc = run_kg("export", "--format", "nt", "--build-dir", str(tmp_path / "none"))
    assert proc.returncode == 0 and "building in memory" in proc.stderr


@pytest.fixture
def articles_copy(tmp_path):
    dest = tmp_path / "articles"
    shutil.copytree(articles_dir(), dest)
    return dest


def _facts(articles: Path) -> Path:
    return articles / "2019-06-us-india-s400" / "facts.ttl"


def test_malformed_turtle_names_file_line_and_column(articles_copy, tmp_path):
    facts = _facts(articles_copy)
    lines = facts.read_text(encoding="utf-8").splitlines()
    n = next(i for i, l in enumerate(lines) if l.startswith("dkgr:India a dkg:State"))
    lines[n] = "dkgr:India a dkg:State ;;; ]"
    facts.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_kg("build", "--build-dir", str(tmp_path / "out"), env={"KG_ARTICLES": str(articles_copy)})
    assert_user_error(proc, "malformed Turtle")
    assert re.search(rf"{re.escape(str(facts))}:{n + 1}:\d+: malformed Turtle", proc.stderr), proc.stderr


def test_quote_not_in_its_sentence_is_refused(articles_copy, tmp_path):
    facts = _facts(articles_copy)
    text = facts.read_text(encoding="utf-8").replace('oa:exact "Turkey, NATO ally" ]', 'oa:exact "Turkey, a NATO ally" ]', 1)
    facts.write_text(text, encoding="utf-8")
    proc = run_kg("build", "--build-dir", str(tmp_path / "out"), env={"KG_ARTICLES": str(articles_copy)})
    assert_user_error(proc, "quote not found in s10", "Turkey, a NATO ally", f"{facts}:")


def test_citing_the_repeated_paragraph_is_refused(articles_copy, tmp_path):
    facts = _facts(articles_copy)
    text = facts.read_text(encoding="utf-8").replace('dkg:sentence art:s01 ; oa:exact "its call to India"',
                                                       'dkg:sentence art:s02 ; oa:exact "its call to India"')
    facts.write_text(text, encoding="utf-8")
    proc = run_kg("build", "--build-dir", str(tmp_path / "out"), env={"KG_ARTICLES": str(articles_copy)})
    assert_user_error(proc, "s02 repeats s01", "cite s01")


def test_missing_article_file(articles_copy, tmp_path):
    _facts(articles_copy).unlink()
    proc = run_kg("build", "--build-dir", str(tmp_path / "out"), env={"KG_ARTICLES": str(articles_copy)})
    assert_user_error(proc, "facts.ttl: no such file")


def test_failed_build_leaves_previous_outputs_intact(articles_copy, tmp_path):
    out = tmp_path / "out"
    env = {"KG_ARTICLES": str(articles_copy)}
    assert run_kg("build", "--build-dir", str(out), env=env).returncode == 0
    def tree():  # every file of the build folder, through its links, and every link's target
        return {str(p.relative_to(out)): (p.read_bytes() if p.is_file() else None, p.is_symlink() and str(p.readlink()))
                for p in sorted(out.rglob("*"))}

    before = tree()
    assert "defence-kg.nq" in before and "current" in before
    facts = _facts(articles_copy)
    # a typo'd predicate parses fine but fails validation
    facts.write_text(facts.read_text(encoding="utf-8").replace("dkg:seller dkgr:Russia", "dkg:sellr dkgr:Russia"), encoding="utf-8")
    proc = run_kg("build", "--build-dir", str(out), env=env)
    assert_user_error(proc, "validation failed", "dkg:sellr")
    assert tree() == before


def test_wheel_carries_ontology_queries_and_articles(tmp_path):
    """An installed kg finds its data from any working directory."""
    wheel_dir = tmp_path / "wheel"
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(wheel_dir), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = wheel_dir.glob("defence_kg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in ("kg/_data/ontology/events.ttl", "kg/_data/queries/who-risks-caatsa-for-s400.rq",
                   "kg/_data/queries/checks/missing-provenance-violation.rq",
                   "kg/_data/articles/2019-06-us-india-s400/article.txt"):
        assert needed in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                           "from kg.cli.app import main; sys.exit(main(sys.argv[2:]))", str(site),
                           "query", HEADLINE, "--format", "csv", "--build-dir", str(elsewhere / "none")],
                          cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "resource/India" in proc.stdout and "resource/Turkey" in proc.stdout


def test_sentences_lists_the_index_and_marks_the_repeat():
    proc = run_kg("sentences", "2019-06-us-india-s400")
    assert proc.returncode == 0, proc.stderr
    assert "s02 [269:536] p2  (repeats s01; cite s01)" in proc.stdout
    assert "s13 [3034:3176] p8" in proc.stdout
    bad = run_kg("sentences", "no-such-article")
    assert_user_error(bad, "unknown article 'no-such-article'")


@pytest.mark.parametrize("route", [[], ["--backend", "rdflib"], ["--backend", "oxigraph"]], ids=["default", "rdflib", "oxigraph"])
def test_query_reads_the_build_and_does_not_reason_again(build_dir, tmp_path, route):
    """`kg query` answers from the built files, on every route: drop a derived triple there and it is gone."""
    import shutil as _sh

    copy = tmp_path / "build"
    _sh.copytree(build_dir, copy)
    for stale in copy.glob("*.oxigraph"):
        _sh.rmtree(stale) if stale.is_dir() else stale.unlink()
    nq = copy / "defence-kg.nq"
    lines = [l for l in nq.read_text(encoding="utf-8").splitlines()
             if not (l.startswith("<https://w3id.org/defence-kg/resource/India> <https://w3id.org/defence-kg/ontology#risksSanctionsUnder>"))]
    nq.write_text("\n".join(lines) + "\n", encoding="utf-8")
    proc = run_kg("query", HEADLINE, "--format", "csv", "--build-dir", str(copy), *route)
    assert proc.returncode == 0, proc.stderr
    assert "resource/India" not in proc.stdout and "resource/Turkey" in proc.stdout


def test_cold_query_loads_neither_rdflib_sparql_nor_the_extensions(build_dir):
    """What makes a cold `kg query` cheap (bench/cold_query.py measures it): the default route
    answers on Oxigraph from the built files, and the parser of a core command imports none of
    the other commands' modules. `--backend rdflib` does load rdflib's engine."""
    heavy = ["rdflib.plugins.sparql", "kg.serve.http", "kg.serve.engine", "kg.remote.client", "SPARQLWrapper", "httpx",
             "kg.explanation.explainer", "kg.present.viz", "kg.present.site", "kg.pipeline.build", "owlrl", "pyshacl"]
    probe = (
        "import contextlib, io, json, sys\n"
        "from kg.cli.app import main\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "    code = main(sys.argv[1:])\n"
        f"print(json.dumps([code, 'India' in out.getvalue(), [m for m in {heavy!r} if m in sys.modules]]))\n"
    )
    for route, loaded in (([], []), (["--backend", "rdflib"], ["rdflib.plugins.sparql"])):
        proc = subprocess.run([sys.executable, "-c", probe, "query", HEADLINE, "--build-dir", str(build_dir), *route],
                              capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout) == [0, True, loaded], route


def test_every_command_is_registered_by_the_module_the_cli_names():
    """`kg.cli.app.COMMANDS` (which module holds which command, for lazy loading) matches what
    the modules register: the parser for one command registers that command alone, and
    `kg --help` still lists every command."""
    import argparse

    from kg.cli import app as cli

    def commands(parser):
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        return set(sub.choices)

    everything = commands(cli.make_parser())
    assert everything == set(cli.COMMANDS)
    assert {"build", "query", "serve", "push", "explain", "viz", "docs", "synth"} <= everything
    for c in cli.COMMANDS:
        assert commands(cli.make_parser(c)) == {c}, c
    helptext = run_kg("--help").stdout
    assert all(c in helptext for c in everything)


@pytest.mark.parametrize("route", [[], ["--backend", "rdflib"]], ids=["default", "rdflib"])
def test_from_clause_fetches_nothing(build_dir, route):
    """Regression guard for the lazily imported rdflib engine: a GRAPH IRI names a graph, it is
    never fetched over HTTP, and a FROM naming no graph of the build is refused (every route)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = b"<http://example.org/s> <http://example.org/p> <http://example.org/o> ."
            self.send_response(200)
            self.send_header("Content-Type", "text/turtle")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/graph.ttl"
        proc = run_kg("query", "--sparql", f"SELECT ?s WHERE {{ GRAPH <{url}> {{ ?s ?p ?o }} }}",
                      "--build-dir", str(build_dir), *route)
        proc2 = run_kg("query", "--sparql", f"SELECT ?s FROM <{url}> WHERE {{ ?s ?p ?o }}",
                       "--build-dir", str(build_dir), *route)
    finally:
        server.shutdown()
    assert proc.returncode == 0, proc.stderr  # GRAPH <iri> only matches a graph of the build
    assert "example.org" not in proc.stdout
    assert proc2.returncode == 2 and "never fetched" in proc2.stderr and "Traceback" not in proc2.stderr
    assert hits == []


def test_the_cli_offers_exactly_the_store_backends():
    """`--backend` choices are spelled in the CLI (kept free of imports) and in kg.store: equal."""
    from kg.cli.options import BACKENDS as CLI_BACKENDS
    from kg.store import BACKENDS

    assert CLI_BACKENDS == BACKENDS == ("rdflib", "oxigraph")
