"""The industry explorer: the industry schemes as trees with counts of bodies (``/ui/industries``),
the bodies serving a chosen industry as cards, and a page per body (``/ui/bodies/{id}``) with its
lifecycle as a timeline and the tasks and clauses that concern it. The data are the JSON API's
(``/industries``, ``/centers``), so the pages and the API cannot disagree."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from rdflib import Literal, URIRef

from qigraph.namespaces import QID, sparql_prologue

from ..deps import StoreDep
from ..i18n import pick_lang
from ..ontology_doc import label as term_label
from ..problems import Problem
from ..web import href_for, render
from .lookups import STATES, center, centers, industries

router = APIRouter(prefix="/ui", tags=["web interface"], include_in_schema=False)

_EVENTS = sparql_prologue() + """
SELECT ?b ?lang ?e ?typeLabel ?date ?source WHERE {
  ?b qi:hasEvent ?e . ?e qi:eventType/rdfs:label ?typeLabel . FILTER(LANG(?typeLabel) = ?lang)
  OPTIONAL { ?e dcterms:date ?date } OPTIONAL { ?e dcterms:source ?source }
}"""
_TASKS = sparql_prologue() + """
SELECT ?b ?task ?n ?text WHERE { ?task qi:concernsBody ?b ; qi:taskNumber ?n ; qi:taskText ?text } ORDER BY ?n"""
_REQUIREMENTS = sparql_prologue() + """
SELECT ?b ?lang ?program ?programLabel ?req ?reqLabel ?clause ?clauseLabel ?quote WHERE {
  ?b a ?kind . ?program qi:forBodyClass ?kind ; rdfs:label ?programLabel . FILTER(LANG(?programLabel) = ?lang)
  ?req qi:appliesTo ?program ; rdfs:label ?reqLabel ; dcterms:source ?clause . FILTER(LANG(?reqLabel) = ?lang)
  OPTIONAL { ?req qi:quote ?quote }
  OPTIONAL { ?clause rdfs:label ?clauseLabel FILTER(LANG(?clauseLabel) = "zh") }
} ORDER BY ?program ?clause ?req"""
_SOURCE_CLAUSES = sparql_prologue() + """
SELECT ?b ?clause ?clauseLabel ?text WHERE {
  ?b dcterms:source ?clause . FILTER(STRSTARTS(STR(?clause), "https://w3id.org/qigraph/id/doc/"))
  OPTIONAL { ?clause rdfs:label ?clauseLabel FILTER(LANG(?clauseLabel) = "zh") }
  OPTIONAL { ?clause qi:text|qi:taskText ?text }
} ORDER BY ?clause"""
_SOURCE_TITLES = sparql_prologue() + """
SELECT ?b ?source ?title WHERE { ?b dcterms:source ?source . ?source dcterms:title ?title }"""


def _rows(result: dict) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]


def _find(nodes: list[dict], iri: str) -> dict | None:
    for node in nodes:
        if node["iri"] == iri:
            return node
        found = _find(node["narrower"], iri)
        if found:
            return found
    return None


def _contains(node: dict, iri: str) -> bool:
    return node["iri"] == iri or any(_contains(n, iri) for n in node["narrower"])


def card(body: dict, lang: str) -> dict:
    """What a body's card shows, in the page's language (Chinese where the graph has no English)."""
    def name(ref: dict) -> str:
        return ref.get(f"label_{lang}") or ref.get("label_zh") or ref["iri"]

    state = body.get("state", "unknown")
    return {
        "id": body["id"], "iri": body["iri"], "href": f"/ui/bodies/{body['id']}",
        "name": body["label"].get(lang) or body["label"].get("zh"),
        "kind": (body.get("kind_label") or {}).get(lang) or body.get("kind", ""),
        "hosts": [{"name": name(h), "href": href_for(h["iri"]), "lead": h["iri"] == body.get("lead_host")} for h in body["hosts"]],
        "host_known": body.get("host_known", False),
        "state": state, "state_label": term_label(str(STATES[state]), lang),
        "district": body.get("district"),
        "industries": [{"name": name(i), "href": f"/ui/industries?concept={i['iri']}"} for i in body["industries"]],
        "sources": [{"href": href_for(s), "external": not href_for(s).startswith("/"), "text": s} for s in body["sources"]],
        "approved_by": {"name": name(body["approved_by"]), "href": href_for(body["approved_by"]["iri"])} if body.get("approved_by") else None,
    }


@router.get("/industries", response_class=HTMLResponse)
def industries_page(request: Request, store: StoreDep, concept: str | None = None) -> HTMLResponse:
    lang = pick_lang(request)
    schemes = industries(store)["schemes"]
    selected, cards, status = None, [], 200
    if concept:
        selected = next((_find(s["top"], concept) for s in schemes if _find(s["top"], concept)), None)
        if selected is None:
            status = 404
        else:
            found = centers(store, industry=concept, kind=None, state=None, district=None, limit=500, offset=0)
            cards = [card(b, lang) for b in found["items"]]
    for s in schemes:
        s["open"] = bool(concept) and any(_contains(n, concept) for n in s["top"])
    if not concept and schemes:
        schemes[0]["open"] = True
    return render(request, "industries.html", status=status, schemes=schemes, selected=selected, concept=concept,
                  cards=cards)


@router.get("/bodies/{body_id}", response_class=HTMLResponse)
def body_page(body_id: str, request: Request, store: StoreDep) -> HTMLResponse:
    lang = pick_lang(request)
    try:
        body = center(body_id, store)
    except Problem as exc:
        message = (f"图谱中没有机构 {body_id!r}；可在产业浏览中查找机构。" if lang == "zh" and exc.status == 404 else exc.detail)
        return render(request, "error.html", status=exc.status, title_key="not found", message=message)
    iri = URIRef(str(QID) + f"body/{body_id}")
    bind = {"b": iri, "lang": Literal(lang)}
    titles = {r["source"]: r["title"] for r in _rows(store.select(_SOURCE_TITLES, bindings={"b": iri}))}
    info = card(body, lang)
    for s in info["sources"]:
        s["title"] = titles.get(s["text"])

    events: dict[str, dict] = {}
    for r in _rows(store.select(_EVENTS, bindings=bind)):
        e = events.setdefault(r["e"], {"type": r["typeLabel"], "date": r.get("date"), "sources": []})
        if r.get("source") and r["source"] not in [s["iri"] for s in e["sources"]]:
            e["sources"].append({"iri": r["source"], "href": href_for(r["source"]), "title": titles.get(r["source"])})
    # Dated events in date order (YYYY, YYYY-MM and YYYY-MM-DD sort as text), the undated after them.
    timeline = sorted(events.values(), key=lambda e: (e["date"] is None, e["date"] or "", e["type"]))

    tasks = [{"n": int(r["n"]), "text": r["text"], "href": href_for(r["task"])}
             for r in _rows(store.select(_TASKS, bindings={"b": iri}))]
    programs: dict[str, dict] = {}
    reqs_seen: set[str] = set()
    for r in _rows(store.select(_REQUIREMENTS, bindings=bind)):
        p = programs.setdefault(r["program"], {"label": r["programLabel"], "href": href_for(r["program"]), "requirements": []})
        if r["req"] in reqs_seen:
            continue
        reqs_seen.add(r["req"])
        p["requirements"].append({"label": r["reqLabel"], "href": href_for(r["req"]), "quote": r.get("quote"),
                                  "clause": r.get("clauseLabel") or r["clause"], "clause_href": href_for(r["clause"])})
    cited: dict[str, dict] = {}
    for r in _rows(store.select(_SOURCE_CLAUSES, bindings={"b": iri})):
        cited[r["clause"]] = {"label": r.get("clauseLabel") or r["clause"], "href": href_for(r["clause"]), "text": r.get("text")}
    for s in info["sources"]:  # a clause cited as a source is named by its label
        s["title"] = s["title"] or cited.get(s["text"], {}).get("label")
    return render(request, "body.html", body=info, timeline=timeline, tasks=tasks, programs=list(programs.values()),
                  cited=list(cited.values()), linked_data=href_for(str(iri)))
