"""What the benchmark asks, the same way of every engine: the named query catalog with its example
parameters, the REST lookups, and (once their routes exist) /match and /validate.

Each item knows how to ask it three ways: as an API request (path and query string) to
``qigraph serve``; as SPARQL texts with bindings for pyoxigraph in-process (the queries the route
runs, parameters bound by the engine); and as SPARQL texts with the bindings written into a
``VALUES`` block at the start of every ``WHERE`` group, for an endpoint that only speaks the
protocol (rdflib-endpoint, an Oxigraph server). Lookups run more than one query: the raw engines
run the same ones, so the gap is what qigraph adds around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from rdflib import Literal, URIRef

from qigraph.catalog_queries import load_catalog
from qigraph.namespaces import QID


@dataclass(frozen=True)
class Item:
    """One request of the workload."""

    name: str  # catalog:<query>, lookup:<route>, match:<n>
    kind: str  # catalog | lookup | match
    path: str  # the API request, path and query string
    queries: tuple[tuple[str, dict], ...] = field(default_factory=tuple)  # (SPARQL, bindings) the route runs

    def protocol_queries(self) -> list[str]:
        """The SPARQL texts with their bindings written in, for a plain SPARQL endpoint."""
        return [inline_bindings(q, b) for q, b in self.queries]


_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def inline_bindings(sparql: str, bindings: dict) -> str:
    """Bind variables for an endpoint without ``substitutions``: a ``VALUES`` block opens every
    ``WHERE`` group, sub-selects included, so a variable filtered inside a sub-select is bound
    there too, as pyoxigraph's substitutions bind it everywhere."""
    if not bindings:
        return sparql
    block = " ".join(f"VALUES ?{k} {{ {v.n3()} }}" for k, v in bindings.items())
    return _WHERE.sub(lambda m: m.group(0) + " " + block + " ", sparql)


def catalog_items() -> list[Item]:
    """Every named query, with the example parameters its header gives."""
    items = []
    for name, q in sorted(load_catalog().items()):
        params = {p.name: p.example for p in q.params}
        path = f"/queries/{name}" + (f"?{urlencode(params)}" if params else "")
        items.append(Item(f"catalog:{name}", "catalog", path, ((q.sparql, q.bind(params)),)))
    return items


def _centers_page(lk, which: str) -> str:
    """/centers' count or first page with no filter, its body classes written in (the real graph's)."""
    from rdflib.namespace import RDFS

    from qigraph.build import ontology_graph
    from qigraph.namespaces import QI

    classes = sorted(ontology_graph().transitive_subjects(RDFS.subClassOf, QI.QualityInfrastructureBody))
    is_body = f"?b a ?bodyClass . FILTER(?bodyClass IN ({', '.join(c.n3() for c in classes)}))"
    if which == "total":
        return lk._CENTERS_TOTAL.replace("#FILTERS", is_body)
    return (lk._CENTERS_PAGE.replace("#FILTERS", is_body).replace("#KINDS", lk._KINDS).replace("#KIND_KEY", lk._KIND_KEY)
            + " LIMIT 50 OFFSET 0")


def lookup_items() -> list[Item]:
    """The REST lookups with typical parameters, and the SPARQL each route runs."""
    from qigraph.api.routes import lookups as lk

    agency = QID["agency/sh-market-regulation"]
    document = QID["doc/metrology-center-guideline-2023"]
    return [
        # /centers: the body classes, the total and the first page, as the route asks them (the
        # route then reads the page's fifty bodies by their IRIs, which depend on the data).
        Item("lookup:/centers", "lookup", "/centers", ((lk._BODY_CLASSES, {}), (_centers_page(lk, "total"), {}),
                                                       (_centers_page(lk, "page"), {}))),
        Item("lookup:/centers?industry=低空", "lookup", "/centers?" + urlencode({"industry": "低空"}),
             ((lk._BODY_CLASSES, {}), (lk._BODIES_BY_INDUSTRY_TEXT, {"industry": Literal("低空")}))),
        Item("lookup:/industries", "lookup", "/industries", ((lk._CONCEPTS, {}), (lk._SCHEMES, {}))),
        Item("lookup:/agencies", "lookup", "/agencies", ((lk._AGENCIES, {}),)),
        Item("lookup:/agencies/{id}/tasks", "lookup", "/agencies/sh-market-regulation/tasks",
             ((lk._IS_AGENCY, {"a": agency}), (lk._AGENCY_TASKS, {"a": agency}))),
        Item("lookup:/documents/{id}/clauses", "lookup", "/documents/metrology-center-guideline-2023/clauses",
             ((lk._CLAUSES, {"d": document}),)),
        Item("lookup:/search?q=计量", "lookup", "/search?" + urlencode({"q": "计量"}), ((lk._SEARCH, {"q": Literal("计量")}),)),
    ]


# Descriptions an enterprise would type, for /match once it exists (API only: no raw equivalent).
MATCH_TEXTS = ("氢燃料电池电堆及储氢瓶的研发与生产", "集成电路晶圆制造与封装测试", "eVTOL low-altitude aircraft manufacturer",
               "医疗机器人与手术机器人的研发", "餐饮服务")


def match_items() -> list[Item]:
    return [Item(f"match:{i}", "match", "/match?" + urlencode({"text": t, "limit": 10})) for i, t in enumerate(MATCH_TEXTS)]


def workload(*, routes: set[str] | None = None, only: str = "", skip: str = "") -> list[Item]:
    """The whole workload; ``routes`` (the server's OpenAPI paths) switch on the parts that need
    a route not every branch has yet (/match); ``only`` keeps the items whose names start with one
    of its comma-separated prefixes, ``skip`` drops those."""
    items = catalog_items() + lookup_items()
    if routes is not None and "/match" in routes:
        items += match_items()
    prefixes = tuple(p for p in only.split(",") if p)
    dropped = tuple(p for p in skip.split(",") if p)
    items = [i for i in items if i.name.startswith(prefixes)] if prefixes else items
    return [i for i in items if not i.name.startswith(dropped)] if dropped else items


def body_record_turtle(store, body: URIRef) -> str:
    """One body as an uploaded record would be: its own triples as Turtle (for /validate)."""
    result = store.query(f"CONSTRUCT {{ <{body}> ?p ?o }} WHERE {{ <{body}> ?p ?o }}", accept="text/turtle")
    return result.body.decode("utf-8")

