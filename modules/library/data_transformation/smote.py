"""SMOTE: add synthetic rows of the rarest class by interpolating between near neighbours."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table, TableSchema, column

from ._columns import floats, require_column, require_rows

TEXT_TYPES = ("string", "category", "boolean")


class Smote(Module):
    """Oversample the least frequent class of the label column with SMOTE (imbalanced-learn).

    Each synthetic row lies between a minority row and one of its nearest minority neighbours.
    "SMOTE percentage" sets how many are made: 100 doubles the minority class, 200 triples it.
    The output is the input rows, unchanged and in order, followed by the synthetic rows.
    Numeric features are interpolated (integer columns are rounded back to integers); when there
    are text, category or true/false features, SMOTE-NC is used and they take the most frequent
    value among the neighbours.

    Better than Azure: any percentage works (not only multiples of 100), labels with more than two
    classes are accepted (the rarest class is oversampled), missing or date features fail naming
    the column, too few minority rows for the neighbour count fail naming the parameter, and the
    module passes its input straight through when an inference pipeline is derived, since
    synthetic rows have no place in scoring.
    """

    id = "smote"
    name = "SMOTE"
    category = "Data Transformation"
    inference = "pass_through"

    class Inputs:
        samples = In(Table, "Samples")

    class Outputs:
        table = Out(Table, "Table")

    class Params(ParamModel):
        label_column: str = column(
            "samples",
            title="Label column",
            description="The column holding the class; its rarest class is oversampled.",
        )
        smote_percentage: int = Field(
            100,
            ge=0,
            le=10_000,
            title="SMOTE percentage",
            description="Synthetic rows to add, as a percentage of the minority class (100 doubles it).",
        )
        number_of_nearest_neighbors: int = Field(
            1,
            ge=1,
            le=100,
            title="Number of nearest neighbors",
            description="How many nearest minority neighbours a synthetic row may be drawn towards.",
        )
        random_seed: int = Field(
            0, ge=0, title="Random seed", description="Seed of the random choices; the same seed gives the same rows."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["samples"]
        require_rows(table, "samples")
        schema = table.schema
        label = require_column(schema, params.label_column, "label_column", port="samples")
        features = _features(table.df, schema, label)
        y = _labels(table.df[label], label)
        minority, count = _minority(y, params, label)
        extra = int(np.floor(count * params.smote_percentage / 100 + 0.5))
        if extra == 0:
            ctx.log("no synthetic rows to add")
            return {"table": DataTable(table.df.reset_index(drop=True), dict(table.meta))}
        x = _matrix(table.df, schema, features)
        sampler = _sampler(schema, features, {minority: count + extra}, params)
        x_new, y_new = sampler.fit_resample(x, y)
        synthetic = _frame(x_new[len(x) :], y_new[len(y) :], table.df, schema, features, label)
        out = pd.concat([table.df.reset_index(drop=True), synthetic], ignore_index=True)
        ctx.log(f"class {minority!r}: {count} rows, {extra} synthetic rows added")
        return {"table": DataTable(out, dict(table.meta))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("samples")
        if schema is not None:
            label = require_column(schema, params.label_column, "label_column", port="samples")
            _check_feature_types(schema, label)
        return {"table": schema}


def _check_feature_types(schema: TableSchema, label: str) -> list[str]:
    names = [c.name for c in schema.columns if c.name != label]
    if not names:
        raise ModuleError("SMOTE needs at least one feature column besides the label", param="label_column")
    for col in schema.columns:
        if col.name != label and col.dtype == "datetime":
            raise ModuleError(
                f"feature column {col.name!r} holds dates, which SMOTE cannot interpolate; remove or convert it",
                port="samples",
                column=col.name,
            )
    return names


def _features(df: pd.DataFrame, schema: TableSchema, label: str) -> list[str]:
    names = _check_feature_types(schema, label)
    for name in names:
        missing = int(df[name].isna().sum())
        if missing:
            raise ModuleError(
                f"feature column {name!r} has {missing} missing values, which SMOTE cannot use; "
                "fill or remove them first with Clean Missing Data",
                port="samples",
                column=name,
            )
    return names


def _labels(series: pd.Series, label: str) -> np.ndarray:
    missing = int(series.isna().sum())
    if missing:
        raise ModuleError(f"label column {label!r} has {missing} missing values", param="label_column", column=label)
    return np.asarray(series.to_numpy(dtype=object))


def _minority(y: np.ndarray, params: Smote.Params, label: str) -> tuple[Any, int]:
    values, counts = np.unique(y.astype(str), return_counts=True)
    if len(values) < 2:
        raise ModuleError(f"label column {label!r} has only one class", param="label_column", column=label)
    text = values[int(np.argmin(counts))]
    minority = next(v for v in y if str(v) == text)
    count = int(counts.min())
    if params.number_of_nearest_neighbors >= count and params.smote_percentage > 0:
        raise ModuleError(
            f"the minority class {minority!r} has {count} rows; the number of nearest neighbors must be less "
            f"than that (it is {params.number_of_nearest_neighbors})",
            param="number_of_nearest_neighbors",
        )
    return minority, count


def _matrix(df: pd.DataFrame, schema: TableSchema, features: list[str]) -> np.ndarray:
    columns = []
    for name in features:
        col = schema.get(name)
        assert col is not None
        if col.is_numeric:
            columns.append(floats(df[name]).astype(object))
        else:
            columns.append(np.asarray([str(v) for v in df[name].to_numpy(dtype=object)], dtype=object))
    matrix = np.column_stack(columns)
    if all(schema.get(n).is_numeric for n in features):  # type: ignore[union-attr]
        return matrix.astype("float64")
    return matrix


def _sampler(schema: TableSchema, features: list[str], strategy: dict[Any, int], params: Smote.Params) -> Any:
    from imblearn.over_sampling import SMOTE, SMOTEN, SMOTENC

    common = {
        "sampling_strategy": strategy,
        "k_neighbors": params.number_of_nearest_neighbors,
        "random_state": params.random_seed,
    }
    categorical = [i for i, n in enumerate(features) if schema.get(n).dtype in TEXT_TYPES]  # type: ignore[union-attr]
    if not categorical:
        return SMOTE(**common)
    if len(categorical) == len(features):
        return SMOTEN(**common)
    return SMOTENC(categorical_features=categorical, **common)


def _frame(
    x: np.ndarray, y: np.ndarray, df: pd.DataFrame, schema: TableSchema, features: list[str], label: str
) -> pd.DataFrame:
    """Synthetic rows as a frame with the input's columns, order and dtypes."""
    data: dict[str, Any] = {}
    for i, name in enumerate(features):
        dtype = schema.get(name).dtype  # type: ignore[union-attr]
        values = x[:, i]
        if dtype == "integer":
            data[name] = np.floor(values.astype("float64") + 0.5).astype("int64")
        elif dtype == "number":
            data[name] = values.astype("float64")
        elif dtype == "boolean":
            data[name] = [v == "True" for v in values]
        else:
            data[name] = values
    data[label] = y
    out = pd.DataFrame(data)[list(df.columns)]
    for name in df.columns:
        out[name] = out[name].astype(df[name].dtype)
    return out
