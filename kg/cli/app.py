"""The ``kg`` command line: parses arguments, calls the library, prints.

Each command is one module of this package with a ``register(sub, common)`` function; only
the module of the command being run is imported (all of them for ``kg --help``), so that a
cold ``kg query`` pays for neither the server, the SPARQL client nor the site generator.
Every user error (:class:`kg.core.errors.KgError`) becomes one ``kg: error:`` line on stderr
and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from kg.core.errors import KgError
from kg.core.version import __version__

#: command -> the module of kg.cli that registers it, in the order ``kg --help`` lists them
COMMANDS = {
    "build": "build", "query": "query", "questions": "questions", "export": "export",
    "sentences": "sentences", "sources": "sources", "claims": "claims", "validate": "validate", "serve": "serve", "push": "push",
    "explain": "explain", "viz": "viz", "docs": "docs", "synth": "synth", "extract": "extract", "review": "review",
}


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``kg`` parser; given the *command* about to run, it registers only that one."""
    from kg.cli.options import common_options

    common = common_options()
    p = argparse.ArgumentParser(prog="kg", description="defence-kg: a knowledge graph of US–India–Russia defence relations.")
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    names = [command] if command in COMMANDS else list(COMMANDS)
    for name in names:
        importlib.import_module(f"kg.cli.{COMMANDS[name]}").register(sub, common)
    return p


def _command_in(argv: list[str]) -> str | None:
    """The subcommand named in *argv* (options come after it), or None."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = make_parser(_command_in(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except KgError as exc:
        print(f"kg: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("kg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
