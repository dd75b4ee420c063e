"""The native materialiser against owlrl: equal closures (less noise) on every input tried."""

from __future__ import annotations

import io

import pytest
from rdflib import Dataset, Graph

from kg.core.errors import KgError
from kg.reasoning import engine_names, expand

PREFIXES = """
@prefix : <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


def both(graph: Graph) -> tuple[set, set]:
    return set(expand(graph, "owl-rl", "owlrl")), set(expand(graph, "owl-rl", "native"))


def assert_same(graph: Graph) -> set:
    ref, native = both(graph)
    missing = sorted(ref - native)[:10]
    extra = sorted(native - ref)[:10]
    assert not missing and not extra, f"missing {missing}\nextra {extra}"
    return native


def ttl(text: str) -> Graph:
    return Graph().parse(data=PREFIXES + text, format="turtle")


def test_native_engine_is_registered():
    assert "native" in engine_names()


def test_equal_to_owlrl_on_the_article_graph():
    from kg.core.resources import articles_dir
    from kg.sources.articles import compile_all
    from kg.sources.ontology import load_ontology

    asserted, _, _ = compile_all(articles_dir())
    g = Graph()
    for t in load_ontology():
        g.add(t)
    for t in asserted:
        g.add(t)
    inferred = assert_same(g)
    # the derived risk comes through the chain of length 4, the inverse and the restriction
    from kg.core.namespace import DKG, DKGR

    assert (DKGR.India, DKG.risksSanctionsUnder, DKGR.CAATSA) in inferred


def test_equal_to_owlrl_on_a_small_synthetic_graph():
    from kg.core.namespace import GRAPH_ASSERTED
    from kg.sources.ontology import load_ontology
    from kg.sources.synth import generate

    buf = io.StringIO()
    generate(buf, articles=3, seed=7)
    ds = Dataset()
    ds.parse(data=buf.getvalue(), format="nquads")
    g = Graph()
    for t in load_ontology():
        g.add(t)
    for t in ds.graph(GRAPH_ASSERTED):
        g.add(t)
    inferred = assert_same(g)
    assert len(inferred) > 500


@pytest.mark.parametrize("name, data", [
    ("subclass, subproperty, domain and range through the hierarchy", """
        :A rdfs:subClassOf :B . :B rdfs:subClassOf :C .
        :p rdfs:subPropertyOf :q . :q rdfs:subPropertyOf :r . :r rdfs:domain :A ; rdfs:range :B .
        :x :p :y . :z a :A ."""),
    ("equivalent classes and properties", """
        :A owl:equivalentClass :B . :B rdfs:subClassOf :C . :C rdfs:subClassOf :A .
        :p owl:equivalentProperty :q . :x :p :y . :y a :B ."""),
    ("inverse, symmetric and transitive properties", """
        :p owl:inverseOf :q . :s a owl:SymmetricProperty . :t a owl:TransitiveProperty .
        :a :p :b . :b :s :c . :c :t :d . :d :t :e . :e :t :f . :q rdfs:subPropertyOf :t ."""),
    ("property chains of length 2 and 3, fed by inverses", """
        :uncle owl:propertyChainAxiom ( :parent :brother ) .
        :far owl:propertyChainAxiom ( :parent :parent :child ) .
        :child owl:inverseOf :parent .
        :a :parent :b . :b :brother :c . :b :parent :d . :e :child :a ."""),
    ("someValuesFrom restrictions with a subclass filler", """
        [ a owl:Restriction ; owl:onProperty :buys ; owl:someValuesFrom :Weapon ] rdfs:subClassOf :Buyer .
        :Buyer rdfs:subClassOf :Agent . :Missile rdfs:subClassOf :Weapon . :purchases rdfs:subPropertyOf :buys .
        :x :purchases :m . :m a :Missile . :y :buys :n ."""),
    ("functional properties on individuals: owl:sameAs and its replacement", """
        :mother a owl:FunctionalProperty . :knows a owl:SymmetricProperty .
        :a :mother :m1 , :m2 . :m1 :knows :z . :m2 a :Person . :w :likes :m1 ."""),
    ("functional datatype property with two literals", """
        :age a owl:FunctionalProperty . :a :age 5 , "five" . :b :shoe 5 ."""),
    ("inverse functional property and explicit sameAs", """
        :id a owl:InverseFunctionalProperty . :a :id "7" . :b :id "7" . :b :p :c .
        :c owl:sameAs :d . :d :q :e . :e rdfs:label "e" ."""),
    ("sameAs on a property and a class", """
        :p owl:sameAs :p2 . :C owl:sameAs :D . :D rdfs:subClassOf :E . :x :p :y . :y a :C ."""),
])
def test_equal_to_owlrl_on_rule_examples(name, data):
    assert_same(ttl(data))


@pytest.mark.parametrize("axiom", [
    ":C owl:intersectionOf ( :A :B ) .",
    ":C owl:unionOf ( :A :B ) .",
    "[ owl:onProperty :p ; owl:allValuesFrom :A ] rdfs:subClassOf :C .",
    "[ owl:onProperty :p ; owl:hasValue :a ] rdfs:subClassOf :C .",
    ":C owl:hasKey ( :p ) .",
])
def test_refuses_axioms_it_does_not_implement(axiom):
    with pytest.raises(KgError, match="not supported"):
        expand(ttl(axiom + " :x :p :y ."), "owl-rl", "native")


def test_closure_includes_the_input_and_is_a_fixpoint():
    from kg.reasoning.native import closure_graph

    g = ttl(":A rdfs:subClassOf :B . :x a :A . :p owl:inverseOf :q . :x :p :y .")
    once = closure_graph(g)
    assert set(g) <= set(once)
    assert set(closure_graph(once)) == set(once)
