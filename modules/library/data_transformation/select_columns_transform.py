"""Select Columns Transform: remember a table's columns, to select the same ones from new data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modules.sdk import (
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

from ._columns import prune


class SelectColumnsTransform(Module):
    """Capture the columns of the input table as a transformation that selects them from other tables.

    Connect a table that has exactly the columns you want (for example the output of Select
    Columns in Dataset); Apply Transformation then keeps those columns, in this order, from any
    table, so scoring data is shaped like training data. A column that the new table lacks fails
    naming it, and extra columns are dropped.
    """

    id = "select_columns_transform"
    name = "Select Columns Transform"
    category = "Data Transformation"

    class Inputs:
        dataset_with_desired_columns = In(Table, "Dataset with desired columns")

    class Outputs:
        columns_selection_transformation = Out(Transformation, "Columns selection transformation")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset_with_desired_columns"]
        names = [str(n) for n in table.df.columns]
        if not names:
            raise ModuleError("the input table has no columns to capture", port="dataset_with_desired_columns")
        ctx.log(f"captured {len(names)} columns: {', '.join(names)}")
        return {"columns_selection_transformation": FittedTransform(kind=self.id, spec={"columns": names})}

    @classmethod
    def apply_transform(cls, spec: dict[str, Any], table: DataTable) -> DataTable:
        names: list[str] = spec["columns"]
        absent = [n for n in names if n not in table.df.columns]
        if absent:
            raise ModuleError(
                f"column {absent[0]!r}, which the column selection captured, is not in this table"
                + (f" ({len(absent)} columns are missing)" if len(absent) > 1 else ""),
                port="dataset",
                column=absent[0],
            )
        return DataTable(table.df[names].copy(), prune(table.meta, names))

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {}  # the only output is a transformation
