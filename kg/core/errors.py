"""User-facing errors: the CLI prints them as one clear message, with no traceback."""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """An error caused by the user's input or environment, not by a bug."""

    exit_code = 2


class SourceError(KgError):
    """An error located in a file: printed as ``file:line:column: message``."""

    def __init__(self, path: str | Path, message: str, line: int | None = None, column: int | None = None):
        self.path = str(path)
        self.line = line
        self.column = column
        self.message = message
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


def missing_file(path: str | Path, what: str = "file") -> KgError:
    return KgError(f"{path}: no such {what}")
