"""A build killed at any point leaves the previous build whole and current; the next build cleans up.

The kill comes from inside the build process: a ``sitecustomize`` on its path wraps
``os.replace``/``os.rename`` and sends the process SIGKILL just before the N-th rename (every
rename a build makes is tried), or a timer kills it at a random moment.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_kg

pytestmark = [pytest.mark.hostile, pytest.mark.slow]

SITECUSTOMIZE = '''
import atexit, os, signal
_at = int(os.environ.get("KG_TEST_KILL_AT_RENAME", "0"))
_count_file = os.environ.get("KG_TEST_COUNT_RENAMES")
_n = [0]
def _wrap(fn):
    def inner(*args, **kwargs):
        _n[0] += 1
        if _n[0] == _at:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return inner
os.replace = _wrap(os.replace)
os.rename = _wrap(os.rename)
if _count_file:
    atexit.register(lambda: open(_count_file, "w").write(str(_n[0])))
'''
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
TEMPS = (".current.tmp", ".oxigraph.build")


@pytest.fixture(scope="module")
def hooks(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("hooks")
    (d / "sitecustomize.py").write_text(SITECUSTOMIZE)
    return d


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A build folder holding one finished rdflib build: the generation a killed build must leave."""
    b = tmp_path_factory.mktemp("previous") / "b"
    proc = run_kg("build", "--build-dir", str(b))
    assert proc.returncode == 0, proc.stderr
    return b


@pytest.fixture(scope="module")
def other(tmp_path_factory) -> Path:
    """A different input for the killed builds, so that outputs of two builds cannot pass for one."""
    src = tmp_path_factory.mktemp("synth") / "s.nq"
    proc = run_kg("synth", "--articles", "2", "--seed", "5", "-o", str(src))
    assert proc.returncode == 0, proc.stderr
    return src


def env_with(hooks: Path, **extra) -> dict:
    return {"PYTHONPATH": os.pathsep.join([str(hooks), str(ROOT)]), "KG_PROGRESS": "0", **extra}


def manifest(b: Path) -> dict:
    return json.loads((b / "manifest.json").read_text())


def assert_whole(b: Path) -> str:
    """The current generation is whole and every reader answers from it; returns its backend."""
    from rdflib import Dataset

    m = manifest(b)
    for name in ("defence-kg.trig", "defence-kg.nq", "defence-kg.ttl"):
        assert (b / name).is_file(), name
    assert (b / "oxigraph").is_dir() == (m.get("backend", "rdflib") == "oxigraph")
    total = sum(m["graphs"].values())
    assert len((b / "defence-kg.nq").read_text().splitlines()) == total
    trig = Dataset()
    trig.parse(b / "defence-kg.trig", format="trig")
    assert sum(len(g) for g in trig.graphs() if len(g)) == total
    for route in ([], ["--backend", "rdflib"], ["--backend", "oxigraph"]):
        proc = run_kg("query", "--sparql", COUNT, "--format", "csv", "--build-dir", str(b), *route)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.split() == ["n", str(total)], route
    return m.get("backend", "rdflib")


def assert_clean_after_next_build(b: Path) -> None:
    proc = run_kg("build", "--build-dir", str(b))
    assert proc.returncode == 0, proc.stderr
    assert_whole(b)
    left = sorted(p.name for p in b.iterdir() if p.name.startswith(".") and p.name != ".lock")
    assert left == []
    assert len(list((b / "generations").iterdir())) <= 2


def renames_in_a_build(hooks: Path, previous: Path, other: Path, tmp_path: Path) -> int:
    b = tmp_path / "count"
    shutil.copytree(previous, b, symlinks=True)
    counter = tmp_path / "renames"
    proc = subprocess.run([sys.executable, "-m", "kg", "build", "--backend", "oxigraph", "--input", str(other), "--build-dir", str(b)],
                          cwd=ROOT, env={**os.environ, **env_with(hooks, KG_TEST_COUNT_RENAMES=str(counter))},
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return int(counter.read_text())


def test_a_build_killed_at_every_rename_leaves_one_whole_build(hooks, previous, other, tmp_path):
    """The defect: a kill between the renames left outputs of two builds and temp files, and
    `kg query` answered from the stale store while `--backend rdflib` read the new N-Quads."""
    n = renames_in_a_build(hooks, previous, other, tmp_path)
    assert n >= 5  # the outputs, the manifest, the pointer
    seen = set()
    for at in range(1, n + 1):
        b = tmp_path / f"kill-{at}"
        shutil.copytree(previous, b, symlinks=True)
        proc = subprocess.run([sys.executable, "-m", "kg", "build", "--backend", "oxigraph", "--input", str(other), "--build-dir", str(b)],
                              cwd=ROOT, env={**os.environ, **env_with(hooks, KG_TEST_KILL_AT_RENAME=str(at))},
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == -signal.SIGKILL, (at, proc.returncode, proc.stderr)
        seen.add(assert_whole(b))
        assert_clean_after_next_build(b)
    assert seen == {"rdflib"}  # the switch is the last rename: until it, the previous build is current


def test_a_build_killed_at_random_moments_leaves_one_whole_build(previous, other, tmp_path):
    rng = random.Random(20261201)
    for trial in range(5):
        b = tmp_path / f"random-{trial}"
        shutil.copytree(previous, b, symlinks=True)
        proc = subprocess.Popen([sys.executable, "-m", "kg", "build", "--backend", "oxigraph", "--input", str(other), "--build-dir", str(b)],
                                cwd=ROOT, env={**os.environ, "KG_PROGRESS": "0"},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 3.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        assert assert_whole(b) in ("rdflib", "oxigraph")
        assert_clean_after_next_build(b)


def test_a_failed_build_leaves_the_previous_one_byte_identical(previous, tmp_path):
    b = tmp_path / "b"
    shutil.copytree(previous, b, symlinks=True)
    before = {name: (b / name).read_bytes() for name in ("defence-kg.nq", "defence-kg.trig", "manifest.json")}
    arts = tmp_path / "articles"
    shutil.copytree(ROOT / "articles", arts)
    facts = next(arts.glob("*/facts.ttl"))
    facts.write_text(facts.read_text() + "\n this is not Turtle .\n")
    proc = run_kg("build", "--build-dir", str(b), env={"KG_ARTICLES": str(arts)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert {name: (b / name).read_bytes() for name in before} == before
    assert len(list((b / "generations").iterdir())) == 1


def test_two_builds_at_once_in_one_folder_are_refused_not_interleaved(previous, tmp_path):
    import fcntl

    b = tmp_path / "b"
    shutil.copytree(previous, b, symlinks=True)
    with open(b / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        proc = run_kg("build", "--build-dir", str(b))
    assert proc.returncode == 2 and "another build is running" in proc.stderr


def test_a_build_folder_copied_through_its_links_builds_again(previous, tmp_path):
    """A copy that followed the links (`cp -rL`, shutil.copytree's default) has a real `current`
    folder: it is read as it is, and the next build turns it back into generations."""
    b = tmp_path / "copy"
    shutil.copytree(previous, b)
    assert not (b / "current").is_symlink()
    assert_whole(b)
    assert_clean_after_next_build(b)
    assert (b / "current").is_symlink()
