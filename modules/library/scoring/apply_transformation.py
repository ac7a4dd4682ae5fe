"""Apply Transformation: apply a fitted transformation (normalization, cleaning...) to new rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from pydantic import Field

from modules.sdk import (
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
    Transformation,
    UnknownModule,
    default_registry,
)


class ApplyTransformation(Module):
    """Apply a transformation fitted elsewhere, with the statistics it was fitted with.

    The transformation is data (a JSON spec), never code: the module that produced it knows how to
    apply it. Columns listed under "absent columns" (the label, when scoring) may be missing from
    the input: the transformation skips them instead of failing, which Azure's does not.
    """

    id = "apply_transformation"
    name = "Apply Transformation"
    category = "Model Scoring & Evaluation"
    #: Every transformation keeps the rows' labels (only Clean Missing Data's "Remove entire row" drops rows).
    keeps_row_labels = True

    class Inputs:
        transformation = In(Transformation, "Transformation")
        dataset = In(Table, "Dataset")

    class Outputs:
        transformed_dataset = Out(Table, "Transformed dataset")

    class Params(ParamModel):
        absent_columns: list[str] = Field(
            default_factory=list,
            max_length=1000,
            title="Columns that may be absent",
            description="Columns the transformation was fitted on that new rows need not have, such as the label.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"transformed_dataset": apply(inputs["transformation"], inputs["dataset"], params.absent_columns)}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """``apply`` on each partition: a fitted transformation is applied to any subset of rows on its own (a
        scoring request's rows, a partition's), so the partitions together give what ``run`` gives."""
        transform: FittedTransform = inputs["transformation"]
        table: PartitionedTable = inputs["dataset"]
        sample = apply(transform, DataTable(table.frame.head(1), table.meta), params.absent_columns)
        empty = sample.df.iloc[:0]
        frame = table.frame.map_partitions(
            _apply_partition, transform, table.meta, params.absent_columns, empty, meta=empty
        )
        return {"transformed_dataset": PartitionedTable(frame, sample.meta)}

    def removed_rows(self, inputs: dict[str, Any], params: Params, removed: Sequence[Any]) -> list[RemovedRows]:
        transform: FittedTransform = inputs["transformation"]
        try:
            producer = default_registry().get(transform.kind)
        except UnknownModule:
            return []
        found = producer.transform_removed_rows(transform.spec, inputs["dataset"], removed)
        return [RemovedRows(r.rows, r.reason, r.columns, r.by or producer.name) for r in found]


def apply(transform: FittedTransform, table: DataTable, absent_columns: list[str] | None = None) -> DataTable:
    try:
        producer = default_registry().get(transform.kind)
    except UnknownModule:
        raise ModuleError(
            f"the transformation was made by {transform.kind!r}, which this installation does not know",
            port="transformation",
        ) from None
    placeholders = [c for c in absent_columns or [] if c not in table.df.columns]
    if placeholders:
        # A stand-in value the transformation can process, removed again afterwards.
        df = table.df.assign(**{c: pd.Series(0, index=table.df.index) for c in placeholders})
        table = DataTable(df, dict(table.meta))
    try:
        out = producer.apply_transform(transform.spec, table)
    except NotImplementedError:
        raise ModuleError(
            f"{producer.name} output cannot be applied as a transformation", port="transformation"
        ) from None
    if placeholders:
        out = DataTable(out.df.drop(columns=[c for c in placeholders if c in out.df.columns]), out.meta)
    return out


def _apply_partition(
    df: pd.DataFrame, transform: FittedTransform, meta: dict[str, Any], absent: list[str], empty: pd.DataFrame
) -> pd.DataFrame:
    """One partition transformed (an empty one as the empty transformed frame)."""
    if len(df) == 0:
        return empty
    return apply(transform, DataTable(df, meta), absent).df
