"""Build generations: every build writes a whole new generation, and one rename makes it current.

A build folder looks like this::

    build/
      current -> generations/g000007     the one pointer: a symlink, replaced by a rename
      generations/g000007/               the current build, whole: outputs, manifest, store
      generations/g000006/               the one before (kept, so a reader that has just
                                         resolved it can finish; removed by the next build)
      defence-kg.nq -> current/defence-kg.nq   fixed links, for people and scripts (one for each
                                               output the current generation has)
      ...

A build makes ``generations/gNNNNNN`` (under a lock), writes everything into it, and switches
``current`` with one atomic ``rename(2)`` of a new symlink over the old one. A reader resolves
``current`` once (:func:`current`) and reads that generation only, so it never mixes two builds.
A build that fails leaves ``current`` as it was and removes its own generation; what a killed
build left half-written is removed by the next build before it starts (:func:`discard_unfinished`),
and generations no reader needs any more after its switch (:func:`clean`). A folder from before generations (outputs at the top,
no ``current``) is read as it is, and converted by the next build.

No rdflib here: readers on the cold path (``kg query``) resolve the generation cheaply.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

from kg.core.errors import KgError

POINTER = "current"
FOLDER = "generations"
_NAME = re.compile(r"g(\d{6})")
#: The fixed links at the top of a build folder, to the same names in the current generation.
LINKED = ("defence-kg.trig", "defence-kg.nq", "defence-kg.ttl", "manifest.json", "oxigraph")


def current(build_dir: Path) -> Path:
    """The folder holding the current build: its generation, or *build_dir* itself (an old layout)."""
    build_dir = Path(build_dir)
    pointer = build_dir / POINTER
    if pointer.is_symlink():
        return (build_dir / os.readlink(pointer)).resolve()
    return build_dir


def _generations(build_dir: Path) -> list[Path]:
    folder = Path(build_dir) / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _NAME.fullmatch(p.name))


@contextmanager
def lock(build_dir: Path):
    """Hold the build folder's lock: one build at a time."""
    build_dir = Path(build_dir)
    try:
        build_dir.mkdir(parents=True, exist_ok=True)
        fh = open(build_dir / ".lock", "a+")
    except OSError as exc:
        raise KgError(f"{build_dir}: cannot write the build folder: {exc.strerror or exc}") from None
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KgError(f"{build_dir}: another build is running in this folder") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def new(build_dir: Path) -> Path:
    """A new, empty generation folder (call under :func:`lock`, after :func:`clean`)."""
    gens = _generations(build_dir)
    number = int(_NAME.fullmatch(gens[-1].name).group(1)) + 1 if gens else 1
    gen = Path(build_dir) / FOLDER / f"g{number:06d}"
    gen.mkdir(parents=True)
    return gen


def switch(build_dir: Path, gen: Path) -> None:
    """Make *gen* the current build: one rename of a new pointer over the old one."""
    build_dir = Path(build_dir)
    tmp = build_dir / f".{POINTER}.tmp"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    os.symlink(os.path.relpath(gen, build_dir), tmp)
    _fsync_dir(gen)
    pointer = build_dir / POINTER
    if pointer.is_dir() and not pointer.is_symlink():  # a copy that followed the links: not a pointer
        shutil.rmtree(pointer)
    os.replace(tmp, pointer)
    _fsync_dir(build_dir)
    for name in LINKED:  # the fixed links, for what this generation has; an old layout's files give way
        link = build_dir / name
        wanted = (gen / name).exists()
        if link.is_symlink():
            if not wanted:
                link.unlink()
            continue
        if link.is_dir():
            shutil.rmtree(link)
        elif link.exists():
            link.unlink()
        if wanted:
            os.symlink(f"{POINTER}/{name}", link)


def discard_unfinished(build_dir: Path) -> None:
    """Before a build: remove what a killed build left half-made (generations newer than the
    current one, a pointer never renamed). Nothing a reader may use is touched, and nothing at
    all where the folder has no pointer (call under :func:`lock`)."""
    build_dir = Path(build_dir)
    tmp = build_dir / f".{POINTER}.tmp"
    if tmp.is_symlink():
        tmp.unlink()
    if not (build_dir / POINTER).is_symlink():
        return
    live = current(build_dir)
    for g in (g.resolve() for g in _generations(build_dir)):
        if g.name > live.name:
            shutil.rmtree(g, ignore_errors=True)


def clean(build_dir: Path) -> None:
    """After a switch: remove what no reader can need any more: generations other than the current
    one and the one before it, temporary files of an old layout (call under :func:`lock`)."""
    build_dir = Path(build_dir)
    discard_unfinished(build_dir)
    live = current(build_dir)
    gens = [g.resolve() for g in _generations(build_dir)]
    keep = {live}
    older = [g for g in gens if live in gens and g.name < live.name]
    if older:
        keep.add(older[-1])
    for g in gens:
        if g not in keep:
            shutil.rmtree(g, ignore_errors=True)
    for stale in list(build_dir.glob(".defence-kg.*")) + list(build_dir.glob(".manifest.json.*")) \
            + list(build_dir.glob(".oxigraph.build")):
        shutil.rmtree(stale, ignore_errors=True) if stale.is_dir() else stale.unlink(missing_ok=True)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
