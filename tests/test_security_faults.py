"""Start-up faults and a slow backend: a missing store, a folder that is not a store and a damaged
store give a message that says what to do (exit 2, no traceback) at `qigraph serve` and `qigraph
query`; an API started on such a store answers 503 rather than crashing; a remote endpoint that
answers too slowly gives 503 within the time limit, and the API recovers when it is quick again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from recorder import recording_server

from qigraph.config import Settings

ASK = "ASK { ?s ?p ?o }"


def _qigraph(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "QIGRAPH_STORE"}
    return subprocess.run([sys.executable, "-m", "qigraph.cli", *args], check=False, capture_output=True, text=True, timeout=timeout, env=env)


def _generation(store: Path) -> Path:
    return (store / "current").resolve()


def _garble(path: Path) -> None:
    data = bytearray(path.read_bytes())
    for i in range(0, len(data), 7):
        data[i] ^= 0xA5
    path.write_bytes(bytes(data))


# Ways a store folder goes wrong: each takes a copy of a good store and breaks it.
DAMAGE = {
    "missing": lambda s: shutil.rmtree(s),
    "empty-folder": lambda s: (shutil.rmtree(s), s.mkdir()),
    "not-a-store": lambda s: (shutil.rmtree(s), s.mkdir(), (s / "notes.txt").write_text("hello", encoding="utf-8")),
    "generation-gone": lambda s: shutil.rmtree(_generation(s)),
    "sst-truncated": lambda s: [f.write_bytes(f.read_bytes()[:100]) for f in _generation(s).glob("*.sst")],
    "sst-garbled": lambda s: [_garble(f) for f in _generation(s).glob("*.sst")],
    "manifest-truncated": lambda s: [f.write_bytes(f.read_bytes()[:10]) for f in _generation(s).glob("MANIFEST-*")],
    "current-garbled": lambda s: (_generation(s) / "CURRENT").write_text("x\n", encoding="utf-8"),
    "current-link-dangling": lambda s: ((s / "current").unlink(), (s / "current").symlink_to(s / "nowhere")),
}


@pytest.fixture(params=sorted(DAMAGE))
def broken_store(request, store_path, tmp_path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(store_path, store, symlinks=True)
    DAMAGE[request.param](store)
    return store


def _says_what_to_do(result: subprocess.CompletedProcess, store: Path) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "qigraph build" in result.stderr and str(store) in result.stderr


def test_query_on_a_broken_store_says_what_to_do(broken_store):
    _says_what_to_do(_qigraph("--store", str(broken_store), "query", ASK), broken_store)


def test_serve_on_a_broken_store_says_what_to_do(broken_store):
    _says_what_to_do(_qigraph("--store", str(broken_store), "serve", "--port", "9", "--query-workers", "1"), broken_store)


def test_the_api_started_on_a_broken_store_answers_503_and_says_why(broken_store):
    with TestClient(create_app(Settings(store=str(broken_store), query_workers=1)), raise_server_exceptions=False) as client:
        for r in (client.get("/health"), client.get("/sparql", params={"query": ASK}),
                  client.get("/queries/agencies-by-task-count"), client.post("/sparql", data={"query": ASK})):
            assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json", r.text
            assert "qigraph build" in r.json()["detail"] and str(broken_store) not in r.text and "Traceback" not in r.text


def test_a_slow_remote_endpoint_gives_503_within_the_limit_and_the_api_recovers():
    with recording_server() as rec:
        rec.answer = (b'{"head": {}, "boolean": true}', "application/sparql-results+json")
        settings = Settings(store=f"{rec.url}/sparql", store_options={}, query_timeout=2.0, query_workers=1)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            assert client.get("/sparql", params={"query": ASK}).json()["boolean"] is True
            rec.delay = 30.0
            slow = client.get("/sparql", params={"query": ASK})
            assert slow.status_code in (503, 504) and slow.headers["content-type"] == "application/problem+json"
            assert "2 s" in slow.json()["detail"] or "too slow" in slow.json()["detail"]
            rec.delay = 0.0
            assert client.get("/sparql", params={"query": ASK}).json()["boolean"] is True
        assert len(rec.requests) >= 3


@pytest.mark.parametrize("answer", [
    (b"{not json", "application/sparql-results+json"), (b"[1, 2]", "application/sparql-results+json"),
    (b'{"head": {"vars": ["n"]}}', "application/sparql-results+json"), (b"<html>busy</html>", "text/html"),
])
def test_a_remote_endpoint_answering_nonsense_gives_503_not_500(answer):
    with recording_server() as rec:
        rec.answer = answer
        settings = Settings(store=f"{rec.url}/sparql", store_options={}, query_timeout=5.0, query_workers=1)
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            for r in (client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"}),
                      client.get("/sparql", params={"query": ASK}), client.get("/health")):
                assert r.status_code == 503 and r.headers["content-type"] == "application/problem+json", r.text
                assert "Traceback" not in r.text
