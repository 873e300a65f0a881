"""Stewards' edits: `POST /data` and `qigraph merge` merge body records into a copy of the curated
data and rebuild the store, atomically (qigraph.merge): the files and the store end both as before
or both as after — after a rejected batch, after an exception at every step past the commit, and
after `kill -9` at random moments."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from qigraph.api.app import create_app
from support import DATA_DIR

from qigraph import merge as merging
from qigraph.build import build
from qigraph.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, main
from qigraph.config import Settings
from qigraph.store import open_store

TOKEN = "steward-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TODAY = "2026-11-21"
BODY = "https://w3id.org/qigraph/id/body/"


def record(rid: str, name_zh: str, **changes) -> dict:
    """A body record that passes the shapes (a preparing municipal metrology center; test data, not a fact)."""
    rec = {
        "id": rid, "name_zh": name_zh, "name_en": None, "kind": "municipal-industrial-metrology-center",
        "hosts": [{"institution": "sicccas", "role": "lead"}], "district": "嘉定区",
        "approving_agency": "sh-market-regulation", "industries": ["fields/key-ceramics"],
        "events": [{"type": "approved-preparation", "date": "2024-05-13", "sources": [1]}],
        "sources": [{"url": "https://example.org/news", "title": "获批筹建", "checked": "2026-11-21"},
                    {"clause": "metrology-center-guideline-2023/s3/p4/i2"}],
    }
    rec.update(changes)
    return rec


def batch(*records: dict) -> bytes:
    return yaml.safe_dump({"bodies": list(records)}, allow_unicode=True, sort_keys=False).encode()


def snapshot(data: Path, store: Path) -> dict[str, str]:
    """Every file of the data folder and of the store's current generation, by content hash."""
    out = {}
    for root in (data, store / os.readlink(store / "current")):
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.name != merging.LOCK_NAME:
                out[f"{root.name}/{p.relative_to(root)}"] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def ask(store: Path, iri: str) -> bool:
    s = open_store(str(store), read_only=True)
    try:
        return s.select(f"ASK {{ <{iri}> ?p ?o }}")["boolean"]
    finally:
        s.close()


def curated_ids(data: Path) -> set[str]:
    return set(merging.curated_records(data))


@pytest.fixture(scope="module")
def built_store(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("merge-store") / "store"
    build(str(path), DATA_DIR)
    return path


@pytest.fixture()
def env(data_copy, built_store, tmp_path) -> tuple[Path, Path]:
    """A private data folder and a store built from it."""
    store = tmp_path / "store"
    shutil.copytree(built_store, store, symlinks=True)
    return data_copy, store


def client(data: Path | None, store: Path, token: str | None = TOKEN) -> TestClient:
    settings = Settings(store=str(store), write_token=token, data_dir=str(data) if data else None, query_workers=1)
    return TestClient(create_app(settings))


# --- access and forms -----------------------------------------------------------------------------


def test_writes_need_the_token_and_a_data_folder(env):
    data, store = env
    before = snapshot(data, store)
    body = batch(record("mimc-test-widgets", "上海市测试器件产业计量测试中心"))
    with client(data, store) as c:
        r = c.post("/data", content=body, headers={"Content-Type": "application/yaml"})
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        r = c.post("/data", content=body, headers={"Content-Type": "application/yaml", "Authorization": "Bearer wrong"})
        assert r.status_code == 403
        r = c.post("/data", content=b"@prefix qi: <https://w3id.org/qigraph/ontology#> .",
                   headers={"Content-Type": "text/turtle", **AUTH})
        assert r.status_code == 415 and "YAML" in r.json()["detail"] and "CSV" in r.json()["detail"]
    with client(None, store) as c:  # no --data: writes refused, saying what to configure
        r = c.post("/data", content=body, headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 403 and "--data" in r.json()["detail"] and "QIGRAPH_DATA" in r.json()["detail"]
    with client(DATA_DIR, store) as c:  # never the installed package's folder
        r = c.post("/data", content=body, headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 403 and "installed package" in r.json()["detail"]
    assert snapshot(data, store) == before


def test_hostile_bodies_are_refused_before_anything_is_read(env):
    data, store = env
    before = snapshot(data, store)
    gbk = "bodies:\n  - id: mimc-test-gbk\n    name_zh: 上海市测试编码产业计量测试中心\n".encode("gbk")
    settings = Settings(store=str(store), write_token=TOKEN, data_dir=str(data), query_workers=1, max_request_bytes=4096)
    with TestClient(create_app(settings)) as c:
        r = c.post("/data", content=gbk, headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 400 and "UTF-8" in r.json()["detail"]
        r = c.post("/data", content=b"bodies: []\n" + b"#" * 5000, headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 413
        r = c.post("/data", content=b"bodies: []\n", headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 422 and "no records" in r.json()["detail"]
        reply = c.post("/data", content=b"x", headers={"Content-Type": "application/yaml", **AUTH})
        assert reply.status_code == 422 and "bodies:" in reply.json()["detail"]
        assert str(data) not in reply.text and "Traceback" not in reply.text
    assert snapshot(data, store) == before


# --- a batch that lands ---------------------------------------------------------------------------


def test_a_valid_batch_lands_in_the_file_the_store_and_the_log(env):
    data, store = env
    target = data / "bodies" / "metrology-centers.yaml"
    old_text = target.read_text(encoding="utf-8")
    others = {p.name: p.read_bytes() for p in (data / "bodies").glob("*.yaml") if p != target}
    with client(data, store) as c:
        r = c.post(f"/data?date={TODAY}", content=batch(record("mimc-test-widgets", "上海市测试器件产业计量测试中心")),
                   headers={"Content-Type": "application/yaml", "From": "steward@example.org", **AUTH})
        assert r.status_code == 200, r.text
        result = r.json()
        assert result["added"] == ["mimc-test-widgets"] and result["replaced"] == []
        assert result["files"] == ["bodies/metrology-centers.yaml"] and result["validation"]["conforms"] is True
        # the server answers from the new store at once: the resource page and SPARQL
        page = c.get("/id/body/mimc-test-widgets", headers={"Accept": "text/turtle"})
        assert page.status_code == 200 and "上海市测试器件产业计量测试中心" in page.text
        q = c.post("/sparql", data={"query": f"ASK {{ <{BODY}mimc-test-widgets> ?p ?o }}"},
                   headers={"Accept": "application/sparql-results+json"})
        assert q.json()["boolean"] is True
        # the matching index is rebuilt from the new graph: the new center is found by its industry
        hits = c.get("/match", params={"text": "关键陶瓷材料检测"}).json()
        assert BODY + "mimc-test-widgets" in json.dumps(hits, ensure_ascii=False)
    new_text = target.read_text(encoding="utf-8")
    # the record is appended after the last one, in the files' style; every other byte stays
    added = yaml.safe_load(new_text)["bodies"][-1]
    assert added["id"] == "mimc-test-widgets" and added["events"][0]["date"] == "2024-05-13"
    assert '        date: "2024-05-13"\n' in new_text and "    industries: [fields/key-ceramics]\n" in new_text
    spans = merging.record_spans(new_text)
    start, end, _col = spans["mimc-test-widgets"]
    lines = new_text.splitlines(keepends=True)
    assert "".join(lines[:start] + lines[end:]) == old_text
    assert {p.name: p.read_bytes() for p in (data / "bodies").glob("*.yaml") if p != target} == others
    assert ask(store, BODY + "mimc-test-widgets")
    log = [json.loads(line) for line in (data / merging.LOG_NAME).read_text(encoding="utf-8").splitlines()]
    assert len(log) == 1 and log[0]["added"] == ["mimc-test-widgets"] and log[0]["who"] == "steward <steward@example.org>"
    assert not list(data.glob(".staging-*")) and not (data / merging.JOURNAL_NAME).exists()


def test_a_csv_batch_lands_too(env):
    data, store = env
    csv = ("id,name_zh,name_en,kind,hosts,district,approving_agency,industries,events,sources\n"
           "mimc-test-csv,上海市测试表格产业计量测试中心,,municipal-industrial-metrology-center,sicccas:lead,嘉定区,"
           "sh-market-regulation,fields/key-ceramics,approved-preparation@2024-05-13[1],"
           "https://example.org/news|2026-11-21|获批筹建; clause:metrology-center-guideline-2023/s3/p4/i2\n")
    with client(data, store) as c:
        r = c.post(f"/data?date={TODAY}", content=csv.encode(), headers={"Content-Type": "text/csv", **AUTH})
    assert r.status_code == 200, r.text
    assert "mimc-test-csv" in curated_ids(data) and ask(store, BODY + "mimc-test-csv")


def test_replacing_a_record_rewrites_only_that_record(env):
    data, store = env
    target = data / "bodies" / "quality-testing-centers.yaml"
    old_text = target.read_text(encoding="utf-8")
    rec = yaml.safe_load(old_text)["bodies"][2]
    rec["description_zh"] = "测试用的新描述：经替换的记录。"
    with client(data, store) as c:
        r = c.post(f"/data?date={TODAY}", content=batch(rec), headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 200, r.text
        assert r.json()["replaced"] == [rec["id"]] and r.json()["added"] == []
        page = c.get(f"/id/body/{rec['id']}", headers={"Accept": "text/turtle"})
        assert "测试用的新描述" in page.text
    new_text = target.read_text(encoding="utf-8")
    old_start, old_end, _ = merging.record_spans(old_text)[rec["id"]]
    new_start, new_end, _ = merging.record_spans(new_text)[rec["id"]]
    old_lines, new_lines = old_text.splitlines(keepends=True), new_text.splitlines(keepends=True)
    assert old_lines[:old_start] == new_lines[:new_start] and old_lines[old_end:] == new_lines[new_end:]
    records = yaml.safe_load(new_text)["bodies"]
    assert [r["id"] for r in records] == [r["id"] for r in yaml.safe_load(old_text)["bodies"]]
    assert records[2]["description_zh"] == "测试用的新描述：经替换的记录。"


# --- batches that are refused ---------------------------------------------------------------------


def test_an_invalid_batch_is_rejected_whole_with_the_report(env):
    data, store = env
    before = snapshot(data, store)
    bad = record("mimc-test-bad", "上海市测试坏顺序产业计量测试中心",
                 events=[{"type": "established", "date": "2019-01", "sources": [1]},
                         {"type": "approved-preparation", "date": "2024-05-13", "sources": [1]}])
    good = record("mimc-test-good", "上海市测试好产业计量测试中心")
    with client(data, store) as c:
        r = c.post(f"/data?date={TODAY}", content=batch(good, bad), headers={"Content-Type": "application/yaml", **AUTH})
    assert r.status_code == 422
    report = r.json()
    assert report["conforms"] is False and report["counts"]["Violation"] >= 1
    violation = next(x for x in report["results"] if x["severity"] == "Violation")
    assert violation["focusNode"] == BODY + "mimc-test-bad"
    assert violation["sourceShape"].endswith("EventOrderShape") and violation["clauses"]
    assert snapshot(data, store) == before  # the good record in the batch did not land either


def test_duplicate_and_conflicting_ids_are_refused_by_name(env):
    data, store = env
    before = snapshot(data, store)
    with client(data, store) as c:
        twice = batch(record("mimc-test-a", "上海市测试甲产业计量测试中心"), record("mimc-test-a", "上海市测试乙产业计量测试中心"))
        r = c.post("/data", content=twice, headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 409 and r.json()["ids"] == ["mimc-test-a"] and "mimc-test-a" in r.json()["detail"]
        existing = yaml.safe_load((data / "bodies" / "quality-testing-centers.yaml").read_text(encoding="utf-8"))["bodies"][0]
        clash = batch(record("mimc-test-copy", existing["name_zh"]))
        r = c.post("/data", content=clash, headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 409 and sorted(r.json()["ids"]) == sorted(["mimc-test-copy", existing["id"]])
        r = c.post("/data", content=b"bodies:\n  - id: [x\n", headers={"Content-Type": "application/yaml", **AUTH})
        assert r.status_code == 400 and "line 3" in r.json()["detail"]
    assert snapshot(data, store) == before


# --- the command line and concurrency -------------------------------------------------------------


def test_cli_merge_exit_codes(env, tmp_path, capsys):
    data, store = env
    ok, dup = tmp_path / "ok.yaml", tmp_path / "dup.yaml"
    ok.write_bytes(batch(record("mimc-test-cli", "上海市测试命令行产业计量测试中心")))
    dup.write_bytes(batch(record("mimc-test-x", "上海市测试丙产业计量测试中心"), record("mimc-test-x", "上海市测试丁产业计量测试中心")))
    assert main(["merge", str(ok), "--data", str(data), "--store", str(store), "--date", TODAY]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["added"] == ["mimc-test-cli"]
    assert ask(store, BODY + "mimc-test-cli")
    assert main(["merge", str(dup), "--data", str(data), "--store", str(store)]) == EXIT_INVALID
    assert "more than once" in capsys.readouterr().err
    assert main(["merge", str(ok), "--data", str(tmp_path / "nowhere"), "--store", str(store)]) == EXIT_ERROR
    assert "not a curated data folder" in capsys.readouterr().err
    assert main(["merge", str(tmp_path / "missing.yaml"), "--data", str(data), "--store", str(store)]) == EXIT_ERROR


def _merge_process(path: Path, data: Path, store: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "qigraph.cli", "merge", str(path), "--data", str(data), "--store", str(store),
                             "--date", TODAY], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_two_concurrent_merges_both_land(env, tmp_path):
    data, store = env
    files = []
    for n, name in enumerate(("甲", "乙")):
        f = tmp_path / f"b{n}.yaml"
        f.write_bytes(batch(record(f"mimc-test-concurrent-{n}", f"上海市测试并发{name}产业计量测试中心")))
        files.append(f)
    procs = [_merge_process(f, data, store) for f in files]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    assert {"mimc-test-concurrent-0", "mimc-test-concurrent-1"} <= curated_ids(data)
    assert ask(store, BODY + "mimc-test-concurrent-0") and ask(store, BODY + "mimc-test-concurrent-1")
    assert len((data / merging.LOG_NAME).read_text(encoding="utf-8").splitlines()) == 2


def test_concurrent_requests_both_land(env):
    data, store = env
    with client(data, store) as c:
        replies = []

        def post(n: int) -> None:
            body = batch(record(f"mimc-test-thread-{n}", f"上海市测试线程{'甲乙'[n]}产业计量测试中心"))
            replies.append(c.post(f"/data?date={TODAY}", content=body, headers={"Content-Type": "application/yaml", **AUTH}))

        threads = [threading.Thread(target=post, args=(n,)) for n in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    assert {"mimc-test-thread-0", "mimc-test-thread-1"} <= curated_ids(data)
    assert ask(store, BODY + "mimc-test-thread-0") and ask(store, BODY + "mimc-test-thread-1")


# --- crashes --------------------------------------------------------------------------------------


class Crash(BaseException):
    """Stands for the process dying at a step (raised from the progress callback)."""


@pytest.mark.parametrize("step", ["committed", "files", "store"])
def test_a_merge_dying_after_its_commit_is_completed_at_start_up(env, step):
    data, store = env

    def die(at: str) -> None:
        if at == step:
            raise Crash(at)

    with pytest.raises(Crash):
        merging.merge([record("mimc-test-crash", "上海市测试崩溃产业计量测试中心")], data_dir=data, store=str(store),
                      progress=die)
    assert (data / merging.JOURNAL_NAME).exists()
    with client(data, store) as c:  # the server's start-up finishes the merge before it serves
        page = c.get("/id/body/mimc-test-crash", headers={"Accept": "text/turtle"})
        assert page.status_code == 200
    assert "mimc-test-crash" in curated_ids(data) and ask(store, BODY + "mimc-test-crash")
    assert not (data / merging.JOURNAL_NAME).exists() and not list(data.glob(".staging-*"))
    assert len((data / merging.LOG_NAME).read_text(encoding="utf-8").splitlines()) == 1


def test_a_merge_dying_before_its_commit_is_rolled_back(env):
    data, store = env
    before = snapshot(data, store)
    gens = {p.name for p in store.glob("gen-*")}
    # what a merge killed while preparing leaves: a staging folder and an unused generation
    shutil.copytree(data, data / ".staging-20261121T000000Z-deadbeef", ignore=shutil.ignore_patterns(".*"))
    orphan = open_store(str(store), create=True).write_generation(b"", tag="merge-20261121T000000Z-deadbeef")
    assert merging.recover_locked(data, str(store)) == "rolled back"
    assert snapshot(data, store) == before and {p.name for p in store.glob("gen-*")} == gens
    assert orphan not in {p.name for p in store.glob("gen-*")}


@pytest.mark.slow
def test_kill_9_during_merges_leaves_files_and_store_both_before_or_both_after(env, tmp_path):
    data, store = env
    rng = random.Random(20261122)
    first = tmp_path / "first.yaml"
    first.write_bytes(batch(record("mimc-test-unkilled", "上海市测试完整产业计量测试中心")))
    started = time.monotonic()
    assert _merge_process(first, data, store).wait(timeout=300) == 0
    duration = time.monotonic() - started  # how long a whole merge takes here, to kill within it
    # Half the kills come just after a step was reported (one before the commit, one at it, one
    # after, one either side), half at a random moment of the whole merge.
    steps = [rng.choice(["validated", "staged"]), "prepared", "committed", rng.choice(["files", "store"])]
    rng.shuffle(steps)
    outcomes = []
    for i in range(8):
        rid = f"mimc-test-kill-{i}"
        f = tmp_path / f"kill-{i}.yaml"
        f.write_bytes(batch(record(rid, f"上海市测试中断{i}号产业计量测试中心")))
        proc = _merge_process(f, data, store)
        if i % 2:
            moment = f"{rng.uniform(0.3, duration):.2f} s"
            time.sleep(float(moment.split()[0]))
        else:
            step, extra = steps[i // 2], rng.uniform(0.0, 0.3)
            moment = f"{extra:.2f} s after {step}"
            for line in proc.stderr:
                if line.strip() == f"merge: {step}":
                    break
            time.sleep(extra)
        alive = proc.poll() is None
        if alive:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        merging.recover_locked(data, str(store))  # what `qigraph serve` does at start-up
        in_files, in_store = rid in curated_ids(data), ask(store, BODY + rid)
        assert in_files == in_store, f"kill {i} ({moment}): files say {in_files}, store says {in_store}"
        logged = rid in (data / merging.LOG_NAME).read_text(encoding="utf-8")
        assert logged == in_files
        assert not (data / merging.JOURNAL_NAME).exists() and not list(data.glob(".staging-*"))
        outcomes.append((moment, "killed" if alive else "had finished", "after" if in_files else "before"))
    print("\nkill -9 during merges:", *outcomes, sep="\n  ")
    # a kill just after "validated"/"staged" comes before the commit, one after "committed" after it
    assert {o[2] for o in outcomes} == {"before", "after"}
    # the killed merges' bodies the store holds are exactly those the files hold
    s = open_store(str(store), read_only=True)
    rows = s.select(f'SELECT DISTINCT ?b WHERE {{ ?b ?p ?o FILTER(STRSTARTS(STR(?b), "{BODY}mimc-test-kill-") '
                    f'&& !CONTAINS(SUBSTR(STR(?b), {len(BODY) + 1}), "/")) }}')["results"]["bindings"]
    s.close()
    assert {r["b"]["value"][len(BODY):] for r in rows} == {i for i in curated_ids(data) if i.startswith("mimc-test-kill-")}
    # a merge after all that still works
    f = tmp_path / "after.yaml"
    f.write_bytes(batch(record("mimc-test-after-kills", "上海市测试其后产业计量测试中心")))
    assert _merge_process(f, data, store).wait(timeout=300) == 0
    assert ask(store, BODY + "mimc-test-after-kills")


# --- the YAML text --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted((DATA_DIR / "bodies").glob("*.yaml")), ids=lambda p: p.name)
def test_re_writing_a_curated_record_keeps_the_others_byte_identical(path):
    text = path.read_text(encoding="utf-8")
    records = yaml.safe_load(text)["bodies"]
    spans = merging.record_spans(text)
    assert list(spans) == [r["id"] for r in records]
    lines = text.splitlines(keepends=True)
    for rec in records:
        new = merging.splice(text, replace={rec["id"]: rec}, add=[])
        assert yaml.safe_load(new)["bodies"] == records  # the re-written record reads back the same
        start, end, _ = spans[rec["id"]]
        new_start, new_end, _ = merging.record_spans(new)[rec["id"]]
        new_lines = new.splitlines(keepends=True)
        assert lines[:start] == new_lines[:new_start] and lines[end:] == new_lines[new_end:]
        assert merging.file_style(new) == merging.file_style(text)  # in the file's own layout
    added = merging.splice(text, replace={}, add=[record("mimc-test-append", "上海市测试追加产业计量测试中心")])
    assert yaml.safe_load(added)["bodies"] == records + [record("mimc-test-append", "上海市测试追加产业计量测试中心")]


# --- a remote store -------------------------------------------------------------------------------


def _data_files(data: Path) -> dict[str, bytes]:
    return {str(p.relative_to(data)): p.read_bytes() for p in sorted(data.rglob("*")) if p.is_file() and p.name != merging.LOCK_NAME}


@pytest.mark.slow
def test_post_data_on_a_remote_store_replaces_its_graph_or_refuses_clearly(data_copy, tmp_path):
    from endpoints import oxigraph_server

    body = batch(record("mimc-test-remote", "上海市测试远程产业计量测试中心"))
    with oxigraph_server(tmp_path) as endpoint:
        build(endpoint.url, data_copy, options=endpoint.options)
        before = _data_files(data_copy)
        reader = Settings(store=endpoint.url, store_options=endpoint.read_options, write_token=TOKEN,
                          data_dir=str(data_copy), query_workers=1)
        with TestClient(create_app(reader)) as c:  # no update endpoint configured: refused, nothing written
            r = c.post(f"/data?date={TODAY}", content=body, headers={"Content-Type": "application/yaml", **AUTH})
            assert r.status_code == 503 and "QIGRAPH_ENDPOINT_UPDATE" in r.json()["detail"]
        assert _data_files(data_copy) == before
        writer = Settings(store=endpoint.url, store_options=endpoint.options, write_token=TOKEN,
                          data_dir=str(data_copy), query_workers=1)
        with TestClient(create_app(writer)) as c:
            r = c.post(f"/data?date={TODAY}", content=body, headers={"Content-Type": "application/yaml", **AUTH})
            assert r.status_code == 200, r.text
            q = c.post("/sparql", data={"query": f"ASK {{ <{BODY}mimc-test-remote> ?p ?o }}"},
                       headers={"Accept": "application/sparql-results+json"})
            assert q.json()["boolean"] is True
        assert "mimc-test-remote" in curated_ids(data_copy)
        assert not (data_copy / merging.JOURNAL_NAME).exists()
