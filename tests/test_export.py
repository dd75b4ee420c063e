"""Exports round-trip, carry the named graphs, and Turtle is byte-for-byte deterministic."""

from __future__ import annotations

import pytest
from conftest import run_kg
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from kg.core.namespace import GRAPH_INFERRED, GRAPHS
from kg.store.rdflib_store import union_graph

TRIPLE_FORMATS = {"turtle": "turtle", "nt": "nt", "xml": "xml"}
QUAD_FORMATS = {"trig": "trig", "nquads": "nquads", "jsonld": "json-ld"}


@pytest.mark.parametrize("fmt", sorted(TRIPLE_FORMATS))
def test_triple_export_round_trips(fmt, build_dir, dataset, tmp_path):
    out = tmp_path / f"export.{fmt}"
    proc = run_kg("export", "--format", fmt, "-o", str(out), "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    parsed = Graph().parse(out, format=TRIPLE_FORMATS[fmt])
    assert isomorphic(parsed, union_graph(dataset))


@pytest.mark.parametrize("fmt", sorted(QUAD_FORMATS))
def test_quad_export_round_trips_with_named_graphs(fmt, build_dir, dataset, tmp_path):
    out = tmp_path / f"export.{fmt}"
    proc = run_kg("export", "--format", fmt, "-o", str(out), "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    parsed = Dataset()
    parsed.parse(out, format=QUAD_FORMATS[fmt])
    for iri in GRAPHS:
        assert isomorphic(parsed.graph(iri), dataset.graph(iri)), iri


def test_asserted_only_leaves_out_the_inferred_graph(build_dir, dataset, tmp_path):
    out = tmp_path / "asserted.trig"
    proc = run_kg("export", "--format", "trig", "--asserted-only", "-o", str(out), "--build-dir", str(build_dir))
    assert proc.returncode == 0, proc.stderr
    parsed = Dataset()
    parsed.parse(out, format="trig")
    assert len(parsed.graph(GRAPH_INFERRED)) == 0
    for iri in GRAPHS:
        if iri != GRAPH_INFERRED:
            assert isomorphic(parsed.graph(iri), dataset.graph(iri))


def test_turtle_is_deterministic_across_processes(tmp_path):
    outs = []
    for seed in ("1", "2"):
        d = tmp_path / f"b{seed}"
        proc = run_kg("build", "--build-dir", str(d), env={"PYTHONHASHSEED": seed})
        assert proc.returncode == 0, proc.stderr
        outs.append(d)
    for name in ("defence-kg.ttl", "defence-kg.trig", "defence-kg.nq"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_trig_graph_order_is_deterministic(dataset):
    """Regression: rdflib wrote TriG graphs in a set's order, so two builds differed."""
    from kg.core.rdfio import serialize

    text = serialize(dataset, "trig").decode()
    positions = [text.index("dkgg:" + str(g).rsplit("/", 1)[1] + " {") for g in sorted(GRAPHS, key=str)]
    assert positions == sorted(positions)


def test_written_files_are_readable_by_others(build_dir):
    """Regression: atomic writes through mkstemp left outputs with mode 0600."""
    for f in build_dir.iterdir():
        assert f.stat().st_mode & 0o044 == 0o044, f


def test_trig_declares_prefixes_used_by_later_graphs(dataset):
    """Regression: TriG kept only the first graph's prefixes, so `prov:` was undefined."""
    from kg.core.rdfio import serialize

    parsed = Dataset()
    parsed.parse(data=serialize(dataset, "trig").decode(), format="trig")
    assert len(parsed) == len(dataset)
