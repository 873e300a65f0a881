"""The 74 key tasks of the 2026 plan, read from its table as the text flattens it.

The published table reaches us as one tab-led line per cell (number, category, task, 2026
goals, responsible units); a cell's further lines carry no tab, and blank lines fall both
between rows and inside a cell. The category column was a merged cell: an empty category
continues the one above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from qigraph.namespaces import ELI, QI, QID

from .agencies import Agency, AgencyRegistry
from .documents import part_iri
from .rdfutil import add_labels, derived_from
from .records import DataError

HEADER = ["序号", "重点任务", "具体任务", "2026年工作目标", "责任单位"]
_GOAL_ITEM = re.compile(r"^(\d+)[.．]\s*")


@dataclass
class Task:
    """One row of the task table."""

    number: int
    category: str
    text: str
    goals_text: str
    goals: list[str]
    units_text: str
    agencies: list[Agency] = field(default_factory=list)


def _cells(lines: list[str]) -> list[str]:
    cells: list[list[str]] = []
    for line in lines:
        if line.startswith("\t"):
            cells.append([line[1:].strip()])
        elif line.strip():
            if not cells:
                raise DataError(f"task table: text before the first cell: {line!r}")
            cells[-1].append(line.strip())
    return ["\n".join(c for c in cell if c) for cell in cells]


def _goal_items(goals: str) -> list[str]:
    items: list[str] = []
    for line in goals.split("\n"):
        if _GOAL_ITEM.match(line) or not items:
            items.append(line)
        else:
            items[-1] += line
    return items


def parse_tasks(table_lines: list[str], registry: AgencyRegistry) -> list[Task]:
    """Rebuild the rows of the flattened table.

    Raises:
        DataError: the header is not the expected one, a row is cut short, the numbers do not
            run 1, 2, 3…, or a responsible unit is not a known agency.
    """
    cells = _cells(table_lines)
    if cells[:5] != HEADER:
        raise DataError(f"task table: expected the header {HEADER}, found {cells[:5]}")
    body = cells[5:]
    if len(body) % 5:
        raise DataError(f"task table: {len(body)} cells after the header is not a whole number of 5-cell rows")
    tasks: list[Task] = []
    category = ""
    for n, start in enumerate(range(0, len(body), 5), start=1):
        number, cat, text, goals, units = body[start:start + 5]
        if number != str(n):
            raise DataError(f"task table: row {n} is numbered {number!r}; a cell was split or lost")
        category = cat or category
        if not category:
            raise DataError(f"task table: row {n} has no category and none above it")
        agencies = [registry.resolve(name) for name in re.split("[、，,]", units) if name.strip()]
        tasks.append(Task(n, category, text, goals, _goal_items(goals), units, agencies))
    return tasks


def task_iri(number: int) -> URIRef:
    return QID[f"doc/tic-key-tasks-2026/task-{number}"]


def tasks_graph(tasks: list[Task], registry: AgencyRegistry, doc_id: str = "tic-key-tasks-2026") -> Graph:
    """Tasks, their categories (a SKOS scheme), goals and responsible agencies, each derived from
    its table row, which is itself a part of the document."""
    g = Graph()
    doc = QID[f"doc/{doc_id}"]
    scheme = QID["scheme/task-categories-2026"]
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    add_labels(g, scheme, "2026年重点任务类别", "Categories of the 2026 key tasks", pref=True)
    derived_from(g, scheme, doc)
    categories: dict[str, URIRef] = {}
    for t in tasks:
        if t.category not in categories:
            cat = QID[f"task-category/{len(categories) + 1}"]
            categories[t.category] = cat
            g.add((cat, RDF.type, QI.TaskCategory))
            g.add((cat, SKOS.inScheme, scheme))
            g.add((cat, SKOS.topConceptOf, scheme))
            g.add((scheme, SKOS.hasTopConcept, cat))
            add_labels(g, cat, t.category, f"Task category {len(categories)}: {t.category}", pref=True)
            g.add((cat, SKOS.notation, Literal(str(len(categories)))))
            derived_from(g, cat, part_iri(doc_id, f"table/row-{t.number}"))
        row = part_iri(doc_id, f"table/row-{t.number}")
        g.add((row, RDF.type, QI.TableRow))
        add_labels(g, row, f"重点任务安排表 第{t.number}行", f"Key-task table, row {t.number}")
        g.add((row, QI.position, Literal(t.number)))
        g.add((row, QI.text, Literal("\t".join([str(t.number), t.category, t.text, t.goals_text, t.units_text]), lang="zh")))
        g.add((row, QI.inDocument, doc))
        for agency in registry.mentions(f"{t.text}\n{t.goals_text}\n{t.units_text}"):
            g.add((row, QI.mentionsAgency, agency.iri))
            g.add((agency.iri, DCTERMS.source, row))
        g.add((row, ELI.is_part_of, doc))
        g.add((doc, ELI.has_part, row))

        iri = task_iri(t.number)
        g.add((iri, RDF.type, QI.Task))
        add_labels(g, iri, f"任务{t.number}：{t.text}", f"Task {t.number} of the 2026 key tasks")
        g.add((iri, QI.taskNumber, Literal(t.number)))
        g.add((iri, QI.taskCategory, categories[t.category]))
        g.add((iri, QI.taskText, Literal(t.text, lang="zh")))
        g.add((iri, QI.goalsText, Literal(t.goals_text, lang="zh")))
        g.add((iri, QI.responsibleUnitsText, Literal(t.units_text, lang="zh")))
        derived_from(g, iri, row)
        for k, goal in enumerate(t.goals, start=1):
            giri = QID[f"doc/{doc_id}/task-{t.number}/goal-{k}"]
            g.add((giri, RDF.type, QI.Goal))
            g.add((iri, QI.hasGoal, giri))
            g.add((giri, QI.text, Literal(goal, lang="zh")))
            g.add((giri, QI.position, Literal(k)))
            add_labels(g, giri, f"任务{t.number} 2026年工作目标{k}", f"Task {t.number}, 2026 goal {k}")
            derived_from(g, giri, row)
        for agency in t.agencies:
            g.add((iri, QI.responsibleAgency, agency.iri))
            g.add((agency.iri, DCTERMS.source, row))
    return g
