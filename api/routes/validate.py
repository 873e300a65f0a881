"""Validation over HTTP: ``POST /validate`` checks submitted data (Turtle, JSON-LD, N-Triples, or
body records as YAML or CSV) against the shapes, together with the neighbourhood it references in
the built graph; ``GET /validate`` reports on the built graph itself. The report comes as the
standard sh:ValidationReport (Turtle, JSON-LD), as JSON for programs, or as an HTML page for
people, by ``Accept``; messages follow ``Accept-Language`` (zh or en). Nothing is written."""

from __future__ import annotations

import datetime
import threading

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from qigraph import uploads
from qigraph.namespaces import PREFIXES
from qigraph.validation import (
    ValidationReport,
    shape_clauses,
    validate_record,
    validate_store,
)

from ..conneg import by_preference
from ..deps import StoreDep
from ..i18n import accept_language
from ..problems import Problem

router = APIRouter(prefix="/validate", tags=["validation"])

# media type -> (rdflib serialisation or None for JSON/HTML), in the order offered for */*
REPORT_TYPES = {
    "application/json": None,
    "text/html": None,
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
}
_FORMAT_ALIASES = {"json": "application/json", "html": "text/html", "ttl": "text/turtle", "turtle": "text/turtle",
                   "jsonld": "application/ld+json", "json-ld": "application/ld+json", "nt": "application/n-triples"}
_lock = threading.Lock()
_computing: dict[str, datetime.date] = {}  # the date whose whole-graph report is being computed
_KEPT_DATES = 4  # whole-graph reports kept, one per reference date
_RETRY_SECONDS = 10


def _negotiate(accept: str | None, fmt: str | None) -> str:
    if fmt:
        media = _FORMAT_ALIASES.get(fmt, fmt)
        if media not in REPORT_TYPES:
            raise Problem(406, "Unsupported format", f"format={fmt} is not offered; use one of {', '.join(_FORMAT_ALIASES)}")
        return media
    for _q, media in by_preference(accept or "*/*"):
        media = media.lower()
        if media in REPORT_TYPES:
            return media
        if media in ("*/*", "application/*"):
            return "application/json"
    raise Problem(406, "Not acceptable", f"the report is offered as {', '.join(REPORT_TYPES)}")


def _lang(request: Request, lang: str | None) -> str:
    if lang in ("zh", "en"):
        return lang
    return accept_language(request.headers.get("accept-language")) or "zh"


def _reference_date(value: str | None) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Problem(400, "Bad date", f"date must be YYYY-MM-DD (got {value!r})") from None


def _curie(iri: str | None) -> str:
    if not iri:
        return ""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri.replace("https://w3id.org/qigraph/shapes#", "qis:")


def _href(iri: str | None) -> str | None:
    if iri and iri.startswith("https://w3id.org/qigraph/id/"):
        return "/id/" + iri[len("https://w3id.org/qigraph/id/"):]
    return iri if iri and iri.startswith(("http://", "https://")) and "/qigraph/" not in iri else None


def respond(request: Request, report: ValidationReport, media: str, lang: str, *, title: dict[str, str]) -> Response:
    if media == "application/json":
        return JSONResponse(report.to_json())
    if media == "text/html":
        template = request.app.state.templates.get_template("validation.html")
        return HTMLResponse(template.render(report=report, lang=lang, title=title[lang], curie=_curie, href=_href))
    body = report.serialize(format=REPORT_TYPES[media])
    return Response(body, media_type=f"{media}; charset=utf-8" if media == "text/turtle" else media)


def graph_report(request: Request, store, *, reference: datetime.date) -> ValidationReport:
    """The report on the whole built graph for a reference date, computed once per date and kept
    (the store is read-only, so the result keeps; a data merge clears it); the validation page
    shows it too.

    One whole-graph validation runs at a time. A request for the date being computed waits for
    it; one for another date, while a validation runs, is told to come back (503, Retry-After)
    rather than queued: each date costs seconds of CPU, and a queue of dates would hold every
    request thread while it drained.

    Raises:
        Problem: 503 while another date's report is being computed.
    """
    cache = request.app.state.__dict__.setdefault("validation_reports", {})
    kept = cache.get(reference)
    if kept is not None:
        return kept
    if not _lock.acquire(blocking=False):
        if _computing.get("date") != reference:
            raise Problem(503, "Validation busy", "the whole graph is being validated for another date; "
                          "ask again in a few seconds", headers={"Retry-After": str(_RETRY_SECONDS)})
        _lock.acquire()
    try:
        if reference not in cache:
            _computing["date"] = reference
            report = validate_store(store, reference_date=reference)
            while len(cache) >= _KEPT_DATES:  # the oldest computed date goes first
                cache.pop(next(iter(cache)))
            cache[reference] = report
        return cache[reference]
    finally:
        _computing.pop("date", None)
        _lock.release()


def kept_graph_report(request: Request, *, reference: datetime.date) -> ValidationReport | None:
    """The whole-graph report for a reference date if it has been computed already, else None."""
    return request.app.state.__dict__.get("validation_reports", {}).get(reference)  # never waits for a validation


def upload_clauses(request: Request, store) -> dict:
    """Labels and texts of the shapes' clauses, read from the store once per app."""
    clauses = request.app.state.__dict__.get("shape_clauses")
    if clauses is None:
        clauses = request.app.state.shape_clauses = shape_clauses(store)
    return clauses


@router.get("", summary="Validate the built graph against the shapes", response_class=Response,
            responses={200: {"content": {t: {} for t in REPORT_TYPES}}})
def validate_graph(request: Request, store: StoreDep, date: str | None = None, format: str | None = None,
                   lang: str | None = None) -> Response:
    """The report on the whole built graph. ``date`` (YYYY-MM-DD) is the day the timeline shapes
    take as today (default: today); the report is computed once per date and kept."""
    media, language = _negotiate(request.headers.get("accept"), format), _lang(request, lang)
    report = graph_report(request, store, reference=_reference_date(date) or datetime.date.today())
    return respond(request, report, media, language, title={"zh": "图谱校验报告", "en": "Validation report of the graph"})


@router.post("", summary="Validate submitted data (Turtle, JSON-LD, N-Triples, body records as YAML or CSV)",
             response_class=Response, responses={200: {"content": {t: {} for t in REPORT_TYPES}},
                                                 400: {"description": "the body does not parse (line and column given)"},
                                                 415: {"description": "unsupported Content-Type"},
                                                 422: {"description": "the body parses but its records are malformed"}},
             openapi_extra={"requestBody": {"required": True, "content": {t: {"schema": {"type": "string"}} for t in uploads.MEDIA_TYPES}}})
async def validate_upload(request: Request, store: StoreDep, date: str | None = None, format: str | None = None,
                          lang: str | None = None) -> Response:
    """Validate the body with the neighbourhood it references in the built graph (types and labels
    of what it points to). RDF adds to what the graph says about its subjects; YAML/CSV records
    replace it. Only results about the submitted resources are reported."""
    media, language = _negotiate(request.headers.get("accept"), format), _lang(request, lang)
    reference = _reference_date(date)
    body = await request.body()
    if not body.strip():
        raise Problem(400, "Empty body", "send the data to validate in the request body, with its Content-Type")
    from starlette.concurrency import run_in_threadpool

    try:
        data = await run_in_threadpool(uploads.read, body, request.headers.get("content-type", ""))
    except uploads.InputError as exc:
        status, title = {"media": (415, "Unsupported media type"), "record": (422, "Invalid record")}.get(exc.kind, (400, "Malformed input"))
        raise Problem(status, title, str(exc)) from None
    clauses = request.app.state.__dict__.get("shape_clauses")
    if clauses is None:
        clauses = request.app.state.shape_clauses = await run_in_threadpool(shape_clauses, store)
    merge = not uploads.is_record_type(request.headers.get("content-type", ""))
    report = await run_in_threadpool(lambda: validate_record(data, store, reference_date=reference, merge=merge, clause_info=clauses))
    return respond(request, report, media, language, title={"zh": "提交数据校验报告", "en": "Validation report of the submitted data"})
