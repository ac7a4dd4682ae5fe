"""Clean Missing Data: fill, or remove, missing values, and keep the cleaning for new data."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from modules.library._tables import prune_meta
from modules.sdk import (
    Column,
    ColumnSelection,
    DataTable,
    FittedTransform,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    PartitionedTable,
    RemovedRows,
    RunContext,
    Table,
    TableSchema,
    Transformation,
)
from modules.sdk import columns as column_selection

CleaningMode = Literal[
    "Custom substitution value",
    "Replace with mean",
    "Replace with median",
    "Replace with mode",
    "Remove entire row",
    "Remove entire column",
]
SUBSTITUTIONS = ("Custom substitution value", "Replace with mean", "Replace with median", "Replace with mode")
AVERAGES = ("Replace with mean", "Replace with median")
INDICATOR_SUFFIX = "_isMissing"
_INTEGER = re.compile(r"[+-]?\d+")


class CleanMissingData(Module):
    """Replace missing values (with a constant, the mean, median or mode) or drop the rows or columns holding them.

    Only the selected columns whose share of missing values lies between the minimum and maximum
    ratio are cleaned. The cleaning transformation records the fill values, so Apply Transformation
    (and a deployed endpoint) cleans new data exactly as the training data was cleaned. Better than
    Azure: a replacement value that does not fit a column's type, or a mean asked of a text column,
    fails with the column named; and integer columns filled with a mean or median become decimal
    columns instead of being silently rounded.
    """

    id = "clean_missing_data"
    name = "Clean Missing Data"
    category = "Data Transformation"
    keeps_row_labels = True  # "Remove entire row" keeps the kept rows' labels: scoring names the removed ones

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        cleaned_dataset = Out(Table, "Cleaned dataset")
        cleaning_transformation = Out(Transformation, "Cleaning transformation")

    class Params(ParamModel):
        columns: ColumnSelection = column_selection(
            "dataset",
            default={"start": "all"},
            title="Columns to be cleaned",
            description="The columns to check for missing values; all columns by default.",
        )
        minimum_missing_value_ratio: float = Field(
            0.0,
            ge=0.0,
            le=1.0,
            title="Minimum missing value ratio",
            description="Clean a column only if at least this share of its values is missing.",
        )
        maximum_missing_value_ratio: float = Field(
            1.0,
            ge=0.0,
            le=1.0,
            title="Maximum missing value ratio",
            description="Clean a column only if at most this share of its values is missing.",
        )
        cleaning_mode: CleaningMode = Field(
            "Custom substitution value", title="Cleaning mode", description="What to do with missing values."
        )
        replacement_value: str = Field(
            "0",
            title="Replacement value",
            description="The value that replaces missing values (custom substitution), in each column's type.",
        )
        generate_missing_value_indicator_column: bool = Field(
            False,
            title="Generate missing value indicator column",
            description="Add a true/false column '<column>_isMissing' for each cleaned column (substitution modes).",
        )

        @model_validator(mode="after")
        def _ratios_in_order(self) -> CleanMissingData.Params:
            if self.minimum_missing_value_ratio > self.maximum_missing_value_ratio:
                raise ValueError(
                    f"minimum_missing_value_ratio ({self.minimum_missing_value_ratio}) is greater than "
                    f"maximum_missing_value_ratio ({self.maximum_missing_value_ratio})"
                )
            return self

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        df = table.df
        if len(df) == 0:
            raise ModuleError("the input table has no rows", port="dataset")
        selected = params.columns.resolve(table.schema, param="columns")
        ratios = df[selected].isna().mean()
        low, high = params.minimum_missing_value_ratio, params.maximum_missing_value_ratio
        targets = [c for c in selected if low <= float(ratios[c]) <= high]
        spec = _fit(df, table.schema, targets, params, ctx)
        cleaned = _apply(spec, df)
        ctx.log(
            f"{params.cleaning_mode}: {len(targets)} of {len(selected)} selected columns within the ratio range; "
            f"{int(df[targets].isna().to_numpy().sum())} missing values; {len(df) - len(cleaned)} rows removed"
        )
        return {
            "cleaned_dataset": DataTable(cleaned, prune_meta(table.meta, cleaned.columns)),
            "cleaning_transformation": FittedTransform(kind=self.id, spec=spec),
        }

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """Missing counts, means and modes reduced from the partitions; a median from its column gathered
        (it has no exact reduction); then ``_apply`` on each partition."""
        from modules.library._partitioned import null_counts

        table: PartitionedTable = inputs["dataset"]
        selected = params.columns.resolve(table.schema, param="columns")
        rows, nulls = null_counts(table, selected)
        if rows == 0:
            raise ModuleError("the input table has no rows", port="dataset")
        low, high = params.minimum_missing_value_ratio, params.maximum_missing_value_ratio
        targets = [c for c in selected if low <= nulls[c] / rows <= high]
        spec = _fit_partitioned(table, targets, nulls, params, ctx)
        cleaned = table.map(_partition, spec)
        ctx.log(
            f"{params.cleaning_mode}: {len(targets)} of {len(selected)} selected columns within the ratio range; "
            f"{sum(nulls[c] for c in targets)} missing values"
        )
        return {
            "cleaned_dataset": cleaned.with_frame(cleaned.frame, prune_meta(table.meta, cleaned.empty.columns)),
            "cleaning_transformation": FittedTransform(kind=self.id, spec=spec),
        }

    @classmethod
    def apply_transform(cls, spec: dict[str, Any], table: DataTable) -> DataTable:
        cleaned = _apply(spec, table.df)
        return DataTable(cleaned, prune_meta(table.meta, cleaned.columns))

    def removed_rows(self, inputs: dict[str, Any], params: Params, removed: Sequence[Any]) -> list[RemovedRows]:
        df = inputs["dataset"].df
        selected = params.columns.resolve(inputs["dataset"].schema, param="columns")
        ratios = df[selected].isna().mean()
        low, high = params.minimum_missing_value_ratio, params.maximum_missing_value_ratio
        return _why_removed(df, [c for c in selected if low <= float(ratios[c]) <= high], removed)

    @classmethod
    def transform_removed_rows(
        cls, spec: dict[str, Any], table: DataTable, removed: Sequence[Any]
    ) -> list[RemovedRows]:
        if spec.get("mode") != "Remove entire row":
            return []
        return _why_removed(table.df, list(spec["columns"]), removed)

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None or params.cleaning_mode == "Remove entire column":
            return {"cleaned_dataset": None}  # which columns go depends on the data
        selected = params.columns.resolve(schema, param="columns")
        if params.cleaning_mode == "Remove entire row":
            return {"cleaned_dataset": schema}
        if params.cleaning_mode in AVERAGES:
            for name in selected:
                _require_numeric(schema, name, params.cleaning_mode)
        all_ratios = params.minimum_missing_value_ratio == 0.0 and params.maximum_missing_value_ratio == 1.0
        changes_types = params.cleaning_mode in AVERAGES and any(schema.get(n).dtype == "integer" for n in selected)  # type: ignore[union-attr]
        if not all_ratios and (changes_types or params.generate_missing_value_indicator_column):
            return {"cleaned_dataset": None}  # which columns are cleaned depends on the data
        to_number = set(selected) if params.cleaning_mode in AVERAGES else set()
        columns = [Column(c.name, "number") if c.name in to_number else c for c in schema.columns]
        out = TableSchema(tuple(columns), dict(schema.meta))
        if params.generate_missing_value_indicator_column:
            out = out.add(*(Column(n + INDICATOR_SUFFIX, "boolean") for n in selected))
        return {"cleaned_dataset": out}


# -- fitting ---------------------------------------------------------------------------------------


def _fit(
    df: pd.DataFrame, schema: TableSchema, targets: list[str], params: CleanMissingData.Params, ctx: RunContext
) -> dict[str, Any]:
    mode = params.cleaning_mode
    if mode == "Remove entire column":
        return {"mode": mode, "columns": [c for c in targets if df[c].isna().any()]}
    if mode == "Remove entire row":
        return {"mode": mode, "columns": targets}
    fill: dict[str, Any] = {}
    types: dict[str, str] = {}
    for name in targets:
        dtype = schema.get(name).dtype  # type: ignore[union-attr]
        if mode == "Custom substitution value":
            value = _convert(params.replacement_value, dtype, name, required=bool(df[name].isna().any()))
            if value is None:
                ctx.log(f"column {name!r} has no missing values and cannot hold {params.replacement_value!r}: skipped")
                continue
        elif mode in AVERAGES:
            _require_numeric(schema, name, mode)
            value = _average(df[name], mode, name)
            dtype = "number"
        else:
            value = _mode(df[name], name)
        fill[name], types[name] = value, dtype
    return {
        "mode": mode,
        "columns": targets,
        "fill": fill,
        "types": types,
        "indicator": params.generate_missing_value_indicator_column,
    }


def _fit_partitioned(
    table: PartitionedTable, targets: list[str], nulls: dict[str, int], params: CleanMissingData.Params, ctx: RunContext
) -> dict[str, Any]:
    """``_fit`` on a partitioned table: the same spec, from reduced statistics."""
    from modules.library._partitioned import column, mode_sample, moments

    mode = params.cleaning_mode
    if mode == "Remove entire column":
        return {"mode": mode, "columns": [c for c in targets if nulls[c] > 0]}
    if mode == "Remove entire row":
        return {"mode": mode, "columns": targets}
    schema = table.schema
    fill: dict[str, Any] = {}
    types: dict[str, str] = {}
    if mode in AVERAGES:
        for name in targets:
            _require_numeric(schema, name, mode)
    means = moments(table, targets) if mode == "Replace with mean" else {}
    for name in targets:
        dtype = schema.get(name).dtype  # type: ignore[union-attr]
        if mode == "Custom substitution value":
            value = _convert(params.replacement_value, dtype, name, required=nulls[name] > 0)
            if value is None:
                ctx.log(f"column {name!r} has no missing values and cannot hold {params.replacement_value!r}: skipped")
                continue
        elif mode == "Replace with mean":
            if means[name].count == 0:
                raise ModuleError(f"column {name!r} has no values to compute a mean from", column=name)
            value, dtype = means[name].mean, "number"
        elif mode == "Replace with median":
            value, dtype = _average(column(table, name, present=True), mode, name), "number"
        else:
            value = _mode(mode_sample(table, name), name)
        fill[name], types[name] = value, dtype
    return {
        "mode": mode,
        "columns": targets,
        "fill": fill,
        "types": types,
        "indicator": params.generate_missing_value_indicator_column,
    }


def _require_numeric(schema: TableSchema, name: str, mode: str) -> None:
    col = schema.get(name)
    if col is not None and not col.is_numeric:
        raise ModuleError(
            f"cannot {mode[0].lower() + mode[1:]}: column {name!r} is {col.dtype}, not numeric; "
            "select only numeric columns or use 'Replace with mode' or a custom value",
            param="cleaning_mode",
            column=name,
        )


def _average(series: pd.Series, mode: str, name: str) -> float:
    values = pd.to_numeric(series).astype("float64")
    value = values.mean() if mode == "Replace with mean" else values.median()
    if pd.isna(value):
        raise ModuleError(f"column {name!r} has no values to compute a {mode.split()[-1]} from", column=name)
    return float(value)


def _mode(series: pd.Series, name: str) -> Any:
    modes = series.mode(dropna=True)
    if modes.empty:
        raise ModuleError(f"column {name!r} has no values to compute a mode from", column=name)
    return _plain(modes.iloc[0])


def _plain(value: Any) -> Any:
    """A JSON-able Python value for a pandas/numpy scalar."""
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def _convert(raw: str, dtype: str, name: str, *, required: bool) -> Any:
    """``raw`` as a value of ``dtype``; ``None`` when it does not convert and the column needs nothing."""
    text = raw.strip()
    value: Any = None
    if dtype == "integer" and _INTEGER.fullmatch(text):
        value = int(text)
    elif dtype == "number":
        try:
            value = float(text)
        except ValueError:
            value = None
    elif dtype == "boolean":
        value = {"true": True, "1": True, "false": False, "0": False}.get(text.lower())
    elif dtype == "datetime":
        try:
            value = pd.Timestamp(text).isoformat()
        except ValueError:
            value = None
    elif dtype in ("string", "category"):
        value = raw
    if value is None and required:
        raise ModuleError(
            f"replacement value {raw!r} cannot go into column {name!r}, which holds {dtype} values",
            param="replacement_value",
            column=name,
        )
    return value


# -- applying (run and Apply Transformation share this) ----------------------------------------------


def _partition(df: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """``_apply`` on one partition (the Dask path)."""
    return _apply(spec, df)


def _apply(spec: dict[str, Any], df: pd.DataFrame) -> pd.DataFrame:
    columns: list[str] = spec["columns"]
    absent = [c for c in columns if c not in df.columns]
    if absent:
        message = f"column {absent[0]!r}, which the cleaning was fitted on, is not in this table"
        raise ModuleError(message, port="dataset", column=absent[0])
    mode = spec["mode"]
    if mode == "Remove entire column":
        return df.drop(columns=columns)
    if mode == "Remove entire row":
        return df.dropna(subset=columns)  # the kept rows keep their labels (``keeps_row_labels``)
    out = df.copy()
    masks = {c: df[c].isna().to_numpy(dtype=bool) for c in columns}
    for name, value in spec["fill"].items():
        out[name] = _fill(out[name], value, spec["types"][name])
    if spec.get("indicator"):
        for name in columns:
            out[name + INDICATOR_SUFFIX] = masks[name]
    return out


def _why_removed(df: pd.DataFrame, columns: list[str], removed: Sequence[Any]) -> list[RemovedRows]:
    """The removed rows grouped by the cleaned columns they miss a value in (a loop over removed rows only)."""
    present = [c for c in columns if c in df.columns]  # an absent label column was filled in, never missing
    at = df.index.get_indexer(list(removed))
    missing = np.zeros((len(at), len(present)), dtype=bool)
    for j, name in enumerate(present):  # one vectorized look per column, not per row
        missing[:, j] = df[name].isna().to_numpy()[at]
    groups: dict[tuple[str, ...], list[Any]] = {}
    for label, flags in zip(removed, missing, strict=True):
        groups.setdefault(tuple(c for c, f in zip(present, flags, strict=True) if f), []).append(label)
    out = []
    for names, rows in groups.items():
        where = "column " + repr(names[0]) if len(names) == 1 else "columns " + ", ".join(repr(n) for n in names)
        out.append(RemovedRows(rows, f"with a missing value in {where}", names))
    return out


def _fill(series: pd.Series, value: Any, dtype: str) -> pd.Series:
    if dtype == "number":
        return pd.to_numeric(series).astype("float64").fillna(value)
    if dtype == "datetime":
        return series.fillna(pd.Timestamp(value))
    if isinstance(series.dtype, pd.CategoricalDtype) and value not in series.cat.categories:
        series = series.cat.add_categories([value])
    return series.fillna(value)
