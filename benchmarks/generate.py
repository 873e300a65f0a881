"""Synthetic graphs of the real graph's shape, at any scale, written as a stream: benchmarks only.

The real graph is the template, so the synthetic one has its classes, properties, fan-outs and
texts without a model of them to keep in step. Copy 0 is the real graph as ``qigraph build``
assembles it (ontology and data). Copies 1…k-1 repeat its data layer (never the ontology):

* every IRI qigraph mints gets the copy's suffix on the id after the resource type
  (``qid:body/qtc-x`` → ``qid:body/qtc-x-x7``, ``qid:industry/2-3-6-4-5/low-altitude`` →
  ``qid:industry/2-3-6-4-5-x7/low-altitude``), so the IRI patterns the API relies on and the
  hierarchies inside a scheme or a document hold in every copy;
* every name (``rdfs:label``, ``skos:prefLabel``/``altLabel``, ``qi:shortName``, titles) ends
  with `` (x7)``, so an exact-name lookup (``市科委``) still finds one agency at every scale while a
  text search (``低空``) finds one match per copy, as it would in a bigger real graph;
* every resource carries ``qi:synthetic true``.

Each copy also gets ``--enterprises`` synthetic enterprises (``qi:Institution`` of type
``qi:Enterprise``, ``qid:org/syn-enterprise-R-I``) with a Chinese description of a business made,
from the seed, of the taxonomies' industry names: the only random part. The same seed and the same
data give the same bytes. The dataset node says the whole graph is synthetic, and a store written
here holds a ``SYNTHETIC`` marker: the generator refuses to write into a store without one, so a
synthetic graph never lands in the real store.

    python -m benchmarks.generate --scale 1M --nt /tmp/syn/1M.nt --store /tmp/syn/1M-store
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from rdflib.compare import to_canonical_graph

from qigraph.build import assemble, ontology_graph
from qigraph.config import default_store_location
from qigraph.namespaces import QI, QID

MARKER = "SYNTHETIC"
DEFAULT_SEED = 20261121
DEFAULT_ENTERPRISES = 200
_IRI_SUFFIX, _NAME_SUFFIX = "\x00", "\x01"  # placeholders in the copy template
_MINTED = re.compile(r"(<" + re.escape(str(QID)) + r"[^/>]+/[^/>]+)")
_NAMES = tuple(f"<{p}>" for p in (
    "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel", f"{QI}shortName", "http://purl.org/dc/terms/title",
    "http://data.europa.eu/eli/ontology#title"))
_DATASET = f"<{QID}dataset>"
_FLAG = f"<{QI}synthetic>"
_TRUE = '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'
_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_DISTRICTS = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区",
              "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")
_DESCRIPTIONS = ("主要从事{a}、{b}相关产品的研发、生产和销售，并提供{c}领域的技术咨询服务。",
                 "专注于{a}，业务涵盖{b}和{c}，拟申请产品检验检测与计量校准服务。",
                 "{a}领域的科技型企业，产品包括{b}，兼营{c}相关的技术开发、技术转让。",
                 "从事{a}的设计与制造，为{b}、{c}行业提供配套产品。")
_SCALE = re.compile(r"^(\d+(?:\.\d+)?)([xkKmM]?)$")


class GeneratorError(ValueError):
    """A bad scale or an output that must not be written; the message says what to change."""


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


@dataclass
class Template:
    """The real graph cut into what copy 0 writes and what every further copy repeats."""

    header: list[str]  # copy 0: the real graph (ontology and data), less its build provenance
    copy: str  # one further copy's lines with placeholders for the suffixes, flags included
    copy_lines: int
    industry_words: list[str]  # Chinese industry names, for enterprise descriptions

    @classmethod
    def from_real_graph(cls) -> Template:
        graph, _ = assemble()
        # Canonical blank-node labels make the output byte-identical from run to run; the ontology
        # is cut off by difference, which only works once both sides have the same labels.
        whole, ontology = to_canonical_graph(graph), to_canonical_graph(ontology_graph())
        lines = sorted(line for line in whole.serialize(format="nt").splitlines() if line and not line.startswith(_DATASET))
        data = sorted(line for line in (whole - ontology).serialize(format="nt").splitlines()
                      if line.startswith(f"<{QID}") and not line.startswith(_DATASET))
        if any("_:" in line.split(" ", 1)[0] for line in data):
            raise GeneratorError("the data layer has blank-node subjects; the copy template cannot rename them yet")
        templated, subjects = [], set()
        for line in data:
            subject, predicate, rest = line.split(" ", 2)
            if predicate in _NAMES and rest.startswith('"'):
                head, quote, tail = rest.rpartition('"')
                rest = head + _NAME_SUFFIX + quote + tail
            line = _MINTED.sub(r"\1" + _IRI_SUFFIX, f"{subject} {predicate} {rest}")
            templated.append(line)
            subjects.add(line.split(" ", 1)[0])
        templated += sorted(f"{s} {_FLAG} {_TRUE} ." for s in subjects)
        words = sorted({m.group(1) for line in data
                        if line.startswith(f"<{QID}industry/") and " <http://www.w3.org/2004/02/skos/core#" in line
                        for m in [re.search(r'Label> "([^"\\]{2,12})"@zh \.$', line)] if m})
        return cls(header=lines, copy="\n".join(templated) + "\n", copy_lines=len(templated), industry_words=words)


def _preamble(seed: int, copies: int, enterprises: int) -> list[str]:
    flag = [f"{_FLAG} {_TYPE} <http://www.w3.org/2002/07/owl#DatatypeProperty> .",
            f"{_FLAG} {_LABEL} \"合成数据\"@zh .", f"{_FLAG} {_LABEL} \"synthetic\"@en .",
            f"{_FLAG} <http://www.w3.org/2004/02/skos/core#definition> \"为性能测试生成的数据，并非事实。\"@zh .",
            f"{_FLAG} <http://www.w3.org/2004/02/skos/core#definition> \"Generated for benchmarks; not a fact.\"@en ."]
    about = f"seed {seed}, {copies} copies, {enterprises} enterprises per copy"
    dataset = [f"{_DATASET} {_TYPE} <http://www.w3.org/ns/prov#Entity> .", f"{_DATASET} {_FLAG} {_TRUE} .",
               f"{_DATASET} {_LABEL} {_literal(f'qigraph 合成基准数据集（{about}）')}@zh .",
               f"{_DATASET} {_LABEL} {_literal(f'qigraph synthetic benchmark dataset ({about})')}@en ."]
    return flag + dataset


def _enterprises(template: Template, seed: int, copy: int, count: int) -> str:
    rng = random.Random(f"{seed}:{copy}")  # str seeds hash the same in every process
    out = []
    for i in range(count):
        s = f"<{QID}org/syn-enterprise-{copy}-{i}>"
        a, b, c = rng.sample(template.industry_words, 3)
        text = rng.choice(_DESCRIPTIONS).format(a=a, b=b, c=c)
        out += [f"{s} {_TYPE} <{QI}Institution> .", f"{s} <{QI}institutionType> <{QI}Enterprise> .",
                f"{s} {_LABEL} \"合成企业 {copy}-{i}\"@zh .", f"{s} {_LABEL} \"Synthetic enterprise {copy}-{i}\"@en .",
                f"{s} <{QI}description> {_literal(text)}@zh .", f"{s} <{QI}district> {_literal(rng.choice(_DISTRICTS))} .",
                f"{s} {_FLAG} {_TRUE} ."]
    return "\n".join(out) + "\n"


ENTERPRISE_LINES = 7


def copies_for(scale: str, template: Template, *, enterprises: int = DEFAULT_ENTERPRISES) -> int:
    """How many copies a scale means: ``3x`` is three copies; ``250k``/``1M``/``10000`` is the fewest
    copies reaching that many triples.

    Raises:
        GeneratorError: the scale is not of either form.
    """
    m = _SCALE.match(scale.strip())
    if not m:
        raise GeneratorError(f"scale {scale!r} is neither a factor (1x, 100x) nor a triple count (250k, 1M, 10M)")
    value, unit = float(m.group(1)), m.group(2).lower()
    if unit == "x":
        return max(1, int(value))
    target = value * {"": 1, "k": 1_000, "m": 1_000_000}[unit]
    first = len(template.header) + len(_preamble(0, 0, 0)) + enterprises * ENTERPRISE_LINES
    per_copy = template.copy_lines + enterprises * ENTERPRISE_LINES
    return 1 + max(0, math.ceil((target - first) / per_copy))


def write(out: IO[str], template: Template, *, copies: int, seed: int = DEFAULT_SEED,
          enterprises: int = DEFAULT_ENTERPRISES) -> int:
    """Stream the synthetic graph as N-Triples; returns the number of triples (all distinct).

    Args:
        out: a text stream opened with UTF-8.
        template: the real graph, cut (Template.from_real_graph()).
        copies: copies of the data layer, the real one included.
        seed: drives the enterprises' descriptions and districts.
        enterprises: synthetic enterprises per copy.
    """
    head = _preamble(seed, copies, enterprises) + template.header
    out.write("\n".join(head) + "\n")
    total = len(head)
    for r in range(copies):
        if r:
            out.write(template.copy.replace(_IRI_SUFFIX, f"-x{r}").replace(_NAME_SUFFIX, f" (x{r})"))
            total += template.copy_lines
        out.write(_enterprises(template, seed, r, enterprises))
        total += enterprises * ENTERPRISE_LINES
    return total


def load_store(nt_path: Path, store_dir: Path) -> int:
    """Load an N-Triples file into a qigraph store folder (marked synthetic); returns its triple count.

    Raises:
        GeneratorError: the folder is the real store, or holds a store that is not marked synthetic.
    """
    from qigraph.store.oxigraph_store import CURRENT, OxigraphStore

    store_dir = Path(store_dir)
    if store_dir.resolve() == Path(default_store_location()).resolve():
        raise GeneratorError(f"{store_dir} is the default (real) store; give the synthetic store its own folder")
    held = store_dir / CURRENT
    if (held.exists() or held.is_symlink()) and not (store_dir / MARKER).exists():
        raise GeneratorError(f"{store_dir} holds a store not marked {MARKER}; refusing to replace it with synthetic data")
    store_dir.mkdir(parents=True, exist_ok=True)
    (store_dir / MARKER).write_text(f"synthetic benchmark graph loaded from {nt_path}\n", encoding="utf-8")
    store = OxigraphStore(store_dir, create=True)
    try:
        store.replace_graph(Path(nt_path))
        return store.triple_count()
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", default="1x", help="1x, 100x (copies) or 250k, 1M, 10M (triples); default %(default)s")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--enterprises", type=int, default=DEFAULT_ENTERPRISES, help="synthetic enterprises per copy")
    p.add_argument("--nt", required=True, help="N-Triples file to write ('-' for standard output)")
    p.add_argument("--store", help="also load it into this (synthetic) store folder")
    args = p.parse_args(argv)
    try:
        started = time.perf_counter()
        template = Template.from_real_graph()
        copies = copies_for(args.scale, template, enterprises=args.enterprises)
        if args.nt == "-":
            triples = write(sys.stdout, template, copies=copies, seed=args.seed, enterprises=args.enterprises)
            return 0
        Path(args.nt).parent.mkdir(parents=True, exist_ok=True)
        with open(args.nt, "w", encoding="utf-8", newline="\n") as f:
            triples = write(f, template, copies=copies, seed=args.seed, enterprises=args.enterprises)
        report = {"scale": args.scale, "seed": args.seed, "copies": copies, "triples": triples, "nt": args.nt,
                  "generate_s": round(time.perf_counter() - started, 3)}
        if args.store:
            loading = time.perf_counter()
            report["store"], report["stored_triples"] = args.store, load_store(Path(args.nt), Path(args.store))
            report["load_s"] = round(time.perf_counter() - loading, 3)
    except GeneratorError as exc:
        print(f"benchmarks.generate: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
