"""The ontology as documentation: each ``qi:`` class, property and named individual of
``ontology/*.ttl`` with its labels, definitions, hierarchy, domain and range, read once per process.
The web interface renders it (``/ui/ontology``) and labels ontology terms with it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef

from qigraph import catalog
from qigraph.namespaces import PREFIXES, QI

KINDS = {  # rdf:type → (kind key, order on the index page)
    OWL.Class: "class", OWL.ObjectProperty: "object property", OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property", OWL.NamedIndividual: "individual",
}
CHARACTERISTICS = (OWL.FunctionalProperty, OWL.InverseFunctionalProperty, OWL.TransitiveProperty,
                   OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty, OWL.IrreflexiveProperty)


def curie(iri: str) -> str:
    """``qi:Task`` for a term of a known namespace, else the IRI itself."""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and iri != ns:
            return f"{prefix}:{iri[len(ns):]}"
    return iri


@dataclass
class Term:
    """One ontology term and what the ontology says about it."""

    iri: str
    local: str
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    definitions: dict[str, str] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    supers: list[str] = field(default_factory=list)
    subs: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    inverse: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)  # for individuals: their classes
    with_domain: list[str] = field(default_factory=list)  # for classes: properties whose domain it is
    with_range: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)  # for classes: named individuals of it

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get("en") or self.local


def _by_lang(values) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        if isinstance(v, Literal):
            out.setdefault(v.language or "en", str(v))
    return out


def _iris(values) -> list[str]:
    return sorted(str(v) for v in values if isinstance(v, URIRef))


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    g = Graph()
    for f in catalog.ontology_files():
        g.parse(data=f.read_text(encoding="utf-8"), format="turtle")
    return g


@lru_cache(maxsize=1)
def terms() -> dict[str, Term]:
    """Every ``qi:`` term of the ontology, by local name."""
    g = ontology_graph()
    out: dict[str, Term] = {}
    for s in set(g.subjects(RDF.type, None)):
        if not isinstance(s, URIRef) or not str(s).startswith(str(QI)) or s == URIRef(str(QI)):
            continue
        types = set(g.objects(s, RDF.type))
        kind = next((k for t, k in KINDS.items() if t in types), None)
        if kind is None:
            continue
        comments: dict[str, list[str]] = {}
        for c in g.objects(s, RDFS.comment):
            comments.setdefault(c.language or "en", []).append(str(c))
        term = Term(
            iri=str(s), local=str(s)[len(str(QI)):], kind=kind,
            labels=_by_lang(g.objects(s, RDFS.label)), definitions=_by_lang(g.objects(s, SKOS.definition)),
            comments=comments,
            supers=_iris(g.objects(s, RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf)),
            subs=_iris(g.subjects(RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf, s)),
            domain=_iris(g.objects(s, RDFS.domain)), range=_iris(g.objects(s, RDFS.range)),
            inverse=_iris(list(g.objects(s, OWL.inverseOf)) + list(g.subjects(OWL.inverseOf, s))),
            characteristics=[curie(str(c)) for c in CHARACTERISTICS if c in types],
            types=_iris(t for t in types if t not in KINDS),
        )
        out[term.local] = term
    for term in out.values():
        if term.kind == "class":
            term.with_domain = sorted(t.iri for t in out.values() if term.iri in t.domain)
            term.with_range = sorted(t.iri for t in out.values() if term.iri in t.range)
            term.members = sorted(t.iri for t in out.values() if term.iri in t.types)
    return out


def term_for(iri: str) -> Term | None:
    """The documented term an IRI names, if it is a ``qi:`` term."""
    if not iri.startswith(str(QI)):
        return None
    return terms().get(iri[len(str(QI)):])


def label(iri: str, lang: str) -> str:
    """A term's label in ``lang`` (English, then its CURIE, where it has none)."""
    term = term_for(iri)
    if term:
        return term.label(lang)
    return _by_lang(ontology_graph().objects(URIRef(iri), RDFS.label)).get(lang) or curie(iri)


def doc_href(iri: str) -> str | None:
    """The documentation page of a ``qi:`` term, or None for other IRIs."""
    term = term_for(iri)
    return f"/ui/ontology/{term.local}" if term else None
