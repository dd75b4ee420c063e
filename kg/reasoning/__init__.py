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

from kg.core.errors import KgError

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


#: name -> "module:function" of a closure function(graph) -> graph (input included). Engines are
#: imported only when used (as rdflib's plugin registry does), so an optional engine and what
#: it needs (numpy for "native") cost nothing until chosen.
ENGINES: dict[str, str] = {
    "owlrl": "kg.reasoning.owlrl_engine:closure",
    "native": "kg.reasoning.native:closure_graph",
}
#: what an engine needs beyond the core install, for the error that names it
EXTRAS = {"native": "numpy: pip install 'defence-kg[fast]'"}
PROFILES = ("owl-rl",)


def register_engine(name: str, target: str) -> None:
    """Register a closure function by ``"module:function"`` under *name*."""
    ENGINES[name] = target


def load_engine(name: str) -> Callable[[Graph], Graph]:
    """The closure function of engine *name*; a :class:`KgError` if it is unknown or cannot load."""
    import importlib

    try:
        target = ENGINES[name]
    except KeyError:
        raise KgError(f"unknown reasoning engine {name!r} (known: {', '.join(sorted(ENGINES))})") from None
    module, _, attr = target.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except ImportError as exc:
        need = EXTRAS.get(name, f"the module {module}")
        raise KgError(f"the {name} reasoning engine cannot load ({exc}); it needs {need}") from None


def engine_names(available: bool = True) -> list[str]:
    """The registered engines; with *available*, only those whose dependencies import."""
    out = []
    for name in sorted(ENGINES):
        if available:
            try:
                load_engine(name)
            except KgError:
                continue
        out.append(name)
    return out


def expand(graph: Graph, profile: str = "owl-rl", engine: str = "owlrl") -> Graph:
    """Return the triples OWL 2 RL derives from *graph* and that *graph* lacks, less noise."""
    if profile not in PROFILES:
        raise KgError(f"unknown reasoning profile {profile!r} (known: {', '.join(PROFILES)})")
    closure = load_engine(engine)(graph)
    inferred = Graph()
    for t in closure:
        if t not in graph and not is_noise(*t):
            inferred.add(t)
    return inferred
