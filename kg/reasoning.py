"""OWL 2 RL reasoning behind one small function, :func:`expand`.

Engines are looked up by name and imported lazily, so an optional engine costs
nothing until it is used. Every engine returns only what it *derived*, with the
axiomatic noise of OWL RL closures removed (see :func:`is_noise`), so that the
inferred named graph holds nothing the sources already say and nothing trivial.
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from .errors import KgError

BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
_REFLEXIVE_NOISE = {OWL.sameAs, OWL.equivalentClass, OWL.equivalentProperty, RDFS.subClassOf, RDFS.subPropertyOf}


def is_noise(s, p, o) -> bool:
    """True for triples every OWL RL closure adds but that say nothing new.

    Reflexive ``owl:sameAs`` and friends, triples with a literal subject, triples
    about or pointing at built-in RDF/RDFS/OWL/XSD vocabulary (``owl:Thing``,
    ``rdf:Property``, ...), and triples on anonymous class expressions.
    """
    if isinstance(s, Literal) or isinstance(s, BNode) or isinstance(o, BNode):
        return True
    if p in _REFLEXIVE_NOISE and s == o:
        return True
    if str(s).startswith(BUILTIN_NAMESPACES):
        return True
    if isinstance(o, URIRef) and str(o).startswith(BUILTIN_NAMESPACES):
        return True
    return False


def _owlrl(graph: Graph) -> Graph:
    import owlrl  # lazy: only when this engine is chosen

    work = Graph()
    for t in graph:
        work.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(work)
    return work


#: name -> function(graph) returning the closure (input included).
ENGINES: dict[str, Callable[[Graph], Graph]] = {"owlrl": _owlrl}
PROFILES = ("owl-rl",)


def register_engine(name: str, closure: Callable[[Graph], Graph]) -> None:
    ENGINES[name] = closure


def _load_optional_engines() -> None:
    if "native" not in ENGINES:
        try:
            from . import materialise  # noqa: F401  (registers "native" if present)
        except ImportError:
            pass


def engine_names() -> list[str]:
    _load_optional_engines()
    return sorted(ENGINES)


def expand(graph: Graph, profile: str = "owl-rl", engine: str = "owlrl") -> Graph:
    """Return the triples OWL 2 RL derives from *graph* and that *graph* lacks, less noise."""
    if profile not in PROFILES:
        raise KgError(f"unknown reasoning profile {profile!r} (known: {', '.join(PROFILES)})")
    _load_optional_engines()
    try:
        closure_fn = ENGINES[engine]
    except KeyError:
        raise KgError(f"unknown reasoning engine {engine!r} (known: {', '.join(sorted(ENGINES))})") from None
    closure = closure_fn(graph)
    inferred = Graph()
    for t in closure:
        if t not in graph and not is_noise(*t):
            inferred.add(t)
    return inferred
