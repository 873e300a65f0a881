"""REST lookups: centers with filters, industry trees with counts, agencies and tasks, documents
and clauses, label search — paginated, with totals, and 4xx problems for bad input."""

import pytest
from fastapi.testclient import TestClient

from qigraph.api.app import create_app
from qigraph.config import Settings


@pytest.fixture(scope="module")
def client(api):
    """The contract suite: every test here runs on each backend (see conftest.BACKENDS)."""
    return api


def names(page):
    return {b["label"]["zh"] for b in page["items"]}


def test_centers_have_label_kind_host_state_industries_and_sources(client):
    page = client.get("/centers", params={"limit": 500}).json()
    assert page["total"] >= 40 and len(page["items"]) == page["total"]
    for b in page["items"]:
        assert b["label"]["zh"] and b["label"]["en"] and b["kind"] and b["state"] and b["industries"] and b["sources"]
        assert b["hosts"] or b["host_known"] is False


def test_centers_by_industry_text_and_iri(client):
    by_text = client.get("/centers", params={"industry": "储能", "limit": 500}).json()
    assert "上海市液流电池储能质量检验检测中心" in names(by_text)
    iri = "https://w3id.org/qigraph/id/industry/2-3-6-4-5/future-energy"
    by_iri = client.get("/centers", params={"industry": iri, "limit": 500}).json()
    assert "上海市液流电池储能质量检验检测中心" in names(by_iri)
    none = client.get("/centers", params={"industry": "美容美发"}).json()
    assert none["total"] == 0 and none["items"] == []


def test_centers_filters_and_pagination(client):
    est = client.get("/centers", params={"kind": "municipal-quality-testing-center", "state": "established"}).json()
    assert est["total"] == 6  # the six established in January 2026
    first = client.get("/centers", params={"limit": 5, "offset": 0}).json()
    second = client.get("/centers", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == second["total"] and len(first["items"]) == 5
    assert not {b["iri"] for b in first["items"]} & {b["iri"] for b in second["items"]}
    assert client.get("/centers", params={"kind": "lab"}).status_code == 400
    assert client.get("/centers", params={"limit": 0}).status_code == 422
    one = client.get("/centers/qtc-medical-robots").json()
    assert one["label"]["zh"] == "上海市医疗机器人质量检验检测中心"
    assert client.get("/centers/nope").status_code == 404


def test_industries_as_trees_with_counts(client):
    body = client.get("/industries").json()
    schemes = {s["iri"].rsplit("/", 1)[1]: s for s in body["schemes"]}
    assert {"2-3-6-4-5", "metrology-fields-2023", "2-3-6-6", "fields"} <= set(schemes)
    future = next(t for t in schemes["2-3-6-4-5"]["top"] if t["iri"].endswith("/future-industries"))
    assert len(future["narrower"]) == 5
    energy = next(n for n in future["narrower"] if n["iri"].endswith("/future-energy"))
    assert energy["bodies"] >= 1 and future["bodies"] >= energy["bodies"]


def test_agencies_and_their_tasks(client):
    page = client.get("/agencies", params={"limit": 500}).json()
    top = page["items"][0]
    assert top["id"] == "sh-market-regulation" and top["tasks"] == 57 and "市市场监管局" in top["short_names"]
    assert top["level"] == "municipal"
    tasks = client.get("/agencies/sh-science-technology/tasks").json()
    assert tasks["total"] == 17 and tasks["items"][0]["number"] == 8
    assert client.get("/agencies/nobody/tasks").status_code == 404
    assert client.get("/agencies/x%3E%20%7D/tasks").status_code == 404


def test_documents_and_clauses_in_order(client):
    docs = client.get("/documents").json()
    assert docs["total"] == 5
    clauses = client.get("/documents/qi-integrated-service-measures-2024/clauses").json()
    numbers = [c["number"] for c in clauses["items"] if c["number"] and c["number"].startswith("第")]
    assert numbers[:3] == ["第一条", "第二条", "第三条"] and numbers[-1] == "第十三条"
    assert client.get("/documents/none/clauses").status_code == 404


def test_label_search_in_chinese_and_english(client):
    zh = client.get("/search", params={"q": "市科委"}).json()
    assert zh["items"][0]["iri"].endswith("/agency/sh-science-technology")
    en = client.get("/search", params={"q": "low-altitude"}).json()
    assert any(h["iri"].endswith("/industry/fields/low-altitude-economy") for h in en["items"])
    assert client.get("/search", params={"q": ""}).status_code == 422


@pytest.mark.parametrize("params", [{"kind": "municipal-quality-testing-center"}, {"state": "established"},
                                    {"state": "unknown"}, {"district": "浦东"}, {"industry": "储能"},
                                    {"industry": "https://w3id.org/qigraph/id/industry/2-3-6-4-5/future-energy",
                                     "state": "established"}])
def test_centers_filtered_by_the_engine_are_the_whole_list_filtered(client, params):
    # The engine filters, sorts and pages /centers; the answer is what filtering the whole list
    # would give (the industry filter checked against the bodies' own industries, by text or IRI).
    whole = client.get("/centers", params={"limit": 500}).json()["items"]
    expected = [b for b in whole
                if b["kind"] == params.get("kind", b["kind"]) and b["state"] == params.get("state", b["state"])
                and params.get("district", "") in (b.get("district") or "")]
    got = client.get("/centers", params={**params, "limit": 500}).json()
    if "industry" in params:
        assert {b["iri"] for b in got["items"]} <= {b["iri"] for b in expected} and got["items"]
    else:
        assert got["items"] == expected and got["total"] == len(expected) > 0
    pages = [client.get("/centers", params={**params, "limit": 2, "offset": o}).json() for o in range(0, got["total"], 2)]
    assert [b for p in pages for b in p["items"]] == got["items"]
    assert {p["total"] for p in pages} == {got["total"]}
