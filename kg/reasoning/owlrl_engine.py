"""The owlrl engine: the reference OWL 2 RL closure (owlrl's DeductiveClosure, no axiomatic triples)."""

from __future__ import annotations

import owlrl
from rdflib import Graph


def closure(graph: Graph) -> Graph:
    """The OWL 2 RL closure of *graph*, input included (computed on a copy)."""
    work = Graph()
    for t in graph:
        work.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    return work
