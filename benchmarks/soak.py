"""Soak test: many concurrent clients on `qigraph serve` for a while, on a mix of named queries,
lookups, matching and validation uploads; counts every answer by status and measures the server's
memory (the process and its query workers) before and after.

    python -m benchmarks.soak                      # 50 clients for 60 s; writes docs/soak.md and docs/soak.json
    python -m benchmarks.soak --clients 10 --seconds 10 --out /tmp/soak

The server runs with the production settings of `qigraph serve` (its defaults: two query worker
processes, the 30 s query time limit); the store is built from the packaged data unless --store
names one. Clients are asyncio tasks on one httpx connection pool (wrk cannot send the mix of POST
bodies); each draws its requests from its own seeded random sequence, so a run is reproducible up
to timing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import httpx
import psutil
import yaml

from .measure import percentile
from .servers import free_port

ROOT = Path(__file__).resolve().parent.parent
MATCH_EVAL = ROOT / "tests" / "data" / "match-eval.yaml"

# A body record and a few triples a steward might submit for validation (the same shapes as the
# curated data; the record cites a packaged institution and industry concept).
RECORD_YAML = """bodies:
  - id: soak-test-center
    name_zh: 浸泡测试计量中心
    name_en: null
    kind: municipal-industrial-metrology-center
    hosts:
      - institution: aecc-commercial-aircraft-engine
        role: lead
    district: unknown
    approving_agency: unknown
    industries: [fields/aero-engines]
    events:
      - type: approved-preparation
        date: "2024-03"
    sources:
      - url: https://example.org/soak
        checked: "2026-11-21"
"""
RECORD_CSV = ("id,name_zh,name_en,kind,hosts,district,approving_agency,industries,events,sources,alt_names_zh,"
              "description_zh,infrastructure_work\n"
              "soak-csv-center,浸泡测试质检中心,,municipal-quality-testing-center,unknown,unknown,unknown,"
              "fields/aero-engines,approved-preparation@2024-03,https://example.org/soak|2026-11-21,,,\n")
TURTLE = """@prefix qi: <https://w3id.org/qigraph/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/qigraph/id/body/soak-ttl> a qi:MunicipalQualityTestingCenter ;
    rdfs:label "浸泡测试中心"@zh, "Soak test centre"@en .
"""
SPARQL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (the query workers), in MiB."""
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return round(total / 2**20, 1)


def start_server(store: str, *, log: Path) -> tuple[subprocess.Popen, str]:
    """`qigraph serve` on a free port with its default (production) settings; waits for /health."""
    port = free_port()
    env = dict(os.environ, QIGRAPH_STORE=store)
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "qigraph.cli", "serve", "--port", str(port), "--log-level", "warning"],
                                env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"qigraph serve did not start; see {log}")
        time.sleep(0.2)


def request_mix(url: str) -> list[tuple[str, float, dict]]:
    """(kind, weight, httpx request arguments) for every request the clients send."""
    from qigraph.catalog_queries import load_catalog

    mix: list[tuple[str, float, dict]] = []
    catalog = load_catalog()
    for name, q in sorted(catalog.items()):
        params = {p.name: p.example for p in q.params}
        mix.append(("query", 3.0 / len(catalog), {"method": "GET", "url": f"/queries/{name}", "params": params}))
    centers = httpx.get(f"{url}/centers", params={"limit": 200}, timeout=60).json()["items"]
    ids = [c["iri"].rsplit("/", 1)[-1] for c in centers][:20]
    for body_id in ids:
        mix.append(("lookup", 1.0 / len(ids), {"method": "GET", "url": f"/centers/{body_id}"}))
    for path, params in (("/centers", {"industry": "集成电路"}), ("/agencies", {}), ("/documents", {}),
                         ("/search", {"q": "计量"}), ("/industries", {}), ("/obligations", {})):
        mix.append(("lookup", 0.5, {"method": "GET", "url": path, "params": params}))
    mix.append(("sparql", 0.5, {"method": "GET", "url": "/sparql", "params": {"query": SPARQL},
                                "headers": {"Accept": "application/sparql-results+json"}}))
    cases = [c for c in yaml.safe_load(MATCH_EVAL.read_text(encoding="utf-8"))["cases"] if c.get("text")]
    for case in cases[:40]:
        mix.append(("match", 2.0 / 40, {"method": "POST", "url": "/match", "json": {"text": case["text"], "limit": 10}}))
    mix.append(("match", 0.5, {"method": "GET", "url": "/match", "params": {"code": "C3742"}}))
    for body, media in ((RECORD_YAML, "application/yaml"), (RECORD_CSV, "text/csv"), (TURTLE, "text/turtle")):
        mix.append(("validate", 0.5, {"method": "POST", "url": "/validate", "content": body.encode(),
                                      "headers": {"Content-Type": media, "Accept": "application/json"}}))
    return mix


async def _client(http: httpx.AsyncClient, mix, rng: random.Random, until: float, out: list) -> None:
    kinds = list(mix)
    weights = [w for _k, w, _r in mix]
    while time.monotonic() < until:
        kind, _w, req = rng.choices(kinds, weights)[0]
        started = time.perf_counter()
        try:
            response = await http.request(**req)
            out.append((kind, response.status_code, (time.perf_counter() - started) * 1000, req["url"]))
        except httpx.HTTPError as exc:
            out.append((kind, f"error: {type(exc).__name__}", (time.perf_counter() - started) * 1000, req["url"]))


async def _sample(pid: int, until: float, samples: list, every: float = 5.0) -> None:
    """The server's memory every few seconds of the run: growth that levels off, or that does not."""
    started = time.monotonic()
    while time.monotonic() < until:
        samples.append((round(time.monotonic() - started, 1), rss_mb(pid)))
        await asyncio.sleep(every)


async def _load(url: str, mix, *, pid: int, clients: int, seconds: float, seed: int) -> tuple[list, float, list]:
    out: list = []
    samples: list = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(120.0)) as http:
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(_sample(pid, until, samples),
                             *(_client(http, mix, random.Random(seed + i), until, out) for i in range(clients)))
        return out, time.monotonic() - started, samples


def _stats(latencies: list[float]) -> dict:
    return {"p50_ms": round(percentile(latencies, 50), 1), "p95_ms": round(percentile(latencies, 95), 1),
            "max_ms": round(max(latencies), 1)} if latencies else {}


def run(store: str | None = None, *, clients: int = 50, seconds: float = 60, seed: int = 9, work: Path | None = None) -> dict:
    """Start a server, warm it, run the load, stop it; the figures as a dict (see ``write``)."""
    with tempfile.TemporaryDirectory(prefix="qigraph-soak-") as tmp:
        work = work or Path(tmp)
        if store is None:
            from qigraph.build import build

            store = str(work / "store")
            build(store)
        proc, url = start_server(store, log=work / "serve.log")
        try:
            rss_start = rss_mb(proc.pid)
            mix = request_mix(url)
            for _kind, _w, req in mix:  # warm: the matcher's index, the shapes, the caches
                httpx.request(**dict(req, url=url + req["url"]), timeout=120)
            rss_before = rss_mb(proc.pid)
            load_before = os.getloadavg()[0]
            out, elapsed, samples = asyncio.run(_load(url, mix, pid=proc.pid, clients=clients, seconds=seconds, seed=seed))
            load_after = os.getloadavg()[0]
            rss_after = rss_mb(proc.pid)
            alive = proc.poll() is None and httpx.get(f"{url}/health", timeout=10).status_code == 200
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
    statuses = Counter(str(s) for _k, s, _ms, _u in out)
    by_kind: dict[str, dict] = {}
    grouped = defaultdict(list)
    for kind, status, ms, _u in out:
        grouped[kind].append((status, ms))
    for kind, rows in sorted(grouped.items()):
        by_kind[kind] = {"requests": len(rows), "statuses": dict(Counter(str(s) for s, _ in rows)),
                         **_stats([ms for _s, ms in rows])}
    server_errors = sum(n for s, n in statuses.items() if s.isdigit() and int(s) >= 500)
    errors = sum(n for s, n in statuses.items() if not s.isdigit())
    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(out),
        "held": sum(n for s, n in statuses.items() if s.isdigit() and int(s) < 500),
        "rps": round(len(out) / elapsed, 1), **_stats([ms for _k, _s, ms, _u in out]),
        "statuses": dict(sorted(statuses.items())), "server_errors": server_errors, "connection_errors": errors,
        "rss_mb": {"at_start": rss_start, "before": rss_before, "after": rss_after}, "rss_samples": samples,
        "alive_after": alive, "load_average": {"before": round(load_before, 2), "after": round(load_after, 2)},
        "by_kind": by_kind, "mix": sorted({u for _k, _w, r in mix for u in [r["url"]]}),
        "settings": "qigraph serve defaults: 2 query worker processes, 30 s query time limit, 8 MiB request cap",
        "machine": f"{os.cpu_count()} cores; load generator on the same machine",
    }


def write(result: dict, out: Path) -> None:
    """``<out>.json`` with every figure and ``<out>.md`` with the summary."""
    out.with_suffix(".json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    rss = result["rss_mb"]
    lines = [
        "# Soak test", "",
        (f"`python -m benchmarks.soak`: {result['clients']} concurrent clients for {result['seconds']} s against "
        f"`qigraph serve` ({result['settings']}); {result['machine']}. Every request of the mix is sent once "
        "before the run (to warm the matcher's index and the caches), then each client loops over a seeded "
        "random draw of named queries with their example parameters, lookups, SPARQL, `/match` (POST and "
        "GET) and `/validate` uploads (YAML, CSV, Turtle). Figures: docs/soak.json."), "",
        "| figure | value |", "|---|---|",
        f"| requests answered | {result['requests']:,} |",
        f"| requests held (answered below 500) | {result['held']:,} |",
        f"| 5xx answers | {result['server_errors']} |",
        f"| connection errors / timeouts | {result['connection_errors']} |",
        f"| throughput | {result['rps']} requests/s |",
        f"| latency p50 / p95 / max | {result['p50_ms']} / {result['p95_ms']} / {result['max_ms']} ms |",
        f"| server RSS (process + workers) at start / after warm-up / after the run | {rss['at_start']} / {rss['before']} / {rss['after']} MiB |",
        f"| server healthy after the run | {'yes' if result['alive_after'] else 'NO'} |",
        f"| machine load average (1 min) before / after | {result['load_average']['before']} / {result['load_average']['after']} |",
        "", "| kind | requests | statuses | p50 ms | p95 ms | max ms |", "|---|---|---|---|---|---|",
    ]
    for kind, k in result["by_kind"].items():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(k["statuses"].items()))
        lines.append(f"| {kind} | {k['requests']:,} | {statuses} | {k['p50_ms']} | {k['p95_ms']} | {k['max_ms']} |")
    lines += ["", ("Memory growth over the run (after − after warm-up): "
              f"{round(rss['after'] - rss['before'], 1)} MiB. Server RSS during the run (s: MiB): "
              + ", ".join(f"{t}: {m}" for t, m in result["rss_samples"]) + "."), "",
              ("Reading: the figure that must hold is the zero of 5xx answers and of connection errors, with the "
               "server healthy after; latency and throughput depend on what else the machine runs (its load average "
               "is recorded above: the two cores were shared with other work) and on the mix, whose `/validate` "
               "uploads run SHACL validation for seconds each. The latencies were not profiled here; the "
               "benchmarks (docs/benchmarks.md) time single requests on an idle store."), ""]
    out.with_suffix(".md").write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--store", help="a built store (default: build one from the packaged data in a temporary folder)")
    p.add_argument("--clients", type=int, default=50)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--seed", type=int, default=9)
    p.add_argument("--out", default=str(ROOT / "docs" / "soak"), help="output path without suffix (.md and .json written)")
    args = p.parse_args(argv)
    result = run(args.store, clients=args.clients, seconds=args.seconds, seed=args.seed)
    write(result, Path(args.out))
    print(json.dumps({k: result[k] for k in ("requests", "held", "rps", "p50_ms", "p95_ms", "server_errors",
                                             "connection_errors", "rss_mb")}, ensure_ascii=False))
    return 0 if result["server_errors"] == 0 and result["connection_errors"] == 0 and result["alive_after"] else 1


if __name__ == "__main__":
    sys.exit(main())
