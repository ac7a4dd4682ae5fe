"""Convert to Indicator Values: one 0/1 column per value of a categorical column (one-hot encoding)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from pydantic import Field

from modules.sdk import (
    ColumnSelection,
    DataTable,
    FittedTransform,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
    Transformation,
)
from modules.sdk import columns as column_selection

from ._columns import CATEGORICAL, prune

CATEGORICAL_COLUMNS = {"start": "none", "rules": [{"op": "include", "types": ["categorical"]}]}
MISSING_LABEL = "Missing"
#: More distinct values than this in one column is almost always an identifier, not a category.
MAX_VALUES = 1000


class ConvertToIndicatorValues(Module):
    """Replace each categorical column by one 0/1 column per distinct value, named ``<column>-<value>``.

    A column with missing values also gets ``<column>-Missing``. Values are ordered as they sort.
    With "Overwrite categorical columns" the source column is removed; otherwise the indicator
    columns follow it. The transformation output remembers the values seen here, so Apply
    Transformation gives new data exactly the same columns; a value not seen here sets all of its
    column's indicators to 0.

    Better than Azure, which insists every column be marked categorical first (Error 0056): text,
    category and true/false columns are accepted as they are; only numeric and date columns must be
    flagged categorical (Edit Metadata), and the error names the column. A column with more than
    1000 distinct values is refused, naming it, instead of producing thousands of columns.
    """

    id = "convert_to_indicator_values"
    name = "Convert to Indicator Values"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")
        indicator_values_transformation = Out(Transformation, "Indicator values transformation")

    class Params(ParamModel):
        categorical_columns_to_convert: ColumnSelection = column_selection(
            "dataset",
            default=CATEGORICAL_COLUMNS,
            title="Categorical columns to convert",
            description="The columns to expand; all text, category and true/false columns by default.",
        )
        overwrite_categorical_columns: bool = Field(
            False,
            title="Overwrite categorical columns",
            description="Remove each source column and keep only its indicator columns.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        names = _selected(table.schema, params)
        spec: dict[str, Any] = {"overwrite": params.overwrite_categorical_columns, "columns": {}}
        for name in names:
            values = _levels(table.df[name], name)
            spec["columns"][name] = {"values": values, "missing": bool(table.df[name].isna().any())}
            ctx.log(f"column {name!r}: {len(values)} values")
        out = _apply(spec, table.df)
        return {
            "results_dataset": DataTable(out, prune(table.meta, out.columns)),
            "indicator_values_transformation": FittedTransform(kind=self.id, spec=spec),
        }

    @classmethod
    def apply_transform(cls, spec: dict[str, Any], table: DataTable) -> DataTable:
        out = _apply(spec, table.df)
        return DataTable(out, prune(table.meta, out.columns))

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is not None:
            _selected(schema, params)
        return {"results_dataset": None}  # the new columns depend on the values


def _selected(schema: TableSchema, params: ConvertToIndicatorValues.Params) -> list[str]:
    param = "categorical_columns_to_convert"
    names = params.categorical_columns_to_convert.resolve(schema, param=param)
    if not names:
        raise ModuleError("no columns are selected to convert", param=param)
    flagged = set(schema.meta.get(CATEGORICAL) or [])
    for name in names:
        col = schema.get(name)
        if col is not None and col.dtype not in ("string", "category", "boolean") and name not in flagged:
            raise ModuleError(
                f"column {name!r} is {col.dtype}; mark it categorical with Edit Metadata to convert it "
                "to indicator values (or bin it first with Group Data into Bins)",
                param=param,
                column=name,
            )
    return names


def _label(value: Any) -> str:
    return str(value.item() if hasattr(value, "item") else value)


def _levels(series: pd.Series, name: str) -> list[str]:
    present = series.dropna()
    distinct = pd.unique(present.to_numpy(dtype=object))
    if len(distinct) > MAX_VALUES:
        raise ModuleError(
            f"column {name!r} has {len(distinct)} distinct values (at most {MAX_VALUES}); "
            "it looks like an identifier rather than a category",
            param="categorical_columns_to_convert",
            column=name,
        )
    try:
        ordered = sorted(distinct)
    except TypeError:
        ordered = sorted(distinct, key=_label)
    labels = list(dict.fromkeys(_label(v) for v in ordered))
    if series.isna().any() and MISSING_LABEL in labels:
        raise ModuleError(
            f"column {name!r} holds the value {MISSING_LABEL!r} and also missing values; their indicator "
            "columns would share a name",
            param="categorical_columns_to_convert",
            column=name,
        )
    return labels


def _apply(spec: dict[str, Any], df: pd.DataFrame) -> pd.DataFrame:
    pieces: list[pd.DataFrame] = []
    expanded: dict[str, pd.DataFrame] = {}
    for name, info in spec["columns"].items():
        if name not in df.columns:
            raise ModuleError(
                f"column {name!r}, which the indicator values were fitted on, is not in this table",
                port="dataset",
                column=name,
            )
        labels = df[name].astype(object).map(lambda v: None if pd.isna(v) else _label(v))
        block = {f"{name}-{value}": (labels == value).astype("int64").to_numpy() for value in info["values"]}
        if info["missing"]:
            block[f"{name}-{MISSING_LABEL}"] = labels.isna().astype("int64").to_numpy()
        expanded[name] = pd.DataFrame(block, index=df.index)
    for name in df.columns:
        if name not in expanded or not spec["overwrite"]:
            pieces.append(df[[name]])
        if name in expanded:
            pieces.append(expanded[name])
    out = pd.concat(pieces, axis=1) if pieces else df.iloc[:, :0]
    if out.columns.duplicated().any():
        clash = str(out.columns[out.columns.duplicated()][0])
        raise ModuleError(f"indicator column {clash!r} already exists in the table", column=clash)
    return out.reset_index(drop=True)
