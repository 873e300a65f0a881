"""Validate RDF data against qigraph's SHACL shapes (shapes/*.ttl) with pySHACL, and turn the
report into something a data steward can act on: each result with its severity, the focus node and
its labels, path, value, the message in Chinese and English, the shape, and the clause the shape
encodes (with its label and text).

Two ways in:

* :func:`validate` — a graph as it is (the whole built graph, a Turtle file, a fixture);
* :func:`validate_record` — an uploaded record, validated together with the neighbourhood it
  references in the built store (the types and labels of the resources it points to), not the
  whole graph; only results about the record's own nodes are kept.

Today's date, which the timeline shapes need, is injected as one ``qis:referenceDate`` triple on a
context node (any such triple in the input is dropped first), so results never depend on the wall
clock unless the caller leaves ``reference_date`` out.

Example:
    >>> from rdflib import Graph
    >>> g = Graph().parse(data='''
    ...     @prefix qi: <https://w3id.org/qigraph/ontology#> .
    ...     <https://w3id.org/qigraph/id/doc/tic-key-tasks-2026/task-99> a qi:Task .''', format="turtle")
    >>> report = validate(g, reference_date=datetime.date(2026, 11, 21))
    >>> report.conforms, report.counts["Violation"] > 0
    (False, True)
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS, XSD
from rdflib.plugins.stores.memory import Memory
from rdflib.query import Result

from qigraph import catalog
from qigraph.namespaces import QI, QID, bind_all
from qigraph.sparql_parser import parse_query

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

QIS = Namespace("https://w3id.org/qigraph/shapes#")
CONTEXT = QID["validation-context"]
SEVERITIES = ("Violation", "Warning", "Info")
LANGS = ("zh", "en")
# IRIs spliced into a VALUES block must be plain IRIs (rdflib accepts some that SPARQL does not).
_SAFE_IRI = re.compile(r'^[^\s<>"{}|^`\\]+$')
_CJK = re.compile(r"[\u4e00-\u9fff]")


class ValidationError(ValueError):
    """The shapes or the data cannot be validated at all (not: the data is invalid)."""


# --- the data graph: rdflib's memory store, with each SPARQL text parsed once ------------------


@lru_cache(maxsize=256)
def _prepared(text: str, namespaces: tuple[tuple[str, str], ...]) -> Query:
    # rdflib's SPARQL engine is imported when a validation first needs it, not with this module
    # (which the API imports at start-up): it is a good part of ``qigraph serve``'s start time.
    from rdflib.plugins.sparql.algebra import translateQuery

    return translateQuery(parse_query(text), None, dict(namespaces))


class _PreparedQueryStore(Memory):
    """rdflib's in-memory store answering SPARQL itself, so that a SHACL-SPARQL constraint's query
    is parsed once rather than once per focus node (pySHACL re-sends the same text for each focus
    node with ``$this`` bound, and parsing costs far more than evaluating on a record).

    rdflib's ``Graph.query`` asks the store first (its documented extension point), so nothing of
    rdflib or pySHACL is patched.
    """

    def query(self, query, initNs, initBindings, queryGraph, **kwargs) -> Result:
        if not isinstance(query, str) or kwargs:
            raise NotImplementedError  # rdflib then runs it the ordinary way
        from rdflib.plugins.sparql.evaluate import evalQuery
        from rdflib.plugins.sparql.processor import SPARQLResult

        prepared = _prepared(query, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
        graph = Graph(store=self, identifier=queryGraph if isinstance(queryGraph, (URIRef, BNode)) else None)
        return SPARQLResult(evalQuery(graph, prepared, initBindings or {}))


def _data_graph() -> Graph:
    g = Graph(store=_PreparedQueryStore())
    bind_all(g)
    return g


# --- shapes and ontology, parsed once ----------------------------------------------------------


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """Every shape of shapes/*.ttl in one graph (parsed once per process)."""
    g = Graph()
    for f in catalog.shape_files():
        g.parse(data=f.read_text(encoding="utf-8"), format="turtle")
    bind_all(g)
    g.bind("qis", str(QIS))
    return g


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The ontology, mixed into every data graph so that sh:class and sh:targetClass see the
    subclass hierarchy and the named individuals (event types, states)."""
    from qigraph.build import ontology_graph as build_ontology

    return build_ontology()


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """What a shape encodes: a clause of a policy document (or, for rules of the data model, the
    ontology term that states the rule)."""

    iri: str
    label: dict[str, str]
    text: str | None = None


@dataclass(frozen=True)
class ValidationResult:
    """One validation result, with the labels a person needs to read it."""

    severity: str
    focus: str
    focus_label: dict[str, str]
    path: str | None
    value: str | None
    value_label: dict[str, str]
    message: dict[str, str]
    shape: str
    shape_label: dict[str, str]
    component: str
    clauses: tuple[Clause, ...]
    requirements: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "severity": self.severity, "focusNode": self.focus, "focusLabel": self.focus_label,
            "path": self.path, "value": self.value, "valueLabel": self.value_label or None,
            "message": self.message, "sourceShape": self.shape, "shapeLabel": self.shape_label,
            "constraintComponent": self.component,
            "clauses": [{"iri": c.iri, "label": c.label, "text": c.text} for c in self.clauses],
            "requirements": list(self.requirements),
        }


@dataclass
class ValidationReport:
    """The outcome of a validation: ``conforms`` is true when no result is a violation (warnings
    and infos are reported but do not make data invalid, as pySHACL's ``allow_warnings``)."""

    results: list[ValidationResult]
    reference_date: datetime.date
    graph: Graph = field(repr=False)
    focus_count: int | None = None

    @property
    def conforms(self) -> bool:
        return not any(r.severity == "Violation" for r in self.results)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for r in self.results:
            counts[r.severity] += 1
        return counts

    def summary(self, lang: str = "en") -> str:
        """One line: conforms or not, and how many results of each severity."""
        c = self.counts
        if lang == "zh":
            head = "符合约束" if self.conforms else "不符合约束"
            return f"{head}：违规 {c['Violation']} 项，警告 {c['Warning']} 项，提示 {c['Info']} 项（参照日期 {self.reference_date}）。"
        head = "Conforms" if self.conforms else "Does not conform"
        return (f"{head}: {c['Violation']} violation(s), {c['Warning']} warning(s), {c['Info']} info(s) "
                f"(reference date {self.reference_date}).")

    def by_clause(self) -> list[tuple[Clause, list[ValidationResult]]]:
        """Results grouped by the clause their shape encodes (a result under each of its clauses)."""
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        clauses: dict[str, Clause] = {}
        for r in self.results:
            for c in r.clauses:
                groups[c.iri].append(r)
                clauses[c.iri] = c
        return [(clauses[k], groups[k]) for k in sorted(groups)]

    def by_shape(self) -> list[tuple[str, dict[str, str], list[ValidationResult]]]:
        """Results grouped by shape: (shape IRI, its labels, results)."""
        groups: dict[str, list[ValidationResult]] = defaultdict(list)
        for r in self.results:
            groups[r.shape].append(r)
        return [(k, v[0].shape_label, v) for k, v in sorted(groups.items())]

    def to_json(self) -> dict[str, Any]:
        """The report for programs (stable keys; messages and labels in both languages)."""
        return {"conforms": self.conforms, "referenceDate": self.reference_date.isoformat(), "counts": self.counts,
                "summary": {lang: self.summary(lang) for lang in LANGS},
                "results": [r.to_json() for r in self.results]}

    def serialize(self, *, format: str = "turtle") -> str:
        """The standard sh:ValidationReport (Turtle, JSON-LD, N-Triples…) as rdflib writes it."""
        return self.graph.serialize(format=format)


# --- validating ---------------------------------------------------------------------------------


def validate(data: Graph, *, reference_date: datetime.date | None = None, labels: Graph | None = None,
             keep_focus: set | None = None, clause_info: dict[str, Clause] | None = None,
             shapes: Graph | None = None) -> ValidationReport:
    """Validate a graph against the shapes of shapes/*.ttl (or the ``shapes`` given).

    Args:
        data: the RDF to validate (not modified).
        reference_date: the date the timeline shapes take as today; today's date if left out.
        labels: extra triples to read labels and clause texts from (e.g. the store neighbourhood);
            they are validated too, so pass them only as context that should not be judged.
        keep_focus: when given, only results whose focus node is in it are reported.
        clause_info: labels and texts of clauses already known (else read from the graphs).
        shapes: a shapes graph to use instead of all of shapes/*.ttl (see :func:`shape_subgraph`).

    Returns:
        The report; ``report.conforms`` is false when any result is a violation.
    """
    reference_date = reference_date or datetime.date.today()
    g = _data_graph()
    for triple in data:
        if triple[1] != QIS.referenceDate:
            g.add(triple)
    if labels is not None:
        for triple in labels:
            if triple[1] != QIS.referenceDate:
                g.add(triple)
    for triple in ontology_graph():
        g.add(triple)
    g.add((CONTEXT, QIS.referenceDate, Literal(reference_date.isoformat(), datatype=XSD.date)))
    return _run(g, reference_date, keep_focus=keep_focus, clause_info=clause_info or {}, shapes=shapes or shapes_graph())


def shape_subgraph(shape: URIRef, *, source: Graph | None = None) -> Graph:
    """One named shape with everything it is made of (its blank nodes, lists, the property and node
    shapes it names, and the prefix declarations its SPARQL uses), as a shapes graph of its own."""
    source = source if source is not None else shapes_graph()
    out = Graph()
    bind_all(out)
    stack, seen = [shape], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in source.predicate_objects(node):
            out.add((node, p, o))
            # Named property and node shapes belong to the shape as much as blank ones do.
            if isinstance(o, BNode) or p in (SH.prefixes, SH.declare, SH.property, SH.node, SH.qualifiedValueShape):
                stack.append(o)
    if not len(out):
        raise ValidationError(f"no shape {shape} in the shapes graph")
    return out


def _run(g: Graph, reference_date: datetime.date, *, keep_focus: set | None, clause_info: dict[str, Clause],
         shapes: Graph) -> ValidationReport:
    from pyshacl import validate as shacl_validate

    try:
        _conforms, report_graph, _text = shacl_validate(g, shacl_graph=shapes, inference="none", inplace=True,
                                                          allow_warnings=True, allow_infos=True, advanced=False)
    except Exception as exc:  # pySHACL raises its own types for broken shapes or data
        raise ValidationError(f"validation could not run: {exc}") from exc
    bind_all(report_graph)
    report_graph.bind("qis", str(QIS))
    report_node = report_graph.value(predicate=RDF.type, object=SH.ValidationReport, any=True)
    results = []
    for node in list(report_graph.objects(report_node, SH.result)):
        focus = report_graph.value(node, SH.focusNode)
        if keep_focus is not None and focus not in keep_focus:
            _drop_result(report_graph, report_node, node)
            continue
        results.append(_result(report_graph, node, g, shapes, clause_info))
    # sh:conforms as this report means it: no violation (warnings and infos allowed)
    report_graph.set((report_node, SH.conforms, Literal(not any(r.severity == "Violation" for r in results))))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    results.sort(key=lambda r: (order[r.severity], r.shape, r.focus, r.path or "", r.value or ""))
    return ValidationReport(results, reference_date, report_graph)


def _drop_result(report: Graph, report_node, node) -> None:
    report.remove((report_node, SH.result, node))
    stack = [node]
    while stack:
        n = stack.pop()
        for _p, o in report.predicate_objects(n):
            if isinstance(o, BNode):
                stack.append(o)
        report.remove((n, None, None))


def _labels(graphs: Iterable[Graph], node, prop=RDFS.label) -> dict[str, str]:
    out: dict[str, str] = {}
    for g in graphs:
        for lit in g.objects(node, prop):
            if isinstance(lit, Literal) and lit.language in LANGS and lit.language not in out:
                out[lit.language] = str(lit)
    return out


def _text(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, Literal):
        return str(term)
    return str(term) if isinstance(term, URIRef) else None


def _path_text(report: Graph, path) -> str | None:
    if path is None:
        return None
    if isinstance(path, URIRef):
        return str(path)
    inverse = report.value(path, SH.inversePath)
    return f"^{inverse}" if inverse is not None else path.n3()


def _result(report: Graph, node, data: Graph, shapes: Graph, clause_info: dict[str, Clause]) -> ValidationResult:
    focus = report.value(node, SH.focusNode)
    value = report.value(node, SH.value)
    source_shape = report.value(node, SH.sourceShape)
    top = _top_shape(shapes, source_shape)
    messages = _messages(report, node, shapes)
    clauses = tuple(_clause(c, data, clause_info) for c in sorted(shapes.objects(top, DCTERMS.source), key=str))
    return ValidationResult(
        severity=str(report.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
        focus=str(focus) if isinstance(focus, URIRef) else focus.n3(),
        focus_label=_labels([data], focus),
        path=_path_text(report, report.value(node, SH.resultPath)),
        value=_text(value) if value is not None and value != focus else None,
        value_label=_labels([data], value) if isinstance(value, URIRef) and value != focus else {},
        message=messages,
        shape=str(top) if isinstance(top, URIRef) else top.n3(),
        shape_label=_labels([shapes], top),
        component=str(report.value(node, SH.sourceConstraintComponent)).rsplit("#", 1)[-1],
        clauses=clauses,
        requirements=tuple(sorted(str(r) for r in shapes.objects(top, RDFS.seeAlso))),
    )


def _messages(report: Graph, node, shapes: Graph) -> dict[str, str]:
    """The result's messages by language. pySHACL drops the language tag of a SPARQL constraint's
    message once it fills in the {?var} templates, so an untagged message is matched back to the
    template it was made from."""
    templates = []
    constraint = report.value(node, SH.sourceConstraint)
    for lit in shapes.objects(constraint, SH.message) if constraint is not None else ():
        if isinstance(lit, Literal) and lit.language:
            pattern = "".join(".*?" if part.startswith("{") else re.escape(part)
                              for part in re.split(r"(\{[?$][A-Za-z_]+\})", str(lit)))
            templates.append((re.compile(f"^{pattern}$", re.DOTALL), lit.language))
    messages: dict[str, str] = {}
    for lit in sorted(report.objects(node, SH.resultMessage), key=str):
        lang = lit.language if isinstance(lit, Literal) else None
        if not lang:
            lang = next((tag for rx, tag in templates if rx.match(str(lit))), None) or ("zh" if _CJK.search(str(lit)) else "en")
        messages.setdefault(lang, str(lit))
    return messages


def _top_shape(shapes: Graph, shape):
    """The named shape a (possibly blank, nested) source shape belongs to: that is where the labels
    and the clause are."""
    seen = set()
    while isinstance(shape, BNode) and shape not in seen:
        seen.add(shape)
        parent = next(iter(shapes.subjects(None, shape)), None)
        if parent is None:
            # a member of an RDF list: climb to the list's head, then to its owner
            head = shape
            while True:
                prev = next(iter(shapes.subjects(RDF.rest, head)), None)
                if prev is None:
                    break
                head = prev
            parent = next(iter(shapes.subjects(None, head)), None) if head is not shape else None
            if parent is None:
                return shape
        shape = parent
    return shape


def _clause(iri, data: Graph, known: dict[str, Clause]) -> Clause:
    key = str(iri)
    if key in known:
        return known[key]
    graphs = [data, ontology_graph()]
    label = _labels(graphs, iri) or _labels(graphs, iri, SKOS.prefLabel)
    text = next((str(t) for g in graphs for t in g.objects(iri, QI.text)), None)
    if text is None:
        text = _labels(graphs, iri, SKOS.definition).get("zh")
    return Clause(key, label, text)


# --- records against the store ------------------------------------------------------------------

_NEIGHBOURS = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX qi: <https://w3id.org/qigraph/ontology#>
CONSTRUCT { ?r a ?t . ?r rdfs:label ?l . ?r qi:checked ?c }
WHERE { VALUES ?r { %s } { ?r a ?t } UNION { ?r rdfs:label ?l } UNION { ?r qi:checked ?c } }
"""
_CLAUSES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX qi: <https://w3id.org/qigraph/ontology#>
CONSTRUCT { ?c rdfs:label ?l . ?c qi:text ?t }
WHERE { VALUES ?c { %s } { ?c rdfs:label ?l } UNION { ?c qi:text ?t } }
"""


def _values(iris: Iterable[URIRef]) -> str:
    return " ".join(i.n3() for i in sorted(set(iris)) if _SAFE_IRI.match(str(i)))


def _construct(store, query: str) -> Graph:
    result = store.query(query, accept="application/n-triples")
    return Graph().parse(data=result.body.decode("utf-8"), format="nt")


_DESCRIBE = "CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { %s } ?s ?p ?o }"


def neighbourhood(store, data: Graph, *, merge: bool = False) -> Graph:
    """What the shapes need from the store around an upload: the types and labels of the resources
    it points to (one hop). With ``merge``, the upload adds to what the store says about its
    subjects, so their stored descriptions (and their own parts: events, hostings) come too;
    without it, the upload is the whole record and replaces them.
    """
    own = {s for s in data.subjects() if isinstance(s, URIRef)}
    context = Graph()
    if merge and own:
        context = _construct(store, _DESCRIBE % _values(own))
        parts = {o for s, _p, o in context if isinstance(o, URIRef) and o not in own and str(o).startswith(f"{s}/")}
        if parts:
            context += _construct(store, _DESCRIBE % _values(parts))
    described = own | set(context.subjects())
    referenced = {o for g in (data, context) for o in g.objects()
                  if isinstance(o, URIRef) and o not in described and not str(o).startswith(str(QI))}
    block = _values(referenced)
    if block:
        context += _construct(store, _NEIGHBOURS % block)
    return context


def shape_clauses(store) -> dict[str, Clause]:
    """Labels and texts of every clause the shapes name, read from the store."""
    iris = {o for o in shapes_graph().objects(None, DCTERMS.source) if isinstance(o, URIRef)}
    g = _construct(store, _CLAUSES % _values(iris))
    return {str(i): _clause(i, g, {}) for i in iris}


def validate_record(data: Graph, store, *, reference_date: datetime.date | None = None, merge: bool = False,
                    clause_info: dict[str, Clause] | None = None) -> ValidationReport:
    """Validate uploaded data together with the neighbourhood it references in the store.

    Only results about the nodes the upload describes (its subjects) are reported; the neighbours
    are there so that ``sh:class`` and labels resolve, not to be judged.

    Args:
        data: the uploaded triples.
        store: an open :class:`qigraph.store.Store` holding the built graph.
        reference_date: the date taken as today (today's date if left out).
        merge: the upload adds to the store's description of its subjects (RDF fragments) rather
            than replacing it (whole curated records); see :func:`neighbourhood`.
        clause_info: labels and texts of the shapes' clauses (see :func:`shape_clauses`); read from
            the store when left out.
    """
    around = neighbourhood(store, data, merge=merge)
    clauses = clause_info if clause_info is not None else shape_clauses(store)
    return validate(data, reference_date=reference_date, labels=around, keep_focus=set(data.subjects()),
                    clause_info=clauses)


def validate_store(store, *, reference_date: datetime.date | None = None) -> ValidationReport:
    """Validate the whole graph a store holds."""
    g = _construct(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    return validate(g, reference_date=reference_date)
