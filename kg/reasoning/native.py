"""A native OWL 2 RL materialiser: set-at-a-time and semi-naive, over integer-encoded triples.

It computes the OWL 2 RL consequences of the axioms this project's ontology uses, and
the ones around them that are cheap to get right:

* schema (TBox) rules, on the small schema, to a fixpoint: ``scm-sco``, ``scm-eqc1/2``,
  ``scm-spo``, ``scm-eqp1/2``, ``scm-dom1/2``, ``scm-rng1/2``, ``scm-svf1/2``;
* instance rules, set-at-a-time with numpy joins, semi-naive to a fixpoint: ``cax-sco``
  (and through it ``cax-eqc``), ``prp-dom``, ``prp-rng``, ``prp-spo1``, ``prp-eqp``,
  ``prp-inv1/2``, ``prp-symp``, ``prp-trp``, ``prp-spo2`` (property chains of any
  length), ``cls-svf1``, ``prp-fp``, ``prp-ifp`` and the equality rules ``eq-sym``,
  ``eq-trans``, ``eq-rep-s/p/o``.

Every term is mapped to an integer; a binary relation (one predicate, or ``rdf:type``)
is a sorted numpy array of keys ``subject * N + object``, so unions, differences and
joins are sorts and binary searches over whole arrays, never Python loops over triples.
Each round applies every rule to the triples that are new since the last round
(semi-naive evaluation), and stops when a round adds nothing.

Correct by construction means: the closure equals owlrl's on the same input, once both
are filtered by :func:`kg.reasoning.is_noise` (``tests/test_materialise.py`` checks it on
the article graph and on synthetic graphs). Rules that only detect inconsistencies
(``cax-dw``, ``cax-adc``, ``prp-irp``, ``prp-asyp``, ``prp-pdw``, ...) add no triples in
owlrl either, so they are not run here. Constructs whose rules are not implemented
(``owl:intersectionOf``, ``owl:unionOf``, ``owl:allValuesFrom``, ``owl:hasValue``,
cardinalities, ``owl:hasKey``, ``owl:oneOf``, ``owl:complementOf``) make the
materialiser refuse the input with a :class:`~kg.core.errors.KgError` rather than give an
incomplete closure.

Two things are left out on purpose, because :func:`~kg.reasoning.is_noise` drops them
anyway and they would only cost memory at scale: reflexive ``owl:sameAs`` (``eq-ref``)
and the datatype triples ``"literal" rdf:type xsd:...``. A literal is still typed by a
property range when that class can feed a ``someValuesFrom`` restriction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from kg.core.errors import KgError

RDF_ = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS_ = "http://www.w3.org/2000/01/rdf-schema#"
OWL_ = "http://www.w3.org/2002/07/owl#"
XSD_ = "http://www.w3.org/2001/XMLSchema#"
BUILTIN = (RDF_, RDFS_, OWL_, XSD_)

#: Vocabulary the materialiser reads, by short name.
VOCAB = {
    "type": RDF_ + "type", "first": RDF_ + "first", "rest": RDF_ + "rest", "nil": RDF_ + "nil",
    "sco": RDFS_ + "subClassOf", "spo": RDFS_ + "subPropertyOf", "dom": RDFS_ + "domain", "rng": RDFS_ + "range",
    "eqc": OWL_ + "equivalentClass", "eqp": OWL_ + "equivalentProperty", "inv": OWL_ + "inverseOf",
    "chain": OWL_ + "propertyChainAxiom", "onp": OWL_ + "onProperty", "svf": OWL_ + "someValuesFrom",
    "same": OWL_ + "sameAs", "thing": OWL_ + "Thing",
    "sym": OWL_ + "SymmetricProperty", "trans": OWL_ + "TransitiveProperty",
    "fp": OWL_ + "FunctionalProperty", "ifp": OWL_ + "InverseFunctionalProperty",
}
#: Axioms whose consequences this materialiser does not compute: it refuses them.
UNSUPPORTED = tuple(OWL_ + n for n in (
    "intersectionOf", "unionOf", "allValuesFrom", "hasValue", "maxCardinality", "maxQualifiedCardinality",
    "cardinality", "minCardinality", "qualifiedCardinality", "hasKey", "oneOf", "complementOf", "hasSelf",
))
_SCHEMA_PREDICATES = ("sco", "spo", "dom", "rng", "eqc", "eqp", "inv", "chain", "onp", "svf", "first", "rest")
_PROPERTY_KINDS = ("sym", "trans", "fp", "ifp")
_EMPTY = np.zeros(0, dtype=np.int64)


# --- terms ---------------------------------------------------------------------------


class Terms:
    """The integer dictionary: term <-> id, with the kind of every id.

    *iri* makes an IRI term of the library in use (rdflib's URIRef or pyoxigraph's
    NamedNode); *kind* tells 'iri', 'bnode' or 'literal' for a term of that library.
    """

    def __init__(self, iri: Callable[[str], object], kind: Callable[[object], str]):
        self.iri = iri
        self.kind = kind
        self.ids: dict = {}
        self.terms: list = []
        self.v = {name: self.id(iri(value)) for name, value in VOCAB.items()}

    def id(self, term) -> int:
        i = self.ids.get(term)
        if i is None:
            i = self.ids[term] = len(self.terms)
            self.terms.append(term)
        return i

    def encode(self, triples: Iterable[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ids, terms = self.ids, self.terms
        s_list, p_list, o_list = [], [], []
        for s, p, o in triples:
            for term, out in ((s, s_list), (p, p_list), (o, o_list)):
                i = ids.get(term)
                if i is None:
                    i = ids[term] = len(terms)
                    terms.append(term)
                out.append(i)
        as_array = lambda xs: np.fromiter(xs, dtype=np.int64, count=len(xs))  # noqa: E731
        return as_array(s_list), as_array(p_list), as_array(o_list)

    def kinds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per id: is a literal, is a blank node, is an IRI of RDF/RDFS/OWL/XSD."""
        n = len(self.terms)
        cached = getattr(self, "_kinds", None)
        if cached is not None and len(cached[0]) == n:
            return cached
        lit = np.zeros(n, dtype=bool)
        bnode = np.zeros(n, dtype=bool)
        builtin = np.zeros(n, dtype=bool)
        for i, t in enumerate(self.terms):
            k = self.kind(t)
            if k == "literal":
                lit[i] = True
            elif k == "bnode":
                bnode[i] = True
            elif iri_value(t).startswith(BUILTIN):
                builtin[i] = True
        self._kinds = (lit, bnode, builtin)
        return self._kinds


def iri_value(term) -> str:
    return getattr(term, "value", None) or str(term)


# --- relations as sorted key arrays ------------------------------------------------------


class _Rel:
    """Helpers on key arrays ``s * n + o`` (always sorted and unique where stored)."""

    def __init__(self, n: int):
        self.n = np.int64(max(n, 1))

    def keys(self, s, o) -> np.ndarray:
        return np.unique(s.astype(np.int64) * self.n + o)

    def split(self, k):
        return k // self.n, k % self.n

    def swap(self, k) -> np.ndarray:
        s, o = self.split(k)
        return np.unique(o * self.n + s)

    def compose(self, a, b) -> np.ndarray:
        """``{(x, z) : (x, y) in a, (y, z) in b}``; *b* must be sorted."""
        if not len(a) or not len(b):
            return _EMPTY
        ax, ay = self.split(a)
        bs, bo = self.split(b)
        lo = np.searchsorted(bs, ay, "left")
        cnt = np.searchsorted(bs, ay, "right") - lo
        total = int(cnt.sum())
        if not total:
            return _EMPTY
        starts = np.repeat(lo - (np.cumsum(cnt) - cnt), cnt)
        idx = starts + np.arange(total, dtype=np.int64)
        return np.unique(np.repeat(ax, cnt) * self.n + bo[idx])


def _minus(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted unique *a* less the members of sorted *b*."""
    if not len(a) or not len(b):
        return a
    pos = np.searchsorted(b, a)
    pos[pos == len(b)] = 0
    return a[b[pos] != a]


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Boolean mask: which *values* are in *sorted_set*."""
    if not len(sorted_set) or not len(values):
        return np.zeros(len(values), dtype=bool)
    pos = np.searchsorted(sorted_set, values)
    pos[pos == len(sorted_set)] = 0
    return sorted_set[pos] == values


# --- the schema ------------------------------------------------------------------------


def _closure(pairs: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Transitive closure of a small relation."""
    succ: dict[int, set[int]] = defaultdict(set)
    for a, b in pairs:
        succ[a].add(b)
    out = set()
    for a in list(succ):
        seen, stack = set(), list(succ[a])
        while stack:
            b = stack.pop()
            if b in seen:
                continue
            seen.add(b)
            stack.extend(succ.get(b, ()))
        out.update((a, b) for b in seen)
    return out


class Schema:
    """The TBox compiled from the schema triples, closed under the ``scm-*`` rules."""

    def __init__(self, by_pred: dict[int, set[tuple[int, int]]], v: dict[str, int], terms: Terms):
        get = lambda name: by_pred.get(v[name], set())  # noqa: E731
        self.v = v
        typed = defaultdict(set)
        for s, o in get("type"):
            typed[o].add(s)
        first = dict(get("first"))
        rest = dict(get("rest"))

        def rdf_list(head):
            items, seen = [], set()
            while head != v["nil"] and head not in seen:
                seen.add(head)
                if head not in first:
                    raise KgError(f"malformed RDF list in the ontology at {terms.terms[head]}")
                items.append(first[head])
                head = rest.get(head, v["nil"])
            return items

        on_prop = dict(get("onp"))
        self.restrictions = [(r, on_prop[r], c) for r, c in get("svf") if r in on_prop]  # (R, p, C)
        if any(c == v["thing"] for _, _, c in self.restrictions):
            raise KgError("native reasoner: owl:someValuesFrom owl:Thing is not supported (use --engine owlrl)")
        sco = set(get("sco"))
        spo = set(get("spo"))
        for a, b in get("eqc"):
            sco |= {(a, b), (b, a)}
        for a, b in get("eqp"):
            spo |= {(a, b), (b, a)}
        while True:  # scm-sco, scm-spo, scm-svf1, scm-svf2 to a fixpoint
            sco_star, spo_star = _closure(sco), _closure(spo)
            extra = set()
            for r1, p1, c1 in self.restrictions:
                for r2, p2, c2 in self.restrictions:
                    if p1 == p2 and (c1 == c2 or (c1, c2) in sco_star):
                        extra.add((r1, r2))
                    if c1 == c2 and (p1 == p2 or (p1, p2) in spo_star):
                        extra.add((r1, r2))
            if extra <= sco_star:
                break
            sco |= extra
        self.sco = sco_star
        self.spo = spo_star

        def up(rel, prop_pairs):  # scm-dom1/2, scm-rng1/2: spo*= . rel . sco*=
            sup_c = defaultdict(set)
            for a, b in sco_star:
                sup_c[a].add(b)
            sub_p = defaultdict(set)
            for a, b in spo_star:
                sub_p[b].add(a)
            out = set()
            for p, c in prop_pairs:
                for q in {p} | sub_p[p]:
                    for d in {c} | sup_c[c]:
                        out.add((q, d))
            return out

        self.dom = up("dom", get("dom"))
        self.rng = up("rng", get("rng"))
        self.eqc = {(a, b) for a, b in sco_star if (b, a) in sco_star and a != b}
        self.eqp = {(a, b) for a, b in spo_star if (b, a) in spo_star and a != b}
        self.inverse = set(get("inv")) | {(b, a) for a, b in get("inv")}
        self.sym, self.trans, self.fp, self.ifp = (typed[v[k]] for k in _PROPERTY_KINDS)
        self.chains = [(p, rdf_list(head)) for p, head in get("chain")]

    def triples(self) -> list[tuple[int, int, int]]:
        """The schema consequences, as triples."""
        v = self.v
        out = []
        for name, rel in (("sco", self.sco), ("spo", self.spo), ("dom", self.dom), ("rng", self.rng),
                          ("eqc", self.eqc), ("eqp", self.eqp)):
            out.extend((a, v[name], b) for a, b in rel)
        return out


# --- the fixpoint -------------------------------------------------------------------------


class Materialiser:
    """Closure of integer-encoded triples. Use :func:`derive` or :func:`closure_graph`."""

    def __init__(self, terms: Terms, s: np.ndarray, p: np.ndarray, o: np.ndarray, progress=None):
        self.terms = terms
        self.v = terms.v
        self.progress = progress or (lambda msg: None)
        self.inp = self._group(s, p, o)
        self.rounds = 0

    def _group(self, s, p, o) -> dict[int, np.ndarray]:
        self.rel = _Rel(len(self.terms.terms))
        out = {}
        if not len(p):
            return out
        order = np.argsort(p, kind="stable")
        ps = p[order]
        bounds = np.flatnonzero(np.diff(ps)) + 1
        for chunk in np.split(order, bounds):
            if len(chunk):
                out[int(p[chunk[0]])] = self.rel.keys(s[chunk], o[chunk])
        return out

    def _check_supported(self, rels):
        for name in UNSUPPORTED:
            pid = self.terms.ids.get(self.terms.iri(name))
            if pid is not None and pid in rels and len(rels[pid]):
                raise KgError(f"native reasoner: {name} is not supported (use --engine owlrl)")

    def _schema(self, rels) -> Schema:
        v = self.v
        wanted = [v[k] for k in _SCHEMA_PREDICATES]
        by_pred = {pid: set(zip(*(x.tolist() for x in self.rel.split(rels[pid])))) for pid in wanted if pid in rels}
        types = rels.get(v["type"], _EMPTY)
        ts, to = self.rel.split(types)
        kinds = np.array([v[k] for k in _PROPERTY_KINDS], dtype=np.int64)
        mask = np.isin(to, kinds)
        by_pred[v["type"]] = set(zip(ts[mask].tolist(), to[mask].tolist()))
        return Schema(by_pred, v, self.terms)

    def _schema_signature(self, rels) -> tuple:
        v = self.v
        sig = [len(rels.get(v[k], _EMPTY)) for k in _SCHEMA_PREDICATES]
        types = rels.get(v["type"], _EMPTY)
        kinds = np.array([v[k] for k in _PROPERTY_KINDS], dtype=np.int64)
        sig.append(int(np.isin(types % self.rel.n, kinds).sum()))
        return tuple(sig)

    def run(self) -> dict[int, np.ndarray]:
        """The closure, as predicate id -> sorted keys (the input included)."""
        self._check_supported(self.inp)
        full = dict(self.inp)
        while True:  # the schema may grow from instance rules (e.g. equality): recompile then
            sig = self._schema_signature(full)
            schema = self._schema(full)
            ts = schema.triples()
            if ts:
                s, p, o = (np.array(x, dtype=np.int64) for x in zip(*ts))
                for pid, keys in self._group(s, p, o).items():
                    full[pid] = np.union1d(full.get(pid, _EMPTY), keys)
            full = self._fixpoint(full, schema)
            if self._schema_signature(full) == sig:
                return full

    def _fixpoint(self, full: dict, sc: Schema) -> dict:
        rel, v = self.rel, self.v
        n = rel.n
        T, SAME = v["type"], v["same"]
        lit, _, _ = self.terms.kinds()
        sup_p = defaultdict(list)
        for a, b in sc.spo:
            if a != b:
                sup_p[a].append(b)
        inv = defaultdict(list)
        for a, b in sc.inverse:
            inv[a].append(b)
        dom, rng = defaultdict(list), defaultdict(list)
        for p, c in sc.dom:
            dom[p].append(c)
        for p, c in sc.rng:
            rng[p].append(c)
        sco_keys = np.unique(np.array([a * int(n) + b for a, b in sc.sco if a != b], dtype=np.int64))
        # classes that can feed a someValuesFrom restriction: only these are worth giving to literals
        fillers = {c for _, _, c in sc.restrictions}
        useful = {c for c in fillers} | {a for a, b in sc.sco if b in fillers}
        chains = sc.chains
        restrictions = sc.restrictions

        delta = {p: k for p, k in full.items() if len(k)}
        while delta:
            self.rounds += 1
            self.progress(f"round {self.rounds}, {sum(len(d) for d in delta.values())} new triples")
            out: dict[int, list] = defaultdict(list)
            for p, d in delta.items():
                s, o = rel.split(d)
                for q in sup_p.get(p, ()):  # prp-spo1 (and prp-eqp1/2 through scm-eqp)
                    out[q].append(d)
                if p in inv or p in sc.sym:
                    sw = rel.swap(d)
                    for q in inv.get(p, ()):  # prp-inv1/2
                        out[q].append(sw)
                    if p in sc.sym:  # prp-symp
                        out[p].append(sw)
                for c in dom.get(p, ()):  # prp-dom
                    out[T].append(s * n + c)
                if p in rng:  # prp-rng
                    is_lit = lit[o]
                    for c in rng[p]:
                        oo = o if c in useful else o[~is_lit]
                        out[T].append(oo * n + c)
                if p == T:  # cax-sco
                    out[T].append(rel.compose(d, sco_keys))
                if p in sc.trans:  # prp-trp
                    out[p].append(rel.compose(d, full[p]))
                    out[p].append(rel.compose(full[p], d))
                if p in sc.fp:  # prp-fp
                    out[SAME].append(rel.compose(rel.swap(d), full[p]))
                    out[SAME].append(rel.compose(rel.swap(full[p]), d))
                if p in sc.ifp:  # prp-ifp
                    out[SAME].append(rel.compose(d, rel.swap(full[p])))
                    out[SAME].append(rel.compose(full[p], rel.swap(d)))
            for r, p, c in restrictions:  # cls-svf1
                dp, fp_ = delta.get(p, _EMPTY), full.get(p, _EMPTY)
                dT, fT = delta.get(T, _EMPTY), full.get(T, _EMPTY)
                for pairs, types in ((dp, fT), (fp_, dT)):
                    if not len(pairs) or not len(types):
                        continue
                    ts, to = rel.split(types)
                    ys = np.unique(ts[to == c])
                    xs, os_ = rel.split(pairs)
                    out[T].append(np.unique(xs[_members(os_, ys)]) * n + r)
            for head, props in chains:  # prp-spo2, semi-naive over each position
                for i, pi in enumerate(props):
                    if not len(delta.get(pi, _EMPTY)):
                        continue
                    acc = None
                    for j, pj in enumerate(props):
                        part = delta[pj] if j == i else full.get(pj, _EMPTY)
                        acc = part if acc is None else rel.compose(acc, part)
                        if not len(acc):
                            break
                    if len(acc):
                        out[head].append(acc)
            if len(full.get(SAME, _EMPTY)):
                self._equality(full, delta, out)
            delta = self._merge(full, out)
        return full

    def _equality(self, full, delta, out):
        """eq-sym, eq-trans, eq-rep-s/p/o, semi-naive."""
        rel, SAME = self.rel, self.v["same"]
        fS, dS = full[SAME], delta.get(SAME, _EMPTY)
        out[SAME].append(rel.swap(dS))
        out[SAME].append(rel.compose(dS, fS))
        out[SAME].append(rel.compose(fS, dS))
        fS_sw, dS_sw = rel.swap(fS), rel.swap(dS)
        dS_sorted = np.sort(dS)
        for p, f in list(full.items()):
            d = delta.get(p, _EMPTY)
            # eq-rep-s: (s, s') in S, (s, o) in R  ->  (s', o)
            out[p].append(rel.compose(dS_sw, f))
            out[p].append(rel.compose(fS_sw, d))
            # eq-rep-o: (s, o) in R, (o, o') in S  ->  (s, o')
            out[p].append(rel.compose(d, fS))
            out[p].append(rel.compose(f, dS_sorted))
        # eq-rep-p: (p, p') in S -> R[p'] gets R[p]
        for src, pairs in ((full, dS), (delta, fS)):
            a, b = rel.split(pairs)
            for p, q in zip(a.tolist(), b.tolist()):
                if p in src and len(src[p]):
                    out[q].append(src[p])

    def _merge(self, full, out) -> dict:
        delta = {}
        for p, parts in out.items():
            parts = [x for x in parts if len(x)]
            if not parts:
                continue
            cand = np.unique(np.concatenate(parts))
            if p == self.v["same"]:  # eq-ref is noise: never store x sameAs x
                s, o = self.rel.split(cand)
                cand = cand[s != o]
            f = full.get(p, _EMPTY)
            cand = _minus(cand, f)
            if len(cand):
                merged = np.concatenate((f, cand))
                merged.sort()
                full[p] = merged
                delta[p] = cand
        return delta

    def derived(self, full: dict, drop_noise: bool = True) -> list[tuple[int, np.ndarray, np.ndarray]]:
        """``[(p, subjects, objects)]`` closure triples absent from the input (less noise)."""
        lit, bnode, builtin = self.terms.kinds()
        bad_s = lit | bnode | builtin
        bad_o = bnode | builtin
        reflexive_noise = {self.v[k] for k in ("same", "eqc", "eqp", "sco", "spo")}
        out = []
        for p, keys in full.items():
            new = _minus(keys, self.inp.get(p, _EMPTY))
            if not len(new):
                continue
            s, o = self.rel.split(new)
            if drop_noise:
                keep = ~bad_s[s] & ~bad_o[o]
                if p in reflexive_noise:
                    keep &= s != o
                s, o = s[keep], o[keep]
            if len(s):
                out.append((p, s, o))
        return out


# --- entry points --------------------------------------------------------------------------


def derive(triples: Iterable[tuple], iri: Callable[[str], object], kind: Callable[[object], str],
           drop_noise: bool = True, progress=None) -> tuple[Terms, list[tuple[int, np.ndarray, np.ndarray]]]:
    """Encode *triples*, reason, and return the dictionary and the derived triples as ids."""
    terms = Terms(iri, kind)
    s, p, o = terms.encode(triples)
    m = Materialiser(terms, s, p, o, progress)
    full = m.run()
    return terms, m.derived(full, drop_noise)


def decode(terms: Terms, derived) -> Iterable[tuple]:
    table = terms.terms
    for p, s, o in derived:
        pt = table[p]
        for si, oi in zip(s.tolist(), o.tolist()):
            yield table[si], pt, table[oi]


def _rdflib_kind(term) -> str:
    from rdflib import BNode, Literal

    return "literal" if isinstance(term, Literal) else "bnode" if isinstance(term, BNode) else "iri"


def closure_graph(graph):
    """The closure of an rdflib graph (input included), as the "native" engine returns it."""
    from rdflib import Graph, URIRef

    terms, derived = derive(graph, URIRef, _rdflib_kind, drop_noise=False)
    out = Graph()
    for t in graph:
        out.add(t)
    for t in decode(terms, derived):
        out.add(t)
    return out

