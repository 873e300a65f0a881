"""Real SPARQL servers for the contract suite: an Oxigraph server (the `oxigraph` package on PyPI)
and Virtuoso (Debian's `virtuoso-opensource`), each started in a temporary folder on free ports and
polled until it answers — never a fixed port and a sleep."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

# The graph Virtuoso keeps qigraph's data in: its default graph is the union of every graph,
# its own system graphs included, so qigraph names one.
VIRTUOSO_GRAPH = "https://w3id.org/qigraph/graph"


@dataclass
class Endpoint:
    """A running endpoint: its query URL and the options ``open_store`` takes for it."""

    name: str
    url: str
    options: dict = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def read_options(self) -> dict:
        """What a reader (the API) needs: no credentials, no update URL."""
        return {k: v for k, v in self.options.items() if k == "graph"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, log: Path, what: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"{what} did not start: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


@contextlib.contextmanager
def qigraph_serve(store_path: str, *args: str, env: dict[str, str] | None = None):
    """`qigraph serve` on the store at a free port, as a user runs it (``args``: more options,
    ``env``: more environment); yields its base URL and stops it afterwards."""
    import os

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "qigraph.cli", "serve", "--port", str(port), "--log-level", "warning", *args],
                            env=dict(os.environ, QIGRAPH_STORE=store_path, **(env or {})),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/health", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"qigraph serve did not start: {proc.stderr.read().decode()}") from None
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def oxigraph_binary() -> str:
    """The `oxigraph` server binary of the environment running the tests."""
    found = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if not found:
        raise RuntimeError("the `oxigraph` server is not installed: `pip install -e '.[test]'` brings it")
    return found


@contextlib.contextmanager
def oxigraph_server(folder: Path):
    """An Oxigraph server with a fresh database in ``folder``."""
    port = free_port()
    log = folder / "oxigraph.log"
    with log.open("wb") as out:
        process = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(folder / "db"),
                                    "--bind", f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/query?query=ASK%7B%7D", process, log, "the Oxigraph server")
        yield Endpoint("oxigraph-server", f"{base}/query",
                       {"update_url": f"{base}/update", "store_url": f"{base}/store"}, process)
    finally:
        process.terminate()
        process.wait(timeout=20)


_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = ., {db}
CheckpointInterval = 60

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {db}
MaxClientConnections = 8
ServerThreads = 8

[SPARQL]
MaxQueryExecutionTime = 120
"""


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if not found:
        raise RuntimeError("Virtuoso is not installed: `apt-get install virtuoso-opensource` (.ci/run does this)")
    return found


@contextlib.contextmanager
def virtuoso_server(folder: Path):
    """A Virtuoso server with a fresh database in ``folder``; writes go through its
    authenticated endpoints as the database administrator (a fresh database's dba/dba)."""
    db = folder / "virtuoso"
    db.mkdir(parents=True, exist_ok=True)
    http_port, sql_port = free_port(), free_port()
    ini = db / "virtuoso.ini"
    ini.write_text(_VIRTUOSO_INI.format(db=db, http_port=http_port, sql_port=sql_port))
    log = db / "stdout.log"
    with log.open("wb") as out:
        process = subprocess.Popen([virtuoso_binary(), "+foreground", "+configfile", str(ini)],
                                   stdout=out, stderr=subprocess.STDOUT, cwd=db)
    base = f"http://127.0.0.1:{http_port}"
    try:
        _wait(f"{base}/sparql?query=ASK%7B%7D", process, log, "Virtuoso")
        yield Endpoint("virtuoso", f"{base}/sparql",
                       {"update_url": f"{base}/sparql-auth", "store_url": f"{base}/sparql-graph-crud-auth",
                        "graph": VIRTUOSO_GRAPH, "user": "dba", "password": "dba"}, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
