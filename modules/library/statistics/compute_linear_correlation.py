"""Compute Linear Correlation: the Pearson correlation matrix of numeric columns, as a table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from modules.sdk import (
    Column,
    ColumnSelection,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
)
from modules.sdk import columns as column_selection

NUMERIC_COLUMNS = {"start": "none", "rules": [{"op": "include", "types": ["numeric"]}]}
ROW_LABEL = "Feature"


class ComputeLinearCorrelation(Module):
    """Pearson's correlation coefficient between every pair of the chosen numeric columns.

    The result is a square matrix with one row and one column per chosen column, in table order,
    plus a first column, "Feature", naming each row (Studio classic left rows unnamed, so a wide
    matrix could not be read without counting; it is renamed "Feature_" if a chosen column is
    already called "Feature"). Each pair uses the rows where both values are present. A column with
    no spread (or fewer than two values present) has no defined correlation: its cells are empty,
    and the log names it. Only integer and decimal columns can be correlated; choosing another
    type is an error naming the column (Studio classic failed on the whole table instead).
    """

    id = "compute_linear_correlation"
    name = "Compute Linear Correlation"
    category = "Statistical Functions"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        columns: ColumnSelection = column_selection(
            "dataset",
            default=NUMERIC_COLUMNS,
            title="Columns to correlate",
            description="Numeric columns to correlate with each other; all numeric columns by default.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        names = _selected(table.schema, params.columns)
        if len(table.df) == 0:
            raise ModuleError("the dataset has no rows to correlate", port="dataset")
        values = pd.DataFrame({n: table.df[n].to_numpy(dtype="float64", na_value=np.nan) for n in names})
        matrix = values.corr(method="pearson")
        undefined = [n for n in names if bool(matrix[n].isna().all())]
        if undefined:
            ctx.log(f"no correlation is defined for columns without spread: {', '.join(undefined)}")
        out = pd.DataFrame({_row_label(names): pd.Series(names, dtype="str")})
        for name in names:
            out[name] = matrix[name].to_numpy(dtype="float64")
        return {"results_dataset": DataTable(out)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"results_dataset": None}
        names = _selected(schema, params.columns)
        columns = (Column(_row_label(names), "string"), *(Column(n, "number") for n in names))
        return {"results_dataset": TableSchema(columns)}


def _row_label(names: list[str]) -> str:
    label = ROW_LABEL
    while label in names:
        label += "_"
    return label


def _selected(schema: TableSchema, selection: ColumnSelection) -> list[str]:
    names = selection.resolve(schema, param="columns")
    if not names:
        raise ModuleError("no numeric columns are selected to correlate", param="columns")
    for name in names:
        col = schema.get(name)
        if col is not None and not col.is_numeric:
            raise ModuleError(
                f"column {name!r} is {col.dtype}, not numeric; Pearson correlation needs numbers",
                param="columns",
                column=name,
            )
    return names
