"""The SHACL shapes (``ontology/shapes.ttl``) as SPARQL over whole sets, for validation at scale.

pySHACL (:mod:`kg.validation.shacl`) walks the graph in Python and is far too slow past a few tens of
thousands of triples. This module compiles the SHACL Core subset the shapes use into SPARQL run
over the union of the named graphs, and reports the same records as
:func:`kg.validation.shacl.shacl_violations` (tests check they are identical on the article graph
and on synthetic graphs, clean and with faults).

**Sets, not lookups.** On disk, Oxigraph answers a join step or an ``EXISTS`` row by row, an index
lookup each (about 10 µs), and the evidence shapes take a dozen steps per node. A subquery is
evaluated on its own and joined by hash, without decoding a term. So every constraint is
compiled to "the candidates that fail it", over sets: each step of a path a subquery of one
triple pattern, negation a ``MINUS``, ``sh:or`` the intersection of what fails each
alternative. A node shape's own ``sh:or`` is run alternative by alternative
(:meth:`Constraint.rows`): only the nodes that failed the ones before are candidates for the
next (as a ``VALUES`` block; they are IRIs, else the intersection is asked in one query).
Reading the store's terms into Python to do the same costs more: decoding a term is a lookup too.

Supported: ``sh:targetClass`` (through ``rdf:type/rdfs:subClassOf*``), ``sh:targetSubjectsOf``;
paths made of IRIs, ``sh:inversePath``, ``sh:alternativePath`` and sequences; ``sh:minCount``
and ``sh:qualifiedMinCount`` of 1, ``sh:maxCount`` 1, ``sh:class``, ``sh:datatype``,
``sh:minInclusive``, ``sh:minLength``, ``sh:pattern`` (without ``sh:flags``), ``sh:or``,
``sh:node`` and ``sh:qualifiedValueShape``. A shape using anything else is refused with a
:class:`~kg.core.errors.KgError`.

Oxigraph stores numbers by value, so ``sh:datatype`` of a derived integer type accepts an
``xsd:integer`` in its value space (see :data:`kg.validation.datatypes.INTEGER_RANGES`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from rdflib import RDF, BNode, Graph, Literal, URIRef

from kg.core.errors import KgError
from kg.core.terms import n3, rdf_list
from kg.validation.datatypes import INTEGER_RANGES
from kg.validation.shacl import SH, load_shapes, path_text, shape_name, short

XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_SCO = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FOCUS = "?focus"
_KNOWN = {SH[n] for n in (
    "targetClass", "targetSubjectsOf", "property", "path", "minCount", "maxCount", "class", "datatype",
    "minInclusive", "minLength", "pattern", "or", "node", "qualifiedValueShape", "qualifiedMinCount", "message", "name",
    "description", "severity", "order", "group",
)}


CANDIDATES = "{{CANDIDATES}}"  #: where a stepped sh:or alternative takes its candidates


def _select(where: str) -> str:
    return f"SELECT DISTINCT ?focus ?value ?label WHERE {{ {where} OPTIONAL {{ ?focus <{RDFS_LABEL}> ?label }} }}"


@dataclass(frozen=True)
class Constraint:
    shape: str        #: the named node shape, as kg.validation.shacl names it
    path: str         #: the property path as text ("" for node-level constraints)
    message: str
    severity: str     #: error, warning or info
    query: str        #: SELECT ?focus ?value ?label: what fails it (all of it, unless *steps*)
    #: a node shape's own sh:or, alternative by alternative: (targets, [what fails alternative
    #: i among the candidates ``{CANDIDATES}``]); its failures are added to the query's
    steps: tuple = field(default=())

    def rows(self, select) -> list[dict]:
        """What fails the constraint, with *select* (a store's ``select``) running the queries."""
        rows = select(self.query) if self.query else []
        if self.steps:
            rows += self._by_alternative(select)
        return rows

    def _by_alternative(self, select) -> list[dict]:
        targets, alternatives, together = self.steps
        cands = targets
        for alt in alternatives:
            failed = {row["focus"] for row in select(f"SELECT DISTINCT ?focus WHERE {{ {alt.replace(CANDIDATES, cands)} }}")}
            if not failed:
                return []
            if not all(isinstance(t, URIRef) for t in failed):  # a blank node cannot be bound by VALUES
                return select(_select(together))
            cands = "{ VALUES ?focus { " + " ".join(n3(t) for t in sorted(failed)) + " } }"
        return select(_select(cands))


class _Compiler:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self.n = itertools.count()

    def var(self, stem="v") -> str:
        return f"?{stem}{next(self.n)}"

    def term(self, t) -> str:
        if isinstance(t, URIRef):
            return f"<{t}>"
        if isinstance(t, Literal):
            return n3(t)
        raise KgError(f"shapes: unexpected term {t!r}")

    def items(self, node) -> list:
        return rdf_list(self.g, node)

    def check_known(self, shape) -> None:
        for p in self.g.predicates(shape, None):
            if str(p).startswith(str(SH)) and p not in _KNOWN:
                raise KgError(f"SHACL as SPARQL: {short(p)} is not supported")
        for p, limit in ((SH.minCount, 1), (SH.qualifiedMinCount, 1), (SH.maxCount, 1)):
            v = self.g.value(shape, p)
            if v is not None and int(v) != limit:
                raise KgError(f"SHACL as SPARQL: only {short(p)} {limit} is supported")

    @staticmethod
    def datatype_ok(v: str, dt) -> str:
        test = f"(isLiteral({v}) && DATATYPE({v}) = <{dt}>)"
        name = str(dt)[len(XSD):] if str(dt).startswith(XSD) else None
        if name in INTEGER_RANGES:
            cond = INTEGER_RANGES[name].replace("?v", v)
            test = f"({test} || (isLiteral({v}) && DATATYPE({v}) = <{XSD}integer> && {cond}))"
        return test

    # --- pieces over sets -----------------------------------------------------------------------

    def walk(self, x: str, path, end: str) -> str:
        """Pairs (x, end) joined by *path*: one subquery per step (joined by hash)."""
        if isinstance(path, URIRef):
            return f"{{ SELECT {x} {end} WHERE {{ {x} <{path}> {end} }} }}"
        inv = self.g.value(path, SH.inversePath)
        if inv is not None:
            if not isinstance(inv, URIRef):
                raise KgError("SHACL as SPARQL: only the inverse of an IRI is supported")
            return f"{{ SELECT {x} {end} WHERE {{ {end} <{inv}> {x} }} }}"
        alt = self.g.value(path, SH.alternativePath)
        if alt is not None:
            return "{ " + " UNION ".join(self.walk(x, p, end) for p in self.items(alt)) + " }"
        seq = self.items(path)
        if not seq:
            raise KgError(f"shapes: unsupported path {path}")
        hops = [x] + [self.var("m") for _ in seq[:-1]] + [end]
        return "{ " + " ".join(self.walk(a, p, b) for a, p, b in zip(hops, seq, hops[1:])) + " }"

    @staticmethod
    def distinct(x: str, parts: list) -> str | None:
        """The candidates *x* in any of *parts* (None: in none, whatever the data)."""
        parts = [p for p in parts if p is not None]
        if not parts:
            return None
        return f"{{ SELECT DISTINCT {x} WHERE {{ " + " UNION ".join(parts) + " } }"

    def filters(self, shape, v: str) -> str:
        """The constraints of *shape* on a node itself that a FILTER tests."""
        parts = []
        dt = self.g.value(shape, SH.datatype)
        if dt is not None:
            parts.append(self.datatype_ok(v, dt))
        mi = self.g.value(shape, SH.minInclusive)
        if mi is not None:
            parts.append(f"({v} >= {self.term(mi)})")
        ml = self.g.value(shape, SH.minLength)
        if ml is not None:
            parts.append(f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(ml)})")
        pat = self.g.value(shape, SH.pattern)
        if pat is not None:
            parts.append(f"(!isBlank({v}) && REGEX(STR({v}), {self.term(Literal(str(pat)))}))")
        return " && ".join(parts)

    def bad_own(self, shape, x: str, cands: str, with_or: bool = True) -> str | None:
        """The candidates *x* of *cands* (a pattern binding *x*) that break a constraint of
        *shape* on the node itself (datatype, class, ranges, length, pattern, sh:or, sh:node)."""
        self.check_known(shape)
        parts = []
        test = self.filters(shape, x)
        if test:
            parts.append(f"{{ {cands} FILTER(!({test})) }}")
        cls = self.g.value(shape, SH["class"])
        if cls is not None:
            t = self.var("t")
            parts.append(f"{{ {cands} MINUS {{ {x} <{RDF.type}> {t} . {t} <{RDFS_SCO}>* <{cls}> }} }}")
        alts = self.g.value(shape, SH["or"])
        if alts is not None and with_or:
            parts.append(self.bad_or(alts, x, cands))
        for node in self.g.objects(shape, SH.node):
            parts.append(self.bad(node, x, cands))
        return self.distinct(x, parts)

    def bad_or(self, alts, x: str, cands: str) -> str | None:
        """Those failing every alternative: in the failures of each (None if one cannot fail)."""
        each = [self.bad(s, x, cands) for s in self.items(alts)]
        if any(b is None for b in each):
            return None
        return f"{{ SELECT DISTINCT {x} WHERE {{ " + " ".join(each) + " } }"

    def bad(self, shape, x: str, cands: str) -> str | None:
        """The candidates *x* of *cands* that do not conform to *shape*: a subquery of *x* alone;
        None where no candidate can fail it."""
        parts = [self.bad_own(shape, x, cands)]
        for ps in self.g.objects(shape, SH.property):
            parts += [where for where, _ in self.bad_property(ps, x, cands)]
        return self.distinct(x, parts)

    def bad_property(self, ps, x: str, cands: str) -> list[tuple[str, str | None]]:
        """The failures of property shape *ps* among the candidates *x* of *cands*, one pattern
        per kind of constraint: ``(pattern, the variable of the offending value or None)``."""
        self.check_known(ps)
        path = self.g.value(ps, SH.path)
        out = []
        if self.g.value(ps, SH.minCount) is not None:
            out.append((f"{{ SELECT {x} WHERE {{ {cands} MINUS {self.walk(x, path, self.var())} }} }}", None))
        if self.g.value(ps, SH.maxCount) is not None:
            a, b = self.var(), self.var()
            out.append((f"{{ SELECT DISTINCT {x} WHERE {{ {cands} {self.walk(x, path, a)} {self.walk(x, path, b)} "
                        f"FILTER(!sameTerm({a}, {b})) }} }}", None))
        q = self.g.value(ps, SH.qualifiedValueShape)
        if q is not None:
            v = self.var()
            pairs = f"{{ {cands} {self.walk(x, path, v)} }}"
            bad_q = self.bad(q, v, f"{{ SELECT DISTINCT {v} WHERE {pairs} }}")
            good = f"{{ SELECT DISTINCT {x} WHERE {{ {pairs} " + (f"MINUS {bad_q} " if bad_q else "") + "} }"
            out.append((f"{{ SELECT {x} WHERE {{ {cands} MINUS {good} }} }}", None))
        v = self.var()
        values = f"{{ {cands} {self.walk(x, path, v)} }}"
        bad_v = self.bad_own(ps, v, f"{{ SELECT DISTINCT {v} WHERE {values} }}")
        if bad_v is not None:
            out.append((f"{{ SELECT DISTINCT {x} {v} WHERE {{ {values} {bad_v} }} }}", v))
        return out

    # --- top-level constraints ------------------------------------------------------------------

    def targets(self, shape) -> str:
        alts = []
        for c in self.g.objects(shape, SH.targetClass):
            alts.append(f"{{ ?focus <{RDF.type}>/<{RDFS_SCO}>* <{c}> }}")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            alts.append(f"{{ ?focus <{p}> [] }}")
        return "{ SELECT DISTINCT ?focus WHERE { " + " UNION ".join(alts) + " } }"

    def constraints(self, shape) -> list[tuple]:
        """``(source shape, path node, where-pattern selecting ?focus and maybe ?value, steps)``."""
        focus = self.targets(shape)
        out = []
        own = self.bad_own(shape, FOCUS, focus, with_or=False)
        steps = ()
        alts = self.g.value(shape, SH["or"])
        if alts is not None:
            each = [self.bad(s, FOCUS, CANDIDATES) for s in self.items(alts)]
            if all(b is not None for b in each):
                steps = (focus, tuple(each), self.bad_or(alts, FOCUS, focus))
        if own is not None or steps:
            out.append((shape, None, own, steps))
        for ps in self.g.objects(shape, SH.property):
            path_node = self.g.value(ps, SH.path)
            for where, v in self.bad_property(ps, FOCUS, focus):
                out.append((ps, path_node, where + (f" BIND({v} AS ?value)" if v else ""), ()))
        return out


def compile_shapes(shapes: Graph | None = None) -> list[Constraint]:
    """One :class:`Constraint` per constraint of every shape that has targets."""

    g = shapes if shapes is not None else load_shapes()
    c = _Compiler(g)
    out = []
    for shape in sorted(set(g.subjects(SH.targetClass, None)) | set(g.subjects(SH.targetSubjectsOf, None)), key=str):
        if isinstance(shape, BNode):
            continue
        for source, path_node, where, steps in c.constraints(shape):
            message = next((str(m) for m in g.objects(source, SH.message)), None) or "does not conform"
            sev = g.value(source, SH.severity) or SH.Violation
            out.append(Constraint(
                shape=shape_name(g, source),
                path=path_text(g, path_node) if path_node is not None else "",
                message=message,
                severity={"Violation": "error", "Warning": "warning"}.get(short(sev).removeprefix("sh:"), "info"),
                query=_select(where) if where else "",
                steps=steps,
            ))
    return out


def shacl_violations_store(store, shapes: Graph | None = None) -> list:
    """The SHACL results on a store, as :class:`kg.validation.report.Violation` records."""
    constraints = compile_shapes(shapes)
    return violations_from_rows(constraints, [c.rows(store.select) for c in constraints])


def violations_from_rows(constraints: list[Constraint], rows_per_constraint: list[list]) -> list:
    """:class:`kg.validation.report.Violation` records from the rows each constraint's query returned."""
    from kg.validation.report import Violation

    found = {}
    for con, rows in zip(constraints, rows_per_constraint):
        for row in rows:
            focus = row["focus"]
            value = row.get("value")
            label = row.get("label")
            key = (con.shape, con.path, str(focus), str(value), con.message)
            if key in found:
                continue
            found[key] = Violation(
                check=f"shacl {con.shape}" + (f" {con.path}" if con.path else ""),
                severity=con.severity,
                resource=short(focus) + (f" ({label})" if label is not None else ""),
                error=con.message + (f" [value: {short(value)}]" if value is not None and value != focus else ""),
            )
    return sorted(found.values(), key=lambda v: (v.check, v.resource, v.error))
