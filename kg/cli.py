"""The ``kg`` command line: parses arguments, calls the library, prints.

Every user error (:class:`kg.errors.KgError`) becomes one message on stderr and
a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __version__
from .errors import KgError

EXPORT_FORMATS = {
    "turtle": ("turtle", False),
    "nt": ("nt", False),
    "nquads": ("nquads", True),
    "trig": ("trig", True),
    "jsonld": ("json-ld", True),
    "xml": ("xml", False),
}


def _build_dir(args) -> Path:
    from .resources import default_build_dir

    return Path(args.build_dir) if getattr(args, "build_dir", None) else default_build_dir()


def _dataset(args):
    from .build import NQUADS_NAME, build, load_built

    bdir = _build_dir(args)
    if (bdir / NQUADS_NAME).is_file():
        return load_built(bdir)
    print(f"kg: no build in {bdir}/; building in memory (run `kg build` to keep it)", file=sys.stderr)
    return build(engine=getattr(args, "engine", "owlrl")).dataset


# --- commands ---------------------------------------------------------------------------


def cmd_build(args) -> int:
    from .backend import cmd_build as build_backend, drop_store, engine_for
    from .build import build, write_outputs

    if args.backend == "oxigraph" or args.input:
        return build_backend(args, _build_dir(args))
    result = build(engine=engine_for(args), validate=not args.no_validate)
    write_outputs(result, _build_dir(args))
    drop_store(_build_dir(args))  # a store of an earlier `--backend oxigraph` build is stale now
    print(result.summary())
    return 0


def cmd_query(args) -> int:
    from .queries import NamedQuery, format_result, resolve_query, run, to_term

    if args.sparql is not None and args.name is not None:
        raise KgError("give a query name/file or --sparql, not both")
    if args.sparql is not None:
        query = NamedQuery("--sparql", Path("<--sparql>"), args.sparql)
    elif args.name is not None:
        query = resolve_query(args.name)
    else:
        raise KgError("give a query name, a .rq file, or --sparql TEXT (`kg questions` lists names)")
    if getattr(args, "endpoint", None):
        from .remote import query_remote_cli

        return query_remote_cli(args, query)
    from .backend import StoreView, store_for_query

    store = store_for_query(args.backend, _build_dir(args))  # the build on Oxigraph, unless --backend rdflib
    ds = StoreView(store) if store is not None else _dataset(args)
    bindings = {}
    for item in args.bind or []:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise KgError(f"--bind takes NAME=VALUE, got {item!r}")
        bindings[name.strip().lstrip("?$")] = to_term(ds, value)
    declared = query.params
    unknown = [b for b in bindings if declared and b not in declared]
    if unknown:
        raise KgError(f"{query.slug} has no parameter {', '.join(unknown)} (it takes: {', '.join(declared)})")
    for name, example in declared.items():
        if name not in bindings and example:
            print(f"kg: {query.slug}: no --bind {name}=...; using the example {example}", file=sys.stderr)
            bindings[name] = to_term(ds, example)
    if store is not None:
        result = ds.run(query.text, bindings, source=str(query.path))
    else:
        result = run(ds, query.text, bindings, source=str(query.path))
    print(format_result(result, args.format, ds))
    return 0


def cmd_questions(args) -> int:
    from .queries import named_queries

    queries = named_queries()
    width = max(len(s) for s in queries)
    for slug, q in queries.items():
        params = f"  [--bind {', '.join(f'{k}=...' for k in q.params)}]" if q.params else ""
        print(f"{slug.ljust(width)}  {q.question}{params}")
    return 0


def cmd_export(args) -> int:
    from .build import union_graph
    from .namespace import GRAPH_INFERRED, GRAPHS
    from .rdfio import serialize, write_atomic

    rdf_format, quads = EXPORT_FORMATS[args.format]
    ds = _dataset(args)
    graphs = [g for g in GRAPHS if not (args.asserted_only and g == GRAPH_INFERRED)]
    if quads:
        if args.asserted_only:
            ds.remove_graph(ds.graph(GRAPH_INFERRED))
        payload = serialize(ds, rdf_format)
    else:
        payload = serialize(union_graph(ds, graphs), rdf_format)
    if args.output:
        write_atomic(Path(args.output), payload)
    else:
        sys.stdout.buffer.write(payload)
    return 0


def cmd_sentences(args) -> int:
    from .articles import find_articles, load_article
    from .resources import articles_dir

    folders = find_articles(articles_dir())
    names = [f.name for f in folders]
    chosen = [f for f in folders if args.article in (None, f.name)]
    if not chosen:
        raise KgError(f"unknown article {args.article!r} (known: {', '.join(names)})")
    for folder in chosen:
        art = load_article(folder)
        print(f"# {art.slug}  <{art.iri}>")
        for s in art.index.sentences:
            rep = f"  (repeats {s.repeats}; cite {s.repeats})" if s.repeats else ""
            print(f"{s.id} [{s.start}:{s.end}] {art.index.paragraph_of[s.id]}{rep}\n    {s.text}")
    return 0


def cmd_validate(args) -> int:
    from .checks import run_checks
    from .shacl import validate as shacl_validate

    ds = _dataset(args)
    report = shacl_validate(ds)
    if args.format == "turtle":
        print(report.turtle())
        if not report.conforms:
            raise KgError(f"SHACL: {len(report.results)} result(s)")
        return 0
    violations = run_checks(ds)
    for v in violations:
        print(f"[{v.severity}] {v.check}: {v.resource} — {v.error}")
    print(report.text())
    if violations or not report.conforms:
        raise KgError(f"{len(violations) + len(report.results)} violation(s)")
    print("no violations")
    return 0


# --- parser -------------------------------------------------------------------------------


#: Commands that live in their own modules, by module. Only the module of the command being
#: run is imported (all of them for ``kg --help``), so that ``kg query`` does not pay for the
#: server, the SPARQL client or the site generator. tests/test_cli.py keeps this in step with
#: what the modules register.
EXTENSIONS = {"server": ("serve",), "remote": ("push",), "explain": ("explain",), "viz": ("viz",),
              "docs": ("docs",), "synth": ("synth",)}
CORE_COMMANDS = ("build", "query", "questions", "export", "sentences", "validate")


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The ``kg`` parser; given the *command* about to run, it registers only what that needs."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--build-dir", metavar="DIR", help="where `kg build` writes and others read (default: ./build or $KG_BUILD_DIR)")
    from .backend import EngineOption
    from .options import BACKENDS

    common.add_argument("--engine", default="owlrl", action=EngineOption,
                        help="reasoning engine: owlrl or native (default: owlrl; native with --backend oxigraph)")
    common.add_argument("--backend", choices=BACKENDS, default=None,
                        help="rdflib (the reference, default for build) or oxigraph (fast; keeps a store in the build "
                             "folder that `kg query` then reads)")

    p = argparse.ArgumentParser(prog="kg", description="defence-kg: a knowledge graph of US–India–Russia defence relations.")
    p.add_argument("--version", action="version", version=f"kg {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    b = sub.add_parser("build", parents=[common], help="compile, reason, validate and write the graph")
    b.add_argument("--no-validate", action="store_true", help="skip the violation checks")
    b.add_argument("--input", metavar="FILE",
                   help="build from an N-Quads/TriG file of asserted and provenance graphs (e.g. from `kg synth`) "
                        "instead of the article folders")
    b.set_defaults(func=cmd_build)

    q = sub.add_parser("query", parents=[common], help="run a named question, a .rq file, or --sparql TEXT")
    q.add_argument("name", nargs="?", help="a question name (see `kg questions`) or a path to a .rq file")
    q.add_argument("--sparql", metavar="TEXT", help="a SPARQL query given inline")
    q.add_argument("--format", choices=["table", "csv", "tsv", "json", "xml"], default="table")
    q.add_argument("--bind", action="append", metavar="NAME=VALUE",
                   help="bind a parameter; VALUE is <iri>, prefix:name, or a label (repeatable)")
    from .options import add_endpoint_options

    add_endpoint_options(q)
    q.set_defaults(func=cmd_query)

    qs = sub.add_parser("questions", help="list the named competency questions")
    qs.set_defaults(func=cmd_questions)

    e = sub.add_parser("export", parents=[common], help="export the graph in a standard RDF format")
    e.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="turtle")
    e.add_argument("--asserted-only", action="store_true", help="leave out the inferred graph")
    e.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically) instead of stdout")
    e.set_defaults(func=cmd_export)

    s = sub.add_parser("sentences", help="print an article's sentence index (ids and offsets for fact files)")
    s.add_argument("article", nargs="?", help="article folder name (default: all)")
    s.set_defaults(func=cmd_sentences)

    v = sub.add_parser("validate", parents=[common], help="run the quality checks and the SHACL shapes on the graph")
    v.add_argument("--format", choices=["text", "turtle"], default="text",
                   help="text: readable report of checks and shapes; turtle: the SHACL report graph")
    v.set_defaults(func=cmd_validate)

    for register in _extensions(command):
        register(sub, common)
    return p


def _extensions(command: str | None = None):
    """``register_cli`` of the modules that hold *command* (of all of them, if it is not a core one)."""
    import importlib

    if command in CORE_COMMANDS:
        return []
    names = [m for m, cmds in EXTENSIONS.items() if command in cmds] or list(EXTENSIONS)
    return [importlib.import_module(f"kg.{name}").register_cli for name in names]


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
