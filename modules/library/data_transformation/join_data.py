"""Join Data: combine two tables on matching key values, as a database join."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import (
    Column,
    ColumnSelection,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    PartitionedTable,
    RunContext,
    Table,
    TableSchema,
)
from modules.sdk import columns as column_selection

from ._columns import nullable, prune, unique_name

JoinType = Literal["Inner Join", "Left Outer Join", "Full Outer Join", "Left Semi-Join"]
RIGHT_SUFFIX = "_right"
TEXT = ("string", "category")
_L, _R = "__tessera_left_row", "__tessera_right_row"


class JoinData(Module):
    """Join the left and right tables on one or more key columns.

    Pick the same number of key columns on each side; they are paired in table order (the first
    left key with the first right key...). Join types: Inner (matching rows only), Left Outer (every
    left row, with missing values where nothing matches), Full Outer (every row of both) and Left
    Semi-Join (left rows that have a match, left columns only, each row once). Text keys compare
    case-insensitively when "Match case" is unchecked. A missing key value never matches anything,
    as in SQL. Rows come out in left-table order (then right-table order); right rows with no match
    follow at the end.

    Right columns whose names the left table already uses get the suffix ``_right``. Better than
    Azure: when "Keep right key columns" is unchecked in a Full Outer join, right-only rows keep
    their key values in the left key columns instead of losing them; and keys of incompatible types
    (text against numbers) fail naming both columns.
    """

    id = "join_data"
    name = "Join Data"
    category = "Data Transformation"

    class Inputs:
        left_dataset = In(Table, "Left dataset")
        right_dataset = In(Table, "Right dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        join_key_columns_for_left_dataset: ColumnSelection = column_selection(
            "left_dataset", title="Join key columns for left dataset", description="The key columns of the left table."
        )
        join_key_columns_for_right_dataset: ColumnSelection = column_selection(
            "right_dataset",
            title="Join key columns for right dataset",
            description="The key columns of the right table, paired with the left keys in order.",
        )
        match_case: bool = Field(
            True, title="Match case", description="Compare text keys case-sensitively; unchecked, 'A' matches 'a'."
        )
        join_type: JoinType = Field("Inner Join", title="Join type", description="Which rows the result keeps.")
        keep_right_key_columns_in_joined_table: bool = Field(
            True,
            title="Keep right key columns in joined table",
            description="Keep the right table's key columns in the result (not used by Left Semi-Join).",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        left: DataTable = inputs["left_dataset"]
        right: DataTable = inputs["right_dataset"]
        lkeys, rkeys = _keys(left.schema, right.schema, params)
        pairs = _match(left.df, right.df, lkeys, rkeys, params)
        if params.join_type == "Left Semi-Join":
            rows = np.unique(pairs[_L].to_numpy(dtype="int64"))
            out = left.df.iloc[rows].reset_index(drop=True)
        else:
            out = _assemble(left.df, right.df, pairs, lkeys, rkeys, params)
        ctx.log(f"{params.join_type}: {len(left.df)} left rows, {len(right.df)} right rows -> {len(out)} rows")
        return {"results_dataset": DataTable(out, prune(left.meta, out.columns))}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """A broadcast join: the right table is gathered and placed on the cluster once, and each left partition
        is joined to it as ``run`` joins (pairs in left-row order, so the partitions' results in order are
        ``run``'s). The right table must fit in a worker's memory. A full outer join, whose right-only rows come
        after every left row, gathers both tables and joins as ``run`` does."""
        from modules.library._partitioned import shared

        left: PartitionedTable = inputs["left_dataset"]
        right: PartitionedTable = inputs["right_dataset"]
        if params.join_type == "Full Outer Join":
            ctx.log("a full outer join gathers both tables")
            gathered = {
                "left_dataset": left.gather(port="left_dataset"),
                "right_dataset": right.gather(port="right_dataset"),
            }
            return self.run(gathered, params, ctx)
        lkeys, rkeys = _keys(left.schema, right.schema, params)
        whole = right.gather(port="right_dataset").df.reset_index(drop=True)
        ctx.log(f"{params.join_type}: the right table ({len(whole):,} rows) joined to each left partition")
        shape = _join_partition(left.frame.head(1), whole, lkeys, rkeys, params).iloc[:0]
        frame = left.frame.map_partitions(_join_partition, shared(whole), lkeys, rkeys, params, meta=shape)
        return {"results_dataset": PartitionedTable(frame, prune(left.meta, list(shape.columns)))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        left, right = inputs.get("left_dataset"), inputs.get("right_dataset")
        if left is None or right is None:
            return {"results_dataset": None}
        lkeys, rkeys = _keys(left, right, params)
        if params.join_type == "Left Semi-Join":
            return {"results_dataset": left}
        full = params.join_type == "Full Outer Join"
        drop_right = not params.keep_right_key_columns_in_joined_table
        filled = {a: _shared(left.get(a).dtype, right.get(b).dtype) for a, b in zip(lkeys, rkeys, strict=True)}  # type: ignore[union-attr]
        cols = [Column(c.name, filled[c.name]) if full and drop_right and c.name in filled else c for c in left.columns]
        taken = [c.name for c in cols]
        for col in right.columns:
            if drop_right and col.name in rkeys:
                continue
            name = unique_name(col.name, taken, RIGHT_SUFFIX) if col.name in taken else col.name
            taken.append(name)
            cols.append(Column(name, col.dtype))
        return {"results_dataset": TableSchema(tuple(cols), prune(left.meta, taken))}


def _join_partition(
    left: pd.DataFrame, right: pd.DataFrame, lkeys: list[str], rkeys: list[str], params: JoinData.Params
) -> pd.DataFrame:
    """One left partition joined to the whole right table, as ``run`` joins the whole left table."""
    pairs = _match(left, right, lkeys, rkeys, params)
    if params.join_type == "Left Semi-Join":
        return left.iloc[np.unique(pairs[_L].to_numpy(dtype="int64"))]
    return _assemble(left, right, pairs, lkeys, rkeys, params)


def _shared(a: Any, b: Any) -> Any:
    """The type a left key column takes when right-only rows write their key into it."""
    if a == b:
        return a
    return "number" if {a, b} <= {"integer", "number"} else "string"


def _keys(left: TableSchema, right: TableSchema, params: JoinData.Params) -> tuple[list[str], list[str]]:
    lparam, rparam = "join_key_columns_for_left_dataset", "join_key_columns_for_right_dataset"
    lkeys = params.join_key_columns_for_left_dataset.resolve(left, param=lparam)
    rkeys = params.join_key_columns_for_right_dataset.resolve(right, param=rparam)
    if not lkeys:
        raise ModuleError("no key columns are selected for the left dataset", param=lparam)
    if len(lkeys) != len(rkeys):
        raise ModuleError(
            f"{len(lkeys)} left key columns ({', '.join(lkeys)}) but {len(rkeys)} right key columns "
            f"({', '.join(rkeys)}); select the same number on each side",
            param=rparam,
        )
    for a, b in zip(lkeys, rkeys, strict=True):
        ta, tb = left.get(a).dtype, right.get(b).dtype  # type: ignore[union-attr]
        same = ta == tb or {ta, tb} <= {"integer", "number"} or {ta, tb} <= set(TEXT)
        if not same:
            raise ModuleError(
                f"left key {a!r} is {ta} but right key {b!r} is {tb}; keys must be of the same kind",
                param=rparam,
                column=b,
            )
    return lkeys, rkeys


def _key_frame(df: pd.DataFrame, keys: list[str], match_case: bool) -> pd.DataFrame:
    out = {}
    for i, name in enumerate(keys):
        series = df[name]
        if isinstance(series.dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(series.dtype):
            series = series.astype("str")
            if not match_case:
                series = series.str.lower()
        elif pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("float64")
        out[f"__key{i}"] = series.to_numpy(dtype=object)
    return pd.DataFrame(out, index=pd.RangeIndex(len(df)))


def _match(
    left: pd.DataFrame, right: pd.DataFrame, lkeys: list[str], rkeys: list[str], params: JoinData.Params
) -> pd.DataFrame:
    """Row-position pairs (left, right); NaN on the side a row of an outer join has no match."""
    lk = _key_frame(left, lkeys, params.match_case)
    rk = _key_frame(right, rkeys, params.match_case)
    lk[_L] = np.arange(len(left))
    rk[_R] = np.arange(len(right))
    lk_valid = lk[lk.drop(columns=_L).notna().all(axis=1)]
    rk_valid = rk[rk.drop(columns=_R).notna().all(axis=1)]
    keys = [c for c in lk.columns if c != _L]
    matched = lk_valid.merge(rk_valid, on=keys, how="inner")[[_L, _R]]
    parts = [matched]
    if params.join_type in ("Left Outer Join", "Full Outer Join"):
        alone = np.setdiff1d(np.arange(len(left)), matched[_L].to_numpy())
        parts.append(pd.DataFrame({_L: alone, _R: np.full(len(alone), -1)}))
    if params.join_type == "Full Outer Join":
        alone = np.setdiff1d(np.arange(len(right)), matched[_R].to_numpy())
        parts.append(pd.DataFrame({_L: np.full(len(alone), len(left)), _R: alone}))
    pairs = pd.concat(parts, ignore_index=True).astype("int64")
    return pairs.sort_values([_L, _R], kind="stable").reset_index(drop=True)


def _take(df: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Rows of ``df`` by position; position -1 or ``len(df)`` gives a row of missing values."""
    padded = nullable(df).reset_index(drop=True)
    valid = (rows >= 0) & (rows < len(df))
    out = padded.reindex(np.where(valid, rows, -1))
    return out.reset_index(drop=True)


def _assemble(
    left: pd.DataFrame,
    right: pd.DataFrame,
    pairs: pd.DataFrame,
    lkeys: list[str],
    rkeys: list[str],
    params: JoinData.Params,
) -> pd.DataFrame:
    lrows, rrows = pairs[_L].to_numpy(), pairs[_R].to_numpy()
    outer = params.join_type != "Inner Join"
    lpart = _take(left, lrows) if params.join_type == "Full Outer Join" else _plain_take(left, lrows)
    rpart = _take(right, rrows) if outer else _plain_take(right, rrows)
    keep_right = params.keep_right_key_columns_in_joined_table
    if not keep_right and params.join_type == "Full Outer Join":
        right_only = lrows >= len(left)
        for a, b in zip(lkeys, rkeys, strict=True):
            lpart[a] = _fill_key(lpart[a], rpart[b], right_only)
    if not keep_right:
        rpart = rpart.drop(columns=rkeys)
    taken = list(lpart.columns)
    renames = {}
    for name in rpart.columns:
        if name in taken:
            renames[name] = unique_name(name, taken, RIGHT_SUFFIX)
        taken.append(renames.get(name, name))
    return pd.concat([lpart, rpart.rename(columns=renames)], axis=1)


def _plain_take(df: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    return df.iloc[rows].reset_index(drop=True)


def _fill_key(key: pd.Series, other: pd.Series, rows: np.ndarray) -> pd.Series:
    """``key`` with ``rows`` taken from ``other`` (the right key), in the type both fit."""
    ta, tb = TableSchema.of(pd.DataFrame({"a": key, "b": other})).columns
    dtype = _shared(ta.dtype, tb.dtype)
    if dtype != ta.dtype:
        key = key.astype("float64") if dtype == "number" else key.astype("str")
        other = other.astype("float64") if dtype == "number" else other.astype("str")
    elif isinstance(key.dtype, pd.CategoricalDtype):
        key = key.cat.add_categories([c for c in other.dropna().unique() if c not in key.cat.categories])
    out = key.copy()
    out[rows] = other[rows].to_numpy()
    return out
