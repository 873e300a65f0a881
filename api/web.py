"""The web interface's plumbing: page rendering in the chosen language, the static files, the
``lang`` cookie, and turning SPARQL JSON results into table cells and an SVG bar chart.

The pages themselves are the routers ``routes/workbench.py``, ``routes/explorer.py`` and
``routes/ontology_docs.py``; ``install(app)`` adds them to an app.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from qigraph import __version__, catalog
from qigraph.namespaces import QID

from .i18n import COOKIE, HTML_LANG, chosen_lang, pick_lang, translator
from .ontology_doc import curie, doc_href

NUMERIC = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "nonNegativeInteger", "positiveInteger",
    "unsignedInt", "unsignedLong")}
MAX_TABLE_ROWS = 1000  # rows shown on a page; the downloads carry every row
MAX_CHART_BARS = 40


def install(app: FastAPI) -> None:
    """Add the web interface to an app: its pages, its static files and the language cookie."""
    from .routes import explorer, ontology_docs, services, validate_page, workbench

    app.mount("/static", StaticFiles(directory=str(catalog.static_dir())), name="static")
    app.include_router(workbench.router)
    app.include_router(explorer.router)
    app.include_router(ontology_docs.router)
    app.include_router(services.router)
    app.include_router(validate_page.router)

    @app.middleware("http")
    async def remember_lang(request: Request, call_next):
        response = await call_next(request)
        lang = chosen_lang(request)
        if lang and response.headers.get("content-type", "").startswith("text/html"):
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax")
        return response


def href_for(iri: str) -> str:
    """Where a page links an IRI: qigraph's own resources and ontology terms to their pages here."""
    if iri.startswith(str(QID)):
        return "/id/" + iri[len(str(QID)):]
    return doc_href(iri) or iri


def render(request: Request, template: str, *, status: int = 200, **context) -> HTMLResponse:
    """A page of the web interface in the request's language."""
    lang = pick_lang(request)
    other = "en" if lang == "zh" else "zh"
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", other)]
    env = request.app.state.templates
    html = env.get_template(template).render(
        lang=lang, html_lang=HTML_LANG[lang], t=translator(lang), version=__version__, path=request.url.path,
        switch_href=request.url.path + "?" + urlencode(params), href_for=href_for, curie=curie, **context)
    return HTMLResponse(html, status_code=status)


def cell(binding: dict | None) -> dict:
    """One result value as a table cell: text, link, language tag or datatype."""
    if binding is None:
        return {"text": ""}
    value = binding["value"]
    if binding["type"] == "uri":
        href = href_for(value)
        return {"text": curie(value), "href": href, "external": not href.startswith("/")}
    if binding["type"] == "bnode":
        return {"text": "_:" + value}
    return {"text": value, "lang": binding.get("xml:lang"),
            "datatype": curie(binding["datatype"]) if binding.get("datatype") else None}


def _width(text: str) -> int:
    """Display width in half-width units: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shorten(text: str, limit: int) -> str:
    out, used = "", 0
    for c in text:
        used += _width(c)
        if used > limit:
            return out + "…"
        out += c
    return out


def bar_chart(variables: list[str], bindings: list[dict]) -> dict | None:
    """A horizontal bar chart for a result that is a count per label, else None.

    A result qualifies when one variable is numeric in every row and another one gives a label (a
    literal, else an IRI); the chart draws the last numeric variable against the first label variable.
    """
    if not 1 <= len(bindings) <= MAX_CHART_BARS:
        return None
    numeric = [v for v in variables if all(b.get(v, {}).get("datatype") in NUMERIC for b in bindings)]
    if not numeric:
        return None
    value_var = numeric[-1]
    others = [v for v in variables if v not in numeric and all(v in b for b in bindings)]
    literal_vars = [v for v in others if all(b[v]["type"] == "literal" for b in bindings)]
    label_vars = literal_vars or [v for v in others if all(b[v]["type"] == "uri" for b in bindings)]
    if not label_vars:
        return None
    label_var = label_vars[0]
    link_var = next((v for v in others if v != label_var and all(b[v]["type"] == "uri" for b in bindings)), None)
    values = [float(b[value_var]["value"]) for b in bindings]
    top = max(max(values), 0) or 1.0
    labels = [b[label_var]["value"] if b[label_var]["type"] == "literal" else curie(b[label_var]["value"]) for b in bindings]
    label_units = min(max(_width(s) for s in labels), 36)
    label_px = label_units * 7 + 12  # about 7px per half-width unit at the chart's 13px font
    bar_px, row_px, value_px = 420, 22, 56
    bars = []
    for i, (b, value, text) in enumerate(zip(bindings, values, labels)):
        source = b.get(link_var) if link_var else (b[label_var] if b[label_var]["type"] == "uri" else None)
        bars.append({"y": i * row_px, "w": max(value, 0) / top * bar_px, "label": _shorten(text, 36), "full": text,
                     "value": b[value_var]["value"], "href": href_for(source["value"]) if source else None})
    return {"value_var": value_var, "label_var": label_var, "label_px": label_px, "bar_px": bar_px, "row_px": row_px,
            "width": label_px + bar_px + value_px, "height": len(bars) * row_px + 4, "bars": bars}
