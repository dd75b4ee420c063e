"""Every competency question returns exactly its hand-written answer, on every engine."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest
from conftest import SHIPPED_SOURCES, engines
from expected import as_of_dates, assert_matches_expected

from kg.sparql import run
from kg.sparql.labels import to_term
from kg.sparql.named import named_queries

QUERIES = named_queries()


def test_the_required_questions_exist():
    required = {
        "who-risks-caatsa-for-s400", "s400-alternatives-offered-to-india", "india-s400-contract",
        "sanctioned-under-caatsa", "what-is-caatsa", "turkey-f35-and-nato", "us-india-defence-ties-steps",
        "us-levers-against-russian-arms-buyers", "official-statements-at-briefing",
        "chief-cause-of-us-india-friction", "sentences-supporting-fact", "us-systems-offered-or-approved-for-india",
    }
    assert required <= set(QUERIES)


@functools.cache
def built_for(engine: str, layer: str):
    """A validated build per engine: of the article alone (no cited sources), or of everything."""
    from kg.pipeline.build import build

    return build(engine=engine, sources=Path(tempfile.mkdtemp(prefix="kg-no-sources-")) if layer == "article"
                 else SHIPPED_SOURCES)


@pytest.mark.parametrize("engine", engines())
@pytest.mark.parametrize("slug", sorted(QUERIES))
def test_competency_query(slug, engine):
    query = QUERIES[slug]
    assert query.question, f"{slug} has no '# Question:' header"
    assert query.header("sentences") or query.header("sources"), f"{slug} names no supporting sentences or sources"
    assert query.layer in ("article", "all"), f"{slug}: Layer must be article or all"
    ds = built_for(engine, query.layer).dataset
    bindings = {name: to_term(ds, value) for name, value in query.params.items()}
    result = run(ds, query.text, bindings, source=str(query.path))
    assert_matches_expected(query, result)


@pytest.mark.parametrize("slug", sorted(QUERIES))
def test_competency_query_on_the_oxigraph_backend(slug):
    """The same hand-written answer from the Oxigraph store (native reasoner), for each layer."""
    query = QUERIES[slug]
    store = built_on("oxigraph", query.layer).store
    bindings = {name: to_term(store, value) for name, value in query.params.items()}
    assert_matches_expected(query, run(store, query.text, bindings, source=str(query.path)))


AS_OF = sorted((slug, day) for slug, q in QUERIES.items() for day in as_of_dates(q))


def test_questions_asked_as_of_a_date_are_pinned():
    assert {slug for slug, _ in AS_OF} >= {"caatsa-231-sanctions", "s400-buyers-sanctioned-or-at-risk"}


@pytest.mark.parametrize("backend", ["rdflib", "oxigraph"])
@pytest.mark.parametrize("slug, day", AS_OF)
def test_competency_query_as_of_a_date(slug, day, backend):
    """`kg query SLUG --as-of DAY` gives the hand-written `SLUG.as-of-DAY.expected.csv`."""
    from kg.pipeline.asof import as_of

    query = QUERIES[slug]
    store = built_on(backend, query.layer).store
    view = as_of(store, day)
    bindings = {name: to_term(view, value) for name, value in query.params.items()}
    assert_matches_expected(query, run(view, query.text, bindings, source=str(query.path)), as_of=day)


@functools.cache
def built_on(backend: str, layer: str):
    from kg.pipeline.build import build

    return build(backend=backend, sources=Path(tempfile.mkdtemp(prefix="kg-no-sources-")) if layer == "article"
                 else SHIPPED_SOURCES)


def test_risk_is_distinguished_from_actual_sanction(dataset):
    risky = {r[0] for r in run(dataset, QUERIES["who-risks-caatsa-for-s400"].text)}
    sanctioned = {r.target for r in run(dataset, QUERIES["sanctioned-under-caatsa"].text)}
    assert risky and sanctioned and not (risky & sanctioned)


def test_parameter_takes_other_facts_through_bindings(dataset):
    q = QUERIES["sentences-supporting-fact"]
    rows = list(run(dataset, q.text, {"fact": to_term(dataset, "dkgr:contract-india-russia-s400-2018")}))
    assert [str(r.sentence).rsplit("#", 1)[1] for r in rows] == ["s03"]
    # a label works too, resolved through a bound variable
    rows = list(run(dataset, q.text, {"fact": to_term(dataset, "Turkey's S-400 purchases")}))
    assert {str(r.sentence).rsplit("#", 1)[1] for r in rows} == {"s10"}
