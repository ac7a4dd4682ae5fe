"""Convert to Dataset: turn a table or a CSV file into a dataset, optionally marking or replacing values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table, TableSchema
from modules.sdk.ports import CsvFile

from ._columns import prune


class ConvertToDataset(Module):
    """Turn a CSV file (from Convert to CSV) or a table into a dataset, optionally cleaning values on the way.

    Connect exactly one of the two inputs. Action None passes the data through; SetMissingValue
    turns every cell equal to the custom missing value (for example ``?`` or ``-999``) into a
    missing value; ReplaceValues replaces missing cells, or cells equal to a custom value, with a
    new value. Matches are exact: numbers compare as numbers (``5`` matches ``5.0``), text as
    text. A text column left holding only numbers after SetMissingValue becomes numeric, and a
    numeric column that receives a text replacement becomes text (the log names it). Better than
    Azure: a CSV file reads back with its column types instead of all text.
    """

    id = "convert_to_dataset"
    name = "Convert to Dataset"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset", optional=True, doc="A table to convert (connect this or the CSV file).")
        csv_file = In(CsvFile, "CSV file", optional=True, doc="A CSV file to read (connect this or the dataset).")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        action: Literal["None", "SetMissingValue", "ReplaceValues"] = Field(
            "None", title="Action", description="Pass through, mark a value as missing, or replace values."
        )
        custom_missing_value: str = Field(
            "?", title="Custom missing value", description="Cells equal to this become missing (SetMissingValue)."
        )
        replace: Literal["Missing", "Custom"] = Field(
            "Missing",
            title="Replace",
            description="Replace missing cells, or cells equal to the custom value (ReplaceValues).",
        )
        custom_value: str = Field(
            "", title="Custom value", description="The value to replace when Replace is Custom (ReplaceValues)."
        )
        new_value: str = Field("0", title="New value", description="The value written instead (ReplaceValues).")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table = _source(inputs)
        df = table.df.copy()
        if params.action == "SetMissingValue":
            for name in df.columns:
                mask = _matches(df[name], params.custom_missing_value)
                if mask.any():
                    ctx.log(f"column {name!r}: {int(mask.sum())} cells set to missing")
                    df[name] = _retype(df[name].mask(mask))
        elif params.action == "ReplaceValues":
            for name in df.columns:
                series = df[name]
                mask = (
                    series.isna().to_numpy() if params.replace == "Missing" else _matches(series, params.custom_value)
                )
                if mask.any():
                    df[name] = _put(series, mask, params.new_value, ctx)
        return {"results_dataset": DataTable(df.reset_index(drop=True), prune(table.meta, df.columns))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None or params.action != "None" or inputs.get("csv_file") is not None:
            return {"results_dataset": None}  # the types depend on the values
        return {"results_dataset": schema}


def _source(inputs: dict[str, Any]) -> DataTable:
    given = [port for port in ("dataset", "csv_file") if inputs.get(port) is not None]
    if len(given) != 1:
        which = "both are" if given else "neither is"
        raise ModuleError(f"connect either Dataset or CSV file ({which} connected)", port="dataset")
    table: DataTable = inputs[given[0]]
    return table


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _matches(series: pd.Series, value: str) -> np.ndarray:
    present = series.notna().to_numpy()
    number = _number(value.strip())
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        if number is None:
            return np.zeros(len(series), dtype=bool)
        return present & (series.to_numpy(dtype="float64", na_value=np.nan) == number)
    text = series.astype(object).map(lambda v: None if v is None or v is pd.NA else str(v))
    return present & (text.to_numpy() == value)


def _retype(series: pd.Series) -> pd.Series:
    """A text column whose remaining values are all numbers becomes numeric."""
    if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return series
    values = series.dropna()
    if values.empty:
        return series
    try:
        numbers = pd.to_numeric(values.astype(str))
    except (TypeError, ValueError):
        return series
    if pd.api.types.is_integer_dtype(numbers.dtype):
        return pd.to_numeric(series).astype("Int64")
    return pd.to_numeric(series).astype("float64")


def _put(series: pd.Series, mask: np.ndarray, raw: str, ctx: RunContext) -> pd.Series:
    number = _number(raw.strip())
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) and raw.strip().lower() in ("true", "false"):
        return series.mask(mask, raw.strip().lower() == "true").astype("boolean")
    if pd.api.types.is_integer_dtype(dtype) and number is not None and number == int(number):
        return series.astype("Int64").mask(mask, int(number))
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype) and number is not None:
        return series.astype("float64").mask(mask, number)
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        return series.astype("str").mask(mask, raw)
    ctx.log(f"column {series.name!r} cannot hold {raw!r} as a {dtype}: it becomes a text column")
    return series.astype("str").mask(mask, raw)
