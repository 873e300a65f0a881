"""Hostile requests the API must survive: oversized bodies, absurd nesting, failures that must not
leak internals, and cross-origin calls only where the operator allows them."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from qigraph.api.app import create_app
from qigraph.api.deps import get_store
from qigraph.config import Settings
from qigraph.store.guard import MAX_NESTING, nesting_depth

ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path, max_request_bytes=1024 * 1024)),
                    raise_server_exceptions=False) as c:
        yield c


def _healthy(client):
    assert client.get("/sparql", params={"query": ASK}).json()["boolean"] is True


def test_a_10_mb_query_is_refused_with_413_before_it_is_read(client):
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (10 * 1024 * 1024)
    r = client.post("/sparql", content=huge.encode(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert "1,048,576 byte limit" in r.json()["detail"]
    _healthy(client)


def test_a_chunked_body_without_a_length_is_counted_too(client):
    def chunks():
        for _ in range(40):
            yield b"query=" + b"x" * 64 * 1024

    r = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413
    _healthy(client)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE " + "{" * 5000 + " ?s ?p ?o " + "}" * 5000,
    "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "?o" + ")" * 5000 + ") }",
])
def test_absurd_nesting_is_refused_and_the_worker_stays_healthy(client, query):
    r = client.post("/sparql", data={"query": query})
    assert r.status_code == 400 and "nests" in r.json()["detail"]
    _healthy(client)


def test_nesting_is_measured_outside_strings_and_comments():
    assert nesting_depth('SELECT * { ?s ?p "((((({{{{{" # ((((\n }') == 1
    assert nesting_depth("SELECT * WHERE " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1)) == MAX_NESTING + 1


def test_an_unexpected_failure_leaks_no_trace_or_path(store_path):
    app = create_app(Settings(store=store_path))

    def broken_store():
        raise RuntimeError("/very/secret/path/to/store.db is corrupt")

    app.dependency_overrides[get_store] = broken_store
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/health")
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert "secret" not in r.text and "Traceback" not in r.text and ".py" not in r.text
    assert r.json()["title"] == "Internal error"


def test_cross_origin_calls_only_where_the_operator_allows(store_path):
    preflight = {"Origin": "https://research.example.org", "Access-Control-Request-Method": "GET"}
    with TestClient(create_app(Settings(store=store_path))) as closed:
        r = closed.options("/sparql", headers=preflight)
        assert "access-control-allow-origin" not in r.headers
    with TestClient(create_app(Settings(store=store_path, cors_origins=("https://research.example.org",)))) as open_:
        r = open_.options("/sparql", headers=preflight)
        assert r.headers["access-control-allow-origin"] == "https://research.example.org"
        r = open_.options("/sparql", headers={**preflight, "Origin": "https://elsewhere.example.com"})
        assert r.headers.get("access-control-allow-origin") != "https://elsewhere.example.com"
