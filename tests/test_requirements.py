"""Requirements quote their clauses word for word, and carry the durations and deadlines they state."""

import pytest

from support import select
from qigraph.build import assemble
from qigraph.loaders.records import DataError


def test_the_24_month_limit_comes_from_the_2022_guidance(graph):
    # Durations compare by value: P24M and P2Y are the same limit, however the engine writes them.
    rows = select(graph, """SELECT ?r ?clause WHERE { ?r a qi:DurationLimit ; dcterms:source ?clause ;
        qi:maxDuration ?max ; qi:extendedMaxDuration ?ext .
        FILTER(?max = "P12M"^^xsd:duration && ?ext = "P24M"^^xsd:duration) }""")
    assert rows == [{"r": "https://w3id.org/qigraph/id/requirement/qtc-preparation-period",
                     "clause": "https://w3id.org/qigraph/id/doc/qi-center-guidance-2022/s3/p2/i2"}]


def test_reporting_duties(graph):
    rows = select(graph, "SELECT ?r WHERE { ?r a qi:ReportingDuty }")
    assert len(rows) == 5
    report = select(graph, """SELECT ?c WHERE { <https://w3id.org/qigraph/id/requirement/qtc-annual-report> qi:requiredContent ?c }""")
    assert {r["c"] for r in report} == {"能力保持情况", "管理运行情况", "业务开展情况", "科研创新情况", "社会责任履行情况"}
    due = select(graph, """SELECT ?d ?w WHERE { <https://w3id.org/qigraph/id/requirement/imc-annual-status-report> qi:dueDate ?d .
        <https://w3id.org/qigraph/id/requirement/imc-major-event-notice> qi:withinWorkingDays ?w }""")
    assert due == [{"d": "--11-30", "w": "5"}]


def test_every_requirement_points_to_a_clause_of_a_document(graph):
    rows = select(graph, """SELECT ?r WHERE { ?r a qi:Requirement .
        FILTER NOT EXISTS { ?r dcterms:source ?c . ?c qi:inDocument ?d . ?d a qi:PolicyDocument } }""")
    assert rows == []
    assert len(select(graph, "SELECT ?r WHERE { ?r a/rdfs:subClassOf* qi:Requirement }")) >= 50


def test_a_quote_not_in_its_clause_is_rejected(data_copy):
    path = data_copy / "requirements.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("筹建期一般不超过12个月，对含有基建任务的可延长至24个月\n",
                                                          "筹建期一般不超过18个月，对含有基建任务的可延长至24个月\n"), encoding="utf-8")
    with pytest.raises(DataError, match="qtc-preparation-period.*word for word"):
        assemble(data_copy)
