"""The five policy documents as ELI legal resources: metadata, issuing agencies, cited documents,
and every part down to the numbered item with its text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from qigraph.namespaces import ELI, QI, QID

from .agencies import AgencyRegistry
from .outline import Part, parse_outline
from .rdfutil import add_labels
from .records import DataError, check_slug, read_yaml, require

PART_CLASS = {
    "notice": QI.Notice, "preamble": QI.Preamble, "section": QI.Section, "article": QI.Article,
    "paragraph": QI.Paragraph, "item": QI.Item,
}
PART_LABEL_EN = {"notice": "notice", "preamble": "preamble", "section": "section", "article": "article",
                 "paragraph": "paragraph", "item": "item"}

# Page furniture of the published texts: not part of any clause.
_FURNITURE = [
    re.compile(r"^（此件公开发布）$"),
    re.compile(r"^（此页无正文）$"),
    re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$"),
    re.compile(r"^.{0,40}\s\d{4}年\d{1,2}月\d{1,2}日印发$"),
]
_CITATION = re.compile(r"《([^》]+)》")


def doc_iri(doc_id: str) -> URIRef:
    return QID[f"doc/{doc_id}"]


def part_iri(doc_id: str, path: str) -> URIRef:
    return QID[f"doc/{doc_id}/{path}"]


def normalise_title(title: str) -> str:
    """Fold the dash and width variants the texts mix (2021—2035 / 2021─2035) for matching."""
    title = re.sub(r"\s+", "", unicodedata.normalize("NFKC", title))  # titles break across lines
    return re.sub(r"[\u2010-\u2015\u2500\u2212-]", "—", title)


@dataclass
class DocumentText:
    """A document's metadata record and its text cut into parts."""

    meta: dict[str, Any]
    notice: Part | None
    parts: list[Part]
    raw: str
    table_lines: list[str]

    @property
    def id(self) -> str:
        return self.meta["id"]

    def all_parts(self) -> list[Part]:
        out = [self.notice] if self.notice else []
        for part in self.parts:
            out.extend(part.walk())
        return out


def _index_of(lines: list[str], prefix: str, doc: str) -> int:
    hits = [i for i, line in enumerate(lines) if line.startswith(prefix)]
    if len(hits) != 1:
        raise DataError(f"documents.yaml {doc}: the marker {prefix!r} must start exactly one line of the text (found {len(hits)})")
    return hits[0]


def read_document(meta: dict[str, Any], text: str, registry: AgencyRegistry) -> DocumentText:
    """Cut one document's text into its notice, its parts and (for the 2026 plan) its table lines."""
    doc = meta["id"]
    lines = text.splitlines()

    def clean(chunk: list[str]) -> list[str]:
        return [line for line in chunk
                if not any(p.match(line.strip()) for p in _FURNITURE) and not registry.is_signature_line(line)]

    table_lines: list[str] = []
    end = len(lines)
    if meta.get("table_start"):
        end = _index_of(lines, meta["table_start"], doc)
        table_lines = lines[end:]
    notice = None
    body_at = _index_of(lines, meta["body_start"], doc) if meta.get("body_start") else end
    if meta.get("notice_start"):
        start = _index_of(lines, meta["notice_start"], doc)
        notice_lines = [line.strip() for line in clean(lines[start:body_at]) if line.strip()]
        # The notice ends where the issued document's own title is repeated.
        title_first = meta["title_zh"][:6]
        notice_lines = notice_lines[: next((i for i, line in enumerate(notice_lines) if i > 0 and line.startswith(title_first)), len(notice_lines))]
        notice = Part("notice", "notice", "", meta.get("notice_title_zh"), notice_lines)
    parts = parse_outline(clean(lines[body_at:end])) if body_at < end else []
    return DocumentText(meta, notice, parts, text, table_lines)


def load_documents(data_dir: Path, registry: AgencyRegistry) -> tuple[list[DocumentText], dict[str, Any]]:
    """Read data/documents.yaml and the texts it names.

    Returns:
        The documents, and the whole metadata file (its ``cited`` and ``not_documents`` lists).
    """
    meta_path = data_dir / "documents.yaml"
    whole = {"documents": read_yaml(meta_path, "documents"), "cited": read_yaml(meta_path, "cited"),
             "not_documents": read_yaml(meta_path, "not_documents", item=str)}
    metas = whole["documents"]
    docs = []
    for i, meta in enumerate(metas, start=1):
        where = f"documents.yaml record {i}"
        check_slug(require(meta, "id", where), where)
        for key in ("file", "title_zh", "title_en", "date", "issued_by"):
            require(meta, key, f"documents.yaml {meta['id']}")
        path = data_dir / "policy-docs" / meta["file"]
        if not path.is_file():
            raise DataError(f"documents.yaml {meta['id']}: the text {path} is missing")
        docs.append(read_document(meta, path.read_text(encoding="utf-8"), registry))
    return docs, whole


def _date_literal(value: str) -> Literal:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    raise DataError(f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")


def cited_documents(docs: list[DocumentText], whole: dict[str, Any]) -> dict[str, list[str]]:
    """For each document, the ids of the documents it cites with 《…》.

    Raises:
        DataError: a citation is not listed in documents.yaml (``cited`` or ``not_documents``).
    """
    by_title = {normalise_title(c["title_zh"]): c["id"] for c in whole.get("cited", [])}
    own = {normalise_title(d.meta["title_zh"]): d.id for d in docs}
    ignored = {normalise_title(t) for t in whole.get("not_documents", [])}
    out: dict[str, list[str]] = {}
    for d in docs:
        cited: list[str] = []
        for m in _CITATION.finditer(d.raw):
            title = normalise_title(m.group(1))
            if title in ignored or own.get(title) == d.id:
                continue
            target = by_title.get(title) or own.get(title)
            if target is None:
                raise DataError(f"{d.meta['file']}: the citation 《{m.group(1)}》 is not in documents.yaml 'cited' (add it, or list it in 'not_documents')")
            if target not in cited:
                cited.append(target)
        out[d.id] = cited
    return out


def documents_graph(docs: list[DocumentText], whole: dict[str, Any], registry: AgencyRegistry) -> Graph:
    """The documents, their parts and their citations as ELI resources."""
    g = Graph()
    for c in whole.get("cited", []):
        iri = doc_iri(f"cited/{c['id']}")
        g.add((iri, RDF.type, QI.CitedDocument))
        g.add((iri, ELI.title, Literal(c["title_zh"], lang="zh")))
        add_labels(g, iri, c["title_zh"], c.get("title_en") or f"Cited document: {c['title_zh']}")
        if c.get("number"):
            g.add((iri, ELI.id_local, Literal(c["number"])))
    citations = cited_documents(docs, whole)
    for d in docs:
        m = d.meta
        iri = doc_iri(d.id)
        g.add((iri, RDF.type, QI.PolicyDocument))
        g.add((iri, ELI.title, Literal(m["title_zh"], lang="zh")))
        g.add((iri, ELI.title, Literal(m["title_en"], lang="en")))
        add_labels(g, iri, m["title_zh"], m["title_en"])
        if m.get("number"):
            g.add((iri, ELI.id_local, Literal(m["number"])))
        g.add((iri, ELI.date_document, _date_literal(str(m["date"]))))
        g.add((iri, DCTERMS.identifier, Literal(d.id)))
        for agency_id in m["issued_by"]:
            issuer = registry.get(agency_id, f"documents.yaml {d.id} issued_by").iri
            g.add((iri, QI.issuedBy, issuer))
            g.add((issuer, DCTERMS.source, iri))
        for src in m.get("sources", []) or []:
            if src.get("note"):
                g.add((iri, QI.sourceNote, Literal(src["note"], lang="en")))
        for target in citations[d.id]:
            cited_iri = doc_iri(target) if any(x.id == target for x in docs) else doc_iri(f"cited/{target}")
            g.add((iri, ELI.cites, cited_iri))
        for part in d.all_parts():
            _part_triples(g, d, part, iri, registry)
        for root in ([d.notice] if d.notice else []) + d.parts:
            g.add((part_iri(d.id, root.path), ELI.is_part_of, iri))
            g.add((iri, ELI.has_part, part_iri(d.id, root.path)))
    return g


def _part_triples(g: Graph, d: DocumentText, part: Part, doc: URIRef, registry: AgencyRegistry) -> None:
    iri = part_iri(d.id, part.path)
    g.add((iri, RDF.type, PART_CLASS[part.kind]))
    title = d.meta["title_zh"]
    label_zh = f"{title} {part.number}{part.heading or ''}".strip() if part.kind not in ("notice", "preamble") else f"{title}（{'印发通知' if part.kind == 'notice' else '序言'}）"
    label_en = f"{d.meta['title_en']}, {PART_LABEL_EN[part.kind]} {part.path}"
    add_labels(g, iri, label_zh, label_en)
    if part.number:
        g.add((iri, ELI.number, Literal(part.number)))
    if part.heading:
        g.add((iri, QI.heading, Literal(part.heading, lang="zh")))
    if part.position:
        g.add((iri, QI.position, Literal(part.position)))
    g.add((iri, QI.text, Literal(part.text, lang="zh")))
    g.add((iri, QI.inDocument, doc))
    for child in part.children:
        g.add((part_iri(d.id, child.path), ELI.is_part_of, iri))
        g.add((iri, ELI.has_part, part_iri(d.id, child.path)))
    for agency in registry.mentions(part.text):
        g.add((iri, QI.mentionsAgency, agency.iri))
        g.add((agency.iri, DCTERMS.source, iri))  # an agency's record is sourced by the clauses naming it
