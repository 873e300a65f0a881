"""Regression: importing the API (what ``qigraph serve`` does before it can answer) does not load
pySHACL, jieba or rdflib's SPARQL engine; the first request that needs one of them loads it. They
are most of a second of start-up at import, which the cold-start target (< 2 s) cannot carry."""

from __future__ import annotations

import subprocess
import sys

import pytest

LAZY = ("pyshacl", "jieba", "rdflib.plugins.sparql")

PROBE = """
import sys
import qigraph.api.app
from qigraph.api.app import create_app
create_app()
print(",".join(sorted(m for m in sys.modules if m.startswith({lazy!r}))) or "none")
"""


def _loaded_after(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize("module", LAZY)
def test_importing_the_app_does_not_load(module):
    assert _loaded_after(PROBE.format(lazy=(module,))) == "none"


def test_the_probe_sees_a_module_once_it_is_loaded():
    # The same probe after what a route's first use does: it reports each of them, so the test
    # above would see one imported at start-up.
    code = PROBE.replace("create_app()", "create_app()\nimport pyshacl, jieba, rdflib.plugins.sparql.parser")
    loaded = _loaded_after(code.format(lazy=LAZY)).split(",")
    assert {m.split(".")[0] for m in loaded} == {"pyshacl", "jieba", "rdflib"}


RACE = """
import threading
from qigraph.store.guard import ForbiddenQuery, check_query

refused = []
start = threading.Barrier(4)

def first_check():
    start.wait()
    try:
        for i in range(20):
            check_query('SELECT ?s WHERE { ?s ?p "a service desk %d" }' % i)
    except ForbiddenQuery as exc:
        refused.append(str(exc))

threads = [threading.Thread(target=first_check) for _ in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(refused))
"""


def test_threads_checking_queries_at_once_all_get_them_parsed():
    # rdflib's parser fails on valid queries when two threads run it at once, and a query it cannot
    # parse that has the word "service" is refused; the guard runs one parse at a time.
    assert _loaded_after(RACE) == "0"
