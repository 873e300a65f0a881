"""The embedded store: atomic replacement, read-only serving, binding, errors that say what to do."""

import pytest
from rdflib import Literal, URIRef

from qigraph.store import QuerySyntaxError, StoreError, open_store

NT1 = b'<http://example.org/a> <http://example.org/p> "one" .\n'
NT2 = b'<http://example.org/a> <http://example.org/p> "two" .\n<http://example.org/b> <http://example.org/p> "x" .\n'


def test_missing_store_says_to_build(tmp_path):
    with pytest.raises(StoreError, match="qigraph build"):
        open_store(str(tmp_path / "nothing"), read_only=True)


def test_replace_is_atomic_and_readers_see_old_or_new(tmp_path):
    loc = tmp_path / "s"
    writer = open_store(f"oxigraph:{loc}", create=True)
    writer.replace_graph(NT1)
    reader = open_store(str(loc), read_only=True)
    assert reader.triple_count() == 1
    writer.replace_graph(NT2)
    assert reader.triple_count() == 1  # a reader keeps its generation until it reopens
    assert open_store(str(loc), read_only=True).triple_count() == 2
    assert (loc / "current").is_symlink()
    assert len(list(loc.glob("gen-*"))) == 2  # the new one, and the previous one a server may still read


def test_failed_load_leaves_the_store_as_it_was(tmp_path):
    loc = tmp_path / "s"
    writer = open_store(str(loc), create=True)
    writer.replace_graph(NT1)
    with pytest.raises(SyntaxError):
        writer.replace_graph(b"<http://example.org/a> <broken")
    assert open_store(str(loc), read_only=True).triple_count() == 1
    assert len(list(loc.glob("gen-*"))) == 1


def test_bindings_are_values_not_query_text(tmp_path):
    loc = tmp_path / "s"
    open_store(str(loc), create=True).replace_graph(NT2)
    s = open_store(str(loc), read_only=True)
    q = "SELECT ?v ?s WHERE { ?s <http://example.org/p> ?v }"
    rows = s.select(q, bindings={"v": Literal("two")})["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == ["http://example.org/a"]
    hostile = Literal('two" } UNION { ?s ?p ?v } #')
    assert s.select(q, bindings={"v": hostile})["results"]["bindings"] == []
    assert s.select(q, bindings={"s": URIRef("http://example.org/b")})["results"]["bindings"][0]["v"]["value"] == "x"


def test_syntax_errors_name_line_and_column(tmp_path):
    loc = tmp_path / "s"
    open_store(str(loc), create=True).replace_graph(NT1)
    with pytest.raises(QuerySyntaxError, match=r"line 2, column \d+"):
        open_store(str(loc), read_only=True).select("SELECT ?x WHERE {\n ?x ?p }")


def test_results_serialise_in_every_offered_type(tmp_path):
    loc = tmp_path / "s"
    open_store(str(loc), create=True).replace_graph(NT1)
    s = open_store(str(loc), read_only=True)
    assert s.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", accept="text/csv").body.startswith(b"s,p,o")
    assert b"<sparql" in s.query("ASK {}", accept="application/sparql-results+xml").body
    ttl = s.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="text/turtle")
    assert ttl.kind == "graph" and b'"one"' in ttl.body
    fallback = s.query("CONSTRUCT WHERE { ?s ?p ?o }", accept="text/csv")
    assert fallback.media_type == "text/turtle"
