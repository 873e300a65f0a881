"""REST lookups as JSON: centers by industry, kind, state and district; the industry schemes as
trees with counts of bodies; agencies and their tasks; documents and their clauses; a label search.

Every list is paginated with ``limit``/``offset`` and reports its ``total``. Parameters reach the
engine as bound values (see qigraph.catalog_queries); the SPARQL texts here are fixed.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from qigraph.loaders.bodies import KIND_CLASS
from rdflib import Literal, URIRef

from qigraph.labels import labels_of, values
from qigraph.namespaces import QI, QID, sparql_prologue

from ..deps import StoreDep
from ..problems import Problem

router = APIRouter(tags=["lookups"])
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, description="rows to skip")]
STATES = {"applying": QI.Applying, "in-preparation": QI.InPreparation, "accepted": QI.Accepted,
          "established": QI.Established, "named": QI.Named, "under-rectification": QI.UnderRectification,
          "revoked": QI.Revoked, "unknown": QI.StateUnknown}
_UP = "(skos:broader|skos:broadMatch|skos:exactMatch|^skos:exactMatch|^skos:narrowMatch)*"

# A page's bodies, then the labels of what they point to (qigraph.labels), by two queries with the
# terms first: Oxigraph joins a VALUES table of predicates against every such triple of the graph,
# where a FILTER on the predicate is an index lookup.
_BODIES = sparql_prologue() + """
SELECT DISTINCT ?b ?p ?o WHERE {
  #BODIES
  #IS_BODY
  ?b ?p ?o .
  FILTER(?p IN (rdfs:label, rdf:type, qi:state, qi:hostedBy, qi:leadHost, qi:servesIndustry, qi:district, dcterms:source,
                qi:hostKnown, qi:approvedBy))
}"""


_CONCEPTS = sparql_prologue() + f"""
SELECT ?c ?scheme ?broader ?zh ?en ?top (COUNT(DISTINCT ?b) AS ?bodies) WHERE {{
  ?c a skos:Concept ; skos:inScheme ?scheme ; skos:prefLabel ?zh , ?en .
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
  FILTER NOT EXISTS {{ ?c a qi:TaskCategory }}
  OPTIONAL {{ ?c skos:broader ?broader }}
  OPTIONAL {{ ?c skos:topConceptOf ?top }}
  OPTIONAL {{ ?x {_UP} ?c . ?b qi:servesIndustry ?x }}
}} GROUP BY ?c ?scheme ?broader ?zh ?en ?top"""
_SCHEMES = sparql_prologue() + """
SELECT ?s ?zh ?en WHERE { ?s a qi:IndustryScheme ; rdfs:label ?zh , ?en FILTER(LANG(?zh) = "zh" && LANG(?en) = "en") } ORDER BY ?s"""
_AGENCIES = sparql_prologue() + """
SELECT ?a ?zh ?en ?level (GROUP_CONCAT(DISTINCT ?short; separator="|") AS ?shorts) (COUNT(DISTINCT ?t) AS ?tasks) WHERE {
  ?a a qi:Agency ; a ?level ; rdfs:label ?zh , ?en . FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
  VALUES ?level { qi:NationalAgency qi:MunicipalAgency qi:DistrictAgency }
  OPTIONAL { ?a qi:shortName ?short }
  OPTIONAL { ?t qi:responsibleAgency ?a }
} GROUP BY ?a ?zh ?en ?level ORDER BY DESC(?tasks) ?zh"""
_AGENCY_TASKS = sparql_prologue() + """
SELECT ?a ?t ?n ?text ?category WHERE { ?t qi:responsibleAgency ?a ; qi:taskNumber ?n ; qi:taskText ?text ;
  qi:taskCategory/skos:prefLabel ?category FILTER(LANG(?category) = "zh") } ORDER BY ?n"""
_IS_AGENCY = sparql_prologue() + "SELECT ?a WHERE { ?a a qi:Agency }"
_DOCUMENTS = sparql_prologue() + """
SELECT ?d ?zh ?en ?number ?date (COUNT(DISTINCT ?part) AS ?parts) WHERE {
  ?d a qi:PolicyDocument ; eli:title ?zh , ?en ; eli:date_document ?date . FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
  OPTIONAL { ?d eli:id_local ?number } OPTIONAL { ?part qi:inDocument ?d }
} GROUP BY ?d ?zh ?en ?number ?date ORDER BY ?date"""
_CLAUSES = sparql_prologue() + """
SELECT ?d ?part ?number ?heading ?text ?label WHERE { ?part qi:inDocument ?d ; qi:text ?text ; rdfs:label ?label .
  FILTER(LANG(?label) = "zh") OPTIONAL { ?part eli:number ?number } OPTIONAL { ?part qi:heading ?heading } }"""
_SEARCH = sparql_prologue() + """
SELECT ?q ?s ?label ?matched ?type WHERE {
  ?s (rdfs:label|skos:altLabel|qi:shortName) ?matched . FILTER(CONTAINS(LCASE(STR(?matched)), LCASE(?q)))
  ?s rdfs:label ?label ; a ?type . FILTER(LANG(?label) = "zh")
  FILTER(STRSTARTS(STR(?s), "https://w3id.org/qigraph/id/"))
} LIMIT 2000"""


def _rows(result: dict) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in b.items()} for b in result["results"]["bindings"]]


def _page(items: list, limit: int, offset: int) -> dict[str, Any]:
    return {"total": len(items), "limit": limit, "offset": offset, "items": items[offset:offset + limit]}


def _path_key(path: str) -> list[tuple[str, int]]:
    """Document order of positional part paths: s2/p10 after s2/p9, notice and preamble first."""
    rank = {"notice": 0, "preamble": 1}
    return [(str(rank.get(seg, 2)) + re.sub(r"\d+", "", seg), int(re.sub(r"\D", "", seg) or 0)) for seg in path.split("/")]


def _minted(kind: str, local_id: str, what: str, listing: str) -> URIRef:
    """The IRI of a resource named in a URL path; an id that could not be one is simply unknown."""
    if not _ID.match(local_id):
        raise Problem(404, f"Unknown {what}", f"there is no {what} {local_id!r}; GET {listing} lists them")
    return QID[f"{kind}/{local_id}"]


def _local_id(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _bodies(store, only: list[URIRef] | None = None) -> dict[str, dict]:
    """The bodies' records, all of them or ``only`` these (in that order)."""
    kinds = {str(v): k for k, v in KIND_CLASS.items()}
    states = {str(v): k for k, v in STATES.items()}
    bodies: dict[str, dict] = defaultdict(lambda: {"industries": [], "sources": [], "hosts": []})
    if only is not None:
        if not only:
            return {}
        for b in only:  # the caller's order
            bodies[str(b)]
    query = _BODIES.replace("#BODIES", "" if only is None else values("b", only)).replace("#IS_BODY", _is_body(store))
    rows = store.select(query)["results"]["bindings"]
    labels = labels_of(store, sorted({raw["o"]["value"] for raw in rows if raw["o"]["type"] == "uri"}))
    for raw in rows:
        r = {k: v["value"] for k, v in raw.items()}
        r["olabelZh"], r["olabelEn"] = labels.get(r["o"], {}).get("zh"), labels.get(r["o"], {}).get("en")
        b = bodies[r["b"]]
        b["iri"], b["id"] = r["b"], _local_id(r["b"])
        b.setdefault("label", {})
        p, o = r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], r["o"]
        ref = {"iri": o, "label_zh": r.get("olabelZh"), "label_en": r.get("olabelEn")}
        if p == "label":
            b["label"][raw["o"].get("xml:lang", "zh")] = o
        elif p == "type" and o in kinds:
            b["kind"] = kinds[o]
            b["kind_label"] = {"zh": r.get("olabelZh"), "en": r.get("olabelEn")}
        elif p == "state":
            b["state"] = states.get(o, "unknown")
        elif p == "hostedBy" and ref not in b["hosts"]:
            b["hosts"].append(ref)
        elif p == "leadHost":
            b["lead_host"] = o
        elif p == "servesIndustry":
            b["industries"].append(ref)
        elif p == "source":
            b["sources"].append(o)
        elif p == "district":
            b["district"] = o
        elif p == "hostKnown":
            b["host_known"] = o in ("true", "1")  # Virtuoso writes xsd:boolean true as 1
        elif p == "approvedBy":
            b["approved_by"] = ref
    for b in bodies.values():  # the same order whichever query and engine gave the rows
        b["industries"].sort(key=lambda ref: ref["iri"])
        b["hosts"].sort(key=lambda ref: ref["iri"])
        b["sources"].sort()
    return {k: b for k, b in bodies.items() if "iri" in b}


# The filters of /centers as SPARQL, so that the engine filters, sorts and pages rather than
# every body of the graph going through Python on each request (33 s at a million triples).
_KINDS = ", ".join(cls.n3() for cls in KIND_CLASS.values())
# The kind's key from its class by nested IFs: Virtuoso lost rows to a VALUES table inside OPTIONAL.
_KIND_KEY = "?unknownKind"
for _key, _cls in sorted(KIND_CLASS.items(), reverse=True):
    _KIND_KEY = f'IF(?kc = {_cls.n3()}, "{_key}", {_KIND_KEY})'
_CENTERS_PAGE = sparql_prologue() + """
SELECT ?b (MIN(?k) AS ?kindKey) (MIN(?zh) AS ?labelZh) WHERE {
  { SELECT DISTINCT ?b WHERE { #FILTERS } }
  OPTIONAL { ?b a ?kc . FILTER(?kc IN (#KINDS)) BIND(#KIND_KEY AS ?k) }
  OPTIONAL { ?b rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
} GROUP BY ?b ORDER BY ?kindKey ?labelZh ?b"""
_CENTERS_TOTAL = sparql_prologue() + "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { #FILTERS }"
# The bodies serving an industry are found first, by their own query (a transitive path inside
# nested sub-selects is where Virtuoso lost answers), and join the filters as a VALUES block.
_BODIES_BY_INDUSTRY_TEXT = sparql_prologue() + f"""
SELECT DISTINCT ?industry ?b WHERE {{
  {{ SELECT DISTINCT ?industry ?match WHERE {{ ?match a skos:Concept ; (skos:prefLabel|skos:altLabel) ?l .
      FILTER(CONTAINS(LCASE(STR(?l)), LCASE(?industry))) }} }}
  ?c {_UP} ?match . ?b qi:servesIndustry ?c }}"""
_BODIES_BY_INDUSTRY_IRI = sparql_prologue() + f"""
SELECT DISTINCT ?industry ?b WHERE {{ ?c {_UP} ?industry . ?b qi:servesIndustry ?c }}"""


# Is ?b a body: one of the body classes, found first. Virtuoso 7.2 loses rows to a transitive
# path (``a/rdfs:subClassOf+``) when ?b is already bound, by VALUES or by another pattern.
_BODY_CLASSES = sparql_prologue() + "SELECT DISTINCT ?c WHERE { ?c rdfs:subClassOf+ qi:QualityInfrastructureBody }"
_BODY_DISTRICTS = sparql_prologue() + "SELECT DISTINCT ?b ?dst WHERE { ?b qi:district ?dst . #IS_BODY }"


def _is_body(store) -> str:
    classes = sorted(r["c"] for r in _rows(store.select(_BODY_CLASSES)))
    return f"?b a ?bodyClass . FILTER(?bodyClass IN ({', '.join(URIRef(c).n3() for c in classes)}))"


def _center_filters(store, *, industry: str | None, kind: str | None, state: str | None,
                    district: str | None) -> str | None:
    """The graph pattern of the bodies /centers keeps; None when none can match.

    Our own terms (kind and state come from fixed tables) are written in. The caller's industry
    and district are matched first, by queries of their own, and narrow the pattern as a VALUES
    block of bodies: Virtuoso 7.2 answered a text FILTER on Chinese text and a transitive path
    inside nested sub-selects wrongly, and a district is a short text matched on few bodies."""
    is_body = _is_body(store)
    keep: set[str] | None = None
    if industry:
        if industry.startswith(("http://", "https://")):
            found = store.select(_BODIES_BY_INDUSTRY_IRI, bindings={"industry": URIRef(industry)})
        else:
            found = store.select(_BODIES_BY_INDUSTRY_TEXT, bindings={"industry": Literal(industry)})
        keep = {r["b"] for r in _rows(found)}
    if district:
        in_district = {r["b"] for r in _rows(store.select(_BODY_DISTRICTS.replace("#IS_BODY", is_body)))
                       if district in r["dst"]}
        keep = in_district if keep is None else keep & in_district
    parts = []
    if keep is not None:
        if not keep:
            return None
        parts.append(values("b", [URIRef(b) for b in sorted(keep)]))
    parts.append(is_body)
    if kind:
        parts.append(f"?b a {KIND_CLASS[kind].n3()} .")
    if state == "unknown":  # as the records read it: qi:StateUnknown, or a state this API does not name
        named = [v for k, v in STATES.items() if k != "unknown"]
        parts.append(f"?b qi:state ?st . FILTER(?st NOT IN ({', '.join(t.n3() for t in named)}))")
    elif state:
        parts.append(f"?b qi:state {STATES[state].n3()} .")
    return "\n  ".join(parts)


@router.get("/centers", summary="QI bodies, filtered by industry (text or IRI), kind, state and district")
def centers(store: StoreDep, industry: str | None = None, kind: str | None = None, state: str | None = None,
            district: str | None = None, limit: Limit = 50, offset: Offset = 0) -> dict:
    if kind and kind not in KIND_CLASS:
        raise Problem(400, "Unknown kind", f"kind must be one of {sorted(KIND_CLASS)}")
    if state and state not in STATES:
        raise Problem(400, "Unknown state", f"state must be one of {sorted(STATES)}")
    filters = _center_filters(store, industry=industry, kind=kind, state=state, district=district)
    if filters is None:
        return {"total": 0, "limit": limit, "offset": offset, "items": []}
    total = int(_rows(store.select(_CENTERS_TOTAL.replace("#FILTERS", filters)))[0]["n"])
    page = store.select(_CENTERS_PAGE.replace("#FILTERS", filters).replace("#KINDS", _KINDS).replace("#KIND_KEY", _KIND_KEY)
                        + f" LIMIT {int(limit)} OFFSET {int(offset)}")
    items = list(_bodies(store, [URIRef(r["b"]) for r in _rows(page)]).values())
    return {"total": total, "limit": limit, "offset": offset, "items": items}


@router.get("/centers/{body_id}", summary="One QI body")
def center(body_id: str, store: StoreDep) -> dict:
    iri = _minted("body", body_id, "body", "/centers")
    body = _bodies(store, [iri]).get(str(iri))
    if body is None:
        raise Problem(404, "Unknown body", f"there is no body {body_id!r}; GET /centers lists them")
    return body


@router.get("/industries", summary="The industry schemes as trees, with the number of bodies under each concept")
def industries(store: StoreDep) -> dict:
    concepts: dict[str, dict] = {}
    parents: dict[str, str | None] = {}
    for r in _rows(store.select(_CONCEPTS)):
        if r["c"] not in concepts:
            concepts[r["c"]] = {"iri": r["c"], "label_zh": r["zh"], "label_en": r["en"], "scheme": r["scheme"],
                                "bodies": int(r["bodies"]), "narrower": []}
        # Only broader concepts of the same scheme make the tree; mappings are not parents.
        same_scheme = r.get("broader", "").startswith(r["scheme"].replace("/scheme/", "/industry/") + "/")
        if same_scheme:
            parents[r["c"]] = r["broader"]
        else:
            parents.setdefault(r["c"], None)
    for c, parent in parents.items():
        if parent and parent in concepts:
            concepts[parent]["narrower"].append(concepts[c])
    for node in concepts.values():
        node["narrower"].sort(key=lambda n: n["iri"])
    schemes = []
    for r in _rows(store.select(_SCHEMES)):
        tops = [concepts[c] for c, p in parents.items() if not p and concepts[c]["scheme"] == r["s"]]
        schemes.append({"iri": r["s"], "label_zh": r["zh"], "label_en": r["en"], "top": sorted(tops, key=lambda n: n["iri"])})
    return {"total": len(schemes), "schemes": schemes}


@router.get("/agencies", summary="Agencies with their level, short names and number of 2026 tasks")
def agencies(store: StoreDep, limit: Limit = 50, offset: Offset = 0) -> dict:
    items = [{"iri": r["a"], "id": _local_id(r["a"]), "label_zh": r["zh"], "label_en": r["en"],
              "level": r["level"].rsplit("#", 1)[-1].removesuffix("Agency").lower(),
              "short_names": [s for s in r.get("shorts", "").split("|") if s], "tasks": int(r["tasks"])}
             for r in _rows(store.select(_AGENCIES))]
    return _page(items, limit, offset)


@router.get("/agencies/{agency_id}/tasks", summary="The 2026 tasks an agency is responsible for")
def agency_tasks(agency_id: str, store: StoreDep, limit: Limit = 100, offset: Offset = 0) -> dict:
    iri = _minted("agency", agency_id, "agency", "/agencies")
    if not _rows(store.select(_IS_AGENCY, bindings={"a": iri})):
        raise Problem(404, "Unknown agency", f"there is no agency {agency_id!r}; GET /agencies lists them")
    items = [{"iri": r["t"], "number": int(r["n"]), "text": r["text"], "category": r["category"]}
             for r in _rows(store.select(_AGENCY_TASKS, bindings={"a": iri}))]
    return _page(items, limit, offset)


@router.get("/documents", summary="The policy documents")
def documents(store: StoreDep) -> dict:
    items = [{"iri": r["d"], "id": _local_id(r["d"]), "title_zh": r["zh"], "title_en": r["en"], "number": r.get("number"),
              "date": r["date"], "parts": int(r["parts"])} for r in _rows(store.select(_DOCUMENTS))]
    return {"total": len(items), "items": items}


@router.get("/documents/{doc_id}/clauses", summary="A document's parts and clauses, in document order")
def clauses(doc_id: str, store: StoreDep, limit: Limit = 500, offset: Offset = 0) -> dict:
    rows = _rows(store.select(_CLAUSES, bindings={"d": _minted("doc", doc_id, "document", "/documents")}))
    if not rows:
        raise Problem(404, "Unknown document", f"there is no document {doc_id!r}; GET /documents lists them")

    items = sorted(({"iri": r["part"], "number": r.get("number"), "heading": r.get("heading"), "label": r["label"],
                     "text": r["text"]} for r in rows), key=lambda c: _path_key(c["iri"].split(f"/doc/{doc_id}/", 1)[1]))
    return _page(items, limit, offset)


@router.get("/search", summary="Find resources by a part of any of their labels, in Chinese or English")
def search(store: StoreDep, q: Annotated[str, Query(min_length=1, max_length=200)], limit: Limit = 50, offset: Offset = 0) -> dict:
    hits: dict[str, dict] = {}
    for r in _rows(store.select(_SEARCH, bindings={"q": Literal(q)})):
        hit = hits.setdefault(r["s"], {"iri": r["s"], "label": r["label"], "matched": r["matched"], "types": []})
        if r["type"] not in hit["types"]:
            hit["types"].append(r["type"])
    items = sorted(hits.values(), key=lambda h: (h["matched"].lower() != q.lower(), len(h["label"]), h["iri"]))
    return _page(items, limit, offset)
