"""The link from a 2026 key task to each industry concept its text names, derived at build time.

``catalog:tasks-by-industry`` used to find these links at query time by testing every task's text
against every concept label it met, which grows with tasks × concepts (quadratic in the size of
the graph). The build computes them once instead, as ``qi:taskTextNamesIndustry`` triples: a task
is linked to a concept when one of the concept's Chinese labels (``skos:prefLabel`` or
``skos:altLabel``, at least two characters) occurs in one of the task's ``qi:taskText``. The
ontology says on the property that it is derived and how; the query still checks the label, so
its answers are those of the old query.
"""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import RDF, SKOS

from qigraph.namespaces import QI

# The relations the query follows between concepts; a node they touch is treated as a concept too.
_CONCEPT_LINKS = (SKOS.broader, SKOS.broadMatch, SKOS.exactMatch, SKOS.narrowMatch)


def task_industry_links(graph: Graph) -> Graph:
    """The ``qi:taskTextNamesIndustry`` triples of an assembled graph (tasks and taxonomies loaded).

    Args:
        graph: the graph as assembled so far.

    Returns:
        A new graph holding only the derived triples.
    """
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    for p in _CONCEPT_LINKS:
        for s, o in graph.subject_objects(p):
            concepts.update((s, o))
    labels: dict[str, set] = {}
    for p in (SKOS.prefLabel, SKOS.altLabel):
        for s, label in graph.subject_objects(p):
            if s in concepts and isinstance(label, Literal) and label.language == "zh" and len(str(label)) >= 2:
                labels.setdefault(str(label), set()).add(s)
    out = Graph()
    for task, text in graph.subject_objects(QI.taskText):
        for label, named in labels.items():
            if label in str(text):
                for concept in named:
                    out.add((task, QI.taskTextNamesIndustry, concept))
    return out
