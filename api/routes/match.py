"""Industry matching over HTTP: ``POST /match`` with ``{"text": ..., "limit": 10}`` (or a
GB/T 4754-2017 ``code``) and ``GET /match?text=&code=&limit=``; the answer lists the industries,
centers, tasks, clauses, agencies and programs that concern the description, each with why.

The matcher's index is built from the store on the first request and kept (qigraph.matching).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field

from qigraph.matching import MatchError, get_matcher
from qigraph.matching.matcher import MAX_TEXT

from ..deps import StoreDep
from ..problems import problem_response

router = APIRouter(tags=["match"])
MAX_LIMIT = 100
log = logging.getLogger(__name__)


def start_warming(app) -> None:
    """Build the matcher's index in the background once the app has its store, so the first /match
    does not wait for it (a few seconds: jieba's dictionary and the graph's labels)."""

    def warm():
        try:
            get_matcher(app.state.store, key=str(app.state.settings.store))
        except (RuntimeError, OSError, ValueError) as exc:  # the first /match retries and reports to its caller
            log.warning("matching index not built in advance: %s", exc)

    threading.Thread(target=warm, name="qigraph-match-warm", daemon=True).start()


class MatchRequest(BaseModel):
    """A description of a business, a GB/T 4754-2017 code, or both."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "五座电动垂直起降载人飞行器", "limit": 10}, {"code": "C3742"},
                     {"text": "Hydrogen fuel-cell stacks for heavy trucks", "limit": 5}]})
    text: str = Field("", max_length=MAX_TEXT,
                      description="What the enterprise makes or does, in Chinese or English: a product, a technology, "
                                  "a 经营范围 (business scope), a pitch. A text that is only a code is read as one.")
    code: str | None = Field(None, max_length=10, description="A GB/T 4754-2017 industry code, e.g. C3742")
    limit: int = Field(10, ge=1, le=MAX_LIMIT, description="the most hits in each list")


class Labels(BaseModel):
    zh: str | None = None
    en: str | None = None


class Ref(BaseModel):
    iri: str
    label_zh: str | None = None
    label_en: str | None = None


class Scheme(BaseModel):
    iri: str
    zh: str | None = None
    en: str | None = None


class Equivalent(BaseModel):
    iri: str
    key: str


class IndustryHit(BaseModel):
    iri: str = Field(description="the concept")
    key: str = Field(description="<scheme>/<slug>, as the data files write it")
    label: Labels
    schemes: list[Scheme] = Field(description="the schemes of the concept and of its exact matches")
    equivalents: list[Equivalent] = Field(description="exact matches in other schemes, folded into this hit")
    score: float = Field(ge=0, le=1)
    matched: list[str] = Field(description="the words of the text (or the code) that matched")
    why: list[str]
    why_zh: list[str] = Field(description="the same reasons in Chinese")


class IndustryRef(BaseModel):
    iri: str
    key: str
    label: Labels


class CenterHit(BaseModel):
    iri: str
    id: str
    label: Labels
    kind: str | None
    kind_label: Labels | dict
    hosts: list[Ref]
    state: str
    district: str | None
    industry: IndustryRef | None = Field(description="the matched industry that links the center, if any")
    sources: list[str]
    score: float = Field(ge=0, le=1)
    why: list[str]
    why_zh: list[str] = Field(description="the same reasons in Chinese")


class TaskHit(BaseModel):
    iri: str
    number: int
    text: str
    score: float
    why: list[str]
    why_zh: list[str] = Field(description="the same reasons in Chinese")


class DocumentRef(BaseModel):
    iri: str
    title: str


class ClauseHit(BaseModel):
    iri: str
    label: str
    document: DocumentRef
    text: str
    score: float
    why: list[str]
    why_zh: list[str] = Field(description="the same reasons in Chinese")


class AgencyHit(BaseModel):
    iri: str
    id: str
    label: Labels
    score: float
    why: list[str]
    why_zh: list[str] = Field(description="the same reasons in Chinese")


class AgencyRef(BaseModel):
    iri: str
    zh: str | None = None
    en: str | None = None


class ProgramHit(BaseModel):
    id: str
    iri: str
    label: Labels
    administered_by: AgencyRef
    governed_by: str
    eligibility: str = Field(description="the eligibility check for this program")
    score: float
    why: list[str]
    why_zh: list[str] = Field(description="the same reasons in Chinese")


class CodeHit(BaseModel):
    code: str
    known: bool = Field(description="the code, or its group or division, is in qigraph's table")
    mapped_via: str | None = Field(description="the table row used: the code itself, its group or its division")
    name_zh: str | None
    concepts: list[str] = Field(description="concept keys; empty when no mapping is known")
    basis: str | None
    note: str | None
    explanation: str
    explanation_zh: str = Field(description="the explanation in Chinese")
    sources: list[str]


class MatchResponse(BaseModel):
    text: str
    limit: int
    codes: list[CodeHit]
    industries: list[IndustryHit]
    centers: list[CenterHit]
    tasks: list[TaskHit]
    clauses: list[ClauseHit]
    agencies: list[AgencyHit]
    programs: list[ProgramHit]
    message: str = Field(description="how many industries matched, or that nothing did and why")
    message_zh: str = Field(description="the message in Chinese")
    took_ms: float


async def _match(request: Request, store, body: MatchRequest) -> dict:
    key = str(request.app.state.settings.store)
    # Building the index runs queries and segments text: keep it off the event loop.
    matcher = await asyncio.to_thread(get_matcher, store, key=key)
    try:
        return matcher.match(body.text, limit=body.limit, code=body.code)
    except MatchError as exc:
        return problem_response(422, "Cannot match", str(exc), request.url.path)


@router.post("/match", response_model=MatchResponse, summary="Match a description or an industry code to industries, "
             "centers, tasks, clauses, agencies and programs", responses={422: {"description": "bad input (problem details)"}})
async def match_post(body: MatchRequest, request: Request, store: StoreDep):
    return await _match(request, store, body)


@router.get("/match", response_model=MatchResponse, summary="Match, with the request in the query string",
            responses={422: {"description": "bad input (problem details)"}})
async def match_get(request: Request, store: StoreDep,
                    text: Annotated[str, Query(max_length=MAX_TEXT, description="the description")] = "",
                    code: Annotated[str | None, Query(max_length=10, description="a GB/T 4754-2017 code")] = None,
                    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="the most hits in each list")] = 10):
    return await _match(request, store, MatchRequest(text=text, code=code, limit=limit))


async def invalid_request(request: Request, exc: RequestValidationError):
    """Bad input to /match as problem details that name each field and what to fix; other routes
    keep FastAPI's own answer."""
    if not request.url.path.startswith("/match"):
        return await request_validation_exception_handler(request, exc)
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query"))
        parts.append(f"{where or 'body'}: {err.get('msg')}")
    detail = "; ".join(parts) + ('. Send JSON such as {"text": "五座电动垂直起降载人飞行器", "limit": 10} or {"code": "C3742"}; '
                                 f"limit is 1-{MAX_LIMIT}, text at most {MAX_TEXT} characters.")
    return problem_response(422, "Invalid match request", detail, request.url.path)
