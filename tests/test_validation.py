"""Validation of the built graph, of uploaded records against the store (YAML, CSV, Turtle,
JSON-LD, N-Triples), the injected reference date, `qigraph validate` and its exit codes, and
GET/POST /validate with its report formats and problem details."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SH, XSD
from support import DATA_DIR

from qigraph import uploads
from qigraph.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, main
from qigraph.config import Settings
from qigraph.validation import QIS, validate, validate_record

TODAY = datetime.date(2026, 11, 21)
BODY = "https://w3id.org/qigraph/id/body/"
# A municipal metrology centre approved in May 2024, as a data steward would write it in CSV.
CSV_HEAD = "id,name_zh,name_en,kind,hosts,district,approving_agency,industries,events,sources\n"
CSV_ROW = ("mimc-test-widgets,上海市测试器件产业计量测试中心,,municipal-industrial-metrology-center,sicccas:lead,嘉定区,"
           "sh-market-regulation,fields/key-ceramics,approved-preparation@2024-05-13[1],"
           "https://example.org/news|2026-11-21|获批筹建; clause:metrology-center-guideline-2023/s3/p4/i2\n")
BAD_ORDER_TTL = """@prefix qi: <https://w3id.org/qigraph/ontology#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/qigraph/id/body/qtc-key-ceramics/event-9> a qi:LifecycleEvent ; qi:eventType qi:Establishment ;
    dcterms:date "2019-01"^^xsd:gYearMonth ; dcterms:source <https://w3id.org/qigraph/id/doc/qi-center-guidance-2022/s3/p2/i3> ;
    rdfs:label "成立"@zh , "established"@en .
"""


@pytest.fixture(scope="module")
def built_report(graph):
    return validate(graph, reference_date=TODAY)


def test_built_graph_validates_clean(built_report):
    assert built_report.conforms, [(r.focus, r.message["en"]) for r in built_report.results if r.severity == "Violation"]
    assert built_report.counts["Violation"] == 0


def test_every_result_is_readable(built_report):
    # warnings and infos remain (overrunning preparations, unrecorded reports): each says where and why
    assert built_report.results
    for r in built_report.results:
        assert set(r.message) == {"zh", "en"} and r.clauses and r.focus_label.get("zh"), r
        assert all(c.label and c.text for c in r.clauses if "/id/doc/" in c.iri), r


def test_report_graph_is_a_standard_validation_report(built_report):
    g = Graph().parse(data=built_report.serialize(format="turtle"), format="turtle")
    report = next(g.subjects(RDF.type, SH.ValidationReport))
    assert (report, SH.conforms, None) in g
    assert len(list(g.objects(report, SH.result))) == len(built_report.results)


def test_record_from_the_curated_yaml_validates_against_the_store(store):
    data = uploads.read((DATA_DIR / "bodies" / "quality-testing-centers.yaml").read_bytes(), "application/yaml")
    report = validate_record(data, store, reference_date=TODAY)
    assert report.conforms, [r.message["en"] for r in report.results if r.severity == "Violation"]
    assert {r.focus for r in report.results} <= {str(s) for s in data.subjects()}


def test_neighbourhood_resolves_what_a_record_points_to(store):
    # the host, industry, agency and clause are not in the upload: the store's neighbourhood supplies their types
    data = uploads.read((CSV_HEAD + CSV_ROW).encode(), "text/csv")
    report = validate_record(data, store, reference_date=TODAY)
    assert report.conforms, [r.message["en"] for r in report.results if r.severity == "Violation"]
    alone = validate(data, reference_date=TODAY)
    assert not alone.conforms  # without the store, sh:class on the host and industry cannot resolve


def test_record_breaking_the_event_order_is_reported_on_its_own_node(store):
    data = uploads.read(BAD_ORDER_TTL.encode(), "text/turtle")
    data.add((URIRef(BODY + "qtc-key-ceramics"), URIRef("https://w3id.org/qigraph/ontology#hasEvent"),
              URIRef(BODY + "qtc-key-ceramics/event-9")))
    report = validate_record(data, store, reference_date=TODAY, merge=True)
    assert not report.conforms
    assert any(r.shape == str(QIS.EventOrderShape) and r.value == BODY + "qtc-key-ceramics/event-9" for r in report.results)


def test_the_reference_date_is_injected_not_read_from_the_clock(store):
    data = uploads.read((CSV_HEAD + CSV_ROW).encode(), "text/csv")
    # a steward's own reference date in the data is ignored
    data.add((URIRef("urn:x"), QIS.referenceDate, datetime_literal("2099-01-01")))
    early = validate_record(data, store, reference_date=datetime.date(2026, 11, 21))
    late = validate_record(data, store, reference_date=datetime.date(2027, 6, 1))
    shapes = lambda rep: {r.shape for r in rep.results}
    assert str(QIS.IMCPreparationPeriodShape) not in shapes(early)  # 30 months after approval
    assert str(QIS.IMCPreparationPeriodShape) in shapes(late)  # 36 months and more


def datetime_literal(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


@pytest.mark.parametrize("body, media, line", [
    (b"@prefix qi: <https://w3id.org/qigraph/ontology#> .\n<https://x> qi:a <nope> .\n", "text/turtle", 2),
    (b'<http://a> <http://b> "c .\n', "application/n-triples", 1),
    (b'{"@id": "http://a", ', "application/ld+json", 1),
    (b"bodies:\n  - id: [x\n", "application/yaml", 3),
])
def test_malformed_input_names_the_line(body, media, line):
    with pytest.raises(uploads.InputError) as exc:
        uploads.read(body, media)
    assert exc.value.kind == "syntax" and exc.value.line == line and f"line {line}" in str(exc.value)


def test_malformed_csv_record_names_its_row():
    with pytest.raises(uploads.InputError) as exc:
        uploads.read((CSV_HEAD + CSV_ROW + CSV_ROW.replace("mimc-test-widgets", "mimc-other").replace("fields/key-ceramics", "fields/nope")).encode(), "text/csv")
    assert exc.value.kind == "record" and exc.value.line == 3 and "fields/nope" in str(exc.value)


def test_json_ld_and_n_triples_read_the_same_triples():
    g = uploads.read(BAD_ORDER_TTL.encode(), "text/turtle")
    for media, fmt in (("application/ld+json", "json-ld"), ("application/n-triples", "nt")):
        assert isomorphic(uploads.read(g.serialize(format=fmt).encode(), media), g)


# --- the command line ---------------------------------------------------------------------------


def test_cli_exit_codes(store_path, tmp_path, capsys):
    fixtures = Path(__file__).parent / "data" / "shapes"
    assert main(["--store", store_path, "validate", "--date", "2026-11-21"]) == EXIT_OK
    assert "0 violation(s)" in capsys.readouterr().out
    assert main(["--store", store_path, "validate", str(DATA_DIR / "bodies" / "platforms.yaml"), "--date", "2026-11-21"]) == EXIT_OK
    capsys.readouterr()
    assert main(["--store", store_path, "validate", "--no-store", str(fixtures / "invalid-event-order.ttl"), "--format", "json"]) == EXIT_INVALID
    out = json.loads(capsys.readouterr().out)
    assert out["conforms"] is False and out["counts"]["Violation"] > 0
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    assert main(["--store", store_path, "validate", str(bad)]) == EXIT_ERROR
    assert "line 1" in capsys.readouterr().err
    assert main(["--store", str(tmp_path / "none"), "validate"]) == EXIT_ERROR
    assert main(["--store", store_path, "validate", "--date", "21/11/2026"]) == EXIT_ERROR


def test_cli_turtle_report_and_chinese_text(store_path, capsys):
    fixture = str(Path(__file__).parent / "data" / "shapes" / "invalid-labels.ttl")
    assert main(["--store", store_path, "validate", "--no-store", fixture, "--format", "turtle"]) == EXIT_INVALID
    g = Graph().parse(data=capsys.readouterr().out, format="turtle")
    assert (None, RDF.type, SH.ValidationReport) in g
    assert main(["--store", store_path, "validate", "--no-store", fixture, "--lang", "zh"]) == EXIT_INVALID
    assert "须有英文标签" in capsys.readouterr().out


# --- the API ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path))) as c:
        yield c


def test_get_validate_reports_on_the_built_graph(client):
    r = client.get("/validate", params={"date": "2026-11-21"}, headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.json()["conforms"] is True and r.json()["referenceDate"] == "2026-11-21"
    html = client.get("/validate", params={"date": "2026-11-21"}, headers={"Accept": "text/html", "Accept-Language": "en-GB,en;q=0.9"})
    assert html.status_code == 200 and "By clause" in html.text and "By shape" in html.text and "Conforms" in html.text
    zh = client.get("/validate", params={"date": "2026-11-21"}, headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
    assert "按条款" in zh.text and "筹建时间一般为2—3年" in zh.text  # the clause text behind the results
    ttl = client.get("/validate", params={"date": "2026-11-21"}, headers={"Accept": "text/turtle"})
    assert (None, RDF.type, SH.ValidationReport) in Graph().parse(data=ttl.text, format="turtle")


def test_post_validate_turtle_invalid(client, graph):
    body = BAD_ORDER_TTL + (f"<{BODY}qtc-key-ceramics> <https://w3id.org/qigraph/ontology#hasEvent> "
                            f"<{BODY}qtc-key-ceramics/event-9> .\n")
    r = client.post("/validate", content=body.encode(), headers={"Content-Type": "text/turtle", "Accept": "application/json"})
    assert r.status_code == 200
    report = r.json()
    assert report["conforms"] is False
    hit = next(x for x in report["results"] if x["sourceShape"] == str(QIS.EventOrderShape))
    labels = {lit.language: str(lit) for lit in graph.objects(URIRef(BODY + "qtc-key-ceramics"), RDFS.label)}
    assert hit["focusLabel"] == labels  # the label comes from the store, not from the upload
    assert any(c["iri"].endswith("qi-center-guidance-2022/s3/p2") and c["text"] for c in hit["clauses"])
    jsonld = client.post("/validate", content=body.encode(), headers={"Content-Type": "text/turtle", "Accept": "application/ld+json"})
    assert (None, SH.conforms, None) in Graph().parse(data=jsonld.text, format="json-ld")


def test_post_validate_records_csv_and_yaml(client):
    r = client.post("/validate?date=2026-11-21", content=(CSV_HEAD + CSV_ROW).encode(),
                    headers={"Content-Type": "text/csv; charset=utf-8", "Accept": "application/json"})
    assert r.status_code == 200 and r.json()["conforms"] is True
    y = client.post("/validate", content=(DATA_DIR / "bodies" / "platforms.yaml").read_bytes(),
                    headers={"Content-Type": "application/yaml", "Accept": "text/html", "Accept-Language": "zh"})
    assert y.status_code == 200 and "提交数据校验报告" in y.text


@pytest.mark.parametrize("body, ctype, status, probe", [
    (b"<a> <b> .\n", "text/turtle", 400, "line 1"),
    (b"bodies:\n  - id: x\n    kind: rocket\n", "application/yaml", 422, "kind must be one of"),
    (b"<x/>", "application/xml", 415, "text/turtle"),
    (b"", "text/turtle", 400, "body"),
])
def test_post_validate_problems(client, body, ctype, status, probe):
    r = client.post("/validate", content=body, headers={"Content-Type": ctype})
    assert r.status_code == status and r.headers["content-type"] == "application/problem+json"
    assert probe in r.json()["detail"]


def test_a_second_date_while_one_is_validated_is_told_to_come_back_not_queued(client):
    """Each reference date costs a whole-graph validation; a flood of dates must not queue up and
    hold every request thread, so a second date while one runs gets 503 with Retry-After, the same
    date waits for the running one, and once it is done the second date is answered."""
    import threading
    import time

    from qigraph.api.routes import validate as route

    first: dict = {}
    runner = threading.Thread(target=lambda: first.update(r=client.get("/validate", params={"date": "2031-01-02"},
                                                                        headers={"Accept": "application/json"})))
    runner.start()
    while route._computing.get("date") != datetime.date(2031, 1, 2) and runner.is_alive():
        time.sleep(0.01)  # wait for the state "validating 2031-01-02", not for a length of time
    assert runner.is_alive(), "the first validation ended before the second request could be sent"
    busy = client.get("/validate", params={"date": "2031-01-03"}, headers={"Accept": "application/json"})
    same = client.get("/validate", params={"date": "2031-01-02"}, headers={"Accept": "application/json"})
    runner.join()
    assert busy.status_code == 503 and busy.headers["retry-after"].isdigit()
    assert busy.headers["content-type"].startswith("application/problem+json") and "another date" in busy.json()["detail"]
    assert same.status_code == 200 and same.json() == first["r"].json()  # waited for the running one
    later = client.get("/validate", params={"date": "2031-01-03"}, headers={"Accept": "application/json"})
    assert later.status_code == 200 and later.json()["referenceDate"] == "2031-01-03"
