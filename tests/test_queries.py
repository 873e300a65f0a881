"""The named query catalog: every query has a complete header, parses, runs with its example
parameters and returns rows; parameters are bound, so injection through them changes nothing."""

import pytest

from qigraph.catalog_queries import CatalogError, load_catalog, parse_query_file

CATALOG = load_catalog()


def test_the_catalog_has_the_expected_queries():
    assert {"tasks-by-agency", "agencies-by-task-count", "agencies-sharing-tasks", "members-of-scheme",
            "clauses-by-duration", "reporting-obligations", "clauses-mentioning", "documents-citing",
            "lifecycle-steps", "eligibility-criteria", "centers-by-industry"} <= set(CATALOG)


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_named_query_runs_with_its_examples_and_returns_rows(store, name):
    q = CATALOG[name]
    assert q.title_zh and q.title_en and q.description
    result = store.select(q.sparql, bindings=q.bind({p.name: p.example for p in q.params}))
    assert result["results"]["bindings"], name


@pytest.mark.parametrize("name", sorted(n for n, q in CATALOG.items() if any(p.type == "string" for p in q.params)))
def test_injection_through_string_parameters_is_inert(store, name):
    q = CATALOG[name]
    hostile = '" ) } UNION { ?s ?p ?o } #'
    values = {p.name: (hostile if p.type == "string" else p.example) for p in q.params}
    assert store.select(q.sparql, bindings=q.bind(values))["results"]["bindings"] == []


def test_parameter_types_are_checked():
    q = CATALOG["members-of-scheme"]
    with pytest.raises(CatalogError, match="absolute IRI"):
        q.bind({"scheme": "> } ; DROP ALL ; <"})
    with pytest.raises(CatalogError, match="no parameter"):
        q.bind({"scheme": "https://w3id.org/qigraph/id/scheme/2-3-6-4-5", "extra": "1"})
    with pytest.raises(CatalogError, match="ISO 8601"):
        CATALOG["clauses-by-duration"].bind({"duration": "24 months"})


def test_a_header_without_titles_is_rejected():
    with pytest.raises(CatalogError, match="title_zh"):
        parse_query_file("broken", "#+ description: x\nSELECT * WHERE { ?s ?p ?o }")


@pytest.fixture(scope="module")
def client(api):
    """The contract suite: every test here runs on each backend (see conftest.BACKENDS)."""
    return api


def test_get_queries_lists_every_query_with_parameters(client):
    listed = {q["name"]: q for q in client.get("/queries").json()}
    assert set(listed) == set(CATALOG)
    assert listed["tasks-by-agency"]["params"][0] == {"name": "agency", "type": "string", "example": "市科委",
                                                       "description": listed["tasks-by-agency"]["params"][0]["description"],
                                                       "required": True}


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_every_query_runs_over_http_with_its_example(client, name):
    example = client.get("/queries").json()
    href = next(q["example"] for q in example if q["name"] == name)
    r = client.get(href, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"]


def test_http_parameters_are_bound_not_spliced(client):
    r = client.get("/queries/tasks-by-agency", params={"agency": '市科委" } UNION { ?s ?p ?o } #'})
    assert r.status_code == 200 and r.json()["results"]["bindings"] == []
    r = client.get("/queries/tasks-by-agency", params={"agency": "市科委", "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv") and len(r.text.strip().splitlines()) == 18


def test_http_errors(client):
    assert client.get("/queries/nope").status_code == 404
    r = client.get("/queries/tasks-by-agency")
    assert r.status_code == 400 and "agency" in r.json()["detail"]
    assert client.get("/queries/tasks-by-agency", params={"agency": "x", "bogus": "1"}).status_code == 400
