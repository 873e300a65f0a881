"""The named query catalog over HTTP: list the queries, run one with its parameters bound."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qigraph.catalog_queries import CatalogError, NamedQuery
from qigraph.store import QuerySyntaxError

from ..deps import StoreDep
from ..problems import Problem
from .sparql import negotiate

router = APIRouter(prefix="/queries", tags=["queries"])

# Parameters every named query takes besides its own.
_RESERVED = {"format"}


def _describe(q: NamedQuery) -> dict:
    return {
        "name": q.name, "title_zh": q.title_zh, "title_en": q.title_en, "description": q.description,
        "tags": list(q.tags), "href": f"/queries/{q.name}",
        "params": [{"name": p.name, "type": p.type, "example": p.example, "description": p.description,
                    "required": p.required} for p in q.params],
        "example": f"/queries/{q.name}" + ("?" + urlencode({p.name: p.example for p in q.params}) if q.params else ""),
    }


@router.get("", summary="The named queries, with their parameters and an example each")
def list_queries(request: Request) -> list[dict]:
    return [_describe(q) for _name, q in sorted(request.app.state.catalog.items())]


@router.get("/{name}", summary="Run a named query; parameters are bound by the engine, never spliced",
            response_class=Response)
def run_query(name: str, request: Request, store: StoreDep) -> Response:
    catalog = request.app.state.catalog
    if name not in catalog:
        raise Problem(404, "No such query", f"there is no named query {name!r}; GET /queries lists them")
    q = catalog[name]
    values = {k: v for k, v in request.query_params.items() if k not in _RESERVED}
    try:
        bindings = q.bind(values)
    except CatalogError as exc:
        raise Problem(400, "Bad parameter", str(exc)) from exc
    media = negotiate(request.headers.get("accept"), request.query_params.get("format"))
    try:
        result = store.query(q.sparql, accept=media, bindings=bindings)
    except QuerySyntaxError as exc:  # a broken catalog file: the operator's problem, not the caller's
        raise Problem(500, "Broken named query", f"queries/{name}.rq does not parse: {exc}") from exc
    return Response(result.body, media_type=result.media_type)

