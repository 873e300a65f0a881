"""The five documents: metadata, parts with exact counts and text, citations, agencies named."""

import pytest

from support import DATA_DIR, select
from qigraph.loaders.agencies import load_registry
from qigraph.loaders.documents import load_documents
from qigraph.loaders.records import DataError


@pytest.fixture(scope="module")
def docs():
    registry = load_registry(DATA_DIR / "agencies.yaml")
    return {d.id: d for d in load_documents(DATA_DIR, registry)[0]}


def test_five_documents_with_numbers_dates_and_issuers(graph):
    rows = select(graph, """SELECT ?doc ?number ?date (COUNT(?issuer) AS ?issuers) WHERE {
        ?doc a qi:PolicyDocument ; eli:date_document ?date ; qi:issuedBy ?issuer .
        OPTIONAL { ?doc eli:id_local ?number } } GROUP BY ?doc ?number ?date""")
    by_id = {r["doc"].rsplit("/", 1)[1]: r for r in rows}
    assert set(by_id) == {"qi-center-guidance-2022", "metrology-center-guideline-2023",
                          "qi-integrated-service-measures-2024", "tic-key-tasks-2026",
                          "national-quality-standard-lab-opinion-2022"}
    assert by_id["metrology-center-guideline-2023"]["number"] == "沪市监计量〔2023〕213号"
    assert by_id["tic-key-tasks-2026"]["number"] == "沪质办〔2026〕2号"
    assert by_id["qi-center-guidance-2022"]["issuers"] == "3"
    assert "number" not in by_id["qi-center-guidance-2022"]  # the text prints none: none invented
    assert by_id["national-quality-standard-lab-opinion-2022"]["date"] == "2022-03"


@pytest.mark.parametrize("doc_id, expected", [
    ("qi-center-guidance-2022", {"preamble": 1, "section": 6, "paragraph": 15, "item": 3}),
    ("metrology-center-guideline-2023", {"notice": 1, "preamble": 1, "section": 5, "paragraph": 16, "item": 15}),
    ("qi-integrated-service-measures-2024", {"notice": 1, "article": 13, "paragraph": 11}),
    ("national-quality-standard-lab-opinion-2022", {"preamble": 1, "section": 3, "paragraph": 8, "item": 6}),
    ("tic-key-tasks-2026", {"notice": 1}),
])
def test_part_counts(docs, doc_id, expected):
    counts = {}
    for part in docs[doc_id].all_parts():
        counts[part.kind] = counts.get(part.kind, 0) + 1
    assert counts == expected


def test_misnumbered_section_keeps_its_number_and_gets_a_stable_id(docs):
    parts = {p.path: p for p in docs["qi-center-guidance-2022"].all_parts()}
    assert parts["s2"].number == parts["s3"].number == "二、"
    assert parts["s3"].heading == "申报要求"
    assert parts["s3/p2/i2"].heading == "论证批筹"
    assert parts["s3/p2/i2"].text.endswith("筹建期一般不超过12个月，对含有基建任务的可延长至24个月。")


def test_clause_texts_spot_checks(docs):
    m = {p.path: p for p in docs["metrology-center-guideline-2023"].all_parts()}
    assert m["s3/p1/i1"].text.startswith("1．中心申报主体范围包括：注册在本市的计量技术机构")
    assert m["s5/p2"].text == "（二）中心批准筹建后，应于每年11月底向市市场监管局报送筹建情况，并提交计量测试服务典型案例。遇到重大事项，应在5个工作日内书面告知市市场监管局。"
    assert "撤销其资格" in m["s5"].text  # the closing paragraphs belong to 五、, not to its last item
    assert "撤销其资格" not in m["s5/p3"].text
    a = {p.path: p for p in docs["qi-integrated-service-measures-2024"].all_parts()}
    assert a["a9/p3"].text == "（三）市市场监管局每3年对市级项目组织评估，指导其提高服务效能；对服务效能未达标的市级项目，给予半年的整改期，经整改无效的，由市市场监管局取消其命名。"
    assert a["a13"].heading == "施行日期"


def test_page_furniture_is_not_in_any_clause(docs):
    for d in docs.values():
        for part in d.all_parts():
            assert "此件公开发布" not in part.text and "此页无正文" not in part.text, (d.id, part.path)
            assert "印发" not in part.text.splitlines()[-1][-3:], (d.id, part.path)


def test_citations_are_resolved(graph):
    rows = select(graph, "SELECT ?doc ?cited WHERE { ?doc a qi:PolicyDocument ; eli:cites ?cited }")
    cited = {(r["doc"].rsplit("/", 1)[1], r["cited"].rsplit("/", 1)[1]) for r in rows}
    assert ("qi-center-guidance-2022", "sh-quality-certification-plan-2018") in cited
    # 《计量发展规划（2021—2035年）》 is written with two different dashes: one document cited once.
    assert sum(1 for d, c in cited if c == "metrology-development-plan-2021-2035") == 1
    assert len(cited) == 17


def test_unlisted_citation_is_an_error(data_copy):
    text = (data_copy / "documents.yaml").read_text(encoding="utf-8")
    (data_copy / "documents.yaml").write_text(text.replace("  - id: quality-power-outline\n    title_zh: 质量强国建设纲要\n", ""), encoding="utf-8")
    from qigraph.build import assemble

    with pytest.raises(DataError, match="质量强国建设纲要"):
        assemble(data_copy)


def test_clauses_name_the_agencies_they_mention(graph):
    rows = select(graph, """SELECT ?a WHERE { <https://w3id.org/qigraph/id/doc/qi-center-guidance-2022/s3/p2/i2> qi:mentionsAgency ?a }""")
    assert {r["a"].rsplit("/", 1)[1] for r in rows} == {"sh-market-regulation", "sh-economy-informatization", "sh-science-technology"}
