"""The industry taxonomies: SKOS concept schemes kept as Turtle in data/industries/, checked and
typed as qigraph industries on the way in."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph
from rdflib.namespace import RDF, SKOS

from qigraph.namespaces import QI

from .records import DataError


def taxonomies_graph(folder: Path) -> Graph:
    """Parse every ``*.ttl`` in ``folder``; every concept becomes a ``qi:Industry`` and every
    scheme a ``qi:IndustryScheme``.

    Raises:
        DataError: a file does not parse (the message names the file and the parser's words).
    """
    g = Graph()
    for path in sorted(folder.glob("*.ttl")):
        try:
            g.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several parser-specific types
            raise DataError(f"{path.name}: Turtle syntax error: {exc}") from exc
    for concept in set(g.subjects(RDF.type, SKOS.Concept)):
        g.add((concept, RDF.type, QI.Industry))
    for scheme in set(g.subjects(RDF.type, SKOS.ConceptScheme)):
        g.add((scheme, RDF.type, QI.IndustryScheme))
    return g
