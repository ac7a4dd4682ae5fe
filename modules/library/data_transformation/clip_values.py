"""Clip Values: replace values above or below a threshold."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator

from modules.sdk import (
    Column,
    ColumnSelection,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
)
from modules.sdk import columns as column_selection

from ._columns import floats, prune, require_numeric, unique_name

Substitute = Literal["Threshold", "Mean", "Median", "Missing"]
NUMERIC_COLUMNS = {"start": "none", "rules": [{"op": "include", "types": ["numeric"]}]}
CLIPPED_SUFFIX = "_clipped"
INDICATOR_SUFFIX = "_is_clipped"


class ClipValues(Module):
    """Find values above an upper threshold (peaks) or below a lower one (subpeaks) and replace them.

    Thresholds are constants or percentiles of each column (linear interpolation, as
    ``numpy.percentile``). A clipped value becomes the threshold, the column's mean or median
    (of its original values) or missing. With "Overwrite" unchecked the clipped values go to a new
    column ``<column>_clipped``; "Add indicator columns" adds a true/false ``<column>_is_clipped``.
    Clipped columns hold decimals. Better than Azure: a lower threshold above the upper one is
    refused when the parameters are checked, and a text column in the selection fails naming it.
    """

    id = "clip_values"
    name = "Clip Values"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        set_of_thresholds: Literal["ClipPeaks", "ClipSubpeaks", "ClipPeaksAndSubpeaks"] = Field(
            "ClipPeaks",
            title="Set of thresholds",
            description="Clip values above the upper threshold, below the lower one, or both.",
        )
        threshold: Literal["Constant", "Percentile"] = Field(
            "Constant", title="Threshold", description="Thresholds as constant values or as percentiles of each column."
        )
        constant_value_for_upper_threshold: float = Field(
            99.0, title="Constant value for upper threshold", description="Values above this are peaks (Constant)."
        )
        constant_value_for_lower_threshold: float = Field(
            0.0, title="Constant value for lower threshold", description="Values below this are subpeaks (Constant)."
        )
        percentile_number_for_upper_threshold: float = Field(
            99.0,
            ge=0.0,
            le=100.0,
            title="Percentile number for upper threshold",
            description="Values above this percentile of the column are peaks (Percentile, 0 to 100).",
        )
        percentile_number_for_lower_threshold: float = Field(
            1.0,
            ge=0.0,
            le=100.0,
            title="Percentile number for lower threshold",
            description="Values below this percentile of the column are subpeaks (Percentile, 0 to 100).",
        )
        substitute_value_for_peaks: Substitute = Field(
            "Threshold", title="Substitute value for peaks", description="What replaces a value above the threshold."
        )
        substitute_value_for_subpeaks: Substitute = Field(
            "Threshold",
            title="Substitute value for subpeaks",
            description="What replaces a value below the threshold.",
        )
        list_of_columns: ColumnSelection = column_selection(
            "dataset",
            default=NUMERIC_COLUMNS,
            title="List of columns",
            description="The numeric columns to clip; all numeric columns by default.",
        )
        overwrite_flag: bool = Field(
            True,
            title="Overwrite flag",
            description="Replace the values in place; unchecked, add a '<column>_clipped' column instead.",
        )
        add_indicator_columns: bool = Field(
            False,
            title="Add indicator columns",
            description="Add a true/false '<column>_is_clipped' column marking the clipped values.",
        )

        @model_validator(mode="after")
        def _thresholds_in_order(self) -> ClipValues.Params:
            if self.set_of_thresholds != "ClipPeaksAndSubpeaks":
                return self
            if self.threshold == "Constant":
                low, high = self.constant_value_for_lower_threshold, self.constant_value_for_upper_threshold
                names = ("constant_value_for_lower_threshold", "constant_value_for_upper_threshold")
            else:
                low, high = self.percentile_number_for_lower_threshold, self.percentile_number_for_upper_threshold
                names = ("percentile_number_for_lower_threshold", "percentile_number_for_upper_threshold")
            if low > high:
                raise ValueError(f"{names[0]} ({low}) is greater than {names[1]} ({high})")
            return self

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        names = _selected(table.schema, params)
        out = table.df.copy()
        for name in names:
            x = floats(table.df[name])
            clipped, peaks, subpeaks = clip(x, params)
            ctx.log(f"column {name!r}: {int(peaks.sum())} peaks and {int(subpeaks.sum())} subpeaks clipped")
            target = name if params.overwrite_flag else unique_name(name, out.columns, CLIPPED_SUFFIX)
            out[target] = clipped
            if params.add_indicator_columns:
                out[unique_name(name, out.columns, INDICATOR_SUFFIX)] = peaks | subpeaks
        return {"results_dataset": DataTable(out.reset_index(drop=True), prune(table.meta, out.columns))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"results_dataset": None}
        names = _selected(schema, params)
        cols = [Column(c.name, "number") if params.overwrite_flag and c.name in names else c for c in schema.columns]
        for name in names:
            taken = [c.name for c in cols]
            if not params.overwrite_flag:
                cols.append(Column(unique_name(name, taken, CLIPPED_SUFFIX), "number"))
                taken.append(cols[-1].name)
            if params.add_indicator_columns:
                cols.append(Column(unique_name(name, taken, INDICATOR_SUFFIX), "boolean"))
        return {"results_dataset": TableSchema(tuple(cols), dict(schema.meta))}


def _selected(schema: TableSchema, params: ClipValues.Params) -> list[str]:
    names = params.list_of_columns.resolve(schema, param="list_of_columns")
    if not names:
        raise ModuleError("the list of columns selects no columns", param="list_of_columns")
    require_numeric(schema, names, "list_of_columns", "only numeric columns can be clipped")
    return names


def clip(x: np.ndarray, params: ClipValues.Params) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The clipped values and the masks of peaks and subpeaks."""
    present = x[~np.isnan(x)]
    sets = params.set_of_thresholds
    peaks = np.zeros(len(x), dtype=bool)
    subpeaks = np.zeros(len(x), dtype=bool)
    out = x.copy()
    if present.size == 0:
        return out, peaks, subpeaks
    if sets in ("ClipPeaks", "ClipPeaksAndSubpeaks"):
        high = _threshold(present, params, upper=True)
        peaks = ~np.isnan(x) & (x > high)
        out[peaks] = _substitute(present, high, params.substitute_value_for_peaks)
    if sets in ("ClipSubpeaks", "ClipPeaksAndSubpeaks"):
        low = _threshold(present, params, upper=False)
        subpeaks = ~np.isnan(x) & (x < low)
        out[subpeaks] = _substitute(present, low, params.substitute_value_for_subpeaks)
    return out, peaks, subpeaks


def _threshold(present: np.ndarray, params: ClipValues.Params, *, upper: bool) -> float:
    if params.threshold == "Constant":
        return params.constant_value_for_upper_threshold if upper else params.constant_value_for_lower_threshold
    q = params.percentile_number_for_upper_threshold if upper else params.percentile_number_for_lower_threshold
    return float(np.percentile(present, q))


def _substitute(present: np.ndarray, threshold: float, how: str) -> float:
    if how == "Threshold":
        return threshold
    if how == "Mean":
        return float(present.mean())
    if how == "Median":
        return float(np.median(present))
    return float("nan")
