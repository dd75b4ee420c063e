"""Content negotiation of `kg serve` as a unit, with no server (RFC 9110 §12.5.1)."""

from __future__ import annotations

import pytest

from kg.serve.negotiation import media_type, negotiate, parse_accept, quality


@pytest.mark.parametrize("accept,expected", [
    (None, "json"),                                            # no Accept: anything, the server's first choice
    ("", "json"),
    ("*/*", "json"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/sparql-results+xml", "xml"),
    ("application/xml", "xml"),
    ("application/json", "json"),
    ("text/*", "csv"),                                         # the first text/* type the server offers
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "xml"),
    ("application/sparql-results+json;q=0, */*;q=0.1", "xml"),  # q=0 means "not this one"
    ("image/png", None),                                       # nothing acceptable: 406
])
def test_results_negotiation(accept, expected):
    assert negotiate("results", accept) == expected


@pytest.mark.parametrize("accept,expected", [
    (None, "turtle"),
    ("application/n-triples", "nt"),
    ("text/plain", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("text/turtle;q=0.2, application/ld+json;q=0.8", "jsonld"),
    ("text/html", None),
])
def test_graph_negotiation(accept, expected):
    assert negotiate("graph", accept) == expected


def test_an_explicit_format_parameter_wins_over_accept():
    assert negotiate("results", "application/sparql-results+json", ["csv"]) == "csv"
    assert negotiate("results", None, ["application/sparql-results+xml"]) == "xml"
    assert negotiate("results", None, ["no-such-format"]) is None


def test_the_most_specific_range_gives_the_quality():
    ranges = parse_accept("text/*;q=0.3, text/csv;q=0.8, */*;q=0.1")
    assert quality(ranges, "text/csv") == 0.8
    assert quality(ranges, "text/tab-separated-values") == 0.3
    assert quality(ranges, "application/json") == 0.1
    assert parse_accept("text/csv;q=abc") == [("text/csv", 0.0)]


def test_media_types_carry_utf8():
    assert media_type("results", "csv") == "text/csv; charset=utf-8"
    assert media_type("graph", "turtle") == "text/turtle; charset=utf-8"


@pytest.mark.parametrize("accept,formats,expected", [
    (None, None, "turtle"),                                     # no Accept: the server's first choice
    ("*/*", None, "turtle"),
    ("text/*", None, "turtle"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, "html"),   # a browser
    ("application/xhtml+xml", None, "html"),
    ("text/html;q=0.5, text/turtle;q=0.4", None, "html"),
    ("application/rdf+xml, text/html;q=0.1", None, "rdfxml"),  # the w3id mistake: not HTML here
    ("text/turtle;q=0", None, None),
    ("image/png", None, None),
    ("text/html", ["jsonld"], "jsonld"),                       # format= wins over Accept
    ("text/html", ["nosuch"], None),
])
def test_page_negotiation(accept, formats, expected):
    from kg.serve.negotiation import negotiate_page

    assert negotiate_page(accept, formats) == expected
