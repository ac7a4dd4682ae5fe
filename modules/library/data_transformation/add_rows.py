"""Add Rows: append the rows of one table to another."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from modules.sdk import Column, DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table, TableSchema

from ._columns import nullable


class AddRows(Module):
    """Append the second table's rows below the first table's.

    Both tables must have the same column names. Better than Azure, which needs the columns in the
    same order and of exactly the same type: columns are matched by name (the output keeps the
    first table's order), an integer column may meet a decimal one (the result is decimal), and a
    mismatch names the column at fault. The first table's column roles are kept.
    """

    id = "add_rows"
    name = "Add Rows"
    category = "Data Transformation"

    class Inputs:
        dataset1 = In(Table, "Dataset1")
        dataset2 = In(Table, "Dataset2")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        first: DataTable = inputs["dataset1"]
        second: DataTable = inputs["dataset2"]
        schema = _combined(first.schema, second.schema)
        top = nullable(first.df).reset_index(drop=True)
        bottom = nullable(second.df)[list(first.df.columns)].reset_index(drop=True)
        for col in schema.columns:
            if col.dtype == "number":
                top[col.name] = pd.to_numeric(top[col.name]).astype("float64")
                bottom[col.name] = pd.to_numeric(bottom[col.name]).astype("float64")
            elif col.dtype in ("string", "category"):
                top[col.name] = top[col.name].astype("str")
                bottom[col.name] = bottom[col.name].astype("str")
        out = pd.concat([top, bottom], ignore_index=True)
        for col in schema.columns:
            if col.dtype == "category":
                out[col.name] = out[col.name].astype("category")
        ctx.log(f"{len(first.df)} + {len(second.df)} rows")
        return {"results_dataset": DataTable(out, dict(first.meta))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        first, second = inputs.get("dataset1"), inputs.get("dataset2")
        if first is None or second is None:
            return {"results_dataset": None}
        return {"results_dataset": _combined(first, second)}


def _combined(first: TableSchema, second: TableSchema) -> TableSchema:
    for name in first.names:
        if name not in second:
            raise ModuleError(f"column {name!r} of Dataset1 is not in Dataset2", port="dataset2", column=name)
    for name in second.names:
        if name not in first:
            raise ModuleError(f"column {name!r} of Dataset2 is not in Dataset1", port="dataset2", column=name)
    columns = []
    for a in first.columns:
        b = second.get(a.name)
        assert b is not None
        if a.dtype == b.dtype:
            columns.append(a)
        elif a.is_numeric and b.is_numeric:
            columns.append(Column(a.name, "number"))
        elif {a.dtype, b.dtype} == {"string", "category"}:
            columns.append(Column(a.name, "string"))
        else:
            raise ModuleError(
                f"column {a.name!r} is {a.dtype} in Dataset1 but {b.dtype} in Dataset2; "
                "convert one with Edit Metadata first",
                port="dataset2",
                column=a.name,
            )
    return TableSchema(tuple(columns), dict(first.meta))
