"""Curated bodies: every record sourced, typed, hosted (or explicitly not), with industries, and
found by industry through the hierarchy and the mappings."""

import pytest
import yaml

from support import select
from qigraph.build import assemble
from qigraph.loaders.bodies import derive_state
from qigraph.loaders.records import DataError
from qigraph.namespaces import QI


def test_every_body_has_one_kind_a_host_or_explicit_unknown_an_industry_and_a_source(graph):
    bodies = select(graph, "SELECT DISTINCT ?b WHERE { ?b a/rdfs:subClassOf+ qi:QualityInfrastructureBody }")
    assert len(bodies) >= 40
    bad = select(graph, """SELECT ?b WHERE { ?b a/rdfs:subClassOf+ qi:QualityInfrastructureBody .
        FILTER (NOT EXISTS { ?b qi:servesIndustry ?i } || NOT EXISTS { ?b dcterms:source ?s }
             || NOT EXISTS { ?b qi:state ?st }
             || NOT EXISTS { { ?b qi:hostedBy ?h } UNION { ?b qi:hostKnown false } }) }""")
    assert bad == []
    kinds = select(graph, """SELECT ?b (COUNT(DISTINCT ?k) AS ?n) WHERE { ?b a ?k . ?k rdfs:subClassOf+ qi:QualityInfrastructureBody .
        FILTER NOT EXISTS { ?k2 rdfs:subClassOf+ ?k . ?b a ?k2 } } GROUP BY ?b HAVING (COUNT(DISTINCT ?k) != 1)""")
    assert kinds == []


@pytest.mark.parametrize("term, expected", [
    ("低空", "华东无人机基地"),
    ("集成电路", "国家汽车芯片质量检验检测中心"),
    ("储能", "上海市液流电池储能质量检验检测中心"),
    ("医疗机器人", "上海市医疗机器人质量检验检测中心"),
    ("民用航空", "上海市民用航空装备质量检验检测中心"),
    ("氢", "上海市储氢装备产业计量测试中心"),
    ("low-altitude", "华东无人机基地"),
])
def test_centers_by_industry_finds_real_bodies_with_sources(store, term, expected):
    from qigraph.catalog_queries import load_catalog

    q = load_catalog()["centers-by-industry"]
    rows = store.select(q.sparql, bindings=q.bind({"industry": term}))["results"]["bindings"]
    names = {r["name"]["value"] for r in rows}
    assert expected in names
    assert all(r["sources"]["value"].startswith("http") for r in rows)


def test_a_narrower_industry_answers_for_broader_and_mapped_ones(store):
    # The flow-battery center serves 液流电池储能: it is found under 储能, 绿色低碳 and 未来能源.
    from qigraph.catalog_queries import load_catalog

    q = load_catalog()["centers-by-industry"]
    for term in ("储能", "绿色低碳", "未来能源"):
        rows = store.select(q.sparql, bindings=q.bind({"industry": term}))["results"]["bindings"]
        assert "上海市液流电池储能质量检验检测中心" in {r["name"]["value"] for r in rows}, term


def test_host_institutions_are_deduplicated_legal_persons(graph):
    rows = select(graph, """SELECT ?h (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b qi:hostedBy ?h . ?h a qi:Institution }
        GROUP BY ?h HAVING (COUNT(DISTINCT ?b) > 1)""")
    assert rows  # some institutions host several bodies, as one resource each
    names = select(graph, "SELECT ?l (COUNT(?h) AS ?n) WHERE { ?h a qi:Institution ; rdfs:label ?l FILTER(LANG(?l)='zh') } GROUP BY ?l HAVING (COUNT(?h) > 1)")
    assert names == []


def test_tasks_link_to_the_bodies_they_name(graph):
    rows = select(graph, """SELECT ?name WHERE { <https://w3id.org/qigraph/id/doc/tic-key-tasks-2026/task-7> qi:concernsBody/rdfs:label ?name FILTER(LANG(?name)='zh') }""")
    assert "国家汽车芯片质量检验检测中心" in {r["name"] for r in rows}
    rows = select(graph, """SELECT ?name WHERE { <https://w3id.org/qigraph/id/doc/tic-key-tasks-2026/task-9> qi:concernsBody/rdfs:label ?name FILTER(LANG(?name)='zh') }""")
    assert {"低空航空器适航审定检测中心", "智能机器人中试验证平台"} <= {r["name"] for r in rows}


def test_state_follows_from_dated_events():
    ev = lambda t, d="unknown": {"type": t, "date": d}  # noqa: E731
    assert derive_state([]) == QI.StateUnknown
    assert derive_state([ev("unveiled", "2024-05")]) == QI.StateUnknown
    assert derive_state([ev("approved-preparation", "2024-06"), ev("unveiled", "2024-06-04")]) == QI.InPreparation
    assert derive_state([ev("approved-preparation", "2024-06"), ev("established", "2026-01")]) == QI.Established
    assert derive_state([ev("established", "2020"), ev("rectification", "2023-02")]) == QI.UnderRectification
    assert derive_state([ev("established", "2024"), ev("rectification", "2023")]) == QI.Established


def test_an_edit_to_the_curated_file_shows_up_after_build(data_copy, tmp_path):
    from qigraph.build import build
    from qigraph.store import open_store

    path = data_copy / "bodies" / "quality-testing-centers.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["bodies"][0]["alt_names_zh"] = ["测试用的新别名"]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    store_dir = tmp_path / "store"
    build(str(store_dir), data_copy)
    s = open_store(str(store_dir), read_only=True)
    result = s.select('SELECT ?b WHERE { ?b <http://www.w3.org/2004/02/skos/core#altLabel> "测试用的新别名"@zh }')
    assert [b["b"]["value"] for b in result["results"]["bindings"]] == [f"https://w3id.org/qigraph/id/body/{doc['bodies'][0]['id']}"]


@pytest.mark.parametrize("edit, message", [
    (lambda b: b.pop("sources"), "sources"),
    (lambda b: b.update(kind="laboratory"), "kind must be one of"),
    (lambda b: b.update(industries=["2-3-6-4-5/no-such-industry"]), "no-such-industry"),
    (lambda b: b.update(hosts=[{"institution": "nobody", "role": "lead"}]), "nobody"),
    (lambda b: b.update(events=[{"type": "approved-preparation", "date": "2024/06"}]), "YYYY"),
])
def test_malformed_records_are_rejected_with_what_to_fix(data_copy, edit, message):
    path = data_copy / "bodies" / "quality-testing-centers.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(doc["bodies"][0])
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(DataError, match=message):
        assemble(data_copy)
