"""Edit Metadata: change the type, the categorical flag, the role or the name of columns."""

from __future__ import annotations

import functools
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

from ._columns import CATEGORICAL, NON_FEATURE, flag, rename_meta

DataType = Literal["Unchanged", "String", "Integer", "Double", "Boolean", "DateTime"]
Fields = Literal["Unchanged", "Features", "Label", "Clear feature", "Clear label", "Clear score"]
DTYPES: dict[str, str] = {
    "String": "string",
    "Integer": "integer",
    "Double": "number",
    "Boolean": "boolean",
    "DateTime": "datetime",
}
TRUE = frozenset({"true", "yes", "1", "1.0", "t", "y"})
FALSE = frozenset({"false", "no", "0", "0.0", "f", "n"})


class EditMetadata(Module):
    """Change the selected columns' data type, categorical flag, role, or names.

    - Data type: String, Integer, Double, Boolean (from true/false, yes/no or 1/0) or DateTime (with
      an optional ``strftime`` format such as ``%d/%m/%Y``);
    - Categorical: flag the columns as categorical (kept in the table's metadata, which Convert to
      Indicator Values reads) or clear the flag;
    - Fields: Features / Clear feature mark whether the columns are features; Label makes the
      (single) selected column the label; Clear label and Clear score remove those roles;
    - New column names: a comma-separated list, one name per selected column, in table order.

    Better than Azure: a value that does not convert names the column and the value (instead of
    becoming missing without a word), Label refuses a selection of more than one column, and
    renaming keeps the label and score roles pointing at the renamed columns.
    """

    id = "edit_metadata"
    name = "Edit Metadata"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        column: ColumnSelection = column_selection(
            "dataset", title="Column", description="The columns whose metadata changes."
        )
        data_type: DataType = Field(
            "Unchanged", title="Data type", description="The type the selected columns are converted to."
        )
        datetime_format: str = Field(
            "",
            title="DateTime format",
            description="A strftime format for parsing dates (DateTime only); empty to infer it.",
        )
        categorical: Literal["Unchanged", "Categorical", "Non categorical"] = Field(
            "Unchanged", title="Categorical", description="Flag the selected columns as categorical, or clear the flag."
        )
        fields: Fields = Field(
            "Unchanged",
            title="Fields",
            description="Mark the columns as features or label, or clear their feature, label or score role.",
        )
        new_column_names: str = Field(
            "",
            title="New column names",
            description="Comma-separated new names, one per selected column in table order; empty to keep the names.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        names = _selected(table.schema, params)
        renames = _renames(table.schema, names, params)
        formats = dict.fromkeys(names, params.datetime_format)
        df = _edited(table.df, names, renames, formats, params)
        meta = _roles(dict(table.meta), names, params)
        if renames:
            meta = rename_meta(meta, renames)
            ctx.log("renamed " + ", ".join(f"{a!r} to {b!r}" for a, b in renames.items()))
        return {"results_dataset": DataTable(df, meta)}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """Value by value on each partition. Dates without a format: pandas guesses one from a column's first
        present value, so the format guessed from the whole column's first present value is given to every
        partition (a partition guessing from its own first value could read "01/02" another way)."""
        from modules.library._partitioned import per_partition

        table: PartitionedTable = inputs["dataset"]
        names = _selected(table.schema, params)
        renames = _renames(table.schema, names, params)
        formats = dict.fromkeys(names, params.datetime_format)
        if params.data_type == "DateTime" and not params.datetime_format:
            from pandas.tseries.api import guess_datetime_format

            firsts = per_partition(table, functools.partial(_first_present, names=names))
            for name in names:
                first = next((f[name] for f in firsts if f[name] is not None), None)
                formats[name] = (guess_datetime_format(first) or "") if isinstance(first, str) else ""
        meta = _roles(dict(table.meta), names, params)
        if renames:
            meta = rename_meta(meta, renames)
        out = table.map(_edited, names, renames, formats, params)
        return {"results_dataset": out.with_frame(out.frame, meta)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"results_dataset": None}
        names = _selected(schema, params)
        renames = _renames(schema, names, params)
        cols = []
        for col in schema.columns:
            dtype = col.dtype
            if col.name in names and params.data_type != "Unchanged":
                dtype = DTYPES[params.data_type]  # type: ignore[assignment]
            if col.name in names and params.categorical == "Non categorical" and dtype == "category":
                return {"results_dataset": None}  # the type of the categories is known only from the data
            cols.append(Column(renames.get(col.name, col.name), dtype))
        meta = rename_meta(_roles(dict(schema.meta), names, params), renames)
        return {"results_dataset": TableSchema(tuple(cols), meta)}


def _edited(
    df: pd.DataFrame, names: list[str], renames: dict[str, str], formats: dict[str, str], params: EditMetadata.Params
) -> pd.DataFrame:
    """The rows with their types changed and columns renamed (``formats``: each column's date format)."""
    df = df.copy()
    if params.data_type != "Unchanged":
        for name in names:
            df[name] = convert(df[name], params.data_type, formats[name], name)
    if params.categorical == "Non categorical":
        for name in names:
            if isinstance(df[name].dtype, pd.CategoricalDtype):
                df[name] = _uncategorize(df[name])
    return df.rename(columns=renames) if renames else df


def _first_present(df: pd.DataFrame, names: list[str]) -> dict[str, Any]:
    """The first present value of each column in this partition (``None`` when there is none)."""
    out: dict[str, Any] = {}
    for name in names:
        present = df[name].dropna()
        out[name] = present.iloc[0] if len(present) else None
    return out


def _selected(schema: TableSchema, params: EditMetadata.Params) -> list[str]:
    names = params.column.resolve(schema, param="column")
    if not names:
        raise ModuleError("the column selection selects no columns", param="column")
    if params.fields == "Label" and len(names) != 1:
        raise ModuleError(
            f"Label needs exactly one selected column, but {len(names)} are selected ({', '.join(names)})",
            param="fields",
        )
    return names


def _renames(schema: TableSchema, names: list[str], params: EditMetadata.Params) -> dict[str, str]:
    if not params.new_column_names.strip():
        return {}
    new = [n.strip() for n in params.new_column_names.split(",")]
    if len(new) != len(names):
        raise ModuleError(
            f"{len(new)} new column names for {len(names)} selected columns ({', '.join(names)})",
            param="new_column_names",
        )
    if any(not n for n in new):
        raise ModuleError("a new column name is empty", param="new_column_names")
    kept = [n for n in schema.names if n not in names]
    final = kept + new
    twice = next((n for n in final if final.count(n) > 1), None)
    if twice is not None:
        raise ModuleError(
            f"the new names would give two columns named {twice!r}", param="new_column_names", column=twice
        )
    return {old: n for old, n in zip(names, new, strict=True) if old != n}


def _roles(meta: dict[str, Any], names: list[str], params: EditMetadata.Params) -> dict[str, Any]:
    if params.categorical == "Categorical":
        meta = flag(meta, CATEGORICAL, names, True)
    elif params.categorical == "Non categorical":
        meta = flag(meta, CATEGORICAL, names, False)
    fields = params.fields
    if fields == "Features":
        meta = flag(meta, NON_FEATURE, names, False)
    elif fields == "Clear feature":
        meta = flag(meta, NON_FEATURE, names, True)
    elif fields == "Label":
        meta["label_column"] = names[0]
    elif fields == "Clear label" and meta.get("label_column") in names:
        del meta["label_column"]
    elif fields == "Clear score" and isinstance(meta.get("score_columns"), dict):
        kept = {role: col for role, col in meta["score_columns"].items() if col not in names}
        if kept:
            meta["score_columns"] = kept
        else:
            for key in ("score_columns", "task", "positive_class"):
                meta.pop(key, None)
    return meta


def _uncategorize(series: pd.Series) -> pd.Series:
    categories = series.cat.categories
    if pd.api.types.is_integer_dtype(categories.dtype):
        return series.astype("Int64")
    if pd.api.types.is_numeric_dtype(categories.dtype) and not pd.api.types.is_bool_dtype(categories.dtype):
        return series.astype("float64")
    return series.astype("str")


def _fail(name: str, value: Any, kind: str) -> ModuleError:
    return ModuleError(f"column {name!r} holds {value!r}, which is not {kind}", param="data_type", column=name)


def convert(series: pd.Series, data_type: str, fmt: str, name: str) -> pd.Series:
    """``series`` converted to ``data_type``; a value that does not convert raises naming the column."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = _uncategorize(series)
    present = series.notna().to_numpy()
    if data_type == "String":
        if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_datetime64_any_dtype(series.dtype):
            raw = series.to_numpy(dtype=object)
            return pd.Series(
                [str(v) if p else np.nan for v, p in zip(raw, present, strict=True)], index=series.index, dtype="str"
            )
        return series.astype("str")
    if data_type in ("Integer", "Double"):
        if pd.api.types.is_bool_dtype(series.dtype):
            series = series.astype("Int64")
        numbers = pd.to_numeric(series.astype(object).where(present, None), errors="coerce")
        bad = present & numbers.isna().to_numpy()
        if bad.any():
            raise _fail(name, series[bad].iloc[0], "a number")
        floats = numbers.astype("float64")
        if data_type == "Double":
            return floats
        fractional = present & (floats.to_numpy() != np.floor(floats.to_numpy()))
        if fractional.any():
            raise _fail(name, series[fractional].iloc[0], "a whole number")
        return floats.astype("Int64")
    if data_type == "Boolean":
        if pd.api.types.is_bool_dtype(series.dtype):
            return series.astype("boolean")
        raw = series.to_numpy(dtype=object)
        text = [str(v).strip().lower() if p else None for v, p in zip(raw, present, strict=True)]
        out = pd.array([None if t is None else (t in TRUE) for t in text], dtype="boolean")
        bad = np.asarray([t is not None and t not in TRUE | FALSE for t in text], dtype=bool)
        if bad.any():
            raise _fail(name, series[bad].iloc[0], "true/false")
        return pd.Series(out, index=series.index)
    try:
        return pd.to_datetime(series, format=fmt or None)
    except (TypeError, ValueError) as exc:
        raise ModuleError(
            f"column {name!r} cannot be read as dates{' with format ' + repr(fmt) if fmt else ''}: {exc}",
            param="datetime_format" if fmt else "data_type",
            column=name,
        ) from None
