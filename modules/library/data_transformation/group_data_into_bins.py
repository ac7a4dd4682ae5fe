"""Group Data into Bins: replace numbers by the bin they fall in, and keep the bin edges for new data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

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
    RunContext,
    Table,
    TableSchema,
    Transformation,
)
from modules.sdk import columns as column_selection

from ._columns import CATEGORICAL, flag, floats, prune, require_numeric, unique_name

NUMERIC_COLUMNS = {"start": "none", "rules": [{"op": "include", "types": ["numeric"]}]}
SUFFIX = "_quantized"


class GroupDataIntoBins(Module):
    """Put each value of the selected numeric columns into a bin and output the bin instead of the value.

    Binning modes:
    - Quantiles: edges at the quantiles of the column, so bins hold about the same number of rows
      (as ``pandas.qcut``; edges that coincide because of ties are merged, and the log says so);
    - Equal Width: the column's range cut into bins of equal width (as ``pandas.cut``);
    - Custom Edges: your own edges; ``1,5,10`` makes the bins (-inf, 1], (1, 5], (5, 10], (10, inf).

    Bins are closed on the right and numbered from 1. With Quantiles the output can instead be
    normalized: QuantileIndex is the bin number, PQuantile is ``bin / bins`` (in (0, 1]) and Percent
    is ``100 x bin / bins``. Missing values stay missing. Output mode Append adds
    ``<column>_quantized`` columns, Inplace overwrites, ResultOnly keeps only the binned columns;
    "Tag columns as categorical" flags the binned columns categorical in the table's metadata.

    The binning transformation applies the same edges to new data; values beyond the training
    range go to the first or last bin. Better than Azure: constant or empty columns fail naming the
    column, and custom edges that are not increasing are refused when the parameters are checked.
    """

    id = "group_data_into_bins"
    name = "Group Data into Bins"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        quantized_dataset = Out(Table, "Quantized dataset")
        binning_transformation = Out(Transformation, "Binning transformation")

    class Params(ParamModel):
        binning_mode: Literal["Quantiles", "Equal Width", "Custom Edges"] = Field(
            "Quantiles", title="Binning mode", description="How the bin edges are chosen."
        )
        number_of_bins: int = Field(
            10, ge=1, le=1000, title="Number of bins", description="How many bins (Quantiles and Equal Width)."
        )
        columns_to_bin: ColumnSelection = column_selection(
            "dataset",
            default=NUMERIC_COLUMNS,
            title="Columns to bin",
            description="The numeric columns to bin; all numeric columns by default.",
        )
        output_mode: Literal["Append", "Inplace", "ResultOnly"] = Field(
            "Append",
            title="Output mode",
            description="Append '<column>_quantized' columns, overwrite the columns, or return only the binned ones.",
        )
        quantile_normalization: Literal["Percent", "PQuantile", "QuantileIndex"] = Field(
            "QuantileIndex",
            title="Quantile normalization",
            description="How a quantile bin is written: its number, bin/bins, or 100 x bin/bins (Quantiles only).",
        )
        comma_separated_list_of_bin_edges: str = Field(
            "",
            title="Comma-separated list of bin edges",
            description="Increasing edges such as '1,5,10' (Custom Edges only).",
        )
        tag_columns_as_categorical: bool = Field(
            True,
            title="Tag columns as categorical",
            description="Flag the binned columns as categorical in the table's metadata.",
        )

        @field_validator("comma_separated_list_of_bin_edges")
        @classmethod
        def _increasing(cls, value: str) -> str:
            if value.strip():
                parse_edges(value)
            return value

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        names = _selected(table.schema, params)
        spec = _spec(params)
        for name in names:
            edges = _fit(floats(table.df[name]), params, name)
            spec["columns"][name] = {"edges": edges, "bins": len(edges) + 1}
            if params.binning_mode == "Quantiles" and len(edges) + 1 < params.number_of_bins:
                ctx.log(f"column {name!r}: tied values leave {len(edges) + 1} of {params.number_of_bins} bins")
        out = apply_bins(spec, table)
        return {"quantized_dataset": out, "binning_transformation": FittedTransform(kind=self.id, spec=spec)}

    @classmethod
    def apply_transform(cls, spec: dict[str, Any], table: DataTable) -> DataTable:
        return apply_bins(spec, table)

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"quantized_dataset": None}
        names = _selected(schema, params)
        dtype = "number" if _normalization(_spec(params)) in ("Percent", "PQuantile") else "integer"
        targets = _targets(list(schema.names), names, params.output_mode)
        if params.output_mode == "Inplace":
            cols = tuple(Column(c.name, dtype) if c.name in names else c for c in schema.columns)  # type: ignore[arg-type]
        elif params.output_mode == "ResultOnly":
            cols = tuple(Column(n, dtype) for n in names)  # type: ignore[arg-type]
        else:
            cols = (*schema.columns, *(Column(targets[n], dtype) for n in names))  # type: ignore[arg-type]
        meta = prune(schema.meta, [c.name for c in cols])
        if params.tag_columns_as_categorical:
            meta = flag(meta, CATEGORICAL, [targets[n] for n in names], True)
        return {"quantized_dataset": TableSchema(cols, meta)}


def parse_edges(text: str) -> list[float]:
    try:
        edges = [float(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(f"bin edges must be numbers separated by commas, not {text!r}") from None
    if not edges:
        raise ValueError("give at least one bin edge")
    if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
        raise ValueError(f"bin edges must increase: {text!r}")
    return edges


def _spec(params: GroupDataIntoBins.Params) -> dict[str, Any]:
    return {
        "mode": params.binning_mode,
        "normalization": params.quantile_normalization,
        "output_mode": params.output_mode,
        "categorical": params.tag_columns_as_categorical,
        "columns": {},
    }


def _normalization(spec: dict[str, Any]) -> str:
    return str(spec["normalization"]) if spec["mode"] == "Quantiles" else "QuantileIndex"


def _selected(schema: TableSchema, params: GroupDataIntoBins.Params) -> list[str]:
    names = params.columns_to_bin.resolve(schema, param="columns_to_bin")
    if not names:
        raise ModuleError("no columns are selected to bin", param="columns_to_bin")
    require_numeric(schema, names, "columns_to_bin", "only numeric columns can be binned")
    if params.binning_mode == "Custom Edges" and not params.comma_separated_list_of_bin_edges.strip():
        raise ModuleError("Custom Edges needs a list of bin edges", param="comma_separated_list_of_bin_edges")
    return names


def _fit(x: np.ndarray, params: GroupDataIntoBins.Params, name: str) -> list[float]:
    """The interior edges: a value ``v`` goes to bin ``1 + #(edges < v)``."""
    if params.binning_mode == "Custom Edges":
        return parse_edges(params.comma_separated_list_of_bin_edges)
    present = x[~np.isnan(x)]
    if present.size == 0:
        raise ModuleError(f"column {name!r} has no values to bin", param="columns_to_bin", column=name)
    k = params.number_of_bins
    if params.binning_mode == "Equal Width":
        low, high = float(present.min()), float(present.max())
        if low == high:
            raise ModuleError(
                f"column {name!r} has the single value {low}; equal-width bins need a range",
                param="columns_to_bin",
                column=name,
            )
        return [float(e) for e in np.linspace(low, high, k + 1)[1:-1]]
    quantiles = np.quantile(present, np.linspace(0, 1, k + 1))
    return [float(e) for e in np.unique(quantiles)[1:-1]]


def _targets(existing: list[str], names: list[str], output_mode: str) -> dict[str, str]:
    if output_mode != "Append":
        return {n: n for n in names}
    taken = list(existing)
    out = {}
    for name in names:
        out[name] = unique_name(name, taken, SUFFIX)
        taken.append(out[name])
    return out


def apply_bins(spec: dict[str, Any], table: DataTable) -> DataTable:
    df = table.df
    normalization = _normalization(spec)
    results: dict[str, pd.Series] = {}
    for name, info in spec["columns"].items():
        if name not in df.columns:
            raise ModuleError(
                f"column {name!r}, which the bins were fitted on, is not in this table", port="dataset", column=name
            )
        try:
            x = floats(df[name])
        except (TypeError, ValueError):
            raise ModuleError(f"column {name!r} is not numeric", port="dataset", column=name) from None
        index = np.searchsorted(np.asarray(info["edges"], dtype="float64"), x, side="left") + 1
        if normalization == "QuantileIndex":
            values = pd.Series(pd.array(np.where(np.isnan(x), 0, index), dtype="Int64"), index=df.index)
            values[np.isnan(x)] = pd.NA
        else:
            scale = 100.0 if normalization == "Percent" else 1.0
            values = pd.Series(np.where(np.isnan(x), np.nan, scale * index / info["bins"]), index=df.index)
        results[name] = values
    names = list(spec["columns"])
    targets = _targets(list(df.columns), names, spec["output_mode"])
    if spec["output_mode"] == "ResultOnly":
        out = pd.DataFrame({n: results[n] for n in names}, index=df.index)
    else:
        out = df.copy()
        for name in names:
            out[targets[name]] = results[name]
    meta = prune(table.meta, out.columns)
    if spec["categorical"]:
        meta = flag(meta, CATEGORICAL, [targets[n] for n in names], True)
    return DataTable(out.reset_index(drop=True), meta)
