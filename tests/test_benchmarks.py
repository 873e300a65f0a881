"""The benchmark harness: the synthetic graph is deterministic, has the real graph's classes and is
marked synthetic; the harness runs end to end at the smallest scale. No times are asserted."""

from __future__ import annotations

import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

ROOT = Path(__file__).resolve().parents[1]
QI = "https://w3id.org/qigraph/ontology#"
QID = "https://w3id.org/qigraph/id/"


def _module(name: str):
    """A module of benchmarks/ (not an installed package, so loaded from its file)."""
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generate():
    return _module("generate")


@pytest.fixture(scope="module")
def template(generate):
    return generate.Template.from_real_graph()


def _write(generate, template, *, copies: int, seed: int) -> tuple[str, int]:
    out = io.StringIO()
    n = generate.write(out, template, copies=copies, seed=seed, enterprises=20)
    return out.getvalue(), n


def _store(nt: str) -> ox.Store:
    store = ox.Store()
    store.load(nt.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    return store


def _values(store: ox.Store, query: str) -> set[str]:
    return {row[0].value for row in store.query(query)}


def test_same_seed_same_bytes_other_seed_other_enterprises(generate, template):
    first, n = _write(generate, template, copies=2, seed=7)
    again, _ = _write(generate, template, copies=2, seed=7)
    other, m = _write(generate, template, copies=2, seed=8)
    assert first == again
    assert n == m
    assert first != other
    changed = {line.split(" ", 1)[0] for line in set(first.splitlines()) ^ set(other.splitlines())}
    assert changed and all(s.startswith((f"<{QID}org/syn-enterprise-", f"<{QID}dataset>")) for s in changed)


def test_synthetic_graph_has_the_real_graphs_classes_and_counts_what_it_writes(generate, template, graph):
    nt, n = _write(generate, template, copies=2, seed=7)
    store = _store(nt)
    assert len(store) == n  # every line a distinct triple: the scale is exact
    real = {str(row.c) for row in graph.query("SELECT DISTINCT ?c WHERE { ?s a ?c }")}
    synthetic = _values(store, "SELECT DISTINCT ?c WHERE { ?s a ?c }")
    assert real <= synthetic
    # Each class's instances are doubled by the second copy (instances of the ontology's own
    # classes, such as its properties, are not copied).
    for cls in (f"{QI}Task", f"{QI}Agency", f"{QI}QualityInfrastructureBody", f"{QI}Paragraph"):
        query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}"
        real_n = int(next(iter(graph.query(query)))[0])
        assert real_n > 0
        assert int(next(iter(store.query(query)))[0].value) == 2 * real_n


def test_everything_beyond_the_real_graph_is_marked_synthetic(generate, template, graph):
    nt, _ = _write(generate, template, copies=2, seed=7)
    store = _store(nt)
    real_subjects = {str(s) for s in graph.subjects() if str(s).startswith(QID)}
    minted = _values(store, f"SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), '{QID}')) }}")
    flagged = _values(store, f"SELECT ?s WHERE {{ ?s <{QI}synthetic> true }}")
    assert minted - real_subjects == flagged - {f"{QID}dataset"} and flagged
    assert f"{QID}dataset" in flagged
    enterprises = _values(store, f"""SELECT ?d WHERE {{ ?e <{QI}institutionType> <{QI}Enterprise> ; <{QI}description> ?d ;
                                     <{QI}synthetic> true }}""")
    assert len(enterprises) > 1
    # An exact name finds the real agency only; a text search finds one match per copy.
    exact = _values(store, 'SELECT ?a WHERE { ?a <http://www.w3.org/2004/02/skos/core#altLabel> "市科委"@zh }')
    assert len(exact) == 1 and not next(iter(exact)).endswith("-x1")
    schemes = _values(store, f"SELECT ?s WHERE {{ ?s a <{QI}IndustryScheme> }}")
    assert f"{QID}scheme/2-3-6-4-5" in schemes and f"{QID}scheme/2-3-6-4-5-x1" in schemes


def test_scales_name_copies_or_triple_counts(generate, template):
    assert generate.copies_for("3x", template) == 3
    one = generate.copies_for("1x", template)
    big = generate.copies_for("1M", template)
    assert one == 1 and big > 1
    with pytest.raises(generate.GeneratorError, match="neither a factor"):
        generate.copies_for("lots", template)


def test_refuses_to_load_into_a_store_not_marked_synthetic(generate, tmp_path):
    real = tmp_path / "store"
    real.mkdir()
    (real / "current").symlink_to("gen-x")
    nt = tmp_path / "g.nt"
    nt.write_text("")
    with pytest.raises(generate.GeneratorError, match="not marked SYNTHETIC"):
        generate.load_store(nt, real)
    assert not (real / generate.MARKER).exists()


def test_harness_runs_end_to_end_at_the_smallest_scale(tmp_path):
    """Every engine answers, with the same rows, and the report is written; times are not checked.
    (Virtuoso is left out here to keep this quick; the contract suite starts it.)"""
    out = tmp_path / "docs" / "benchmarks.md"
    items = "catalog:clauses-by-duration,catalog:eligibility-criteria,lookup:/agencies/"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.run", "--scales", "1x", "--out", str(out), "--work", str(tmp_path / "work"),
                           "--budget", "0", "--min-n", "1", "--warmup", "0", "--cold-starts", "1", "--load-scales", "",
                           "--no-real-build", "--items", items, "--engines", "rdflib-endpoint,oxigraph-server"],
                          check=False, cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads((out.parent / "benchmarks" / "results.json").read_text())
    scale = results["scales"]["1x"]
    assert scale["triples"] == scale["generate"]["stored_triples"]
    engines = scale["engines"]
    every = ("pyoxigraph", "qigraph-api", "rdflib-endpoint", "oxigraph-server", "qigraph-api→oxigraph-server")
    for engine in every:
        timings = engines[engine]["items"]
        assert set(timings) == {"catalog:clauses-by-duration", "catalog:eligibility-criteria", "lookup:/agencies/{id}/tasks"}
        assert all(t["error"] is None and t["n"] >= 1 for t in timings.values()), (engine, timings)
    for name in ("catalog:clauses-by-duration", "catalog:eligibility-criteria"):
        rows = {engine: engines[engine]["items"][name]["rows"] for engine in every}
        assert len(set(rows.values())) == 1 and rows["pyoxigraph"] > 0, rows
    assert scale["cold_start_s"] and scale["engines"]["qigraph-api"]["peak_rss_mb"] > 0
    report = out.read_text(encoding="utf-8")
    assert "## Targets" in report and "`catalog:clauses-by-duration`" in report
    assert (out.parent / "benchmarks" / "latency.png").stat().st_size > 0
