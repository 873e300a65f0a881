"""Binding query variables for an engine that only takes query text: a ``VALUES`` block.

The embedded engine binds variables itself (pyoxigraph ``substitutions=``). A remote SPARQL
endpoint takes only text, so the bindings travel as a ``VALUES`` block written from each term's
N3 form (the terms are serialised, never the caller's raw strings) and placed as the first element
of the query's WHERE group, and of each sub-SELECT's. There — not after the query, where SPARQL
joins it only after filtering and grouping — every FILTER and BIND sees the bound values, as they
do with the embedded engine.

>>> from rdflib import Literal, URIRef
>>> bind_values('SELECT ?x ?t WHERE { ?x <http://e/p> ?t FILTER(CONTAINS(?t, "{")) }',
...             {"t": Literal('a" } x')})
'SELECT ?x ?t WHERE { VALUES (?t) { ("a\\\\" } x") } ?x <http://e/p> ?t FILTER(CONTAINS(?t, "{")) }'
"""

from __future__ import annotations

import re
from typing import Mapping

from rdflib import BNode, Literal, URIRef

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_WORD = re.compile(r"[A-Za-z]+")


class UnbindableQuery(ValueError):
    """The query has no WHERE group the bindings can be placed in."""


def values_block(bindings: Mapping[str, object]) -> str:
    """``VALUES (?a ?b) { (<iri> "text"@zh) }`` for one row of bindings.

    Raises:
        TypeError: a value that is not an rdflib URIRef or Literal (a blank node cannot be bound
            across a protocol boundary).
        ValueError: a variable name that is not a SPARQL variable name.
    """
    names, terms = [], []
    for name, term in bindings.items():
        if not _VARIABLE.match(name):
            raise ValueError(f"{name!r} is not a SPARQL variable name")
        if isinstance(term, BNode) or not isinstance(term, (URIRef, Literal)):
            raise TypeError(f"cannot bind ?{name} to a {type(term).__name__}; give an rdflib URIRef or Literal")
        names.append(f"?{name}")
        terms.append(term.n3())
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def _skip_opaque(query: str, i: int) -> int:
    """Past the comment, string or IRI starting at ``i`` (braces inside them do not count), else ``i``."""
    c = query[i]
    if c == "#":
        end = query.find("\n", i)
        return len(query) if end < 0 else end + 1
    if c in "\"'":
        quote = c * 3 if query.startswith(c * 3, i) else c
        j = i + len(quote)
        while j < len(query) and not query.startswith(quote, j):
            j += 2 if query[j] == "\\" else 1
        return j + len(quote)
    if c == "<" and (m := _IRIREF.match(query, i)):
        return m.end()
    return i


def _matching_brace(query: str, start: int) -> int:
    depth, i = 0, start
    while i < len(query):
        if (j := _skip_opaque(query, i)) != i:
            i = j
            continue
        if query[i] == "{":
            depth += 1
        elif query[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise UnbindableQuery("the CONSTRUCT template is not closed")


def where_group_starts(query: str) -> list[int]:
    """The indexes just after each ``{`` that opens a WHERE group: the query's, then each sub-SELECT's.

    Skips comments, strings and IRIs, and a CONSTRUCT template, so no brace inside them counts.

    Raises:
        UnbindableQuery: no WHERE group found (e.g. ``CONSTRUCT WHERE {…}``, whose group is also
            the template and so cannot hold a VALUES block).
    """
    starts: list[int] = []
    i, in_construct, after_select = 0, False, False
    while i < len(query):
        if (j := _skip_opaque(query, i)) != i:
            i = j
            continue
        c = query[i]
        if c.isalpha():
            word = _WORD.match(query, i).group()
            upper = word.upper()
            # A keyword, not part of a variable, a prefixed name or a number's exponent.
            if (i == 0 or query[i - 1] not in "?$:_-.0123456789") and not query.startswith(":", i + len(word)):
                if upper == "CONSTRUCT" and not starts:
                    in_construct = True
                elif upper == "WHERE" and in_construct:
                    raise UnbindableQuery("CONSTRUCT WHERE {…} cannot take bound parameters; write the template out")
                elif upper == "SELECT" and starts:
                    after_select = True
            i += len(word)
        elif c == "{":
            if in_construct:
                i, in_construct = _matching_brace(query, i) + 1, False
                continue
            if not starts or after_select:
                starts.append(i + 1)
                after_select = False
            i += 1
        else:
            i += 1
    if not starts:
        raise UnbindableQuery("the query has no WHERE group to bind parameters in")
    return starts


def bind_values(query: str, bindings: Mapping[str, object] | None) -> str:
    """The query with ``bindings`` placed as a VALUES block at the start of its WHERE group and of
    each sub-SELECT's (a sub-SELECT sees none of the outer bindings, while the embedded engine
    binds a variable everywhere)."""
    if not bindings:
        return query
    block = values_block(bindings)
    for at in reversed(where_group_starts(query)):
        query = f"{query[:at]} {block}{query[at:]}"
    return query
