"""Test helpers shared by the test modules (importable because pytest puts tests/ on the path)."""

from __future__ import annotations

from rdflib import Graph

from qigraph import catalog
from qigraph.namespaces import sparql_prologue

DATA_DIR = catalog.default_data_dir()


def select(graph: Graph, query: str) -> list[dict]:
    """Run SPARQL over an rdflib graph with every qigraph prefix declared; rows as dicts of str."""
    return [{k: str(v) for k, v in row.asdict().items()} for row in graph.query(sparql_prologue() + query)]
