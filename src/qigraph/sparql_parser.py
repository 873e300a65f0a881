"""rdflib's SPARQL parser, one thread at a time.

rdflib parses SPARQL with pyparsing, and pyparsing learns how many arguments each parse action
takes on that action's first call, by calling it and catching ``TypeError``; two threads doing so
at once break each other's guess (``TypeError: <lambda>() missing 1 required positional argument:
'x'``). The API parses in several threads (requests, the matcher warming up, SHACL validation), so
every parse goes through one lock. A parse takes milliseconds, so the lock costs nothing noticeable.

rdflib's parser is imported on the first parse, not with this module: the API imports this module
at start-up and the parser is a good part of ``qigraph serve``'s start time.
"""

from __future__ import annotations

import threading

_LOCK = threading.Lock()


def parse_query(text: str):
    """rdflib's ``parseQuery``, under the process-wide parser lock.

    >>> parse_query("ASK { ?s ?p ?o }")[1].name
    'AskQuery'
    """
    with _LOCK:
        return _parser().parseQuery(text)


def parse_update(text: str):
    """rdflib's ``parseUpdate``, under the process-wide parser lock."""
    with _LOCK:
        return _parser().parseUpdate(text)


def _parser():
    from rdflib.plugins.sparql import parser, parserutils  # noqa: F401 - parserutils: CompValue for the guard

    return parser
