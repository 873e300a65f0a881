"""The curated records of QI bodies (centers, labs, platforms, service projects) and of the
institutions that host them, from data/bodies/*.yaml and data/institutions/*.yaml.

Every record carries its public sources; unknown values stay explicitly unknown. The state of a
body is derived from its dated lifecycle events, never typed in by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from qigraph.namespaces import QI, QID

from .agencies import AgencyRegistry
from .documents import DocumentText, part_iri
from .rdfutil import add_labels
from .record_shapes import check_body
from .records import DataError, check_slug, read_yaml, require

KIND_CLASS = {
    "municipal-quality-testing-center": QI.MunicipalQualityTestingCenter,
    "national-quality-testing-center": QI.NationalQualityTestingCenter,
    "municipal-industrial-metrology-center": QI.MunicipalIndustrialMetrologyTestCenter,
    "national-industrial-metrology-center": QI.NationalIndustrialMetrologyTestCenter,
    "qi-service-project-municipal-industrial": QI.MunicipalIndustrialQIServiceProject,
    "qi-service-project-municipal-regional": QI.MunicipalRegionalQIServiceProject,
    "qi-service-project-district-industrial": QI.DistrictIndustrialQIServiceProject,
    "qi-service-project-district-regional": QI.DistrictRegionalQIServiceProject,
    "national-quality-standard-lab": QI.NationalQualityStandardLab,
    "samr-technology-innovation-center": QI.SAMRTechnologyInnovationCenter,
    "functional-platform": QI.FunctionalPlatform,
    "test-base": QI.TestBase,
}
INSTITUTION_TYPE = {
    "public-institution": QI.PublicInstitution,
    "enterprise": QI.Enterprise,
    "state-owned-enterprise": QI.StateOwnedEnterprise,
    "university": QI.University,
    "research-institute": QI.ResearchInstitute,
    "social-organization": QI.SocialOrganization,
}
EVENT_TYPE = {
    "applied": QI.Application,
    "approved-preparation": QI.ApprovalOfPreparation,
    "unveiled": QI.Unveiling,
    "accepted": QI.Acceptance,
    "established": QI.Establishment,
    "named": QI.Naming,
    "rectification": QI.Rectification,
    "revoked": QI.Revocation,
    # duties performed (ontology/duties.ttl): they do not move the state
    "annual-work-report": QI.AnnualWorkReport,
    "status-report": QI.PreparationStatusReport,
    "major-change": QI.MajorChange,
    "major-change-report": QI.MajorChangeReport,
    "technical-exchange": QI.TechnicalExchange,
    "alliance-founded": QI.AllianceFounding,
    "evaluated": QI.Evaluation,
}
# How far along its lifecycle each event puts a body; unveiling is left out because centers are
# unveiled both when preparation starts (筹建揭牌) and when they are established.
_FORWARD = {"applied": (1, QI.Applying), "approved-preparation": (2, QI.InPreparation),
            "accepted": (3, QI.Accepted), "established": (4, QI.Established), "named": (4, QI.Named)}
_SETBACK = {"rectification": QI.UnderRectification, "revoked": QI.Revoked}
KIND_EN = {
    "municipal-quality-testing-center": "Shanghai municipal quality testing center",
    "national-quality-testing-center": "national quality testing center",
    "municipal-industrial-metrology-center": "Shanghai municipal industrial metrology test center",
    "national-industrial-metrology-center": "national industrial metrology test center",
    "qi-service-project-municipal-industrial": "municipal industry-type QI integrated service project",
    "qi-service-project-municipal-regional": "municipal region-type QI integrated service project",
    "qi-service-project-district-industrial": "district industry-type QI integrated service project",
    "qi-service-project-district-regional": "district region-type QI integrated service project",
    "national-quality-standard-lab": "national quality standard laboratory",
    "samr-technology-innovation-center": "SAMR technology innovation center",
    "functional-platform": "functional platform",
    "test-base": "test base",
}
assert KIND_EN.keys() == KIND_CLASS.keys()
NO_OFFICIAL_EN = ("No official English name is known: the English label gives the Chinese name with the kind "
                  "of body, rather than a translation nobody published.")
ROLE = {"lead": QI.LeadHost, "joint": QI.JointHost, "unknown": QI.UnspecifiedHostRole}
UNKNOWN = "unknown"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _fallback_en(name_zh: str, kind_en: str) -> str:
    return f"{name_zh} ({kind_en})"


def body_iri(body_id: str) -> URIRef:
    return QID[f"body/{body_id}"]


def org_iri(org_id: str) -> URIRef:
    return QID[f"org/{org_id}"]


def date_literal(value: str, where: str) -> Literal:
    value = str(value)
    if not _DATE.match(value):
        raise DataError(f"{where}: date must be \"YYYY\", \"YYYY-MM\" or \"YYYY-MM-DD\" (got {value!r})")
    dtype = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(value)]
    return Literal(value, datatype=dtype)


def derive_state(events: list[dict[str, Any]]) -> URIRef:
    """The lifecycle state that follows from a body's events (see the ontology's qi:state)."""
    forward = [e for e in events if e["type"] in _FORWARD]
    if not forward and not any(e["type"] in _SETBACK for e in events):
        return QI.StateUnknown
    base = max(forward, key=lambda e: _FORWARD[e["type"]][0], default=None)
    state = _FORWARD[base["type"]][1] if base else QI.StateUnknown
    base_date = str(base["date"]) if base and base.get("date") not in (None, UNKNOWN) else ""
    for kind in ("rectification", "revoked"):
        for e in events:
            if e["type"] == kind and (not base_date or str(e.get("date", "")) >= base_date):
                state = _SETBACK[kind]
    return state


@dataclass
class Curated:
    """Everything read from the curated folders, ready to be written as RDF."""

    bodies: list[tuple[str, dict[str, Any]]]  # (file name, record)
    institutions: dict[str, tuple[str, dict[str, Any]]]


def read_curated(data_dir: Path) -> Curated:
    """Read and cross-check the curated bodies and institutions.

    Raises:
        DataError: a record is malformed, an id is used twice, or the same institution is
            described twice differently.
    """
    institutions: dict[str, tuple[str, dict[str, Any]]] = {}
    by_name: dict[str, str] = {}
    for path in sorted((data_dir / "institutions").glob("*.yaml")):
        for i, rec in enumerate(read_yaml(path, "institutions"), start=1):
            where = f"institutions/{path.name} record {i}"
            oid = check_slug(require(rec, "id", where), where)
            where = f"institutions/{path.name} institution {oid}"
            require(rec, "name_zh", where)
            if oid in institutions:
                other_file, other = institutions[oid]
                if _comparable(other) != _comparable(rec):
                    raise DataError(f"{where}: also defined differently in institutions/{other_file}; keep one record")
                continue
            if rec["name_zh"] in by_name:
                raise DataError(f"{where}: {rec['name_zh']} is already institution {by_name[rec['name_zh']]}; use that id")
            by_name[rec["name_zh"]] = oid
            institutions[oid] = (path.name, rec)
    bodies: list[tuple[str, dict[str, Any]]] = []
    seen: dict[str, str] = {}
    for path in sorted((data_dir / "bodies").glob("*.yaml")):
        for i, rec in enumerate(read_yaml(path, "bodies"), start=1):
            where = f"bodies/{path.name} record {i}"
            bid = check_slug(require(rec, "id", where), where)
            if bid in seen:
                raise DataError(f"bodies/{path.name} body {bid}: the id is already used in bodies/{seen[bid]}")
            seen[bid] = path.name
            bodies.append((path.name, rec))
    return Curated(bodies, institutions)


def _comparable(rec: dict[str, Any]) -> tuple:
    return (rec.get("name_zh"), rec.get("type"), rec.get("district"))


def _sources(g: Graph, subject: URIRef, sources: list[dict[str, Any]], clauses: set[str], where: str) -> list[URIRef]:
    iris = []
    for k, src in enumerate(sources, start=1):
        if not isinstance(src, dict):
            raise DataError(f"{where}: source {k} must be a mapping with 'url' or 'clause'")
        if src.get("url"):
            url = str(src["url"]).strip()
            if not url.startswith(("http://", "https://")):
                raise DataError(f"{where}: source {k} url must start with http:// or https:// (got {url!r})")
            iri = URIRef(url)
            if src.get("title"):
                g.add((iri, DCTERMS.title, Literal(src["title"], lang="zh")))
            if src.get("publisher"):
                g.add((iri, DCTERMS.publisher, Literal(src["publisher"], lang="zh")))
            if src.get("published"):
                g.add((iri, DCTERMS.issued, date_literal(src["published"], f"{where} source {k} published")))
            checked = require(src, "checked", f"{where} source {k}")
            g.add((iri, QI.checked, date_literal(checked, f"{where} source {k} checked")))
        elif src.get("clause"):
            clause = str(src["clause"])
            if clause not in clauses:
                raise DataError(f"{where}: source {k} clause {clause!r} is not a part of any document")
            doc_id, _, path = clause.partition("/")
            iri = part_iri(doc_id, path)
        else:
            raise DataError(f"{where}: source {k} needs a 'url' or a 'clause'")
        g.add((subject, DCTERMS.source, iri))
        iris.append(iri)
    return iris


def bodies_graph(curated: Curated, docs: list[DocumentText], industries: Graph, registry: AgencyRegistry) -> Graph:
    """Bodies, their hosts, events, states, industries and sources as RDF."""
    clauses = {f"{d.id}/{p.path}" for d in docs for p in d.all_parts()}
    clauses |= {f"tic-key-tasks-2026/task-{n}" for n in range(1, 75)}
    known_concepts = set(industries.subjects(RDF.type, SKOS.Concept))
    g = Graph()
    used_orgs: set[str] = set()
    for file, rec in curated.bodies:
        bid = rec["id"]
        where = f"bodies/{file} body {bid}"
        check_body(rec, where)
        iri = body_iri(bid)
        kind = require(rec, "kind", where)
        if kind not in KIND_CLASS:
            raise DataError(f"{where}: kind must be one of {sorted(KIND_CLASS)} (got {kind!r})")
        g.add((iri, RDF.type, KIND_CLASS[kind]))
        name_zh = require(rec, "name_zh", where)
        add_labels(g, iri, name_zh, rec.get("name_en") or _fallback_en(name_zh, KIND_EN[kind]), pref=True)
        if not rec.get("name_en"):
            g.add((iri, SKOS.editorialNote, Literal(NO_OFFICIAL_EN, lang="en")))
        for alt in rec.get("alt_names_zh") or []:
            g.add((iri, SKOS.altLabel, Literal(alt, lang="zh")))
        if rec.get("description_zh"):
            g.add((iri, QI.description, Literal(rec["description_zh"], lang="zh")))
        source_iris = _sources(g, iri, require(rec, "sources", where), clauses, where)

        hosts = require(rec, "hosts", where)
        if hosts == UNKNOWN:
            g.add((iri, QI.hostKnown, Literal(False)))
        else:
            if not isinstance(hosts, list):
                raise DataError(f"{where}: hosts must be a list of {{institution, role}} or the word unknown")
            g.add((iri, QI.hostKnown, Literal(True)))
            for k, h in enumerate(hosts, start=1):
                oid = require(h, "institution", f"{where} host {k}")
                if oid not in curated.institutions:
                    raise DataError(f"{where}: host {k} institution {oid!r} is not in data/institutions/*.yaml")
                role = h.get("role", UNKNOWN)
                if role not in ROLE:
                    raise DataError(f"{where}: host {k} role must be lead, joint or unknown (got {role!r})")
                hosting = QID[f"body/{bid}/hosting-{k}"]
                g.add((hosting, RDF.type, QI.Hosting))
                add_labels(g, hosting, f"{name_zh} 承建关系{k}", f"Hosting {k} of body {bid}")
                g.add((iri, QI.hasHosting, hosting))
                g.add((hosting, QI.host, org_iri(oid)))
                g.add((hosting, QI.hostRole, ROLE[role]))
                g.add((iri, QI.hostedBy, org_iri(oid)))
                if role == "lead":
                    g.add((iri, QI.leadHost, org_iri(oid)))
                used_orgs.add(oid)

        district = rec.get("district", UNKNOWN) or UNKNOWN
        if district != UNKNOWN:
            g.add((iri, QI.district, Literal(district, lang="zh")))
        approver = rec.get("approving_agency", UNKNOWN) or UNKNOWN
        if approver != UNKNOWN:
            g.add((iri, QI.approvedBy, registry.get(approver, where).iri))

        industries_list = require(rec, "industries", where)
        for key in industries_list:
            concept = QID[f"industry/{key}"]
            if concept not in known_concepts:
                raise DataError(f"{where}: industry {key!r} is not a concept of data/industries/*.ttl")
            g.add((iri, QI.servesIndustry, concept))

        events = rec.get("events") or []
        for k, e in enumerate(events, start=1):
            ewhere = f"{where} event {k}"
            etype = require(e, "type", ewhere)
            if etype not in EVENT_TYPE:
                raise DataError(f"{ewhere}: type must be one of {sorted(EVENT_TYPE)} (got {etype!r})")
            eiri = QID[f"body/{bid}/event-{k}"]
            g.add((eiri, RDF.type, QI.LifecycleEvent))
            g.add((eiri, QI.eventType, EVENT_TYPE[etype]))
            g.add((iri, QI.hasEvent, eiri))
            date = e.get("date", UNKNOWN)
            if date not in (None, UNKNOWN):
                g.add((eiri, DCTERMS.date, date_literal(date, ewhere)))
            add_labels(g, eiri, f"{name_zh} {etype} {date if date not in (None, UNKNOWN) else '日期不明'}",
                       f"{bid}: {etype} ({date if date not in (None, UNKNOWN) else 'date unknown'})")
            _duty_fields(g, eiri, e, bid, len(events), ewhere)
            for idx in e.get("sources") or [1]:
                if not isinstance(idx, int) or not 1 <= idx <= len(source_iris):
                    raise DataError(f"{ewhere}: sources must be 1-based indexes into the record's sources (got {idx!r})")
                g.add((eiri, DCTERMS.source, source_iris[idx - 1]))
        g.add((iri, QI.state, derive_state(events)))
        infra = rec.get("infrastructure_work", UNKNOWN)
        if infra not in (None, UNKNOWN):
            if not isinstance(infra, bool):
                raise DataError(f"{where}: infrastructure_work must be true, false or unknown (got {infra!r})")
            g.add((iri, QI.infrastructureWork, Literal(infra)))

        for k, c in enumerate(rec.get("conflicts") or [], start=1):
            ciri = QID[f"body/{bid}/conflict-{k}"]
            g.add((ciri, RDF.type, QI.SourceConflict))
            g.add((iri, QI.conflict, ciri))
            add_labels(g, ciri, f"{name_zh} 来源冲突：{c.get('field')}", f"Source conflict on {c.get('field')} for {bid}")
            g.add((ciri, QI.conflictField, Literal(str(require(c, "field", f"{where} conflict {k}")))))
            for v in require(c, "values", f"{where} conflict {k}"):
                g.add((ciri, QI.conflictValue, Literal(str(v.get("value")), lang="zh")))
                idx = v.get("source")
                if isinstance(idx, int) and 1 <= idx <= len(source_iris):
                    g.add((ciri, QI.conflictSource, source_iris[idx - 1]))
            if c.get("note"):
                g.add((ciri, SKOS.editorialNote, Literal(c["note"], lang="zh")))

    for oid, (file, rec) in curated.institutions.items():
        where = f"institutions/{file} institution {oid}"
        iri = org_iri(oid)
        g.add((iri, RDF.type, QI.Institution))
        add_labels(g, iri, rec["name_zh"], rec.get("name_en") or _fallback_en(rec["name_zh"], "host institution"), pref=True)
        if not rec.get("name_en"):
            g.add((iri, SKOS.editorialNote, Literal(NO_OFFICIAL_EN, lang="en")))
        itype = rec.get("type", UNKNOWN) or UNKNOWN
        if itype != UNKNOWN:
            if itype not in INSTITUTION_TYPE:
                raise DataError(f"{where}: type must be one of {sorted(INSTITUTION_TYPE)} or unknown (got {itype!r})")
            g.add((iri, QI.institutionType, INSTITUTION_TYPE[itype]))
        if rec.get("district") not in (None, UNKNOWN):
            g.add((iri, QI.district, Literal(rec["district"], lang="zh")))
        _sources(g, iri, require(rec, "sources", where), clauses, where)
    return g


def _duty_fields(g: Graph, eiri: URIRef, event: dict[str, Any], bid: str, n_events: int, where: str) -> None:
    """The optional fields of a duty event: the year a yearly report covers, the event a notice
    reports on (a 1-based index into the record's events), and the contents a report includes."""
    year = event.get("reporting_year")
    if year not in (None, UNKNOWN):
        if not re.fullmatch(r"\d{4}", str(year)):
            raise DataError(f"{where}: reporting_year must be \"YYYY\" (got {year!r})")
        g.add((eiri, QI.reportingYear, Literal(str(year), datatype=XSD.gYear)))
    target = event.get("reports_on")
    if target is not None:
        if not isinstance(target, int) or not 1 <= target <= n_events:
            raise DataError(f"{where}: reports_on must be a 1-based index into the record's events (got {target!r})")
        g.add((eiri, QI.reportsOn, QID[f"body/{bid}/event-{target}"]))
    for content in event.get("contents") or []:
        g.add((eiri, QI.includesContent, Literal(str(content), lang="zh")))


def link_tasks_to_bodies(g: Graph, curated: Curated, task_texts: dict[int, str]) -> None:
    """Link each 2026 task to the bodies its text names (by name or alternative name), and to the
    bodies whose records cite the task as a source."""
    for _file, rec in curated.bodies:
        iri = body_iri(rec["id"])
        names = [rec["name_zh"], *(rec.get("alt_names_zh") or [])]
        for number, text in task_texts.items():
            if any(n and n in text for n in names):
                g.add((QID[f"doc/tic-key-tasks-2026/task-{number}"], QI.concernsBody, iri))
        for src in rec.get("sources") or []:
            m = re.fullmatch(r"tic-key-tasks-2026/task-(\d+)", str(src.get("clause", "")))
            if m:
                g.add((QID[f"doc/tic-key-tasks-2026/task-{m.group(1)}"], QI.concernsBody, iri))
