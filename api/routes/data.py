"""Stewards' edits over HTTP: ``POST /data`` merges a batch of body records (YAML or CSV, the
forms ``POST /validate`` takes) into the curated data folder the server was started with and
rebuilds the store from it, atomically (see ``qigraph.merge``). It needs the operator's write token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from qigraph.loaders.records import DataError
from starlette.concurrency import run_in_threadpool

from qigraph import merge, uploads
from qigraph.matching import forget_matcher

from ..deps import StoreDep
from ..limits import WriterDep
from ..problems import Problem, problem_response
from .match import start_warming
from .validate import _reference_date, upload_clauses

router = APIRouter(prefix="/data", tags=["data"])


@router.post("", summary="Merge a batch of body records into the curated data and rebuild the store (needs the write token)",
             responses={200: {"description": "merged: the ids added and replaced, the files written"},
                        400: {"description": "the body does not parse (line and column given)"},
                        401: {"description": "no write token sent"}, 403: {"description": "wrong token, or writes not configured"},
                        409: {"description": "an id twice in the batch, or records that conflict (the ids are named)"},
                        415: {"description": "not YAML or CSV (RDF is not a curated form)"},
                        422: {"description": "malformed records, or violations of the shapes (the report; nothing written)"}},
             openapi_extra={"requestBody": {"required": True, "content": {t: {"schema": {"type": "string"}} for t in uploads.RECORD_TYPES}}})
async def merge_data(request: Request, _writer: WriterDep, store: StoreDep, date: str | None = None) -> JSONResponse:
    """New ids are added, existing ids replace their record. The batch is validated with the
    shapes first and rejected whole when it has violations (the report, as ``POST /validate``
    gives it in JSON); nothing is written then. A ``From`` header (the steward's e-mail) goes into
    the merge log."""
    settings = request.app.state.settings
    try:
        data_dir = merge.writable_data_dir(settings.data_dir)
    except PermissionError as exc:
        raise Problem(403, "Data writes not configured", str(exc)) from None
    if not uploads.is_record_type(request.headers.get("content-type", "")):
        raise Problem(415, "Unsupported media type", "POST /data takes curated body records as YAML (application/yaml) or "
                      "CSV (text/csv), as data/bodies/*.yaml hold them; RDF is not a curated form (validate it with POST /validate)")
    reference = _reference_date(date)
    body = await request.body()
    if not body.strip():
        raise Problem(400, "Empty body", "send the body records in the request body, as YAML (bodies: [...]) or CSV")
    try:
        records = uploads.read_records(body, request.headers["content-type"])
    except uploads.InputError as exc:
        raise Problem(422 if exc.kind == "record" else 400, "Invalid record" if exc.kind == "record" else "Malformed input", str(exc)) from None
    clauses = await run_in_threadpool(upload_clauses, request, store)
    who = "steward" + (f" <{request.headers['from'][:200]}>" if request.headers.get("from") else "")
    try:
        result = await run_in_threadpool(lambda: merge.merge(records, data_dir=data_dir, store=settings.store,
                                                             options=settings.open_options(), who=who, check_store=store,
                                                             reference_date=reference, clause_info=clauses))
    except merge.MergeConflict as exc:
        return problem_response(409, "Conflicting records", str(exc), request.url.path, ids=exc.ids)
    except merge.MergeRejected as exc:
        return problem_response(422, "The batch does not conform to the shapes",
                                f"{exc.report.summary('en').rstrip('.')}; nothing was written", request.url.path, **exc.report.to_json())
    except uploads.InputError as exc:
        raise Problem(422, "Invalid record", str(exc)) from None
    except DataError as exc:
        raise Problem(422, "The merged data does not build", f"{exc}; nothing was written") from None
    if hasattr(store, "refresh"):
        store.refresh()  # the query workers reopen the new generation
    request.app.state.__dict__.get("validation_reports", {}).clear()
    forget_matcher(str(settings.store))  # the matching index holds the bodies too
    start_warming(request.app)
    return JSONResponse(result.to_json())
