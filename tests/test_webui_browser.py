"""The web interface in a real browser: Debian's Chromium driven by Playwright against `qigraph
serve` (the `live_server` fixture). Each page loads without script errors; a query typed into the
editor and a catalog example run and fill the table; a parameter form binds its value; the
industry explorer leads to a body's page; the language switch holds across pages.

Set QIGRAPH_SCREENSHOTS=docs/screenshots to (re)write the README's screenshots while the tests run.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

CHROMIUM = "/usr/bin/chromium"
EVTOL = "五座电动垂直起降载人飞行器"
# Chromium as this machine runs it: no sandbox as root, and nothing that calls out to the network.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A browser that prefers Chinese, as the interface's readers mostly do; English is switched to.
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1280, "height": 900}}


@pytest.fixture()
def errors(page: Page) -> list[str]:
    """Script errors and failed requests seen by the page; each test ends by asserting there are none."""
    seen: list[str] = []
    page.on("pageerror", lambda exc: seen.append(f"page error: {exc}"))
    page.on("console", lambda msg: seen.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("requestfailed", lambda req: seen.append(f"request failed: {req.url}"))
    return seen


def _json(url: str, accept: str = "application/json") -> dict:
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept}), timeout=30) as r:
        return json.load(r)


def _busiest_concept(base: str) -> tuple[dict, dict]:
    """The industry concept served by the most bodies, and its scheme."""
    def walk(nodes):
        for n in nodes:
            yield n
            yield from walk(n["narrower"])

    return max(((s, n) for s in _json(f"{base}/industries")["schemes"] for n in walk(s["top"])), key=lambda sn: sn[1]["bodies"])


def _shot(page: Page, name: str, tmp_path: Path) -> None:
    """A screenshot of the page's top 1500 pixels: always taken (it must render), kept under
    docs/ when asked."""
    target = os.environ.get("QIGRAPH_SCREENSHOTS")
    path = Path(target) / f"{name}.png" if target else tmp_path / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    height = min(page.evaluate("document.documentElement.scrollHeight"), 1500)
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": 1280, "height": height})
    assert path.stat().st_size > 10_000


def test_every_page_loads_cleanly(page: Page, errors, live_server, tmp_path):
    body = _json(f"{live_server}/centers?state=established&limit=1")["items"][0]["id"]
    concept = _busiest_concept(live_server)[1]["iri"]
    pages = {
        "home": "/", "workbench": "/ui/sparql?" + urlencode({"query": "PREFIX qi: <https://w3id.org/qigraph/ontology#>\n"
                                                            "SELECT ?category (COUNT(?task) AS ?tasks) WHERE {\n"
                                                            "  ?task qi:taskCategory/<http://www.w3.org/2004/02/skos/core#prefLabel> ?category\n"
                                                            "  FILTER(LANG(?category) = \"zh\")\n} GROUP BY ?category ORDER BY DESC(?tasks)"}),
        "named-query": "/ui/queries/agencies-by-task-count", "industries": "/ui/industries?" + urlencode({"concept": concept}),
        "body": f"/ui/bodies/{body}", "ontology": "/ui/ontology", "ontology-term": "/ui/ontology/QualityInfrastructureBody",
        "resource": f"/id/body/{body}",
        "match": "/ui/match?" + urlencode({"text": EVTOL}), "calendar": "/ui/calendar?status=overdue",
    }
    for name, path in pages.items():
        response = page.goto(live_server + path)
        assert response.status == 200, path
        expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator("header nav a.lang")).to_have_text("English")
        _shot(page, name, tmp_path)
    assert errors == []


def test_query_typed_into_the_editor_runs_and_fills_the_table(page: Page, errors, live_server):
    page.goto(f"{live_server}/ui/sparql")
    editor = page.locator(".cm-editor .cm-content")
    expect(editor).to_be_visible()  # the bundled CodeMirror took over the textarea
    expect(page.locator(".cm-editor .cm-line").first).to_contain_text("PREFIX")
    query = "SELECT ?n WHERE { ?t <https://w3id.org/qigraph/ontology#taskNumber> ?n } ORDER BY ?n"
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(query)
    page.keyboard.press("Control+Enter")  # the editor's shortcut submits the form
    page.wait_for_url("**/ui/sparql?query=*")
    expected = _json(f"{live_server}/sparql?" + urlencode({"query": query}), "application/sparql-results+json")
    rows = page.locator("table.results-table tbody tr")
    expect(rows).to_have_count(len(expected["results"]["bindings"]))
    expect(rows.first.locator("td")).to_have_text(expected["results"]["bindings"][0]["n"]["value"])
    expect(page.locator("span.elapsed")).to_contain_text("毫秒")
    # Syntax highlighting: the editor marks keywords and variables with their own styles.
    assert page.locator(".cm-line span").count() > 3
    assert errors == []


def test_catalog_example_runs_with_its_chart(page: Page, errors, live_server):
    page.goto(f"{live_server}/ui/sparql")
    catalog = {q["name"]: q for q in _json(f"{live_server}/queries")}
    page.get_by_role("link", name=catalog["agencies-by-task-count"]["title_zh"]).click()
    expect(page.locator("h1")).to_have_text(catalog["agencies-by-task-count"]["title_zh"])
    expected = _json(f"{live_server}/queries/agencies-by-task-count", "application/sparql-results+json")["results"]["bindings"]
    expect(page.locator("table.results-table tbody tr")).to_have_count(len(expected))
    expect(page.get_by_role("img")).to_be_visible()
    expect(page.locator("figure.chart g.bar")).to_have_count(len(expected))
    # The widest bar is the agency with the most tasks.
    widths = page.locator("figure.chart rect").evaluate_all("rs => rs.map(r => r.getBBox().width)")
    assert widths.index(max(widths)) == 0 and expected[0]["tasks"]["value"] == str(max(int(b["tasks"]["value"]) for b in expected))
    # CSV download of the same result.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "agencies-by-task-count.csv"
    assert len(Path(download.value.path()).read_text(encoding="utf-8").strip().splitlines()) == len(expected) + 1
    assert errors == []


def test_parameter_form_binds_its_value(page: Page, errors, live_server):
    page.goto(f"{live_server}/ui/queries/tasks-by-agency")
    expect(page.locator("section.results")).to_have_count(0)
    page.get_by_label("agency").fill("市市场监管局")
    page.get_by_role("button", name="运行").click()
    expected = _json(f"{live_server}/queries/tasks-by-agency?" + urlencode({"agency": "市市场监管局"}),
                     "application/sparql-results+json")["results"]["bindings"]
    assert expected
    expect(page.locator("table.results-table tbody tr")).to_have_count(len(expected))
    assert errors == []


def test_industry_tree_leads_to_cards_and_a_body_timeline(page: Page, errors, live_server):
    scheme, concept = _busiest_concept(live_server)
    page.goto(f"{live_server}/ui/industries")
    tree = page.locator("details.scheme", has=page.locator("summary", has_text=scheme["label_zh"]))
    if tree.get_attribute("open") is None:
        tree.locator("summary").click()
    page.locator(f'nav.schemes a[href$="{concept["iri"].removeprefix("https:")}"]').click()
    cards = page.locator("article.body-card")
    expect(cards).to_have_count(concept["bodies"])
    first = cards.first.locator("h3 a")
    name = first.inner_text()
    first.click()
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("ol.timeline li, p.unknown").first).to_be_visible()
    assert errors == []


def test_match_from_the_search_box_shows_cards_with_why(page: Page, errors, live_server):
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="产业匹配").click()
    page.get_by_label("描述").fill(EVTOL)
    page.get_by_role("button", name="匹配").click()
    expected = _json(f"{live_server}/match?" + urlencode({"text": EVTOL}))
    industries = page.locator("article.industry-card")
    expect(industries).to_have_count(len(expected["industries"]))
    expect(industries.first.locator("h3")).to_have_text(expected["industries"][0]["label"]["zh"])
    centers = page.locator("article.body-card")
    expect(centers).to_have_count(len(expected["centers"]))
    expect(centers.first.locator("dd.why")).to_have_text("；".join(expected["centers"][0]["why_zh"]))
    # A matched industry leads to the explorer, with the bodies that serve it.
    industries.first.locator("h3 a").click()
    expect(page.locator("h2#bodies-heading")).to_contain_text(expected["industries"][0]["label"]["zh"])
    assert errors == []


def test_calendar_filters_by_status(page: Page, errors, live_server):
    page.goto(f"{live_server}/ui/calendar?today=2026-11-21")
    page.get_by_label("状态").select_option("overdue")
    page.get_by_role("button", name="筛选").click()
    expected = _json(f"{live_server}/obligations?today=2026-11-21&status=overdue")
    rows = page.locator("table.calendar tbody tr")
    expect(rows).to_have_count(expected["total"])
    for badge in rows.locator("span.badge").all():
        expect(badge).to_have_text("已逾期")
    assert errors == []


def test_language_switch_holds_across_pages(page: Page, errors, live_server):
    page.goto(f"{live_server}/ui/sparql")
    expect(page.locator("h1")).to_have_text("查询工作台")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Query workbench")
    page.get_by_role("link", name="Industry explorer").click()  # the cookie keeps English
    expect(page.locator("h1")).to_have_text("Industry explorer")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("产业浏览")
    assert errors == []


# --- the validation page -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def graph_validated(live_server) -> dict:
    """The built graph's report, asked for once before the page is: the page shows it, and the
    first whole-graph validation takes longer than a page load is given."""
    with urllib.request.urlopen(urllib.request.Request(f"{live_server}/validate", headers={"Accept": "application/json"}),
                                timeout=600) as r:
        return json.load(r)


def _post_report(base: str, body: str, media: str) -> dict:
    request = urllib.request.Request(f"{base}/validate", data=body.encode(), method="POST",
                                     headers={"Content-Type": media, "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as r:
        return json.load(r)


def test_broken_upload_shows_focus_clause_and_message(page: Page, errors, live_server, graph_validated, tmp_path):
    from test_webui_validate import BROKEN_ID, broken_record

    body = broken_record()
    expected = _post_report(live_server, body, "application/yaml")
    hit = next(r for r in expected["results"] if r["severity"] == "Violation" and r["focusNode"].endswith(f"/body/{BROKEN_ID}"))
    page.goto(f"{live_server}/")
    page.get_by_role("link", name="数据校验").click()
    expect(page.locator("h1")).to_have_text("数据校验")
    expect(page.locator("section.graph-status dd.n-violations")).to_have_text(str(graph_validated["counts"]["Violation"]))
    page.get_by_label("上传文件").set_input_files({"name": "broken.yaml", "mimeType": "application/yaml", "buffer": body.encode()})
    page.get_by_role("button", name="校验").click()
    report = page.locator("section.upload-report")
    expect(report.locator("div.summary")).to_have_text(expected["summary"]["zh"])
    row = report.locator("tr", has=page.locator("td.message", has_text=hit["message"]["zh"])).first
    expect(row.locator("td.focus a")).to_have_text(hit["focusLabel"]["zh"])
    expect(row.locator("td.focus a")).to_have_attribute("href", f"/id/body/{BROKEN_ID}")
    clause = hit["clauses"][0]["label"]["zh"]
    group = report.locator("section.clause-group", has=page.locator("h4", has_text=clause)).first
    expect(group.locator("td.message").filter(has_text=hit["message"]["zh"])).to_have_count(1)
    expect(page.get_by_label("或粘贴文本")).to_have_value(body)  # the file's text is kept for fixing
    _shot(page, "validate-zh", tmp_path)
    assert errors == []


def test_malformed_turtle_shows_line_and_column_and_keeps_the_text(page: Page, errors, live_server, graph_validated):
    from test_webui_validate import BAD_TURTLE

    page.goto(f"{live_server}/ui/validate")
    page.get_by_label("或粘贴文本").fill(BAD_TURTLE)
    page.get_by_label("格式").select_option("turtle")
    page.get_by_role("button", name="校验").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("第 3 行")
    expect(alert).to_contain_text("列")
    expect(page.locator("pre.excerpt")).to_contain_text(BAD_TURTLE.splitlines()[2].strip())
    expect(page.get_by_label("或粘贴文本")).to_have_value(BAD_TURTLE)
    expect(page.get_by_label("格式")).to_have_value("turtle")
    expect(page.locator("section.upload-report")).to_have_count(0)
    # The page is answered with 400 (the browser logs that status), and nothing else went wrong.
    assert [e for e in errors if "status of 400" not in e] == [] and len(errors) == 1


def test_validation_page_switches_language(page: Page, errors, live_server, graph_validated):
    page.goto(f"{live_server}/ui/validate")
    expect(page.locator("section.graph-status p.summary")).to_have_text(graph_validated["summary"]["zh"])
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Validation")
    expect(page.locator("section.graph-status p.summary")).to_have_text(graph_validated["summary"]["en"])
    expect(page.get_by_role("button", name="Validate")).to_be_visible()
    page.get_by_role("link", name="中文").click()
    expect(page.locator("h1")).to_have_text("数据校验")
    assert errors == []
