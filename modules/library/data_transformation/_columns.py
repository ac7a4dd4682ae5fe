"""Helpers the Data Transformation modules share: column checks, unique names, and column metadata.

Column metadata travels in ``DataTable.meta``. Besides ``label_column`` and ``score_columns``
(kept by Train/Score Model), these modules read and write two optional keys, absent by default so
older tables read the same as before:

- ``categorical_columns``: names flagged categorical (Edit Metadata, Group Data into Bins); a flag,
  not a dtype, because Parquet keeps only text-valued pandas categories;
- ``non_feature_columns``: names cleared as features (Edit Metadata "Clear feature");
- ``fold_column``: the column holding fold numbers written by Partition and Sample's Assign to Folds.

Readers intersect these lists with the table's columns: a stale name is ignored, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from modules.library._tables import prune_meta
from modules.sdk import DataTable, ModuleError, TableSchema

CATEGORICAL = "categorical_columns"
NON_FEATURE = "non_feature_columns"
FOLD = "fold_column"
ROLE_KEYS = ("label_column", "score_columns", "task", "positive_class")


def require_rows(table: DataTable, port: str = "dataset") -> None:
    if len(table.df) == 0:
        raise ModuleError(f"the input table on port '{port}' has no rows", port=port)


def require_column(schema: TableSchema, name: str | None, param: str, *, port: str = "dataset") -> str:
    """``name`` if it is a column of ``schema``; otherwise a ModuleError naming the parameter and column."""
    if not name:
        raise ModuleError(f"parameter '{param}' needs a column", param=param)
    if name not in schema:
        raise ModuleError(
            f"column {name!r} is not in the input '{port}' (available: {', '.join(schema.names)})",
            param=param,
            column=name,
        )
    return name


def require_numeric(schema: TableSchema, names: Iterable[str], param: str, why: str = "") -> None:
    for name in names:
        col = schema.get(name)
        if col is not None and not col.is_numeric:
            raise ModuleError(
                f"column {name!r} is {col.dtype}, not numeric{'; ' + why if why else ''}",
                param=param,
                column=name,
            )


def unique_name(name: str, taken: Iterable[str], suffix: str = "") -> str:
    """``name`` (plus ``suffix``) made unique against ``taken`` with ``_1``, ``_2``... appended."""
    used = set(taken)
    base = name + suffix
    if base not in used:
        return base
    i = 1
    while f"{base}_{i}" in used:
        i += 1
    return f"{base}_{i}"


def floats(series: pd.Series) -> np.ndarray:
    """A numeric column as float64 with NaN for missing values."""
    return np.asarray(series.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def nullable(df: pd.DataFrame) -> pd.DataFrame:
    """NumPy integer and boolean columns as pandas' nullable types, so padding with missing keeps their type."""
    out = df.copy()
    for name in out.columns:
        dtype = out[name].dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "iu":
            out[name] = out[name].astype("Int64")
        elif isinstance(dtype, np.dtype) and dtype.kind == "b":
            out[name] = out[name].astype("boolean")
    return out


def prune(meta: dict[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """``prune_meta`` plus the column lists this package keeps."""
    present = list(names)
    out = prune_meta(meta, present)
    for key in (CATEGORICAL, NON_FEATURE):
        if key in out:
            kept = [n for n in out[key] if n in present]
            if kept:
                out[key] = kept
            else:
                del out[key]
    if out.get(FOLD) is not None and out[FOLD] not in present:
        del out[FOLD]
    return out


def rename_meta(meta: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    """``meta`` with every column name it mentions renamed."""
    out = dict(meta)
    if out.get("label_column") in renames:
        out["label_column"] = renames[out["label_column"]]
    if isinstance(out.get("score_columns"), dict):
        out["score_columns"] = {k: renames.get(v, v) for k, v in out["score_columns"].items()}
    for key in (CATEGORICAL, NON_FEATURE):
        if key in out:
            out[key] = [renames.get(n, n) for n in out[key]]
    if out.get(FOLD) in renames:
        out[FOLD] = renames[out[FOLD]]
    return out


def flag(meta: dict[str, Any], key: str, names: Iterable[str], on: bool) -> dict[str, Any]:
    """``meta`` with ``names`` added to (``on``) or removed from the list under ``key``; empty lists vanish."""
    out = dict(meta)
    current = list(out.get(key) or [])
    chosen = list(names)
    updated = [*current, *(n for n in chosen if n not in current)] if on else [n for n in current if n not in chosen]
    if updated:
        out[key] = updated
    else:
        out.pop(key, None)
    return out


def plain(value: Any) -> Any:
    """A JSON-able Python value for a pandas/NumPy scalar."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value
