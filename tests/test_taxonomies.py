"""The industry schemes: the 2+3+6+4+5 groups, the metrology fields, 2+3+6+6, mappings, labels, sources."""

from support import select

P45 = "https://w3id.org/qigraph/id/industry/2-3-6-4-5/"


def test_2_3_6_4_5_groups_have_2_3_6_4_5_members(graph):
    rows = select(graph, """SELECT ?group (COUNT(?m) AS ?n) WHERE {
        qid:scheme\\/2-3-6-4-5 skos:hasTopConcept ?group . ?m skos:broader ?group } GROUP BY ?group""".replace(
        "qid:scheme\\/2-3-6-4-5", "<https://w3id.org/qigraph/id/scheme/2-3-6-4-5>"))
    counts = {r["group"].removeprefix(P45): int(r["n"]) for r in rows}
    assert counts == {"traditional-transformation": 2, "leading-industries": 3, "key-industries": 6,
                      "new-tracks": 4, "future-industries": 5}


def test_leading_and_future_industries_are_the_published_ones(graph):
    rows = select(graph, f"""SELECT ?l WHERE {{ ?m skos:broader <{P45}future-industries> ; skos:prefLabel ?l FILTER(LANG(?l)="zh") }}""")
    assert {r["l"] for r in rows} == {"未来健康", "未来智能", "未来能源", "未来空间", "未来材料"}
    rows = select(graph, f"""SELECT ?l WHERE {{ ?m skos:broader <{P45}leading-industries> ; skos:prefLabel ?l FILTER(LANG(?l)="zh") }}""")
    assert {r["l"] for r in rows} == {"集成电路", "生物医药", "人工智能"}


def test_the_2_is_marked_as_an_inference_and_the_open_group_has_no_members(graph):
    assert select(graph, f"ASK {{ <{P45}traditional-transformation> qi:inferred true ; skos:editorialNote ?n }}".replace("ASK", "SELECT (1 AS ?x) WHERE")) != []
    open_group = "<https://w3id.org/qigraph/id/industry/2-3-6-6/emerging-pillars>"
    assert select(graph, f"SELECT ?m WHERE {{ ?m skos:broader {open_group} }}") == []
    assert select(graph, f"SELECT ?x WHERE {{ {open_group} qi:membershipOpen ?x }}")[0]["x"] == "true"


def test_metrology_fields_follow_the_guideline_clause(graph):
    rows = select(graph, """SELECT ?l WHERE { ?c skos:inScheme <https://w3id.org/qigraph/id/scheme/metrology-fields-2023> ;
        skos:broader <https://w3id.org/qigraph/id/industry/metrology-fields-2023/strategic-emerging> ; skos:prefLabel ?l FILTER(LANG(?l)="zh") }""")
    assert len(rows) == 9  # 集成电路 … 新兴数字产业
    assert select(graph, """SELECT ?s WHERE { <https://w3id.org/qigraph/id/industry/metrology-fields-2023/strategic-emerging> dcterms:source ?s
        FILTER(?s = <https://w3id.org/qigraph/id/doc/metrology-center-guideline-2023/s3/p2/i1>) }""") != []


def test_every_concept_has_both_preferred_labels_a_scheme_and_a_source(graph):
    rows = select(graph, """SELECT ?c WHERE { ?c a skos:Concept .
        FILTER NOT EXISTS { ?c a qi:TaskCategory }
        FILTER (NOT EXISTS { ?c skos:prefLabel ?zh FILTER(LANG(?zh) = "zh") }
             || NOT EXISTS { ?c skos:prefLabel ?en FILTER(LANG(?en) = "en") }
             || NOT EXISTS { ?c skos:inScheme ?s }
             || NOT EXISTS { ?c dcterms:source ?src }) }""")
    assert rows == []


def test_schemes_are_mapped_side_by_side(graph):
    ic = "<https://w3id.org/qigraph/id/industry/2-3-6-6/integrated-circuits>"
    rows = select(graph, f"SELECT ?o WHERE {{ {{ {ic} skos:exactMatch ?o }} UNION {{ ?o skos:exactMatch {ic} }} }}")
    assert f"{P45}integrated-circuits" in {r["o"] for r in rows}
    low = "<https://w3id.org/qigraph/id/industry/fields/low-altitude-economy>"
    assert {r["a"] for r in select(graph, f'SELECT ?a WHERE {{ {low} skos:altLabel ?a }}')} >= {"eVTOL", "无人机"}
