"""SHACL validation of the built graph against ``ontology/shapes.ttl`` (pySHACL).

The shapes are checked over the union of the four named graphs, so that a shape
can ask for a fact's provenance (in the provenance graph) and use inferred
types. :func:`validate` returns a :class:`ShaclReport`; its results read as
"which node, which shape, what is wrong", and :func:`shacl_violations` turns them
into the same :class:`kg.validation.checks.Violation` records as the SPARQL checks, so that
``kg build`` fails with one report for both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, BNode, Dataset, Graph, Literal, Namespace, URIRef

from kg.core import iris
from kg.core.errors import KgError
from kg.core.namespace import bind_prefixes
from kg.core.rdfio import parse_turtle
from kg.core.resources import ontology_dir
from kg.core.terms import rdf_list
from kg.sparql.labels import label_in

SH = Namespace("http://www.w3.org/ns/shacl#")
DKGSH = Namespace(iris.SHAPES)
SHAPES_NAME = "shapes.ttl"


def shapes_path() -> Path:
    return ontology_dir() / SHAPES_NAME


def load_shapes(path: Path | None = None) -> Graph:
    g = parse_turtle(path or shapes_path())
    bind_prefixes(g)
    g.bind("dkgsh", str(DKGSH))
    g.bind("sh", str(SH))
    return g


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result, in readable parts."""

    focus: str          #: the node that fails, shortened (``dkgr:offer-thaad``)
    focus_label: str    #: its rdfs:label, if any
    shape: str          #: the shape that fails, e.g. ``dkgsh:OfferShape``
    path: str           #: the property path, if any, e.g. ``dkg:responseStatus``
    message: str        #: what is wrong
    value: str          #: the offending value, if any
    severity: str       #: Violation, Warning or Info
    constraint: str     #: the SHACL constraint component, e.g. ``sh:MinCountConstraintComponent``

    def describe(self) -> str:
        node = f"{self.focus} ({self.focus_label})" if self.focus_label else self.focus
        where = f"{self.shape} on {self.path}" if self.path else self.shape
        value = f" [value: {self.value}]" if self.value else ""
        return f"{node}: {where}: {self.message}{value}"


@dataclass
class ShaclReport:
    conforms: bool
    graph: Graph
    results: list[ShaclResult] = field(default_factory=list)

    def text(self) -> str:
        if self.conforms:
            return "SHACL: the graph conforms to the shapes"
        lines = [f"SHACL: {len(self.results)} result(s)"]
        lines += [f"  [{r.severity}] {r.describe()}" for r in self.results]
        return "\n".join(lines)

    def turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def validate_graph(data: Graph, shapes: Graph | None = None) -> ShaclReport:
    """Validate *data* (a plain graph holding the ontology too) against the shapes."""
    try:
        import pyshacl
    except ImportError as exc:  # pragma: no cover - a runtime dependency
        raise KgError("SHACL validation needs pySHACL (pip install pyshacl)") from exc
    shapes = shapes if shapes is not None else load_shapes()
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", abort_on_first=False,
        allow_infos=True, allow_warnings=True, advanced=False, meta_shacl=False,
    )
    bind_prefixes(report)
    report.bind("sh", str(SH))
    report.bind("dkgsh", str(DKGSH))
    results = _read_results(report, shapes, data)
    return ShaclReport(bool(conforms), report, results)


def validate(ds: Dataset, shapes: Graph | None = None) -> ShaclReport:
    """Validate a built dataset: the shapes see the union of its named graphs."""
    from kg.store.rdflib_store import union_graph

    return validate_graph(union_graph(ds), shapes)


def shacl_violations(ds: Dataset, shapes: Graph | None = None) -> list:
    """The SHACL results of *ds* as :class:`kg.validation.checks.Violation` records."""
    from kg.validation.report import Violation

    report = validate(ds, shapes)
    return [
        Violation(
            check=f"shacl {r.shape}" + (f" {r.path}" if r.path else ""),
            severity={"Violation": "error", "Warning": "warning"}.get(r.severity, "info"),
            resource=r.focus + (f" ({r.focus_label})" if r.focus_label else ""),
            error=r.message + (f" [value: {r.value}]" if r.value else ""),
        )
        for r in report.results
    ]


# --- reading the report -----------------------------------------------------------------


def short(term) -> str:
    """A term of a shape or report, shortened (``dkgsh:``, ``sh:`` and the project prefixes)."""
    from kg.core.terms import shorten

    if isinstance(term, URIRef) and str(term).startswith(str(DKGSH)):
        return "dkgsh:" + str(term)[len(str(DKGSH)):]
    if isinstance(term, URIRef) and str(term).startswith(str(SH)):
        return "sh:" + str(term)[len(str(SH)):]
    if isinstance(term, Literal):
        if term.datatype is not None:
            return f'"{term}"^^{shorten(term.datatype)}'
        return f'"{term}"' + (f"@{term.language}" if term.language else "")
    return shorten(term)


def path_text(shapes: Graph, path) -> str:
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return short(path)
    inv = shapes.value(path, SH.inversePath)
    if inv is not None:
        return "^" + path_text(shapes, inv)
    alt = shapes.value(path, SH.alternativePath)
    if alt is not None:
        return "(" + " | ".join(path_text(shapes, p) for p in rdf_list(shapes, alt)) + ")"
    seq = rdf_list(shapes, path)
    if seq:
        return "/".join(path_text(shapes, p) for p in seq)
    return str(path)


def shape_name(shapes: Graph, shape) -> str:
    """A readable name for *shape*: its IRI, or the named shape that holds it."""
    seen = set()
    node = shape
    while node not in seen:
        seen.add(node)
        parent = shapes.value(None, SH.property, node)
        if parent is None and isinstance(node, BNode):
            parent = shapes.value(None, SH.node, node)
        if parent is None and isinstance(node, BNode):
            # inside an RDF list (sh:or, sh:and ...): climb to the list's owner
            head = node
            cell = shapes.value(None, RDF.first, head)
            while cell is not None:
                prev = shapes.value(None, RDF.rest, cell)
                if prev is None:
                    break
                cell = prev
            owner = None
            if cell is not None:
                for p in (SH["or"], SH["and"], SH.xone):
                    owner = shapes.value(None, p, cell)
                    if owner is not None:
                        break
            parent = owner
        if parent is None:
            break
        node = parent
    return short(node) if isinstance(node, URIRef) else "(anonymous shape)"


def _read_results(report: Graph, shapes: Graph, data: Graph) -> list[ShaclResult]:
    out = []
    for res in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(res, SH.focusNode)
        source = report.value(res, SH.sourceShape)
        path = report.value(res, SH.resultPath)
        messages = [str(m) for m in report.objects(res, SH.resultMessage)]
        own = [str(m) for m in shapes.objects(source, SH.message)] if source is not None else []
        message = (own or messages or ["does not conform"])[0]
        value = report.value(res, SH.value)
        severity = report.value(res, SH.resultSeverity)
        component = report.value(res, SH.sourceConstraintComponent)
        label = label_in(data, focus) if focus is not None else None
        shape_path = shapes.value(source, SH.path) if source is not None else None
        out.append(ShaclResult(
            focus=short(focus),
            focus_label=str(label) if label is not None else "",
            shape=shape_name(shapes, source) if source is not None else "",
            path=path_text(shapes, shape_path) if shape_path is not None else path_text(report, path),
            message=message,
            value=short(value) if value is not None and value != focus else "",
            severity=short(severity).removeprefix("sh:") if severity is not None else "Violation",
            constraint=short(component) if component is not None else "",
        ))
    return sorted(out, key=lambda r: (r.focus, r.shape, r.path, r.message, r.value))
