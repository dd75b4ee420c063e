"""The sdist and the wheel carry what the README and the licences need (issue 9, defect 11)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile

import pytest
from conftest import ROOT

SLUG = "2019-06-us-india-s400"


def _backend_env(tmp_path) -> dict:
    """An environment in which `python -m hatchling` runs: the venv's own hatchling (the `test`
    extra installs it), or else one installed by pip into a scratch folder for this test only."""
    env = dict(os.environ)
    probe = subprocess.run([sys.executable, "-c", "import hatchling"], capture_output=True)
    if probe.returncode != 0:
        target = tmp_path / "backend"
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                              "--target", str(target), "hatchling>=1.27"], capture_output=True, text=True)
        assert pip.returncode == 0, pip.stderr
        env["PYTHONPATH"] = str(target)
    return env


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dist")
    out = tmp / "out"
    proc = subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-t", "wheel", "-d", str(out)],
                          cwd=ROOT, env=_backend_env(tmp), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (sdist,) = out.glob("*.tar.gz")
    (wheel,) = out.glob("*.whl")
    return sdist, wheel


@pytest.mark.slow
def test_sdist_carries_what_the_readme_commands_need(dists):
    sdist, _ = dists
    with tarfile.open(sdist) as tar:
        names = tar.getnames()
    top = names[0].split("/", 1)[0]
    files = {n.split("/", 1)[1] for n in names if "/" in n}
    for needed in ("scripts/setup.sh", ".ci/run", "README.md", "LICENSE", "pyproject.toml",
                   "tests/conftest.py", f"articles/{SLUG}/article.txt", f"articles/{SLUG}/LICENSE-ARTICLE.md"):
        assert needed in files, f"{needed} not in {sdist.name}"
    assert any(f.startswith("scripts/setup.d/") for f in files)
    assert any(f.startswith("tests/test_") for f in files)
    assert top.startswith("defence_kg-") or top.startswith("defence-kg-")


@pytest.mark.slow
def test_wheel_carries_the_licence_and_the_article_notice_beside_the_article(dists):
    _, wheel = dists
    with zipfile.ZipFile(wheel) as zf:
        files = set(zf.namelist())
        (info,) = {f.split("/", 1)[0] for f in files if f.split("/", 1)[0].endswith(".dist-info")}
        licence = zf.read(f"{info}/licenses/LICENSE").decode("utf-8")
        metadata = zf.read(f"{info}/METADATA").decode("utf-8")
        article = f"kg/_data/articles/{SLUG}/"
        assert article + "article.txt" in files
        notice = zf.read(article + "LICENSE-ARTICLE.md").decode("utf-8")
    assert licence.startswith("MIT License") and "Copyright (c) 2026 defence-kg developers" in licence
    assert "License-Expression: MIT" in metadata and "License-File: LICENSE" in metadata
    assert f"{info}/licenses/articles/{SLUG}/LICENSE-ARTICLE.md" in files
    # the article's own notice: quoted as evidence, still its publisher's, outlet unconfirmed, June 2019
    for words in ("quoted", "evidence", "remains its publisher's", "not confirmed", "June 2019", "does **not** cover"):
        assert words in notice, words


@pytest.mark.slow
def test_wheel_carries_the_query_page_and_yasgui_with_its_licence(dists):
    """The query page works from an installed wheel, offline: YASGUI's bundle, its stylesheet and
    its licence are in the package, beside the page and its script."""
    _, wheel = dists
    with zipfile.ZipFile(wheel) as zf:
        files = set(zf.namelist())
        licence = zf.read("kg/serve/static/yasgui/LICENSE").decode("utf-8")
    for name in ("index.html", "query.js", "yasgui/yasgui.min.js", "yasgui/yasgui.min.css", "yasgui/VERSION"):
        assert f"kg/serve/static/{name}" in files, name
    assert "@zazuko/yasgui" in licence and "MIT License" in licence
