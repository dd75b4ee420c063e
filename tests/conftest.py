"""Shared fixtures: one in-memory build per engine, reused by the whole session."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The suite tests the article's own layer unless a test asks for the cited sources: every build a
# test makes (in process or by `kg build` in a subprocess) reads no sources by default, and the
# tests of sources, claims and --as-of build with SHIPPED_SOURCES (or `sources_build_dir`).
from kg.core.resources import sources_dir as _sources_dir  # noqa: E402

SHIPPED_SOURCES = _sources_dir()
os.environ["KG_SOURCES"] = tempfile.mkdtemp(prefix="kg-test-no-sources-")


def engines() -> list[str]:
    from kg.reasoning import engine_names

    return engine_names()


@pytest.fixture(scope="session", params=engines())
def built(request):
    """A validated in-memory build, once per reasoning engine."""
    from kg.pipeline.build import build

    return build(engine=request.param)


@pytest.fixture(scope="session")
def reference_build():
    """The reference build (rdflib + owlrl)."""
    from kg.pipeline.build import build

    return build(engine="owlrl")


@pytest.fixture(scope="session")
def dataset(reference_build):
    return reference_build.dataset


@pytest.fixture(scope="session")
def article_dataset(tmp_path_factory):
    """The reference build of the article alone, without the cited sources: for tests of the
    article's own layer (its evidence, its voices, its shape)."""
    from kg.pipeline.build import build

    return build(engine="owlrl", sources=tmp_path_factory.mktemp("no-sources")).dataset


def run_kg(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """Run the CLI in a subprocess, as a user would (python -m kg)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd or ROOT, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="session")
def sources_build_dir(tmp_path_factory):
    """A build folder of the article and the shipped cited sources, written by `kg build`."""
    out = tmp_path_factory.mktemp("build-sources")
    proc = run_kg("build", "--build-dir", str(out), env={"KG_SOURCES": str(SHIPPED_SOURCES)})
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory):
    """A build folder written once by `kg build` in a subprocess."""
    out = tmp_path_factory.mktemp("build")
    proc = run_kg("build", "--build-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    return out
