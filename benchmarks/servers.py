"""The HTTP engines the harness starts on localhost: ``qigraph serve`` (on the embedded store or a
remote endpoint), rdflib-endpoint, and the Oxigraph server. Each is a real process on a free port,
polled until it answers, and stopped by its own process id."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .measure import cpu_seconds, peak_rss_mb

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A started server: its process, base URL and how long it took to answer ``ready_path``."""

    name: str
    process: subprocess.Popen
    url: str
    ready_s: float
    log: Path
    ready_cpu_s: float | None = None  # CPU seconds the process tree spent until ready: steadier than wall time on a busy machine
    extra: dict = field(default_factory=dict)

    def peak_rss_mb(self) -> float | None:
        return peak_rss_mb(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class StartError(RuntimeError):
    """A server did not come up; the message carries the end of its log."""


def _start(name: str, argv: list[str], *, url: str, ready_path: str, log_dir: Path, timeout_s: float,
           env: dict | None = None) -> Server:
    log = Path(log_dir) / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "wb")  # noqa: SIM115 - closed with the process's life
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, env=env or os.environ.copy())
    deadline = started + timeout_s
    with httpx.Client(timeout=5) as client:
        while True:
            try:
                if client.get(url + ready_path).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.perf_counter() > deadline:
                if proc.poll() is None:
                    proc.kill()
                tail = log.read_text(errors="replace")[-1500:]
                raise StartError(f"{name} did not answer {ready_path} within {timeout_s:g} s: {tail}")
            time.sleep(0.02)
    return Server(name, proc, url, round(time.perf_counter() - started, 3), log, cpu_seconds(proc.pid))


def start_qigraph(store: str, *, log_dir: Path, workers: int = 2, query_timeout: float = 600,
                  timeout_s: float = 300, name: str = "qigraph", env: dict | None = None) -> Server:
    """``qigraph serve`` as a user runs it; ready when /health answers (which asks a query worker).
    ``env``: extra environment, such as a remote endpoint's ``QIGRAPH_ENDPOINT_GRAPH``."""
    port = free_port()
    argv = [str(BIN / "qigraph"), "--store", store, "serve", "--port", str(port), "--log-level", "warning",
            "--query-workers", str(workers), "--query-timeout", str(query_timeout)]
    server = _start(name, argv, url=f"http://127.0.0.1:{port}", ready_path="/health", log_dir=log_dir, timeout_s=timeout_s,
                    env=dict(os.environ, **(env or {})))
    server.extra["workers"] = workers
    return server


def start_rdflib_endpoint(nt_file: Path, *, log_dir: Path, timeout_s: float = 3600) -> Server:
    """rdflib-endpoint serving the N-Triples file from rdflib's in-memory store."""
    port = free_port()
    argv = [str(BIN / "rdflib-endpoint"), "serve", str(nt_file), "--host", "127.0.0.1", "--port", str(port)]
    server = _start("rdflib-endpoint", argv, url=f"http://127.0.0.1:{port}", ready_path="/?query=ASK%7B%7D",
                    log_dir=log_dir, timeout_s=timeout_s)
    server.extra["sparql"] = f"{server.url}/"
    return server


def oxigraph_binary() -> str | None:
    """The Oxigraph server from PyPI's ``oxigraph`` package, if installed."""
    found = BIN / "oxigraph"
    return str(found) if found.exists() else shutil.which("oxigraph")


def start_oxigraph_server(database: Path, *, log_dir: Path, timeout_s: float = 300) -> Server:
    """The Oxigraph server, read-only, on a store generation the embedded store also reads."""
    binary = oxigraph_binary()
    if not binary:
        raise StartError("the Oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    argv = [binary, "serve-read-only", "--location", str(database), "--bind", f"127.0.0.1:{port}"]
    server = _start("oxigraph-server", argv, url=f"http://127.0.0.1:{port}", ready_path="/query?query=ASK%7B%7D",
                    log_dir=log_dir, timeout_s=timeout_s)
    server.extra["sparql"] = f"{server.url}/query"
    return server


def remote_backend_available() -> bool:
    """Whether this qigraph opens an http(s) URL as a remote SPARQL store (the lead's remote backend)."""
    from qigraph import store

    return any(scheme in getattr(store, "_BACKENDS", {}) for scheme in ("http", "https"))


def _tests_module(name: str):
    """A helper module of tests/ (the contract suite's endpoint launchers), loaded from its file so
    the benchmark starts Virtuoso exactly as the tests do."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tests" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_qigraph_tests_{name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def start_virtuoso(nt_file: Path, folder: Path, *, log_dir: Path) -> Server:
    """Virtuoso (Debian's virtuoso-opensource) in ``folder``, the N-Triples bulk-loaded into
    qigraph's graph with Virtuoso's own loader (ld_dir, rdf_loader_run); ``ready_s`` is start plus load."""
    endpoints = _tests_module("endpoints")
    started = time.perf_counter()
    context = endpoints.virtuoso_server(Path(folder))
    endpoint = context.__enter__()
    try:
        db = Path(folder) / "virtuoso"
        sql_port = next(line.split(":")[-1] for line in (db / "virtuoso.ini").read_text().splitlines()
                        if line.startswith("ServerPort") and "127.0.0.1" in line)
        target = db / Path(nt_file).name
        if not target.exists():
            os.link(nt_file, target)
        graph = endpoint.options["graph"]
        isql = shutil.which("isql-vt") or "isql-vt"
        script = f"ld_dir('{db}', '{target.name}', '{graph}'); rdf_loader_run(); checkpoint;"
        loaded = subprocess.run([isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={script}"],
                                capture_output=True, text=True, check=False, timeout=7200)
        if loaded.returncode:
            raise StartError(f"Virtuoso's bulk load failed: {loaded.stdout[-800:]} {loaded.stderr[-800:]}")
    except BaseException:
        context.__exit__(None, None, None)
        raise
    server = Server("virtuoso", endpoint.process, endpoint.url.rsplit("/", 1)[0], round(time.perf_counter() - started, 3),
                    Path(log_dir) / "virtuoso.log", cpu_seconds(endpoint.process.pid))
    server.extra.update(sparql=endpoint.url, graph=graph, context=context)
    return server


def stop_virtuoso(server: Server) -> None:
    server.extra["context"].__exit__(None, None, None)
