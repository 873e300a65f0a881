"""The named query catalog: ``queries/*.rq`` files with a YAML header, and parameter binding.

A header is the file's leading ``#+`` lines, read as YAML::

    #+ title_zh: 某部门负责的任务
    #+ title_en: Tasks an agency is responsible for
    #+ description: …
    #+ params:
    #+   - {name: agency, type: string, example: 市科委, description: …}

Parameters are bound by the engine as values of the query's variables (``?agency``), never
spliced into the query text, so a parameter cannot change what the query does. A query projects
its parameters (``SELECT ?agency …``): pyoxigraph binds only projected variables, and the echo
tells the reader which value each row answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import re

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from qigraph import catalog

PARAM_TYPES = ("string", "iri", "integer", "duration", "langstring-zh")
_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")


class CatalogError(ValueError):
    """A query file is malformed, or a parameter value does not fit its declared type."""


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    example: str
    description: str = ""
    required: bool = True


@dataclass(frozen=True)
class NamedQuery:
    name: str
    title_zh: str
    title_en: str
    description: str
    sparql: str
    params: tuple[Param, ...] = field(default_factory=tuple)
    tags: tuple[str, ...] = field(default_factory=tuple)

    def bind(self, values: dict[str, str]) -> dict[str, object]:
        """Turn text parameter values into typed RDF terms for the engine to bind.

        Raises:
            CatalogError: an unknown parameter, a missing required one, or a value of the wrong type.
        """
        known = {p.name: p for p in self.params}
        unknown = set(values) - set(known)
        if unknown:
            raise CatalogError(f"query {self.name} has no parameter {sorted(unknown)[0]!r}; it takes {sorted(known) or 'none'}")
        out: dict[str, object] = {}
        for p in self.params:
            if p.name not in values:
                if p.required:
                    raise CatalogError(f"query {self.name} needs the parameter {p.name!r} ({p.type}), e.g. {p.name}={p.example}")
                continue
            out[p.name] = to_term(p, values[p.name])
        return out


def _engine_accepts_iri(value: str) -> bool:
    import pyoxigraph

    try:
        pyoxigraph.NamedNode(value)
    except ValueError:
        return False
    return True


def to_term(param: Param, value: str) -> object:
    if param.type == "iri":
        # SPARQL's IRIREF excludes these characters and every control character; the engine's own
        # IRI parser then checks the rest (percent-encoding, the authority), so a value the
        # catalog accepts binds on every backend instead of failing inside a query worker.
        if (not value.startswith(("http://", "https://", "urn:")) or any(c in value for c in '<>"{}|^`\\ ')
                or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in value) or not _engine_accepts_iri(value)):
            raise CatalogError(f"parameter {param.name!r} must be an absolute IRI (got {value!r})")
        return URIRef(value)
    if param.type == "integer":
        try:
            return Literal(int(value), datatype=XSD.integer)
        except ValueError:
            raise CatalogError(f"parameter {param.name!r} must be an integer (got {value!r})") from None
    if param.type == "duration":
        # a number of more than 9 digits is no real duration, and overflows the date arithmetic behind it
        if not _DURATION.match(value) or re.search(r"\d{10,}", value):
            raise CatalogError(f"parameter {param.name!r} must be an ISO 8601 duration such as P24M (got {value[:40]!r})")
        return Literal(value, datatype=XSD.duration)
    if param.type == "langstring-zh":
        return Literal(value, lang="zh")
    return Literal(value)


def parse_query_file(name: str, text: str) -> NamedQuery:
    """Read one ``.rq`` file's header and body."""
    header = [line[2:].removeprefix(" ") for line in text.splitlines() if line.startswith("#+")]
    try:
        meta = yaml.safe_load("\n".join(header)) or {}
    except yaml.YAMLError as exc:
        raise CatalogError(f"queries/{name}.rq: the #+ header is not valid YAML: {exc}") from exc
    for key in ("title_zh", "title_en", "description"):
        if not meta.get(key):
            raise CatalogError(f"queries/{name}.rq: the header needs '#+ {key}:'")
    params = []
    for p in meta.get("params") or []:
        if p.get("type", "string") not in PARAM_TYPES:
            raise CatalogError(f"queries/{name}.rq: parameter {p.get('name')!r} has type {p.get('type')!r}; use one of {PARAM_TYPES}")
        if "example" not in p:
            raise CatalogError(f"queries/{name}.rq: parameter {p.get('name')!r} needs an example")
        params.append(Param(p["name"], p.get("type", "string"), str(p["example"]), p.get("description", ""), p.get("required", True)))
    return NamedQuery(name, meta["title_zh"], meta["title_en"], meta["description"], text,
                      tuple(params), tuple(meta.get("tags") or ()))


def load_catalog() -> dict[str, NamedQuery]:
    """Every named query shipped in ``queries/``, by name (the file name without ``.rq``)."""
    out = {}
    for f in catalog.query_files():
        name = f.name.removesuffix(".rq")
        out[name] = parse_query_file(name, f.read_text(encoding="utf-8"))
    return out
