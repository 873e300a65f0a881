"""Regression: the triple count is recorded beside each generation when it is written, because
pyoxigraph counts by scanning every quad and ``/health`` (which readiness checks poll) asks for it."""

from __future__ import annotations

from pathlib import Path

from qigraph.store import open_store
from qigraph.store.oxigraph_store import COUNT_SUFFIX, CURRENT

TRIPLES = b"".join(f"<urn:s{i}> <urn:p> \"{i}\" .\n".encode() for i in range(25))
MORE = TRIPLES + b"<urn:extra> <urn:p> <urn:o> .\n"


def _generations(location: Path) -> set[str]:
    return {p.name for p in location.glob("gen-*") if p.is_dir()}


def test_count_is_recorded_beside_the_generation_and_read_back(tmp_path):
    location = tmp_path / "store"
    writer = open_store(str(location), create=True)
    writer.replace_graph(TRIPLES)
    assert writer.triple_count() == 25
    writer.close()
    current = (location / CURRENT).resolve()
    assert (location / f".{current.name}{COUNT_SUFFIX}").read_text() == "25"
    reader = open_store(str(location), read_only=True)
    assert reader.triple_count() == 25
    reader.close()


def test_a_generation_without_a_record_is_counted(tmp_path):
    location = tmp_path / "store"
    writer = open_store(str(location), create=True)
    writer.replace_graph(MORE)
    writer.close()
    (location / f".{(location / CURRENT).resolve().name}{COUNT_SUFFIX}").unlink()
    reader = open_store(str(location), read_only=True)
    assert reader.triple_count() == 26
    reader.close()


def test_records_of_pruned_generations_go_with_them(tmp_path):
    location = tmp_path / "store"
    writer = open_store(str(location), create=True)
    for data in (TRIPLES, MORE, TRIPLES, MORE):
        writer.replace_graph(data)
        assert writer.triple_count() == data.count(b"\n")
    writer.close()
    records = {p.name.removeprefix(".").removesuffix(COUNT_SUFFIX) for p in location.glob(f".gen-*{COUNT_SUFFIX}")}
    assert records == _generations(location) and len(records) == 2
