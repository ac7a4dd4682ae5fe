"""Select Columns in Dataset: keep a subset of columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modules.library._tables import prune_meta
from modules.sdk import (
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


class SelectColumns(Module):
    """Keep the chosen columns, in the order they have in the input.

    Choose by name or with rules (include or exclude by name or by type). A name that is not in
    the input is reported when the pipeline is validated, naming the column, rather than when the
    run reaches this node.
    """

    id = "select_columns"
    name = "Select Columns in Dataset"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        columns: ColumnSelection = column_selection(
            "dataset", title="Select columns", description="The columns to keep, by name or by rules."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        names = _selected(table.schema, params.columns)
        return {"results_dataset": DataTable(table.df[names].copy(), prune_meta(table.meta, names))}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: PartitionedTable = inputs["dataset"]
        names = _selected(table.schema, params.columns)
        return {"results_dataset": table.with_frame(table.frame[names], prune_meta(table.meta, names))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"results_dataset": None}
        names = _selected(schema, params.columns)
        picked = schema.select(names)
        return {"results_dataset": TableSchema(picked.columns, prune_meta(schema.meta, names))}


def _selected(schema: TableSchema, selection: ColumnSelection) -> list[str]:
    names = selection.resolve(schema, param="columns")
    if not names:
        raise ModuleError("the column selection selects no columns", param="columns")
    return names
