"""Explanations: why the graph holds a fact.

An *asserted* fact is explained by its evidence: the article sentence with the
quoted words highlighted, their character offsets, and who asserts them (the
outlet in its own voice, or a quoted speaker), or the external source cited.

A *derived* fact is explained by re-running the reasoning backwards: the
explainer looks for an OWL 2 RL rule (property chain, inverse, sub-property,
sub-class, domain, range, someValuesFrom restriction, ...) whose conclusion is
the fact and whose premises hold, proves each premise in turn (down to asserted
facts and ontology axioms), and keeps a proof of least depth. Nothing here is
written per fact: the rules are generic and read the ontology's axioms, so a
new axiom or a new article is explained without new code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL

from kg.core.errors import KgError
from kg.core.iris import is_source_graph
from kg.core.namespace import DKG, DKGR, GRAPH_ASSERTED, GRAPH_INFERRED, GRAPH_ONTOLOGY, GRAPH_PROVENANCE, OA, PREFIXES
from kg.core.terms import rdf_list, shorten
from kg.sparql.labels import label_in, to_term
from kg.store.rdflib_store import prepare, sparql_engine

SKOS_ALT = URIRef("http://www.w3.org/2004/02/skos/core#altLabel")
SKOS_PREF = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")

#: Predicates whose triples are schema axioms rather than facts about the world.
SCHEMA_PREDICATES = {
    RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range, OWL.inverseOf,
    OWL.equivalentClass, OWL.equivalentProperty, OWL.propertyChainAxiom, OWL.onProperty,
    OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue, OWL.intersectionOf, OWL.unionOf,
    OWL.disjointWith,
}

#: OWL 2 RL rule names (W3C OWL 2 Profiles, section 4.3) and what they say.
RULES = {
    "prp-dom": "property domain: the subject of a property is in its domain class",
    "prp-rng": "property range: the object of a property is in its range class",
    "prp-spo1": "sub-property: a sub-property's statement also holds for its super-property",
    "prp-spo2": "property chain: a chain of properties implies the chained property",
    "prp-inv1": "inverse property: a statement implies its inverse",
    "prp-inv2": "inverse property: a statement implies its inverse",
    "prp-eqp1": "equivalent property",
    "prp-eqp2": "equivalent property",
    "prp-symp": "symmetric property",
    "prp-trp": "transitive property",
    "prp-fp": "functional property: two values of a functional property are the same",
    "prp-ifp": "inverse-functional property: two subjects with the same value are the same",
    "cax-sco": "sub-class: a member of a class is a member of its super-classes",
    "cax-eqc1": "equivalent class",
    "cax-eqc2": "equivalent class",
    "cls-svf1": "existential restriction: something with a value of the required class is in the restriction",
    "cls-svf2": "existential restriction on owl:Thing",
    "cls-hv1": "has-value restriction: something with the value is in the restriction",
    "cls-hv2": "has-value restriction: a member of the restriction has the value",
    "cls-avf": "universal restriction: a value of a member is in the required class",
    "cls-int1": "intersection: a member of every operand is in the intersection",
    "cls-int2": "intersection: a member of the intersection is in every operand",
    "cls-uni": "union: a member of an operand is in the union",
    "eq-sym": "sameAs is symmetric",
    "eq-rep-s": "sameAs: replace the subject",
    "eq-rep-o": "sameAs: replace the object",
    "scm-sco": "sub-class is transitive",
    "scm-spo": "sub-property is transitive",
    "scm-eqc1": "equivalent classes are sub-classes of each other",
    "scm-eqp1": "equivalent properties are sub-properties of each other",
    "scm-dom1": "a domain's super-class is a domain too",
    "scm-dom2": "a super-property's domain is a domain of the sub-property",
    "scm-rng1": "a range's super-class is a range too",
    "scm-rng2": "a super-property's range is a range of the sub-property",
    "scm-int": "an intersection is a sub-class of each operand",
    "scm-uni": "each operand is a sub-class of the union",
}

MAX_DEPTH = 12


# --- results ------------------------------------------------------------------------------


@dataclass
class Quote:
    """One evidence annotation of a fact node: a quoted span, or a cited external source."""

    evidence: URIRef
    exact: str = ""
    sentence: URIRef | None = None
    sentence_id: str = ""
    sentence_text: str = ""
    sentence_start: int = 0
    start: int | None = None
    end: int | None = None
    article: URIRef | None = None
    article_label: str = ""
    asserted_by: URIRef | None = None
    asserted_by_label: str = ""
    mode: str = ""
    hedge: str = ""
    cited_source: URIRef | None = None
    cited_label: str = ""
    citation_note: str = ""
    relevance: int = 0

    @property
    def is_citation(self) -> bool:
        """A citation of a source (by locator), not a quoted span of a shipped text."""
        return self.cited_source is not None and self.sentence is None

    def parts(self) -> tuple[str, str, str]:
        """The sentence split around the quote: ``(before, quote, after)``."""
        if not self.sentence_text or self.start is None:
            return "", self.exact, ""
        rel = self.start - self.sentence_start
        if self.sentence_text[rel:rel + len(self.exact)] != self.exact:
            rel = self.sentence_text.find(self.exact)
        if rel < 0:
            return "", self.exact, ""
        return self.sentence_text[:rel], self.exact, self.sentence_text[rel + len(self.exact):]

    def highlighted(self, before: str = "«", after: str = "»") -> str:
        a, q, b = self.parts()
        return f"{a}{before}{q}{after}{b}"

    def as_dict(self) -> dict:
        return {
            "evidence": str(self.evidence),
            "sentence": self.sentence_id or None,
            "sentence_iri": str(self.sentence) if self.sentence else None,
            "sentence_text": self.sentence_text or None,
            "quote": self.exact or None,
            "start": self.start,
            "end": self.end,
            "article": str(self.article) if self.article else None,
            "asserted_by": str(self.asserted_by) if self.asserted_by else None,
            "asserted_by_label": self.asserted_by_label or None,
            "attribution": self.mode or None,
            "hedge": self.hedge or None,
            "cited_source": str(self.cited_source) if self.cited_source else None,
            "citation_note": self.citation_note or None,
        }


@dataclass
class Explanation:
    """Why the graph holds *triple*: asserted (with quotes), an ontology axiom, or derived."""

    triple: tuple
    kind: str  #: "asserted", "axiom", "derived" or "unexplained"
    text: str  #: the triple in words
    terms: tuple = ()  #: the triple's terms, shortened (lists and restrictions spelled out)
    quotes: list[Quote] = field(default_factory=list)
    rule: str = ""
    premises: list["Explanation"] = field(default_factory=list)

    @property
    def is_axiom(self) -> bool:
        return self.kind == "axiom" or (self.triple[1] in SCHEMA_PREDICATES)

    def _leaves(self, kind: str) -> list["Explanation"]:
        """The leaves of this explanation tree of the given *kind*, in order, without repeats."""
        out, seen = [], set()

        def walk(e: Explanation):
            if e.kind == kind:
                if e.triple not in seen:
                    seen.add(e.triple)
                    out.append(e)
                return
            for p in e.premises:
                walk(p)

        walk(self)
        return out

    def supporting_facts(self) -> list["Explanation"]:
        """The asserted facts the explanation rests on (itself, if asserted), without repeats."""
        return self._leaves("asserted")

    def axioms(self) -> list["Explanation"]:
        return self._leaves("axiom")

    def rules(self) -> list[str]:
        out = []

        def walk(e: Explanation):
            if e.rule and e.rule not in out:
                out.append(e.rule)
            for p in e.premises:
                walk(p)

        walk(self)
        return out

    def best_quotes(self) -> list[Quote]:
        """The quotes that mention the fact's object best, or all of them if none does."""
        top = max((q.relevance for q in self.quotes), default=0)
        return [q for q in self.quotes if q.relevance == top] if top else list(self.quotes)

    def sentences(self) -> list[str]:
        """Ids of the sentences that best support the supporting facts, in order of first use."""
        out = []
        for f in self.supporting_facts():
            for q in f.best_quotes():
                if q.sentence_id and q.sentence_id not in out:
                    out.append(q.sentence_id)
        return out

    @property
    def n3(self) -> str:
        return " ".join(self.terms or [_n3(t) for t in self.triple])

    def as_dict(self) -> dict:
        return {
            "triple": list(self.terms or [_n3(t) for t in self.triple]),
            "text": self.text,
            "kind": self.kind,
            "rule": self.rule or None,
            "rule_description": RULES.get(self.rule) if self.rule else None,
            "quotes": [q.as_dict() for q in self.quotes],
            "premises": [p.as_dict() for p in self.premises],
        }


def _n3(term) -> str:

    if isinstance(term, Literal):
        if term.datatype is not None:
            return f'"{term}"^^{shorten(term.datatype)}'
        return term.n3()
    return shorten(term)


_STOP = {"the", "of", "to", "a", "an", "in", "and", "for", "on", "by", "with", "at", "its", "is"}


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[\w-]+", text.lower()) if w not in _STOP}


def _relevance(names: list[str], quote: str, sentence: str) -> int:
    """3: a name of the object is in the quote; 2: in the sentence; 1: most of its words are."""
    if any(n in quote for n in names):
        return 3
    if any(n in sentence for n in names):
        return 2
    qw = _words(quote)
    for n in names:
        nw = _words(n)
        if nw and len(nw & qw) * 2 >= len(nw):
            return 1
    return 0


# --- the explainer ----------------------------------------------------------------------------


class Explainer:
    """Explains triples of a built dataset (four named graphs)."""

    def __init__(self, ds: Dataset):
        self.ds = ds
        self.ontology = ds.graph(GRAPH_ONTOLOGY)
        # what the sources state: the articles' graph and every cited source's, as one graph
        self.asserted = Graph()
        for g in ds.graphs():
            if g.identifier == URIRef(GRAPH_ASSERTED) or is_source_graph(str(g.identifier)):
                for t in g:
                    self.asserted.add(t)
        self.provenance = ds.graph(GRAPH_PROVENANCE)
        self.inferred = ds.graph(GRAPH_INFERRED)
        self.kb = Graph()
        for g in (self.ontology, self.asserted, self.inferred):
            for t in g:
                self.kb.add(t)
        self._proofs: dict[tuple, Explanation] = {}
        self._failed: dict[tuple, int] = {}
        self._lists: dict = {}
        self._labels: dict = {}

    # -- words ------------------------------------------------------------------------------

    def label(self, term) -> str:
        if isinstance(term, Literal):
            return str(term)
        if term in self._labels:
            return self._labels[term]
        text = label_in(self.kb, term) or label_in(self.provenance, term)
        if text is None:
            if term == RDF.type:
                text = "is a"
            elif isinstance(term, BNode):
                text = self._class_expression(term)
            else:
                text = _n3(term)
        self._labels[term] = text
        return text

    def term(self, t) -> str:
        """A term shortened; an RDF list or a restriction spelled out."""
        if isinstance(t, BNode):
            items = self._items(t)
            if items:
                return "( " + " ".join(self.term(i) for i in items) + " )"
            prop = self.kb.value(t, OWL.onProperty)
            if prop is not None:
                for kind in (OWL.someValuesFrom, OWL.allValuesFrom, OWL.hasValue):
                    v = self.kb.value(t, kind)
                    if v is not None:
                        return f"[ owl:onProperty {self.term(prop)} ; {_n3(kind)} {self.term(v)} ]"
        return _n3(t)

    def terms(self, triple) -> tuple:
        return tuple(self.term(t) for t in triple)

    def _class_expression(self, node) -> str:
        items = self._items(node)
        if items:
            return "(" + ", ".join(self.label(i) for i in items) + ")"
        prop = self.kb.value(node, OWL.onProperty)
        if prop is not None:
            for kind, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only"), (OWL.hasValue, "value")):
                v = self.kb.value(node, kind)
                if v is not None:
                    return f"({self.label(prop)} {word} {self.label(v)})"
        return "(anonymous class)"

    def triple_text(self, t) -> str:
        s, p, o = t
        return f"{self.label(s)} — {self.label(p)} — {self.label(o)}"

    def names(self, term) -> list[str]:
        if isinstance(term, Literal):
            return [str(term)]
        out = []
        for g in (self.kb, self.provenance):
            for p in (RDFS.label, SKOS_ALT, SKOS_PREF, DKG.acronym):
                out += [str(v) for v in g.objects(term, p)]
        return [n for n in dict.fromkeys(out) if n]

    # -- evidence ---------------------------------------------------------------------------

    def quotes(self, node, about=None) -> list[Quote]:
        """The evidence of a fact node, most relevant to *about* (an object) first."""
        prov = self.provenance
        names = [n.lower() for n in self.names(about)] if about is not None else []
        out = []
        for ev in sorted(prov.objects(node, DKG.evidence), key=str):
            q = Quote(evidence=ev)
            q.mode = self.label(prov.value(ev, DKG.attributionMode)) if prov.value(ev, DKG.attributionMode) else ""
            cited = prov.value(ev, DKG.citedSource) or prov.value(ev, DKG.statedIn)
            if cited is not None:
                q.cited_source = cited
                q.cited_label = self.label(cited)
                locator = prov.value(ev, DKG.locator)
                q.citation_note = str(prov.value(cited, DKG.citationNote) or prov.value(ev, DKG.citationNote)
                                      or (f"{locator}" if locator is not None else ""))
            sentence = prov.value(ev, DKG.sentence)
            if sentence is not None:
                q.sentence = sentence
                q.sentence_id = str(sentence).rsplit("#", 1)[-1]
                q.sentence_text = str(prov.value(sentence, DKG.text) or "")
                q.sentence_start = int(prov.value(sentence, DKG.startOffset) or 0)
            for target in prov.objects(ev, OA.hasTarget):
                src = prov.value(target, OA.hasSource)
                if src is not None:
                    q.article = src
                    q.article_label = self.label(src)
                for sel in prov.objects(target, OA.hasSelector):
                    exact = prov.value(sel, OA.exact)
                    if exact is not None:
                        q.exact = str(exact)
                    start, end = prov.value(sel, OA.start), prov.value(sel, OA.end)
                    if start is not None and end is not None:
                        q.start, q.end = int(start), int(end)
            who = prov.value(ev, DKG.assertedBy)
            if who is not None:
                q.asserted_by = who
                q.asserted_by_label = self.label(who)
            hedge = prov.value(ev, DKG.hedge)
            q.hedge = str(hedge) if hedge is not None else ""
            if names:
                q.relevance = _relevance(names, q.exact.lower(), q.sentence_text.lower())
            out.append(q)
        out.sort(key=lambda q: (q.is_citation, -q.relevance, q.start if q.start is not None else 1 << 30))
        return out

    # -- explaining -------------------------------------------------------------------------

    def explain(self, triple) -> Explanation:
        """Explain one triple of the graph. Raises :class:`KgError` if the graph lacks it."""
        triple = tuple(triple)
        if triple in self.asserted or triple in self.ontology:
            return self._base(triple)
        if triple not in self.inferred:
            raise KgError(f"the graph does not hold {' '.join(_n3(t) for t in triple)} "
                          "(neither asserted nor derived)")
        for depth in range(1, MAX_DEPTH + 1):
            found = self._prove(triple, depth, ())
            if found is not None:
                return found
        return Explanation(triple, "unexplained", self.triple_text(triple), self.terms(triple))

    def explain_all(self, subject, predicate=None, obj=None) -> list[Explanation]:
        """Explain every asserted or derived triple matching the pattern."""
        triples = set(self.asserted.triples((subject, predicate, obj)))
        triples |= set(self.inferred.triples((subject, predicate, obj)))
        if not triples and subject is not None and predicate is None and obj is None:
            if (subject, None, None) not in self.provenance and (subject, None, None) not in self.ontology:
                raise KgError(f"nothing is known about {_n3(subject)}")
        out = [self.explain(t) for t in triples]
        order = {"asserted": 0, "derived": 1, "axiom": 2, "unexplained": 3}
        out.sort(key=lambda e: (order[e.kind], _n3(e.triple[1]), _n3(e.triple[2])))
        return out

    def _base(self, t) -> Explanation:
        if t in self.asserted:
            return Explanation(t, "asserted", self.triple_text(t), self.terms(t), quotes=self.quotes(t[0], about=t[2]))
        return Explanation(t, "axiom", self.triple_text(t), self.terms(t))

    def _is_base(self, t) -> bool:
        return t in self.asserted or t in self.ontology

    def _prove(self, t, depth: int, path: tuple) -> Explanation | None:
        if self._is_base(t):
            return self._base(t)
        if t in self._proofs:
            return self._proofs[t]
        if t[1] == RDF.type and t[2] == OWL.Thing:
            return Explanation(t, "axiom", self.triple_text(t), self.terms(t))
        if depth <= 0 or t in path or self._failed.get(t, -1) >= depth:
            return None
        path = path + (t,)
        for rule, premises in self._candidates(t):
            proved = []
            for p in premises:
                e = self._prove(p, depth - 1, path)
                if e is None:
                    break
                proved.append(e)
            else:
                # axioms first, then facts
                proved.sort(key=lambda e: not e.is_axiom)
                exp = Explanation(t, "derived", self.triple_text(t), self.terms(t), rule=rule, premises=proved)
                self._proofs[t] = exp
                return exp
        self._failed[t] = max(self._failed.get(t, -1), depth)
        return None

    # -- OWL 2 RL rules, read backwards ---------------------------------------------------------

    def _items(self, node) -> list:
        if node not in self._lists:
            self._lists[node] = rdf_list(self.kb, node)
        return self._lists[node]

    def _candidates(self, t):
        """Yield ``(rule, premises)`` whose conclusion is *t* and whose premises may hold."""
        s, p, o = t
        kb = self.kb
        if p == RDF.type:
            yield from self._type_candidates(s, o)
        elif p in SCHEMA_PREDICATES:
            yield from self._schema_candidates(s, p, o)
        if p == OWL.sameAs:
            if (o, OWL.sameAs, s) in kb:
                yield "eq-sym", [(o, OWL.sameAs, s)]
            for q in kb.subjects(RDF.type, OWL.FunctionalProperty):
                for x in kb.subjects(q, s):
                    if (x, q, o) in kb:
                        yield "prp-fp", [(q, RDF.type, OWL.FunctionalProperty), (x, q, s), (x, q, o)]
            for q in kb.subjects(RDF.type, OWL.InverseFunctionalProperty):
                for y in kb.objects(s, q):
                    if (o, q, y) in kb:
                        yield "prp-ifp", [(q, RDF.type, OWL.InverseFunctionalProperty), (s, q, y), (o, q, y)]
        if not isinstance(o, Literal):
            for q in kb.objects(p, OWL.inverseOf):
                yield "prp-inv1", [(p, OWL.inverseOf, q), (o, q, s)]
            for q in kb.subjects(OWL.inverseOf, p):
                yield "prp-inv2", [(q, OWL.inverseOf, p), (o, q, s)]
            if (p, RDF.type, OWL.SymmetricProperty) in kb:
                yield "prp-symp", [(p, RDF.type, OWL.SymmetricProperty), (o, p, s)]
            if (p, RDF.type, OWL.TransitiveProperty) in kb:
                for z in kb.objects(s, p):
                    if z != o and (z, p, o) in kb:
                        yield "prp-trp", [(p, RDF.type, OWL.TransitiveProperty), (s, p, z), (z, p, o)]
        for q in kb.subjects(RDFS.subPropertyOf, p):
            if q != p and (s, q, o) in kb:
                yield "prp-spo1", [(q, RDFS.subPropertyOf, p), (s, q, o)]
        for q in kb.objects(p, OWL.equivalentProperty):
            if q != p and (s, q, o) in kb:
                yield "prp-eqp1", [(p, OWL.equivalentProperty, q), (s, q, o)]
        for q in kb.subjects(OWL.equivalentProperty, p):
            if q != p and (s, q, o) in kb:
                yield "prp-eqp2", [(q, OWL.equivalentProperty, p), (s, q, o)]
        for chain in kb.objects(p, OWL.propertyChainAxiom):
            props = self._items(chain)
            if props:
                for links in self._chain_paths(s, props, o):
                    yield "prp-spo2", [(p, OWL.propertyChainAxiom, chain), *links]
        for r in kb.subjects(OWL.hasValue, o):
            if (r, OWL.onProperty, p) in kb:
                yield "cls-hv2", [(r, OWL.hasValue, o), (r, OWL.onProperty, p), (s, RDF.type, r)]
        for s0 in kb.subjects(OWL.sameAs, s):
            if s0 != s and (s0, p, o) in kb:
                yield "eq-rep-s", [(s0, OWL.sameAs, s), (s0, p, o)]
        if not isinstance(o, Literal):
            for o0 in kb.subjects(OWL.sameAs, o):
                if o0 != o and (s, p, o0) in kb:
                    yield "eq-rep-o", [(o0, OWL.sameAs, o), (s, p, o0)]

    def _chain_paths(self, s, props, o, limit: int = 20):
        """Paths ``s -props[0]-> x1 ... -props[-1]-> o`` through the graph."""
        found = []

        def walk(node, i, links):
            if len(found) >= limit:
                return
            if i == len(props):
                if node == o:
                    found.append(list(links))
                return
            for nxt in self.kb.objects(node, props[i]):
                walk(nxt, i + 1, links + [(node, props[i], nxt)])

        walk(s, 0, [])
        return found

    def _type_candidates(self, s, c):
        kb = self.kb
        for c1 in kb.subjects(RDFS.subClassOf, c):
            if c1 != c and (isinstance(c1, BNode) or (s, RDF.type, c1) in kb):
                yield "cax-sco", [(c1, RDFS.subClassOf, c), (s, RDF.type, c1)]
        for c1 in kb.objects(c, OWL.equivalentClass):
            if c1 != c:
                yield "cax-eqc2", [(c, OWL.equivalentClass, c1), (s, RDF.type, c1)]
        for c1 in kb.subjects(OWL.equivalentClass, c):
            if c1 != c:
                yield "cax-eqc1", [(c1, OWL.equivalentClass, c), (s, RDF.type, c1)]
        for q in kb.subjects(RDFS.domain, c):
            for y in kb.objects(s, q):
                yield "prp-dom", [(q, RDFS.domain, c), (s, q, y)]
        if not isinstance(s, Literal):
            for q in kb.subjects(RDFS.range, c):
                for x in kb.subjects(q, s):
                    yield "prp-rng", [(q, RDFS.range, c), (x, q, s)]
        q = kb.value(c, OWL.onProperty)
        if q is not None:
            y = kb.value(c, OWL.someValuesFrom)
            if y is not None:
                for v in kb.objects(s, q):
                    if y == OWL.Thing:
                        yield "cls-svf2", [(c, OWL.someValuesFrom, y), (c, OWL.onProperty, q), (s, q, v)]
                    else:
                        yield "cls-svf1", [(c, OWL.someValuesFrom, y), (c, OWL.onProperty, q), (s, q, v), (v, RDF.type, y)]
            v = kb.value(c, OWL.hasValue)
            if v is not None and (s, q, v) in kb:
                yield "cls-hv1", [(c, OWL.hasValue, v), (c, OWL.onProperty, q), (s, q, v)]
        for lst in kb.objects(c, OWL.intersectionOf):
            members = self._items(lst)
            if members:
                yield "cls-int1", [(c, OWL.intersectionOf, lst), *[(s, RDF.type, m) for m in members]]
        for lst in kb.objects(c, OWL.unionOf):
            for m in self._items(lst):
                yield "cls-uni", [(c, OWL.unionOf, lst), (s, RDF.type, m)]
        for c0, lst in kb.subject_objects(OWL.intersectionOf):
            if c in self._items(lst):
                yield "cls-int2", [(c0, OWL.intersectionOf, lst), (s, RDF.type, c0)]
        for r in kb.subjects(OWL.allValuesFrom, c):
            q = kb.value(r, OWL.onProperty)
            if q is not None:
                for u in kb.subjects(q, s):
                    yield "cls-avf", [(r, OWL.allValuesFrom, c), (r, OWL.onProperty, q), (u, RDF.type, r), (u, q, s)]

    def _schema_candidates(self, s, p, o):
        kb = self.kb
        if p == RDFS.subClassOf:
            for c2 in kb.objects(s, RDFS.subClassOf):
                if c2 not in (s, o) and (c2, RDFS.subClassOf, o) in kb:
                    yield "scm-sco", [(s, RDFS.subClassOf, c2), (c2, RDFS.subClassOf, o)]
            if (s, OWL.equivalentClass, o) in kb:
                yield "scm-eqc1", [(s, OWL.equivalentClass, o)]
            if (o, OWL.equivalentClass, s) in kb:
                yield "scm-eqc1", [(o, OWL.equivalentClass, s)]
            for lst in kb.objects(s, OWL.intersectionOf):
                if o in self._items(lst):
                    yield "scm-int", [(s, OWL.intersectionOf, lst)]
            for lst in kb.objects(o, OWL.unionOf):
                if s in self._items(lst):
                    yield "scm-uni", [(o, OWL.unionOf, lst)]
        elif p == RDFS.subPropertyOf:
            for q in kb.objects(s, RDFS.subPropertyOf):
                if q not in (s, o) and (q, RDFS.subPropertyOf, o) in kb:
                    yield "scm-spo", [(s, RDFS.subPropertyOf, q), (q, RDFS.subPropertyOf, o)]
            if (s, OWL.equivalentProperty, o) in kb:
                yield "scm-eqp1", [(s, OWL.equivalentProperty, o)]
            if (o, OWL.equivalentProperty, s) in kb:
                yield "scm-eqp1", [(o, OWL.equivalentProperty, s)]
        elif p in (RDFS.domain, RDFS.range):
            first, second = ("scm-dom1", "scm-dom2") if p == RDFS.domain else ("scm-rng1", "scm-rng2")
            for c1 in kb.objects(s, p):
                if c1 != o and (c1, RDFS.subClassOf, o) in kb:
                    yield first, [(s, p, c1), (c1, RDFS.subClassOf, o)]
            for q in kb.objects(s, RDFS.subPropertyOf):
                if q != s and (q, p, o) in kb:
                    yield second, [(q, p, o), (s, RDFS.subPropertyOf, q)]


# --- resolving what the user typed -------------------------------------------------------------


def resolve(ds: Dataset, subject: str, predicate: str | None = None, obj: str | None = None):
    """Turn labels, ``prefix:name`` or ``<iri>`` into terms; an object may also be a literal value."""

    s = to_term(ds, subject)
    p = None
    if predicate is not None:
        p = RDF.type if predicate.strip() in ("a", "rdf:type", "type") else _property(ds, predicate)
    o = None
    if obj is not None:
        problem = None
        try:
            o = to_term(ds, obj)
        except KgError as exc:
            problem = exc
        if o is None or not any(ds.triples((s, p, o))):
            # the value may be a literal, or an ambiguous label that only one reading fits
            fits = [v for v in ds.objects(s, p) if str(v) == obj.strip() or obj.strip().lower() in
                    (n.lower() for n in _labels(ds, v))]
            if len(set(fits)) == 1:
                o = fits[0]
            elif o is None:
                raise problem or KgError(f"nothing is labelled {obj!r}")
    return s, p, o


def _labels(ds: Dataset, term) -> list[str]:
    if isinstance(term, Literal):
        return []
    return [str(v) for pred in (RDFS.label, SKOS_ALT) for v in ds.objects(term, pred)]


def _property(ds: Dataset, text: str):
    """A property by ``prefix:name``, IRI or label (properties only, so 'system' is dkg:system)."""

    text = text.strip()
    prefix = text.split(":", 1)[0]
    if text.startswith(("<", "http://", "https://")) or (":" in text and " " not in text and prefix in PREFIXES):
        return to_term(ds, text)
    sparql_engine()
    rows = list(ds.query(
        "SELECT DISTINCT ?p WHERE { ?p rdfs:label ?l . ?p a ?k . "
        "VALUES ?k { owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property } "
        "FILTER(lcase(str(?l)) = lcase(str(?v))) }",
        initNs=PREFIXES, initBindings={"v": Literal(text)},
    ))
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise KgError(f"property label {text!r} is ambiguous: {', '.join(sorted(_n3(r[0]) for r in rows))}")
    # a camelCase local name, e.g. risksSanctionsUnder
    if re.fullmatch(r"[A-Za-z][\w-]*", text):
        cand = URIRef(str(DKG._NS) + text)
        if any(ds.triples((cand, None, None))):
            return cand
    raise KgError(f"no property is labelled {text!r}; give prefix:name, e.g. dkg:buyer")


def explain(ds: Dataset, subject: str, predicate: str | None = None, obj: str | None = None) -> list[Explanation]:
    """Explain what the graph holds about SUBJECT [PREDICATE [OBJECT]] (labels or IRIs)."""
    s, p, o = resolve(ds, subject, predicate, obj)
    exps = Explainer(ds).explain_all(s, p, o)
    if not exps:
        what = " ".join(_n3(t) for t in (s, p, o) if t is not None)
        raise KgError(f"the graph holds no fact {what} (neither asserted nor derived)")
    return exps


# --- supporting a query's answers --------------------------------------------------------------


def query_constants(text: str) -> set[URIRef]:
    """Resources of the data (``dkgr:`` IRIs) that a SPARQL query names."""

    q = prepare(text)
    found: set[URIRef] = set()
    stack = [q.algebra]
    seen = set()
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, URIRef):
            if str(n).startswith(str(DKGR)):
                found.add(n)
        elif isinstance(n, dict):
            stack.extend(n.values())
        elif isinstance(n, (list, tuple, set)):
            stack.extend(n)
    return found


def answer_support(explainer: Explainer, row_terms, constants=()) -> list[Explanation]:
    """The facts that tie an answer row's resources (and the query's constants) together.

    Every asserted or derived triple whose subject and object both appear among the row's
    values or the query's constants, explained. If there is none, the row's resources are
    explained by their own evidence (their asserted type).
    """
    nodes = {t for t in row_terms if isinstance(t, URIRef)} | set(constants)
    literals = {t for t in row_terms if isinstance(t, Literal)}
    triples = set()
    for n in nodes:
        for g in (explainer.asserted, explainer.inferred):
            for s, p, o in g.triples((n, None, None)):
                if (o in nodes or o in literals) and s != o and p != RDF.type:
                    triples.add((s, p, o))
    if not triples:
        for n in nodes:
            for t in explainer.asserted.triples((n, RDF.type, None)):
                triples.add(t)
    exps = [explainer.explain(t) for t in triples]
    exps.sort(key=lambda e: (e.kind != "asserted", _n3(e.triple[0]), _n3(e.triple[1]), _n3(e.triple[2])))
    return exps


def full_solutions(ds: Dataset, query_text: str, bindings=None) -> list[dict]:
    """The solutions of a query's pattern with *all* its variables, before projection.

    An ASK or a projected SELECT hides the nodes that tie its answer together (the stance
    behind "yes", the contract behind a buyer); evaluating the pattern under the projection
    brings them back. Falls back to no solutions if the pattern cannot be evaluated alone.
    """
    from rdflib.plugins.sparql.evaluate import evalPart
    from rdflib.plugins.sparql.sparql import QueryContext


    q = prepare(query_text)
    part = getattr(q.algebra, "p", None)
    while part is not None and getattr(part, "name", "") in ("Project", "Distinct", "Reduced", "Slice", "OrderBy", "ToMultiSet"):
        part = part.p
    if part is None:
        return []
    try:
        ctx = QueryContext(ds, initBindings=bindings or {})
        ctx.prologue = q.prologue
        return [{str(k): v for k, v in sol.items()} for sol in evalPart(ctx, part)]
    except Exception:
        return []


def query_support(explainer: Explainer, query_text: str, result, bindings=None) -> list[list[Explanation]]:
    """Per answer (a SELECT row, a CONSTRUCT triple, or an ASK), the facts behind it.

    The facts are those tying together the answer's resources, the resources the query
    names, and the hidden variables of the solutions that produced the answer.
    """
    constants = query_constants(query_text) | {v for v in (bindings or {}).values() if isinstance(v, URIRef)}
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        out = []
        for t in sorted(result.graph, key=lambda t: tuple(map(str, t))):
            if t in explainer.asserted or t in explainer.inferred:
                out.append([explainer.explain(t)])
        return out
    solutions = full_solutions(explainer.ds, query_text, bindings)
    if result.type == "ASK":
        terms = [v for sol in solutions for v in sol.values()] if result.askAnswer else []
        return [answer_support(explainer, terms, constants)]
    names = [str(v) for v in result.vars]
    out = []
    for row in result:
        terms = list(row)
        bound = {n: v for n, v in zip(names, row) if v is not None}
        for sol in solutions:
            if all(sol.get(n) == v for n, v in bound.items()):
                terms += list(sol.values())
        out.append(answer_support(explainer, terms, constants))
    return out


# --- text -------------------------------------------------------------------------------------


def format_explanation(exp: Explanation, indent: str = "", mark=("«", "»"), seen=None, quotes: bool = True) -> str:
    """An explanation as indented text.

    An asserted fact lists its evidence (with the quote marked inside its sentence when
    *quotes* is true); a derived fact shows its rule and, indented, the proofs of its premises.
    """
    seen = set() if seen is None else seen
    lines = [f"{indent}{exp.n3}", f"{indent}  ({exp.text})"]
    if exp.kind == "asserted":
        if quotes:
            lines.append(f"{indent}  asserted; evidence:")
            for q in exp.quotes:
                lines += [indent + "    " + ln for ln in format_quote(q, mark)]
        else:
            where = ", ".join(q.sentence_id or f"cites {q.cited_label}" for q in exp.quotes)
            lines.append(f"{indent}  asserted ({where})")
    elif exp.kind == "axiom":
        lines.append(f"{indent}  ontology axiom")
    elif exp.kind == "derived":
        if exp.triple in seen:
            lines.append(f"{indent}  derived by {exp.rule} (shown above)")
            return "\n".join(lines)
        seen.add(exp.triple)
        lines.append(f"{indent}  derived by {exp.rule}: {RULES.get(exp.rule, '')}")
        for p in exp.premises:
            lines.append(format_explanation(p, indent + "    ", mark, seen, quotes=False))
    else:
        lines.append(f"{indent}  derived by the reasoner; no derivation found with the OWL 2 RL rules kg explain knows")
    return "\n".join(lines)


def format_quote(q: Quote, mark=("«", "»")) -> list[str]:
    if q.is_citation:
        note = f": {q.citation_note}" if q.citation_note else ""
        return [f"external source {_n3(q.cited_source)} ({q.cited_label}){note}"]
    who = q.asserted_by_label or (_n3(q.asserted_by) if q.asserted_by else "?")
    mode = f", {q.mode}" if q.mode else ""
    hedge = f", hedged: '{q.hedge}'" if q.hedge else ""
    where = f"characters {q.start}-{q.end}" if q.start is not None else ""
    return [f"{q.sentence_id} ({where}) asserted by {who}{mode}{hedge}",
            f"  {q.highlighted(*mark)}"]


def format_summary(exp: Explanation, mark=("«", "»")) -> str:
    """The rules, axioms and supporting facts (with their sentences) of a derived fact."""
    if exp.kind != "derived":
        return ""
    lines = ["  rules: " + ", ".join(f"{r} ({RULES.get(r, '')})" for r in exp.rules())]
    lines.append("  axioms:")
    for a in exp.axioms():
        lines.append("    " + a.n3)
    lines.append("  rests on the asserted facts:")
    for f in exp.supporting_facts():
        lines.append(f"    {f.n3}  ({f.text})")
        for q in f.best_quotes():
            lines += ["      " + ln for ln in format_quote(q, mark)]
    return "\n".join(lines)


# --- CLI ----------------------------------------------------------------------------------




def mentioning_sentences(ds: Dataset, subject: str) -> list[tuple[str, str]]:
    """(sentence label, sentence text) of every sentence that mentions *subject* (a label, prefix:name
    or IRI), in text order: the build's ``dkg:mentions``, by the node's names or its own evidence."""
    node, _, _ = resolve(ds, subject)
    prov = ds.graph(URIRef(GRAPH_PROVENANCE))
    found = []
    for sentence in set(prov.subjects(DKG.mentions, node)):
        article = prov.value(sentence, DKG.sentenceOf)
        found.append((str(article or ""), int(prov.value(sentence, DKG.position) or 0),
                      str(prov.value(sentence, RDFS.label) or sentence), str(prov.value(sentence, DKG.text) or "")))
    return [(label, text) for _, _, label, text in sorted(found)]


def format_overview(exps: list[Explanation], mark=("«", "»"), mentions: list[tuple[str, str]] = ()) -> str:
    """Everything about one subject, one fact per entry: stated facts with their best
    quote, derived facts with their rules and the sentences they rest on; then the sentences
    that mention it."""
    lines = []
    stated = [e for e in exps if e.kind == "asserted"]
    derived = [e for e in exps if e.kind != "asserted"]
    if stated:
        lines.append(f"stated ({len(stated)}):")
        for e in stated:
            lines.append(f"  {e.n3}  ({e.text})")
            for q in e.best_quotes()[:1]:
                lines += ["    " + ln for ln in format_quote(q, mark)]
    if derived:
        lines.append(f"derived ({len(derived)}):")
        for e in derived:
            facts = "; ".join(f"{f.text} [{', '.join(q.sentence_id for q in f.best_quotes() if q.sentence_id)}]"
                              for f in e.supporting_facts())
            lines.append(f"  {e.n3}  ({e.text})")
            lines.append(f"    by {', '.join(e.rules()) or e.kind}" + (f" from: {facts}" if facts else " from ontology axioms"))
    if mentions:
        lines.append(f"mentioned in ({len(mentions)}):")
        for label, text in mentions:
            lines.append(f"  {label}: {text}")
    lines.append("(kg explain SUBJECT PREDICATE [OBJECT] shows one fact in full)")
    return "\n".join(lines)
