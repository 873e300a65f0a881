"""Regression: a query worker process imports only the store — not the SPARQL guard's parser nor
the web stack — so the workers of ``qigraph serve`` are ready soon after it starts (cold start)."""

from __future__ import annotations

import subprocess
import sys

from qigraph.store import bounded

PROBE = """
import importlib, sys
importlib.import_module(sys.argv[1])
from qigraph.store import open_store
open_store(sys.argv[2], read_only=True).triple_count()
heavy = sorted(m for m in ("rdflib.plugins.sparql.parser", "fastapi", "uvicorn", "jinja2") if m in sys.modules)
print(",".join(heavy) or "none")
"""


def test_worker_loads_the_store_without_the_parser_or_the_web_stack(store_path):
    # The module a spawned worker imports to find its loop (the Process target of bounded._Worker).
    module = bounded.serve.__module__
    out = subprocess.run([sys.executable, "-c", PROBE, module, store_path], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "none"
