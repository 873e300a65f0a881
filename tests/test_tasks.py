"""The 74 tasks of the 2026 plan: exact counts, categories, goals and responsible agencies."""

from collections import Counter

import pytest

from support import DATA_DIR, select
from qigraph.loaders.agencies import load_registry
from qigraph.loaders.documents import load_documents
from qigraph.loaders.records import DataError
from qigraph.loaders.tasks import parse_tasks


@pytest.fixture(scope="module")
def registry():
    return load_registry(DATA_DIR / "agencies.yaml")


@pytest.fixture(scope="module")
def table_lines(registry):
    docs = load_documents(DATA_DIR, registry)[0]
    return next(d for d in docs if d.id == "tic-key-tasks-2026").table_lines


@pytest.fixture(scope="module")
def tasks(table_lines, registry):
    return parse_tasks(table_lines, registry)


def test_74_tasks_in_20_categories(tasks):
    assert [t.number for t in tasks] == list(range(1, 75))
    assert len({t.category for t in tasks}) == 20


def test_merged_category_cells_continue_the_one_above(tasks):
    assert tasks[1].category == "做强龙头企业"  # task 2's category cell is empty
    assert tasks[7].category == tasks[8].category == "建设高能级平台"
    assert tasks[73].category == "营造良好环境"


def test_responsible_agency_counts(tasks):
    counts = Counter(a.id for t in tasks for a in t.agencies)
    assert counts["sh-market-regulation"] == 57
    assert counts["sh-science-technology"] == 17
    assert counts["sh-economy-informatization"] == 33
    assert len(tasks[72].agencies) == 17  # task 73 names 17 units, ending with 上海海关、各区


def test_goals_are_split_into_items_across_blank_lines(tasks):
    assert tasks[26].goals == ["1.支持在建设工程、化工等专业领域试点推动数字化实验室建设。", "2.在本市范围内征集一批数字化实验室。"]
    assert len(tasks[72].goals) == 6
    assert tasks[6].goals == ["落实筹建期工作计划，加快建设国家汽车芯片质检中心，拓展第三代半导体、芯片功能以及信息安全等检测能力。申报国家汽车芯片质检中心验收。"]
    assert tasks[8].text == "推进智能机器人中试验证平台、低空航空器适航审定检测中心、未来通信产业测试研究中心等功能性平台建设。"


def test_a_lost_cell_is_an_error_not_a_shifted_table(table_lines, registry):
    broken = [line for line in table_lines if line != "\t市国资委"]  # drop task 3's units cell
    with pytest.raises(DataError, match="row|cells"):
        parse_tasks(broken, registry)


def test_an_unknown_responsible_unit_is_an_error(table_lines, registry):
    broken = [line.replace("市委编办、市国资委", "市委编办、市不存在局") for line in table_lines]
    with pytest.raises(DataError, match="市不存在局"):
        parse_tasks(broken, registry)


def test_tasks_in_the_graph_have_provenance_to_their_row(graph):
    rows = select(graph, """SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE {
        ?t a qi:Task ; qi:taskNumber ?num ; qi:taskCategory ?c ; qi:responsibleAgency ?a ;
           prov:wasDerivedFrom ?row . ?row a qi:TableRow ; eli:is_part_of qid:doc\\/tic-key-tasks-2026 }""".replace("qid:doc\\/tic-key-tasks-2026", "<https://w3id.org/qigraph/id/doc/tic-key-tasks-2026>"))
    assert rows[0]["n"] == "74"
