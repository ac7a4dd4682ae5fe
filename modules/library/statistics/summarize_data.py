"""Summarize Data: one row of descriptive statistics per column of the input."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import numpy as np
import pandas as pd

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
)

FEATURE = "Feature"
COUNTS = ("Count", "Unique Value Count", "Missing Value Count")
#: Azure's percentile columns, by their share of the values below.
PERCENTILES = {"P0.5": 0.005, "P1": 0.01, "P5": 0.05, "P95": 0.95, "P99.5": 0.995}
NUMBERS = (
    "Min",
    "Max",
    "Mean",
    "Mean Deviation",
    "1st Quartile",
    "Median",
    "3rd Quartile",
    "Mode",
    "Range",
    "Sample Variance",
    "Sample Standard Deviation",
    "Sample Skewness",
    "Sample Kurtosis",
    *PERCENTILES,
)


class SummarizeData(Module):
    """One row per input column with Azure's statistics, in Azure's column order.

    Every column gets Count (values present), Unique Value Count (distinct values present) and
    Missing Value Count. Integer and decimal columns also get Min, Max, Mean, Mean Deviation (mean
    absolute distance from the mean), the quartiles and Median, Mode (the smallest of the most
    frequent values), Range, Sample Variance and Sample Standard Deviation (divided by n - 1), Sample
    Skewness and Sample Kurtosis (bias-corrected, the kurtosis in excess of a normal distribution's,
    as pandas and Excel), and the percentiles P0.5, P1, P5, P95 and P99.5; the quantiles interpolate
    linearly between values. Text, category, true/false and date columns get the counts only; their
    other statistics are left empty, so every statistic keeps one numeric type. Missing values are
    left out of every statistic but the counts. A statistic a column has too few values for (the
    skewness of two values) is left empty.
    """

    id = "summarize_data"
    name = "Summarize Data"
    category = "Statistical Functions"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        result_dataset = Out(Table, "Result dataset")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        schema = table.schema
        if not schema.columns:
            raise ModuleError("the dataset has no columns to summarize", port="dataset")
        if len(table.df) == 0:
            raise ModuleError("the dataset has no rows to summarize", port="dataset")
        rows = [_summary(table.df[c.name], c.is_numeric) for c in schema.columns]
        ctx.log(f"summarized {len(rows)} columns of {len(table.df)} rows")
        return {"result_dataset": DataTable(_assemble(schema, rows))}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """Counts of text columns reduced from the partitions; a numeric column's statistics (quantiles and a
        mode have no exact reduction) from that one column gathered, one column at a time."""
        from modules.library._partitioned import column, null_counts, value_counts

        table: PartitionedTable = inputs["dataset"]
        schema = table.schema
        if not schema.columns:
            raise ModuleError("the dataset has no columns to summarize", port="dataset")
        text = [c.name for c in schema.columns if not c.is_numeric]
        total, missing = null_counts(table, text)
        if total == 0:
            raise ModuleError("the dataset has no rows to summarize", port="dataset")
        rows = []
        for col in schema.columns:
            ctx.check_cancelled()
            if col.is_numeric:
                rows.append(_summary(column(table, col.name), True))
            else:
                present = total - missing[col.name]
                counts = {"Count": present, "Unique Value Count": len(value_counts(table, col.name))}
                rows.append({**counts, "Missing Value Count": missing[col.name]})
        ctx.log(f"summarized {len(rows)} columns of {total} rows")
        return {"result_dataset": DataTable(_assemble(schema, rows))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        columns = [Column(FEATURE, "string")]
        columns += [Column(stat, "integer") for stat in COUNTS]
        columns += [Column(stat, "number") for stat in NUMBERS]
        return {"result_dataset": TableSchema(tuple(columns))}


def _assemble(schema: TableSchema, rows: list[dict[str, float]]) -> pd.DataFrame:
    out = pd.DataFrame({FEATURE: pd.Series(schema.names, dtype="str")})
    for stat in COUNTS:
        out[stat] = np.array([row[stat] for row in rows], dtype="int64")
    for stat in NUMBERS:
        out[stat] = np.array([row.get(stat, np.nan) for row in rows], dtype="float64")
    return out


def _summary(series: pd.Series, numeric: bool) -> dict[str, float]:
    present = series.dropna()
    row: dict[str, float] = {
        "Count": len(present),
        "Unique Value Count": int(present.nunique()),
        "Missing Value Count": len(series) - len(present),
    }
    if not numeric or len(present) == 0:
        return row
    values = present.to_numpy(dtype="float64")
    x = pd.Series(values)
    quantiles = x.quantile([0.25, 0.5, 0.75, *PERCENTILES.values()]).to_numpy()
    mean = float(x.mean())
    low, high = float(values.min()), float(values.max())
    row.update(
        {
            "Min": low,
            "Max": high,
            "Mean": mean,
            "Mean Deviation": float((x - mean).abs().mean()),
            "1st Quartile": float(quantiles[0]),
            "Median": float(quantiles[1]),
            "3rd Quartile": float(quantiles[2]),
            "Mode": float(x.mode().iloc[0]),
            "Range": high - low,
            "Sample Variance": float(x.var(ddof=1)),
            "Sample Standard Deviation": float(x.std(ddof=1)),
            "Sample Skewness": float(cast(float, x.skew())),
            "Sample Kurtosis": float(cast(float, x.kurt())),
        }
    )
    row.update({name: float(q) for name, q in zip(PERCENTILES, quantiles[3:], strict=True)})
    return row
