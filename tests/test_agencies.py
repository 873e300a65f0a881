"""Agencies: one resource per agency, the short names the documents use, levels and labels."""

import pytest

from support import DATA_DIR, select
from qigraph.loaders.agencies import load_registry
from qigraph.loaders.records import DataError


def test_short_names_resolve_to_one_agency():
    registry = load_registry(DATA_DIR / "agencies.yaml")
    assert registry.resolve("市科委").id == "sh-science-technology"
    assert registry.resolve("上海市科学技术委员会").id == "sh-science-technology"
    assert registry.resolve("市市场监管局") is registry.resolve("上海市市场监督管理局")
    with pytest.raises(DataError, match="agencies.yaml"):
        registry.resolve("市宇宙局")


def test_mentions_prefer_the_longest_name():
    registry = load_registry(DATA_DIR / "agencies.yaml")
    found = [a.id for a in registry.mentions("各区市场监管局负责初审，报市市场监管局")]
    assert found == ["district-market-regulation", "sh-market-regulation"]


def test_every_agency_has_both_labels_a_level_and_its_short_names(graph):
    rows = select(graph, """SELECT ?a (COUNT(DISTINCT ?zh) AS ?zhs) (COUNT(DISTINCT ?en) AS ?ens) WHERE {
        ?a a qi:Agency . OPTIONAL { ?a rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
        OPTIONAL { ?a rdfs:label ?en FILTER(LANG(?en) = "en") } } GROUP BY ?a""")
    assert len(rows) == 48
    assert all(r["zhs"] == "1" and r["ens"] == "1" for r in rows), [r for r in rows if r["zhs"] != "1" or r["ens"] != "1"]
    levels = select(graph, "SELECT ?a WHERE { ?a a qi:Agency FILTER NOT EXISTS { ?a a ?c . VALUES ?c { qi:NationalAgency qi:MunicipalAgency qi:DistrictAgency } } }")
    assert levels == []
    short = select(graph, "SELECT ?s WHERE { qid:agency\\/sh-science-technology qi:shortName ?s }".replace("qid:agency\\/sh-science-technology", "<https://w3id.org/qigraph/id/agency/sh-science-technology>"))
    assert "市科委" in {r["s"] for r in short}


def test_a_name_given_to_two_agencies_is_an_error(data_copy):
    path = data_copy / "agencies.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("short_names_zh: [市国资委]", "short_names_zh: [市国资委, 市科委]"), encoding="utf-8")
    with pytest.raises(DataError, match="市科委"):
        load_registry(path)


def test_every_agency_is_sourced_by_a_clause_row_or_document_that_names_it(graph):
    unsourced = select(graph, "SELECT ?a WHERE { ?a a qi:Agency FILTER NOT EXISTS { ?a dcterms:source ?s } }")
    assert unsourced == []
    rows = select(graph, """SELECT ?s WHERE { <https://w3id.org/qigraph/id/agency/sh-science-technology> dcterms:source ?s }""")
    assert "https://w3id.org/qigraph/id/doc/tic-key-tasks-2026/table/row-24" in {r["s"] for r in rows}
