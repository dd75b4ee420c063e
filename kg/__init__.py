"""defence-kg: a knowledge graph of US–India–Russia defence relations.

The library's small public API, each name imported on first use (so ``import kg`` costs
nothing)::

    import kg
    store = kg.open("build")                  # the build in ./build (kg.build() makes one)
    result = kg.query(store, "who-risks-caatsa-for-s400")
    print(kg.validate(store))                 # [] when the graph is clean

* :func:`build` — load, reason and validate in a new store (:func:`kg.pipeline.build.build`);
* :func:`open` — the build in a folder, as a store (:func:`kg.store.open_build`);
* :func:`query` — a named question, or SPARQL text, through the one SPARQL boundary;
* :func:`validate` — the checks and SHACL shapes (:func:`kg.validation.validate`);
* :func:`explain` — why the graph holds a fact (:func:`kg.explanation.explainer.explain`).

The version is :data:`kg.core.version.__version__`, re-exported here.
"""

from kg.core.version import __version__

__all__ = ["__version__", "build", "explain", "open", "query", "validate"]


def build(source=None, *, backend: str = "rdflib", engine: str | None = None, validate: bool = True):
    """Build the graph in memory: a :class:`kg.pipeline.build.BuildResult` (its ``store`` answers queries)."""
    from kg.pipeline.build import build as run_build

    return run_build(source, backend=backend, engine=engine, validate=validate)


def open(build_dir="build", backend: str | None = None):  # noqa: A001  (kg.open, as pySHACL has validate)
    """The build in *build_dir* as a store; a :class:`kg.core.errors.KgError` if there is none."""
    from kg.core.errors import missing_file
    from kg.store import open_build

    store = open_build(build_dir, backend)
    if store is None:
        raise missing_file(build_dir, "build (run `kg build` first)")
    return store


def query(store, name_or_text: str, bindings: dict | None = None):
    """Run a named question (by slug) or SPARQL text on *store*; an rdflib Result.

    *bindings* map parameter names to values as ``kg query --bind`` reads them
    (``<iri>``, ``prefix:name`` or a label); they enter the query as bindings only.
    """
    from kg.sparql import run
    from kg.sparql.labels import to_term
    from kg.sparql.named import named_queries

    named = named_queries()
    text, source = (named[name_or_text].text, name_or_text) if name_or_text in named else (name_or_text, "<query>")
    terms = {k: to_term(store, v) for k, v in (bindings or {}).items()}
    return run(store, text, terms, source=source)


def validate(store) -> list:
    """Every violation the checks and the shapes find in *store* (empty when the graph is clean)."""
    from kg.validation import validate as run_validation

    return run_validation(store)


def explain(store, subject: str, predicate: str | None = None, obj: str | None = None) -> list:
    """Why the graph holds facts about *subject* (optionally one *predicate* and *obj*)."""
    from kg.explanation.explainer import explain as run_explain

    return run_explain(store.as_dataset(), subject, predicate, obj)
