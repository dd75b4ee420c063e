"""Validation: the violation queries (``queries/checks``) and the SHACL shapes, on any store.

:func:`validate` runs both on a :class:`~kg.store.Store`: the shapes by pySHACL where the
store suits it (``store.shacl == "pyshacl"``, the rdflib reference), else compiled to SPARQL
(:mod:`kg.validation.shacl_sparql`), every query of a run side by side on threads.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from kg.store import as_store
from kg.validation.checks import check_texts
from kg.validation.checks import violations_from_rows as check_violations
from kg.validation.report import ValidationFailed, Violation
from kg.validation.shacl import shacl_violations
from kg.validation.shacl_sparql import compile_shapes, violations_from_rows

__all__ = ["ValidationFailed", "Violation", "validate"]


def select_all(store, texts: list[str], workers: int | None = None) -> list[list]:
    """The rows of several read-only queries, run side by side; in the order of *texts*.

    Oxigraph evaluates much of a query outside Python's lock, so on two cores two threads
    finish the build's 39 validation queries in 0.6 of the time one takes. The longest
    queries (the SHACL node shapes, slowest by far) start first.
    """

    out: list = [None] * len(texts)

    def job(i):
        out[i] = store.select(texts[i])

    order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
    workers = workers or max(1, min(len(texts), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(job, order))
    return out


def validate(store) -> list[Violation]:
    """Every violation the checks and the shapes find in *store* (a store or an rdflib dataset)."""

    store = as_store(store)
    checks = check_texts(store)
    if store.shacl == "pyshacl":

        rows = [store.select(text) for _, _, text in checks]
        found = check_violations(checks, rows) + shacl_violations(store.as_dataset())
    else:

        constraints = compile_shapes()
        rows = select_all(store, [text for _, _, text in checks] + [c.query for c in constraints])
        found = check_violations(checks, rows[:len(checks)]) + violations_from_rows(constraints, rows[len(checks):])
    return sorted(found, key=lambda v: (v.check, v.resource, v.error))
