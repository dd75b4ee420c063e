"""The rdflib store: the reference route, an rdflib :class:`~rdflib.Dataset` in memory."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kg.core.errors import KgError, SourceError, missing_file, read_utf8
from kg.core.iris import PREFIXES, build_graphs, is_build_graph
from kg.core.namespace import bind_prefixes
from kg.store.protocol import TooLarge


def sparql_engine():
    """rdflib's SPARQL engine, locked down: it would otherwise fetch FROM/FROM NAMED IRIs over HTTP.

    Imported on first use (it costs more than rdflib itself), so that a ``kg query`` answered
    on Oxigraph never loads it. Every use of rdflib's engine goes through this.
    """
    import rdflib.plugins.sparql as rdflib_sparql

    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    return rdflib_sparql


def prepare(text: str, source: str = "<query>"):
    """Parse and translate *text* with rdflib; a syntax error names ``source:line:column``."""
    from pyparsing import ParseException  # rdflib's parser raises these

    try:
        return sparql_engine().prepareQuery(text, initNs=PREFIXES)
    except ParseException as exc:
        raise SourceError(source, f"SPARQL syntax error: {exc.msg}", exc.lineno, exc.col) from None
    except RecursionError:
        raise KgError(f"{source}: the query nests too deeply to parse") from None
    except Exception as exc:  # unknown prefix and the like
        raise SourceError(source, f"SPARQL error: {exc}") from None


def nquads_error(path: Path, exc: Exception) -> SourceError:
    """rdflib's error for a bad line of the N-Quads file *path*, located at that line."""
    why, _, bad = str(exc).partition(":\n")
    line = None
    try:
        bad = ast.literal_eval(bad.strip())  # rdflib quotes the line it could not read
    except (ValueError, SyntaxError):
        bad = None
    if isinstance(bad, str) and bad.strip():
        with open(path, encoding="utf-8", errors="replace") as fh:
            line = next((n for n, text in enumerate(fh, 1) if text.strip() == bad.strip()), None)
    why = why.removeprefix("Invalid line (").removesuffix(")") if bad is not None else str(exc)
    why = " ".join(why.split())  # one line
    return SourceError(path, f"not valid N-Quads: {why} (is the build truncated? run `kg build` again)", line)


def new_dataset() -> Dataset:
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    return ds


class RdflibStore:
    backend = "rdflib"
    shacl = "pyshacl"
    integers_by_value = False
    sorts_rows = False
    default_engine = "owlrl"
    #: the reference: what every other route is compared with
    reference = True
    #: held in memory: a build leaves no store on disk
    persistent = False
    #: ``kg serve --allow-update`` may change it (in memory)
    updatable = True

    folder = None

    @classmethod
    def for_serving(cls, build_dir: Path) -> "RdflibStore | None":
        """The build read into memory, shared copy-on-write with the forked workers; None if
        there is no build."""
        from kg.core.generations import current
        from kg.core.resources import NQUADS_NAME

        path = current(build_dir) / NQUADS_NAME
        return cls.from_nquads(path) if path.is_file() else None

    def __init__(self, dataset: Dataset | None = None):
        self.dataset = dataset if dataset is not None else new_dataset()

    @classmethod
    def from_nquads(cls, path: Path) -> "RdflibStore":
        if not Path(path).is_file():
            raise missing_file(path, "built graph (run `kg build` first)")
        ds = new_dataset()
        try:
            ds.parse(path, format="nquads")
        except UnicodeDecodeError:
            read_utf8(path)  # raises the located error
            raise
        except Exception as exc:  # rdflib's ParserError: a truncated or damaged build
            raise nquads_error(path, exc) from None
        bind_prefixes(ds)
        return cls(ds)

    # --- reading ---

    def graphs(self) -> list[str]:
        """The build's named graphs: the four fixed ones and each cited source's that holds triples."""
        return build_graphs(str(g.identifier) for g in self.dataset.graphs())

    def query(self, text: str, bindings: dict | None = None, *, source: str = "<query>",
              default_graph=None, named_graphs=None, max_rows: int | None = None):
        query = prepare(text, source)
        target = self.dataset
        if default_graph is not None or named_graphs is not None:
            # The dataset the boundary read (the query's FROM / FROM NAMED, or the protocol's
            # graph lists), built as a view: the merge of *default_graph* as the default graph,
            # and only *named_graphs* for GRAPH, as SPARQL 1.1 §13.2 says and Oxigraph does.
            target = Dataset(default_union=False)
            for g in default_graph or []:
                for t in self.dataset.graph(URIRef(g)):
                    target.default_context.add(t)
            for g in named_graphs or []:
                view = target.graph(URIRef(g))
                for t in self.dataset.graph(URIRef(g)):
                    view.add(t)
            query.algebra["datasetClause"] = None
        try:
            result = target.query(query, initBindings=bindings or {})
            if max_rows is not None:
                if result.type == "SELECT":
                    gen = getattr(result, "_genbindings", None)
                    rows = list(itertools.islice(gen if gen is not None else iter(result.bindings), max_rows + 1))
                    if len(rows) > max_rows:
                        raise TooLarge(f"result too large: more than {max_rows} rows")
                    result.bindings = rows
                    # rdflib's setter keeps the spent generator, and iterating the result would
                    # then yield nothing: only ``.bindings`` saw the rows
                    result._genbindings = None
                elif result.type in ("CONSTRUCT", "DESCRIBE") and len(result.graph) > max_rows:
                    raise TooLarge(f"result too large: more than {max_rows} triples")
            elif result.type == "SELECT":
                result.bindings  # evaluate now, so that evaluation errors surface here  # noqa: B018
            return result
        except KgError:
            raise
        except RecursionError:
            raise KgError(f"{source}: the query nests too deeply to evaluate") from None
        except MemoryError:
            raise
        except Exception as exc:  # rdflib raises plain exceptions for evaluation errors
            raise KgError(f"{source}: query failed: {type(exc).__name__}: {exc}") from None

    def select(self, text: str) -> list[dict]:
        """The rows of a trusted, internal SELECT (checks, shapes) on the union, as name -> rdflib term."""
        result = self.dataset.query(prepare(text, "<internal query>"))
        return [{str(k): v for k, v in b.items()} for b in result.bindings]

    def objects(self, subject, predicate):
        seen = set()
        for o in self.dataset.objects(subject, predicate):
            if o not in seen:
                seen.add(o)
                yield o

    def graph_sizes(self) -> tuple[dict[str, int], int]:
        per = {str(g.identifier): len(g) for g in self.dataset.contexts() if len(g)}
        union = len({t for iri in self.graphs() for t in self.dataset.graph(URIRef(iri))})
        return per, union

    # --- building ---

    def add_graph(self, graph_iri: str, graph: Graph) -> None:
        target = self.dataset.graph(URIRef(graph_iri))
        for t in graph:
            target.add(t)

    def load_file(self, path: Path) -> None:
        """Quads of an N-Quads or TriG file, into their graphs."""
        fmt = "nquads" if str(path).endswith(".nq") else "trig"
        try:
            self.dataset.parse(path, format=fmt)
        except Exception as exc:
            raise KgError(f"{path}: cannot read it as {fmt}: {exc}") from None

    def graph(self, graph_iri: str) -> Graph:
        """The named graph *graph_iri* as an rdflib graph (a live view)."""
        return self.dataset.graph(URIRef(graph_iri))

    def clear_graph(self, graph_iri: str) -> None:
        self.dataset.remove_graph(self.dataset.graph(URIRef(graph_iri)))

    def stray_quads(self) -> bool:
        """True if any triple is in the default graph or in a graph the build does not have."""
        return any(len(ctx) and not is_build_graph(str(ctx.identifier)) for ctx in self.dataset.contexts())

    def materialise(self, inputs: list[str], engine: str, progress=None) -> None:
        """No store-specific reasoning here: the caller reasons over an rdflib graph."""
        return None

    def count(self, graph_iri: str) -> int:
        return len(self.dataset.graph(URIRef(graph_iri)))

    def as_dataset(self) -> Dataset:
        return self.dataset

    def flush(self) -> None:
        pass


def dataset_graphs(ds: Dataset) -> list[str]:
    """The build's named graphs in the rdflib dataset *ds*, in output order."""
    return build_graphs(str(g.identifier) for g in ds.graphs() if len(g))


def union_graph(ds: Dataset, graphs=None) -> Graph:
    """The named graphs *graphs* (default: all the build's) of *ds* merged into one rdflib graph."""
    g = Graph()
    bind_prefixes(g)
    for iri in graphs if graphs is not None else dataset_graphs(ds):
        for t in ds.graph(URIRef(iri)):
            g.add(t)
    return g
