"""SPARQL's order of RDF terms (SPARQL 1.1 §15.1), for rows a store hands back unordered.

:func:`kg.sparql.run` sorts here the rows of a query ordered by variables alone on a store that
sorts slower than Python does (:attr:`kg.store.protocol.Store.sorts_rows`). The order is
SPARQL's: unbound first, then blank nodes, IRIs, literals; IRIs by their text; literals by
value where SPARQL's ``<`` compares them (numbers across their datatypes, strings, booleans,
dates and date-times of one kind), by datatype and lexical form otherwise (where SPARQL leaves
the order to the engine). Texts compare by code point, as every engine here does.
"""

from __future__ import annotations

from decimal import Decimal

from rdflib import BNode, Literal, URIRef, Variable

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + t for t in (
    "integer", "decimal", "float", "double", "nonPositiveInteger", "negativeInteger", "long", "int", "short",
    "byte", "nonNegativeInteger", "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte", "positiveInteger")}
_STRING = {None, _XSD + "string", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}
_TIMES = {_XSD + "dateTime", _XSD + "date", _XSD + "dateTimeStamp"}


def term_key(term) -> tuple:
    """A key that sorts terms in SPARQL's order; keys of any two terms compare."""
    if term is None:
        return (0,)
    if isinstance(term, BNode):
        return (1, str(term))
    if isinstance(term, URIRef):
        return (2, str(term))
    if isinstance(term, Literal):
        dt = str(term.datatype) if term.datatype is not None else None
        if dt in _NUMERIC:
            value = term.toPython()
            if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and value == value:
                return (3, 0, value, str(term))
        elif dt in _STRING:
            return (3, 1, str(term), term.language or "")
        elif dt == _XSD + "boolean" and isinstance(term.toPython(), bool):
            return (3, 2, term.toPython(), str(term))
        elif dt in _TIMES:
            value = term.toPython()
            if not isinstance(value, Literal):
                aware = getattr(value, "tzinfo", None) is not None
                return (3, 3, dt, aware, value, str(term))
        return (3, 4, dt or "", str(term))
    return (4, str(term))


def sort_rows(rows: list[dict], order) -> list[dict]:
    """*rows* (Variable -> term) sorted by *order*, ``((name, descending), ...)``; stable."""
    for name, descending in reversed(order):
        var = Variable(name)
        rows.sort(key=lambda row: term_key(row.get(var)), reverse=descending)
    return rows
