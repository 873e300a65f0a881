"""The floor: the workload's SPARQL run by pyoxigraph in-process, results serialised to SPARQL JSON
as the API's are, with no HTTP and no worker in between.

Run in its own process by the harness, so its peak memory is its own:
``python -m benchmarks.raw --store DIR --budget 2`` prints one JSON object.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from qigraph.store.oxigraph_store import CURRENT, to_ox

from .measure import repeat, self_peak_rss_mb
from .workload import workload


def run(store_dir: Path, *, only: str, skip: str, policy: dict) -> dict:
    started = time.perf_counter()
    store = ox.Store.read_only(str((Path(store_dir) / CURRENT).resolve()))
    opened_s = time.perf_counter() - started
    results = {}
    for item in workload(only=only, skip=skip):
        if not item.queries:
            continue
        prepared = [(q, {ox.Variable(k): to_ox(v) for k, v in b.items()} or None) for q, b in item.queries]

        def call(prepared=prepared) -> None:
            for q, subs in prepared:
                out = io.BytesIO()
                store.query(q, substitutions=subs).serialize(out, format=ox.QueryResultsFormat.JSON)

        timing = repeat(call, **policy)
        if timing.error is None:
            rows = 0
            for q, subs in prepared:
                out = io.BytesIO()
                store.query(q, substitutions=subs).serialize(out, format=ox.QueryResultsFormat.JSON)
                rows += len(json.loads(out.getvalue())["results"]["bindings"])
            timing.rows = rows
        results[item.name] = timing.as_dict()
    return {"open_s": round(opened_s, 3), "items": results, "peak_rss_mb": self_peak_rss_mb()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.raw")
    p.add_argument("--store", required=True)
    p.add_argument("--budget", type=float, default=2.0, help="seconds per item")
    p.add_argument("--min-n", type=int, default=3)
    p.add_argument("--max-n", type=int, default=30)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--items", default="", help="only the items whose names start with one of these (comma-separated)")
    p.add_argument("--skip", default="", help="not the items whose names start with one of these (comma-separated)")
    args = p.parse_args(argv)
    policy = {"budget_s": args.budget, "min_n": args.min_n, "max_n": args.max_n, "warmup": args.warmup}
    print(json.dumps(run(Path(args.store), only=args.items, skip=args.skip, policy=policy)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
