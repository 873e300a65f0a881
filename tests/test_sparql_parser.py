"""rdflib's SPARQL parser used from many threads at once, in a fresh interpreter (pyparsing learns
its parse actions' arities on their first calls, which is when threads can break each other):
through ``qigraph.sparql_parser`` every parse succeeds. (Called directly, rdflib's ``parseQuery``
fails in most of these threads with ``TypeError: … missing 1 required positional argument``.)"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = r'''
import threading
from qigraph.sparql_parser import parse_query, parse_update

QUERIES = [
    "PREFIX x: <http://x/> SELECT ?a (COUNT(?b) AS ?n) WHERE { ?a x:p/x:q* ?b . FILTER(LANG(?b) = 'zh' && ?b > 3) "
    "OPTIONAL { ?a ?p 'c'@en } } GROUP BY ?a ORDER BY DESC(?n) LIMIT 5",
    "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { <http://a> <http://b> } ?s ?p ?o MINUS { ?s a ?t } }",
    'ASK { ?s <http://p> "x"^^<http://www.w3.org/2001/XMLSchema#date> BIND(STR(?s) AS ?z) }',
] * 4
errors = []
barrier = threading.Barrier(len(QUERIES) + 1)

def run(parse, text):
    barrier.wait()
    try:
        parse(text)
    except Exception as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=run, args=(parse_query, q)) for q in QUERIES]
threads.append(threading.Thread(target=run, args=(parse_update, "INSERT DATA { <http://a> <http://b> 1 }")))
for t in threads:
    t.start()
for t in threads:
    t.join()
print(len(errors), errors[:3])
'''


def test_parsing_in_many_threads_at_once_succeeds():
    for _ in range(3):  # each run a fresh interpreter, where no parse action has been called yet
        out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True)
        assert out.stdout.strip() == "0 []", out.stdout + out.stderr
