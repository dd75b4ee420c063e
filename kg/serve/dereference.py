"""What a worker answers for a Linked Data route (:mod:`kg.serve.lod`): the card or the
description of a resource, the ontology, a named graph, VoID, the DCAT catalogue, an explanation.
It runs in a query worker (:mod:`kg.serve.engine`), so its time is bounded like a query's."""

from __future__ import annotations

from collections import OrderedDict

from kg.core.errors import KgError
from kg.serve.lod import describe, graph_description, ontology_graph, ontology_terms, read_resource, source_grades
from kg.sparql.labels import label_literals

_EXPLAINERS: OrderedDict = OrderedDict()  # store -> its Explainer, the last two per worker


def explainer(store):
    """An :class:`~kg.explanation.explainer.Explainer` over *store*, kept for the next requests."""
    from kg.explanation.explainer import Explainer

    if store not in _EXPLAINERS:
        _EXPLAINERS[store] = Explainer(store.as_dataset())
        while len(_EXPLAINERS) > 2:
            _EXPLAINERS.popitem(last=False)
    _EXPLAINERS.move_to_end(store)
    return _EXPLAINERS[store]


def run_page_job(store, job: dict) -> tuple[int, str, bytes, dict]:
    """A Linked Data reply for *job* (what, iri, fmt, endpoint) as (status, content type, body,
    headers); every failure becomes one (a 404 for an IRI the graph knows nothing about)."""
    from kg.serve import pages
    from kg.serve.negotiation import page_media_type
    from kg.sparql.results import write_graph

    what, iri, fmt = job["what"], job.get("iri", ""), job.get("fmt", "html")
    headers = {"Vary": "Accept"}
    try:
        if what == "resource":
            if fmt == "html":
                res = read_resource(store, iri)
                if not res.exists:
                    return _not_found(iri)
                body = pages.resource_page(res, source_grades(store), explainer(store))
            else:
                graph = describe(store, iri)
                if not len(graph):
                    return _not_found(iri)
                body = write_graph(graph, fmt)
        elif what == "ontology":
            if fmt == "html":
                body = pages.ontology_listing(ontology_terms(store), label_literals(
                    store, {t for t, _, _ in ontology_terms(store)}))
            else:
                body = write_graph(ontology_graph(store), fmt)
        elif what == "graph":
            graph = graph_description(store, iri, job["endpoint"])
            if graph is None:
                return _not_found(iri)
            body = pages.graph_page(iri, graph, source_grades(store)) if fmt == "html" else write_graph(graph, fmt)
        elif what == "explain":
            body = pages.explain_page(explainer(store), job["s"], job.get("p"), job.get("o"))
        elif what in ("void", "catalog"):
            from kg.serve.description import catalogue, void_description

            graph = void_description(store, job["endpoint"]) if what == "void" else catalogue(store, job["endpoint"])
            if fmt != "html":
                body = write_graph(graph, fmt)
            elif what == "void":
                body = pages.void_page(graph, label_literals(store, _named(graph)))
            else:
                body = pages.catalog_page(graph, label_literals(store, _named(graph)), source_grades(store))
        elif what == "shapes":
            from kg.validation.shacl import load_shapes

            shapes = load_shapes()
            body = pages.shapes_listing(shapes) if fmt == "html" else write_graph(shapes, fmt)
        elif what == "labels":
            import json

            from rdflib import URIRef

            from kg.sparql.labels import labels

            found = labels(store, [URIRef(i) for i in job["iris"]])
            body = json.dumps({str(k): v for k, v in sorted(found.items())}, ensure_ascii=False).encode("utf-8")
            return 200, "application/json; charset=utf-8", body, {}
        elif what == "data":
            from kg.pipeline.export import export

            return 200, job["ctype"], export(store.as_dataset(), fmt), {}
        else:
            return _plain(404, f"no such page: {what}")
    except KgError as exc:
        return _plain(404 if what == "explain" else 400, str(exc))
    return 200, page_media_type(fmt), body, headers


def _named(graph) -> set:
    """The IRIs *graph* names, for their labels (the one label lookup)."""
    from rdflib import URIRef

    return {t for triple in graph for t in triple if isinstance(t, URIRef)}


def _plain(status: int, message: str) -> tuple[int, str, bytes, dict]:
    return status, "text/plain; charset=utf-8", f"kg serve: {message}\n".encode("utf-8"), {"Vary": "Accept"}


def _not_found(iri: str) -> tuple[int, str, bytes, dict]:
    return _plain(404, f"the graph holds nothing about <{iri}>")
