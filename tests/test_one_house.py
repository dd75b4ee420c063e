"""Regression tests for defects found by trying the CLI as a new user would (issue "One house"):
export determinism, the one set of result writers, a missing numpy, progress on a terminal."""

from __future__ import annotations

import os
import re
import sys

import pytest
from conftest import ROOT, run_kg

EXPORTS = ["turtle", "nt", "nquads", "trig", "jsonld", "xml"]


@pytest.mark.parametrize("fmt", EXPORTS)
def test_two_exports_of_one_build_are_byte_identical(build_dir, tmp_path, fmt):
    """The defect: blank-node labels and their order changed from run to run, in every format.
    Each export runs in a fresh process (its own hash seed)."""
    outs = []
    for i in range(2):
        out = tmp_path / f"{i}.{fmt}"
        proc = run_kg("export", "--format", fmt, "-o", str(out), "--build-dir", str(build_dir),
                      env={"PYTHONHASHSEED": str(7 + i)})
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert len(outs[0]) > 10_000
    if fmt in ("nt", "nquads", "turtle", "trig"):
        assert b"_:" in outs[0] or b"[" in outs[0]  # the ontology's restrictions are blank nodes


def test_tsv_keeps_a_row_with_tabs_and_newlines_on_one_line(build_dir):
    """The defect: `kg query --format tsv` wrote tabs and newlines inside literals raw."""
    proc = run_kg("query", "--sparql", 'SELECT ?x ?y WHERE { BIND("a\\tb\\nc" AS ?x) BIND(<http://e.org/i> AS ?y) }',
                  "--format", "tsv", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == '?x\t?y\n"a\\tb\\nc"\t<http://e.org/i>\n'


def test_csv_ends_every_row_with_crlf_and_quotes_what_needs_it(build_dir):
    proc = run_kg("query", "--sparql", 'SELECT ?x ?n WHERE { BIND("say \\"hi\\", then\\ngo" AS ?x) BIND(3 AS ?n) }',
                  "--format", "csv", "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    raw = run_kg_bytes("query", "--sparql", 'SELECT ?x ?n WHERE { BIND("say \\"hi\\", then\\ngo" AS ?x) BIND(3 AS ?n) }',
                       "--format", "csv", "--build-dir", str(build_dir))
    assert raw == b'x,n\r\n"say ""hi"", then\ngo",3\r\n'


def run_kg_bytes(*args: str) -> bytes:
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "kg", *args], cwd=ROOT, capture_output=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.parametrize("fmt,media", [("csv", "text/csv"), ("tsv", "text/tab-separated-values")])
@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
def test_ask_in_csv_and_tsv_is_the_same_from_the_cli_and_the_server(build_dir, tmp_path, fmt, media, backend):
    """The defect: the CLI wrote `true`, the server `_askResult` then `true`."""
    import urllib.parse
    import urllib.request

    from servers import start_kg_serve

    cli = run_kg_bytes("query", "--sparql", "ASK { ?s ?p ?o }", "--format", fmt, "--build-dir", str(build_dir),
                       "--backend", backend)
    assert cli == (b"_askResult\r\ntrue\r\n" if fmt == "csv" else b"?_askResult\ntrue\n")
    server = start_kg_serve(build_dir, tmp_path, "--backend", backend)
    try:
        url = f"{server.url}?{urllib.parse.urlencode({'query': 'ASK { ?s ?p ?o }'})}"
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": media}), timeout=30) as resp:
            assert resp.read() == cli
    finally:
        server.stop()


def test_missing_numpy_is_one_error_line_with_the_install_hint(tmp_path):
    """The defect: after a plain `pip install .`, `kg build --backend oxigraph` ended in a traceback."""
    blocker = tmp_path / "site" / "numpy"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text('raise ImportError("No module named \'numpy\'")\n')
    env = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "site"), str(ROOT)])}
    for args in (["build", "--backend", "oxigraph"], ["build", "--engine", "native"]):
        proc = run_kg(*args, "--build-dir", str(tmp_path / "b"), env=env)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kg: error:"), proc.stderr
        assert "numpy" in lines[0] and "pip install 'defence-kg[fast]'" in lines[0]
    assert not (tmp_path / "b" / "defence-kg.nq").exists()


def build_on_a_terminal(build_dir, *args: str, seconds: float = 300) -> str:
    """What `kg build` shows on a terminal (a pseudo-terminal as its stderr)."""
    import pty
    import select
    import subprocess
    import time

    master, slave = pty.openpty()
    env = dict(os.environ)
    env.pop("KG_PROGRESS", None)
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", "--build-dir", str(build_dir), *args],
                            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(30)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
def test_build_shows_each_stage_with_a_ticking_clock_on_a_terminal(tmp_path, backend):
    """The defects: nothing shown for minutes on the rdflib backend; validation shown as
    "reasoning: round 6" on Oxigraph; a clock that did not tick between stages."""
    shown = build_on_a_terminal(tmp_path / "b", "--backend", backend)
    lines = [ln for ln in re.split(r"\r\x1b\[K|\r|\n", shown) if ln.strip()]
    stages = [m.group(1) for ln in lines if (m := re.match(r"build: (loading|reasoning|validating|writing)", ln))]
    assert [s for i, s in enumerate(stages) if i == 0 or stages[i - 1] != s] == \
        ["loading", "reasoning", "validating", "writing"]
    validating = [ln for ln in lines if ln.startswith("build: validating")]
    assert validating and not any("round" in ln for ln in validating)
    # the clock ticks within the longest stage, though the stage itself reports nothing
    longest = max(("loading", "reasoning", "validating"),
                  key=lambda s: sum(1 for ln in lines if ln.startswith(f"build: {s}")))
    clocks = {m.group(1) for ln in lines if ln.startswith(f"build: {longest}") and (m := re.search(r"\((\d+\.\d) s\)$", ln))}
    assert len(clocks) >= 2, lines


def test_build_is_quiet_when_piped(tmp_path):
    proc = run_kg("build", "--build-dir", str(tmp_path / "b"), env={"KG_PROGRESS": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr and "build:" not in proc.stderr
