"""The shape of a curated body record's fields (text, list of text, mapping…), checked before the
loader reads them, so a record with a field of the wrong kind (a number where a name goes, a
mapping where a list of industries goes) gets a DataError naming the field rather than a
TypeError from deep inside the loader. What the values mean (known kinds, known institutions,
dates) is still checked by the loader itself.

>>> check_body({"id": "x", "name_zh": 5}, "bodies/a.yaml body x")
Traceback (most recent call last):
...
qigraph.loaders.records.DataError: bodies/a.yaml body x: 'name_zh' must be text (got 5)
"""

from __future__ import annotations

import datetime
from typing import Any

from .records import DataError

_TEXT = (str,)
# A date may come as text ("2021-05") or, unquoted in YAML, as a date; a year may come as a number.
_DATE = (str, datetime.date, int)
_SCALAR = (str, int, float, bool, datetime.date)

# field -> what it must be: a tuple of types, "texts" (a list of text), or (kind, item shape)
_SOURCE = {"url": _TEXT, "clause": _TEXT, "title": _TEXT, "publisher": _TEXT, "published": _DATE, "checked": _DATE}
_HOST = {"institution": _TEXT, "role": _TEXT}
_EVENT = {"type": _TEXT, "date": _DATE, "sources": ("list", (int,)), "reporting_year": _DATE, "reports_on": (int,),
          "contents": ("list", _SCALAR)}
_CONFLICT_VALUE = {"value": _SCALAR, "source": (int,)}
_CONFLICT = {"field": _SCALAR, "values": ("list", _CONFLICT_VALUE), "note": _TEXT}
BODY_FIELDS: dict[str, Any] = {
    "id": _TEXT, "name_zh": _TEXT, "name_en": _TEXT, "alt_names_zh": ("list", _TEXT), "kind": _TEXT,
    "hosts": ("list", _HOST), "district": _TEXT, "approving_agency": _TEXT, "industries": ("list", _TEXT),
    "description_zh": _TEXT, "events": ("list", _EVENT), "sources": ("list", _SOURCE),
    "infrastructure_work": (bool, str), "conflicts": ("list", _CONFLICT),
}
_NAMES = {str: "text", int: "a whole number", bool: "true or false", float: "a number", datetime.date: "a date"}


def _describe(shape: Any) -> str:
    if isinstance(shape, dict):
        return "a mapping of " + ", ".join(shape)
    if isinstance(shape, tuple) and shape and shape[0] == "list":
        return f"a list of {_describe(shape[1])}"
    return " or ".join(dict.fromkeys(_NAMES.get(t, t.__name__) for t in shape))


def _check(value: Any, shape: Any, where: str, field: str) -> None:
    if value is None:  # absent or null: the loader decides whether the field is required
        return
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise DataError(f"{where}: '{field}' must be {_describe(shape)} (got {value!r})")
        for key, inner in shape.items():
            _check(value.get(key), inner, where, f"{field}.{key}")
        return
    if shape and shape[0] == "list":
        if not isinstance(value, list):
            raise DataError(f"{where}: '{field}' must be {_describe(shape)} (got {value!r})")
        for k, item in enumerate(value, start=1):
            _check(item, shape[1], where, f"{field}[{k}]")
        return
    # bool is an int in Python, but true is no index and no year
    if not isinstance(value, shape) or (isinstance(value, bool) and bool not in shape):
        raise DataError(f"{where}: '{field}' must be {_describe(shape)} (got {value!r})")


def check_body(record: dict[str, Any], where: str) -> None:
    """Check that each known field of a body record holds the kind of value the loader reads.

    Raises:
        DataError: a field holds the wrong kind of value; the message names the field.
    """
    for field, shape in BODY_FIELDS.items():
        value = record.get(field)
        if field == "hosts" and value == "unknown":
            continue
        _check(value, shape, where, field)
