"""Refuse what a read-only query endpoint must not run, from the parsed query, before it runs.

pyoxigraph executes SERVICE (and, for updates, LOAD) with no switch to turn them off, so the
query is parsed first (rdflib's SPARQL parser) and refused when it is an update, or calls a
SERVICE that the operator has not allowed. rdflib's SPARQL parser is imported on the first check,
not with this module: importing it costs a good part of a second, which ``qigraph serve`` would
otherwise pay before it answers anything.
"""

from __future__ import annotations

import re
from functools import lru_cache

from qigraph.sparql_parser import parse_query as parseQuery
from qigraph.sparql_parser import parse_update as parseUpdate


class ForbiddenQuery(ValueError):
    """The request is a well-formed operation this endpoint does not run; the message says why."""


def _nodes(node):
    from rdflib.plugins.sparql.parserutils import CompValue  # loaded by the first parse

    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, (list, tuple)) or hasattr(node, "asList"):
        for value in node:
            yield from _nodes(value)


@lru_cache(maxsize=1024)
def _parsed(query: str):
    """The query as rdflib parses it; None when rdflib cannot parse it."""
    try:
        return parseQuery(query)
    except Exception:  # noqa: BLE001 - any parse failure means "cannot verify"
        return None


def _service_endpoints(query: str) -> tuple[str, ...] | None:
    """The SERVICE endpoints a query calls; None when rdflib cannot parse it."""
    parsed = _parsed(query)
    if parsed is None:
        return None
    return tuple(str(n.term) for n in _nodes(parsed) if n.name == "ServiceGraphPattern")


MAX_NESTING = 100  # groups and brackets inside one another; deeper is no real query, and parsers recurse on it


def nesting_depth(query: str) -> int:
    """How deeply braces and parentheses nest in the query (strings, IRIs and comments aside)."""
    from .values import tokens

    depth = deepest = 0
    for _i, tok in tokens(query):
        if tok in "{(":
            depth += 1
            deepest = max(deepest, depth)
        elif tok in "})":
            depth -= 1
    return deepest


def check_query(query: str, *, allowed_services: tuple[str, ...] = ()) -> None:
    """Raise ForbiddenQuery for an update or a SERVICE call to an endpoint not allowed.

    A query the parser cannot read is passed on (the engine reports its syntax error with line
    and column) unless it mentions SERVICE, which then cannot be verified and is refused.
    """
    if nesting_depth(query) > MAX_NESTING:
        raise ForbiddenQuery(f"the query nests groups or brackets more than {MAX_NESTING} deep; write it flatter")
    endpoints = _service_endpoints(query)
    if endpoints is None:
        try:
            parseUpdate(query)
        except Exception:  # noqa: BLE001
            if re.search(r"\bSERVICE\b", query, re.IGNORECASE):
                raise ForbiddenQuery("the query mentions SERVICE but could not be parsed to check its endpoint; fix its syntax") from None
            return
        raise ForbiddenQuery("SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP…) is not accepted: this endpoint is read-only")
    for endpoint in endpoints:
        if endpoint not in allowed_services:
            allowed = ", ".join(allowed_services) or "none"
            raise ForbiddenQuery(f"SERVICE <{endpoint}> is not allowed (federation is limited to endpoints the operator lists; allowed: {allowed})")
