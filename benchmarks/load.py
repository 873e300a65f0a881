"""Concurrency: wrk (Debian's ``wrk``) with many connections on a mix of API requests, bounded in
time, against ``qigraph serve`` on localhost; requests per second, latency percentiles, errors."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

# wrk's Lua: each connection takes the paths in turn from its own offset, so the mix is even and
# the run repeatable; done() prints the summary as one JSON line.
_SCRIPT = """
local paths = {%(paths)s}
local n = 0
local counter = 0
setup = function(thread) counter = counter + 1; thread:set("offset", counter * 7) end
request = function()
  n = n + 1
  local path = paths[((offset or 0) + n) %% #paths + 1]
  return wrk.format("GET", path, {["Accept"] = "application/sparql-results+json, application/json"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_ms": %%.2f, "p95_ms": %%.2f, "p99_ms": %%.2f, "max_ms": %%.2f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
"""


def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(base_url: str, paths: list[str], *, connections: int = 50, threads: int = 2, seconds: int = 30,
            timeout_s: int = 60) -> dict:
    """Run wrk against ``base_url`` with ``connections`` concurrent clients for ``seconds``.

    Returns:
        requests, rps, p50/p95/p99/max latency (ms), errors by kind and their total.

    Raises:
        RuntimeError: wrk is not installed (``apt-get install wrk``) or printed no summary.
    """
    wrk = shutil.which("wrk")
    if not wrk:
        raise RuntimeError("wrk is not installed: apt-get install wrk")
    script = _SCRIPT % {"paths": ", ".join(lua_string(p) for p in paths)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run([wrk, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
                              "--timeout", f"{timeout_s}s", "-s", f.name, base_url],
                             check=False, capture_output=True, text=True, timeout=seconds + timeout_s + 60)
    finally:
        Path(f.name).unlink(missing_ok=True)
    m = re.search(r"^BENCH (\{.*\})$", out.stdout, re.MULTILINE)
    if not m:
        raise RuntimeError(f"wrk printed no summary: {out.stdout[-800:]} {out.stderr[-800:]}")
    s = json.loads(m.group(1))
    errors = {k: s[k] for k in ("connect", "read", "write", "status", "timeout")}
    return {"connections": connections, "threads": threads, "seconds": seconds, "requests": s["requests"],
            "rps": round(s["requests"] / (s["duration_us"] / 1e6), 1), "p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"],
            "p99_ms": s["p99_ms"], "max_ms": s["max_ms"], "errors": errors, "error_total": sum(errors.values()),
            "paths": len(paths)}
