"""Hostile SPARQL over HTTP: injection through every parameter of every named query, SPARQL Update
by the routes test_bounded does not cover, SERVICE to loopback and private addresses (with a local
server that records whether it was called), and property paths that explode.

The 10 MB query (413) and absurd nesting (400) are in test_hardening; updates by GET query=, POST
form query= and POST application/sparql-query are in test_bounded.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from recorder import recording_server

from qigraph.catalog_queries import load_catalog
from qigraph.config import Settings

ASK = "ASK { ?s ?p ?o }"

# Text that tries to close the literal or IRI it is spliced into and add patterns or an update.
# Each contains a marker no value in the graph has, so as data it matches nothing.
STRING_PAYLOADS = [
    'zzq" } UNION { ?s ?p ?o } #',
    "zzq' } UNION { ?s ?p ?o } #",
    'zzq"@zh . ?x ?y ?z } ; INSERT DATA { <http://example.org/a> <http://example.org/b> "c" } #',
    'zzq") || true || ("',
    'zzq\\" } UNION { ?s ?p ?o } #',
    'zzq"""} UNION { ?s ?p ?o } #',
    "zzq\n} UNION { ?s ?p ?o }\n#",
    'zzq" . FILTER(true) } #',
    '"; DROP ALL ; SELECT * WHERE { "zzq',
]
IRI_PAYLOADS = [
    "https://w3id.org/qigraph/id/zzq> } UNION { ?s ?p ?o } #",
    "https://w3id.org/qigraph/id/zzq> ?p ?o } ; CLEAR ALL #",
    "https://w3id.org/qigraph/id/zzq>\n} UNION { ?s ?p ?o }",
    'https://w3id.org/qigraph/id/zzq"',
    "https://w3id.org/qigraph/id/zzq{}",
    "<https://w3id.org/qigraph/id/zzq>",
    "javascript:alert(1)",
    "file:///etc/passwd",
]
TYPED_PAYLOADS = ['1 } UNION { ?s ?p ?o } #', "P24M\"^^xsd:duration } UNION { ?s ?p ?o } #", "1; DROP ALL"]

CATALOG = load_catalog()
PARAMS = [(q.name, p) for q in CATALOG.values() for p in q.params]


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path, query_timeout=3.0)), raise_server_exceptions=False) as c:
        yield c


def _triples(client) -> int:
    return client.get("/health").json()["triples"]


def _rows(client, name: str, params: dict) -> tuple[int, object]:
    r = client.get(f"/queries/{name}", params={**params, "format": "json"})
    return r.status_code, (r.json()["results"]["bindings"] if r.status_code == 200 else r.json())


def test_the_catalog_has_parameters_to_attack():
    assert len(PARAMS) >= 10 and {p.type for _n, p in PARAMS} >= {"string", "iri"}


@pytest.mark.parametrize("name, param", PARAMS, ids=[f"{n}-{p.name}" for n, p in PARAMS])
def test_injection_through_every_named_query_parameter_stays_data(client, name, param):
    before = _triples(client)
    others = {p.name: p.example for p in CATALOG[name].params if p.name != param.name}
    if param.type == "iri":
        payloads, baseline = IRI_PAYLOADS, "https://w3id.org/qigraph/id/zzq-none"
    elif param.type in ("integer", "duration"):
        payloads, baseline = TYPED_PAYLOADS, None
    else:
        payloads, baseline = STRING_PAYLOADS, "zzq-none"
    expected = _rows(client, name, {**others, param.name: baseline})[1] if baseline else None
    for payload in payloads:
        status, rows = _rows(client, name, {**others, param.name: payload})
        if status == 400:  # refused as a value of the wrong shape, with a problem saying so
            assert param.name in rows["detail"]
            continue
        assert status == 200, (payload, rows)
        # bound as a value: the same answer as any other value that matches nothing
        assert rows == expected, payload
    assert _triples(client) == before


UPDATES = ["INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", "DELETE WHERE { ?s ?p ?o }",
           "CLEAR DEFAULT", "DROP ALL", "CLEAR ALL", "DELETE DATA { <http://example.org/a> <http://example.org/b> 1 }"]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_by_the_update_routes_are_refused_and_change_nothing(client, update):
    before = _triples(client)
    answers = [
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update.encode(), headers={"Content-Type": "application/sparql-update"}),
        client.get("/sparql", params={"update": update}),
        client.post("/sparql", data={"query": ASK, "update": update}),
    ]
    for r in answers:
        assert r.status_code in (400, 415) and r.headers["content-type"] == "application/problem+json", r.text
        assert "read-only" in r.json()["detail"]
    assert _triples(client) == before
    assert client.get("/sparql", params={"query": ASK}).json()["boolean"] is True


def test_load_is_refused_by_every_route_and_fetches_nothing(client):
    with recording_server() as rec:
        load = f"LOAD <{rec.url}/data.ttl>"
        answers = [client.get("/sparql", params={"query": load}), client.post("/sparql", data={"query": load}),
                   client.post("/sparql", data={"update": load}),
                   client.post("/sparql", content=load.encode(), headers={"Content-Type": "application/sparql-query"}),
                   client.post("/sparql", content=load.encode(), headers={"Content-Type": "application/sparql-update"})]
        assert all(r.status_code in (400, 415) for r in answers)
        assert rec.requests == []


PRIVATE_HOSTS = ["127.0.0.1", "localhost", "[::1]", "10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.1",
                 "169.254.169.254", "0.0.0.0", "2130706433", "0x7f000001", "0177.0.0.1", "127.1", "[::ffff:127.0.0.1]"]


@pytest.mark.parametrize("allowed", [(), ("https://query.wikidata.org/sparql",)], ids=["none-allowed", "public-allowed"])
def test_service_to_loopback_and_private_addresses_is_refused_and_calls_nothing(store_path, allowed):
    with recording_server() as rec, \
            TestClient(create_app(Settings(store=store_path, allowed_services=allowed))) as client:
        targets = [f"http://{host}:{rec.port}/sparql" for host in PRIVATE_HOSTS] + [rec.url + "/sparql"]
        queries = [q for t in targets for q in (
            f"SELECT * WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ SERVICE SILENT <{t}> {{ ?s ?p ?o }} }} }} LIMIT 1",
            f"SELECT * WHERE {{ VALUES ?e {{ <{t}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
            f"PREFIX x: <{t}> select * where {{ service x: {{ ?s ?p ?o }} }}",
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{t}> {{ ?s ?p ?o }} }}",
        )]
        for query in queries:
            for r in (client.get("/sparql", params={"query": query}), client.post("/sparql", data={"query": query})):
                assert r.status_code == 400 and "SERVICE" in r.json()["detail"], (query, r.text)
        assert rec.requests == []
        assert client.get("/sparql", params={"query": ASK}).json()["boolean"] is True


EXPLODING = [
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:p>|!<urn:p>)* ?b . ?c (<urn:q>|!<urn:q>)* ?d }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "SELECT * WHERE { ?a (!<urn:x>)+ ?b . ?b (!<urn:x>)+ ?c } ORDER BY ?c",
]


@pytest.fixture(scope="module")
def quick(store_path):
    with TestClient(create_app(Settings(store=store_path, query_timeout=1.0, query_workers=1))) as c:
        yield c


@pytest.mark.parametrize("query", EXPLODING)
def test_exploding_queries_hit_the_time_limit_and_the_next_query_is_answered(quick, query):
    r = quick.get("/sparql", params={"query": query})
    assert r.status_code == 503 and r.json()["title"] == "Query time limit exceeded"
    assert "1 s limit" in r.json()["detail"]
    assert quick.get("/sparql", params={"query": ASK}).json()["boolean"] is True


@pytest.mark.parametrize("query", [
    "SELECT ?名称 WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?名称 } LIMIT 1",
    "PREFIX 图: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?s WHERE { ?s 图:label ?l } LIMIT 1",
    "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # 注释 é ü",
])
def test_queries_with_unicode_names_are_answered(client, query):
    # non-ASCII letters outside strings once crashed the query scanner (500)
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200 and len(r.json()["results"]["bindings"]) == 1
