"""The names the graph already knows, with the kind of thing each names.

The gazetteer is built from the graph itself: every ``rdfs:label``, ``skos:altLabel`` and ``dkg:fullName`` of the
individuals the article folders and the cited sources describe that are agents, defence
systems, legal instruments, places or posts (events and situations have labels too, but a
label such as "Turkey's S-400 purchases" is a description, not a name). Matching is
:mod:`kg.sources.mentions`' rule: whole words, plurals and possessives, acronyms
case-sensitively. A name two nodes bear is kept for both; :meth:`Gazetteer.resolve` tells them
apart only by the kind a role needs, and otherwise leaves the mention unlinked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.core.namespace import DKG
from kg.sources.articles import compile_all
from kg.sources.cited import compile_sources
from kg.sources.mentions import name_spans, names
from kg.sources.ontology import load_ontology

#: The kinds of node a name can stand for, most specific first where one is below another.
KINDS = (DKG.State, DKG.Person, DKG.Organisation, DKG.ActorGroup, DKG.Agent, DKG.DefenceSystem,
         DKG.Law, DKG.DefenceAgreement, DKG.LegalInstrument, DKG.Place, DKG.Post)


@dataclass
class Gazetteer:
    names: dict[URIRef, set[str]]
    #: node -> every class it belongs to (with the ontology's superclasses)
    types: dict[URIRef, set[URIRef]]
    labels: dict[URIRef, str] = field(default_factory=dict)
    #: the arms deals the graph knows: (deal, its buyers, its systems)
    deals: list[tuple[URIRef, set, set]] = field(default_factory=list)

    def spans(self, text: str):
        """``(start, end, name, nodes)`` for every known name in *text* (see :func:`name_spans`)."""
        return name_spans(text, self.names)

    def is_a(self, node: URIRef, kind: URIRef) -> bool:
        return kind in self.types.get(node, set())

    def resolve(self, nodes: tuple[URIRef, ...], kind: URIRef | None = None) -> URIRef | None:
        """The one node of *nodes* that is a *kind*; None if none or several are."""
        fit = [n for n in nodes if kind is None or self.is_a(n, kind)]
        return fit[0] if len(fit) == 1 else None

    def label(self, node: URIRef) -> str:
        return self.labels.get(node, str(node))


def superclasses(ontology: Graph) -> dict[URIRef, set[URIRef]]:
    """class -> itself and every named superclass (rdfs:subClassOf, transitively)."""
    direct: dict[URIRef, set[URIRef]] = {}
    for c, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(c, URIRef) and isinstance(sup, URIRef):
            direct.setdefault(c, set()).add(sup)
    classes = set(direct) | {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef)}
    out = {}
    for c in classes:
        seen, todo = {c}, [c]
        while todo:
            for sup in direct.get(todo.pop(), ()):
                if sup not in seen:
                    seen.add(sup)
                    todo.append(sup)
        out[c] = seen
    return out


def from_graph(asserted: Graph, ontology: Graph) -> Gazetteer:
    """The gazetteer of the named individuals *asserted* describes."""
    sup = superclasses(ontology)
    types: dict[URIRef, set[URIRef]] = {}
    for node, cls in asserted.subject_objects(RDF.type):
        if isinstance(node, URIRef) and isinstance(cls, URIRef):
            types.setdefault(node, set()).update(sup.get(cls, {cls}))
    named = [n for n, ts in types.items() if any(k in ts for k in KINDS)]
    found = names(asserted, sorted(named))
    for node in named:  # a full name ("Countering America's Adversaries Through Sanctions Act") is a name too
        for full in asserted.objects(node, DKG.fullName):
            found.setdefault(node, set()).add(str(full))
    labels = {n: str(asserted.value(n, RDFS.label)) for n in found if asserted.value(n, RDFS.label) is not None}
    deals = [(d, set(asserted.objects(d, DKG.buyer)), set(asserted.objects(d, DKG.system)))
             for d in sorted(n for n, ts in types.items() if DKG.ArmsDeal in ts)]
    return Gazetteer(found, {n: types[n] for n in found}, labels, deals)


def load_gazetteer(articles: Path, sources: Path) -> Gazetteer:
    """The gazetteer of the article folders in *articles* and the cited sources in *sources*
    (a missing or empty sources folder adds nothing)."""
    asserted = compile_all(articles)[0]
    graphs, _, _ = compile_sources(sources)
    for g in graphs.values():
        asserted += g
    return from_graph(asserted, load_ontology())
