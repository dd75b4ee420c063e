"""Command-line options shared by several commands, kept free of heavy imports.

``kg query`` offers ``--endpoint`` and the credential options; building its parser must not
import the SPARQL client (:mod:`kg.remote`) or rdflib's SPARQL engine, so that a cold
``kg query`` stays cheap.
"""

from __future__ import annotations

import argparse

from kg.remote import AUTH_KINDS, ENV_PASSWORD, ENV_TOKEN, ENV_USER
from kg.store.protocol import BACKENDS  # one spelling; the protocol module imports nothing heavy


class _EngineGiven(argparse.Action):
    """``--engine``: remembers that it was given, so that ``--backend oxigraph`` defaults to native."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.engine_given = True


def common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--build-dir", metavar="DIR",
                        help="where `kg build` writes and others read (default: ./build or $KG_BUILD_DIR)")
    common.add_argument("--engine", default="owlrl", action=_EngineGiven,
                        help="reasoning engine: owlrl or native (default: owlrl; native with --backend oxigraph)")
    common.add_argument("--backend", choices=BACKENDS, default=None,
                        help="rdflib (the reference, default for build) or oxigraph (fast; keeps a store in the build "
                             "folder that `kg query` then reads)")
    return common


def engine_for(args) -> str:
    """The engine a command should use: ``--engine`` if given, else by backend."""
    if getattr(args, "engine_given", False):
        return args.engine
    from kg.store import default_engine

    return default_engine(getattr(args, "backend", None))


def build_dir_of(args):
    from pathlib import Path

    from kg.core.resources import default_build_dir

    return Path(args.build_dir) if getattr(args, "build_dir", None) else default_build_dir()


def notice(text: str) -> None:
    import sys

    print(f"kg: {text}", file=sys.stderr)


def dataset_of(args):
    """The build as an rdflib dataset (built in memory, with a notice, if there is none)."""
    from kg.pipeline.build import get_dataset

    return get_dataset(build_dir_of(args), engine_for(args), notice)


def store_of(args):
    """The build as a store on the chosen backend (built in memory, with a notice, if there is none).

    Reading a build imports only the store (a cold ``kg query`` stays cheap); the build
    pipeline is imported only when there is no build to read.
    """
    from kg.store import open_build

    store = open_build(build_dir_of(args), getattr(args, "backend", None))
    if store is not None:
        return store
    from kg.pipeline.build import get_store

    return get_store(None, getattr(args, "backend", None), engine_for(args),
                     lambda _: notice(f"no build in {build_dir_of(args)}/; building in memory (run `kg build` to keep it)"))


def add_endpoint_options(parser) -> None:
    """The options ``kg query`` takes to run on a remote store."""
    g = parser.add_argument_group("remote store (kg query --endpoint)")
    g.add_argument("--endpoint", metavar="URL", help="run the query on this SPARQL endpoint instead of in-process")
    add_auth_options(g)
    g.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the store (default 60)")


def add_auth_options(g) -> None:
    g.add_argument("--user", help=f"user name (or ${ENV_USER})")
    g.add_argument("--password", help=f"password (better: ${ENV_PASSWORD})")
    g.add_argument("--token", help=f"bearer token (better: ${ENV_TOKEN})")
    g.add_argument("--auth", choices=AUTH_KINDS, help="how to send credentials (default: as the server asks; bearer with a token)")


def emit(data: bytes) -> None:
    """Write bytes to stdout as they are (CRLF line ends kept), or as text where stdout has no buffer."""
    import sys

    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        buffer.write(data)
        buffer.flush()


def emit_result(store, result, fmt: str) -> None:
    """Write a report's SELECT *result* in *fmt* with the one set of result writers (labelled in a table)."""
    from kg.sparql.labels import labels
    from kg.sparql.results import write

    names = labels(store, {t for b in result.bindings for t in b.values()}) if fmt == "table" else {}
    emit(write(result, fmt, names))


REPORT_FORMATS = ("table", "csv", "json")
