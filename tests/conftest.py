"""Shared fixtures: one in-memory build per engine, reused by the whole session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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


def run_kg(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 300):
    """Run the CLI in a subprocess, as a user would (python -m kg)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd or ROOT, env=full_env, capture_output=True, text=True, timeout=timeout,
    )


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory):
    """A build folder written once by `kg build` in a subprocess."""
    out = tmp_path_factory.mktemp("build")
    proc = run_kg("build", "--build-dir", str(out))
    assert proc.returncode == 0, proc.stderr
    return out
