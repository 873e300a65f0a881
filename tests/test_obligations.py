"""The reporting calendar (qigraph.obligations), GET /obligations and `qigraph obligations`: due dates
follow from the requirements' timing and the bodies' recorded events; today is injectable; an
unknown date stays unknown."""

import datetime as dt
import doctest

import pytest
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from rdflib import URIRef
from rdflib.namespace import DCTERMS, RDF

import qigraph.obligations
from qigraph.catalog_queries import load_catalog
from qigraph.cli import EXIT_ERROR, EXIT_OK, main
from qigraph.config import Settings
from qigraph.namespaces import QI, QID
from qigraph.obligations import OVERDUE, PASSED, UNKNOWN, UPCOMING, Span, obligations

TODAY = dt.date(2026, 11, 21)


def dated_events(graph, body, event_type) -> list[Span]:
    return sorted((Span.parse(str(graph.value(e, DCTERMS.date))) for e in graph.objects(body, QI.hasEvent)
                   if graph.value(e, QI.eventType) == event_type and graph.value(e, DCTERMS.date)), key=lambda s: s.first)


def has_event(graph, body, event_type) -> bool:
    return any(graph.value(e, QI.eventType) == event_type for e in graph.objects(body, QI.hasEvent))


def metrology_centers(graph):
    return sorted(graph.subjects(RDF.type, QI.MunicipalIndustrialMetrologyTestCenter))


@pytest.fixture(scope="module")
def calendar(store):
    return obligations(store, today=TODAY)


def test_docstring_examples():
    result = doctest.testmod(qigraph.obligations)
    assert result.attempted > 0 and result.failed == 0


def test_partial_dates_plus_durations():
    assert Span.parse("2023-06-08").plus("P12M").text() == "2024-06-08"
    assert Span.parse("2022-05").plus("P3Y").text() == "2025-05"
    assert Span.parse("2018").plus("P3Y").text() == "2021"
    assert Span.parse("2018").plus("P6M").text() == "2018-07-01/2019-06-30"
    assert Span.parse("2024-02-29").plus("P1Y").text() == "2025-02-28"


def test_the_status_report_of_a_metrology_center_falls_due_each_november(graph, calendar):
    # every municipal metrology center with a dated approval and no revocation owes the report for this year
    centers = [c for c in metrology_centers(graph) if dated_events(graph, c, QI.ApprovalOfPreparation)]
    assert centers
    for center in centers:
        items = [i for i in calendar if i["body"]["iri"] == str(center) and i["obligation"]["id"] == "imc-annual-status-report"]
        this_year = next(i for i in items if i["period"] == "2026")
        assert this_year["due"] == "2026-11-30" and this_year["status"] == UPCOMING
        approval = dated_events(graph, center, QI.ApprovalOfPreparation)[-1]
        assert min(int(i["period"]) for i in items) >= approval.first.year
        assert all(i["status"] == PASSED for i in items if i["due"] < TODAY.isoformat())
        assert this_year["clause"]["iri"] == str(graph.value(QID["requirement/imc-annual-status-report"], DCTERMS.source))


def test_preparation_deadlines_follow_from_the_approval_and_are_overdue_without_acceptance(graph, store, calendar):
    checked = 0
    for center in metrology_centers(graph):
        approvals = dated_events(graph, center, QI.ApprovalOfPreparation)
        ended = has_event(graph, center, QI.Acceptance) or has_event(graph, center, QI.Establishment)
        if not approvals or ended:
            continue
        item = next(i for i in calendar if i["body"]["iri"] == str(center) and i["obligation"]["id"] == "imc-preparation-period")
        due = approvals[-1].plus("P3Y")
        assert item["due"] == due.text() and item["earliest"] == approvals[-1].plus("P2Y").text()
        assert item["overdue"] is (due.last < TODAY)
        # on the day of the deadline it is not yet overdue
        on_the_day = next(i for i in obligations(store, today=due.last, body=str(center))
                          if i["obligation"]["id"] == "imc-preparation-period")
        assert on_the_day["status"] == UPCOMING and not on_the_day["overdue"]
        checked += 1
    assert checked >= 3


def test_the_extended_limit_makes_an_overrun_only_possibly_overdue(graph, store):
    # a 质检中心 approved with no acceptance: 12 months, or 24 with infrastructure work
    center = next(c for c in sorted(graph.subjects(RDF.type, QI.MunicipalQualityTestingCenter))
                  if dated_events(graph, c, QI.ApprovalOfPreparation) and not has_event(graph, c, QI.Establishment)
                  and not has_event(graph, c, QI.Acceptance))
    start = dated_events(graph, center, QI.ApprovalOfPreparation)[-1]
    between = start.plus("P18M").last
    statuses = [next(i for i in obligations(store, today=day, body=str(center)) if i["obligation"]["id"] == "qtc-preparation-period")["status"]
                for day in (start.plus("P6M").last, between, start.plus("P30M").last)]
    assert statuses == [UPCOMING, "possibly-overdue", OVERDUE]


def test_a_center_still_in_preparation_owes_no_annual_report_of_established_centers(graph, calendar):
    preparing = {str(c) for c in graph.subjects(QI.state, QI.InPreparation)}
    assert preparing
    assert not [i for i in calendar if i["body"]["iri"] in preparing and i["obligation"]["id"] == "qtc-annual-report"]


def test_bodies_without_dated_events_have_unknown_due_dates_stated_as_such(graph, calendar):
    undated = {str(b) for b in graph.subjects(QI.state, QI.StateUnknown)}
    items = [i for i in calendar if i["body"]["iri"] in undated]
    assert items
    assert all(i["due"] is None and i["due_by"] is None and not i["overdue"] for i in items)
    unknown = [i for i in items if i["status"] == UNKNOWN]
    assert unknown and all("unknown" in i["note"]["en"] and i["note"]["zh"] for i in unknown)


def test_every_item_carries_its_requirement_and_clause_from_the_graph(graph, calendar):
    assert len(calendar) > 50
    for i in calendar:
        req = URIRef(i["obligation"]["iri"])
        assert i["clause"]["iri"] == str(graph.value(req, DCTERMS.source))
        assert i["clause"]["quote"] == str(graph.value(req, QI.quote))
        assert (req, QI.appliesTo, URIRef(i["program"]["iri"])) in graph
        assert i["status"] in qigraph.obligations.STATUSES


def test_the_named_query_lists_the_duties_the_calendar_uses(store, calendar):
    q = load_catalog()["obligations-of-body"]
    example = q.params[0].example
    rows = store.select(q.sparql, bindings=q.bind({"body": example}))["results"]["bindings"]
    assert {r["obligation"]["value"] for r in rows} == {i["obligation"]["iri"] for i in calendar if i["body"]["iri"] == example}


# --- HTTP -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path))) as c:
        yield c


def test_get_obligations_paginates_and_filters(client, calendar):
    r = client.get("/obligations", params={"today": TODAY.isoformat(), "limit": 5, "offset": 2})
    body = r.json()
    assert r.status_code == 200 and body["total"] == len(calendar) and len(body["items"]) == 5
    assert body["items"] == calendar[2:7]
    overdue = client.get("/obligations", params={"today": TODAY.isoformat(), "overdue": "true", "limit": 1000}).json()
    assert overdue["total"] == sum(i["overdue"] for i in calendar) > 0
    assert all(i["overdue"] for i in overdue["items"])
    before = client.get("/obligations", params={"today": TODAY.isoformat(), "due_before": "2026-01-01", "limit": 1000}).json()
    assert before["total"] > 0 and all(i["due_by"] < "2026-01-01" for i in before["items"])


def test_get_obligations_of_one_body_by_id_or_iri_and_today(client):
    by_id = client.get("/obligations", params={"body": "mimc-biomedicine", "today": "2026-11-21"}).json()
    by_iri = client.get("/obligations", params={"body": str(QID["body/mimc-biomedicine"]), "today": "2026-11-21"}).json()
    assert by_id == by_iri and by_id["total"] > 0
    assert {i["body"]["id"] for i in by_id["items"]} == {"mimc-biomedicine"}
    earlier = client.get("/obligations", params={"body": "mimc-biomedicine", "today": "2024-01-01"}).json()
    assert earlier["total"] < by_id["total"]  # fewer yearly items are due yet


@pytest.mark.parametrize("params, status", [({"body": "no-such-body"}, 404), ({"body": "Bad Id!"}, 404),
                                            ({"status": "late"}, 400), ({"today": "yesterday"}, 422)])
def test_get_obligations_errors(client, params, status):
    r = client.get("/obligations", params=params)
    assert r.status_code == status


def test_cli_obligations(store_path, capsys):
    assert main(["--store", store_path, "obligations", "--body", "mimc-biomedicine", "--today", "2026-11-21"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "2026-11-30" in out and "as of 2026-11-21" in out
    assert main(["--store", store_path, "obligations", "--body", "nope"]) == EXIT_ERROR
