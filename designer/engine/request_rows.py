"""A scoring request's rows as a typed frame in one pass per column, when every value is already right.

``scoring.rows_table`` checks each cell against its column's type to name the first bad one (input,
row, column); that costs a Python call per cell. Valid requests, nearly all of them, take this path
instead: one type-set test and one array per column, built with the very constructors
``rows_to_frame`` uses, so the columns are the same (only their labels are a plain object index).
Anything unusual (a missing or extra key, a value of another type, a non-finite number, a date)
returns ``None`` and the cell-by-cell path runs and explains the problem.
"""

from __future__ import annotations

from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

_NONE = type(None)
_ALLOWED = {
    "number": frozenset({float, int, _NONE}),
    "integer": frozenset({int, _NONE}),
    "boolean": frozenset({bool, _NONE}),
    "string": frozenset({str, _NONE}),
    "category": frozenset({str, _NONE}),
}
_DTYPES = {"integer": "Int64", "boolean": "boolean", "string": "str", "category": "str"}


def typed_frame(rows: list[Any], columns: list[dict[str, str]]) -> pd.DataFrame | None:
    """``rows`` (dicts of exactly ``columns``' names) as ``rows_to_frame`` would build them, or ``None``."""
    names = [c["name"] for c in columns]
    wanted = set(names)
    for row in rows:
        if type(row) is not dict or row.keys() != wanted:
            return None
    index = pd.RangeIndex(len(rows))
    if all(c["type"] == "number" for c in columns):
        return _number_frame(rows, names, index)
    data: dict[str, Any] = {}
    try:
        for column in columns:
            name, kind = column["name"], column["type"]
            allowed = _ALLOWED.get(kind)
            values = [row[name] for row in rows]
            if allowed is None or not set(map(type, values)) <= allowed:
                return None
            if kind == "number":
                array = np.array(values, dtype="float64")  # None -> NaN, as rows_to_frame
                if (~np.isfinite(array)).sum() != values.count(None):
                    return None  # NaN or infinity sent as a number: the cell-by-cell path refuses it
                data[name] = array
            else:
                data[name] = pd.array(values, dtype=_DTYPES[kind])  # type: ignore[call-overload]
    except (OverflowError, ValueError, TypeError):
        return None
    # Labels as a plain object index: pandas' default Arrow-backed string index converts itself at every
    # label lookup and column insert (Score Model adds its columns to this frame), a tenth of a call's time.
    # The frame is never stored, so the stored-table round trip that wants pandas' default is not concerned.
    return pd.DataFrame(data, index=index, columns=_labels(names))


_NUMBER = frozenset({float, int, _NONE})
_LABELS: dict[tuple[str, ...], pd.Index] = {}


def _labels(names: list[str]) -> pd.Index:
    """Column labels as a plain object index, built once per set of names (an Index is immutable)."""
    key = tuple(names)
    found = _LABELS.get(key)
    if found is None:
        if len(_LABELS) > 1000:  # endpoints come and go; never grow without bound
            _LABELS.clear()
        found = _LABELS[key] = pd.Index(names, dtype=object)
    return found


def _number_frame(rows: list[dict[str, Any]], names: list[str], index: pd.RangeIndex) -> pd.DataFrame | None:
    """Every column a number: the cells taken row by row in C (``itemgetter``), their types checked in one
    pass, and one 2-D float array (None -> NaN, as ``rows_to_frame``); NaN or infinity sent as a number
    returns ``None`` so that the cell-by-cell path refuses it."""
    take = itemgetter(*names)
    values = [take(row) for row in rows] if len(names) > 1 else [(row[names[0]],) for row in rows]
    types = set(map(type, chain.from_iterable(values)))
    if not types <= _NUMBER:
        return None
    try:
        array = np.array(values, dtype="float64")
    except (OverflowError, ValueError, TypeError):
        return None
    missing = list(chain.from_iterable(values)).count(None) if _NONE in types else 0
    if array.size - int(np.isfinite(array).sum()) != missing:
        return None
    return pd.DataFrame(array.reshape(len(rows), len(names)), columns=_labels(names), index=index, copy=False)
