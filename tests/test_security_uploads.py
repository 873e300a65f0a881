"""Hostile uploads to every route that takes a body (/validate, /eligibility, /match): malformed
text with line and column, XML entities (files, URLs, billion laughs), remote JSON-LD contexts,
YAML bombs and python tags, text that is not UTF-8, bodies over the limit, duplicate records.
A local server records whether anything was fetched."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from recorder import recording_server
from support import DATA_DIR

from qigraph import uploads
from qigraph.config import Settings

PROGRAM = "municipal-industrial-metrology-center"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
QI = "https://w3id.org/qigraph/ontology#"


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path)), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def recorder():
    with recording_server() as rec:
        yield rec


def _problem(r, status: int, *probes: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    for probe in probes:
        assert probe in body["detail"], (probe, body["detail"])
    assert "Traceback" not in r.text and ".py" not in r.text
    return body


def _validate(client, body: bytes, ctype: str):
    return client.post("/validate", content=body, headers={"Content-Type": ctype})


def _eligibility(client, body: bytes, ctype: str):
    return client.post("/eligibility", params={"program": PROGRAM}, content=body, headers={"Content-Type": ctype})


def _one_record() -> str:
    """The first body record of the packaged platforms file, as a YAML upload of its own."""
    text = (DATA_DIR / "bodies" / "platforms.yaml").read_text(encoding="utf-8")
    records = text.split("\n  - id: ")
    return "bodies:\n  - id: " + records[1].rstrip() + "\n"


# --- malformed text: a clear error with line and column -----------------------------------------

@pytest.mark.parametrize("ctype, body, line", [
    ("text/turtle", b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c ;;\n ex:d .\n  ex:e ex:f \"open\n", 3),
    ("text/turtle", b"@prefix ex: <http://example.org/> .\n\nex:a ex:b <http://example.org/has space> .\n", 3),
    ("application/n-triples", b"<http://a> <http://b> <http://c> .\n<http://a> <http://b> \"c\" \n<http://a> <http://b> <http://c> .\n", 3),
    ("application/n-triples", b"_:x <relative> \"c\" .\n", 1),
    ("application/ld+json", b'{\n  "@id": "http://example.org/a",\n  "http://example.org/p": [1, 2,\n}', 4),
    ("application/ld+json", b'{"@id": "http://example.org/a",\n "http://example.org/p": "x" "y"}', 2),
    ("application/yaml", b"bodies:\n  - id: x\n    name_zh: [unclosed\n    kind: y\n", 4),
    ("application/yaml", b"bodies:\n  - id: x\n\tkind: tab\n", 3),
])
def test_malformed_rdf_and_yaml_name_line_and_column(client, ctype, body, line):
    detail = _problem(_validate(client, body, ctype), 400, f"line {line}")["detail"]
    assert "column" in detail


def test_a_malformed_csv_record_names_its_line(client):
    head = "id,name_zh,kind,hosts,industries,sources,events\n"
    row = "mimc-x,某中心,municipal-industrial-metrology-center,sicccas:lead,fields/key-ceramics,clause:x/s1,approved@{}\n"
    _problem(_validate(client, (head + row.format("2024-01") + row.replace("mimc-x", "mimc-y").format("2024-01[a]")).encode(),
                       "text/csv"), 422, "line 3", "events")


# --- XML: no entity is ever resolved or expanded ------------------------------------------------

def _xxe(target: str) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY xxe SYSTEM "{target}">]>\n'
            f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:qi="{QI}"><qi:Applicant rdf:about="http://example.org/a">'
            f'<qi:registeredIn>&xxe;</qi:registeredIn></qi:Applicant></rdf:RDF>').encode()


def _laughs(levels: int = 9) -> bytes:
    entities = '<!ENTITY lol0 "lol">' + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1))
    return (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [{entities}]>\n<rdf:RDF xmlns:rdf="{RDF}" xmlns:qi="{QI}">'
            f'<qi:Applicant rdf:about="http://example.org/a"><qi:registeredIn>&lol{levels};</qi:registeredIn>'
            f'</qi:Applicant></rdf:RDF>').encode()


def _xml_attacks(recorder) -> list[bytes]:
    return [_xxe("file:///etc/passwd"), _xxe("file:///etc/hostname"), _xxe(f"{recorder.url}/entity"), _laughs(),
            _laughs(3), _laughs(9).replace(b"<!DOCTYPE", b"<!doctype"),
            (f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{recorder.url}/dtd">\n'
             f'<rdf:RDF xmlns:rdf="{RDF}"/>').encode()]


def test_validate_does_not_take_rdf_xml_and_names_what_it_takes(client, recorder):
    for body in _xml_attacks(recorder):
        for ctype in ("application/rdf+xml", "application/xml", "text/xml"):
            _problem(_validate(client, body, ctype), 415, "text/turtle", "application/ld+json", "text/csv")
    assert recorder.requests == []


def test_eligibility_refuses_xml_entities_before_any_parser_sees_them(client, recorder):
    secret = Path("/etc/hostname").read_text(encoding="utf-8").strip() if Path("/etc/hostname").exists() else None
    for body in _xml_attacks(recorder):
        r = _eligibility(client, body, "application/rdf+xml")
        _problem(r, 422, "DOCTYPE")
        assert "root:" not in r.text and (not secret or secret not in r.text)
    assert recorder.requests == []


def test_rdf_xml_without_a_dtd_is_still_read(client):
    body = (f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:qi="{QI}"><qi:Applicant rdf:about="http://example.org/a">'
            f'<qi:registeredIn>上海市</qi:registeredIn></qi:Applicant></rdf:RDF>').encode()
    r = _eligibility(client, body, "application/rdf+xml")
    assert r.status_code == 200 and r.json()["outcome"] != "eligible"


# --- JSON-LD: a remote context is never fetched ------------------------------------------------

def test_remote_json_ld_contexts_are_never_fetched(client, recorder):
    ctx = f"{recorder.url}/context.jsonld"
    bodies = [{"@context": ctx, "@id": "http://example.org/a", "name": "x"},
              {"@context": [ctx, {"qi": QI}], "@id": "http://example.org/a", "@type": "qi:Applicant"},
              {"@context": {"qi": QI, "@import": ctx}, "@id": "http://example.org/a", "@type": "qi:Applicant"},
              {"@context": {"qi": QI}, "@graph": [{"@context": ctx, "@id": "http://example.org/a", "@type": "qi:Applicant"}]}]
    import json

    for body in bodies:
        data = json.dumps(body).encode()
        _problem(_validate(client, data, "application/ld+json"), 400)
        _problem(_eligibility(client, data, "application/ld+json"), 422)
    assert recorder.requests == []
    assert "inline" in _validate(client, json.dumps(bodies[0]).encode(), "application/ld+json").json()["detail"]


# --- YAML: no bombs, no python objects ------------------------------------------------------------

def _yaml_bomb(field: str) -> bytes:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"] + [f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi")]
    record = _one_record().replace(f"    {field}:", f"    {field}: *i\n    unused_{field}:", 1)
    return ("\n".join(levels) + "\n" + record).encode()


@pytest.mark.parametrize("field", ["name_zh", "alt_names_zh", "industries", "description_zh"])
def test_yaml_alias_bombs_are_refused(client, field):
    _problem(_validate(client, _yaml_bomb(field), "application/yaml"), 400, "aliases")


@pytest.mark.parametrize("tag", ["!!python/object/apply:os.system ['touch {marker}']", "!!python/object:os.system {{}}",
                                 "!!python/name:os.system", "!!python/object/new:subprocess.Popen [['touch', '{marker}']]"])
def test_yaml_python_tags_are_refused_and_run_nothing(client, tmp_path, tag):
    marker = tmp_path / "ran"
    _problem(_validate(client, f"bodies: {tag.format(marker=marker)}\n".encode(), "application/yaml"), 400, "line 1")
    assert not marker.exists()


def test_the_packaged_record_used_above_is_accepted(client):
    assert _validate(client, _one_record().encode(), "application/yaml").status_code == 200


# --- encodings ----------------------------------------------------------------------------------

GBK_TURTLE = '@prefix ex: <http://example.org/> .\nex:a ex:name "上海市计量测试技术研究院" .\n'


@pytest.mark.parametrize("ctype, text", [
    ("text/turtle", GBK_TURTLE), ("application/n-triples", '<http://e.org/a> <http://e.org/b> "计量" .\n'),
    ("application/ld+json", '{"@id": "http://e.org/a", "http://e.org/name": "计量"}'),
    ("application/yaml", None), ("text/csv", "id,name_zh,kind,hosts,industries,sources\nx,计量中心,k,unknown,i,s\n"),
])
def test_gbk_text_is_named_as_not_utf8_with_its_byte_offset(client, ctype, text):
    body = (text if text is not None else _one_record()).encode("gbk")
    offset = next(i for i, b in enumerate(body) if b >= 0x80)
    _problem(_validate(client, body, ctype), 400, "not UTF-8", f"byte {offset}", "GBK", "line")


@pytest.mark.parametrize("ctype, text", [
    ("application/json", '{"registered_in": "上海市"}'),
    ("text/turtle", f'@prefix qi: <{QI}> .\n[] a qi:Applicant ; qi:registeredIn "上海市" .\n'),
])
def test_gbk_profiles_are_named_as_not_utf8(client, ctype, text):
    body = text.encode("gbk")
    offset = next(i for i, b in enumerate(body) if b >= 0x80)
    _problem(_eligibility(client, body, ctype), 422, "not UTF-8", f"byte {offset}")


# --- size ----------------------------------------------------------------------------------------

def test_every_upload_route_refuses_bodies_over_the_limit(store_path):
    limit = 64 * 1024
    with TestClient(create_app(Settings(store=store_path, max_request_bytes=limit))) as small:
        big = b"#" + b"x" * (limit + 1)
        answers = [small.post("/validate", content=big, headers={"Content-Type": "text/turtle"}),
                   small.post("/eligibility", params={"program": PROGRAM}, content=big, headers={"Content-Type": "application/json"}),
                   small.post("/match", content=big, headers={"Content-Type": "application/json"}),
                   small.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})]
        for r in answers:
            _problem(r, 413, "65,536 byte limit")
        assert small.post("/validate", content=_one_record().encode(), headers={"Content-Type": "application/yaml"}).status_code == 200


# --- duplicate and conflicting records -------------------------------------------------------------

def test_a_record_sent_twice_is_refused(client):
    record = _one_record()
    twice = record + record.split("bodies:\n", 1)[1]
    body = _problem(_validate(client, twice.encode(), "application/yaml"), 422, "appears twice", "records 1 and 2")
    assert body["title"] == "Invalid record"


def test_conflicting_records_with_one_id_are_refused(client):
    record = _one_record()
    other = record.split("bodies:\n", 1)[1].replace("name_zh:", "name_zh: 另一个名称\n    old_name_zh:", 1)
    _problem(_validate(client, (record + other).encode(), "application/yaml"), 422, "appears twice")


def test_conflicting_csv_rows_name_the_second_line():
    head = "id,name_zh,kind,hosts,industries,sources\n"
    row = "mimc-x,{},municipal-industrial-metrology-center,sicccas:lead,fields/key-ceramics,clause:metrology-center-guideline-2023/s3/p4/i2\n"
    with pytest.raises(uploads.InputError) as exc:
        uploads.read((head + row.format("甲中心") + row.format("乙中心")).encode(), "text/csv")
    assert exc.value.kind == "record" and exc.value.line == 3 and "appears twice" in str(exc.value)


def test_a_json_profile_giving_a_field_twice_is_refused(client):
    _problem(_eligibility(client, '{"registered_in": "上海市", "registered_in": "北京市"}'.encode(), "application/json"),
             422, "registered_in", "twice")
