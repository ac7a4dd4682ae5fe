"""Split Data: divide a table's rows into two tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table, TableSchema, column


class SplitData(Module):
    """Send a fraction of the rows to the first output and the rest to the second.

    The first output gets ``round(fraction x rows)`` rows. A randomized split draws them with a
    seeded NumPy permutation (``numpy.random.default_rng(seed)``); a stratified split does the same
    within each value of the key column (missing values form their own group), taking
    ``round(fraction x group size)`` rows from each group, so both outputs keep the key's
    proportions. Rows keep their input order inside each output. Better than Azure, where seed 0
    means "seed from the clock": the seed is always used, so the same parameters always give the
    same split and a cached result stays valid.
    """

    id = "split_data"
    name = "Split Data"
    category = "Data Transformation"
    inference = "pass_through"  # an inference pipeline scores every row it is sent

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset1 = Out(Table, "Results dataset1")
        results_dataset2 = Out(Table, "Results dataset2")

    class Params(ParamModel):
        splitting_mode: Literal["Split Rows"] = Field(
            "Split Rows", title="Splitting mode", description="Split Rows: divide the rows by a fraction."
        )
        fraction_of_rows_in_first_output_dataset: float = Field(
            0.5,
            ge=0.0,
            le=1.0,
            title="Fraction of rows in the first output dataset",
            description="Share of the rows that go to the first output (0 to 1).",
        )
        randomized_split: bool = Field(
            True, title="Randomized split", description="Pick the rows at random; otherwise take the first rows."
        )
        random_seed: int = Field(
            0, ge=0, title="Random seed", description="Seed of the random choice; the same seed gives the same split."
        )
        stratified_split: bool = Field(
            False,
            title="Stratified split",
            description="Keep the proportions of each value of the stratification key column in both outputs.",
        )
        stratification_key_column: str | None = column(
            "dataset",
            default=None,
            title="Stratification key column",
            description="The column whose values are split proportionally (stratified split only).",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        first = first_rows(table.df, params)
        mask = np.zeros(len(table.df), dtype=bool)
        mask[first] = True
        ctx.log(f"{int(mask.sum())} rows to the first output, {int((~mask).sum())} to the second")
        return {
            "results_dataset1": DataTable(table.df[mask].reset_index(drop=True), dict(table.meta)),
            "results_dataset2": DataTable(table.df[~mask].reset_index(drop=True), dict(table.meta)),
        }

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is not None:
            _key(schema, params)
        return {"results_dataset1": schema, "results_dataset2": schema}


def first_rows(df: pd.DataFrame, params: SplitData.Params) -> np.ndarray:
    """Positions (sorted) of the rows that go to the first output."""
    fraction = params.fraction_of_rows_in_first_output_dataset
    key = _key(TableSchema.of(df), params)
    if key is None:
        groups = [np.arange(len(df))]
    else:
        codes = pd.factorize(df[key], use_na_sentinel=False)[0]
        groups = [np.flatnonzero(codes == code) for code in range(int(codes.max(initial=-1)) + 1)]
    rng = np.random.default_rng(params.random_seed)
    chosen = []
    for positions in groups:
        order = rng.permutation(positions) if params.randomized_split else positions
        chosen.append(order[: int(np.floor(fraction * len(positions) + 0.5))])
    return np.sort(np.concatenate(chosen)) if chosen else np.array([], dtype=int)


def _key(schema: TableSchema, params: SplitData.Params) -> str | None:
    if not params.stratified_split:
        return None
    name = params.stratification_key_column
    if not name:
        raise ModuleError("a stratified split needs a stratification key column", param="stratification_key_column")
    if name not in schema:
        raise ModuleError(
            f"stratification key column {name!r} is not in the input (available: {', '.join(schema.names)})",
            param="stratification_key_column",
            column=name,
        )
    return name
