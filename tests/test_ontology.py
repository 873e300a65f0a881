"""The OWL ontology: consistent with no unsatisfiable class under HermiT, and fully labelled."""

import tempfile
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from qigraph.build import ontology_graph
from qigraph.namespaces import QI

# HermiT accepts only the OWL 2 datatype map; these typed values are checked by SHACL instead.
NON_OWL2 = {XSD.duration, XSD.date, XSD.gYearMonth, XSD.gYear, XSD.gMonthDay}


def run_hermit(graph):
    """Load a graph into owlready2 and run HermiT; return the unsatisfiable classes."""
    from owlready2 import World, sync_reasoner

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graph.nt"
        graph.serialize(path, format="nt", encoding="utf-8")
        world = World()
        onto = world.get_ontology(path.as_uri()).load()
        with onto:
            sync_reasoner(world, infer_property_values=False, debug=0)
        return list(world.inconsistent_classes())


@pytest.mark.slow
def test_ontology_is_consistent_under_hermit():
    assert run_hermit(ontology_graph()) == []


@pytest.mark.slow
def test_the_built_graph_is_consistent_with_the_ontology_under_hermit(graph):
    # The whole ABox (documents, tasks, agencies, bodies…) against the TBox: a body typed with two
    # disjoint kinds, or an agency that is also an institution, would make this fail.
    abox = type(graph)()
    for t in graph:
        if not (isinstance(t[2], Literal) and t[2].datatype in NON_OWL2):
            abox.add(t)
    assert run_hermit(abox) == []


def test_hermit_detects_an_inconsistency():
    # Guards the two tests above against passing vacuously.
    from owlready2 import OwlReadyInconsistentOntologyError

    g = ontology_graph()
    x = URIRef("https://w3id.org/qigraph/id/body/test-both-kinds")
    g.add((x, RDF.type, QI.MunicipalQualityTestingCenter))
    g.add((x, RDF.type, QI.FunctionalPlatform))
    with pytest.raises(OwlReadyInconsistentOntologyError):
        run_hermit(g)


def test_every_term_has_labels_in_chinese_and_english_and_a_definition():
    g = ontology_graph()
    terms = {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef)
             and g.value(s, RDF.type) in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                                          OWL.AnnotationProperty, OWL.NamedIndividual, OWL.Ontology)}
    terms |= {s for s in g.subjects(RDF.type, OWL.NamedIndividual)}
    assert len(terms) > 100
    missing = []
    for t in terms:
        langs = {lit.language for lit in g.objects(t, RDFS.label)}
        defs = {lit.language for lit in g.objects(t, SKOS.definition)}
        if not {"zh", "en"} <= langs or not {"zh", "en"} <= defs:
            missing.append(str(t))
    assert missing == []


def test_every_ontology_term_the_graph_uses_is_declared(graph):
    declared = {s for s in ontology_graph().subjects() if str(s).startswith(str(QI))}
    used = {t for triple in graph for t in triple if isinstance(t, URIRef) and str(t).startswith(str(QI))}
    assert used - declared == set()


def test_standard_vocabularies_are_reused():
    g = ontology_graph()
    assert (QI.PolicyDocument, RDFS.subClassOf, URIRef("http://data.europa.eu/eli/ontology#LegalResource")) in g
    assert (QI.DocumentPart, RDFS.subClassOf, URIRef("http://data.europa.eu/eli/ontology#LegalResourceSubdivision")) in g
    assert (QI.Institution, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#FormalOrganization")) in g
    assert (QI.Requirement, RDFS.subClassOf, URIRef("http://data.europa.eu/m8g/Requirement")) in g
    assert (QI.Industry, RDFS.subClassOf, SKOS.Concept) in g


def test_every_typed_resource_has_labels_in_chinese_and_english(graph):
    from support import select

    rows = select(graph, """SELECT DISTINCT ?s WHERE { ?s a ?c . FILTER(STRSTARTS(STR(?s), "https://w3id.org/qigraph/"))
        FILTER (NOT EXISTS { ?s rdfs:label ?zh FILTER(LANG(?zh) = "zh") } || NOT EXISTS { ?s rdfs:label ?en FILTER(LANG(?en) = "en") }) }""")
    assert [r["s"] for r in rows] == []
