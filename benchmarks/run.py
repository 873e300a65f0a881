"""The benchmark, as one command: at each scale, generate and load the synthetic graph, then measure
side by side the raw engine (pyoxigraph in-process), qigraph's API on the embedded store,
rdflib-endpoint, the Oxigraph server, and qigraph's API on a remote endpoint where this qigraph
has that backend; cold start, validation, peak memory and a load test; then write the report.

    python -m benchmarks.run --scales 1x,10x,1M --out docs/benchmarks.md

Results of every scale measured go into ``<out folder>/benchmarks/results.json`` (merged by
scale), so a long scale can run on its own later (``--scales 10M``) and join the same report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from qigraph.namespaces import QID
from qigraph.store import open_store

from . import report
from .generate import MARKER
from .load import run_wrk
from .measure import repeat
from .servers import (
    StartError,
    oxigraph_binary,
    remote_backend_available,
    start_oxigraph_server,
    start_qigraph,
    start_rdflib_endpoint,
    start_virtuoso,
    stop_virtuoso,
)
from .workload import Item, body_record_turtle, workload

ACCEPT = "application/sparql-results+json, application/json"
PY = sys.executable


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_measured(argv: list[str]) -> tuple[float, float, str]:
    """Run a command; its wall time (s), its own peak resident memory (MiB) and its stdout."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    streams: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda k=k, f=f: streams.__setitem__(k, f.read()))
               for k, f in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    _pid, status, usage = os.wait4(proc.pid, 0)  # wait4, not wait: the rusage is this child's alone
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    wall = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): {streams['err'].decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024, streams["out"].decode()


def prepare(scale: str, *, work: Path, seed: int) -> dict:
    """Generate the scale's graph and load it into its own store (reused if already made with the
    same seed); returns its manifest with generation and load time and peak memory."""
    manifest_path = work / f"{scale}.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("seed") == seed and (work / f"{scale}-store" / MARKER).exists() and Path(manifest["nt"]).exists():
            log(f"{scale}: reusing {manifest['triples']:,} triples made earlier")
            manifest["reused"] = True
            return manifest
    log(f"{scale}: generating and loading")
    wall, peak, out = run_measured([PY, "-m", "benchmarks.generate", "--scale", scale, "--seed", str(seed),
                                    "--nt", str(work / f"{scale}.nt"), "--store", str(work / f"{scale}-store")])
    manifest = json.loads(out)
    manifest.update(wall_s=round(wall, 2), peak_rss_mb=round(peak, 1), nt_bytes=Path(manifest["nt"]).stat().st_size)
    manifest_path.write_text(json.dumps(manifest))
    log(f"{scale}: {manifest['triples']:,} triples in {wall:.1f} s")
    return manifest


def time_real_build(work: Path) -> dict:
    """``qigraph build`` of the real data (documents and curated data → store)."""
    store = work / "real-store"
    wall, peak, _ = run_measured([str(Path(PY).parent / "qigraph"), "--store", str(store), "build"])
    return {"wall_s": round(wall, 2), "peak_rss_mb": round(peak, 1)}


def _rows(response: httpx.Response) -> int | None:
    body = response.json()
    if isinstance(body, dict) and "results" in body:
        return len(body["results"]["bindings"])
    if isinstance(body, dict) and "total" in body:
        return body["total"]
    return None


def measure_api(client: httpx.Client, base: str, items: list[Item], policy: dict) -> dict:
    out = {}
    for item in items:
        def call(item=item) -> int | None:
            r = client.get(base + item.path, headers={"Accept": ACCEPT})
            r.raise_for_status()
            return _rows(r)

        out[item.name] = repeat(call, **policy).as_dict()
        log(f"    {item.name:<40} {out[item.name]['p50_ms']} ms")
    return out


def measure_protocol(client: httpx.Client, endpoint, items: list[Item], policy: dict, *,
                     restart=None, params: dict | None = None, stop_after_timeout: bool = False) -> dict:
    """The items' SPARQL over the SPARQL 1.1 Protocol (POST form), bindings written in.

    ``endpoint`` is a URL or a callable giving the current one; after a request times out (the
    client's timeout), ``restart`` is called to replace the server, which may still be busy with it,
    and the item is recorded as taking at least the timeout. With ``stop_after_timeout`` the
    server is not replaced (reloading a large graph takes minutes): the items left are not asked.
    """
    out = {}
    stopped = None
    for item in items:
        if not item.queries:
            continue
        if stopped:
            out[item.name] = {"error": f"not asked: the endpoint was still busy with {stopped}, which timed out"}
            continue
        texts = item.protocol_queries()

        def call(texts=texts) -> int:
            rows = 0
            url = endpoint() if callable(endpoint) else endpoint
            for text in texts:
                r = client.post(url, data={"query": text, **(params or {})},
                                headers={"Accept": "application/sparql-results+json"})
                r.raise_for_status()
                rows += len(r.json()["results"]["bindings"])
            return rows

        timing = repeat(call, **policy)
        if timing.error and timing.error.startswith(("ReadTimeout", "TimeoutException")):
            timeout = client.timeout.read or 0
            timing.error, timing.timed_out_ms = f"no answer within {timeout:g} s", timeout * 1000
            if stop_after_timeout:
                stopped = item.name
            elif restart:
                log(f"    {item.name}: timed out; restarting the server")
                restart()
        out[item.name] = timing.as_dict()
        log(f"    {item.name:<40} {out[item.name]['p50_ms']} ms")
    return out


def measure_validation(client: httpx.Client, base: str, routes: set[str], record: str, policy: dict, *,
                       whole_graph: bool = True) -> dict:
    """Whole-graph and one-record validation through the API, when /validate exists. The server
    keeps one whole-graph report per reference date, so each whole-graph call asks another date."""
    if "/validate" not in routes:
        return {"error": "no /validate route in this build"}
    days = iter(range(1, 10_000))

    def whole() -> None:
        day = next(days)
        date = f"{2030 + day // 365}-{(day % 365) // 28 % 12 + 1:02d}-{day % 28 + 1:02d}"
        client.get(base + "/validate", params={"date": date}, headers={"Accept": "application/json"}).raise_for_status()

    def one() -> None:
        client.post(base + "/validate", content=record.encode("utf-8"),
                    headers={"Content-Type": "text/turtle", "Accept": "application/json"}).raise_for_status()

    out = {"one_record": repeat(one, **policy).as_dict()}
    if whole_graph:  # one cold call: it is the slow one, and the server computes it once per date
        out["whole_graph"] = repeat(whole, **dict(policy, warmup=0, min_n=1, max_n=1)).as_dict()
    else:
        out["whole_graph"] = {"error": "not run at this size (--validate-whole-max)"}
    return out


def load_paths(items: list[Item]) -> list[str]:
    """The load test's mix: every catalog query, lookup and match of the workload."""
    return [i.path for i in items if i.kind in ("catalog", "lookup", "match")]


def bench_scale(scale: str, args, work: Path) -> dict:
    policy = {"budget_s": args.budget, "min_n": args.min_n, "max_n": args.max_n, "warmup": args.warmup}
    manifest = prepare(scale, work=work, seed=args.seed)
    result: dict = {"scale": scale, "triples": manifest["triples"], "copies": manifest["copies"], "generate": manifest}
    store = str(work / f"{scale}-store")
    generation = (Path(store) / "current").resolve()
    logs = work / "logs" / scale

    log(f"{scale}: raw pyoxigraph in-process")
    _wall, _peak, out = run_measured([PY, "-m", "benchmarks.raw", "--store", store, "--items", args.items, "--skip", args.skip,
                                      "--budget", str(args.budget), "--min-n", str(args.min_n), "--max-n", str(args.max_n),
                                      "--warmup", str(args.warmup)])
    raw = json.loads(out)
    result["engines"] = {"pyoxigraph": {"items": raw["items"], "peak_rss_mb": raw["peak_rss_mb"], "ready_s": raw["open_s"]}}

    log(f"{scale}: qigraph serve (embedded store), cold starts")
    colds, cpus = [], []
    for _ in range(args.cold_starts - 1):
        s = start_qigraph(store, log_dir=logs, workers=args.workers)
        colds.append(s.ready_s)
        cpus.append(s.ready_cpu_s)
        s.stop()
    server = start_qigraph(store, log_dir=logs, workers=args.workers)
    colds.append(server.ready_s)
    result["cold_start_s"] = colds
    result["cold_start_cpu_s"] = [*cpus, server.ready_cpu_s]
    try:
        with httpx.Client(timeout=args.request_timeout) as client:
            routes = set(client.get(server.url + "/openapi.json").json()["paths"])
            items = workload(routes=routes, only=args.items, skip=args.skip)
            result["routes"] = sorted(routes)
            if "/match" in routes and any(i.kind == "match" for i in items):
                # The matching index is built in the server's background after start-up and holds
                # its interpreter meanwhile; measure the steady state, after it, and say how long it took.
                started = time.perf_counter()
                try:
                    client.get(server.url + "/match", params={"text": "计量"}).raise_for_status()
                    result["match_index_ready_s"] = round(time.perf_counter() - started, 2)
                except httpx.HTTPError as exc:
                    result["match_index_ready_s"] = f"no answer after {time.perf_counter() - started:.0f} s: {exc}"[:200]
                log(f"{scale}: the matching index answered {result['match_index_ready_s']} s after /health")
            log(f"{scale}: qigraph API on the embedded store")
            api = measure_api(client, server.url, items, policy)
            real = open_store(store, read_only=True)
            try:
                record = body_record_turtle(real, QID["body/qtc-key-ceramics"])
            finally:
                real.close()
            log(f"{scale}: validation through the API")
            result["validation"] = measure_validation(client, server.url, routes, record, policy,
                                                      whole_graph=manifest["triples"] <= args.validate_whole_max)
        result["engines"]["qigraph-api"] = {"items": api, "peak_rss_mb": server.peak_rss_mb(), "ready_s": server.ready_s,
                                            "workers": args.workers}
        if scale in args.load_scales:
            log(f"{scale}: load test, {args.connections} connections for {args.load_seconds} s")
            try:
                result["load"] = run_wrk(server.url, load_paths(items), connections=args.connections,
                                         seconds=args.load_seconds)
                result["load"]["workers"] = args.workers
                result["load"]["server_peak_rss_mb"] = server.peak_rss_mb()
            except RuntimeError as exc:
                result["load"] = {"error": str(exc)}
    finally:
        server.stop()

    if "rdflib-endpoint" not in args.engines:
        result["engines"]["rdflib-endpoint"] = {"error": "not run in this run (--engines)"}
    elif manifest["triples"] <= args.rdflib_max:
        log(f"{scale}: rdflib-endpoint (loading {manifest['triples']:,} triples into rdflib)")
        current: dict = {}

        def restart() -> None:
            if current.get("server"):
                current["server"].stop()
            current["server"] = start_rdflib_endpoint(Path(manifest["nt"]), log_dir=logs)
            current.setdefault("ready_s", current["server"].ready_s)
            current["peak"] = max(current.get("peak") or 0, current["server"].peak_rss_mb() or 0)

        try:
            restart()
            try:
                with httpx.Client(timeout=httpx.Timeout(args.rdflib_timeout, connect=10)) as client:
                    # Fastest first (by the raw engine's time): if one times out, the slower ones are left.
                    asked = sorted((i for i in items if i.name.startswith(tuple(args.rdflib_items.split(",")))),
                                   key=lambda i: raw["items"].get(i.name, {}).get("p50_ms") or 0)
                    res = measure_protocol(client, lambda: current["server"].extra["sparql"], asked, policy, restart=restart,
                                           stop_after_timeout=args.rdflib_stop_after_timeout)
                peak = max(current["peak"], current["server"].peak_rss_mb() or 0)
                result["engines"]["rdflib-endpoint"] = {"items": res, "peak_rss_mb": peak, "ready_s": current["ready_s"]}
            finally:
                current["server"].stop()
        except StartError as exc:
            result["engines"]["rdflib-endpoint"] = {"error": str(exc)}
    else:
        result["engines"]["rdflib-endpoint"] = {"error": f"not run above {args.rdflib_max:,.0f} triples (--rdflib-max)"}

    if "oxigraph-server" in args.engines and oxigraph_binary():
        log(f"{scale}: Oxigraph server")
        oxs = start_oxigraph_server(generation, log_dir=logs)
        try:
            with httpx.Client(timeout=args.request_timeout) as client:
                res = measure_protocol(client, oxs.extra["sparql"], items, policy)
            result["engines"]["oxigraph-server"] = {"items": res, "peak_rss_mb": oxs.peak_rss_mb(), "ready_s": oxs.ready_s}
            if remote_backend_available():
                log(f"{scale}: qigraph API on the remote Oxigraph server")
                try:
                    remote = start_qigraph(oxs.extra["sparql"], log_dir=logs, workers=args.workers, name="qigraph-remote")
                except StartError as exc:
                    result["engines"]["qigraph-api→oxigraph-server"] = {"error": str(exc)[:300]}
                else:
                    try:
                        with httpx.Client(timeout=args.request_timeout) as client:
                            res = measure_api(client, remote.url, items, policy)
                        result["engines"]["qigraph-api→oxigraph-server"] = {
                            "items": res, "peak_rss_mb": remote.peak_rss_mb(), "ready_s": remote.ready_s}
                    finally:
                        remote.stop()
            else:
                result["engines"]["qigraph-api→oxigraph-server"] = {
                    "error": "this qigraph has no remote (http) store backend yet; it is being built on main"}
        finally:
            oxs.stop()
    if "virtuoso" in args.engines and shutil.which("virtuoso-t"):
        bench_virtuoso(result, manifest, args, items, policy, work=work, scale=scale, logs=logs)
    else:
        for e in ("virtuoso", "qigraph-api→virtuoso"):
            result["engines"][e] = {"error": "not run in this run (--engines, or virtuoso-t not installed)"}
    return result


def bench_virtuoso(result: dict, manifest: dict, args, items: list[Item], policy: dict, *, work: Path, scale: str,
                   logs: Path) -> None:
    """Virtuoso over the protocol, and qigraph's API with Virtuoso as its remote store."""
    log(f"{scale}: Virtuoso (start and bulk load)")
    folder = work / f"{scale}-virtuoso"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    try:
        vt = start_virtuoso(Path(manifest["nt"]), folder, log_dir=logs)
    except (StartError, RuntimeError, subprocess.TimeoutExpired) as exc:
        for e in ("virtuoso", "qigraph-api→virtuoso"):
            result["engines"][e] = {"error": f"Virtuoso did not start or load: {exc}"[:500]}
        return
    try:
        with httpx.Client(timeout=args.request_timeout) as client:
            res = measure_protocol(client, vt.extra["sparql"], items, policy, params={"default-graph-uri": vt.extra["graph"]})
        result["engines"]["virtuoso"] = {"items": res, "peak_rss_mb": vt.peak_rss_mb(), "ready_s": vt.ready_s}
        if not remote_backend_available():
            result["engines"]["qigraph-api→virtuoso"] = {"error": "this qigraph has no remote (http) store backend"}
            return
        log(f"{scale}: qigraph API on Virtuoso")
        try:
            remote = start_qigraph(vt.extra["sparql"], log_dir=logs, workers=args.workers, name="qigraph-virtuoso",
                                   env={"QIGRAPH_ENDPOINT_GRAPH": vt.extra["graph"]})
        except StartError as exc:
            result["engines"]["qigraph-api→virtuoso"] = {"error": str(exc)[:300]}
            return
        try:
            with httpx.Client(timeout=args.request_timeout) as client:
                res = measure_api(client, remote.url, items, policy)
            result["engines"]["qigraph-api→virtuoso"] = {"items": res, "peak_rss_mb": remote.peak_rss_mb(),
                                                         "ready_s": remote.ready_s}
        finally:
            remote.stop()
    finally:
        stop_virtuoso(vt)
        shutil.rmtree(folder, ignore_errors=True)


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    import pyoxigraph
    import rdflib

    versions = {"python": platform.python_version(), "pyoxigraph": pyoxigraph.__version__, "rdflib": rdflib.__version__}
    from importlib.metadata import PackageNotFoundError, version

    for dist in ("rdflib-endpoint", "oxigraph"):
        try:
            versions[dist] = version(dist)
        except PackageNotFoundError:
            versions[dist] = "not installed"
    return {"cpu": cpu, "nproc": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "versions": versions, "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    p.add_argument("--scales", default="1x,10x,1M", help="comma-separated: 1x, 10x (copies of the real graph) or 1M (triples)")
    p.add_argument("--out", default="docs/benchmarks.md", help="the report; results and plots go beside it")
    p.add_argument("--work", default="/tmp/qigraph-bench", help="where graphs and stores are made (reused across runs)")
    p.add_argument("--seed", type=int, default=20261121)
    p.add_argument("--budget", type=float, default=2.0, help="seconds of repetitions per item and engine")
    p.add_argument("--min-n", type=int, default=3, help="repetitions per item at least")
    p.add_argument("--max-n", type=int, default=30, help="repetitions per item at most")
    p.add_argument("--warmup", type=int, default=1, help="untimed calls before timing an item")
    p.add_argument("--items", default="", help="only the items whose names start with one of these (comma-separated)")
    p.add_argument("--skip", default="", help="not the items whose names start with one of these (comma-separated)")
    p.add_argument("--no-real-build", action="store_true", help="do not time `qigraph build` of the real data")
    p.add_argument("--workers", type=int, default=2, help="qigraph serve --query-workers")
    p.add_argument("--cold-starts", type=int, default=3)
    p.add_argument("--request-timeout", type=float, default=900)
    p.add_argument("--rdflib-timeout", type=float, default=120, help="seconds an rdflib-endpoint request may take")
    p.add_argument("--rdflib-items", default="catalog:,lookup:", help="the items rdflib-endpoint is asked (name prefixes)")
    p.add_argument("--rdflib-stop-after-timeout", action="store_true",
                   help="after a timeout, ask rdflib-endpoint nothing more instead of restarting it")
    p.add_argument("--rdflib-max", type=float, default=1.5e6, help="largest graph (triples) loaded into rdflib-endpoint")
    p.add_argument("--validate-whole-max", type=float, default=1.5e6, help="largest graph validated whole")
    p.add_argument("--engines", default="rdflib-endpoint,oxigraph-server,virtuoso",
                   help="which of the optional engines to run besides pyoxigraph and qigraph serve (comma-separated)")
    p.add_argument("--load-scales", default="1x,10x", help="scales at which to run the load test")
    p.add_argument("--load-seconds", type=int, default=30)
    p.add_argument("--connections", type=int, default=50)
    p.add_argument("--no-report", action="store_true", help="record results only")
    args = p.parse_args(argv)
    args.load_scales = set(filter(None, args.load_scales.split(",")))
    args.engines = set(filter(None, args.engines.split(",")))
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    out = Path(args.out)
    results_path = out.parent / "benchmarks" / "results.json"
    results_path.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(results_path.read_text()) if results_path.exists() else {"scales": {}}
    command = "python -m benchmarks.run " + " ".join(argv if argv is not None else sys.argv[1:])
    if "real_build" not in results and not args.no_real_build:
        log("timing qigraph build of the real data")
        results["real_build"] = time_real_build(work)
    for scale in filter(None, args.scales.split(",")):
        started = time.perf_counter()
        res = bench_scale(scale, args, work)
        res.update(machine=machine(), command=command, seconds=round(time.perf_counter() - started, 1),
                   date=time.strftime("%Y-%m-%d %H:%M"))
        results["scales"][scale] = res
        results_path.write_text(json.dumps(results, indent=1, ensure_ascii=False))
        log(f"{scale}: done in {res['seconds']} s")
        if not args.no_report:
            report.write(results, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
