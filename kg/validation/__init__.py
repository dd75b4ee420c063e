"""Validation: the violation queries (``queries/checks``) and the SHACL shapes, on any store.

:func:`validate` runs both on a :class:`~kg.store.Store`: the shapes by pySHACL where the
store suits it (``store.shacl == "pyshacl"``, the rdflib reference), else compiled to SPARQL over
whole sets (:mod:`kg.validation.shacl_sparql`), every query of a run side by side on threads.
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


def side_by_side(jobs: list, workers: int | None = None, weights: list | None = None) -> list:
    """What each of *jobs* (functions of no argument) returns, run side by side on threads, in
    the order of *jobs*; the heaviest by *weights* start first.

    Oxigraph evaluates a query outside Python's lock, so on two cores two threads finish the
    build's validation queries in about 0.6 of the time one takes.
    """

    out: list = [None] * len(jobs)

    def job(i):
        out[i] = jobs[i]()

    order = sorted(range(len(jobs)), key=lambda i: weights[i], reverse=True) if weights else range(len(jobs))
    workers = workers or max(1, min(len(jobs), os.cpu_count() or 1))
    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(job, order))
    return out


def select_all(store, texts: list[str], workers: int | None = None) -> list[list]:
    """The rows of several read-only queries, run side by side; in the order of *texts*."""
    return side_by_side([lambda t=t: store.select(t) for t in texts], workers)


def validate(store) -> list[Violation]:
    """Every violation the checks and the shapes find in *store* (a store or an rdflib dataset)."""

    store = as_store(store)
    checks = check_texts(store)
    if store.shacl == "pyshacl":

        rows = [store.select(text) for _, _, text in checks]
        found = check_violations(checks, rows) + shacl_violations(store.as_dataset())
    else:

        constraints = compile_shapes()
        jobs = [lambda t=text: store.select(t) for _, _, text in checks]
        jobs += [lambda c=c: c.rows(store.select) for c in constraints]
        # the longest first: a node shape's sh:or (several queries in turn), then by length
        weights = [(False, len(text)) for _, _, text in checks] + [(bool(c.steps), len(c.query)) for c in constraints]
        rows = side_by_side(jobs, weights=weights)
        found = check_violations(checks, rows[:len(checks)]) + violations_from_rows(constraints, rows[len(checks):])
    return sorted(found, key=lambda v: (v.check, v.resource, v.error))
