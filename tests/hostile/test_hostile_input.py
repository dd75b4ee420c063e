"""Hostile and broken input: every one is ONE `kg: error:` line (with file:line:col where there
is one), exit 2 and no traceback, and a server answers 4xx and stays up. Each test is named
after what broke."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_kg
from servers import start_kg_serve
from utils import get

pytestmark = pytest.mark.hostile

ROUTES = [[], ["--backend", "rdflib"], ["--backend", "oxigraph"]]
ROUTE_IDS = ["default", "rdflib", "oxigraph"]
SLUG = "2019-06-us-india-s400"


def one_error_line(proc, start: str) -> None:
    """Exit 2, no traceback, and stderr is one line beginning ``kg: error: <start>``."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.stderr.startswith("kg: error: " + start), proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr


@pytest.fixture(scope="module", params=["rdflib", "oxigraph"])
def serve(build_dir, tmp_path_factory, request):
    s = start_kg_serve(build_dir, tmp_path_factory.mktemp("serve"), "--backend", request.param)
    yield s
    s.stop()


def copy_articles(tmp_path: Path) -> Path:
    """A copy of the shipped articles, to corrupt (the build reads it through $KG_ARTICLES)."""
    target = tmp_path / "articles"
    shutil.copytree(ROOT / "articles", target)
    return target


# --- 5. an invalid IRI in a binding ------------------------------------------------------------------

BAD_IRIS = {
    "angle-brackets": "<http://x/> } ; DROP ALL #>",
    "prefixed-name": "dkgr:x>}DROP",
    "http-iri-with-a-space": "http://x/a b",
    "curly-brace": "<http://x/{y}>",
}


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("value", sorted(BAD_IRIS))
def test_invalid_iri_in_a_binding_is_one_error_line_not_a_traceback(build_dir, route, value):
    """The defect: `--backend oxigraph` (and the default route) ended in `ValueError: Invalid IRI code point`."""
    proc = run_kg("query", "sentences-supporting-fact", "--bind", f"fact={BAD_IRIS[value]}",
                  "--build-dir", str(build_dir), *route)
    one_error_line(proc, "not a valid IRI: ")


def test_invalid_iri_in_a_named_question_parameter_is_a_400_not_a_500(serve):
    """The defect: /queries/sentences-supporting-fact?fact=dkgr:x%3E%7DDROP answered 500 on Oxigraph."""
    base = serve.url.rsplit("/", 1)[0]
    for query in ("fact=dkgr:x%3E%7DDROP", "fact=%3Chttp://x/%3E%20%7D%20%3B%20DROP%20ALL%20%23%3E"):
        status, body = get(f"{base}/queries/sentences-supporting-fact?{query}")
        assert status == 400, (query, status, body[:300])
        assert b"not a valid IRI" in body
    status, _ = get(f"{base}/queries/sentences-supporting-fact?fact=dkgr:appeal-forgo-russian-transactions")
    assert status == 200  # the server is up, and a valid IRI still answers


def test_to_term_keeps_valid_iris_in_all_three_forms(dataset):
    from rdflib import URIRef

    from kg.sparql.labels import to_term

    india = URIRef("https://w3id.org/defence-kg/resource/India")
    assert to_term(dataset, "<https://w3id.org/defence-kg/resource/India>") == india
    assert to_term(dataset, "dkgr:India") == india
    assert to_term(dataset, "https://w3id.org/defence-kg/resource/India") == india
    assert to_term(dataset, "India") == india


# --- 6. non-UTF-8 bytes ------------------------------------------------------------------------------

#: two lines put in front of a file; the second holds 'résumé ' (9 characters, 11 bytes) then 0xFF
BAD_BYTES = b"# first line\n# r\xc3\xa9sum\xc3\xa9 \xff\n"


@pytest.mark.parametrize("name", ["article.txt", "facts.ttl", "article.ttl"])
def test_non_utf8_source_file_is_one_located_error_not_a_unicode_decode_error(tmp_path, name):
    articles = copy_articles(tmp_path)
    path = articles / SLUG / name
    path.write_bytes(BAD_BYTES + path.read_bytes())
    proc = run_kg("build", "--build-dir", str(tmp_path / "build"), env={"KG_ARTICLES": str(articles)})
    one_error_line(proc, f"{path}:2:10: not valid UTF-8 (byte 0xff at offset 24)")


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_non_utf8_query_file_is_one_located_error_not_a_unicode_decode_error(build_dir, tmp_path, route):
    rq = tmp_path / "bad.rq"
    rq.write_bytes(b'# Question: caf\xc3\xa9?\nSELECT * WHERE { ?s ?p "\xc3\xa9\xff" }\n')
    proc = run_kg("query", str(rq), "--build-dir", str(build_dir), *route)
    one_error_line(proc, f"{rq}:2:26: not valid UTF-8 (byte 0xff at offset 45)")


# --- 7. writing where one cannot, and a truncated build ----------------------------------------------

def test_build_dir_that_cannot_be_created_is_one_error_line(tmp_path):
    """The defect: `kg build --build-dir /proc/x` ended in FileNotFoundError's traceback."""
    one_error_line(run_kg("build", "--build-dir", "/proc/x"), "/proc/x: cannot create the build folder: ")
    afile = tmp_path / "a-file"
    afile.write_text("not a folder\n")
    one_error_line(run_kg("build", "--build-dir", str(afile / "build")),
                   f"{afile / 'build'}: cannot create the build folder: ")


def test_export_to_an_existing_directory_is_one_error_line(build_dir, tmp_path):
    """The defect: `kg export -o DIR` ended in IsADirectoryError's traceback."""
    (tmp_path / "kept.txt").write_text("kept\n")
    proc = run_kg("export", "-o", str(tmp_path), "--build-dir", str(build_dir))
    one_error_line(proc, f"{tmp_path}: cannot write it: it is a directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.txt"]  # no temporary file left behind
    proc = run_kg("export", "-o", "/proc/no-such-dir/out.ttl", "--build-dir", str(build_dir))
    one_error_line(proc, "/proc/no-such-dir/out.ttl: cannot write it: ")


def truncated_build(build_dir: Path, tmp_path: Path) -> tuple[Path, int]:
    """A copy of the build whose N-Quads stop 20 bytes into line 101; (the file, that line)."""
    out = tmp_path / "truncated"
    out.mkdir()
    data = (build_dir / "defence-kg.nq").read_bytes()
    cut = 0
    for _ in range(100):
        cut = data.index(b"\n", cut) + 1
    (out / "defence-kg.nq").write_bytes(data[:cut + 20])
    shutil.copy(build_dir / "manifest.json", out / "manifest.json")
    return out / "defence-kg.nq", 101


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_truncated_nquads_is_one_located_error_on_every_query_route(build_dir, tmp_path, route):
    """The defect: `kg query --backend rdflib` ended in rdflib's ParserError traceback."""
    nq, line = truncated_build(build_dir, tmp_path)
    proc = run_kg("query", "--sparql", "ASK { ?s ?p ?o }", "--build-dir", str(nq.parent), *route)
    one_error_line(proc, f"{nq}:{line}")
    assert "run `kg build` again" in proc.stderr


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
def test_truncated_nquads_stops_kg_serve_with_one_error_line(build_dir, tmp_path, backend):
    nq, line = truncated_build(build_dir, tmp_path)
    proc = run_kg("serve", "--build-dir", str(nq.parent), "--backend", backend, "--port", "0",
                  "--port-file", str(tmp_path / "port"), timeout=120)
    one_error_line(proc, f"{nq}:{line}")


# --- 8. an undeclared --bind name ----------------------------------------------------------------------

@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_undeclared_bind_name_is_refused_not_ignored(build_dir, route):
    """The defect: a question that declares no parameters took any --bind silently."""
    proc = run_kg("query", "who-risks-caatsa-for-s400", "--bind", "nosuch=dkgr:India", "--build-dir", str(build_dir),
                  *route)
    one_error_line(proc, "who-risks-caatsa-for-s400 has no parameter nosuch (it takes no parameters)")
    proc = run_kg("query", "sentences-supporting-fact", "--bind", "nosuch=dkgr:India", "--build-dir", str(build_dir),
                  *route)
    one_error_line(proc, "sentences-supporting-fact has no parameter nosuch (it takes: fact)")


def test_inline_sparql_may_bind_any_variable(build_dir):
    proc = run_kg("query", "--sparql", "SELECT ?l WHERE { ?x rdfs:label ?l }", "--bind", "x=India",
                  "--format", "csv", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["l", "India"]


# --- 9. an article with no facts -----------------------------------------------------------------------

NO_FACTS = {
    "empty": b"",
    "only-a-comment": b"# the facts come later\n",
    "only-prefixes": b"@prefix dkg: <https://w3id.org/defence-kg/ontology#> .\n",
}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("content", sorted(NO_FACTS))
def test_article_with_no_facts_is_refused_and_the_previous_build_stays(build_dir, tmp_path, content, backend):
    """The defect: an empty facts.ttl built with exit 0 ("0 facts") and replaced the previous build."""
    previous = tmp_path / "build"
    shutil.copytree(build_dir, previous)
    before = snapshot(previous)
    articles = copy_articles(tmp_path)
    facts = articles / SLUG / "facts.ttl"
    facts.write_bytes(NO_FACTS[content])
    proc = run_kg("build", "--build-dir", str(previous), "--backend", backend, env={"KG_ARTICLES": str(articles)})
    one_error_line(proc, f"{facts}: states no facts")
    assert "NO-FACTS" in proc.stderr
    assert snapshot(previous) == before  # byte for byte, and nothing added


def test_article_marked_no_facts_builds(build_dir, tmp_path):
    import json

    articles = copy_articles(tmp_path)
    empty = articles / "2020-01-no-facts"
    empty.mkdir()
    shutil.copy(articles / SLUG / "article.txt", empty / "article.txt")
    meta = (articles / SLUG / "article.ttl").read_text(encoding="utf-8")
    (empty / "article.ttl").write_text(meta.replace(SLUG, "2020-01-no-facts"), encoding="utf-8")
    (empty / "facts.ttl").write_text("# deliberately none\n", encoding="utf-8")
    (empty / "NO-FACTS").write_text("")
    out = tmp_path / "build"
    proc = run_kg("build", "--build-dir", str(out), env={"KG_ARTICLES": str(articles)})
    assert proc.returncode == 0, proc.stderr
    asserted = "https://w3id.org/defence-kg/graph/asserted"
    ours = json.loads((out / "manifest.json").read_text())["graphs"][asserted]
    assert ours == json.loads((build_dir / "manifest.json").read_text())["graphs"][asserted]


def test_no_facts_marker_beside_facts_is_refused(tmp_path):
    from kg.core.errors import SourceError
    from kg.sources.articles import compile_article

    folder = copy_articles(tmp_path) / SLUG
    (folder / "NO-FACTS").write_text("")
    with pytest.raises(SourceError, match="NO-FACTS: says the article has no facts, but facts.ttl states some"):
        compile_article(folder)
