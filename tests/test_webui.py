"""The web interface over HTTP (no browser): home page, language choice, query workbench and
named queries, industry explorer, body pages, ontology documentation. Pages are read as HTML
and compared with what the JSON API and SPARQL say about the same graph."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import unquote, urlencode

import pytest
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from webpage import parse, table_rows

from qigraph import catalog
from qigraph.config import Settings
from qigraph.matching.matcher import MAX_TEXT

HTML = {"Accept": "text/html"}
JSON_RESULTS = {"Accept": "application/sparql-results+json"}


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path))) as c:
        yield c


def page(client, url: str, status: int = 200, *, keep_cookies: bool = False, **kw):
    """GET a page as a browser; by default as a first visit (no language cookie from earlier tests)."""
    if not keep_cookies:
        client.cookies.clear()
    r = client.get(url, headers={**HTML, **kw.pop("headers", {})}, **kw)
    assert r.status_code == status, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    return parse(r.text)


# --- home and language ---------------------------------------------------------------------------

def test_home_is_html_for_browsers_and_json_for_clients(client):
    doc = page(client, "/")
    assert doc.find("html").attrs["lang"] == "zh-Hans"
    assert doc.find("h1").text == "上海质量基础设施知识图谱"
    stats = doc.find("p", cls="stats").find_all("strong")
    bodies = client.get("/centers", params={"limit": 1}).json()["total"]
    assert int(stats[0].text) == bodies
    assert client.get("/").json()["sparql"] == "/sparql"
    assert client.get("/", headers={"Accept": "application/json"}).json()["sparql"] == "/sparql"


def test_language_from_query_cookie_and_accept_language(store_path):
    with TestClient(create_app(Settings(store=store_path))) as c:
        def lang_of(url="/ui/sparql", **headers):
            return page(c, url, keep_cookies=True, headers=headers).find("html").attrs["lang"]

        assert lang_of() == "zh-Hans"
        assert lang_of(**{"Accept-Language": "en-US,en;q=0.9"}) == "en"
        assert lang_of(**{"Accept-Language": "fr,zh-CN;q=0.5,en;q=0.3"}) == "zh-Hans"
        r = c.get("/ui/sparql?lang=en", headers=HTML)
        assert r.cookies.get("lang") == "en" and parse(r.text).find("h1").text == "Query workbench"
        # The cookie now chooses English, even against the browser's preference…
        assert lang_of(**{"Accept-Language": "zh-CN"}) == "en"
        # …until the switch link is followed back to Chinese.
        switch = page(c, "/ui/sparql", keep_cookies=True).find("a", cls="lang")
        assert switch.text == "中文" and "lang=zh" in switch.attrs["href"]
        assert page(c, switch.attrs["href"], keep_cookies=True).find("h1").text == "查询工作台"
        assert c.cookies.get("lang") == "zh" and lang_of() == "zh-Hans"


def test_switch_link_keeps_the_query(client):
    doc = page(client, "/ui/queries/tasks-by-agency?" + urlencode({"agency": "市科委"}))
    href = doc.find("a", cls="lang").attrs["href"]
    assert href.startswith("/ui/queries/tasks-by-agency?") and "agency=%E5%B8%82%E7%A7%91%E5%A7%94" in href and "lang=en" in href


# --- workbench -------------------------------------------------------------------------------------

def _sparql_json(client, query: str) -> dict:
    return client.get("/sparql", params={"query": query}, headers=JSON_RESULTS).json()


def test_workbench_runs_a_query_and_links_iris(client):
    query = ("PREFIX qi: <https://w3id.org/qigraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?agency ?label WHERE { ?agency a qi:Agency ; rdfs:label ?label FILTER(LANG(?label) = 'zh') } ORDER BY ?label")
    doc = page(client, "/ui/sparql?" + urlencode({"query": query}))
    head, rows = table_rows(doc)
    expected = _sparql_json(client, query)["results"]["bindings"]
    assert head == ["agency", "label"] and len(rows) == len(expected)
    assert int(doc.find("span", cls="count").attrs["data-rows"]) == len(expected)
    for cells, b in zip(rows, expected):
        link = cells[0].find("a")
        assert link.attrs["href"] == "/id/" + b["agency"]["value"].removeprefix("https://w3id.org/qigraph/id/")
        assert cells[1].find("span", cls="lit").text == b["label"]["value"]
    assert "毫秒" in doc.find("span", cls="elapsed").text
    assert doc.find("figure", cls="chart") is None  # no count, no chart
    # The textarea keeps the query, so the page works without JavaScript.
    assert doc.find("textarea", id="query").text == query


def test_workbench_downloads_are_the_same_result(client):
    query = "PREFIX qi: <https://w3id.org/qigraph/ontology#> SELECT ?n WHERE { ?t qi:taskNumber ?n } ORDER BY ?n"
    doc = page(client, "/ui/sparql?" + urlencode({"query": query}))
    links = {a.text: a.attrs for a in doc.find_all("a", cls="download")}
    assert set(links) == {"CSV", "JSON"} and links["CSV"]["download"] == "qigraph-results.csv"
    r = client.get(links["CSV"]["href"])
    assert r.headers["content-type"].startswith("text/csv")
    numbers = [row["n"] for row in csv.DictReader(io.StringIO(r.text))]
    assert numbers == [c[0].text for c in table_rows(doc)[1]] and len(numbers) == 74
    assert len(client.get(links["JSON"]["href"]).json()["results"]["bindings"]) == 74


def test_workbench_ask_and_construct(client):
    ask = page(client, "/ui/sparql?" + urlencode({"query": "ASK { ?s a <https://w3id.org/qigraph/ontology#Task> }"}))
    assert "true" in ask.find("p", cls="boolean").text
    doc = page(client, "/ui/sparql?" + urlencode({"query": "CONSTRUCT { ?s a ?t } WHERE { ?s a ?t } LIMIT 2"}))
    assert "@prefix" in doc.find("pre", cls="turtle").text


@pytest.mark.parametrize("query, status, words, words_zh", [
    ("SELECT * WHERE { ?s ?p }", 400, "syntax error", "语法错误"),
    ("DELETE WHERE { ?s ?p ?o }", 400, "read-only", "只读"),
])
def test_workbench_reports_bad_queries_on_the_page(client, query, status, words, words_zh):
    doc = page(client, "/ui/sparql?" + urlencode({"query": query}), status=status)
    alert = doc.find(role="alert")
    assert alert is not None and words in alert.text
    # The headline is in the page's language; the engine's own words follow, marked as English.
    assert words_zh in alert.text and words in alert.find("span", lang="en").text
    en = page(client, "/ui/sparql?" + urlencode({"query": query, "lang": "en"}), status=status).find(role="alert")
    assert words_zh not in en.text and words in en.text
    assert doc.find("textarea", id="query").text == query  # kept for fixing


def test_workbench_offers_the_catalog_and_the_editor(client):
    doc = page(client, "/ui/sparql")
    links = [a.attrs["href"] for a in doc.find("nav", cls="catalog").find_all("a")]
    assert len(links) == len(client.get("/queries").json())
    assert "/ui/queries/tasks-by-agency?agency=%E5%B8%82%E7%A7%91%E5%A7%94" in links
    scripts = [s.attrs.get("src", "") for s in doc.find_all("script")]
    editor = next(s for s in scripts if "codemirror" in s)
    assert client.get(editor).status_code == 200
    assert "PREFIX qi:" in doc.find("textarea", id="query").text  # the project's prefixes, ready


def test_editor_bundle_ships_with_its_licence_and_recipe():
    folder = catalog.static_dir() / "vendor" / "codemirror"
    licence = (folder / "LICENSE").read_text(encoding="utf-8")
    assert "@codemirror/view" in licence and "Permission is hereby granted" in licence
    assert "npm ci" in (folder / "README.md").read_text(encoding="utf-8")
    assert (folder / "codemirror-sparql.min.js").read_text(encoding="utf-8").startswith("/* qigraph SPARQL editor")


# --- named queries --------------------------------------------------------------------------------

def test_named_query_with_count_per_label_draws_a_bar_chart(client):
    doc = page(client, "/ui/queries/agencies-by-task-count")
    expected = client.get("/queries/agencies-by-task-count", headers=JSON_RESULTS).json()["results"]["bindings"]
    head, rows = table_rows(doc)
    assert head == ["agency", "label", "tasks"] and len(rows) == len(expected)
    svg = doc.find("figure", cls="chart").find("svg")
    assert svg.attrs["role"] == "img"
    bars = svg.find_all("g", cls="bar")
    assert len(bars) == len(expected)
    widths = [float(g.find("rect").attrs["width"]) for g in bars]
    values = [int(b["tasks"]["value"]) for b in expected]
    # Bars are proportional to the counts, the longest for the largest.
    assert widths.index(max(widths)) == values.index(max(values))
    assert all(abs(w / max(widths) - v / max(values)) < 0.01 for w, v in zip(widths, values))
    first = bars[0]
    assert first.find("text", cls="value").text == expected[0]["tasks"]["value"]
    assert first.find("a").attrs["href"] == "/id/" + expected[0]["agency"]["value"].removeprefix("https://w3id.org/qigraph/id/")


def test_named_query_parameter_form_binds_the_value(client):
    doc = page(client, "/ui/queries/tasks-by-agency?" + urlencode({"agency": "市科委"}))
    field = doc.find("input", id="param-agency")
    assert field.attrs["value"] == "市科委" and doc.find("label", for_="param-agency") is not None
    expected = client.get("/queries/tasks-by-agency", params={"agency": "市科委"}, headers=JSON_RESULTS).json()
    assert len(table_rows(doc)[1]) == len(expected["results"]["bindings"]) > 0
    csv_link = next(a for a in doc.find_all("a", cls="download") if a.text == "CSV")
    assert len(list(csv.DictReader(io.StringIO(client.get(csv_link.attrs["href"]).text)))) == len(expected["results"]["bindings"])


def test_named_query_waits_for_its_parameters_and_explains_bad_ones(client):
    doc = page(client, "/ui/queries/tasks-by-agency")
    assert doc.find("section", cls="results") is None and doc.find("input", id="param-agency").attrs["placeholder"] == "市科委"
    bad = page(client, "/ui/queries/clauses-by-duration?duration=two-years", status=400)
    assert "ISO 8601 duration" in bad.find(role="alert").text and "参数值不符合要求" in bad.find(role="alert").text
    page(client, "/ui/queries/no-such-query", status=404)


# --- industry explorer and body pages -------------------------------------------------------------

def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n["narrower"])


def test_industry_trees_show_every_concept_with_its_count(client):
    schemes = client.get("/industries").json()["schemes"]
    doc = page(client, "/ui/industries")
    summaries = [s.text for s in doc.find_all("summary")]
    assert summaries == [s["label_zh"] for s in schemes]
    shown = {unquote(a.attrs["href"].split("concept=", 1)[1]): a for a in doc.find("nav", cls="schemes").find_all("a")}
    concepts = [n for s in schemes for n in _walk(s["top"])]
    assert len(shown) == len(concepts)
    for n in concepts:
        link = shown[n["iri"]]
        assert link.text == n["label_zh"]
        assert link.parent.find("span", cls="n").text == f"({n['bodies']})"


def test_choosing_an_industry_lists_its_bodies_as_cards(client):
    concepts = [n for s in client.get("/industries").json()["schemes"] for n in _walk(s["top"])]
    busiest = max(concepts, key=lambda n: n["bodies"])
    expected = client.get("/centers", params={"industry": busiest["iri"], "limit": 500}).json()["items"]
    doc = page(client, "/ui/industries?" + urlencode({"concept": busiest["iri"]}))
    cards = doc.find_all("article", cls="body-card")
    assert len(cards) == len(expected) == busiest["bodies"]
    assert [c.find("h3").text for c in cards] == [b["label"]["zh"] for b in expected]
    for card, body in zip(cards, expected):
        assert card.find("h3").find("a").attrs["href"] == f"/ui/bodies/{body['id']}"
        assert len(card.find_all("a", cls="source")) == len(body["sources"])
        hosts = card.find("dd").text
        assert all(h["label_zh"] in hosts for h in body["hosts"]) if body["hosts"] else "承建单位不详" in hosts
    assert doc.find("a", aria_current="true").text == busiest["label_zh"]
    page(client, "/ui/industries?concept=https://w3id.org/qigraph/id/industry/none/such", status=404)


def test_cards_speak_english_when_asked(client):
    concepts = [n for s in client.get("/industries").json()["schemes"] for n in _walk(s["top"])]
    busiest = max(concepts, key=lambda n: n["bodies"])
    doc = page(client, "/ui/industries?" + urlencode({"concept": busiest["iri"], "lang": "en"}))
    assert doc.find("h2", id="bodies-heading").text.startswith(f"Bodies serving “{busiest['label_en']}”")
    states = {b.text for c in doc.find_all("article", cls="body-card") for b in c.find_all("span", cls="badge")}
    assert states & {"Established", "In preparation", "State unknown"}
    assert not states & {"已成立", "筹建中", "状态不明"}


_DATED = """PREFIX qi: <https://w3id.org/qigraph/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?b (COUNT(DISTINCT ?e) AS ?events) (COUNT(DISTINCT ?t) AS ?tasks) WHERE {
  ?b qi:hasEvent ?e . ?e dcterms:date ?d . ?t qi:concernsBody ?b } GROUP BY ?b ORDER BY DESC(?events) DESC(?tasks) ?b LIMIT 1"""


def test_body_page_has_its_lifecycle_tasks_and_clauses(client):
    row = _sparql_json(client, _DATED)["results"]["bindings"][0]
    body_id = row["b"]["value"].rsplit("/", 1)[1]
    doc = page(client, f"/ui/bodies/{body_id}")
    assert doc.find("h1").text == client.get(f"/centers/{body_id}").json()["label"]["zh"]
    events = doc.find("ol", cls="timeline").find_all("li")
    dates = [li.find("time").attrs["datetime"] for li in events if li.find("time")]
    assert len(dates) == int(row["events"]["value"]) and dates == sorted(dates)
    tasks = _sparql_json(client, f"""PREFIX qi: <https://w3id.org/qigraph/ontology#>
        SELECT ?n WHERE {{ ?t qi:concernsBody <{row['b']['value']}> ; qi:taskNumber ?n }} ORDER BY ?n""")["results"]["bindings"]
    shown = doc.find("ul", cls="tasks").find_all("a")
    assert tasks and [a.text for a in shown] == [f"任务 {b['n']['value']}" for b in tasks]
    assert all(client.get(a.attrs["href"], headers=HTML).status_code == 200 for a in shown)
    assert doc.find("a", href=f"/id/body/{body_id}") is not None


def test_body_page_of_a_program_lists_its_requirements_with_clauses(client):
    rows = _sparql_json(client, """PREFIX qi: <https://w3id.org/qigraph/ontology#>
        SELECT ?b (COUNT(DISTINCT ?req) AS ?n) WHERE { ?b a ?k . ?p qi:forBodyClass ?k . ?req qi:appliesTo ?p }
        GROUP BY ?b ORDER BY ?b LIMIT 1""")["results"]["bindings"]
    body_id = rows[0]["b"]["value"].rsplit("/", 1)[1]
    doc = page(client, f"/ui/bodies/{body_id}")
    items = doc.find("ul", cls="requirements").find_all("li")
    assert len(items) == int(rows[0]["n"]["value"])
    assert all(li.find_all("a")[1].attrs["href"].startswith("/id/doc/") for li in items)


def test_unknown_body_page_is_404_html(client):
    doc = page(client, "/ui/bodies/no-such-body", status=404)
    assert "no-such-body" in doc.find(role="alert").text and "没有机构" in doc.find(role="alert").text
    en = page(client, "/ui/bodies/no-such-body?lang=en", status=404)
    assert "no-such-body" in en.find(role="alert").text and "没有" not in en.find(role="alert").text


# --- ontology documentation -----------------------------------------------------------------------

QI = "https://w3id.org/qigraph/ontology#"


def test_ontology_index_lists_every_term_with_its_usage(client, graph):
    doc = page(client, "/ui/ontology")
    for kind, owl_type in (("class", "Class"), ("object-property", "ObjectProperty"), ("datatype-property", "DatatypeProperty")):
        expected = {str(r.t) for r in graph.query(f"""PREFIX owl: <http://www.w3.org/2002/07/owl#>
            SELECT ?t WHERE {{ ?t a owl:{owl_type} FILTER(STRSTARTS(STR(?t), "{QI}")) }}""")}
        section = doc.find("section", aria_labelledby=kind)
        shown = {a.text.replace("qi:", QI) for a in section.find("tbody").find_all("a")}
        assert shown == expected
    task_row = next(tr for tr in doc.find_all("tr") if tr.find("a", href="/ui/ontology/Task"))
    tasks = _sparql_json(client, f"SELECT (COUNT(?t) AS ?n) WHERE {{ ?t a <{QI}Task> }}")["results"]["bindings"][0]["n"]["value"]
    assert task_row.find("td", cls="num").text == tasks


def test_property_page_has_domain_range_and_usage(client, graph):
    doc = page(client, "/ui/ontology/responsibleAgency")
    zh = next(str(o) for o in graph.objects(graph.namespace_manager.expand_curie("qi:responsibleAgency"),
                                             graph.namespace_manager.expand_curie("rdfs:label")) if o.language == "zh")
    assert doc.find("h1").text.startswith(zh)
    facts = {tr.find("th").text: tr.find("td") for tr in doc.find("table", cls="term-facts").find_all("tr")}
    domain = {str(o) for o in graph.objects(graph.namespace_manager.expand_curie("qi:responsibleAgency"),
                                             graph.namespace_manager.expand_curie("rdfs:domain"))}
    assert {a.attrs["href"] for a in facts["定义域"].find_all("a")} == {"/ui/ontology/" + d.removeprefix(QI) for d in domain}
    assert facts["值域"].find("a").attrs["href"] == "/ui/ontology/Agency"
    used = int(facts["使用数"].attrs["data-count"])
    expected = _sparql_json(client, f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s <{QI}responsibleAgency> ?o }}")["results"]["bindings"][0]
    assert used == int(expected["n"]["value"]) > 0
    # The "query its use" link opens the workbench with a query returning exactly those statements.
    runs = page(client, facts["使用数"].find("a").attrs["href"])
    assert int(runs.find("span", cls="count").attrs["data-rows"]) == used


def test_class_page_has_hierarchy_and_english(client):
    doc = page(client, "/ui/ontology/QualityInfrastructureBody?lang=en")
    assert doc.find("html").attrs["lang"] == "en" and doc.find("h1").text.startswith("Quality infrastructure body")
    facts = {tr.find("th").text: tr.find("td") for tr in doc.find("table", cls="term-facts").find_all("tr")}
    assert "/ui/ontology/TestBase" in {a.attrs["href"] for a in facts["Subclasses"].find_all("a")}
    bodies = client.get("/centers", params={"limit": 1}).json()["total"]
    assert int(facts["Usage"].attrs["data-count"]) == bodies
    page(client, "/ui/ontology/NoSuchTerm", status=404)


def test_resource_pages_link_to_the_ontology_docs_and_body_pages(client):
    body_id = client.get("/centers", params={"limit": 1}).json()["items"][0]["id"]
    doc = page(client, f"/id/body/{body_id}")
    predicate_links = {a.attrs["href"] for a in doc.find_all("th") for a in a.find_all("a")}
    assert "/ui/ontology/servesIndustry" in predicate_links and "/ui/ontology/state" in predicate_links
    assert all(client.get(h, headers=HTML).status_code == 200 for h in predicate_links if h.startswith("/ui/ontology/"))
    assert doc.find("a", href=f"/ui/bodies/{body_id}") is not None
    object_links = {a.attrs["href"] for td in doc.find_all("td") for a in td.find_all("a")}
    assert any(h.startswith("/ui/ontology/") for h in object_links)  # its kind and state are ontology terms


# --- matching and the reporting calendar ----------------------------------------------------------

EVTOL = "五座电动垂直起降载人飞行器"
# The matcher's English reasons and messages are prose; none may show on a Chinese page.
ENGLISH_PROSE = re.compile(r"[A-Za-z]{2,}[ ,]+[A-Za-z]{2,}")  # two English words in a row: prose, not a key


def test_match_page_shows_industries_and_centers_with_why(client):
    expected = client.get("/match", params={"text": EVTOL, "limit": 10}).json()
    assert expected["industries"] and expected["centers"]
    doc = page(client, "/ui/match?" + urlencode({"text": EVTOL}))
    assert doc.find("textarea", id="text").text == EVTOL
    industries = doc.find_all("article", cls="industry-card")
    assert [c.find("h3").text for c in industries] == [i["label"]["zh"] for i in expected["industries"]]
    for card, hit in zip(industries, expected["industries"]):
        assert card.find("dd", cls="why").text == "；".join(hit["why_zh"])
        assert card.find("h3").find("a").attrs["href"].startswith("/ui/industries?concept=")
    centers = doc.find_all("article", cls="body-card")
    assert [c.find("h3").text for c in centers] == [h["label"]["zh"] for h in expected["centers"]]
    for card, hit in zip(centers, expected["centers"]):
        assert card.find("dd", cls="why").text == "；".join(hit["why_zh"])
        assert client.get(card.find("h3").find("a").attrs["href"], headers=HTML).status_code == 200
    assert doc.find("p", cls="match-message").text.startswith(expected["message_zh"])


def test_match_page_reasons_are_chinese_in_chinese_and_english_in_english(client):
    expected = client.get("/match", params={"text": EVTOL, "limit": 10}).json()
    zh = page(client, "/ui/match?" + urlencode({"text": EVTOL}))
    en = page(client, "/ui/match?" + urlencode({"text": EVTOL, "lang": "en"}))
    def reasons(doc):
        lists = [n for cls in ("tasks", "clauses") for n in doc.find_all("ul", cls=cls)]
        return [n.text for n in doc.find_all("dd", cls="why")] + [s.text for ul in lists for s in ul.find_all("span", cls="meta")]

    reasons_zh, reasons_en = reasons(zh), reasons(en)
    assert len(reasons_zh) == len(reasons_en) > len(expected["centers"])
    for text in reasons_zh:
        assert not ENGLISH_PROSE.search(text), text
    assert all(ENGLISH_PROSE.search(text) for text in reasons_en)
    tasks_en = [n.text for n in en.find("ul", cls="tasks").find_all("span", cls="meta")]
    assert tasks_en == ["— " + "; ".join(t["why"]) for t in expected["tasks"]]
    tasks_zh = [n.text for n in zh.find("ul", cls="tasks").find_all("span", cls="meta")]
    assert tasks_zh == ["— " + "；".join(t["why_zh"]) for t in expected["tasks"]]
    code = page(client, "/ui/match?code=C3742").find("section", aria_labelledby="codes-heading").text
    assert "对应" in code and "maps to" not in code
    bad = page(client, "/ui/match?code=X1", status=422).find(role="alert").text
    assert "不是 GB/T 4754-2017 行业代码" in bad


def test_match_page_by_code_and_bad_input(client):
    doc = page(client, "/ui/match?code=C3742")
    assert "C3742" in doc.find("section", aria_labelledby="codes-heading").text
    blank = page(client, "/ui/match")
    assert blank.find("section", aria_labelledby="industries-heading") is None
    too_long = page(client, "/ui/match?" + urlencode({"text": "飞" * (MAX_TEXT + 1)}), status=422)
    assert too_long.find(role="alert") is not None


TODAY = "2026-11-21"


def test_calendar_lists_every_obligation_needing_attention_first(client):
    expected = client.get("/obligations", params={"today": TODAY, "limit": 1000}).json()
    doc = page(client, f"/ui/calendar?today={TODAY}")
    rows = doc.find("table", cls="calendar").find("tbody").find_all("tr")
    assert len(rows) == expected["total"] > 0
    statuses = [tr.attrs["class"].removeprefix("status-") for tr in rows]
    overdue = sum(1 for i in expected["items"] if i["status"] == "overdue")
    assert overdue and statuses[:overdue] == ["overdue"] * overdue
    assert sorted(statuses) == sorted(i["status"] for i in expected["items"])
    first = rows[0]
    assert first.find("a").attrs["href"].startswith("/ui/bodies/")
    assert first.find("a", cls="clause").attrs["href"].startswith("/id/doc/")


def test_calendar_filters_and_reports_bad_input(client):
    expected = client.get("/obligations", params={"today": TODAY, "status": "upcoming", "limit": 1000}).json()
    doc = page(client, f"/ui/calendar?today={TODAY}&status=upcoming")
    rows = doc.find("table", cls="calendar").find("tbody").find_all("tr")
    assert len(rows) == expected["total"] > 0
    dues = [tr.find("time").attrs["datetime"] for tr in rows]
    assert dues == sorted(dues)
    body = expected["items"][0]["body"]["id"]
    one = page(client, f"/ui/calendar?today={TODAY}&body={body}")
    mine = client.get("/obligations", params={"today": TODAY, "body": body}).json()["total"]
    assert len(one.find("table", cls="calendar").find("tbody").find_all("tr")) == mine
    assert "YYYY-MM-DD" in page(client, "/ui/calendar?today=21/11/2026", status=400).find(role="alert").text
    page(client, "/ui/calendar?body=no-such-body", status=404)


def test_calendar_in_chinese_has_no_english_prose_and_english_has_it(client):
    zh = page(client, f"/ui/calendar?today={TODAY}").find("table", cls="calendar").find("tbody")
    en = page(client, f"/ui/calendar?today={TODAY}&lang=en").find("table", cls="calendar").find("tbody")
    zh_cells = [td.text for tr in zh.find_all("tr") for td in tr.find_all("td")]
    en_notes = [td.text for td in en.find_all("td", cls="note")]
    assert zh_cells and not [c for c in zh_cells if ENGLISH_PROSE.search(c)]
    assert en_notes and any(ENGLISH_PROSE.search(n) for n in en_notes)
