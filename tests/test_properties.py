"""Property tests (hypothesis): the record readers, the parameter binding and the matcher hold
their contracts on any input, not only on the examples the other tests chose.

Every test is bounded (``max_examples``) and derandomized, so CI runs the same examples each time.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from qigraph.loaders.records import DataError, read_yaml
from rdflib import XSD, Graph, Literal, URIRef

from qigraph import uploads
from qigraph.catalog_queries import CatalogError, load_catalog
from qigraph.matching import MatchError, codes, get_matcher
from qigraph.matching.matcher import MAX_TEXT, RELATIVE_FLOOR, SCORE_SCALE
from qigraph.store.values import bind_values, tokens, values_block

BOUNDED = settings(max_examples=60, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CATALOG = load_catalog()
PARAMETRISED = sorted(name for name, q in CATALOG.items() if q.params)

# Text a hostile or careless client sends: anything, weighted towards the characters that end
# strings, IRIs, groups and comments in SPARQL, YAML and CSV.
SYNTAX = st.sampled_from(list('"\'\\{}<>#\n\r\t,;:|@[]-?$ ') + ["\x00", "\u2028", "\ufeff", "'''", '"""', "}}", "#}"])
HOSTILE_TEXT = st.lists(st.one_of(st.text(max_size=8), SYNTAX), max_size=12).map("".join)


# ---------------------------------------------------------------- the record readers

def _valid_record() -> dict:
    """A body record the build accepts (the shape of data/bodies/*.yaml)."""
    return {"id": "fuzz-center", "name_zh": "模糊测试中心", "name_en": None, "alt_names_zh": [],
            "kind": "national-industrial-metrology-center", "hosts": [{"institution": "aecc-commercial-aircraft-engine", "role": "lead"}],
            "district": "unknown", "approving_agency": "samr", "industries": ["fields/aero-engines"],
            "events": [{"type": "approved-preparation", "date": "2021-01-26", "sources": [1]}],
            "sources": [{"url": "https://example.org/a", "checked": "2026-11-21"}]}


def _read_or_refuse(body: bytes, media_type: str) -> Graph | None:
    """The graph a reader makes of the body, or None when it refused it the documented way."""
    try:
        graph = uploads.read(body, media_type)
    except uploads.InputError as exc:
        assert str(exc).strip(), "a refusal must say what to fix"
        return None
    assert isinstance(graph, Graph)
    return graph


def test_a_valid_record_is_read():
    """The base record the mutations start from is itself accepted (so the mutations test something)."""
    graph = _read_or_refuse(yaml.safe_dump({"bodies": [_valid_record()]}, allow_unicode=True).encode(), "application/yaml")
    assert graph is not None and len(graph) > 0


# Any JSON-like value a YAML field could hold.
ANY_VALUE = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), HOSTILE_TEXT,
                                   st.dates()),
                         lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(HOSTILE_TEXT, inner, max_size=3)),
                         max_leaves=6)
FIELDS = sorted(_valid_record()) + ["infrastructure_work", "description_zh", "notes"]


@st.composite
def mutated_records(draw) -> list:
    """A list of records, each the valid one with some fields replaced by anything (or removed)."""
    records = []
    for _ in range(draw(st.integers(1, 2))):
        rec = copy.deepcopy(_valid_record())
        for field in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4, unique=True)):
            if draw(st.booleans()):
                rec.pop(field, None)
            else:
                rec[field] = draw(ANY_VALUE)
        if draw(st.booleans()):  # a nested value broken rather than the whole field
            inner = draw(st.sampled_from([("hosts", 0, "institution"), ("hosts", 0, "role"), ("events", 0, "type"),
                                          ("events", 0, "date"), ("events", 0, "sources"), ("sources", 0, "url"),
                                          ("sources", 0, "checked"), ("sources", 0, "clause")]))
            value = rec.get(inner[0])
            if isinstance(value, list) and value and isinstance(value[0], dict):
                value[0][inner[2]] = draw(ANY_VALUE)
        records.append(rec)
    return records


@BOUNDED
@given(records=mutated_records())
def test_yaml_records_yield_a_graph_or_an_input_error(records):
    body = yaml.safe_dump({"bodies": records}, allow_unicode=True).encode()
    _read_or_refuse(body, "application/yaml")


@BOUNDED
@given(text=HOSTILE_TEXT)
def test_any_yaml_text_yields_a_graph_or_an_input_error(text):
    _read_or_refuse(text.encode("utf-8", "surrogatepass"), "application/yaml")


@BOUNDED
@given(doc=ANY_VALUE)
def test_any_yaml_document_yields_a_graph_or_an_input_error(doc):
    _read_or_refuse(yaml.safe_dump({"bodies": doc} if isinstance(doc, list) else doc, allow_unicode=True).encode(),
                    "application/yaml")


CSV_HEADER = ",".join(uploads.CSV_COLUMNS)
CSV_ROW = ("fuzz-center,模糊测试中心,,national-industrial-metrology-center,aecc-commercial-aircraft-engine:lead,unknown,samr,"
           "fields/aero-engines,approved-preparation@2021-01-26[1],https://example.org/a|2026-11-21,,,")


def test_a_valid_csv_row_is_read():
    graph = _read_or_refuse(f"{CSV_HEADER}\n{CSV_ROW}\n".encode(), "text/csv")
    assert graph is not None and len(graph) > 0


@BOUNDED
@given(cells=st.lists(st.one_of(HOSTILE_TEXT, st.sampled_from(CSV_ROW.split(","))), min_size=0, max_size=16),
       header=st.sampled_from([CSV_HEADER, "id,name_zh,kind,hosts,industries,sources", "id", ""]))
def test_csv_rows_yield_a_graph_or_an_input_error(cells, header):
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerow(cells)
    _read_or_refuse(f"{header}\n{out.getvalue()}".encode("utf-8", "surrogatepass"), "text/csv")


@BOUNDED
@given(text=HOSTILE_TEXT, key=st.sampled_from(["bodies", "institutions", "agencies"]))
def test_curated_yaml_files_yield_records_or_a_data_error(tmp_path_factory, text, key):
    path = tmp_path_factory.mktemp("yaml") / "file.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        records = read_yaml(path, key)
    except DataError as exc:
        assert str(exc).strip()
        return
    assert isinstance(records, list) and all(isinstance(r, dict) for r in records)


# ---------------------------------------------------------------- parameter binding

def _ox_term(term):
    """The Oxigraph form of an rdflib URIRef or Literal."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


def _assert_carries_exactly(bindings: dict) -> None:
    """The VALUES block of these bindings, read back by Oxigraph and by rdflib, holds exactly them:
    one solution, the bound variables only, each term as given."""
    block = values_block(bindings)
    result = ox.Store().query(f"SELECT * WHERE {{ {block} }}")
    variables, solutions = result.variables, list(result)
    assert len(solutions) == 1
    assert {v.value: solutions[0][v] for v in variables} == {k: _ox_term(t) for k, t in bindings.items()}
    rows = list(Graph().query(f"SELECT * WHERE {{ {block} }}"))
    assert [dict(zip(map(str, r.labels), r)) for r in rows] == [dict(bindings)]


@st.composite
def parameter_values(draw, name: str) -> dict[str, str]:
    """Text for each of a named query's parameters: arbitrary, or its example with hostile text spliced in."""
    out = {}
    for p in CATALOG[name].params:
        example = p.example
        hostile = draw(HOSTILE_TEXT)
        out[p.name] = draw(st.sampled_from([hostile, example + hostile, hostile + example,
                                            example[: len(example) // 2] + hostile + example[len(example) // 2:]]))
    return out


@pytest.mark.parametrize("name", PARAMETRISED)
@BOUNDED
@given(data=st.data())
def test_any_accepted_parameter_binds_to_exactly_that_term(name, data):
    """Whatever the catalog accepts as a parameter, the VALUES form of the query parses (rdflib and
    Oxigraph), carries exactly the bound terms, and has no more triple patterns than the query."""
    q = CATALOG[name]
    try:
        bindings = q.bind(data.draw(parameter_values(name)))
    except CatalogError as exc:
        assert str(exc).strip()
        return
    if not bindings:
        return
    bound = bind_values(q.sparql, bindings)
    ox.Store().query(bound)  # the whole query parses (and runs, on an empty store)
    # the block is the only change: no triple pattern, filter or clause is added or altered
    assert bound.replace(" " + values_block(bindings), "") == q.sparql
    assert bound.count(values_block(bindings)) >= 1
    _assert_carries_exactly(bindings)


# Well-formed BCP 47 tags (language, script, region): Oxigraph refuses malformed ones such as "a".
LANG = st.from_regex(r"[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?", fullmatch=True)
TERMS = st.one_of(
    HOSTILE_TEXT.map(Literal),
    st.tuples(HOSTILE_TEXT, LANG).map(lambda t: Literal(t[0], lang=t[1])),
    st.integers().map(Literal),
    st.from_regex(r"https?://[a-z]{1,10}\.[a-z]{2,3}/[A-Za-z0-9/#?=&%._~-]{0,20}", fullmatch=True).map(URIRef),
)


@BOUNDED
@given(term=TERMS)
def test_values_block_round_trips_any_term(term):
    """A VALUES block holds exactly the term it was given, with nothing spliced around it."""
    _assert_carries_exactly({"t": term})
    ox.Store().query(bind_values("SELECT ?t WHERE { ?s ?p ?o FILTER(?o != \"}\") }", {"t": term}))


@BOUNDED
@given(text=st.text(max_size=200))
def test_tokens_never_raise(text):
    found = list(tokens(text))
    assert all(0 <= i < len(text) for i, _t in found)
    assert [i for i, _t in found] == sorted(i for i, _t in found)


# ---------------------------------------------------------------- the matcher

@pytest.fixture(scope="module")
def matcher(store, store_path):
    return get_matcher(store, key=store_path)


def _check_result(result: dict, limit: int) -> None:
    for key in ("industries", "centers", "tasks", "clauses", "agencies", "programs"):
        hits = result[key]
        assert len(hits) <= limit, key
        scores = [h["score"] for h in hits]
        assert scores == sorted(scores, reverse=True), key
        assert all(0 <= s <= 1 for s in scores), key
        assert all(h["why"] for h in hits), key


MATCH_TEXT = st.one_of(st.text(max_size=300), HOSTILE_TEXT, st.text(st.characters(codec="utf-8", categories=["Cc", "Zs", "Lo"]), max_size=100))


@BOUNDED
@given(text=MATCH_TEXT, limit=st.integers(1, 30))
def test_any_text_is_matched_or_refused_with_a_message(matcher, text, limit):
    try:
        result = matcher.match(text, limit=limit)
    except MatchError as exc:
        assert str(exc).strip()
        assert not text.strip() or len(text.strip()) > MAX_TEXT
        return
    _check_result(result, limit)


def test_a_text_over_the_limit_is_refused(matcher):
    with pytest.raises(MatchError, match="shorten"):
        matcher.match("计量" * MAX_TEXT)


EVAL_TEXTS = [c["text"] for c in yaml.safe_load((Path(__file__).parent / "data" / "match-eval.yaml").read_text(encoding="utf-8"))["cases"]
              if c.get("text") and not codes.normalise(c["text"])]


def _raw(score: float) -> float:
    """The BM25 score a reported (squashed, rounded) score came from."""
    return -SCORE_SCALE * math.log(1 - min(max(score, 0.0), 0.9999))


def _industries(result: dict) -> dict[str, float]:
    """Every industry in a result (equivalents folded into a hit included) → its score."""
    out = {}
    for hit in result["industries"]:
        for iri in [hit["iri"], *(e["iri"] for e in hit["equivalents"])]:
            out[iri] = hit["score"]
    return out


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_adding_a_matched_industrys_label_keeps_it(matcher, data):
    """Metamorphic: append, as its own business-scope item, a label of an industry the text matched.
    The industry stays and its score does not drop.

    Why this holds: query terms keep the largest weight of the items they occur in, so appending an
    item only adds terms or raises weights, and BM25 is monotone in them; the industry's raw score
    cannot fall, it now contains its whole label (the phrase gate passes) and its strong words only
    grow. The one rule that can still drop it is relative: a hit under RELATIVE_FLOOR of the best
    hit's raw score is noise. So the property checked is: the industry stays with a score at least
    as high, or the new best hit scores more than its raw score / RELATIVE_FLOOR.
    """
    text = data.draw(st.sampled_from(EVAL_TEXTS)) + data.draw(st.sampled_from(["", "；", "；" + "x"]) | HOSTILE_TEXT.map("；".__add__))
    assume(len(text) < MAX_TEXT - 200 and not codes.codes_in(text))
    before = _industries(matcher.match(text, limit=100))
    assume(before and len(before) < 100)
    iri = data.draw(st.sampled_from(sorted(before)))
    label = data.draw(st.sampled_from(matcher.index.concepts[iri].labels()))
    after_result = matcher.match(f"{text}；{label}", limit=100)
    after = _industries(after_result)
    assert len(after_result["industries"]) < 100
    if iri in after:
        assert after[iri] >= before[iri]
    else:
        best = max(after.values())
        # the only way out: under the relative floor of a best hit that grew past it
        assert RELATIVE_FLOOR * _raw(best + 0.0005) > _raw(before[iri] - 0.0005), (text, label, iri)


# ---------------------------------------------------------------- what the properties found, as examples

def test_a_query_with_a_chinese_variable_name_is_tokenised():
    """tokens() raised AttributeError on any non-ASCII letter outside a string (?名称 is a legal variable)."""
    assert [t for _i, t in tokens("SELECT ?名称 WHERE { ?名称 ?p ?o }")] == ["SELECT", "WHERE", "{", "}"]


def test_an_iri_parameter_with_a_control_character_is_refused():
    """The catalog accepted IRIs with control characters, which no SPARQL parser reads."""
    with pytest.raises(CatalogError, match="absolute IRI"):
        CATALOG["body-profile"].bind({"body": "https://w3id.org/qigraph/id/body/x\x1f"})


def test_a_tab_in_a_bound_literal_reads_back_as_a_tab():
    """rdflib writes a tab raw, and its own SPARQL parser reads a raw tab back as spaces."""
    _assert_carries_exactly({"t": Literal("a\tb")})


def test_a_record_field_of_the_wrong_kind_is_an_input_error():
    """A number where a name goes raised TypeError from the loader, not an error naming the field."""
    record = dict(_valid_record(), name_zh=5, alt_names_zh=True)
    with pytest.raises(uploads.InputError, match="name_zh"):
        uploads.read(yaml.safe_dump({"bodies": [record]}).encode(), "application/yaml")
