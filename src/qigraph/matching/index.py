"""What matching searches, read once from the built graph by SPARQL: the industry concepts (labels,
definitions, hierarchy and mappings, sources), the QI bodies, the 2026 tasks, the policy clauses,
the agencies and the programs; and the BM25 indexes over concepts and bodies."""

from __future__ import annotations

import re
from collections import defaultdict, deque
from dataclasses import dataclass, field

from qigraph.labels import labels_of
from qigraph.namespaces import sparql_prologue

from .bm25 import BM25
from .text import Analyzer

QID = "https://w3id.org/qigraph/id/"

# How much each part of a concept counts in its document. Labels say what the concept is; the
# definition and the labels of narrower concepts only say what it covers.
# A label as a whole (its phrase) says far more than one of its words: "automated" alone is not
# "automated driving".
PHRASE_WEIGHT, LABEL_WEIGHT, DEFINITION_WEIGHT, NARROWER_WEIGHT = 3.0, 1.0, 0.5, 0.5
BODY_NAME_WEIGHT, BODY_DESCRIPTION_WEIGHT = 2.0, 1.0

# Predicates are chosen by FILTER(?p IN …), never by a VALUES table: Oxigraph joins such a table
# against every triple of the graph with those predicates (the same pitfall as qigraph.labels).
_CONCEPT_SCHEMES = sparql_prologue() + "SELECT ?c ?scheme WHERE { ?c a skos:Concept ; skos:inScheme ?scheme }"
_CONCEPT_TEXT = sparql_prologue() + """
SELECT ?c ?p ?o WHERE {
  ?c a skos:Concept ; ?p ?o .
  FILTER(?p IN (skos:prefLabel, skos:altLabel, skos:definition, skos:scopeNote))
}"""
_CONCEPT_LINKS = sparql_prologue() + """
SELECT ?c ?p ?o WHERE {
  ?c a skos:Concept ; ?p ?o .
  FILTER(?p IN (skos:broader, skos:broadMatch, skos:narrowMatch, skos:exactMatch, dcterms:source))
}"""
_SCHEMES = sparql_prologue() + """
SELECT ?s ?zh ?en WHERE { ?s a skos:ConceptScheme ; rdfs:label ?zh , ?en FILTER(LANG(?zh) = "zh" && LANG(?en) = "en") }"""
# The body classes are found first and the bodies by them: the path ``a/rdfs:subClassOf*`` from
# every resource made this query most of the index's build time on a large graph.
_BODY_CLASSES = sparql_prologue() + "SELECT DISTINCT ?c WHERE { ?c rdfs:subClassOf* qi:QualityInfrastructureBody }"
# The labels of what the bodies point to come from qigraph.labels, not from OPTIONAL patterns here.
_BODIES = sparql_prologue() + """
SELECT ?b ?p ?o WHERE {
  VALUES ?bodyClass { #CLASSES }
  ?b a ?bodyClass ; ?p ?o .
  FILTER(?p IN (rdfs:label, skos:altLabel, qi:description, rdf:type, qi:state, qi:hostedBy, qi:servesIndustry,
                qi:district, dcterms:source, qi:approvedBy))
}"""
_TASKS = sparql_prologue() + """
SELECT ?t ?n ?text ?p ?o WHERE {
  ?t a qi:Task ; qi:taskNumber ?n ; qi:taskText ?text .
  OPTIONAL { ?t ?p ?o FILTER(?p IN (qi:responsibleAgency, qi:concernsBody)) }
}"""
_CLAUSES = sparql_prologue() + """
SELECT ?part ?doc ?label ?text ?title WHERE {
  ?part qi:inDocument ?doc ; qi:text ?text ; rdfs:label ?label FILTER(LANG(?label) = "zh")
  FILTER NOT EXISTS { ?part a qi:Task } FILTER NOT EXISTS { ?part a qi:TableRow }
  ?doc eli:title ?title FILTER(LANG(?title) = "zh")
}"""
_AGENCIES = sparql_prologue() + """
SELECT ?a ?zh ?en WHERE { ?a a qi:Agency ; rdfs:label ?zh , ?en FILTER(LANG(?zh) = "zh" && LANG(?en) = "en") }"""
_PROGRAMS = sparql_prologue() + """
SELECT ?p ?zh ?en ?doc ?agency WHERE {
  ?p a qi:Program ; rdfs:label ?zh , ?en ; qi:governedBy ?doc ; qi:administeredBy ?agency
  FILTER(LANG(?zh) = "zh" && LANG(?en) = "en")
}"""
_CONDITIONS = sparql_prologue() + """
SELECT ?r ?program ?label ?quote ?clause WHERE {
  ?r a qi:ApplicationCondition ; qi:appliesTo ?program ; rdfs:label ?label ; qi:quote ?quote ; prov:wasDerivedFrom ?clause
  FILTER(LANG(?label) = "zh")
}"""


# The body properties whose objects are resources shown with their labels.
_LINKS = {"type", "state", "hostedBy", "servesIndustry", "approvedBy"}


def _rows(store, query: str) -> list[dict[str, str]]:
    out = []
    for b in store.select(query)["results"]["bindings"]:
        row = {k: v["value"] for k, v in b.items()}
        for k, v in b.items():
            if "xml:lang" in v:
                row[f"{k}@"] = v["xml:lang"]
        out.append(row)
    return out


def key_of(iri: str) -> str:
    """The short key of a concept, as the data files write it: ``fields/low-altitude-economy``."""
    return iri.removeprefix(QID + "industry/")


@dataclass
class Concept:
    iri: str
    scheme: str
    label: dict[str, str] = field(default_factory=dict)
    alt: list[tuple[str, str]] = field(default_factory=list)  # (text, lang)
    notes: list[str] = field(default_factory=list)  # definitions and scope notes
    broader: set[str] = field(default_factory=set)  # same scheme
    mapped_up: set[str] = field(default_factory=set)  # broadMatch / exactMatch targets, narrowMatch sources
    exact: set[str] = field(default_factory=set)  # exactMatch, both ways
    sources: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return key_of(self.iri)

    def labels(self, lang: str | None = None) -> list[str]:
        out = [t for la, t in self.label.items() if lang in (None, la)]
        return out + [t for t, la in self.alt if lang in (None, la)]


@dataclass
class Body:
    iri: str
    label: dict[str, str] = field(default_factory=dict)
    alt: list[str] = field(default_factory=list)
    description: str = ""
    kind: str | None = None
    kind_label: dict[str, str | None] = field(default_factory=dict)
    state: str = "unknown"
    hosts: list[dict] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    district: str | None = None
    approved_by: dict | None = None


@dataclass
class Task:
    iri: str
    number: int
    text: str
    agencies: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)


@dataclass
class Index:
    """Everything a match needs, in memory."""

    analyzer: Analyzer
    concepts: dict[str, Concept]
    schemes: dict[str, dict[str, str]]
    bodies: dict[str, Body]
    tasks: dict[str, Task]
    clauses: dict[str, dict[str, str]]
    agencies: dict[str, dict[str, str]]
    programs: dict[str, dict]
    conditions: list[dict[str, str]]
    phrases: set[str]  # every label as a whole, to recognise in a query
    concept_index: BM25
    body_index: BM25
    up: dict[str, dict[str, int]]  # concept → {concept it reaches up the hierarchy/mappings: hops}
    narrower_bodies: dict[str, int]  # concept → number of bodies serving it or anything under it


def _reach_up(concepts: dict[str, Concept]) -> dict[str, dict[str, int]]:
    """For each concept, the concepts above it (broader, or mapped up or across), with the number of
    steps: the centers serving 低空经济 also serve what 低空经济 is mapped under."""
    links: dict[str, set[str]] = defaultdict(set)
    for c in concepts.values():
        links[c.iri] |= c.broader | c.mapped_up
    out = {}
    for start in concepts:
        seen = {start: 0}
        queue = deque([start])
        while queue:
            cur = queue.popleft()
            for nxt in sorted(links.get(cur, ())):  # so each dict below is in the same order every run
                if nxt not in seen and nxt in concepts:
                    seen[nxt] = seen[cur] + 1
                    queue.append(nxt)
        out[start] = seen
    return out


def _state(iri: str) -> str:
    """``qi:InPreparation`` → ``in-preparation``, as the /centers lookup writes states."""
    name = iri.rsplit("#", 1)[-1]
    return "unknown" if name == "StateUnknown" else re.sub(r"(?<!^)([A-Z])", r"-\1", name).lower()


def _body_kind(types: dict[str, dict]) -> tuple[str | None, dict]:
    from qigraph.loaders.bodies import KIND_CLASS

    kinds = {str(v): k for k, v in KIND_CLASS.items()}
    for iri, labels in types.items():
        if iri in kinds:
            return kinds[iri], labels
    return None, {}


def build_index(store) -> Index:
    """Read the graph and build the indexes.

    Args:
        store: a qigraph store (anything with ``select``) holding the built graph.
    """
    concepts: dict[str, Concept] = {}
    # The scheme by its own query: beside the text it would be repeated on every label and note.
    for r in _rows(store, _CONCEPT_SCHEMES):
        concepts.setdefault(r["c"], Concept(r["c"], r["scheme"]))
    for r in _rows(store, _CONCEPT_TEXT):
        c = concepts.get(r["c"])
        if c is None:  # a concept in no scheme is not matched
            continue
        p, lang = r["p"].rsplit("#", 1)[-1], r.get("o@", "")
        if p == "prefLabel":
            c.label[lang] = r["o"]
        elif p == "altLabel":
            c.alt.append((r["o"], lang))
        else:
            c.notes.append(r["o"])
    for r in _rows(store, _CONCEPT_LINKS):
        c = concepts.get(r["c"])
        if c is None:
            continue
        p = r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        if p == "source":
            c.sources.append(r["o"])
        elif p == "broader":
            c.broader.add(r["o"])
        elif p in ("broadMatch", "exactMatch"):
            c.mapped_up.add(r["o"])
        if p == "exactMatch" and r["o"] in concepts:  # an exact match holds both ways
            concepts[r["o"]].mapped_up.add(c.iri)
            concepts[r["o"]].exact.add(c.iri)
            c.exact.add(r["o"])
        elif p == "narrowMatch" and r["o"] in concepts:
            concepts[r["o"]].mapped_up.add(c.iri)
    schemes = {r["s"]: {"zh": r["zh"], "en": r["en"]} for r in _rows(store, _SCHEMES)}

    bodies: dict[str, Body] = {}
    types: dict[str, dict[str, dict]] = defaultdict(dict)
    classes = " ".join(f"<{r['c']}>" for r in _rows(store, _BODY_CLASSES))
    rows = _rows(store, _BODIES.replace("#CLASSES", classes))
    linked = sorted({r["o"] for r in rows if r["p"].rsplit("#", 1)[-1] in _LINKS})
    linked_labels = labels_of(store, linked)
    for r in rows:
        b = bodies.setdefault(r["b"], Body(r["b"]))
        p, o = r["p"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], r["o"]
        label = linked_labels.get(o, {})
        ref = {"iri": o, "label_zh": label.get("zh"), "label_en": label.get("en")}
        if p == "label":
            b.label[r.get("o@", "zh")] = o
        elif p == "altLabel":
            b.alt.append(o)
        elif p == "description":
            b.description = o
        elif p == "type":
            types[b.iri][o] = {"zh": label.get("zh"), "en": label.get("en")}
        elif p == "state":
            b.state = _state(o)
        elif p == "hostedBy" and ref not in b.hosts:
            b.hosts.append(ref)
        elif p == "servesIndustry":
            if o not in b.industries:
                b.industries.append(o)
        elif p == "source" and o not in b.sources:
            b.sources.append(o)
        elif p == "district":
            b.district = o
        elif p == "approvedBy":
            b.approved_by = ref
    for b in bodies.values():
        b.kind, b.kind_label = _body_kind(types[b.iri])

    tasks: dict[str, Task] = {}
    for r in _rows(store, _TASKS):
        t = tasks.setdefault(r["t"], Task(r["t"], int(r["n"]), r["text"]))
        if r.get("p", "").endswith("responsibleAgency"):
            t.agencies.add(r["o"])
        elif r.get("p", "").endswith("concernsBody"):
            t.bodies.add(r["o"])
    clauses = {r["part"]: r for r in _rows(store, _CLAUSES)}
    agencies = {r["a"]: {"zh": r["zh"], "en": r["en"]} for r in _rows(store, _AGENCIES)}
    programs = {r["p"]: r for r in _rows(store, _PROGRAMS)}
    conditions = sorted(_rows(store, _CONDITIONS), key=lambda r: (r["program"], r["r"], r["clause"]))

    # Whatever order an engine gives rows in, the index, and so every answer and reason, is the same.
    concepts, bodies, tasks, clauses, agencies, programs = (
        dict(sorted(d.items())) for d in (concepts, bodies, tasks, clauses, agencies, programs))
    for c in concepts.values():
        c.alt.sort()
        c.notes.sort()
        c.sources.sort()
    for b in bodies.values():
        b.alt.sort()
        b.hosts.sort(key=lambda ref: ref["iri"])
        b.sources.sort()
        b.industries.sort()

    user_words = [t for c in concepts.values() for t in c.labels("zh")]
    user_words += [t for b in bodies.values() for t in [b.label.get("zh", ""), *b.alt]]
    analyzer = Analyzer(user_words=user_words)
    analyzer.learn(user_words)
    analyzer.learn(n for c in concepts.values() for n in c.notes)
    analyzer.learn(b.description for b in bodies.values())

    narrower: dict[str, list[str]] = defaultdict(list)
    for c in concepts.values():
        for up in c.broader:
            narrower[up].append(c.iri)

    def concept_terms(c: Concept):
        for text in c.labels():
            if analyzer.phrase(text):
                yield analyzer.phrase(text), PHRASE_WEIGHT
            yield from ((t, LABEL_WEIGHT) for t, _ in analyzer.terms(text))
        for text in c.notes:
            yield from ((t, DEFINITION_WEIGHT) for t, _ in analyzer.terms(text))
        for n in narrower.get(c.iri, ()):
            for text in concepts[n].labels():
                yield from ((t, NARROWER_WEIGHT) for t, _ in analyzer.terms(text))

    def body_terms(b: Body):
        for text in [*b.label.values(), *b.alt]:
            if analyzer.phrase(text):
                yield analyzer.phrase(text), PHRASE_WEIGHT
            yield from ((t, BODY_NAME_WEIGHT) for t, _ in analyzer.terms(text))
        yield from ((t, BODY_DESCRIPTION_WEIGHT) for t, _ in analyzer.terms(b.description))

    up = _reach_up(concepts)
    under: dict[str, set[str]] = defaultdict(set)
    for b in bodies.values():
        for served in b.industries:
            for c in up.get(served, {served: 0}):
                under[c].add(b.iri)
    return Index(
        analyzer=analyzer, concepts=concepts, schemes=schemes, bodies=bodies, tasks=tasks, clauses=clauses,
        agencies=agencies, programs=programs, conditions=conditions,
        phrases=({analyzer.phrase(t) for c in concepts.values() for t in c.labels()}
                 | {analyzer.phrase(t) for b in bodies.values() for t in [*b.label.values(), *b.alt]}) - {None},
        concept_index=BM25({c.iri: list(concept_terms(c)) for c in concepts.values()}),
        body_index=BM25({b.iri: list(body_terms(b)) for b in bodies.values()}),
        up=up, narrower_bodies={c: len(bs) for c, bs in under.items()},
    )
