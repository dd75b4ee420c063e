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


def read_utf8(path: str | Path) -> str:
    """The text of the file at *path*, which must be UTF-8: bytes that are not name the
    ``file:line:column`` of the first bad byte (the column counts characters, from 1)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise missing_file(path) from None
    except OSError as exc:
        raise KgError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start].decode("utf-8")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        raise SourceError(path, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                "save the file as UTF-8", line, column) from None
