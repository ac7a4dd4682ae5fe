"""Remove Duplicate Rows: keep one row per combination of key values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import Field

from modules.sdk import (
    ColumnSelection,
    DataTable,
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
)
from modules.sdk import columns as column_selection


class RemoveDuplicateRows(Module):
    """Drop rows whose key columns repeat an earlier (or, unchecked, a later) row's values.

    The key is the selected columns (all columns by default). A row with a missing value in any key
    column is never a duplicate and is always kept, as in Azure. Rows keep their input order, and
    the log says how many were removed.
    """

    id = "remove_duplicate_rows"
    name = "Remove Duplicate Rows"
    category = "Data Transformation"
    keeps_row_labels = True  # the kept rows keep their labels: a scoring answer names the removed ones

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        key_column_selection_filter_expression: ColumnSelection = column_selection(
            "dataset",
            default={"start": "all"},
            title="Key column selection filter expression",
            description="The columns whose values identify a row; all columns by default.",
        )
        retain_first_duplicate_row: bool = Field(
            True,
            title="Retain first duplicate row",
            description="Keep the first row of each duplicate group; unchecked, keep the last.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        keys = _keys(table.schema, params)
        df = table.df
        repeated = df.duplicated(subset=keys, keep="first" if params.retain_first_duplicate_row else "last")
        incomplete = df[keys].isna().any(axis=1)
        drop = (repeated & ~incomplete).to_numpy()
        ctx.log(f"{int(drop.sum())} duplicate rows removed on {', '.join(keys)}")
        return {"results_dataset": DataTable(df[~drop], dict(table.meta))}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """The position of the row kept for each key (the least, or greatest, among rows with every key
        present) from a grouping spread over the cluster; then each partition keeps its rows that are kept
        or have a missing key. The kept positions (8 bytes per distinct key) pass through this process."""
        import numpy as np

        table: PartitionedTable = inputs["dataset"]
        keys = _keys(table.schema, params)
        complete = table.map(_complete_keys, keys)
        grouped = complete.frame.groupby(keys, sort=False, observed=True, dropna=False)[POSITION]
        chosen = grouped.min() if params.retain_first_duplicate_row else grouped.max()
        kept = np.sort(np.asarray(chosen.compute().to_numpy(), dtype="int64"))
        from modules.library._partitioned import shared

        out = table.with_frame(table.frame.map_partitions(_kept_rows, keys, shared(kept), meta=table.empty))
        ctx.log(f"{len(kept)} distinct complete keys on {', '.join(keys)}")
        return {"results_dataset": out}

    def removed_rows(self, inputs: dict[str, Any], params: Params, removed: Sequence[Any]) -> list[RemovedRows]:
        keys = _keys(inputs["dataset"].schema, params)
        which = "an earlier" if params.retain_first_duplicate_row else "a later"
        names = ", ".join(repr(k) for k in keys[:10]) + (", ..." if len(keys) > 10 else "")
        return [RemovedRows(list(removed), f"that repeat {which} row of the same request in {names}", tuple(keys))]

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is not None:
            _keys(schema, params)
        return {"results_dataset": schema}


POSITION = "__tessera_position__"


def _complete_keys(df: Any, keys: list[str]) -> Any:
    """The key columns of the rows with every key present, and each row's position."""
    complete = ~df[keys].isna().any(axis=1)
    return df.loc[complete, keys].assign(**{POSITION: df.index[complete.to_numpy()].to_numpy(dtype="int64")})


def _kept_rows(df: Any, keys: list[str], kept: Any) -> Any:
    """A partition's rows that are kept: those at a kept position, and those with a missing key."""
    import numpy as np

    positions = df.index.to_numpy(dtype="int64")
    at = np.searchsorted(kept, positions)
    chosen = (at < len(kept)) & (kept[np.minimum(at, max(len(kept) - 1, 0))] == positions) if len(kept) else at < 0
    incomplete = df[keys].isna().any(axis=1).to_numpy()
    return df[chosen | incomplete]


def _keys(schema: TableSchema, params: RemoveDuplicateRows.Params) -> list[str]:
    param = "key_column_selection_filter_expression"
    names = params.key_column_selection_filter_expression.resolve(schema, param=param)
    if not names:
        raise ModuleError("no key columns are selected", param=param)
    return names
