"""Ontology documentation pages: an index of the ``qi:`` classes, properties and named individuals
(``/ui/ontology``) and a page per term (``/ui/ontology/{name}``) with its labels, definition,
hierarchy, domain and range, and how often the built graph uses it."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from qigraph.namespaces import QI, sparql_prologue

from ..deps import StoreDep
from ..i18n import pick_lang
from ..ontology_doc import Term, label, terms
from ..web import href_for, render

router = APIRouter(prefix="/ui/ontology", tags=["web interface"], include_in_schema=False)

_CLASS_USE = sparql_prologue() + f"""
SELECT ?term (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s a/rdfs:subClassOf* ?term . FILTER(STRSTARTS(STR(?term), "{QI}")) }}
GROUP BY ?term"""
_PROPERTY_USE = sparql_prologue() + f"""
SELECT ?term (COUNT(*) AS ?n) WHERE {{ ?s ?term ?o . FILTER(STRSTARTS(STR(?term), "{QI}")) }} GROUP BY ?term"""
_INDIVIDUAL_USE = sparql_prologue() + f"""
SELECT ?term (COUNT(*) AS ?n) WHERE {{ ?s ?p ?term . FILTER(isIRI(?term) && STRSTARTS(STR(?term), "{QI}") && !isBlank(?s))
  FILTER NOT EXISTS {{ ?term a owl:Class }} }} GROUP BY ?term"""
SECTIONS = (("class", "classes"), ("object property", "object properties"), ("datatype property", "datatype properties"),
            ("annotation property", "annotation properties"), ("individual", "individuals"))


def usage(store) -> dict[str, int]:
    """How many instances each class has (subclasses included), how many statements use each
    property, and how many statements point at each named individual, in the built graph."""
    out: dict[str, int] = {}
    for query in (_CLASS_USE, _PROPERTY_USE, _INDIVIDUAL_USE):
        for b in store.select(query)["results"]["bindings"]:
            out.setdefault(b["term"]["value"], int(b["n"]["value"]))
    return out


def _ref(iri: str, lang: str) -> dict:
    return {"iri": iri, "href": href_for(iri), "label": label(iri, lang), "external": not href_for(iri).startswith("/")}


def _usage_query(term: Term) -> str:
    if term.kind == "class":
        body = f"SELECT ?instance ?label WHERE {{\n  ?instance a/rdfs:subClassOf* qi:{term.local} .\n" \
               f"  OPTIONAL {{ ?instance rdfs:label ?label FILTER(LANG(?label) = \"zh\") }}\n}}\nORDER BY ?instance\n"
    elif term.kind == "individual":
        body = f"SELECT ?subject ?property WHERE {{ ?subject ?property qi:{term.local} }}\nORDER BY ?property ?subject\n"
    else:
        body = f"SELECT ?subject ?value WHERE {{ ?subject qi:{term.local} ?value }}\nORDER BY ?subject\n"
    return "/ui/sparql?" + urlencode({"query": sparql_prologue() + body})


@router.get("", response_class=HTMLResponse)
def ontology_index(request: Request, store: StoreDep) -> HTMLResponse:
    lang = pick_lang(request)
    used = usage(store)
    sections = []
    for kind, heading in SECTIONS:
        items = sorted((t for t in terms().values() if t.kind == kind), key=lambda t: t.local.lower())
        sections.append({"kind": kind, "heading": heading, "items": [
            {"term": t, "label": t.label(lang), "other": t.labels.get("en" if lang == "zh" else "zh"), "used": used.get(t.iri, 0)}
            for t in items]})
    return render(request, "ontology.html", sections=sections)


@router.get("/{name}", response_class=HTMLResponse)
def ontology_term(name: str, request: Request, store: StoreDep) -> HTMLResponse:
    lang = pick_lang(request)
    term = terms().get(name)
    if term is None:
        message = (f"本体中没有 qi:{name}。" if lang == "zh" else f"The ontology has no term qi:{name}.")
        return render(request, "error.html", status=404, title_key="not found", message=message)
    refs = {key: [_ref(i, lang) for i in getattr(term, key)]
            for key in ("supers", "subs", "domain", "range", "inverse", "types", "with_domain", "with_range", "members")}
    return render(request, "term.html", term=term, refs=refs, used=usage(store).get(term.iri, 0),
                  usage_href=_usage_query(term), other_lang="en" if lang == "zh" else "zh")
