"""The SPARQL 1.1 Protocol query endpoint (read-only): GET ?query=, POST form, POST sparql-query.

Results are negotiated from the Accept header (or a ``format`` parameter for browsers) among the
types the store can write; updates are refused whatever way they are sent.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from qigraph.store import QuerySyntaxError
from qigraph.store.base import GRAPH_TYPES, SOLUTION_TYPES, Dataset

from ..conneg import by_preference
from ..deps import StoreDep
from ..problems import Problem

router = APIRouter(tags=["sparql"])

# Short names for the `format` parameter, so a browser link can ask for a type.
FORMAT_ALIASES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
    "nt": "application/n-triples", "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
}
_WILDCARDS = {"*/*", "application/*", "text/*", "application/json"}


def negotiate(accept: str | None, fmt: str | None) -> str:
    """The media type to answer with; an empty string lets the result kind choose its default."""
    if fmt:
        media = FORMAT_ALIASES.get(fmt, fmt)
        if media not in SOLUTION_TYPES + GRAPH_TYPES:
            raise Problem(406, "Unsupported format", f"format={fmt!r} is not offered; use one of {sorted(FORMAT_ALIASES)}")
        return media
    for _q, media in by_preference(accept):
        media = media.lower()
        if media in SOLUTION_TYPES + GRAPH_TYPES:
            return media
        if media in _WILDCARDS:
            break
    # A wildcard, nothing, or nothing we offer: the result kind's default rather than a 406.
    return ""


def run(store, query: str | None, accept: str | None, fmt: str | None, dataset: Dataset | None = None) -> Response:
    if not query or not query.strip():
        raise Problem(400, "Missing query", "send the SPARQL query as the `query` parameter, or as the body with Content-Type application/sparql-query")
    media = negotiate(accept, fmt)
    try:
        result = store.query(query, accept=media, dataset=dataset)
    except QuerySyntaxError as exc:
        raise Problem(400, "SPARQL syntax error", f"{exc}. Note: this endpoint answers queries only; updates are not accepted.") from exc
    charset = "; charset=utf-8" if result.media_type.startswith("text/") or "json" in result.media_type else ""
    return Response(result.body, media_type=result.media_type + charset)


@router.get("/sparql", summary="SPARQL query (GET)", response_class=Response)
def sparql_get(request: Request, store: StoreDep, query: str | None = None, format: str | None = None) -> Response:
    if "update" in request.query_params:
        raise Problem(400, "Updates not accepted", "this endpoint is read-only: send queries, not updates")
    return run(store, query, request.headers.get("accept"), format, _dataset(request.query_params.getlist))


def _dataset(getlist) -> Dataset | None:
    """The protocol's default-graph-uri / named-graph-uri parameters, if any were sent."""
    default, named = tuple(getlist("default-graph-uri")), tuple(getlist("named-graph-uri"))
    for iri in default + named:
        if not iri.startswith(("http://", "https://", "urn:")):
            raise Problem(400, "Bad graph IRI", f"default-graph-uri and named-graph-uri take absolute IRIs (got {iri!r})")
    return Dataset(default, named) if default or named else None


@router.post("/sparql", summary="SPARQL query (POST form or application/sparql-query)", response_class=Response)
async def sparql_post(request: Request, store: StoreDep) -> Response:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fmt = request.query_params.get("format")
    if ctype == "application/sparql-update":
        raise Problem(415, "Updates not accepted", "this endpoint is read-only: SPARQL Update is not accepted")
    dataset = _dataset(request.query_params.getlist)
    if ctype == "application/sparql-query":
        try:
            query = (await request.body()).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Problem(400, "Not UTF-8", f"the query body is not UTF-8 text (byte {exc.start}); send it encoded as UTF-8") from None
    elif ctype == "application/x-www-form-urlencoded":
        form = await request.form()
        if "update" in form:
            raise Problem(400, "Updates not accepted", "this endpoint is read-only: send `query`, not `update`")
        query = form.get("query")
        fmt = fmt or form.get("format")
        dataset = dataset or _dataset(form.getlist)
    else:
        raise Problem(415, "Unsupported content type", "POST the query as application/x-www-form-urlencoded (query=...) or as application/sparql-query")
    from starlette.concurrency import run_in_threadpool

    # Queries block; they run in the thread pool, never on the event loop.
    return await run_in_threadpool(run, store, query, request.headers.get("accept"), fmt, dataset)
