"""Where the shipped ontology, queries and articles live.

In a source checkout (and an editable install) they are the top-level folders
``ontology/``, ``queries/``, ``articles/`` and ``sources/``; in a wheel they travel inside the
package as ``kg/_data/...``. ``KG_ARTICLES`` overrides the articles folder, ``KG_SOURCES``
the cited sources' folder.
"""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent.parent  # the kg package folder


def _locate(name: str) -> Path:
    for candidate in (_PKG / "_data" / name, _PKG.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the shipped '{name}' folder next to {_PKG}")


def ontology_dir() -> Path:
    return _locate("ontology")


def queries_dir() -> Path:
    return _locate("queries")


def checks_dir() -> Path:
    return queries_dir() / "checks"


def articles_dir() -> Path:
    env = os.environ.get("KG_ARTICLES")
    return Path(env) if env else _locate("articles")


def sources_dir() -> Path:
    """The cited sources' folder (``sources/<slug>/``); it may be missing or empty (no sources)."""
    env = os.environ.get("KG_SOURCES")
    if env:
        return Path(env)
    try:
        return _locate("sources")
    except FileNotFoundError:
        return _PKG.parent / "sources"


def default_build_dir() -> Path:
    return Path(os.environ.get("KG_BUILD_DIR", "build"))


#: The files a build writes (names inside the build folder).
TRIG_NAME = "defence-kg.trig"
NQUADS_NAME = "defence-kg.nq"
TURTLE_NAME = "defence-kg.ttl"
MANIFEST_NAME = "manifest.json"
