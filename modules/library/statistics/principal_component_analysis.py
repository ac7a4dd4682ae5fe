"""Principal Component Analysis: replace numeric columns by their leading principal components."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from modules.library._tables import prune_meta
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

NUMERIC_COLUMNS = {"start": "none", "rules": [{"op": "include", "types": ["numeric"]}]}
PREFIX = "PC"


class PrincipalComponentAnalysis(Module):
    """Project the chosen numeric columns onto their first principal components (Studio classic's PCA).

    The chosen columns are replaced by "PC1", "PC2"... (the first explains the most variance), added
    after the columns that were not chosen, which are kept as they are: a label column survives, so
    the result can go straight to Train Model. With "Normalize dense dataset to zero mean" each
    column's mean is subtracted first (ordinary PCA); without it the components are those of the raw
    values (a truncated SVD). The components are computed exactly, not by Studio classic's randomized
    approximation, and each is signed so its largest loading is positive, as scikit-learn does.
    Columns are not rescaled: put Normalize Data in front when they have different units.

    The transformation output holds the means and loadings as plain numbers, so Apply
    Transformation (and a deployed endpoint) projects new rows with the training-time components.
    Missing values are refused, naming the column (clean them first with Clean Missing Data).
    """

    id = "principal_component_analysis"
    name = "Principal Component Analysis"
    category = "Statistical Functions"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")
        pca_transformation = Out(Transformation, "PCA transformation")

    class Params(ParamModel):
        columns: ColumnSelection = column_selection(
            "dataset",
            default=NUMERIC_COLUMNS,
            title="Select the columns for analysis",
            description="Numeric columns to reduce; all numeric columns by default (exclude a numeric label).",
        )
        number_of_dimensions_to_reduce_to: int = Field(
            2,
            ge=1,
            le=10_000,
            title="Number of dimensions to reduce to",
            description="How many principal components replace the chosen columns; at most their number.",
        )
        normalize_dense_dataset_to_zero_mean: bool = Field(
            True,
            title="Normalize dense dataset to zero mean",
            description="Subtract each column's mean before the analysis (ordinary PCA); unchecked, use raw values.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        names = _selected(table.schema, params)
        if len(table.df) == 0:
            raise ModuleError("the dataset has no rows to analyse", port="dataset")
        k = params.number_of_dimensions_to_reduce_to
        if k > len(table.df):
            raise ModuleError(
                f"{k} dimensions were asked for but the dataset has only {len(table.df)} rows",
                param="number_of_dimensions_to_reduce_to",
            )
        x = _matrix(table.df, names, "dataset")
        spec = _fit(x, names, k, params.normalize_dense_dataset_to_zero_mean)
        shares = ", ".join(f"{s:.1%}" for s in spec["explained_variance_ratio"])
        ctx.log(f"{k} components of {len(names)} columns; share of the variance each explains: {shares}")
        transform = FittedTransform(kind=self.id, spec=spec)
        return {"results_dataset": _apply(spec, table), "pca_transformation": transform}

    @classmethod
    def apply_transform(cls, spec: dict[str, Any], table: DataTable) -> DataTable:
        return _apply(spec, table)

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"results_dataset": None}
        names = _selected(schema, params)
        kept = schema.drop(names)
        components = [Column(name, "number") for name in _component_names(params.number_of_dimensions_to_reduce_to)]
        return {"results_dataset": TableSchema((*kept.columns, *components), prune_meta(schema.meta, kept.names))}


def _selected(schema: TableSchema, params: PrincipalComponentAnalysis.Params) -> list[str]:
    names = params.columns.resolve(schema, param="columns")
    if not names:
        raise ModuleError("no numeric columns are selected for the analysis", param="columns")
    for name in names:
        col = schema.get(name)
        if col is not None and not col.is_numeric:
            raise ModuleError(
                f"column {name!r} is {col.dtype}, not numeric; principal components need numbers",
                param="columns",
                column=name,
            )
    k = params.number_of_dimensions_to_reduce_to
    if k > len(names):
        raise ModuleError(
            f"{k} dimensions were asked for but only {len(names)} columns are selected",
            param="number_of_dimensions_to_reduce_to",
        )
    return names


def _component_names(k: int) -> list[str]:
    return [f"{PREFIX}{i + 1}" for i in range(k)]


def _matrix(df: pd.DataFrame, names: list[str], port: str) -> np.ndarray:
    columns = []
    for name in names:
        if name not in df.columns:
            raise ModuleError(
                f"column {name!r}, which the principal components were computed from, is not in this table",
                port=port,
                column=name,
            )
        try:
            values = pd.to_numeric(df[name]).to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError):
            raise ModuleError(f"column {name!r} is not numeric", port=port, column=name) from None
        missing = int(np.isnan(values).sum())
        if missing:
            raise ModuleError(
                f"column {name!r} has {missing} missing values; fill or remove them first with Clean Missing Data",
                port=port,
                column=name,
            )
        columns.append(values)
    return np.column_stack(columns)


def _fit(x: np.ndarray, names: list[str], k: int, center: bool) -> dict[str, Any]:
    """Means and loadings as JSON lists; rows of ``components`` are the principal axes."""
    mean = x.mean(axis=0) if center else np.zeros(x.shape[1])
    _, singular, vt = np.linalg.svd(x - mean, full_matrices=False)
    leading = np.argmax(np.abs(vt), axis=1)
    vt = vt * np.sign(vt[np.arange(vt.shape[0]), leading])[:, None]
    energy = singular**2
    total = float(energy.sum())
    ratio = energy[:k] / total if total > 0 else np.zeros(k)
    return {
        "columns": list(names),
        "mean": [float(v) for v in mean],
        "components": [[float(v) for v in row] for row in vt[:k]],
        "component_names": _component_names(k),
        "explained_variance_ratio": [float(v) for v in ratio],
        "center": center,
    }


def _apply(spec: dict[str, Any], table: DataTable) -> DataTable:
    names: list[str] = spec["columns"]
    x = _matrix(table.df, names, "dataset")
    projected = (x - np.asarray(spec["mean"], dtype="float64")) @ np.asarray(spec["components"], dtype="float64").T
    kept = [c for c in table.df.columns if c not in set(names)]
    clash = next((c for c in spec["component_names"] if c in kept), None)
    if clash is not None:
        raise ModuleError(
            f"column {clash!r} is already in the table; rename it (Edit Metadata) or include it in the analysis",
            port="dataset",
            column=clash,
        )
    out = table.df[kept].copy()
    for i, name in enumerate(spec["component_names"]):
        out[name] = projected[:, i]
    return DataTable(out, prune_meta(table.meta, [str(c) for c in out.columns]))
