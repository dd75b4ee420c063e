"""Progress on long work: a one-line counter on a terminal, silence when piped.

Deliberately dependency-free: a carriage-return line on stderr, refreshed at most ten
times a second, shown only when stderr is a terminal (and ``KG_PROGRESS`` is not ``0``).
"""

from __future__ import annotations

import os
import sys
import time


def enabled(stream=None) -> bool:
    stream = stream or sys.stderr
    if os.environ.get("KG_PROGRESS") == "0":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """``with Progress("load", total) as bar: bar.update(done)``; ``bar.note(text)`` for a stage."""

    def __init__(self, label: str, total: int | None = None, quiet: bool = False, stream=None):
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.on = not quiet and enabled(self.stream)
        self.t0 = time.perf_counter()
        self._last = 0.0
        self._shown = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _write(self, text: str) -> None:
        self.stream.write("\r\033[K" + text)
        self.stream.flush()
        self._shown = True

    def update(self, done: int, total: int | None = None) -> None:
        if not self.on:
            return
        now = time.perf_counter()
        total = total if total is not None else self.total
        if now - self._last < 0.1 and done != total:
            return
        self._last = now
        elapsed = now - self.t0
        if total:
            self._write(f"{self.label}: {done}/{total} ({100 * done / total:.0f}%) {elapsed:.1f} s")
        else:
            self._write(f"{self.label}: {done} {elapsed:.1f} s")

    def note(self, text: str) -> None:
        if self.on:
            self._write(f"{self.label}: {text} ({time.perf_counter() - self.t0:.1f} s)")

    def close(self) -> None:
        if self.on and self._shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._shown = False
