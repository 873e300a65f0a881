"""Timing and memory: repeat a call within a budget and summarise it; peak memory of a process tree."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Timing:
    """Latencies of one item on one engine, in milliseconds; ``error`` says why it has none."""

    n: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None
    mean_ms: float | None = None
    rps: float | None = None  # sequential requests per second (1 / mean)
    rows: int | None = None  # result rows, to check that engines answer alike
    error: str | None = None
    timed_out_ms: float | None = None  # no answer within this: the latency is at least this much

    def as_dict(self) -> dict:
        return asdict(self)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) by linear interpolation."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def repeat(call: Callable[[], int | None], *, budget_s: float, min_n: int = 3, max_n: int = 30,
           warmup: int = 1) -> Timing:
    """Call ``call`` (which returns a row count or None) after ``warmup`` untimed calls, at least
    ``min_n`` and at most ``max_n`` times, stopping once ``budget_s`` seconds have gone by.

    A request that still outlasts the budget on the call after its warm-up is not repeated: that
    warm call is its one sample (n = 1), so the largest scales finish in hours, not days.
    """
    rows = None
    samples: list[float] = []
    try:
        for _ in range(warmup):
            rows = call()
        started = time.perf_counter()
        while len(samples) < max_n and (len(samples) < min_n or time.perf_counter() - started < budget_s):
            t0 = time.perf_counter()
            rows = call()
            samples.append((time.perf_counter() - t0) * 1000)
            if warmup and len(samples) == 1 and samples[0] > budget_s * 1000:
                break
    except Exception as exc:  # noqa: BLE001 - a failing engine is a result, not a crash of the run
        return Timing(error=f"{type(exc).__name__}: {exc}"[:300])
    mean = statistics.fmean(samples)
    return Timing(n=len(samples), p50_ms=round(percentile(samples, 50), 3), p95_ms=round(percentile(samples, 95), 3),
                  mean_ms=round(mean, 3), rps=round(1000 / mean, 1) if mean else None, rows=rows)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def tree(pid: int) -> list[int]:
    """A process and all its descendants."""
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += _children(p)
    return pids


def peak_rss_mb(pid: int) -> float | None:
    """The sum of the peak resident memory (VmHWM) of a process and its descendants, in MiB: an
    upper bound on the tree's peak, as the peaks need not coincide."""
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return round(total / 1024, 1) if total else None


def self_peak_rss_mb() -> float:
    """This process's peak resident memory, in MiB."""
    return peak_rss_mb(os.getpid()) or 0.0


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds spent so far by a process and its live descendants."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return round(total, 2)
