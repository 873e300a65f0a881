"""The task→industry link the build derives (qi:taskTextNamesIndustry): every link is justified by
the task's text, and catalog:tasks-by-industry, which now follows it, answers exactly what the old
query (every task's text tested against every concept's labels at query time) answered."""

from __future__ import annotations

from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS

from qigraph.build import ontology_graph
from qigraph.catalog_queries import load_catalog
from qigraph.namespaces import QI

# catalog:tasks-by-industry as it was before the build derived the link (quadratic in graph size).
OLD_QUERY = """
PREFIX qi: <https://w3id.org/qigraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>

SELECT ?industry ?number ?task ?taskText ?how ?via WHERE {
  {
    SELECT DISTINCT ?industry ?match WHERE {
      ?match a skos:Concept ; (skos:prefLabel|skos:altLabel) ?label .
      FILTER(CONTAINS(LCASE(STR(?label)), LCASE(?industry)))
    }
  }
  ?concept (skos:broader|skos:broadMatch|skos:exactMatch|^skos:exactMatch|^skos:narrowMatch)* ?match .
  {
    ?task qi:concernsBody ?body .
    ?body qi:servesIndustry ?concept ; rdfs:label ?via .
    FILTER(LANG(?via) = "zh")
    BIND("names a body serving it" AS ?how)
  } UNION {
    ?concept skos:prefLabel|skos:altLabel ?via .
    FILTER(LANG(?via) = "zh" && STRLEN(?via) >= 2)
    ?task qi:taskText ?text .
    FILTER(CONTAINS(?text, STR(?via)))
    BIND("its text names it" AS ?how)
  }
  ?task qi:taskNumber ?number ; qi:taskText ?taskText .
}
GROUP BY ?industry ?number ?task ?taskText ?how ?via
ORDER BY ?number ?how ?via
"""


def test_every_derived_link_is_a_chinese_label_of_the_concept_in_the_task_text(graph):
    links = list(graph.subject_objects(QI.taskTextNamesIndustry))
    assert len(links) > 20
    for task, concept in links:
        texts = [str(t) for t in graph.objects(task, QI.taskText)]
        labels = [str(lb) for p in (SKOS.prefLabel, SKOS.altLabel) for lb in graph.objects(concept, p)
                  if isinstance(lb, Literal) and lb.language == "zh" and len(str(lb)) >= 2]
        assert any(lb in t for lb in labels for t in texts), (task, concept)
    assert {c for _t, c in links} <= set(graph.subjects(RDF.type, SKOS.Concept))


def test_the_link_property_is_labelled_and_says_it_is_derived():
    onto = ontology_graph()
    p = QI.taskTextNamesIndustry
    assert {lb.language for lb in onto.objects(p, RDFS.label)} == {"zh", "en"}
    assert (p, RDFS.domain, QI.Task) in onto
    notes = {n.language: str(n) for n in onto.objects(p, SKOS.editorialNote)}
    assert "派生" in notes["zh"] and "Derived" in notes["en"] and "build time" in notes["en"]


def test_tasks_by_industry_answers_as_the_old_query_did(store, graph):
    new_query = load_catalog()["tasks-by-industry"].sparql
    # Every word of the concepts' Chinese names that a user could type, and a few English ones.
    words = sorted({str(lb)[:2] for c in graph.subjects(RDF.type, SKOS.Concept) for lb in graph.objects(c, SKOS.prefLabel)
                    if lb.language == "zh"})[::7] + ["hydrogen", "vehicle", "低空", "集成电路"]
    kinds = set()
    for word in words:
        old = store.select(OLD_QUERY, bindings={"industry": Literal(word)})["results"]["bindings"]
        new = store.select(new_query, bindings={"industry": Literal(word)})["results"]["bindings"]
        assert new == old, word
        kinds |= {r["how"]["value"] for r in new}
    assert kinds == {"names a body serving it", "its text names it"}
