"""Progress on long work: one status line on a terminal with a ticking clock; silence when piped.

Dependency-free: a carriage-return line on stderr, shown only when stderr is a terminal (and
``KG_PROGRESS`` is not ``0``). ``stage(name)`` names the step under way; a background
thread redraws the line twice a second, so the clock ticks even while a step reports
nothing (owlrl's closure, pySHACL); ``update(done, total)`` draws a bar where the total is
known; ``note(text)`` adds a detail (the materialiser's round).
"""

from __future__ import annotations

import os
import sys
import threading
import time


def enabled(stream=None) -> bool:
    stream = stream or sys.stderr
    if os.environ.get("KG_PROGRESS") == "0":
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class Progress:
    """``with Progress("build") as p: p.stage("reasoning"); p.note("round 3"); p.update(5, 10)``."""

    TICK = 0.5

    def __init__(self, label: str, total: int | None = None, quiet: bool = False, stream=None):
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.on = not quiet and enabled(self.stream)
        self.t0 = time.perf_counter()
        self.stage_name: str | None = None
        self.stage_t0 = self.t0
        self.detail = ""
        self.done: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._shown = False
        self._last = 0.0
        self._ticker = None
        if self.on:
            self._ticker = threading.Thread(target=self._tick, daemon=True, name="kg-progress")
            self._ticker.start()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __call__(self, text: str) -> None:
        """A progress callback of the library (``progress=...``): a detail of the current stage."""
        self.note(text)

    def _tick(self) -> None:
        while not self._stop.wait(self.TICK):
            self._draw()

    def _line(self) -> str:
        now = time.perf_counter()
        head = f"{self.label}: {self.stage_name}" if self.stage_name else self.label
        if self.done is not None and self.total:
            width = 20
            filled = int(width * min(self.done, self.total) / self.total)
            head += f" [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
        elif self.done is not None:
            head += f" {self.done}"
        if self.detail:
            head += f", {self.detail}"
        return f"{head} ({now - self.stage_t0:.1f} s)"

    def _draw(self) -> None:
        with self._lock:
            if not self.on or self._stop.is_set():
                return
            self.stream.write("\r\033[K" + self._line())
            self.stream.flush()
            self._shown = True
            self._last = time.perf_counter()

    def stage(self, name: str, total: int | None = None) -> None:
        """Start the step *name* (its clock starts at 0)."""
        self.stage_name, self.stage_t0, self.detail = name, time.perf_counter(), ""
        self.total, self.done = total, None
        self._draw()

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self.on and (time.perf_counter() - self._last >= 0.1 or done == self.total):
            self._draw()

    def note(self, text: str) -> None:
        self.detail = text
        self._draw()

    def close(self) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(1)
        with self._lock:
            if self.on and self._shown:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self._shown = False


class Silent:
    """The progress of work nobody watches."""

    def stage(self, name: str, total: int | None = None) -> None:
        pass

    def update(self, done: int, total: int | None = None) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def __call__(self, text: str) -> None:
        pass
