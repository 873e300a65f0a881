"""The shapes of shapes/*.ttl, tested the DASH way: every tests/data/shapes/valid-<name>.ttl
conforms to its shape and every invalid-<name>.ttl is caught with the focus node, path and clause
its header expects — by pySHACL, and by a second, independent implementation (pyrudof, Rust) that
must agree on conformance and focus nodes.

Fixture header (comment lines at the top of the file):
    # shape: <shape IRI>          the shape under test (default: qis:<CamelCase of name>Shape)
    # expect-focus: <IRI>         invalid fixtures; repeat the three lines per expected result
    # expect-path: <IRI> | none   none: a node-level result (sh:or, sh:xone…) has no path
    # expect-source: <IRI>        a dcterms:source of the shape (the clause it encodes)
Each fixture is validated against its own shape only, with the ontology mixed in.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from qigraph.validation import (
    QIS,
    ontology_graph,
    shape_subgraph,
    shapes_graph,
    validate,
)

FIXTURES = Path(__file__).parent / "data" / "shapes"
REFERENCE_DATE = datetime.date(2026, 11, 21)  # the date the timeline fixtures state as today
# The eligibility fixtures follow their own naming (valid per program, invalid per property shape)
# and have their own test, with the same pyrudof cross-check: test_eligibility_shapes.py.
NAMES = sorted({re.sub(r"^(valid|invalid)-", "", p.stem) for p in FIXTURES.glob("*.ttl")} - {
    re.sub(r"^(valid|invalid)-", "", p.stem) for p in FIXTURES.glob("*-eligibility-*.ttl")})


def header(path: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#\s*([a-z-]+):\s*(\S+)\s*$", line)
        if m:
            out.setdefault(m.group(1), []).append(m.group(2))
    return out


def shape_of(name: str, head: dict[str, list[str]]) -> URIRef:
    if "shape" in head:
        return URIRef(head["shape"][0])
    return QIS["".join(w.capitalize() for w in name.split("-")) + "Shape"]


def expectations(head: dict[str, list[str]]) -> set[tuple[str, str | None, str]]:
    focus, path, source = head.get("expect-focus", []), head.get("expect-path", []), head.get("expect-source", [])
    assert len(focus) == len(path) == len(source) > 0, "an invalid fixture names focus, path and source for each result"
    return {(f, None if p == "none" else p, s) for f, p, s in zip(focus, path, source)}


def pyshacl_results(path: Path, shape: URIRef):
    data = Graph().parse(path, format="turtle")
    return validate(data, reference_date=REFERENCE_DATE, shapes=shape_subgraph(shape)).results


def pyrudof_focus_nodes(path: Path, shape: URIRef) -> set[str]:
    from pyrudof import Rudof, RudofConfig

    rudof = Rudof(RudofConfig())
    rudof.read_data(path.read_text(encoding="utf-8"))
    rudof.read_data(ontology_graph().serialize(format="turtle"), merge=True)
    rudof.read_shacl(shape_subgraph(shape).serialize(format="turtle"))
    return {str(r.focus_node) for r in rudof.validate_shacl()}


# Where pyrudof and pySHACL disagree, and which is right (see README, "Validation"): filled in from
# running both; a disagreement not listed here fails the test, and a listed one that has gone away too.
KNOWN_DIFFERENCES: dict[str, str] = {}


def test_every_shape_has_both_fixtures():
    shapes = {s for s in shapes_graph().subjects(RDF.type, SH.NodeShape)
              if isinstance(s, URIRef) and not str(s).startswith("https://w3id.org/qigraph/shapes/eligibility-")}
    tested = set()
    for name in NAMES:
        assert (FIXTURES / f"valid-{name}.ttl").is_file() and (FIXTURES / f"invalid-{name}.ttl").is_file(), name
        tested.add(shape_of(name, header(FIXTURES / f"invalid-{name}.ttl")))
    assert shapes <= tested, f"shapes without fixtures: {sorted(shapes - tested)}"


@pytest.mark.parametrize("name", NAMES)
def test_valid_fixture_conforms(name):
    path = FIXTURES / f"valid-{name}.ttl"
    shape = shape_of(name, header(path))
    results = pyshacl_results(path, shape)
    assert results == [], [r.message.get("en") for r in results]
    if name not in KNOWN_DIFFERENCES:
        assert pyrudof_focus_nodes(path, shape) == set()


@pytest.mark.parametrize("name", NAMES)
def test_invalid_fixture_is_caught_where_expected(name):
    path = FIXTURES / f"invalid-{name}.ttl"
    head = header(path)
    shape = shape_of(name, head)
    results = pyshacl_results(path, shape)
    got = {(r.focus, r.path, c.iri) for r in results for c in r.clauses}
    missing = expectations(head) - got
    assert not missing, f"expected results not found: {missing}; got {got}"
    for r in results:
        assert set(r.message) == {"zh", "en"}, r  # every message in both languages
    if name in KNOWN_DIFFERENCES:
        assert pyrudof_focus_nodes(path, shape) != {r.focus for r in results}, f"{name} now agrees; drop it from KNOWN_DIFFERENCES"
    else:
        assert pyrudof_focus_nodes(path, shape) == {r.focus for r in results}
