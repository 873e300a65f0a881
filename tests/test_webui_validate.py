"""The validation page (``/ui/validate``) over HTTP, without a browser: a plain form POST of a file
or pasted text gives the same report as ``POST /validate``, grouped by clause and by shape, in the
page's language; a parse error names its line and column and keeps the input; the page shows the
built graph's own status and the calendar's due and overdue counts as the API gives them."""

from __future__ import annotations

import copy

import pytest
import yaml
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from rdflib.namespace import DCTERMS
from support import DATA_DIR
from webpage import parse

from qigraph import uploads
from qigraph.config import Settings

HTML = {"Accept": "text/html"}
BODY = "https://w3id.org/qigraph/id/body/"
BROKEN_ID = "qtc-test-broken-order"
# A Turtle fragment with an unterminated IRI on its third line.
BAD_TURTLE = ("@prefix qi: <https://w3id.org/qigraph/ontology#> .\n"
              "<https://w3id.org/qigraph/id/body/x> a qi:QualityTestingCenter ;\n"
              "    qi:hostedBy <https://w3id.org/qigraph/id/org/sicccas .\n")


def broken_record() -> str:
    """A curated body record, copied under a new id, that says it was established before it was
    approved for preparation (正式成立 before 批准筹建)."""
    doc = yaml.safe_load((DATA_DIR / "bodies" / "quality-testing-centers.yaml").read_text(encoding="utf-8"))
    rec = copy.deepcopy(next(r for r in doc["bodies"] if r["id"] == "qtc-key-ceramics"))
    rec["id"] = BROKEN_ID
    rec["name_zh"] = "上海市测试用错序质量检验检测中心"
    approved = next(e for e in rec["events"] if e["type"] == "approved-preparation")
    established = next(e for e in rec["events"] if e["type"] == "established")
    established["date"] = "2023-01"
    assert established["date"] < approved["date"]
    return yaml.safe_dump({"bodies": [rec]}, allow_unicode=True, sort_keys=False)


def unsourced_turtle() -> str:
    """The same body as Turtle with every dcterms:source left out (the loader would refuse such a
    record; as RDF it parses, and the shapes must say what is missing)."""
    g = uploads.read(broken_record().encode(), "application/yaml")
    g.remove((None, DCTERMS.source, None))
    return g.serialize(format="turtle")


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path))) as c:
        yield c


def post(client, *, status: int = 200, lang: str = "zh", **form):
    """Submit the page's form as a browser does (multipart), as a first visit in ``lang``."""
    client.cookies.clear()
    files = {"file": form.pop("file")} if "file" in form else {"file": ("", b"", "application/octet-stream")}
    r = client.post("/ui/validate", data=form, files=files, headers={**HTML, "Accept-Language": lang})
    assert r.status_code == status, r.text[:800]
    assert r.headers["content-type"].startswith("text/html")
    return parse(r.text)


def api_report(client, body: str, media: str) -> dict:
    r = client.post("/validate", content=body.encode(), headers={"Content-Type": media, "Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def test_page_shows_the_form_the_graph_status_and_the_calendar(client):
    client.cookies.clear()
    doc = parse(client.get("/ui/validate", headers=HTML).text)
    assert doc.find("html").attrs["lang"] == "zh-Hans" and doc.find("h1").text == "数据校验"
    form = doc.find("form", cls="validate-form")
    assert form.attrs["method"] == "post" and form.attrs["enctype"] == "multipart/form-data"
    assert {n.attrs["name"] for n in form.find_all("input") + form.find_all("textarea") + form.find_all("select")} == {"file", "text", "format"}
    assert doc.find("a", href="/ui/validate").attrs.get("aria-current") == "page"  # in the nav
    graph = client.get("/validate", headers={"Accept": "application/json"}).json()
    status = doc.find("section", cls="graph-status")
    assert status.find("p", cls="summary").text == graph["summary"]["zh"]
    assert int(status.find("dd", cls="n-violations").text) == graph["counts"]["Violation"]
    assert int(status.find("dd", cls="n-warnings").text) == graph["counts"]["Warning"]
    assert int(status.find("dd", cls="n-infos").text) == graph["counts"]["Info"]
    full = status.find("a", cls="full-report").attrs["href"]
    assert client.get(full).status_code == 200 and "图谱校验报告" in client.get(full).text
    cal = doc.find("section", cls="calendar-status")
    today = graph["referenceDate"]
    overdue = client.get("/obligations", params={"today": today, "status": "overdue"}).json()["total"]
    link = cal.find("a", cls="status-overdue")
    assert link.text == f"已逾期 {overdue}" and link.attrs["href"] == f"/ui/calendar?status=overdue&today={today}"


def test_broken_record_upload_reports_focus_clause_and_message(client):
    body = broken_record()
    expected = api_report(client, body, "application/yaml")
    assert not expected["conforms"]
    doc = post(client, file=("broken.yaml", body.encode(), "application/yaml"))
    report = doc.find("section", cls="upload-report")
    assert report.find("div", cls="summary").text == expected["summary"]["zh"]
    mine = [r for r in expected["results"] if r["focusNode"] == BODY + BROKEN_ID and r["severity"] == "Violation"]
    assert mine  # the event order
    rows = [(tr.find("td", cls="focus"), tr.find("td", cls="message")) for tr in report.find_all("tr") if tr.find("td", cls="focus")]
    for hit in mine:
        row = next(r for r in rows if r[1].text == hit["message"]["zh"])
        assert row[0].find("a").text == hit["focusLabel"]["zh"] and row[0].find("a").attrs["href"] == f"/id/body/{BROKEN_ID}"
    clause_heads = [s.find("h4").text for s in report.find_all("section", cls="clause-group")]
    for c in {c["label"]["zh"] for hit in mine for c in hit["clauses"]}:
        assert any(h.startswith(c) for h in clause_heads)
    assert len(report.find_all("section", cls="shape-group")) == len({r["sourceShape"] for r in expected["results"]})
    # The file's text is kept in the text box and its format chosen, so it can be fixed and sent again.
    assert doc.find("textarea", id="text").text == body
    assert doc.find("option", value="yaml").attrs.get("selected") is not None


def test_record_without_sources_is_reported_in_english_too(client):
    body = unsourced_turtle()
    expected = api_report(client, body, "text/turtle")
    doc = post(client, text=body, format="turtle", lang="en")
    assert doc.find("html").attrs["lang"] == "en"
    report = doc.find("section", cls="upload-report")
    assert report.find("div", cls="summary").text == expected["summary"]["en"]
    messages = {td.text for td in report.find_all("td", cls="message")}
    assert {r["message"]["en"] for r in expected["results"]} == messages
    assert any("source" in m.lower() for m in messages)


@pytest.mark.parametrize("lang, words", [("zh", ("第 3 行", "列", "Turtle")), ("en", ("line 3", "column", "Turtle"))])
def test_malformed_turtle_names_line_and_column_and_keeps_the_text(client, lang, words):
    with pytest.raises(uploads.InputError) as parsed:
        uploads.read(BAD_TURTLE.encode(), "text/turtle")
    doc = post(client, text=BAD_TURTLE, format="turtle", status=400, lang=lang)
    alert = doc.find(role="alert")
    assert all(w in alert.text for w in words) and f"{parsed.value.column}" in alert.text
    assert parsed.value.line == 3
    excerpt = doc.find("pre", cls="excerpt")
    assert BAD_TURTLE.splitlines()[2] in excerpt.text
    assert doc.find("textarea", id="text").text == BAD_TURTLE
    assert doc.find("option", value="turtle").attrs.get("selected") is not None
    assert doc.find("section", cls="upload-report") is None


def test_bad_submissions_say_what_to_fix(client):
    guessed = post(client, text="@prefix x: <http://x/> .\nx:a x:b", format="auto", status=400)  # pasted: read as Turtle
    assert "Turtle" in guessed.find(role="alert").text and guessed.find("option", value="turtle").attrs.get("selected") is not None
    assert "Upload a file" in post(client, text="  ", format="turtle", status=400, lang="en").find(role="alert").text
    odd = post(client, file=("data.xml", b"<x/>", "application/xml"), status=415)
    assert ".ttl" in odd.find(role="alert").text and odd.find("textarea", id="text").text == "<x/>"
    # A file that is not UTF-8 text: the error says so, and no line of some other text is shown as its excerpt.
    binary = post(client, file=("latin1.ttl", "<http://a> <http://b> \"café\" .\n".encode("latin-1"), "text/turtle"),
                  text="kept", status=400)
    assert binary.find("pre", cls="excerpt") is None and binary.find("textarea", id="text").text == "kept"
    record = post(client, text="bodies:\n  - id: x\n    kind: rocket\n", format="yaml", status=422)
    assert "记录有误" in record.find(role="alert").text and "kind must be one of" in record.find(role="alert").text


def test_api_html_report_is_unchanged_by_the_shared_template(client):
    html = client.post("/validate", content=broken_record().encode(),
                       headers={"Content-Type": "application/yaml", "Accept": "text/html", "Accept-Language": "zh"})
    doc = parse(html.text)
    assert doc.find("h1").text == "提交数据校验报告" and doc.find("h2").text == "按条款"
    assert doc.find("div", cls="summary").attrs["class"] == "summary bad"


def test_an_upload_does_not_wait_for_the_whole_graph_report(store_path):
    with TestClient(create_app(Settings(store=store_path))) as fresh:
        r = fresh.post("/ui/validate", data={"format": "auto"}, files={"file": ("b.yaml", broken_record().encode(), "application/yaml")},
                       headers={**HTML, "Accept-Language": "zh"})
        doc = parse(r.text)
        assert r.status_code == 200 and doc.find("section", cls="upload-report") is not None
        pending = doc.find("section", cls="graph-status").find("p", cls="graph-pending")
        assert pending is not None and pending.find("a").attrs["href"] == "/ui/validate"
        assert doc.find("dd", cls="n-violations") is None
        status = parse(fresh.get("/ui/validate", headers=HTML).text).find("section", cls="graph-status")
        assert status.find("p", cls="graph-pending") is None and status.find("dd", cls="n-violations") is not None
        again = fresh.post("/ui/validate", data={"format": "yaml", "text": broken_record()}, files={"file": ("", b"", "application/octet-stream")},
                           headers=HTML)
        assert parse(again.text).find("section", cls="graph-status").find("dd", cls="n-violations") is not None
