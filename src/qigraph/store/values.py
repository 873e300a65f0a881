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
from collections.abc import Mapping

from rdflib import BNode, Literal, URIRef

_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NAME = re.compile(r"\w+")
_RAW_ESCAPES = str.maketrans({"\t": "\\t", "\b": "\\b", "\f": "\\f"})


class UnbindableQuery(ValueError):
    """The query has no WHERE group the bindings can be placed in."""


def values_block(bindings: Mapping[str, object]) -> str:
    """``VALUES (?a ?b) { (<iri> "text"@zh) }`` for one row of bindings.

    Raises:
        TypeError: a value that is not an rdflib URIRef or Literal (a blank node cannot be bound
            across a protocol boundary).
        ValueError: a variable name that is not a SPARQL variable name, or an IRI with characters
            SPARQL's IRIREF excludes.
    """
    names, terms = [], []
    for name, term in bindings.items():
        if not _VARIABLE.match(name):
            raise ValueError(f"{name!r} is not a SPARQL variable name")
        if isinstance(term, BNode) or not isinstance(term, (URIRef, Literal)):
            raise TypeError(f"cannot bind ?{name} to a {type(term).__name__}; give an rdflib URIRef or Literal")
        if isinstance(term, URIRef) and not _IRIREF.fullmatch(f"<{term}>"):
            raise ValueError(f"cannot bind ?{name} to {str(term)!r}: not an IRI SPARQL can write")
        names.append(f"?{name}")
        # rdflib writes a tab or form feed raw; escaped, the literal reads back the same with any
        # SPARQL parser (rdflib's own turns a raw tab into spaces)
        terms.append(term.n3().translate(_RAW_ESCAPES) if isinstance(term, Literal) else term.n3())
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


def tokens(query: str):
    """The query's brackets and keywords, with their indexes, outside comments, strings and IRIs.

    Keywords come upper-cased; a word that is part of a variable, a prefixed name or a number is
    no keyword. This is all the structure binding, the form and the nesting limit need.

    >>> [t for _i, t in tokens('PREFIX select: <http://x/where> SELECT ?where { ?s select:p "}" }')]
    ['PREFIX', 'SELECT', '{', '}']
    """
    i = 0
    while i < len(query):
        if (j := _skip_opaque(query, i)) != i:
            i = j
            continue
        c = query[i]
        if c.isalpha():
            # the whole run of name characters: a keyword is ASCII letters, but a name may be 名称
            word = _NAME.match(query, i).group()
            if (word.isascii() and word.isalpha() and (i == 0 or query[i - 1] not in "?$:_-.0123456789")
                    and not query.startswith(":", i + len(word))):
                yield i, word.upper()
            i += len(word)
            continue
        if c in "{}()":
            yield i, c
        i += 1


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the query's first form keyword (None for an update or no query).

    >>> query_form('PREFIX ask: <http://x/select> CONSTRUCT { ?s ask:p "SELECT" } WHERE { ?s ?p ?o }')
    'CONSTRUCT'
    """
    return next((t for _i, t in tokens(query) if t in _FORMS), None)


def where_group_starts(query: str) -> list[int]:
    """The indexes just after each ``{`` that opens a WHERE group: the query's, then each sub-SELECT's.

    Skips comments, strings and IRIs, and a CONSTRUCT template, so no brace inside them counts.

    Raises:
        UnbindableQuery: no WHERE group found (e.g. ``CONSTRUCT WHERE {…}``, whose group is also
            the template and so cannot hold a VALUES block).
    """
    starts: list[int] = []
    in_construct, after_select, template_depth = False, False, 0
    for i, tok in tokens(query):
        if template_depth:  # inside the CONSTRUCT template
            template_depth += {"{": 1, "}": -1}.get(tok, 0)
        elif tok == "CONSTRUCT" and not starts:
            in_construct = True
        elif tok == "WHERE" and in_construct:
            raise UnbindableQuery("CONSTRUCT WHERE {…} cannot take bound parameters; write the template out")
        elif tok == "SELECT" and starts:
            after_select = True
        elif tok == "{" and in_construct:
            in_construct, template_depth = False, 1
        elif tok == "{" and (not starts or after_select):
            starts.append(i + 1)
            after_select = False
    if in_construct or template_depth:
        raise UnbindableQuery("the CONSTRUCT template is not closed")
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
