"""The qigraph command: build, query (text, file, named), export, and its exit codes."""

import json

import pytest

from qigraph.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, main


def test_build_reports_progress_and_writes_the_store(tmp_path, capsys):
    assert main(["--store", str(tmp_path / "s"), "build"]) == EXIT_OK
    err = capsys.readouterr().err
    for step in ("ontology", "documents", "tasks", "requirements", "industries", "bodies", "built:"):
        assert step in err


def test_store_location_from_environment(tmp_path, monkeypatch, capsys, store_path):
    monkeypatch.setenv("QIGRAPH_STORE", store_path)
    from qigraph.cli import parser

    assert parser().parse_args(["queries"]).store == store_path


def test_query_text_table_json_csv(store_path, capsys):
    q = "PREFIX qi: <https://w3id.org/qigraph/ontology#> SELECT (COUNT(?t) AS ?n) WHERE { ?t a qi:Task }"
    assert main(["--store", store_path, "query", q]) == EXIT_OK
    out = capsys.readouterr().out
    assert "74" in out and "(1 row)" in out
    assert main(["--store", store_path, "query", q, "--format", "json"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["results"]["bindings"][0]["n"]["value"] == "74"
    assert main(["--store", store_path, "query", q, "--format", "csv"]) == EXIT_OK
    assert capsys.readouterr().out.splitlines() == ["n", "74"]


def test_query_from_file(store_path, tmp_path, capsys):
    f = tmp_path / "q.rq"
    f.write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    assert main(["--store", store_path, "query", str(f)]) == EXIT_OK
    assert capsys.readouterr().out.strip() == "true"


def test_named_query_with_parameter(store_path, capsys):
    assert main(["--store", store_path, "query", "--name", "tasks-by-agency", "--param", "agency=市科委", "--format", "csv"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 + 17


def test_exit_codes(store_path, tmp_path, capsys):
    assert main(["--store", store_path, "query", "SELECT WHERE {"]) == EXIT_INVALID
    assert "line 1" in capsys.readouterr().err
    assert main(["--store", str(tmp_path / "none"), "query", "ASK {}"]) == EXIT_ERROR
    assert "qigraph build" in capsys.readouterr().err
    assert main(["--store", store_path, "query", "--name", "no-such-query"]) == EXIT_ERROR
    assert main(["--store", store_path, "query", "--name", "tasks-by-agency"]) == EXIT_INVALID
    assert "agency" in capsys.readouterr().err


def test_bad_data_exits_1_and_leaves_the_store_untouched(store_path, data_copy, tmp_path, capsys):
    target = tmp_path / "s"
    assert main(["--store", str(target), "build", "--data", str(data_copy)]) == EXIT_OK
    before = (target / "current").resolve()
    (data_copy / "agencies.yaml").write_text("agencies: [oops", encoding="utf-8")
    assert main(["--store", str(target), "build", "--data", str(data_copy)]) == EXIT_INVALID
    err = capsys.readouterr().err
    assert "agencies.yaml" in err and "line 1, column" in err
    assert (target / "current").resolve() == before


@pytest.mark.parametrize("fmt, probe", [("turtle", b"@prefix"), ("nt", b"> ."), ("jsonld", b"@id")])
def test_export(store_path, tmp_path, fmt, probe):
    out = tmp_path / f"graph.{fmt}"
    assert main(["--store", store_path, "export", "--format", fmt, "-o", str(out)]) == EXIT_OK
    data = out.read_bytes()
    assert probe in data and "市科委".encode() in data


def test_export_round_trips(store_path, tmp_path):
    from rdflib import Graph

    out = tmp_path / "g.nt"
    main(["--store", store_path, "export", "--format", "nt", "-o", str(out)])
    g = Graph().parse(out, format="nt")
    from qigraph.store import open_store

    assert len(g) == open_store(store_path, read_only=True).triple_count()
