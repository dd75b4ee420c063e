"""The SHACL shapes (``ontology/shapes.ttl``) as SPARQL on Oxigraph, for validation at scale.

pySHACL (:mod:`kg.validation.shacl`) walks the graph in Python and is far too slow past a few tens of
thousands of triples. This module compiles the SHACL Core subset the shapes use into one
SPARQL query per constraint, run over the union of the named graphs, and reports the same
records as :func:`kg.validation.shacl.shacl_violations` (a test checks they are identical on the
article graph and on synthetic graphs, clean and with faults).

Supported: ``sh:targetClass`` (through ``rdf:type/rdfs:subClassOf*``), ``sh:targetSubjectsOf``;
paths made of IRIs, ``sh:inversePath``, ``sh:alternativePath`` and sequences; ``sh:minCount``
and ``sh:qualifiedMinCount`` of 1, ``sh:maxCount`` 1, ``sh:class``, ``sh:datatype``,
``sh:minInclusive``, ``sh:minLength``, ``sh:pattern`` (without ``sh:flags``), ``sh:or``, ``sh:node`` and ``sh:qualifiedValueShape``.
A shape using anything else is refused with a :class:`~kg.core.errors.KgError`.

Oxigraph stores numbers by value, so ``sh:datatype`` of a derived integer type accepts an
``xsd:integer`` in its value space (see :data:`kg.validation.datatypes.INTEGER_RANGES`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from rdflib import RDF, BNode, Graph, Literal, URIRef

from kg.core.errors import KgError
from kg.core.terms import n3, rdf_list
from kg.validation.datatypes import INTEGER_RANGES
from kg.validation.shacl import SH, load_shapes, path_text, shape_name, short

XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_SCO = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_KNOWN = {SH[n] for n in (
    "targetClass", "targetSubjectsOf", "property", "path", "minCount", "maxCount", "class", "datatype",
    "minInclusive", "minLength", "pattern", "or", "node", "qualifiedValueShape", "qualifiedMinCount", "message", "name",
    "description", "severity", "order", "group",
)}


@dataclass(frozen=True)
class Constraint:
    shape: str        #: the named node shape, as kg.validation.shacl names it
    path: str         #: the property path as text ("" for node-level constraints)
    message: str
    severity: str     #: error, warning or info
    query: str        #: SELECT ?focus ?value ?label


class _Compiler:
    def __init__(self, shapes: Graph):
        self.g = shapes
        self.n = itertools.count()

    def var(self, stem="v") -> str:
        return f"?{stem}{next(self.n)}"

    # --- pieces --------------------------------------------------------------------------

    def term(self, t) -> str:
        if isinstance(t, URIRef):
            return f"<{t}>"
        if isinstance(t, Literal):
            return n3(t)
        raise KgError(f"shapes: unexpected term {t!r}")

    def items(self, node) -> list:
        return rdf_list(self.g, node)

    def path(self, p) -> str:
        if isinstance(p, URIRef):
            return f"<{p}>"
        inv = self.g.value(p, SH.inversePath)
        if inv is not None:
            return f"^({self.path(inv)})"
        alt = self.g.value(p, SH.alternativePath)
        if alt is not None:
            return "(" + "|".join(self.path(x) for x in self.items(alt)) + ")"
        seq = self.items(p)
        if seq:
            return "(" + "/".join(self.path(x) for x in seq) + ")"
        raise KgError(f"shapes: unsupported path {p}")

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

    # --- "value v conforms to shape s", as a SPARQL expression ------------------------------

    def value_ok(self, shape, v: str) -> str:
        """Constraints of *shape* that apply to the value node itself."""
        self.check_known(shape)
        parts = []
        dt = self.g.value(shape, SH.datatype)
        if dt is not None:
            parts.append(self.datatype_ok(v, dt))
        cls = self.g.value(shape, SH["class"])
        if cls is not None:
            t = self.var("t")
            parts.append(f"EXISTS {{ {v} <{RDF.type}> {t} FILTER EXISTS {{ {t} <{RDFS_SCO}>* <{cls}> }} }}")
        mi = self.g.value(shape, SH.minInclusive)
        if mi is not None:
            parts.append(f"({v} >= {self.term(mi)})")
        ml = self.g.value(shape, SH.minLength)
        if ml is not None:
            parts.append(f"(!isBlank({v}) && STRLEN(STR({v})) >= {int(ml)})")
        pat = self.g.value(shape, SH.pattern)
        if pat is not None:
            parts.append(f"(!isBlank({v}) && REGEX(STR({v}), {self.term(Literal(str(pat)))}))")
        alts = self.g.value(shape, SH["or"])
        if alts is not None:
            parts.append("(" + " || ".join(self.conforms(s, v) for s in self.items(alts)) + ")")
        for node in self.g.objects(shape, SH.node):
            parts.append(self.conforms(node, v))
        return " && ".join(parts) if parts else "true"

    def conforms(self, shape, x: str) -> str:
        """*x* conforms to *shape* (its own value constraints and its property shapes)."""
        parts = [self.value_ok(shape, x)]
        for ps in self.g.objects(shape, SH.property):
            parts.append(self.property_ok(ps, x))
        return "(" + " && ".join(parts) + ")"

    def ex(self, x: str, path, cond) -> str:
        """Some value of *path* from *x* satisfies ``cond(var)``: nested one-pattern EXISTS.

        Oxigraph pushes the outer binding into an EXISTS of one triple pattern, but not into
        a group of several (or a path), which it evaluates in full for every row; nesting keeps
        every check a lookup.
        """
        if isinstance(path, URIRef):
            v = self.var()
            c = cond(v)
            return f"EXISTS {{ {x} <{path}> {v} " + (f"FILTER({c}) " if c != "true" else "") + "}"
        inv = self.g.value(path, SH.inversePath)
        if inv is not None:
            if not isinstance(inv, URIRef):
                raise KgError("SHACL as SPARQL: only the inverse of an IRI is supported")
            v = self.var()
            c = cond(v)
            return f"EXISTS {{ {v} <{inv}> {x} " + (f"FILTER({c}) " if c != "true" else "") + "}"
        alt = self.g.value(path, SH.alternativePath)
        if alt is not None:
            return "(" + " || ".join(self.ex(x, p, cond) for p in self.items(alt)) + ")"
        seq = self.items(path)
        if not seq:
            raise KgError(f"shapes: unsupported path {path}")

        def step(i):
            if i == len(seq) - 1:
                return lambda v: cond(v)
            return lambda v: self.ex(v, seq[i + 1], step(i + 1))

        return self.ex(x, seq[0], step(0))

    def property_ok(self, ps, x: str) -> str:
        self.check_known(ps)
        path = self.g.value(ps, SH.path)
        parts = []
        if self.g.value(ps, SH.minCount) is not None:
            parts.append(self.ex(x, path, lambda v: "true"))
        if self.g.value(ps, SH.maxCount) is not None:
            parts.append("!" + self.ex(x, path, lambda a: self.ex(x, path, lambda b: f"!sameTerm({a}, {b})")))
        q = self.g.value(ps, SH.qualifiedValueShape)
        if q is not None:
            parts.append(self.ex(x, path, lambda v: self.conforms(q, v)))
        probe = self.value_ok(ps, "?probe")
        if probe != "true":
            parts.append("!" + self.ex(x, path, lambda v: f"!({self.value_ok(ps, v)})"))
        return "(" + " && ".join(parts) + ")" if parts else "true"

    # --- top-level constraints, one query each ------------------------------------------------

    def targets(self, shape) -> str | None:
        alts = []
        for c in self.g.objects(shape, SH.targetClass):
            alts.append(f"{{ ?focus <{RDF.type}>/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{c}> }}")
        for p in self.g.objects(shape, SH.targetSubjectsOf):
            alts.append(f"{{ ?focus <{p}> [] }}")
        return " UNION ".join(alts) if alts else None

    def constraints(self, shape) -> list[tuple]:
        """``(source shape, path node, where-pattern selecting ?focus and maybe ?value)``."""
        focus = "{ SELECT DISTINCT ?focus WHERE { " + self.targets(shape) + " } }"
        out = []
        own = self.value_ok(shape, "?focus")
        if own != "true":
            out.append((shape, None, f"{focus} FILTER(!({own}))"))
        for ps in self.g.objects(shape, SH.property):
            self.check_known(ps)
            path_node = self.g.value(ps, SH.path)
            path = self.path(path_node)
            if self.g.value(ps, SH.minCount) is not None:
                out.append((ps, path_node, f"{focus} FILTER(!{self.ex('?focus', path_node, lambda v: 'true')})"))
            if self.g.value(ps, SH.maxCount) is not None:
                two = self.ex("?focus", path_node, lambda a: self.ex("?focus", path_node, lambda b: f"!sameTerm({a}, {b})"))
                out.append((ps, path_node, f"{focus} FILTER({two})"))
            q = self.g.value(ps, SH.qualifiedValueShape)
            if q is not None:
                out.append((ps, path_node, f"{focus} FILTER(!{self.ex('?focus', path_node, lambda v: self.conforms(q, v))})"))
            each = self.value_ok(ps, "?value")
            if each != "true":
                out.append((ps, path_node, f"{focus} ?focus {path} ?value . FILTER(!({each}))"))
        return out


def compile_shapes(shapes: Graph | None = None) -> list[Constraint]:
    """One :class:`Constraint` per constraint of every shape that has targets."""

    g = shapes if shapes is not None else load_shapes()
    c = _Compiler(g)
    out = []
    for shape in sorted(set(g.subjects(SH.targetClass, None)) | set(g.subjects(SH.targetSubjectsOf, None)), key=str):
        if isinstance(shape, BNode):
            continue
        for source, path_node, where in c.constraints(shape):
            message = next((str(m) for m in g.objects(source, SH.message)), None) or "does not conform"
            sev = g.value(source, SH.severity) or SH.Violation
            query = ("SELECT DISTINCT ?focus ?value ?label WHERE { " + where
                     + " OPTIONAL { ?focus <http://www.w3.org/2000/01/rdf-schema#label> ?label } }")
            out.append(Constraint(
                shape=shape_name(g, source),
                path=path_text(g, path_node) if path_node is not None else "",
                message=message,
                severity={"Violation": "error", "Warning": "warning"}.get(short(sev).removeprefix("sh:"), "info"),
                query=query,
            ))
    return out


def shacl_violations_store(store, shapes: Graph | None = None) -> list:
    """The SHACL results on a store, as :class:`kg.validation.report.Violation` records."""
    constraints = compile_shapes(shapes)
    return violations_from_rows(constraints, [store.select(c.query) for c in constraints])


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
