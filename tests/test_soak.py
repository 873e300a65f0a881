"""A short soak (benchmarks/soak.py): 10 clients for 10 s on the whole request mix against
`qigraph serve`; every request is answered, none with a 5xx, and the server is healthy after."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not of the installed package
    sys.path.insert(0, str(ROOT))

from benchmarks.soak import run, write


def test_a_short_soak_holds_every_request(store_path, tmp_path):
    result = run(store_path, clients=10, seconds=10, seed=9)
    assert result["requests"] > 0
    assert result["server_errors"] == 0, result["statuses"]
    assert result["connection_errors"] == 0, result["statuses"]
    assert result["held"] == result["requests"]
    assert result["alive_after"]
    assert set(result["by_kind"]) == {"query", "lookup", "sparql", "match", "validate"} or result["requests"] < 50
    write(result, tmp_path / "soak")
    assert "| 5xx answers | 0 |" in (tmp_path / "soak.md").read_text(encoding="utf-8")
