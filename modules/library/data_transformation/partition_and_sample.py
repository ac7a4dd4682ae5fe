"""Partition and Sample: take the first rows, a sample, or assign rows to folds and pick one."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from modules.sdk import (
    Column,
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
    column,
)

from ._columns import FOLD, require_column, unique_name

Mode = Literal["Head", "Sampling", "Assign to Folds", "Pick Fold"]
FOLD_COLUMN = "Fold"


class PartitionAndSample(Module):
    """Take the first N rows (Head), a random share of them (Sampling), or split them into folds.

    - Head: the first N rows.
    - Sampling: ``round(rate x rows)`` rows drawn with a seeded NumPy permutation; stratified, the
      same share is drawn from each value of the strata column. Rows keep their input order.
    - Assign to Folds: adds an integer ``Fold`` column (1, 2, ...). Rows are dealt evenly into N
      folds or by custom proportions such as ``.5,.25,.25``; randomized (seeded) or round-robin in
      input order; stratified, each stratum is dealt separately so every fold keeps its
      proportions. With replacement, each fold is drawn independently with replacement, so a row
      may appear in several folds (once per fold).
    - Pick Fold: the rows of one fold (1-based) of a table that went through Assign to Folds, or
      all the other rows ("pick complement").

    Better than Azure, which hides the fold assignment in metadata: the folds are a visible column
    you can inspect, filter or group by, and the seed is always used (0 is a seed, not "use the
    clock"), so runs repeat exactly.
    """

    id = "partition_and_sample"
    name = "Partition and Sample"
    category = "Data Transformation"
    inference = "pass_through"  # scoring serves every row it is sent, never a sample of them

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        partition_or_sample_mode: Mode = Field(
            "Sampling", title="Partition or sample mode", description="Head, Sampling, Assign to Folds or Pick Fold."
        )
        number_of_rows_to_select: int = Field(
            10, ge=0, title="Number of rows to select", description="How many rows Head keeps."
        )
        rate_of_sampling: float = Field(
            0.1, ge=0.0, le=1.0, title="Rate of sampling", description="The share of rows Sampling keeps (0 to 1)."
        )
        random_seed_for_sampling: int = Field(
            0, ge=0, title="Random seed for sampling", description="Seed of the random draws; the same seed repeats."
        )
        stratified_split_for_sampling: bool = Field(
            False,
            title="Stratified split",
            description="Sample, or deal folds, separately within each value of the strata column.",
        )
        stratification_key_column: str | None = column(
            "dataset",
            default=None,
            title="Stratification key column",
            description="The column whose values form the strata (stratified only).",
        )
        use_replacement_in_the_partitioning: bool = Field(
            False,
            title="Use replacement in the partitioning",
            description="Assign to Folds: draw each fold with replacement (rows may repeat across folds).",
        )
        randomized_split: bool = Field(
            True,
            title="Randomized split",
            description="Assign to Folds: deal rows at random; unchecked, round-robin in input order.",
        )
        specify_the_partitioner_method: Literal["Partition evenly", "Partition with customized proportions"] = Field(
            "Partition evenly",
            title="Specify the partitioner method",
            description="Assign to Folds: equal folds, or folds of the given proportions.",
        )
        specify_how_many_folds_to_split_evenly_into: int = Field(
            5, ge=1, le=1000, title="Number of folds", description="How many equal folds (Partition evenly)."
        )
        list_of_proportions_separated_by_comma: str = Field(
            ".5,.25,.25",
            title="List of proportions separated by comma",
            description="Fold sizes as proportions, such as '.5,.25,.25' (customized proportions).",
        )
        specify_which_fold_to_be_sampled_from: int = Field(
            1, ge=1, title="Fold to pick", description="Pick Fold: the fold number, counted from 1."
        )
        pick_complement_of_the_selected_fold: bool = Field(
            False, title="Pick complement of the selected fold", description="Pick Fold: every row not in the fold."
        )

        @field_validator("list_of_proportions_separated_by_comma")
        @classmethod
        def _proportions(cls, value: str) -> str:
            parse_proportions(value)
            return value

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        df = table.df
        mode = params.partition_or_sample_mode
        meta = dict(table.meta)
        if mode == "Head":
            out = df.head(params.number_of_rows_to_select)
        elif mode == "Sampling":
            out = df.iloc[sample_rows(df, table.schema, params)]
        elif mode == "Assign to Folds":
            name = _fold_name(table.schema)
            out = assign_folds(df, table.schema, params, name)
            meta[FOLD] = name
        else:
            name = _picked_fold_column(table.schema)
            folds = df[name].to_numpy(dtype="float64", na_value=np.nan)
            _check_fold(folds, params.specify_which_fold_to_be_sampled_from)
            chosen = folds == params.specify_which_fold_to_be_sampled_from
            out = df[~chosen if params.pick_complement_of_the_selected_fold else chosen]
        ctx.log(f"{mode}: {len(out)} of {len(df)} rows")
        return {"results_dataset": DataTable(out.reset_index(drop=True), meta)}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """Which rows are kept (and their folds) is drawn here as ``run`` draws it, from the row count (and the
        stratification key, gathered), then placed on the cluster once; each partition keeps its rows. Folds
        drawn with replacement repeat and regroup rows: that table is gathered and partitioned as ``run`` does."""
        from modules.library._partitioned import column, per_partition, shared

        table: PartitionedTable = inputs["dataset"]
        mode = params.partition_or_sample_mode
        meta = dict(table.meta)
        if mode == "Pick Fold":
            name = _picked_fold_column(table.schema)
            highest = max(per_partition(table, functools.partial(_highest_fold, name=name)))
            _check_fold(np.array([highest], dtype="float64"), params.specify_which_fold_to_be_sampled_from)
            out = table.map(_pick_fold, name, params)
            return {"results_dataset": out}
        if mode == "Assign to Folds" and params.use_replacement_in_the_partitioning:
            ctx.log("Assign to Folds with replacement repeats rows: the table is gathered")
            return self.run({"dataset": table.gather(port="dataset")}, params, ctx)
        key = params.stratification_key_column if params.stratified_split_for_sampling else None
        if key is not None and mode != "Head":
            require_column(table.schema, key, "stratification_key_column")
            stand_in = column(table, key).to_frame()
        else:
            stand_in = pd.DataFrame(index=pd.RangeIndex(sum(per_partition(table, len))))
        schema = TableSchema.of(stand_in)
        if mode == "Head":
            labels = (np.arange(len(stand_in)) < params.number_of_rows_to_select).astype("int64")
        elif mode == "Sampling":
            labels = np.zeros(len(stand_in), dtype="int64")
            labels[sample_rows(stand_in, schema, params)] = 1
        else:
            name = _fold_name(table.schema)
            drawn = assign_folds(stand_in, schema, params, name)[name]
            labels = drawn.reindex(stand_in.index, fill_value=0).to_numpy(dtype="int64")
            meta[FOLD] = name
        fold = _fold_name(table.schema) if mode == "Assign to Folds" else None
        shape = _keep_labelled(table.empty, labels, fold)
        frame = table.frame.map_partitions(_keep_labelled, shared(labels), fold, meta=shape)
        ctx.log(f"{mode}: rows drawn from {len(stand_in)} rows")
        return {"results_dataset": PartitionedTable(frame, meta)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"results_dataset": None}
        mode = params.partition_or_sample_mode
        if mode == "Sampling" and params.stratified_split_for_sampling:
            require_column(schema, params.stratification_key_column, "stratification_key_column")
        if mode == "Assign to Folds":
            name = _fold_name(schema)
            return {"results_dataset": schema.add(Column(name, "integer"), meta={FOLD: name})}
        if mode == "Pick Fold":
            _picked_fold_column(schema)
        return {"results_dataset": schema}


def _keep_labelled(df: pd.DataFrame, labels: np.ndarray, fold: str | None) -> pd.DataFrame:
    """A partition's rows whose label (by position in the whole table) is above 0; the label as ``fold``."""
    mine = labels[df.index.to_numpy(dtype="int64")] if len(df) else np.zeros(0, dtype="int64")
    out = df.assign(**{fold: mine}) if fold is not None else df
    return out[mine > 0]


def _highest_fold(df: pd.DataFrame, name: str) -> float:
    folds = df[name].to_numpy(dtype="float64", na_value=np.nan)
    present = folds[~np.isnan(folds)]
    return float(present.max()) if present.size else 0.0


def _pick_fold(df: pd.DataFrame, name: str, params: PartitionAndSample.Params) -> pd.DataFrame:
    folds = df[name].to_numpy(dtype="float64", na_value=np.nan)
    chosen = folds == params.specify_which_fold_to_be_sampled_from
    return df[~chosen if params.pick_complement_of_the_selected_fold else chosen]


def parse_proportions(text: str) -> list[float]:
    try:
        values = [float(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise ValueError(f"proportions must be numbers separated by commas, not {text!r}") from None
    if not values or any(v <= 0 for v in values):
        raise ValueError("give at least one proportion, each greater than 0")
    if sum(values) > 1.0 + 1e-9:
        raise ValueError(f"the proportions add up to {sum(values):g}, more than 1")
    return values


def _groups(df: pd.DataFrame, schema: TableSchema, params: PartitionAndSample.Params) -> list[np.ndarray]:
    """Row positions per stratum (one group of all rows when not stratified); missing values form a stratum."""
    if not params.stratified_split_for_sampling:
        return [np.arange(len(df))]
    key = require_column(schema, params.stratification_key_column, "stratification_key_column")
    codes = pd.factorize(df[key], use_na_sentinel=False)[0]
    return [np.flatnonzero(codes == code) for code in range(int(codes.max(initial=-1)) + 1)]


def sample_rows(df: pd.DataFrame, schema: TableSchema, params: PartitionAndSample.Params) -> np.ndarray:
    rng = np.random.default_rng(params.random_seed_for_sampling)
    chosen = []
    for positions in _groups(df, schema, params):
        take = int(np.floor(params.rate_of_sampling * len(positions) + 0.5))
        chosen.append(rng.permutation(positions)[:take])
    return np.sort(np.concatenate(chosen)) if chosen else np.array([], dtype=int)


def _fold_sizes(n: int, params: PartitionAndSample.Params) -> list[int]:
    if params.specify_the_partitioner_method == "Partition evenly":
        k = params.specify_how_many_folds_to_split_evenly_into
        return [n // k + (1 if i < n % k else 0) for i in range(k)]
    bounds = np.floor(np.cumsum(parse_proportions(params.list_of_proportions_separated_by_comma)) * n + 0.5)
    return [int(b - a) for a, b in zip(np.concatenate([[0.0], bounds[:-1]]), bounds, strict=True)]


def assign_folds(df: pd.DataFrame, schema: TableSchema, params: PartitionAndSample.Params, name: str) -> pd.DataFrame:
    rng = np.random.default_rng(params.random_seed_for_sampling)
    if params.use_replacement_in_the_partitioning:
        pieces = []
        for fold, size in enumerate(_fold_sizes(len(df), params), start=1):
            rows = np.sort(
                np.concatenate(
                    [rng.choice(g, _share(size, len(g), len(df))) for g in _groups(df, schema, params) if len(g)]
                )
            )
            pieces.append(df.iloc[rows].assign(**{name: fold}))
        out = pd.concat(pieces, ignore_index=True) if pieces else df.assign(**{name: 0}).iloc[:0]
        out[name] = out[name].astype("int64")
        return out
    folds = np.zeros(len(df), dtype="int64")  # 0: left out (customized proportions adding up to less than 1)
    for positions in _groups(df, schema, params):
        order = rng.permutation(positions) if params.randomized_split else positions
        sizes = _fold_sizes(len(order), params)
        labels = _deal(sizes, params.specify_the_partitioner_method == "Partition evenly")
        folds[order[: len(labels)]] = labels
    out = df.copy()
    out[name] = folds
    return out[folds > 0]


def _share(size: int, group: int, total: int) -> int:
    return int(np.floor(size * group / total + 0.5)) if total else 0


def _deal(sizes: list[int], evenly: bool) -> np.ndarray:
    """Fold labels for rows in dealing order: round-robin for even folds, consecutive blocks otherwise."""
    if evenly:
        return np.arange(sum(sizes)) % len(sizes) + 1
    return np.repeat(np.arange(1, len(sizes) + 1), sizes)


def _fold_name(schema: TableSchema) -> str:
    return unique_name(FOLD_COLUMN, schema.names)


def _picked_fold_column(schema: TableSchema) -> str:
    name = schema.meta.get(FOLD)
    if isinstance(name, str) and name in schema:
        return name
    if FOLD_COLUMN in schema and schema.get(FOLD_COLUMN).is_numeric:  # type: ignore[union-attr]
        return FOLD_COLUMN
    raise ModuleError(
        "Pick Fold needs a table with a 'Fold' column; run Partition and Sample with Assign to Folds first",
        param="partition_or_sample_mode",
        port="dataset",
    )


def _check_fold(folds: np.ndarray, wanted: int) -> None:
    present = folds[~np.isnan(folds)]
    highest = int(present.max()) if present.size else 0
    if wanted > highest:
        raise ModuleError(
            f"fold {wanted} does not exist; the table has folds 1 to {highest}",
            param="specify_which_fold_to_be_sampled_from",
        )
