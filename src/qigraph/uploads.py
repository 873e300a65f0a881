"""Read data a steward submits for validation — Turtle, JSON-LD, N-Triples, or curated body
records as YAML or CSV — into an RDF graph, with errors that say where the input is wrong.

RDF is parsed by Oxigraph (which reports line and column, and never fetches a remote JSON-LD
context); body records go through the same loader as ``qigraph build``, against the packaged
documents, taxonomies, agencies and institutions, so a record is turned into exactly the triples
the build would make of it. Nothing is written anywhere.

The CSV form of body records (one row per body, a header row; lists separated by ``;``):

    id,name_zh,name_en,kind,hosts,district,approving_agency,industries,events,sources,alt_names_zh,description_zh,infrastructure_work

``hosts`` is ``unknown`` or ``institution-id:role; …``; ``events`` is ``type@date; …`` where a
date may be ``unknown`` and an event may end with the 1-based indexes of its sources in brackets
(``approved-preparation@2024-03[1,2]``); ``sources`` is ``clause:<doc-id>/<path>`` or
``<url>|<date checked>[|<title>]``. See docs/data-conventions.md.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import yaml
from rdflib import Graph
from rdflib.namespace import DCTERMS

from qigraph import catalog
from qigraph.namespaces import bind_all

RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
RECORD_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/csv")
MEDIA_TYPES = (*RDF_TYPES, *RECORD_TYPES)
SUFFIXES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
            ".json": "application/ld+json", ".yaml": "application/yaml", ".yml": "application/yaml", ".csv": "text/csv"}
CSV_COLUMNS = ("id", "name_zh", "name_en", "kind", "hosts", "district", "approving_agency", "industries", "events",
               "sources", "alt_names_zh", "description_zh", "infrastructure_work")
_EVENT = re.compile(r"^(?P<type>[a-z-]+)@(?P<date>[^\[\]]+?)(?:\[(?P<sources>[0-9, ]+)\])?$")


@dataclass
class InputError(ValueError):
    """The input cannot be read (``syntax``: it does not parse) or its records are malformed
    (``record``); ``line`` and ``column`` where the parser says."""

    message: str
    kind: str = "syntax"
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "") + ": " if self.line else ""
        return where + self.message


def is_record_type(media_type: str) -> bool:
    """Whether the media type carries whole curated records (YAML, CSV), which replace what the
    store says about them, rather than RDF triples, which add to it."""
    return media_type.split(";")[0].strip().lower() in RECORD_TYPES


def media_type_for(path: Path) -> str:
    """The media type a file's suffix stands for.

    Raises:
        InputError: the suffix is not one qigraph reads.
    """
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise InputError(f"{path.name}: cannot tell the format from the suffix; use one of {', '.join(sorted(SUFFIXES))}") from None


def read(body: bytes, media_type: str) -> Graph:
    """The RDF graph of a submitted document.

    Args:
        body: the bytes as received.
        media_type: its media type (parameters such as ``charset`` are ignored).

    Raises:
        InputError: the media type is not supported, the text is not UTF-8, or it does not parse.
    """
    media_type = media_type.split(";")[0].strip().lower()
    if media_type not in MEDIA_TYPES:
        raise InputError(f"unsupported media type {media_type or '(none)'}; send one of {', '.join(MEDIA_TYPES)}", kind="media")
    text = decode(body)
    if media_type in RDF_TYPES:
        return _rdf(body, RDF_TYPES[media_type])
    if media_type != "text/csv":
        records = _yaml_records(text)
        _unique(records, {})
        return records_graph(records)
    records, lines = _csv_records(text)
    _unique(records, lines)
    try:
        return records_graph(records)
    except InputError as exc:
        # the loader names the record by its id; point at its row too
        m = re.search(r"\bbody ([a-z0-9-]+)", exc.message)
        exc.line = lines.get(m.group(1)) if m else None
        raise


def read_records(body: bytes, media_type: str) -> list[dict[str, Any]]:
    """The body records of a YAML or CSV document, as dicts (the form of data/bodies/*.yaml).

    Raises:
        InputError: the media type is not YAML or CSV (``kind="media"``), the text is not UTF-8,
            or it does not parse.
    """
    media_type = media_type.split(";")[0].strip().lower()
    if media_type not in RECORD_TYPES:
        raise InputError(f"unsupported media type {media_type or '(none)'}; curated records come as YAML or CSV: "
                         f"send one of {', '.join(RECORD_TYPES)}", kind="media")
    text = decode(body)
    return _yaml_records(text) if media_type != "text/csv" else _csv_records(text)[0]


def decode(body: bytes) -> str:
    """The body as text; every format qigraph reads is UTF-8.

    Raises:
        InputError: the bytes are not UTF-8 (the message gives the byte offset, line and column).
    """
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[:exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
        raise InputError(f"the text is not UTF-8 ({exc.reason} at byte {exc.start}); it may be in another encoding "
                         f"such as GBK: save it as UTF-8 and send it again", line=line, column=column) from None


def _unique(records: list[dict[str, Any]], lines: dict[str, int]) -> None:
    # Two records with one id would silently merge into one body with both sets of values.
    seen: dict[str, int] = {}
    for n, rec in enumerate(records, 1):
        key = str(rec.get("id", ""))
        if key and key in seen:
            raise InputError(f"body {key} appears twice in the upload (records {seen[key]} and {n}); "
                             f"send each body once, with all its values in one record", kind="record", line=lines.get(key))
        seen[key] = n


class _RecordLoader(yaml.SafeLoader):
    """YAML's safe loader (no python tags), refusing aliases too: records never need them, and
    aliases of aliases expand into a structure that takes forever to walk (a YAML bomb)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not accepted in records: write each value out",
                                              self.peek_event().start_mark)
        return super().compose_node(parent, index)


def _rdf(body: bytes, fmt) -> Graph:
    try:
        triples = list(ox.parse(body, format=fmt))
    except SyntaxError as exc:
        if "LoadDocumentCallback" in str(exc):
            raise InputError("a JSON-LD @context must be given inline: qigraph never fetches a remote context") from None
        message = re.sub(r"^Parser error (at|between) [^:]*: ", "", str(exc))
        raise InputError(re.sub(r" \(line \d+\)$", "", message), line=exc.lineno, column=exc.offset) from None
    if any(not isinstance(getattr(t, "graph_name", ox.DefaultGraph()), ox.DefaultGraph) for t in triples):
        raise InputError("named graphs are not supported; send the triples in the default graph")
    g = Graph()
    bind_all(g)
    if triples:
        g.parse(data=ox.serialize([t.triple if isinstance(t, ox.Quad) else t for t in triples],
                                  format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return g


def _yaml_records(text: str) -> list[dict[str, Any]]:
    try:
        doc = yaml.load(text, Loader=_RecordLoader)  # a SafeLoader that also refuses aliases
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"YAML syntax error: {getattr(exc, 'problem', exc)}", line=mark.line + 1 if mark else None,
                         column=mark.column + 1 if mark else None) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("bodies"), list) or not all(isinstance(r, dict) for r in doc["bodies"]):
        raise InputError("expected a mapping with the key 'bodies:' holding a list of records (as in data/bodies/*.yaml)",
                         kind="record")
    return doc["bodies"]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(";") if v.strip()]


def _csv_records(text: str) -> tuple[list[dict[str, Any]], dict[str, int]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("id", "name_zh", "kind", "hosts", "industries", "sources") if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"the header row lacks the column(s) {', '.join(missing)}; columns: {','.join(CSV_COLUMNS)}", kind="record", line=1)
    unknown = [c for c in reader.fieldnames or [] if c not in CSV_COLUMNS]
    if unknown:
        raise InputError(f"unknown column(s) {', '.join(unknown)}; columns: {','.join(CSV_COLUMNS)}", kind="record", line=1)
    records, lines = [], {}
    for row in reader:
        line = reader.line_num
        try:
            records.append(_csv_record({k: (v or "").strip() for k, v in row.items() if k}))
        except InputError as exc:
            exc.line = line
            raise
        lines[records[-1].get("id", "")] = line
    return records, lines


def _csv_record(row: dict[str, str]) -> dict[str, Any]:
    rec: dict[str, Any] = {k: row[k] for k in ("id", "name_zh", "kind", "district", "approving_agency", "description_zh") if row.get(k)}
    rec["name_en"] = row.get("name_en") or None
    rec["alt_names_zh"] = _split(row.get("alt_names_zh", ""))
    rec["industries"] = _split(row.get("industries", ""))
    hosts = row.get("hosts", "")
    if hosts == "unknown":
        rec["hosts"] = "unknown"
    else:
        rec["hosts"] = []
        for item in _split(hosts):
            inst, _, role = item.partition(":")
            rec["hosts"].append({"institution": inst.strip(), "role": role.strip() or "unknown"})
    rec["events"] = []
    for item in _split(row.get("events", "")):
        m = _EVENT.match(item)
        if not m:
            raise InputError(f"column events: {item!r} is not type@date or type@date[1,2]", kind="record")
        event: dict[str, Any] = {"type": m["type"], "date": m["date"].strip()}
        if m["sources"]:
            event["sources"] = [int(s) for s in m["sources"].replace(" ", "").split(",") if s]
        rec["events"].append(event)
    rec["sources"] = []
    for item in _split(row.get("sources", "")):
        if item.startswith("clause:"):
            rec["sources"].append({"clause": item[len("clause:"):]})
            continue
        parts = [p.strip() for p in item.split("|")]
        if len(parts) < 2:
            raise InputError(f"column sources: {item!r} is neither clause:<doc>/<path> nor <url>|<date checked>", kind="record")
        source = {"url": parts[0], "checked": parts[1]}
        if len(parts) > 2 and parts[2]:
            source["title"] = parts[2]
        rec["sources"].append(source)
    infra = row.get("infrastructure_work", "")
    if infra:
        rec["infrastructure_work"] = {"true": True, "false": False}.get(infra.lower(), infra)
    return rec


@lru_cache(maxsize=1)
def _context():
    # What a record is checked against: the packaged documents, taxonomies, agencies and
    # institutions (read once; a record only refers to them).
    from qigraph.loaders.agencies import load_registry
    from qigraph.loaders.bodies import read_curated
    from qigraph.loaders.documents import load_documents
    from qigraph.loaders.taxonomies import taxonomies_graph

    data_dir = catalog.default_data_dir()
    registry = load_registry(data_dir / "agencies.yaml")
    docs, _meta = load_documents(data_dir, registry)
    industries = taxonomies_graph(data_dir / "industries")
    return registry, docs, industries, read_curated(data_dir).institutions


def records_graph(records: list[dict[str, Any]]) -> Graph:
    """The triples ``qigraph build`` makes of these body records.

    Raises:
        InputError: a record is malformed (the message names the record and the field).
    """
    from qigraph.loaders.bodies import Curated, bodies_graph, body_iri
    from qigraph.loaders.records import DataError, check_slug, require

    registry, docs, industries, institutions = _context()
    bodies = []
    try:
        for i, rec in enumerate(records, start=1):
            check_slug(require(rec, "id", f"record {i}"), f"record {i}")
            bodies.append(("upload", rec))
        g = bodies_graph(Curated(bodies, institutions), docs, industries, registry)
    except DataError as exc:
        raise InputError(str(exc).replace("bodies/upload ", ""), kind="record") from None
    # keep only the uploaded records' own triples, not the institutions the loader writes too
    roots = {str(body_iri(r["id"])) for r in records}
    own = {s for s in g.subjects() if str(s) in roots or str(s).rsplit("/", 1)[0] in roots}
    pages = {o for s in own for o in g.objects(s, DCTERMS.source)}
    out = Graph()
    bind_all(out)
    for s, p, o in g:
        if s in own or s in pages:
            out.add((s, p, o))
    return out
