"""The API: the SPARQL endpoint (GET, POST form, POST sparql-query), negotiation, refusals, health,
and `qigraph serve` answering a real HTTP client."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from fastapi.testclient import TestClient

from qigraph.api.app import create_app
from qigraph.config import Settings

TASKS = "PREFIX qi: <https://w3id.org/qigraph/ontology#> SELECT ?n ?text WHERE { ?t qi:taskNumber ?n ; qi:taskText ?text } ORDER BY ?n"


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path))) as c:
        yield c


def test_health(client):
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["triples"] > 10000


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
    assert client.get("/sparql", params={"update": update}).status_code == 400
    assert client.post("/sparql", data={"update": update}).status_code == 400
    r = client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 415 and r.headers["content-type"] == "application/problem+json"
    r = client.post("/sparql", data={"query": update})
    assert r.status_code == 400
    assert client.get("/health").json()["triples"] == client.app.state.store.triple_count()


def test_errors_are_problem_details_naming_line_and_column(client):
    r = client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y }"})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 400 and "line 2, column" in problem["detail"]
    assert client.get("/sparql").json()["title"] == "Missing query"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_qigraph_serve_answers_a_select_over_the_tasks(store_path):
    port = _free_port()
    env = dict(os.environ, QIGRAPH_STORE=store_path)
    proc = subprocess.Popen([sys.executable, "-m", "qigraph.cli", "serve", "--port", str(port), "--log-level", "warning"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(proc.stderr.read().decode()) from None
                time.sleep(0.1)
        req = urllib.request.Request(f"{url}/sparql?" + urllib.parse.urlencode({"query": TASKS}),
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert len(json.load(resp)["results"]["bindings"]) == 74
    finally:
        proc.terminate()
        proc.wait(timeout=10)
