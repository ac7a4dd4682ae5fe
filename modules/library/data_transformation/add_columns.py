"""Add Columns: put the columns of two tables side by side."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from modules.sdk import Column, DataTable, In, Module, Out, ParamModel, RunContext, Table, TableSchema

from ._columns import nullable, prune, unique_name


class AddColumns(Module):
    """Concatenate the right table's columns after the left table's, row by row.

    Rows are matched by position. When one table is shorter, its columns are padded with missing
    values (integer and true/false columns keep their type). A right column whose name the left
    table already uses is renamed ``<name>_1`` (``_2``... if that is taken too), and the log lists
    every rename, so nothing is overwritten silently. The left table's column roles (label, scores)
    are kept. Better than Azure: a row-count mismatch is reported in the log instead of passing
    unnoticed.
    """

    id = "add_columns"
    name = "Add Columns"
    category = "Data Transformation"

    class Inputs:
        left_dataset = In(Table, "Left dataset")
        right_dataset = In(Table, "Right dataset")

    class Outputs:
        combined_dataset = Out(Table, "Combined dataset")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        left: DataTable = inputs["left_dataset"]
        right: DataTable = inputs["right_dataset"]
        renames = _renames(left.df.columns, right.df.columns)
        for old, new in renames.items():
            ctx.log(f"right column {old!r} is also in the left table: renamed to {new!r}")
        n_left, n_right = len(left.df), len(right.df)
        if n_left != n_right:
            ctx.log(f"the left table has {n_left} rows and the right {n_right}: the shorter is padded with missing")
        rows = pd.RangeIndex(max(n_left, n_right))
        lhs, rhs = left.df.reset_index(drop=True), right.df.reset_index(drop=True).rename(columns=renames)
        if n_left != n_right:
            lhs, rhs = nullable(lhs).reindex(rows), nullable(rhs).reindex(rows)
        combined = pd.concat([lhs, rhs], axis=1)
        return {"combined_dataset": DataTable(combined, prune(left.meta, combined.columns))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        left, right = inputs.get("left_dataset"), inputs.get("right_dataset")
        if left is None or right is None:
            return {"combined_dataset": None}
        renames = _renames(left.names, right.names)
        columns = (*left.columns, *(Column(renames.get(c.name, c.name), c.dtype) for c in right.columns))
        return {"combined_dataset": TableSchema(columns, prune(left.meta, [c.name for c in columns]))}


def _renames(left: Any, right: Any) -> dict[str, str]:
    taken = {str(n) for n in left} | {str(n) for n in right}
    renames: dict[str, str] = {}
    for name in (str(n) for n in right):
        if name in {str(n) for n in left}:
            renames[name] = unique_name(name, taken)
            taken.add(renames[name])
    return renames
