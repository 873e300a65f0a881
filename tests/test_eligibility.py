"""The eligibility check (qigraph.eligibility), POST /eligibility and `qigraph eligibility`: a verdict
per application condition, with the clause behind it; a missing fact is never "met"."""

import doctest
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

import qigraph.eligibility
from qigraph.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, main
from qigraph.config import Settings
from qigraph.eligibility import (
    MET,
    NOT_ENOUGH,
    NOT_MET,
    ProfileError,
    UnknownProgram,
    check,
    check_json,
    eligibility_shapes,
    programs,
    read_rdf_profile,
)
from qigraph.namespaces import QI, QID

FIXTURES = Path(__file__).parent / "data" / "shapes"
METROLOGY = "municipal-industrial-metrology-center"
# A metrology-center applicant meeting every condition, as JSON.
GOOD_METROLOGY = {"name": "示例计量所", "registered_in": "上海市浦东新区", "legal_person_type": "independent-legal-person",
                  "kind": ["metrology-institution"], "construction": "sole", "industries": ["集成电路"],
                  "capabilities": ["metrology", "metrology-innovation"], "industry_influence": True}
# The program each valid fixture is written for (its file name after valid-eligibility-).
FIXTURE_PROGRAM = {f: next(p for p in sorted(programs(), key=len, reverse=True) if f.stem.removeprefix("valid-eligibility-").startswith(p))
                   for f in FIXTURES.glob("valid-eligibility-*.ttl")}


def verdicts(report: dict) -> dict[str, str]:
    return {c["id"]: c["verdict"] for c in report["criteria"]}


def conditions(graph, program: str) -> set[str]:
    iri = QID[f"program/{program}"]
    return {str(r).rsplit("/", 1)[-1] for r in graph.subjects(QI.appliesTo, iri) if (r, RDF.type, QI.ApplicationCondition) in graph}


def test_docstring_examples():
    result = doctest.testmod(qigraph.eligibility)
    assert result.attempted > 0 and result.failed == 0


def test_the_programs_with_a_check_are_the_four_of_the_shapes():
    assert programs() == ["municipal-industrial-metrology-center", "municipal-quality-testing-center",
                          "qi-service-project-district", "qi-service-project-municipal"]


@pytest.mark.parametrize("program", programs())
def test_an_empty_profile_is_never_met_only_not_enough_information(store, graph, program):
    report = check_json(store, program, {})
    assert set(verdicts(report)) == conditions(graph, program)
    assert set(verdicts(report).values()) == {NOT_ENOUGH}
    assert report["outcome"] == "undetermined"
    for c in report["criteria"]:
        assert c["reasons"] and all(r["field"] for r in c["reasons"])


@pytest.mark.parametrize("path", sorted(FIXTURE_PROGRAM), ids=lambda p: p.stem)
def test_a_valid_rdf_profile_meets_every_criterion_with_its_clause(store, graph, path):
    program = FIXTURE_PROGRAM[path]
    g, applicant = read_rdf_profile(path.read_bytes(), "text/turtle")
    report = check(store, program, g, applicant)
    assert report["outcome"] == "eligible", report
    assert set(verdicts(report)) == conditions(graph, program)
    for c in report["criteria"]:
        req = URIRef(c["iri"])
        assert URIRef(c["clause"]["iri"]) == graph.value(req, DCTERMS.source)
        assert c["clause"]["quote"] == str(graph.value(req, QI.quote))
        assert c["clause"]["document"]["iri"] == str(graph.value(URIRef(c["clause"]["iri"]), QI.inDocument))
        assert c["clause"]["document"]["title"]["zh"] and c["label"]["zh"] and c["label"]["en"]


def program_of(g: Graph, applicant) -> str:
    """The program a fixture is written for: the one whose shapes all target the applicant's classes
    (the most specific such program, so a municipal project is not taken for a district one)."""
    shapes = eligibility_shapes()
    types = set(g.objects(applicant, RDF.type))
    fits = [(len(nodes), p) for p in programs()
            if (nodes := list(shapes.subjects(QI.program, QID[f"program/{p}"])))
            and all(shapes.value(n, SH.targetClass) in types for n in nodes)]
    return max(fits)[1]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("invalid-eligibility-*.ttl")), ids=lambda p: p.stem)
def test_an_invalid_rdf_profile_fails_exactly_the_criterion_its_shape_checks(store, path):
    shapes = eligibility_shapes()
    shape = URIRef(f"https://w3id.org/qigraph/shapes/eligibility-{path.stem.removeprefix('invalid-eligibility-')}")
    broken = str(shapes.value(shape, QI.checksRequirement)).rsplit("/", 1)[-1]
    g, applicant = read_rdf_profile(path.read_bytes(), "text/turtle")
    report = check(store, program_of(g, applicant), g, applicant)
    expected = NOT_ENOUGH if next(g.objects(applicant, shapes.value(shape, SH.path)), None) is None else NOT_MET
    assert verdicts(report)[broken] == expected
    assert {k for k, v in verdicts(report).items() if v != MET} == {broken}


def test_a_json_profile_meeting_everything_is_eligible(store):
    report = check_json(store, METROLOGY, GOOD_METROLOGY)
    assert report["outcome"] == "eligible" and report["counts"] == {MET: 5, NOT_MET: 0, NOT_ENOUGH: 0}


@pytest.mark.parametrize("registered_in, verdict", [("上海市", MET), ("浦东新区", MET), ("Shanghai, China", MET),
                                                    ("江苏省苏州市", NOT_MET), (None, NOT_ENOUGH)])
def test_registered_in_shanghai(store, registered_in, verdict):
    profile = dict(GOOD_METROLOGY, registered_in=registered_in)
    assert verdicts(check_json(store, METROLOGY, profile))["imc-registered-in-shanghai"] == verdict


def test_a_stated_fact_that_fails_is_not_met_and_says_which_field(store):
    report = check_json(store, METROLOGY, dict(GOOD_METROLOGY, construction="joint-not-lead", legal_person_type="branch"))
    assert report["outcome"] == "not-eligible"
    by_id = {c["id"]: c for c in report["criteria"]}
    assert by_id["imc-joint-application"]["verdict"] == NOT_MET
    reason = by_id["imc-joint-application"]["reasons"][0]
    assert reason["field"] == "construction" and reason["values"] == [str(QI.JointConstructionNotLead)]
    assert "主要承建单位" in reason["message"]["zh"] and "lead builder" in reason["message"]["en"]
    assert by_id["imc-independent-legal-person"]["verdict"] == NOT_MET


def test_one_criterion_checked_by_several_shapes_takes_the_worst_verdict(store):
    # imc-capability needs the industry, two capabilities and influence: one missing, one wrong
    profile = dict(GOOD_METROLOGY, capabilities=["metrology"], industry_influence=None)
    c = next(c for c in check_json(store, METROLOGY, profile)["criteria"] if c["id"] == "imc-capability")
    assert c["verdict"] == NOT_MET
    assert {(r["field"], r["verdict"]) for r in c["reasons"]} == {("capabilities", NOT_MET), ("industry_influence", NOT_ENOUGH)}


def test_industry_names_are_matched_to_concepts_and_unmatched_ones_reported(store):
    report = check_json(store, METROLOGY, dict(GOOD_METROLOGY, industries=["火星采矿业"]))
    assert report["unresolved_industries"] == ["火星采矿业"]
    c = next(c for c in report["criteria"] if c["id"] == "imc-capability")
    assert c["verdict"] == NOT_ENOUGH and "火星采矿业" in c["reasons"][0]["message"]["zh"]
    iri = "https://w3id.org/qigraph/id/industry/metrology-fields-2023/integrated-circuits"
    assert check_json(store, METROLOGY, dict(GOOD_METROLOGY, industries=[iri]))["outcome"] == "eligible"


def test_municipal_service_projects_must_also_meet_the_basic_conditions(store, graph):
    report = check_json(store, "qi-service-project-municipal", {"well_run_district_project": True})
    ids = set(verdicts(report))
    assert {"qisp-basic-planning", "qisp-basic-capability", "qisp-basic-resources"} <= ids
    assert verdicts(report)["qisp-municipal-prerequisite"] == NOT_ENOUGH  # the recommendation is missing
    assert ids == conditions(graph, "qi-service-project-municipal")


def test_unknown_program_lists_the_valid_ones(store):
    with pytest.raises(UnknownProgram) as err:
        check_json(store, "national-quality-standard-lab", {})
    assert err.value.valid == programs() and METROLOGY in str(err.value)


def test_unknown_json_fields_and_values_are_refused(store):
    with pytest.raises(ValueError, match="registred_in"):
        check_json(store, METROLOGY, {"registred_in": "上海"})
    with pytest.raises(ValueError, match="legal_person_type"):
        check_json(store, METROLOGY, {"legal_person_type": "company"})


def test_rdf_profiles_need_exactly_one_applicant_and_no_remote_context():
    with pytest.raises(ProfileError, match="exactly one applicant"):
        read_rdf_profile("<http://e.org/a> <http://e.org/p> 1 .", "text/turtle")
    with pytest.raises(ProfileError, match="cannot be parsed"):
        read_rdf_profile("this is not turtle", "text/turtle")
    with pytest.raises(ProfileError, match="inline"):
        read_rdf_profile(json.dumps({"@context": "https://schema.org/", "@type": "Organization"}), "application/ld+json")


def test_a_json_ld_profile_with_an_inline_context(store):
    doc = {"@context": {"qi": str(QI)}, "@id": "http://example.org/x", "@type": "qi:Applicant",
           "qi:registeredIn": "上海市", "qi:legalPersonType": {"@id": "qi:IndependentLegalPerson"}}
    g, applicant = read_rdf_profile(json.dumps(doc), "application/ld+json")
    v = verdicts(check(store, METROLOGY, g, applicant))
    assert v["imc-registered-in-shanghai"] == v["imc-independent-legal-person"] == MET
    assert v["imc-capability"] == NOT_ENOUGH


# --- HTTP -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path))) as c:
        yield c


def test_post_json_profile(client):
    r = client.post("/eligibility", params={"program": METROLOGY}, json=dict(GOOD_METROLOGY, industry_influence=None))
    assert r.status_code == 200
    body = r.json()
    assert body["outcome"] == "undetermined" and body["counts"][NOT_ENOUGH] == 1
    assert all(c["clause"]["quote"] and c["clause"]["iri"].startswith(str(QID)) for c in body["criteria"])


def test_post_turtle_profile(client):
    path = FIXTURES / "valid-eligibility-municipal-quality-testing-center.ttl"
    r = client.post("/eligibility", params={"program": "municipal-quality-testing-center"},
                    content=path.read_bytes(), headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200 and r.json()["outcome"] == "eligible"


@pytest.mark.parametrize("program, body, ctype, status, probe", [
    ("no-such-program", b"{}", "application/json", 404, "municipal-quality-testing-center"),
    (METROLOGY, b'{"kind": ["bakery"]}', "application/json", 422, "kind"),
    (METROLOGY, b"{not json", "application/json", 422, "not valid JSON"),
    (METROLOGY, b"name,x", "text/csv", 415, "application/json"),
    (METROLOGY, b"<http://e.org/a> <http://e.org/p> 1 .", "text/turtle", 422, "exactly one applicant"),
])
def test_post_errors_are_problems_that_say_what_to_fix(client, program, body, ctype, status, probe):
    r = client.post("/eligibility", params={"program": program}, content=body, headers={"Content-Type": ctype})
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    assert probe in r.json()["detail"]


def test_openapi_documents_the_json_profile_with_an_example(client):
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/eligibility"]["post"]["requestBody"]["content"]
    schema = body["application/json"]["schema"]
    assert {"registered_in", "legal_person_type", "kind", "industries", "capabilities"} <= set(schema["properties"])
    assert schema["examples"] and "text/turtle" in body


# --- CLI --------------------------------------------------------------------------------------

def test_cli_exit_codes(store_path, tmp_path, capsys):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD_METROLOGY, ensure_ascii=False), encoding="utf-8")
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({"registered_in": "上海市"}), encoding="utf-8")
    assert main(["--store", store_path, "eligibility", "--program", METROLOGY, str(good)]) == EXIT_OK
    assert "eligible: 5 met" in capsys.readouterr().out
    assert main(["--store", store_path, "eligibility", "--program", METROLOGY, str(partial), "--format", "json"]) == EXIT_INVALID
    assert json.loads(capsys.readouterr().out)["outcome"] == "undetermined"
    ttl = FIXTURES / "invalid-eligibility-imc-joint-application.ttl"
    assert main(["--store", store_path, "eligibility", "--program", METROLOGY, str(ttl)]) == EXIT_INVALID
    assert "[NOT MET]" in capsys.readouterr().out
    assert main(["--store", store_path, "eligibility", "--program", "nope", str(good)]) == EXIT_ERROR
    assert METROLOGY in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "bakery"}', encoding="utf-8")
    assert main(["--store", store_path, "eligibility", "--program", METROLOGY, str(bad)]) == EXIT_ERROR
    assert "kind" in capsys.readouterr().err
    assert main(["--store", store_path, "eligibility", "--program", METROLOGY, str(tmp_path / "missing.json")]) == EXIT_ERROR
