"""Build the knowledge graph: ontology, documents and curated data -> one RDF graph -> a store.

The whole graph is assembled and checked in memory first; the store is replaced only once
everything has loaded, so a bad record never leaves a half-built store behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from qigraph import __version__, catalog
from qigraph.loaders.agencies import agencies_graph, load_registry
from qigraph.loaders.bodies import bodies_graph, link_tasks_to_bodies, read_curated
from qigraph.loaders.documents import documents_graph, load_documents
from qigraph.loaders.requirements import requirements_graph
from qigraph.loaders.task_industries import task_industry_links
from qigraph.loaders.tasks import parse_tasks, tasks_graph
from qigraph.loaders.taxonomies import taxonomies_graph
from qigraph.namespaces import QI, QID, bind_all
from qigraph.store import open_store

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    """What a build loaded: triples per step and the total."""

    steps: dict[str, int] = field(default_factory=dict)
    total: int = 0


def ontology_graph() -> Graph:
    """The ontology files, parsed."""
    g = Graph()
    for f in catalog.ontology_files():
        g.parse(data=f.read_text(encoding="utf-8"), format="turtle")
    return g


def assemble(data_dir: Path | None = None, *, progress: Progress = lambda _m: None) -> tuple[Graph, BuildReport]:
    """Load every source into one graph.

    Args:
        data_dir: the curated data folder; the packaged ``data/`` by default.
        progress: called with one line per step.

    Raises:
        qigraph.loaders.records.DataError: a source is malformed (the message says where).
    """
    data_dir = Path(data_dir) if data_dir else catalog.default_data_dir()
    report = BuildReport()
    graph = Graph()
    bind_all(graph)

    def step(name: str, part: Graph) -> None:
        before = len(graph)
        graph.__iadd__(part)
        report.steps[name] = len(graph) - before
        progress(f"{name:<14} {report.steps[name]:>7} triples")

    step("ontology", ontology_graph())
    registry = load_registry(data_dir / "agencies.yaml")
    step("agencies", agencies_graph(registry))
    docs, whole = load_documents(data_dir, registry)
    step("documents", documents_graph(docs, whole, registry))
    task_doc = next(d for d in docs if d.table_lines)
    tasks = parse_tasks(task_doc.table_lines, registry)
    step("tasks", tasks_graph(tasks, registry, task_doc.id))
    step("requirements", requirements_graph(data_dir / "requirements.yaml", docs, registry))
    industries = taxonomies_graph(data_dir / "industries")
    step("industries", industries)
    curated = read_curated(data_dir)
    bodies = bodies_graph(curated, docs, industries, registry)
    link_tasks_to_bodies(bodies, curated, {t.number: f"{t.text}\n{t.goals_text}" for t in tasks})
    step("bodies", bodies)
    step("derived", task_industry_links(graph))

    dataset = QID["dataset"]
    meta = Graph()
    meta.add((dataset, RDF.type, PROV.Entity))
    meta.add((dataset, QI.builtWith, Literal(f"qigraph {__version__}")))
    meta.add((dataset, PROV.generatedAtTime, Literal(dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), datatype=XSD.dateTime)))
    for d in docs:
        meta.add((dataset, PROV.wasDerivedFrom, QID[f"doc/{d.id}"]))
    for lang, title in (("zh", "qigraph：上海质量基础设施知识图谱"), ("en", "qigraph: knowledge graph of Shanghai's quality infrastructure")):
        meta.add((dataset, DCTERMS.title, Literal(title, lang=lang)))
        meta.add((dataset, RDFS.label, Literal(title, lang=lang)))
    step("provenance", meta)
    report.total = len(graph)
    return graph, report


def build(store: str, data_dir: Path | None = None, *, progress: Progress = lambda _m: None,
          options: dict | None = None) -> BuildReport:
    """Assemble the graph and replace the store's content with it, atomically (``options`` go to
    ``open_store``, e.g. a remote endpoint's update URL and credentials)."""
    graph, report = assemble(data_dir, progress=progress)
    ntriples = graph.serialize(format="nt", encoding="utf-8")
    target = open_store(store, create=True, **(options or {}))
    try:
        target.replace_graph(ntriples)
        progress(f"{'store':<14} {target.triple_count():>7} triples written to {store}")
    finally:
        target.close()
    return report
