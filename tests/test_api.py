"""The API: the SPARQL endpoint (GET, POST form, POST sparql-query), negotiation, refusals, health,
and `qigraph serve` answering a real HTTP client."""

import json
import urllib.parse
import urllib.request

import pytest
from fastapi.testclient import TestClient

from qigraph.api.app import create_app
from qigraph.config import Settings

TASKS = "PREFIX qi: <https://w3id.org/qigraph/ontology#> SELECT ?n ?text WHERE { ?t qi:taskNumber ?n ; qi:taskText ?text } ORDER BY ?n"


@pytest.fixture(scope="module")
def client(api):
    """The contract suite: every test here runs on each backend (see conftest.BACKENDS)."""
    return api


def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    if body["triples"] is None:  # a remote endpoint is asked whether it holds anything, not counted
        assert body["nonempty"] is True
    else:
        assert body["triples"] > 10000


def test_get_post_form_and_post_query_agree(client):
    a = client.get("/sparql", params={"query": TASKS}, headers={"Accept": "application/sparql-results+json"})
    b = client.post("/sparql", data={"query": TASKS}, headers={"Accept": "application/sparql-results+json"})
    c = client.post("/sparql", content=TASKS.encode(), headers={"Content-Type": "application/sparql-query",
                                                               "Accept": "application/sparql-results+json"})
    assert a.status_code == b.status_code == c.status_code == 200
    assert a.json() == b.json() == c.json()
    rows = a.json()["results"]["bindings"]
    assert len(rows) == 74 and rows[6]["text"]["value"].startswith("加快建设国家汽车芯片质检中心")


@pytest.mark.parametrize("accept, ctype, probe", [
    ("text/csv", "text/csv", "n,text"),
    ("text/tab-separated-values", "text/tab-separated-values", "?n\t?text"),
    ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
    ("text/html,*/*;q=0.8", "application/sparql-results+json", '"bindings"'),
])
def test_result_negotiation(client, accept, ctype, probe):
    r = client.get("/sparql", params={"query": TASKS}, headers={"Accept": accept})
    assert r.headers["content-type"].startswith(ctype)
    assert probe in r.text


def test_construct_as_turtle_and_format_parameter(client):
    q = "CONSTRUCT WHERE { <https://w3id.org/qigraph/id/agency/sh-science-technology> ?p ?o }"
    r = client.get("/sparql", params={"query": q, "format": "turtle"})
    assert r.headers["content-type"].startswith("text/turtle") and "市科委" in r.text
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/ld+json"})
    assert json.loads(r.text)


def test_updates_are_refused_every_way(client):
    update = "INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }"
    before = client.app.state.store.triple_count()
    assert client.get("/sparql", params={"update": update}).status_code == 400
    assert client.post("/sparql", data={"update": update}).status_code == 400
    r = client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 415 and r.headers["content-type"] == "application/problem+json"
    r = client.post("/sparql", data={"query": update})
    assert r.status_code == 400
    assert client.app.state.store.triple_count() == before


def test_errors_are_problem_details_naming_line_and_column(client):
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y }"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 400 and "line 2, column" in problem["detail"]
    assert client.get("/sparql").json()["title"] == "Missing query"


def test_qigraph_serve_answers_a_select_over_the_tasks(live_server):
    req = urllib.request.Request(f"{live_server}/sparql?" + urllib.parse.urlencode({"query": TASKS}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert len(json.load(resp)["results"]["bindings"]) == 74


def test_sparqlwrapper_works_unchanged(live_server):
    from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper

    sw = SPARQLWrapper(f"{live_server}/sparql")
    sw.setQuery(TASKS)
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert len(rows) == 74
    sw.setMethod(POST)
    sw.setReturnFormat(CSV)
    assert sw.query().convert().decode().splitlines()[0] == "n,text"
    sw.setQuery("CONSTRUCT WHERE { <https://w3id.org/qigraph/id/agency/sh-science-technology> ?p ?o }")
    sw.setReturnFormat(TURTLE)
    assert "市科委" in sw.query().convert().decode()


def test_rdflib_sparqlstore_works_unchanged(live_server):
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(f"{live_server}/sparql", returnFormat="json"))
    rows = list(g.query(TASKS))
    assert len(rows) == 74 and int(rows[0][0]) == 1
    assert bool(g.query("ASK { ?s a <https://w3id.org/qigraph/ontology#Task> }").askAnswer) is True


def test_dataset_parameters(client):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    whole = client.get("/sparql", params={"query": q}).json()["results"]["bindings"][0]["n"]["value"]
    empty = client.get("/sparql", params={"query": q, "default-graph-uri": "urn:x-qigraph:none"}).json()
    assert int(whole) > 10000 and empty["results"]["bindings"][0]["n"]["value"] == "0"
    assert client.get("/sparql", params={"query": q, "default-graph-uri": "not an iri"}).status_code == 400


def test_a_body_that_is_not_utf8_is_a_clear_400(client):
    r = client.post("/sparql", content="SELECT * WHERE { ?s ?p \"中\" }".encode("gbk"),
                    headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.json()["detail"]
