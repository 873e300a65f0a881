"""Linked data: qigraph IRIs dereference under /id/ as HTML for browsers and RDF by negotiation."""

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS

from qigraph.api.app import create_app
from qigraph.config import Settings

BODY = "body/qtc-medical-robots"
IRI = URIRef(f"https://w3id.org/qigraph/id/{BODY}")


@pytest.fixture(scope="module")
def client(api):
    """The contract suite: every test here runs on each backend (see conftest.BACKENDS)."""
    return api


def test_a_browser_gets_an_html_page_with_label_links_and_provenance(client):
    r = client.get(f"/id/{BODY}", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "上海市医疗机器人质量检验检测中心" in html
    assert 'href="/id/org/' in html  # its host links to the host's own page
    assert 'class="prov"' in html and "dcterms:source" in html
    en = client.get(f"/id/{BODY}?lang=en", headers={"Accept": "text/html"}).text
    assert "(Shanghai municipal quality testing center)" in en


@pytest.mark.parametrize("accept, fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld"),
                                         ("application/n-triples", "nt"), ("application/rdf+xml", "xml")])
def test_rdf_by_content_negotiation(client, accept, fmt):
    r = client.get(f"/id/{BODY}", headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept)
    g = Graph().parse(data=r.content, format=fmt)
    assert (IRI, RDFS.label, None) in g
    assert any(p == URIRef("http://purl.org/dc/terms/source") for _s, p, _o in g.triples((IRI, None, None)))
    hosts = list(g.objects(IRI, URIRef("https://w3id.org/qigraph/ontology#hostedBy")))
    assert hosts and (hosts[0], RDFS.label, None) in g  # linked resources come with their labels
    org = client.get(hosts[0].replace("https://w3id.org/qigraph", ""), headers={"Accept": accept})
    assert (IRI, URIRef("https://w3id.org/qigraph/ontology#hostedBy"), hosts[0]) in Graph().parse(data=org.content, format=fmt)


def test_curl_gets_turtle_by_default(client):
    r = client.get("/id/agency/sh-science-technology", headers={"Accept": "*/*"})
    assert r.headers["content-type"].startswith("text/turtle") and "市科委" in r.text


def test_unknown_iri_is_404_problem(client):
    r = client.get("/id/body/no-such-body", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert client.get("/id/body/x%3E%20%7D").status_code == 404


def test_the_ontology_namespace_dereferences(client):
    r = client.get("/ontology")
    assert r.headers["content-type"].startswith("text/turtle")
    assert "qi:QualityInfrastructureBody" in r.text
