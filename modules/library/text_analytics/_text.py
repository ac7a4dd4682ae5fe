"""Helpers the Text Analytics modules share: text-column checks, missing text, unique output names.

Text columns are the table's string and category columns; a missing cell reads as the empty text.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from modules.sdk import ColumnSelection, DataTable, ModuleError, TableSchema

TEXT_TYPES = frozenset({"string", "category"})
STRING_COLUMNS = {"start": "none", "rules": [{"op": "include", "types": ["string"]}]}
#: The most feature cells (rows x feature columns) a module adds: 50 million float64 values, 400 MB.
MAX_FEATURE_CELLS = 50_000_000


def require_rows(table: DataTable, port: str = "dataset") -> None:
    if len(table.df) == 0:
        raise ModuleError(f"the input table on port '{port}' has no rows", port=port)


def check_size(rows: int, columns: int, param: str, advice: str) -> None:
    """Refuse an output of more than ``MAX_FEATURE_CELLS`` feature cells, naming the parameter to change."""
    if rows * columns > MAX_FEATURE_CELLS:
        raise ModuleError(
            f"{rows} rows x {columns} feature columns is more than {MAX_FEATURE_CELLS:,} values; {advice}",
            param=param,
        )


def text_column(schema: TableSchema, name: str, param: str, *, port: str = "dataset") -> str:
    """``name`` when it is a text column of ``schema``; otherwise a ModuleError naming the parameter and column."""
    if not name:
        raise ModuleError(f"parameter '{param}' needs a text column", param=param)
    col = schema.get(name)
    if col is None:
        raise ModuleError(
            f"column {name!r} is not in the input '{port}' (available: {', '.join(schema.names)})",
            param=param,
            column=name,
        )
    if col.dtype not in TEXT_TYPES:
        raise ModuleError(f"column {name!r} is {col.dtype}, not text; choose a string column", param=param, column=name)
    return name


def text_columns(schema: TableSchema, selection: ColumnSelection, param: str) -> list[str]:
    """The selected columns, each checked to be text; at least one."""
    names = selection.resolve(schema, param=param)
    if not names:
        raise ModuleError("no text columns are selected", param=param)
    for name in names:
        text_column(schema, name, param)
    return names


def texts(series: pd.Series) -> list[str]:
    """A column's cells as Python strings; missing cells as the empty string."""
    return ["" if _missing(v) else str(v) for v in series.astype(object)]


def joined_texts(df: pd.DataFrame, names: Iterable[str]) -> list[str]:
    """Per row, the non-empty texts of ``names`` joined by a space: one document per row."""
    columns = [texts(df[n]) for n in names]
    return [" ".join(part for part in parts if part) for parts in zip(*columns, strict=True)]


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def unique_name(name: str, taken: Iterable[str]) -> str:
    """``name``, or ``name_1``, ``name_2``... when ``taken`` already has it."""
    used = set(taken)
    if name not in used:
        return name
    i = 1
    while f"{name}_{i}" in used:
        i += 1
    return f"{name}_{i}"


def unique_names(names: list[str], taken: Iterable[str]) -> list[str]:
    """Each of ``names`` made unique against ``taken`` and against the ones before it."""
    used = set(taken)
    out = []
    for name in names:
        fresh = unique_name(name, used)
        used.add(fresh)
        out.append(fresh)
    return out
