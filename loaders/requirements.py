"""Programs and the requirements their clauses state (CCCEV), each quoting its clause word for
word, so every structured value (a duration, a deadline) is traceable to the text."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from qigraph.namespaces import QI, QID

from .agencies import AgencyRegistry
from .bodies import EVENT_TYPE
from .documents import DocumentText, doc_iri, part_iri
from .rdfutil import add_labels, derived_from
from .records import DataError, check_slug, read_yaml, require

TYPE_CLASS = {
    "application-condition": QI.ApplicationCondition,
    "procedure-step": QI.ProcedureStep,
    "duration-limit": QI.DurationLimit,
    "reporting-duty": QI.ReportingDuty,
    "operating-duty": QI.OperatingDuty,
    "evaluation-rule": QI.EvaluationRule,
}
_DURATION = re.compile(r"^P(\d+Y)?(\d+M)?(\d+D)?$")


def program_iri(program_id: str) -> URIRef:
    return QID[f"program/{program_id}"]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def requirements_graph(path: Path, docs: list[DocumentText], registry: AgencyRegistry) -> Graph:
    """Programs and requirements as RDF.

    Raises:
        DataError: a clause path does not exist, a quote is not in its clause, or a value is
            malformed.
    """
    clause_text = {f"{d.id}/{p.path}": p.text for d in docs for p in d.all_parts()}
    doc_ids = {d.id for d in docs}
    g = Graph()
    programs = set()
    for i, rec in enumerate(read_yaml(path, "programs"), start=1):
        where = f"{path.name} program {i}"
        pid = check_slug(require(rec, "id", where), where)
        programs.add(pid)
        iri = program_iri(pid)
        g.add((iri, RDF.type, QI.Program))
        add_labels(g, iri, require(rec, "name_zh", where), require(rec, "name_en", where))
        governed = require(rec, "governed_by", where)
        if governed not in doc_ids:
            raise DataError(f"{where}: governed_by {governed!r} is not a document id")
        g.add((iri, QI.governedBy, doc_iri(governed)))
        derived_from(g, iri, doc_iri(governed))
        g.add((iri, QI.administeredBy, registry.get(require(rec, "administered_by", where), where).iri))
        g.add((iri, QI.forBodyClass, QI[require(rec, "body_class", where)]))

    for i, rec in enumerate(read_yaml(path, "requirements"), start=1):
        rid = check_slug(require(rec, "id", f"{path.name} requirement {i}"), f"{path.name} requirement {i}")
        where = f"{path.name} requirement {rid}"
        rtype = require(rec, "type", where)
        if rtype not in TYPE_CLASS:
            raise DataError(f"{where}: type must be one of {sorted(TYPE_CLASS)} (got {rtype!r})")
        clause = require(rec, "clause", where)
        if clause not in clause_text:
            raise DataError(f"{where}: clause {clause!r} is not a part of any document (see docs/data-conventions.md for paths)")
        quote = require(rec, "quote", where)
        if _squash(quote) not in _squash(clause_text[clause]):
            raise DataError(f"{where}: the quote is not in the text of {clause}; copy it word for word")
        iri = QID[f"requirement/{rid}"]
        g.add((iri, RDF.type, TYPE_CLASS[rtype]))
        add_labels(g, iri, require(rec, "label_zh", where), require(rec, "label_en", where))
        g.add((iri, QI.quote, Literal(quote, lang="zh")))
        doc_id, _, part_path = clause.partition("/")
        derived_from(g, iri, part_iri(doc_id, part_path))
        for pid in [require(rec, "program", where), *(rec.get("also_programs") or [])]:
            if pid not in programs:
                raise DataError(f"{where}: unknown program {pid!r}")
            g.add((iri, QI.appliesTo, program_iri(pid)))
        for key, prop in (("max_duration", QI.maxDuration), ("min_duration", QI.minDuration),
                          ("extended_max_duration", QI.extendedMaxDuration), ("recurrence", QI.recurrence)):
            if key in rec:
                if not _DURATION.match(str(rec[key])) or rec[key] == "P":
                    raise DataError(f"{where}: {key} must be an ISO 8601 duration such as P12M (got {rec[key]!r})")
                g.add((iri, prop, Literal(rec[key], datatype=XSD.duration)))
        if "due_date" in rec:
            if not re.fullmatch(r"--\d{2}-\d{2}", str(rec["due_date"])):
                raise DataError(f"{where}: due_date must be --MM-DD (got {rec['due_date']!r})")
            g.add((iri, QI.dueDate, Literal(rec["due_date"], datatype=XSD.gMonthDay)))
        for key, prop in (("within_working_days", QI.withinWorkingDays), ("min_times_per_year", QI.minTimesPerYear),
                          ("step", QI.stepOrder)):
            if key in rec:
                g.add((iri, prop, Literal(int(rec[key]))))
        for lang in ("zh", "en"):
            if f"extension_condition_{lang}" in rec:
                g.add((iri, QI.extensionCondition, Literal(rec[f"extension_condition_{lang}"], lang=lang)))
        if rec.get("trigger_zh"):
            g.add((iri, QI.trigger, Literal(rec["trigger_zh"], lang="zh")))
        for content in rec.get("contents_zh") or []:
            if _squash(content) not in _squash(quote):
                raise DataError(f"{where}: the content {content!r} is not in the quote")
            g.add((iri, QI.requiredContent, Literal(content, lang="zh")))
        if rec.get("report_to"):
            g.add((iri, QI.reportTo, registry.get(rec["report_to"], where).iri))
        # The events a time limit or recurring duty runs from and ends with (the reporting calendar).
        for key, prop in (("starts_with", QI.startsWithEvent), ("ends_with", QI.endsWithEvent)):
            values = rec.get(key) or []
            for event in [values] if isinstance(values, str) else values:
                if event not in EVENT_TYPE:
                    raise DataError(f"{where}: {key} must be event types from {sorted(EVENT_TYPE)} (got {event!r})")
                g.add((iri, prop, EVENT_TYPE[event]))
    return g
