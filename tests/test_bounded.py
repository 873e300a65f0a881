"""Read-only and bounded: updates and SERVICE refused from the parsed query, a time limit that
really stops a query while the server stays healthy, and a result-size cap."""

import pytest
from fastapi.testclient import TestClient

from qigraph.api.app import create_app
from qigraph.config import Settings
from qigraph.store.bounded import BoundedStore, QueryTimeout, ResultTooLarge
from qigraph.store.guard import ForbiddenQuery, check_query

EXPLODING = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
UPDATES = ["INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }",
           "DELETE WHERE { ?s ?p ?o }", "LOAD <http://127.0.0.1:9/x.ttl>", "CLEAR ALL", "DROP ALL",
           "PREFIX ex: <http://example.org/> INSERT { ?s ex:p 1 } WHERE { ?s ?p ?o }"]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_from_the_parsed_text(update):
    with pytest.raises(ForbiddenQuery, match="read-only"):
        check_query(update)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://10.0.0.1/sparql> { ?s ?q ?r } } }",
    "select * where { service <http://169.254.169.254/> { ?s ?p ?o } }",
])
def test_service_is_refused_unless_allowed(query):
    with pytest.raises(ForbiddenQuery, match="not allowed"):
        check_query(query)


def test_an_allowed_service_passes_the_guard():
    check_query("SELECT * WHERE { SERVICE <https://query.example.org/sparql> { ?s ?p ?o } }",
                allowed_services=("https://query.example.org/sparql",))


def test_an_unparseable_query_mentioning_service_is_refused():
    with pytest.raises(ForbiddenQuery, match="SERVICE"):
        check_query("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } LATERAL {} }")


@pytest.fixture(scope="module")
def bounded(store_path):
    s = BoundedStore(store_path, workers=2, timeout=2.0, max_bytes=200_000)
    yield s
    s.close()


def test_the_time_limit_stops_the_query_and_the_store_recovers(bounded):
    with pytest.raises(QueryTimeout, match="2 s limit"):
        bounded.select(EXPLODING)
    assert bounded.triple_count() > 10000  # a fresh worker answers at once
    with pytest.raises(QueryTimeout):
        bounded.select(EXPLODING)
    assert bounded.select("ASK { ?s ?p ?o }")["boolean"] is True


def test_the_result_size_cap(bounded):
    with pytest.raises(ResultTooLarge, match="200,000 byte limit"):
        bounded.query("SELECT * WHERE { ?s ?p ?o }", accept="text/csv")
    small = bounded.query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3", accept="text/csv")
    assert small.body.count(b"\n") == 4


@pytest.fixture(scope="module")
def client(store_path):
    settings = Settings(store=store_path, query_timeout=2.0, max_result_bytes=200_000)
    with TestClient(create_app(settings)) as c:
        yield c


def test_http_timeout_is_a_clear_problem_and_the_server_stays_healthy(client):
    r = client.get("/sparql", params={"query": EXPLODING})
    assert r.status_code == 503 and r.json()["title"] == "Query time limit exceeded"
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


@pytest.mark.parametrize("update", UPDATES)
def test_http_updates_refused_by_every_route(client, update):
    for r in (client.get("/sparql", params={"query": update}),
              client.post("/sparql", data={"query": update}),
              client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-query"})):
        assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
        assert "read-only" in r.json()["detail"]


def test_http_service_and_size_cap(client):
    r = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 400 and "not allowed" in r.json()["detail"]
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422 and "byte limit" in r.json()["detail"]
