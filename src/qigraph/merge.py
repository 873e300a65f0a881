"""Merge stewards' edits (batches of body records) into the curated YAML files and rebuild the
store from them, atomically: the files and the store end both as before or both as after, even when
the process is killed at any moment.

The curated files stay the source of truth; the store is always rebuilt from them. Two things
change together — files in the data folder and the store's ``current`` generation — and no single
rename covers both, so a merge is a small transaction with a journal (``<data>/.merge-journal.json``):

1. lock: an fcntl lock on ``<data>/.merge.lock`` serialises merges (processes and threads alike),
   and :func:`recover` first finishes or undoes whatever a killed merge left;
2. check: the batch is validated with the shapes (its records with the neighbourhood they point to
   in the store, as ``POST /validate`` does), with nothing written;
3. stage: the data folder is copied to ``<data>/.staging-<id>/``, the batch spliced into the copies
   of the files it touches (only the records it names are re-written; every other byte stays), and
   the whole graph assembled from the copy; an embedded store gets the new generation beside its
   current one, not yet in use;
4. commit: the journal is written (temporary file, fsync, rename) — the one commit point;
5. apply: the staged files are renamed over the curated ones, the store switched to the new
   generation (a remote store is replaced from the files, by ``build``: one MOVE on the endpoint),
   one JSON line appended to ``<data>/merge-log.jsonl``, and the journal removed.

Every step of *apply* can be repeated, so :func:`recover` (run by ``qigraph serve``, the API's
start-up and every merge) completes a merge whose journal exists and deletes the leftovers of one
whose journal does not.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qigraph import catalog
from qigraph.config import is_remote

LOCK_NAME = ".merge.lock"
JOURNAL_NAME = ".merge-journal.json"
LOG_NAME = "merge-log.jsonl"
STAGING_PREFIX = ".staging-"
# Which curated file a new record of each kind goes to (a replaced record stays where it is).
KIND_FILE = {
    "municipal-quality-testing-center": "bodies/quality-testing-centers.yaml",
    "national-quality-testing-center": "bodies/quality-testing-centers.yaml",
    "municipal-industrial-metrology-center": "bodies/metrology-centers.yaml",
    "national-industrial-metrology-center": "bodies/metrology-centers.yaml",
    "qi-service-project-municipal-industrial": "bodies/qi-service-projects.yaml",
    "qi-service-project-municipal-regional": "bodies/qi-service-projects.yaml",
    "qi-service-project-district-industrial": "bodies/qi-service-projects.yaml",
    "qi-service-project-district-regional": "bodies/qi-service-projects.yaml",
    "national-quality-standard-lab": "bodies/quality-standard-labs.yaml",
    "samr-technology-innovation-center": "bodies/quality-standard-labs.yaml",
    "functional-platform": "bodies/platforms.yaml",
    "test-base": "bodies/platforms.yaml",
}
# Key order of the curated files (docs/data-conventions.md); keys not named keep the batch's order.
KEY_ORDER = {
    None: ("id", "name_zh", "name_en", "alt_names_zh", "kind", "hosts", "district", "approving_agency", "industries",
           "description_zh", "infrastructure_work", "events", "sources", "conflicts", "notes"),
    "hosts": ("institution", "role"),
    "events": ("type", "date", "reporting_year", "contents", "reports_on", "sources"),
    "sources": ("url", "title", "publisher", "published", "checked", "clause"),
    "conflicts": ("field", "values", "note"),
    "values": ("value", "source"),
}
_QUOTED = {"date", "published", "checked", "reporting_year", "value"}  # digits first: quoted, as the files do
_FOLDED = {"notes", "note"}  # long free text as a folded block, as the files do
_WIDTH = 110

Progress = Callable[[str], None]


class MergeConflict(ValueError):
    """The batch names an id twice, or its records conflict with each other or with the curated
    data (``ids``: the ids involved)."""

    def __init__(self, message: str, ids: list[str]):
        super().__init__(message)
        self.ids = ids


class MergeRejected(ValueError):
    """The batch does not pass the shapes; ``report`` says why. Nothing was written."""

    def __init__(self, report):
        super().__init__(f"the batch does not conform to the shapes: {report.summary('en').rstrip('.')}")
        self.report = report


@dataclass
class MergeResult:
    """What a merge did: its id, the ids added and replaced, the files written, the store's triples."""

    merge: str
    added: list[str]
    replaced: list[str]
    files: list[str]
    triples: int
    report: Any = field(repr=False, default=None)

    def to_json(self) -> dict[str, Any]:
        out = {"merge": self.merge, "added": self.added, "replaced": self.replaced, "files": self.files,
               "triples": self.triples}
        if self.report is not None:
            out["validation"] = self.report.to_json()
        return out


# ------------------------------------------------------------------------------------ YAML text


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _ordered(record: dict, parent: str | None = None) -> dict:
    order = KEY_ORDER.get(parent, ())
    keys = [k for k in order if k in record] + [k for k in record if k not in order]
    out = {}
    for k in keys:
        v = record[k]
        if isinstance(v, dict):
            v = _ordered(v, k)
        elif isinstance(v, list):
            v = [_ordered(x, k) if isinstance(x, dict) else x for x in v]
        out[k] = v
    return out


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _plain_ok(s: str, flow: bool) -> bool:
    if not s or s != s.strip() or "\n" in s:
        return False
    try:
        return yaml.safe_load(f"[{s}]" if flow else f"k: {s}") == ([s] if flow else {"k": s})
    except yaml.YAMLError:
        return False


def _scalar(v: Any, *, key: str | None = None, flow: bool = False) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    if (key in _QUOTED and s[:1].isdigit()) or not _plain_ok(s, flow):
        return json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return s


def _fold(s: str, indent: int) -> list[str] | None:
    # A folded scalar turns each single line break back into one space, so only text whose spaces
    # are single can be folded at them.
    if "  " in s or "\t" in s or "\n" in s or s != s.strip() or " " not in s:
        return None
    lines, line = [], ""
    for word in s.split(" "):
        if line and indent + len(line) + 1 + len(word) > _WIDTH:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return [" " * indent + x for x in lines]


@dataclass(frozen=True)
class Style:
    """How a curated file lays its records out (the files differ a little)."""

    column: int = 4  # where a record's keys start
    seq_indent: int = 2  # how far right of its key a block list's "- " sits (0: level with it)
    flow_items: frozenset[str] = frozenset({"values"})  # keys whose mapping items are written {k: v, …}
    flow_shapes: frozenset[tuple[str, tuple[str, ...]]] = frozenset()  # (key, item's keys) also written so
    folded: bool = True  # long notes as folded blocks (>-), else on one line


_KEY_LINE = re.compile(r"^(\s*)(- )?([A-Za-z_]+):\s*$")
_ITEM_LINE = re.compile(r"^(\s*)- (.*)$")


def file_style(text: str) -> Style:
    """The :class:`Style` a curated file's records are written in (read from the records themselves)."""
    spans = record_spans(text)
    if not spans:
        return Style()
    lines = text.splitlines()
    level = nested = 0
    flow, block = set(), set()
    for start, end, _col in spans.values():
        for key_line, item_line in zip(lines[start:end], lines[start + 1:end]):
            key, item = _KEY_LINE.match(key_line), _ITEM_LINE.match(item_line)
            if not key or not item:
                continue
            key_indent = len(key.group(1)) + (2 if key.group(2) else 0)
            if len(item.group(1)) == key_indent:
                level += 1
            else:
                nested += 1
            (flow if item.group(2).startswith("{") else block).add(key.group(3))
    shapes = set()
    owner = None
    for line in lines:  # items written {k: v, …} in a list that also has block items (e.g. clause-only sources)
        key, item = _KEY_LINE.match(line), _ITEM_LINE.match(line)
        owner = key.group(3) if key else owner
        if item and item.group(2).startswith("{"):
            try:
                shapes.add((owner, tuple(yaml.safe_load(item.group(2)))))
            except (yaml.YAMLError, TypeError):
                continue
    flow_items = (flow - block) | ({"values"} - block)
    return Style(next(iter(spans.values()))[2], 0 if level > nested else 2, frozenset(flow_items), frozenset(shapes),
                 folded=">-" in text or not spans)


def _mapping(d: dict, indent: int, style: Style = Style()) -> list[str]:
    pad, out = " " * indent, []
    for k, v in d.items():
        if isinstance(v, dict):
            out += [f"{pad}{k}: {{}}"] if not v else [f"{pad}{k}:", *_mapping(v, indent + 2, style)]
        elif isinstance(v, list):
            flow = f"[{', '.join(_scalar(x, key=k, flow=True) for x in v)}]" if all(_is_scalar(x) for x in v) else None
            if flow is not None and (not v or indent + len(k) + 2 + len(flow) <= _WIDTH):
                out.append(f"{pad}{k}: {flow}")
            else:
                out.append(f"{pad}{k}:")
                for item in v:
                    out += _item(item, indent + style.seq_indent, parent=k, style=style)
        elif (style.folded and k in _FOLDED and isinstance(v, str) and indent + len(k) + 2 + len(v) > _WIDTH
              and _fold(v, indent + 2)):
            out += [f"{pad}{k}: >-", *_fold(v, indent + 2)]
        else:
            out.append(f"{pad}{k}: {_scalar(v, key=k)}")
    return out


def _item(item: Any, indent: int, *, parent: str, style: Style) -> list[str]:
    pad = " " * indent
    if isinstance(item, dict) and item:
        if (parent in style.flow_items or (parent, tuple(item)) in style.flow_shapes) and all(_is_scalar(v) for v in item.values()):
            flow = f"{pad}- {{{', '.join(f'{k}: {_scalar(v, key=k, flow=True)}' for k, v in item.items())}}}"
            if len(flow) <= _WIDTH:
                return [flow]
        lines = _mapping(item, indent + 2, style)
        lines[0] = f"{pad}- {lines[0][indent + 2:]}"
        return lines
    if _is_scalar(item):
        return [f"{pad}- {_scalar(item, key=parent)}"]
    raise ValueError("nested lists are not written by hand")


def dump_record(record: dict, *, style: Style = Style()) -> str:
    """One body record as the curated files write it: a list item laid out in ``style`` (the
    file's), keys in the files' order, short lists in flow style, dates quoted.

    The text is parsed back and compared with the record; should the hand-written form ever not
    round-trip, PyYAML's own block style is used instead.

    >>> print(dump_record({"kind": "test-base", "id": "x", "events": [{"date": "2024-03", "type": "applied"}]}), end="")
      - id: x
        kind: test-base
        events:
          - type: applied
            date: "2024-03"
    """
    rec = _ordered(_normal(record))
    column = style.column
    try:
        lines = _mapping(rec, column, style)
        lines[0] = " " * (column - 2) + "- " + lines[0][column:]
        text = "".join(line + "\n" for line in lines)
        if yaml.safe_load("bodies:\n" + text) == {"bodies": [rec]}:
            return text
    except ValueError:
        pass
    plain = yaml.safe_dump([rec], allow_unicode=True, sort_keys=False, default_flow_style=False, width=_WIDTH)
    return "".join(" " * (column - 2) + line + "\n" for line in plain.splitlines())


def _bodies_node(text: str):
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "bodies" and isinstance(value, yaml.SequenceNode):
                return value
    raise ValueError("expected a mapping with the key 'bodies:' holding a list of records")


def _last_scalar(node):
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.value and not node.flow_style:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node


def record_spans(text: str) -> dict[str, tuple[int, int, int]]:
    """Where each record of a curated file is: ``id -> (first line, line after the last, column of
    its keys)``, 0-based; comments between records belong to no record."""
    lines = text.splitlines()
    spans = {}
    for item in _bodies_node(text).value:
        rid = next((str(v.value) for k, v in item.value if k.value == "id"), None) if isinstance(item, yaml.MappingNode) else None
        if rid is None:
            continue
        last = _last_scalar(item)
        end = last.end_mark.line if last.end_mark.column > 0 else last.end_mark.line - 1
        while end > last.start_mark.line and (not lines[end].strip() or lines[end].lstrip().startswith("#")):
            end -= 1
        spans[rid] = (item.start_mark.line, end + 1, item.start_mark.column)
    return spans


def splice(text: str, *, replace: dict[str, dict], add: list[dict]) -> str:
    """A curated file's text with the records in ``replace`` re-written in place and those in
    ``add`` appended after the last record; every other line stays byte for byte."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    spans = record_spans(text)
    style = file_style(text)
    if add:
        block = "".join(dump_record(r, style=style) for r in add)
        if spans:
            at = max(end for _start, end, _col in spans.values())
            lines[at:at] = [block]
        else:  # `bodies: []`: the flow sequence becomes a block one
            node = _bodies_node(text)
            joined = "".join(lines)
            before, after = joined[:node.start_mark.index].rstrip(" "), joined[node.end_mark.index:]
            lines = [before, "\n", block, after.removeprefix("\n")]
    for rid, (start, end, _col) in sorted(spans.items(), key=lambda kv: -kv[1][0]):
        if rid in replace:
            lines[start:end] = [dump_record(replace[rid], style=style)]
    return "".join(lines)


# ------------------------------------------------------------------------------- transaction


@contextmanager
def locked(data_dir: Path) -> Iterator[None]:
    """Hold the data folder's merge lock (an exclusive fcntl lock; blocks until it is free)."""
    with open(Path(data_dir) / LOCK_NAME, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_durably(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _location(store: str) -> Path:
    return Path(store.removeprefix("oxigraph:"))


def curated_records(data_dir: Path) -> dict[str, tuple[str, dict]]:
    """Every curated body record: ``id -> (file relative to the data folder, record)``."""
    out = {}
    for path in sorted((Path(data_dir) / "bodies").glob("*.yaml")):
        for rec in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("bodies") or []:
            if isinstance(rec, dict) and "id" in rec:
                out[str(rec["id"])] = (f"bodies/{path.name}", rec)
    return out


def check_batch(records: list[dict], existing: dict[str, tuple[str, dict]]) -> None:
    """Refuse a batch naming an id twice, or whose Chinese names clash with another body's.

    Raises:
        MergeConflict: naming the ids.
    """
    ids = [str(r["id"]) for r in records if r.get("id") is not None]
    twice = sorted(i for i, n in Counter(ids).items() if n > 1)
    if twice:
        raise MergeConflict(f"the batch names {', '.join(twice)} more than once; send each record once", twice)
    names = {rid: rec.get("name_zh") for rid, (_f, rec) in existing.items()}
    names.update({str(r.get("id")): r.get("name_zh") for r in records})
    by_name: dict[str, list[str]] = {}
    for rid, name in names.items():
        if name:
            by_name.setdefault(str(name), []).append(rid)
    clashes = sorted({tuple(sorted(group)) for i in ids for group in [by_name.get(str(names[i]), [])] if len(group) > 1})
    if clashes:
        said = "; ".join(f"{' and '.join(g)} share the name {names[g[0]]}" for g in clashes)
        raise MergeConflict(f"conflicting ids: {said}. One body has one id: to edit a recorded body, send its "
                            f"record under its existing id", sorted({i for g in clashes for i in g}))


def merge(records: list[dict], *, data_dir: Path, store: str, options: dict | None = None, who: str = "steward",
          check_store=None, reference_date: dt.date | None = None, clause_info=None,
          progress: Progress = lambda _m: None) -> MergeResult:
    """Merge a batch of body records into the curated files and rebuild the store, atomically.

    Args:
        records: body records (as ``qigraph.uploads.read_records`` gives them).
        data_dir: the curated data folder written to (never the installed package's).
        store: the store descriptor rebuilt from the files.
        options: a remote store's options (update URL, credentials), as ``open_store`` takes them.
        who: recorded in the merge log (a token's label, or "steward").
        check_store: an open store to validate against (the server's); the store itself otherwise.
        reference_date: the date the timeline shapes take as today.
        clause_info: the shapes' clauses, when the caller has them (see ``validation.shape_clauses``).
        progress: called with one line per step (tests use it to follow the steps).

    Raises:
        qigraph.uploads.InputError: a record is malformed.
        MergeConflict: an id twice, or clashing records.
        MergeRejected: the shapes find violations.
        qigraph.loaders.records.DataError: the merged data does not assemble.
        qigraph.store.StoreError: the store cannot be written.
    """
    from qigraph import uploads
    from qigraph.build import assemble
    from qigraph.store import open_store
    from qigraph.validation import validate_record

    data_dir = Path(data_dir)
    if not records:
        raise uploads.InputError("the batch holds no records", kind="record")
    with locked(data_dir):
        recover(data_dir, store, options=options)
        existing = curated_records(data_dir)
        check_batch(records, existing)
        graph = uploads.records_graph(records)
        owned = check_store is None
        checker = check_store or open_store(store, read_only=True, **(options or {}))
        try:
            report = validate_record(graph, checker, reference_date=reference_date, clause_info=clause_info)
        finally:
            if owned:
                checker.close()
        if not report.conforms:
            raise MergeRejected(report)
        if is_remote(store):
            _check_remote(store, options)
        progress("validated")

        merge_id = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:8]
        staging = data_dir / f"{STAGING_PREFIX}{merge_id}"
        added = [str(r["id"]) for r in records if str(r["id"]) not in existing]
        replaced = [str(r["id"]) for r in records if str(r["id"]) in existing]
        edits: dict[str, tuple[dict, list]] = {}
        for rec in records:
            rid = str(rec["id"])
            rel = existing[rid][0] if rid in existing else KIND_FILE[rec["kind"]]
            replace, add = edits.setdefault(rel, ({}, []))
            (replace.__setitem__(rid, rec) if rid in existing else add.append(rec))
        generation = None
        target = None if is_remote(store) else open_store(store, create=True)
        try:
            shutil.copytree(data_dir, staging, ignore=shutil.ignore_patterns(".*", LOG_NAME, "__pycache__"))
            for rel, (replace, add) in sorted(edits.items()):
                old = (data_dir / rel).read_text(encoding="utf-8") if (data_dir / rel).exists() else "bodies: []\n"
                new = splice(old, replace=replace, add=add)
                expected = [replace.get(str(r.get("id")), r) for r in (yaml.safe_load(old) or {}).get("bodies") or []] + add
                if _normal((yaml.safe_load(new) or {}).get("bodies")) != _normal(expected):
                    raise RuntimeError(f"{rel}: the spliced text does not read back as the merged records")
                (staging / rel).write_text(new, encoding="utf-8")
            progress("staged")
            whole, _report = assemble(staging)  # the merged data must build before anything is committed
            if target is not None:  # a remote store is rebuilt from the files once they are in place (_apply)
                generation = target.write_generation(whole.serialize(format="nt", encoding="utf-8"), tag=f"merge-{merge_id}")
            for rel in edits:
                with open(staging / rel, "rb") as handle:
                    os.fsync(handle.fileno())
            progress("prepared")
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            if generation:
                target.discard(generation)
            raise
        finally:
            if target is not None:
                target.close()
        entry = {"merge": merge_id, "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "who": who,
                 "added": added, "replaced": replaced, "files": sorted(edits)}
        journal = {"merge": merge_id, "store": store, "generation": generation, "staging": staging.name,
                   "files": sorted(edits), "log": entry}
        _write_durably(data_dir / JOURNAL_NAME, json.dumps(journal, ensure_ascii=False, indent=1).encode())
        progress("committed")
        _apply(data_dir, journal, options=options, progress=progress)
        if is_remote(store):
            triples = len(whole)
        else:
            target = open_store(store, read_only=True)
            triples = target.triple_count()
            target.close()
        return MergeResult(merge_id, added, replaced, sorted(edits), triples, report)


def _check_remote(store: str, options: dict | None) -> None:
    # After the commit the endpoint must take the new graph; find out now whether it can.
    from qigraph.store import QuerySyntaxError, StoreError, open_store

    try:
        open_store(store, **(options or {})).check_writable()
    except (StoreError, QuerySyntaxError) as exc:  # an endpoint that takes queries only may say either
        raise StoreError(f"the store is a remote endpoint that does not take updates from qigraph ({exc}); to edit data, "
                         f"configure its update endpoint and credentials ($QIGRAPH_ENDPOINT_UPDATE, $QIGRAPH_ENDPOINT_USER, "
                         f"$QIGRAPH_ENDPOINT_PASSWORD), or merge into an embedded store and push it with `qigraph load`. "
                         f"Nothing was written") from None


def _apply(data_dir: Path, journal: dict, *, options: dict | None, progress: Progress = lambda _m: None) -> None:
    # Each step checks before it acts, so a second run after a kill finishes what the first began.
    from qigraph.build import build
    from qigraph.store import open_store

    staging = data_dir / journal["staging"]
    for rel in journal["files"]:
        if (staging / rel).exists():
            os.replace(staging / rel, data_dir / rel)
    _fsync_dir(data_dir / "bodies")
    progress("files")
    store, generation = journal["store"], journal["generation"]
    if is_remote(store):
        build(store, data_dir, options=options)  # the endpoint swaps its graph in one MOVE
    else:
        target = open_store(store, create=True)
        if target.current_generation() != generation:
            if (_location(store) / generation).is_dir():
                target.activate(generation)
            else:  # removed by hand or by a build since: the files are the truth, rebuild from them
                build(store, data_dir)
        target.close()
    progress("store")
    log = data_dir / LOG_NAME
    if journal["merge"] not in _logged(log):
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(journal["log"], ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    (data_dir / JOURNAL_NAME).unlink(missing_ok=True)
    _fsync_dir(data_dir)
    shutil.rmtree(staging, ignore_errors=True)


def _logged(log: Path) -> set[str]:
    if not log.exists():
        return set()
    ids = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            ids.add(json.loads(line)["merge"])
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a crash names no merge
    return ids


def recover(data_dir: Path, store: str, *, options: dict | None = None) -> str | None:
    """Finish or undo what a killed merge left; call it holding :func:`locked` (a merge does).

    Returns:
        ``"completed"`` (a committed merge was finished), ``"rolled back"`` (leftovers of an
        uncommitted one deleted) or None (nothing to do).
    """
    from qigraph.store import open_store

    data_dir = Path(data_dir)
    journal_path = data_dir / JOURNAL_NAME
    if journal_path.exists():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except ValueError:
            journal = None  # cannot happen (written by rename), but never act on a torn journal
        if journal is not None:
            _apply(data_dir, journal, options=options)
            return "completed"
        journal_path.unlink()
    undone = False
    for leftover in data_dir.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
        undone = True
    (data_dir / f".{JOURNAL_NAME}.tmp").unlink(missing_ok=True)
    if not is_remote(store) and _location(store).is_dir():
        target = open_store(store, create=True)
        current = target.current_generation() or ""
        for gen in _location(store).glob("gen-*-merge-*"):
            if gen.name > current and gen.name != current:  # written by a merge that never committed
                target.discard(gen.name)
                undone = True
        target.close()
    return "rolled back" if undone else None


def recover_locked(data_dir: Path, store: str, *, options: dict | None = None) -> str | None:
    """:func:`recover` under the merge lock (for start-up); nothing when ``data_dir`` is no data folder."""
    if not (Path(data_dir) / "bodies").is_dir():
        return None
    with locked(Path(data_dir)):
        return recover(data_dir, store, options=options)


def writable_data_dir(value: str | os.PathLike | None) -> Path:
    """The curated data folder a merge may write to.

    Raises:
        PermissionError: none is configured, it is not a data folder, or it is the installed package's.
    """
    if not value:
        raise PermissionError("no curated data folder is configured: start the server with `qigraph serve --data DIR` "
                              "(or set $QIGRAPH_DATA) on a copy of the data folder that you keep under version control")
    # The messages name no path: the API passes them on, and an error body never shows a file path.
    path = Path(value)
    if not (path / "bodies").is_dir():
        raise PermissionError("the configured data folder is not a curated data folder (it has no bodies/ folder); "
                              "point --data DIR (or $QIGRAPH_DATA) at a copy of qigraph's data/ folder")
    if path.resolve() == catalog.default_data_dir().resolve():
        raise PermissionError("the configured data folder is the installed package's, which a merge never writes; "
                              "copy it and pass the copy with --data DIR (or $QIGRAPH_DATA)")
    return path
