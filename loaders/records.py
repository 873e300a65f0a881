"""Reading curated YAML records, with errors that name the file and the record to fix."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class DataError(ValueError):
    """A curated file is malformed; the message says which file, which record and what to fix."""


def read_yaml(path: Path, key: str, *, item: type = dict) -> list[Any]:
    """The list of records (or of ``item`` values) under ``key`` in a YAML file; files are parsed
    once however many keys are read from them.

    Raises:
        DataError: the file cannot be parsed, or ``key`` does not hold a list of ``item``.
    """
    doc = _load(Path(path), Path(path).stat().st_mtime_ns)
    if doc is None:
        return []
    if not isinstance(doc, dict) or key not in doc:
        raise DataError(f"{path}: expected a mapping with the key '{key}:' holding a list")
    records = doc[key] or []
    if not isinstance(records, list) or not all(isinstance(r, item) for r in records):
        what = "records (each a mapping of field: value)" if item is dict else f"{item.__name__} values"
        raise DataError(f"{path}: '{key}:' must be a list of {what}")
    return records


@lru_cache(maxsize=64)
def _load(path: Path, _mtime_ns: int) -> Any:
    # Keyed on the modification time, so an edited file is read again.
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DataError(f"{path}:{where} YAML syntax error: {getattr(exc, 'problem', exc)}") from exc


def require(record: dict[str, Any], field: str, where: str) -> Any:
    """The value of a required field, or a DataError naming the record and the field."""
    value = record.get(field)
    if value is None or value == "" or value == []:
        raise DataError(f"{where}: the field '{field}' is required")
    return value


def check_slug(value: Any, where: str, field: str = "id") -> str:
    """An id made of lower-case letters, digits and single hyphens."""
    if not isinstance(value, str) or not SLUG.match(value):
        raise DataError(f"{where}: '{field}' must be lower-case letters, digits and hyphens (got {value!r})")
    return value
