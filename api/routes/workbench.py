"""The query workbench pages: a SPARQL editor (``/ui/sparql``) and the named query catalog with
parameter forms (``/ui/queries/{name}``), each showing its results as a table (IRIs linked to
their pages), a bar chart when the result is a count per label, downloads, and the query's time.
The home page (``/`` for a browser) is here too."""

from __future__ import annotations

import json
import time
from typing import Self
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qigraph.catalog_queries import CatalogError
from qigraph.namespaces import PREFIXES, QI, sparql_prologue
from qigraph.store import QuerySyntaxError, StoreError
from qigraph.store.bounded import QueryTimeout, ResultTooLarge, StoreBusy
from qigraph.store.guard import ForbiddenQuery

from ..deps import StoreDep
from ..i18n import pick_lang
from ..ontology_doc import terms
from ..web import MAX_TABLE_ROWS, bar_chart, cell, render

router = APIRouter(prefix="/ui", tags=["web interface"], include_in_schema=False)

EXAMPLE = sparql_prologue() + """
SELECT ?document ?title ?date WHERE {
  ?document a qi:PolicyDocument ; eli:title ?title ; eli:date_document ?date .
  FILTER(LANG(?title) = "zh")
}
ORDER BY ?date
"""
_COUNTS = sparql_prologue() + """
SELECT (COUNT(DISTINCT ?b) AS ?bodies) (COUNT(DISTINCT ?t) AS ?tasks) (COUNT(DISTINCT ?d) AS ?documents)
       (COUNT(DISTINCT ?a) AS ?agencies) WHERE {
  { ?b a/rdfs:subClassOf+ qi:QualityInfrastructureBody } UNION { ?t a qi:Task } UNION { ?d a qi:PolicyDocument }
  UNION { ?a a qi:Agency } }"""
# What the store says when a query cannot run, as (HTTP status, the i18n key of the page's headline).
_FAILURES = ((QuerySyntaxError, 400, "error:syntax"), (ForbiddenQuery, 400, "error:forbidden"),
             (QueryTimeout, 503, "error:timeout"), (StoreBusy, 503, "error:busy"), (ResultTooLarge, 422, "error:too large"),
             (StoreError, 503, "error:store"))


class ShownError(str):
    """An error shown on a page: the engine's or checker's own words (this str, often English) and
    the i18n key of a headline that says in the page's language what went wrong (``kind``)."""

    kind: str

    def __new__(cls, detail: str, *, kind: str) -> Self:
        self = super().__new__(cls, detail)
        self.kind = kind
        return self


def run_for_page(store, sparql: str, bindings: dict | None = None) -> tuple[dict | None, str | None, int]:
    """Run a query for a page: (the result view, an error message, the HTTP status)."""
    started = time.perf_counter()
    try:
        result = store.query(sparql, accept="application/sparql-results+json", bindings=bindings)
    except tuple(exc for exc, _, _ in _FAILURES) as exc:
        status, kind = next((code, key) for failure, code, key in _FAILURES if isinstance(exc, failure))
        return None, ShownError(str(exc), kind=kind), status
    elapsed_ms = (time.perf_counter() - started) * 1000
    view: dict = {"elapsed_ms": elapsed_ms, "kind": result.kind}
    if result.kind == "graph":
        view["text"] = result.body.decode("utf-8")
        return view, None, 200
    data = json.loads(result.body)
    if "boolean" in data:
        view["kind"], view["boolean"] = "boolean", data["boolean"]
        return view, None, 200
    variables, bindings_ = data["head"]["vars"], data["results"]["bindings"]
    view.update(vars=variables, total=len(bindings_), shown=min(len(bindings_), MAX_TABLE_ROWS),
                rows=[[cell(b.get(v)) for v in variables] for b in bindings_[:MAX_TABLE_ROWS]],
                chart=bar_chart(variables, bindings_))
    return view, None, 200


def completions() -> list[dict]:
    """What the editor offers to complete: PREFIX declarations and the ontology's terms."""
    out = [{"label": f"PREFIX {p}: <{iri}>", "type": "keyword"} for p, iri in PREFIXES.items()]
    out += [{"label": f"qi:{t.local}", "type": "class" if t.kind == "class" else "property", "detail": t.label("zh")}
            for t in sorted(terms().values(), key=lambda t: t.local)]
    return out


def _catalog(request: Request) -> list:
    return [q for _name, q in sorted(request.app.state.catalog.items())]


def example_href(q) -> str:
    return f"/ui/queries/{q.name}" + ("?" + urlencode({p.name: p.example for p in q.params}) if q.params else "")


def home(request: Request, store) -> HTMLResponse:
    """The home page for browsers (``/`` with Accept text/html)."""
    view, _error, _status = run_for_page(store, _COUNTS)
    counts = {}
    if view and view.get("rows"):
        counts = {v: c["text"] for v, c in zip(view["vars"], view["rows"][0])}
    return render(request, "home.html", counts=counts, queries=_catalog(request), example_href=example_href)


@router.get("/sparql", response_class=HTMLResponse)
def sparql_page(request: Request, store: StoreDep, query: str | None = None) -> HTMLResponse:
    view, error, status = (None, None, 200)
    if query and query.strip():
        view, error, status = run_for_page(store, query)
    downloads = {}
    if view and view["kind"] != "graph":
        downloads = {fmt: "/sparql?" + urlencode({"query": query, "format": fmt}) for fmt in ("csv", "json")}
    elif view:
        downloads = {"ttl": "/sparql?" + urlencode({"query": query, "format": "ttl"})}
    return render(request, "workbench.html", status=status, query=query if query is not None else EXAMPLE,
                  view=view, error=error, downloads=downloads, queries=_catalog(request), example_href=example_href,
                  completions=completions(), download_name="qigraph-results")


@router.get("/queries/{name}", response_class=HTMLResponse)
def named_query_page(name: str, request: Request, store: StoreDep) -> HTMLResponse:
    lang = pick_lang(request)
    q = request.app.state.catalog.get(name)
    if q is None:
        return render(request, "error.html", status=404, title_key="not found",
                      message=("没有名为 {name} 的命名查询。" if lang == "zh" else "There is no named query {name}.").format(name=name))
    values = {p.name: request.query_params[p.name] for p in q.params if request.query_params.get(p.name)}
    # A query with parameters runs once the form is submitted (a parameter is given); one without runs at once.
    submitted = bool(values) or not q.params
    view, error, status = None, None, 200
    if submitted:
        try:
            bindings = q.bind(values)
        except CatalogError as exc:
            error, status = ShownError(str(exc), kind="error:parameter"), 400
        else:
            view, error, status = run_for_page(store, q.sparql, bindings)
    query_string = urlencode(values)
    downloads = {fmt: f"/queries/{name}?" + urlencode({**values, "format": fmt}) for fmt in ("csv", "json")} if view else {}
    return render(request, "named_query.html", status=status, q=q, values=values, view=view, error=error,
                  downloads=downloads, queries=_catalog(request), example_href=example_href,
                  workbench_href="/ui/sparql?" + urlencode({"query": q.sparql}), api_href=f"/queries/{name}?{query_string}",
                  download_name=name, qi=str(QI))
