"""The zh and en labels of a list of IRIs, read from a store in chunks.

Labels are read by their own query with the IRIs as a VALUES table first, not by an OPTIONAL label
pattern beside the query that found the IRIs: Oxigraph joins such an OPTIONAL (or a VALUES table of
predicates) against every matching triple of the graph — 58 s for the 50 bodies of a /centers page
at a million triples, where this query takes 0.03 s.
"""

from __future__ import annotations

from collections import defaultdict

from rdflib import URIRef

from qigraph.namespaces import sparql_prologue

_LABELS = sparql_prologue() + """
SELECT ?o ?label WHERE { #OBJECTS ?o rdfs:label ?label . FILTER(LANG(?label) IN ("zh", "en")) }"""
AT_ONCE = 500  # IRIs per query: keeps each query text well under the endpoints' limits


def values(name: str, terms: list) -> str:
    """``VALUES ?name { … }`` from rdflib terms (serialised, never raw strings)."""
    return f"VALUES ?{name} {{ {' '.join(t.n3() for t in terms)} }}"


def labels_of(store, iris: list[str]) -> dict[str, dict[str, str]]:
    """The zh and en label of each IRI (the least, where one has several, so every engine agrees).

    Args:
        store: a qigraph store (anything with ``select``).
        iris: the IRIs, as strings.

    Returns:
        ``{iri: {"zh": …, "en": …}}``, with only the languages found; IRIs without labels are absent.
    """
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(iris), AT_ONCE):
        chunk = [URIRef(i) for i in iris[start:start + AT_ONCE]]
        for raw in store.select(_LABELS.replace("#OBJECTS", values("o", chunk)))["results"]["bindings"]:
            lang, text = raw["label"].get("xml:lang", "").lower(), raw["label"]["value"]
            kept = labels[raw["o"]["value"]]
            if lang not in kept or text < kept[lang]:
                kept[lang] = text
    return dict(labels)
