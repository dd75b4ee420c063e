"""Every competency question returns exactly its hand-written answer, on every engine."""

from __future__ import annotations

import pytest
from expected import assert_matches_expected

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


@pytest.mark.parametrize("slug", sorted(QUERIES))
def test_competency_query(slug, built):
    query = QUERIES[slug]
    assert query.question, f"{slug} has no '# Question:' header"
    assert query.header("sentences"), f"{slug} names no supporting sentences"
    ds = built.dataset
    bindings = {name: to_term(ds, value) for name, value in query.params.items()}
    result = run(ds, query.text, bindings, source=str(query.path))
    assert_matches_expected(query, result)


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
