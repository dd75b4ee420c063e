"""One store protocol over rdflib, Oxigraph and a remote SPARQL endpoint.

A :class:`Store` holds the built dataset (the named graphs of :data:`kg.core.iris.GRAPHS` and
one per cited source, :func:`kg.core.iris.build_graphs`; the default graph is their union) and
answers SPARQL. It is handed text that the
boundary (:mod:`kg.sparql.boundary`) has already checked, and a dataset that the boundary
has already read: either explicit graph lists, or None for the union default graph.
Results come back as rdflib :class:`~rdflib.query.Result` objects on every store, so that
one set of writers (:mod:`kg.sparql.results`) serves every route.

Implementations are registered by backend name and imported lazily:
``rdflib`` (:class:`kg.store.rdflib_store.RdflibStore`, the reference) and ``oxigraph``
(:class:`kg.store.oxigraph.OxigraphStore`, fast). The remote store
(:class:`kg.remote.client.RemoteStore`) follows the same protocol. Nothing outside this
package branches on which backend it has: a store says what suits it through its
attributes (:attr:`Store.shacl`, :attr:`Store.integers_by_value`).
"""

from __future__ import annotations

from pathlib import Path

from kg.store.protocol import BACKENDS, Store, TooLarge, check_backend

__all__ = ["BACKENDS", "Store", "TooLarge", "as_store", "check_backend", "create", "default_engine",
           "open_build", "store_class", "store_location"]


def open_build(build_dir: Path, backend: str | None = None) -> Store | None:
    """The build in *build_dir* as a store, for reading; None if there is no build.

    * ``rdflib``: the build's N-Quads in an rdflib dataset.
    * ``oxigraph``: the persistent store a ``--backend oxigraph`` build left, when the build
      is large, else the N-Quads loaded into an in-memory Oxigraph store (the article's
      4,000 quads take 7 ms; opening RocksDB takes about 45 ms whatever the size).
    * None: Oxigraph when pyoxigraph imports, else rdflib.
    """
    from kg.core.generations import current
    from kg.core.resources import NQUADS_NAME

    build_dir = current(build_dir)  # one generation, whole
    if backend is None:
        try:
            import pyoxigraph  # noqa: F401
        except ImportError:
            backend = "rdflib"
        else:
            backend = "oxigraph"
    check_backend(backend)
    if backend == "rdflib":
        if not (build_dir / NQUADS_NAME).is_file():
            return None
        from kg.store.rdflib_store import RdflibStore

        return RdflibStore.from_nquads(build_dir / NQUADS_NAME)
    from kg.store.oxigraph import open_built

    return open_built(build_dir)


def create(backend: str, path: Path | None = None) -> Store:
    """A new, empty store of *backend* for a build (on disk at *path*, for Oxigraph, if given)."""
    check_backend(backend)
    if backend == "rdflib":
        from kg.store.rdflib_store import RdflibStore

        return RdflibStore()
    from kg.store.oxigraph import OxigraphStore

    return OxigraphStore.create(path)


def store_class(backend: str):
    """The store class of *backend*: what callers ask of a backend without naming it."""
    check_backend(backend)
    if backend == "rdflib":
        from kg.store.rdflib_store import RdflibStore

        return RdflibStore
    from kg.store.oxigraph import OxigraphStore

    return OxigraphStore


def default_engine(backend: str | None) -> str:
    """The reasoning engine a backend builds with unless told otherwise."""
    return store_class(backend or "rdflib").default_engine


def store_location(backend: str, generation: Path) -> Path | None:
    """Where a build on *backend* keeps its store in *generation* (None: the store lives in memory)."""
    cls = store_class(backend)
    return Path(generation) / cls.folder if cls.persistent else None


def as_store(data) -> Store:
    """*data* as a store: a store as it is, an rdflib Dataset or Graph wrapped in the rdflib store."""
    if hasattr(data, "graphs") and hasattr(data, "backend"):
        return data
    from kg.store.rdflib_store import RdflibStore

    return RdflibStore(data)
