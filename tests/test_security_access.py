"""Access: per-client rate limits (off by default; 429 with Retry-After and problem details when
the operator sets one, through Settings or `qigraph serve --rate-limit`), and no stack trace, file
path or internal name in any error body, whatever bad input a route gets."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from qigraph.api.limits import WriterDep

from qigraph.config import Settings

ASK = "ASK { ?s ?p ?o }"


def _app(store_path, **options):
    return create_app(Settings(store=store_path, query_workers=1, **options))


def test_no_rate_limit_unless_the_operator_sets_one(store_path):
    with TestClient(_app(store_path)) as client:
        assert all(client.get("/sparql", params={"query": ASK}).status_code == 200 for _ in range(40))


def test_a_client_over_the_rate_gets_429_with_retry_after_and_others_carry_on(store_path):
    app = _app(store_path, rate_limit="5/minute")
    with TestClient(app, client=("203.0.113.7", 40000)) as greedy, TestClient(app, client=("203.0.113.8", 40000)) as other:
        answers = [greedy.get("/sparql", params={"query": ASK}) for _ in range(5)]
        assert [r.status_code for r in answers] == [200] * 5
        refused = greedy.get("/sparql", params={"query": ASK})
        assert refused.status_code == 429 and refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        body = refused.json()
        assert body["status"] == 429 and "5/minute" in body["detail"] and "Retry-After" in body["detail"]
        assert greedy.post("/validate", content=b"x", headers={"Content-Type": "text/turtle"}).status_code == 429
        assert greedy.get("/health").status_code == 200  # probes are never held back
        assert other.get("/sparql", params={"query": ASK}).status_code == 200


def test_several_rates_are_each_enforced(store_path):
    with TestClient(_app(store_path, rate_limit="100/hour;3/minute"), client=("198.51.100.1", 1)) as client:
        codes = [client.get("/sparql", params={"query": ASK}).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]


def _qigraph(*args, env=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "qigraph.cli", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_serve_refuses_a_rate_it_cannot_read(store_path):
    proc = _qigraph("--store", store_path, "serve", "--port", "9", "--rate-limit", "lots")
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "60/minute" in err and "Traceback" not in err


def test_serve_rate_limit_over_http(store_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = _qigraph("--store", store_path, "serve", "--port", str(port), "--query-workers", "1", "--rate-limit", "3/minute",
                    "--log-level", "warning")
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:  # /health is not limited, so waiting for the server spends none of the rate
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "qigraph serve did not start"
                time.sleep(0.2)
        codes = []
        for _ in range(4):
            try:
                with urllib.request.urlopen(f"{url}/queries", timeout=30) as r:
                    codes.append(r.status)
            except urllib.error.HTTPError as exc:
                codes.append(exc.code)
                retry_after = exc.headers["Retry-After"]
        assert codes == [200, 200, 200, 429] and int(retry_after) >= 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)


# --- no internals in error bodies -------------------------------------------------------------------

BAD_REQUESTS = [
    ("GET", "/sparql", {"params": {"query": "SELEC * WHERE { ?s ?p ?o }"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT -1"}}),
    ("GET", "/sparql", {"params": {"query": ASK, "format": "../../etc/passwd"}}),
    ("GET", "/sparql", {"params": {"query": ASK, "default-graph-uri": "file:///etc/passwd"}}),
    ("GET", "/sparql", {"params": {"query": "SELECT * WHERE { ?s ?p ?o } ORDER BY (1/0)", "format": "csv"}}),
    ("GET", "/sparql", {"params": {"query": "\x00\xff"}}),
    ("POST", "/sparql", {"content": b"\xff\xfe\x00bad", "headers": {"Content-Type": "application/sparql-query"}}),
    ("POST", "/sparql", {"content": b"query=%ZZ%", "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
    ("POST", "/sparql", {"content": b"{}", "headers": {"Content-Type": "application/json"}}),
    ("GET", "/queries/../../etc/passwd", {}),
    ("GET", "/queries/agencies-by-task-count", {"params": {"nope": "1"}}),
    ("GET", "/queries/tasks-by-agency", {}),
    ("GET", "/queries/clauses-by-duration", {"params": {"duration": "P" + "9" * 400 + "M"}}),
    ("GET", "/queries/body-profile", {"params": {"body": "file:///etc/passwd"}}),
    ("POST", "/match", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}),
    ("POST", "/match", {"json": {"text": "x" * 100000}}),
    ("POST", "/match", {"json": {"text": "计量", "limit": 10**30}}),
    ("POST", "/match", {"json": {"code": {"$gt": ""}}}),
    ("GET", "/match", {"params": {"limit": "NaN"}}),
    ("POST", "/validate", {"content": b"@prefix : <x> .\n:a :b", "headers": {"Content-Type": "text/turtle"}}),
    ("POST", "/validate", {"content": b"bodies: [1, 2]", "headers": {"Content-Type": "application/yaml"}}),
    ("POST", "/validate", {"content": b"id\n../../etc/passwd\n", "headers": {"Content-Type": "text/csv"}}),
    ("POST", "/validate", {"content": b"<a/>", "headers": {"Content-Type": "application/rdf+xml"}}),
    ("GET", "/validate", {"params": {"date": "2026-13-45"}}),
    ("POST", "/eligibility", {"params": {"program": "../../etc/passwd"}, "json": {}}),
    ("POST", "/eligibility", {"params": {"program": "municipal-industrial-metrology-center"}, "json": {"registered_in": 5}}),
    ("POST", "/eligibility", {"params": {"program": "municipal-industrial-metrology-center"}, "content": b"[[[[",
                              "headers": {"Content-Type": "application/json"}}),
    ("POST", "/eligibility", {"params": {"program": "municipal-industrial-metrology-center"}, "content": b"<a",
                              "headers": {"Content-Type": "application/rdf+xml"}}),
    ("GET", "/id/../../../etc/passwd", {}),
    ("GET", "/id/body/%00", {}),
    ("GET", "/centers/%2e%2e%2f%2e%2e%2fetc%2fpasswd", {}),
    ("GET", "/agencies/nope/tasks", {"params": {"limit": "-5"}}),
    ("GET", "/documents/nope/clauses", {}),
    ("GET", "/search", {"params": {"q": "'\"<script>" * 50}}),
    ("GET", "/industries", {"params": {"scheme": "${jndi:ldap://127.0.0.1/a}"}}),
    ("GET", "/bodies/" + "a" * 5000, {}),
]
LEAKS = ("Traceback", 'File "', ".py", "site-packages", "/tmp/", "/work/", "/home/", "/root/", "pyoxigraph", "rocksdb")


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(_app(store_path, query_timeout=5.0), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("method, path, kwargs", BAD_REQUESTS, ids=[f"{m} {p[:40]}" for m, p, _k in BAD_REQUESTS])
def test_error_bodies_carry_no_trace_or_path(client, store_path, method, path, kwargs):
    r = client.request(method, path, **kwargs)
    assert r.status_code < 500 or r.status_code == 503, (r.status_code, r.text[:300])
    text = r.text
    if r.status_code >= 400 and r.headers.get("content-type", "").startswith("application/"):
        assert r.headers["content-type"] in ("application/problem+json", "application/json"), r.headers["content-type"]
    for leak in (*LEAKS, store_path, os.path.dirname(store_path)):
        assert leak not in text, (leak, text[:300])


# --- writes need the operator's token ------------------------------------------------------------

def _with_write_route(store_path, token):
    # No write route is on main yet (POST /data is being built); this one uses the real dependency
    # every write route takes, so what it answers is what theirs will.
    app = create_app(Settings(store=store_path, query_workers=1, write_token=token))

    @app.post("/write-probe")
    def write_probe(_writer: WriterDep) -> dict:
        return {"written": True}

    return app


def test_writes_need_the_operators_token(store_path):
    with TestClient(_with_write_route(store_path, "s3cret-token")) as client:
        assert client.post("/write-probe").status_code == 401
        for given in ("Bearer wrong", "Bearer s3cret-token-and-more", "Bearer ", "Basic s3cret-token"):
            r = client.post("/write-probe", headers={"Authorization": given})
            assert r.status_code in (401, 403) and r.headers["content-type"] == "application/problem+json"
            assert "s3cret" not in r.text
        assert client.post("/write-probe", headers={"Authorization": "Bearer s3cret-token"}).json() == {"written": True}
    with TestClient(_with_write_route(store_path, None)) as closed:
        r = closed.post("/write-probe", headers={"Authorization": "Bearer anything"})
        assert r.status_code == 403 and "writes are off" in r.json()["detail"]
