"""Linked data: every IRI qigraph mints (https://w3id.org/qigraph/id/…) dereferences under
``/id/…`` — an HTML page for a browser, Turtle, JSON-LD, N-Triples or RDF/XML by content
negotiation — with the resource's statements, the labels of what it links to, the resources that
link to it, and its provenance. ``/ontology`` serves the ontology the same way."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from rdflib import Literal, URIRef

from qigraph import catalog
from qigraph.namespaces import PREFIXES, QID

from ..deps import StoreDep
from ..i18n import pick_lang
from ..ontology_doc import doc_href
from ..problems import Problem
from ..web import href_for, render

router = APIRouter(tags=["linked data"])

_PATH = re.compile(r"^[A-Za-z0-9._~/-]+$")
RDF_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
_DESCRIBE = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?r ?p ?o . ?o rdfs:label ?ol . ?s ?ip ?r . ?s rdfs:label ?sl }
WHERE { { ?r ?p ?o OPTIONAL { ?o rdfs:label ?ol } } UNION { ?s ?ip ?r OPTIONAL { ?s rdfs:label ?sl } } }
"""
_OUT = """SELECT ?r ?lang ?p ?o ?olabel WHERE { ?r ?p ?o OPTIONAL { ?o <http://www.w3.org/2000/01/rdf-schema#label> ?olabel
          FILTER(LANG(?olabel) = ?lang) } } ORDER BY ?p ?o"""
_IN = """SELECT ?r ?lang ?s ?p ?slabel WHERE { ?s ?p ?r OPTIONAL { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?slabel
          FILTER(LANG(?slabel) = ?lang) } } ORDER BY ?p ?s LIMIT 500"""


def wants_html(accept: str | None) -> bool:
    """A browser asks for text/html before any RDF type."""
    accept = (accept or "").lower()
    if "text/html" not in accept:
        return False
    html_at = accept.index("text/html")
    return all(t not in accept or accept.index(t) > html_at for t in RDF_TYPES)


def _rdf_type(accept: str | None, fmt: str | None) -> str:
    aliases = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
               "nt": "application/n-triples", "rdfxml": "application/rdf+xml"}
    if fmt:
        return aliases.get(fmt, fmt)
    for t in (a.split(";")[0].strip() for a in (accept or "").split(",")):
        if t in RDF_TYPES:
            return t
    return "text/turtle"


def _curie(iri: str) -> str:
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def describe(request: Request, store, iri: URIRef, fmt: str | None) -> Response:
    lang = pick_lang(request)
    out = store.select(_OUT, bindings={"r": iri, "lang": Literal(lang)})["results"]["bindings"]
    if not out:
        raise Problem(404, "Unknown resource", f"{iri} is not in the graph")
    accept = request.headers.get("accept")
    if fmt is None and wants_html(accept):
        incoming = store.select(_IN, bindings={"r": iri, "lang": Literal(lang)})["results"]["bindings"]
        return render_page(request, str(iri), out, incoming, lang)
    media = _rdf_type(accept, fmt)
    if media not in RDF_TYPES:
        raise Problem(406, "Unsupported format", f"{media} is not offered; use one of {', '.join(RDF_TYPES)} or text/html")
    result = store.query(_DESCRIBE, accept=media, bindings={"r": iri})
    return Response(result.body, media_type=result.media_type)


def render_page(request: Request, iri: str, out: list[dict], incoming: list[dict], lang: str) -> HTMLResponse:
    def term(b: dict, label: dict | None = None) -> dict:
        value = b["value"]
        if b["type"] == "uri":
            return {"iri": value, "text": (label or {}).get("value") or _curie(value), "href": href_for(value)}
        return {"text": value, "lang": b.get("xml:lang"), "datatype": _curie(b["datatype"]) if b.get("datatype") else None}

    labels = [r["o"]["value"] for r in out if r["p"]["value"].endswith("#label") and r["o"].get("xml:lang") == lang]
    provenance = {"http://www.w3.org/ns/prov#wasDerivedFrom", "http://purl.org/dc/terms/source"}
    rows = [{"p": _curie(r["p"]["value"]), "p_href": doc_href(r["p"]["value"]), "o": term(r["o"], r.get("olabel")),
             "prov": r["p"]["value"] in provenance} for r in out]
    back = [{"p": _curie(r["p"]["value"]), "p_href": doc_href(r["p"]["value"]), "s": term(r["s"], r.get("slabel"))} for r in incoming]
    # A body also has a page of its own in the web interface (timeline, tasks, clauses).
    local = iri.removeprefix(str(QID))
    body_page = f"/ui/bodies/{local[5:]}" if local.startswith("body/") and local.count("/") == 1 else None
    return render(request, "resource.html", iri=iri, title=labels[0] if labels else _curie(iri), rows=rows, incoming=back,
                  body_page=body_page)


@router.get("/id/{path:path}", summary="Dereference a qigraph IRI (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)",
            response_class=Response)
def resource(path: str, request: Request, store: StoreDep, format: str | None = None) -> Response:
    if not _PATH.match(path):
        raise Problem(404, "Unknown resource", f"/id/{path} is not an IRI qigraph mints")
    return describe(request, store, URIRef(str(QID) + path), format)


@router.get("/ontology", summary="The ontology (Turtle), the namespace of qi: terms", response_class=Response)
def ontology() -> Response:
    body = "\n".join(f.read_text(encoding="utf-8") for f in catalog.ontology_files())
    return Response(body, media_type="text/turtle; charset=utf-8")
