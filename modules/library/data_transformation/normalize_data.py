"""Normalize Data: rescale numeric columns, and keep the fitted statistics for new data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import (
    Column,
    ColumnSelection,
    DataTable,
    FittedTransform,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    PartitionedTable,
    RunContext,
    Table,
    TableSchema,
    Transformation,
)
from modules.sdk import columns as column_selection

Method = Literal["ZScore", "MinMax", "Logistic", "LogNormal", "Tanh"]
NUMERIC_COLUMNS = {"start": "none", "rules": [{"op": "include", "types": ["numeric"]}]}


class NormalizeData(Module):
    """Rescale numeric columns with one of five formulas; statistics are fitted on this table.

    - ZScore: ``(x - mean) / sd``, with the population standard deviation (as Azure and
      scikit-learn's StandardScaler);
    - MinMax: ``(x - min) / (max - min)``;
    - Logistic: ``1 / (1 + exp(-x))``;
    - LogNormal: the cumulative distribution of a log-normal fitted to the column,
      ``Phi((ln x - mu) / sigma)`` with ``mu`` and ``sigma`` the mean and population SD of ``ln x``
      (every value must be positive);
    - Tanh: ``tanh(x)``.

    Missing values stay missing. A constant column becomes 0 when "Use 0 for constant columns" is
    set; otherwise it keeps its values (instead of the division by zero Azure leaves behind).
    The transformation output applies the same statistics to new data.
    """

    id = "normalize_data"
    name = "Normalize Data"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        transformed_dataset = Out(Table, "Transformed dataset")
        transformation = Out(Transformation, "Transformation function")

    class Params(ParamModel):
        transformation_method: Method = Field(
            "ZScore", title="Transformation method", description="The formula applied to each selected column."
        )
        use_0_for_constant_columns: bool = Field(
            True,
            title="Use 0 for constant columns when checked",
            description="Set columns whose values are all the same to 0; unchecked, they are left as they are.",
        )
        columns: ColumnSelection = column_selection(
            "dataset",
            default=NUMERIC_COLUMNS,
            title="Columns to transform",
            description="Numeric columns to normalize; all numeric columns by default.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        names = _selected(table.schema, params.columns)
        method = params.transformation_method
        spec: dict[str, Any] = {
            "method": method,
            "use_0_for_constant_columns": params.use_0_for_constant_columns,
            "columns": {name: _fit(_floats(table.df[name]), method, name) for name in names},
        }
        constant = [n for n, s in spec["columns"].items() if s["constant"]]
        if constant:
            ctx.log(f"constant columns: {', '.join(constant)}")
        return {
            "transformed_dataset": DataTable(_apply(spec, table.df), dict(table.meta)),
            "transformation": FittedTransform(kind=self.id, spec=spec),
        }

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """Statistics reduced from the partitions (``_partitioned.moments``), then ``_apply`` on each partition."""
        from modules.library._partitioned import moments

        table: PartitionedTable = inputs["dataset"]
        names = _selected(table.schema, params.columns)
        method = params.transformation_method
        stats = moments(table, names, log=method == "LogNormal")
        spec: dict[str, Any] = {
            "method": method,
            "use_0_for_constant_columns": params.use_0_for_constant_columns,
            "columns": {name: _fit_moments(stats[name], method, name) for name in names},
        }
        constant = [n for n, s in spec["columns"].items() if s["constant"]]
        if constant:
            ctx.log(f"constant columns: {', '.join(constant)}")
        return {
            "transformed_dataset": table.map(_partition, spec),
            "transformation": FittedTransform(kind=self.id, spec=spec),
        }

    @classmethod
    def apply_transform(cls, spec: dict[str, Any], table: DataTable) -> DataTable:
        return DataTable(_apply(spec, table.df), dict(table.meta))

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"transformed_dataset": None}
        names = set(_selected(schema, params.columns))
        columns = tuple(Column(c.name, "number") if c.name in names else c for c in schema.columns)
        return {"transformed_dataset": TableSchema(columns, dict(schema.meta))}


def _selected(schema: TableSchema, selection: ColumnSelection) -> list[str]:
    names = selection.resolve(schema, param="columns")
    if not names:
        raise ModuleError("no columns are selected to normalize", param="columns")
    for name in names:
        col = schema.get(name)
        if col is not None and not col.is_numeric:
            raise ModuleError(
                f"column {name!r} is {col.dtype}, not numeric; only numeric columns can be normalized",
                param="columns",
                column=name,
            )
    return names


def _floats(series: pd.Series) -> np.ndarray:
    return np.asarray(series.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def _fit(x: np.ndarray, method: str, name: str) -> dict[str, Any]:
    """Per-column statistics (plain floats, JSON-able) plus whether the column is constant."""
    present = x[~np.isnan(x)]
    if present.size == 0:
        return {"constant": True}
    if method == "ZScore":
        mean, sd = float(present.mean()), float(present.std())
        return {"mean": mean, "sd": sd, "constant": sd == 0.0}
    if method == "MinMax":
        low, high = float(present.min()), float(present.max())
        return {"min": low, "max": high, "constant": high == low}
    if method == "LogNormal":
        if (present <= 0).any():
            raise ModuleError(
                f"column {name!r} has values of zero or less; LogNormal needs positive values "
                "(try MinMax or ZScore for this column)",
                param="columns",
                column=name,
            )
        logs = np.log(present)
        mu, sigma = float(logs.mean()), float(logs.std())
        return {"mu": mu, "sigma": sigma, "constant": sigma == 0.0}
    return {"constant": bool(present.min() == present.max())}


def _fit_moments(m: Any, method: str, name: str) -> dict[str, Any]:
    """``_fit`` from a column's ``Moments`` (of its logarithms for LogNormal): the same statistics."""
    if m.count == 0 and not (method == "LogNormal" and m.nonpositive):
        return {"constant": True}
    if method == "ZScore":
        return {"mean": m.mean, "sd": m.sd, "constant": m.sd == 0.0}
    if method == "MinMax":
        return {"min": m.min, "max": m.max, "constant": m.max == m.min}
    if method == "LogNormal":
        if m.nonpositive:
            raise ModuleError(
                f"column {name!r} has values of zero or less; LogNormal needs positive values "
                "(try MinMax or ZScore for this column)",
                param="columns",
                column=name,
            )
        return {"mu": m.mean, "sigma": m.sd, "constant": m.sd == 0.0}
    return {"constant": bool(m.min == m.max)}


def _partition(df: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """``_apply`` on one partition (the Dask path)."""
    return _apply(spec, df)


def _apply(spec: dict[str, Any], df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for name, stats in spec["columns"].items():
        if name not in df.columns:
            raise ModuleError(
                f"column {name!r}, which the normalization was fitted on, is not in this table",
                port="dataset",
                column=name,
            )
        try:
            x = _floats(df[name])
        except (TypeError, ValueError):
            raise ModuleError(f"column {name!r} is not numeric", port="dataset", column=name) from None
        out[name] = _transform(x, stats, spec["method"], spec["use_0_for_constant_columns"])
    return out


def _transform(x: np.ndarray, stats: dict[str, Any], method: str, use_0: bool) -> np.ndarray:
    from scipy.special import expit, ndtr

    if stats["constant"] and use_0:
        return np.where(np.isnan(x), np.nan, 0.0)
    if method == "Logistic":
        return np.asarray(expit(x), dtype="float64")
    if method == "Tanh":
        return np.tanh(x)
    if stats["constant"]:
        return x  # no spread to divide by: keep the values rather than produce infinities
    if method == "ZScore":
        return (x - stats["mean"]) / stats["sd"]
    if method == "MinMax":
        return (x - stats["min"]) / (stats["max"] - stats["min"])
    with np.errstate(divide="ignore", invalid="ignore"):
        logs = np.log(np.where(x > 0, x, np.nan))
    cdf = np.asarray(ndtr((logs - stats["mu"]) / stats["sigma"]), dtype="float64")
    return np.where(~np.isnan(x) & (x <= 0), 0.0, cdf)  # the log-normal CDF is 0 at and below zero
