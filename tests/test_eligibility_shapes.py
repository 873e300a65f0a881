"""The eligibility shapes (shapes/eligibility-*.ttl), tested the DASH way with pySHACL: every
valid-eligibility-* fixture conforms; every invalid-eligibility-* fixture is caught with the focus
node, path and clause its header names. And the shapes never fire on the built graph."""

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH

from qigraph.eligibility import eligibility_shapes
from qigraph.namespaces import QI

FIXTURES = Path(__file__).parent / "data" / "shapes"
VALID = sorted(FIXTURES.glob("valid-eligibility-*.ttl"))
INVALID = sorted(FIXTURES.glob("invalid-eligibility-*.ttl"))


SHAPES = eligibility_shapes()


def expectations(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect-"):
            break
        key, _, value = line[len("# expect-"):].partition(":")
        out[key.strip()] = value.strip().strip("<>")
    return out


def validate(data: Graph) -> tuple[bool, Graph]:
    conforms, report, _ = pyshacl.validate(data, shacl_graph=SHAPES, inference="none")
    return conforms, report


def test_every_shape_has_a_clause_a_requirement_labels_and_messages_in_both_languages():
    shapes = set(SHAPES.subjects(RDF.type, SH.PropertyShape))
    assert len(shapes) >= 25
    for s in shapes | set(SHAPES.subjects(RDF.type, SH.NodeShape)):
        assert SHAPES.value(s, DCTERMS.source), s
        assert {lit.language for lit in SHAPES.objects(s, RDFS.label)} >= {"zh", "en"}, s
        assert {lit.language for lit in SHAPES.objects(s, SH.message)} >= {"zh", "en"}, s
    for s in shapes:
        assert SHAPES.value(s, QI.checksRequirement), s
        # A fact the profile does not give must not pass as "met".
        assert SHAPES.value(s, SH.minCount) is not None and int(SHAPES.value(s, SH.minCount)) >= 1, s


def test_every_shape_and_clause_points_into_the_built_graph(graph):
    refs = set(SHAPES.objects(None, DCTERMS.source)) | set(SHAPES.objects(None, QI.checksRequirement)) | set(SHAPES.objects(None, QI.program))
    assert refs and all((r, None, None) in graph for r in refs)
    for shape in SHAPES.subjects(QI.checksRequirement, None):
        req = SHAPES.value(shape, QI.checksRequirement)
        assert (req, RDF.type, QI.ApplicationCondition) in graph
        # the shape's clause is the requirement's clause, or a part of it
        assert (req, DCTERMS.source, SHAPES.value(shape, DCTERMS.source)) in graph or \
            str(SHAPES.value(shape, DCTERMS.source)).startswith(str(graph.value(req, DCTERMS.source)))


def test_every_application_condition_of_the_checked_programs_has_a_shape(graph):
    programs = set(SHAPES.objects(None, QI.program))
    conditions = {r for p in programs for r in graph.subjects(QI.appliesTo, p) if (r, RDF.type, QI.ApplicationCondition) in graph}
    assert len(conditions) >= 14
    assert conditions == set(SHAPES.objects(None, QI.checksRequirement))


def test_every_shape_has_an_invalid_fixture():
    caught = {Path(f).stem.removeprefix("invalid-eligibility-") for f in INVALID}
    shapes = {str(s).rsplit("/", 1)[-1].removeprefix("eligibility-") for s in SHAPES.subjects(RDF.type, SH.PropertyShape)}
    assert shapes == caught


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms(path):
    conforms, report = validate(Graph().parse(path))
    assert conforms, report.serialize(format="turtle")


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_is_caught_with_its_focus_path_and_clause(path):
    expect = expectations(path)
    assert set(expect) == {"focus", "path", "source"}
    conforms, report = validate(Graph().parse(path))
    assert not conforms
    results = [(report.value(r, SH.focusNode), report.value(r, SH.resultPath), report.value(r, SH.sourceShape))
               for r in report.subjects(RDF.type, SH.ValidationResult)]
    hits = [(f, p, s) for f, p, s in results if f == URIRef(expect["focus"]) and p == URIRef(expect["path"])
            and SHAPES.value(s, DCTERMS.source) == URIRef(expect["source"])]
    assert hits, results
    # only the one shape the fixture breaks fires
    assert {s for _f, _p, s in results} == {URIRef(f"https://w3id.org/qigraph/shapes/eligibility-{path.stem.removeprefix('invalid-eligibility-')}")}


def test_the_shapes_never_fire_on_the_built_graph(graph):
    conforms, _report = validate(graph)
    assert conforms
    assert [c for c in SHAPES.objects(None, SH.targetClass) if next(graph.subjects(RDF.type, c), None)] == []


def _pyrudof_focus_nodes(path: Path) -> set[str]:
    from pyrudof import Rudof, RudofConfig

    rudof = Rudof(RudofConfig())
    rudof.read_data(path.read_text(encoding="utf-8"))
    rudof.read_shacl(SHAPES.serialize(format="turtle"))
    return {str(r.focus_node) for r in rudof.validate_shacl()}


@pytest.mark.parametrize("path", VALID + INVALID, ids=lambda p: p.stem)
def test_pyrudof_agrees_with_pyshacl(path):
    """A second, independent SHACL implementation (pyrudof, Rust) reaches the same verdict on every
    eligibility fixture, with the same focus nodes (the generic test in test_shapes.py does the same
    for the integrity and reporting shapes, whose fixtures follow its naming)."""
    _conforms, report = validate(Graph().parse(path))
    ours = {str(report.value(r, SH.focusNode)) for r in report.subjects(RDF.type, SH.ValidationResult)}
    assert _pyrudof_focus_nodes(path) == ours
