"""The outline parser: numbering styles, positional ids, headings, and where paragraphs belong."""

from qigraph.loaders.outline import parse_outline


def paths(parts):
    return [p.path for root in parts for p in root.walk()]


def test_positional_ids_survive_misnumbered_sections():
    # The 2022 guidance numbers its sections 一、二、二、三: ids follow position, numbers are kept.
    parts = parse_outline(["一、重要意义", "正文。", "二、总体要求", "二、申报要求", "（一）基本条件", "条件正文。"])
    assert paths(parts) == ["s1", "s2", "s3", "s3/p1"]
    assert [p.number for p in parts] == ["一、", "二、", "二、"]
    assert parts[2].children[0].text == "（一）基本条件\n条件正文。"


def test_preamble_articles_and_items():
    parts = parse_outline(["为了……，制定本办法。", "第一条【目的】", "第五条【基本条件】 服务项目应满足以下条件：",
                           "（一）符合规划，拥有明确的服务对象；", "（二）具备能力。"])
    assert paths(parts) == ["preamble", "a1", "a2", "a2/p1", "a2/p2"]
    assert parts[2].number == "第二条" or parts[2].heading == "基本条件"
    assert parts[2].children[0].heading is None  # a clause sentence is not a heading


def test_paragraph_after_one_paragraph_items_belongs_to_the_section():
    parts = parse_outline(["五、监督管理", "（一）筹建期满前，市市场监管局将组织开展筹建情况总结评估，并决定重大事项。",
                           "（二）中心批准筹建后，应于每年11月底报送筹建情况。", "对于中心建设存在问题的，责令限期整改。"])
    section = parts[0]
    assert "责令限期整改" in section.text
    assert all("责令限期整改" not in c.text for c in section.children)


def test_run_in_headings():
    parts = parse_outline(["二、主要任务", "（一）科学规划布局。面向国家重大战略任务，围绕产业基础高级化。",
                           "（二）服务领域", "1．战略性新兴产业：包括集成电路等；", "2．筹建时间一般为2—3年。筹建期间……"])
    p1, p2 = parts[0].children
    assert p1.heading == "科学规划布局"
    assert p2.heading == "服务领域"
    assert p2.children[0].heading == "战略性新兴产业"
    assert p2.children[1].heading is None  # a sentence with figures is the clause itself
