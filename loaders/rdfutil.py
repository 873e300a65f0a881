"""Small helpers the loaders share for writing labels and provenance."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDFS, SKOS


def add_labels(graph: Graph, subject: URIRef, zh: str, en: str | None, *, pref: bool = False) -> None:
    """Add the Chinese and English labels every resource carries (and SKOS prefLabels if asked)."""
    graph.add((subject, RDFS.label, Literal(zh, lang="zh")))
    if en:
        graph.add((subject, RDFS.label, Literal(en, lang="en")))
    if pref:
        graph.add((subject, SKOS.prefLabel, Literal(zh, lang="zh")))
        if en:
            graph.add((subject, SKOS.prefLabel, Literal(en, lang="en")))


def derived_from(graph: Graph, subject: URIRef, clause: URIRef) -> None:
    """Record that a resource was derived from a clause (both PROV-O and DCTERMS, for either reader)."""
    graph.add((subject, PROV.wasDerivedFrom, clause))
    graph.add((subject, DCTERMS.source, clause))
