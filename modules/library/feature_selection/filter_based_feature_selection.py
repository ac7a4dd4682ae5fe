"""Filter Based Feature Selection: score each feature column against the target, keep the best ones."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pydantic import Field

from modules.library._tables import prune_meta
from modules.sdk import (
    Column,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
    column,
)

Method = Literal[
    "Pearson Correlation",
    "Mutual Information",
    "Kendall Correlation",
    "Spearman Correlation",
    "Chi Squared",
    "Count Based",
]
Correlation = Literal["pearson", "kendall", "spearman"]
CORRELATIONS: dict[str, Correlation] = {
    "Pearson Correlation": "pearson",
    "Kendall Correlation": "kendall",
    "Spearman Correlation": "spearman",
}
#: Column types a correlation can use; true/false counts as 0/1.
CORRELATABLE = frozenset({"integer", "number", "boolean"})
#: A numeric column with more distinct values than this is cut into this many equal-count bins for
#: Chi Squared and Mutual Information, which compare categories.
BINS = 10
FEATURE, SCORE, SELECTED = "Feature", "Score", "Selected"


class FilterBasedFeatureSelection(Module):
    """Score every feature column by its relation to the target column, and keep the N best.

    Methods (Studio classic's, but Fisher Score):

    - Pearson, Kendall and Spearman Correlation: the absolute value of the correlation coefficient
      between feature and target, so a strong negative relation ranks as high as a strong positive
      one. Feature and target must be integer, decimal or true/false (as 0/1); a text column is an
      error naming it (use Chi Squared or Mutual Information, or drop it with Select Columns first).
    - Chi Squared: the chi-squared statistic of the feature-by-target contingency table (no
      continuity correction); Mutual Information: the mutual information of feature and target, in
      nats. Both compare categories, so a numeric column with more than 10 distinct values is first
      cut into 10 bins of equal counts (quantile bins); other columns use their values as they are.
    - Count Based: the number of values present and not zero (not false, not empty text); it needs
      no target column.

    Each pair uses the rows where both feature and target are present. A feature with no defined
    score (a constant column) scores 0, and the log names it. With "Operate on feature columns
    only" the label and score columns a table carries (after Score Model) are neither scored nor
    dropped; unchecked, every column but the target is a candidate.

    Filtered dataset: the selected features, the target column and any column that was not a
    candidate, in the input's order. Features: a tidy table, one row per candidate with its Score
    and whether it was Selected, best first (ties in table order). Azure writes one row with a
    column per feature instead; with hundreds of features that is a single line to scroll
    sideways, while rows sort, page and read top-down as the ranking they are. For an inference
    pipeline the node is removed (the trained model picks its own feature columns), as Azure
    advises replacing it with a column selection.
    """

    id = "filter_based_feature_selection"
    name = "Filter Based Feature Selection"
    category = "Feature Selection"
    inference = "pass_through"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        filtered_dataset = Out(Table, "Filtered dataset")
        features = Out(Table, "Features")

    class Params(ParamModel):
        feature_scoring_method: Method = Field(
            "Pearson Correlation",
            title="Feature scoring method",
            description="How each feature column is scored against the target column.",
        )
        operate_on_feature_columns_only: bool = Field(
            True,
            title="Operate on feature columns only",
            description="Score only feature columns, keeping label and score columns as they are; "
            "unchecked, every column but the target is scored.",
        )
        target_column: str | None = column(
            "dataset",
            default=None,
            title="Target column",
            description="The column features are scored against (not needed for Count Based).",
        )
        number_of_desired_features: int = Field(
            1,
            ge=1,
            le=100_000,
            title="Number of desired features",
            description="How many of the best-scoring features to keep.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        target, candidates = _plan(table.schema, params)
        if len(table.df) == 0:
            raise ModuleError("the dataset has no rows to score features on", port="dataset")
        scores = np.array([_score(table, name, target, params.feature_scoring_method) for name in candidates])
        undefined = [n for n, s in zip(candidates, scores, strict=True) if np.isnan(s)]
        if undefined:
            ctx.log(f"scored 0, no score is defined (no spread or too few values): {', '.join(undefined)}")
        scores = np.nan_to_num(scores, nan=0.0)
        order = np.argsort(-scores, kind="stable")
        chosen = {candidates[i] for i in order[: params.number_of_desired_features]}
        ctx.log(f"kept {len(chosen)} of {len(candidates)} features: {', '.join(n for n in candidates if n in chosen)}")
        dropped = set(candidates) - chosen
        kept = [str(c) for c in table.df.columns if c not in dropped]
        ranking = pd.DataFrame(
            {
                FEATURE: pd.Series([candidates[i] for i in order], dtype="str"),
                SCORE: scores[order].astype("float64"),
                SELECTED: np.array([candidates[i] in chosen for i in order], dtype=bool),
            }
        )
        return {
            "filtered_dataset": DataTable(table.df[kept].copy(), prune_meta(table.meta, kept)),
            "features": DataTable(ranking),
        }

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        features = TableSchema((Column(FEATURE, "string"), Column(SCORE, "number"), Column(SELECTED, "boolean")))
        schema = inputs.get("dataset")
        if schema is None:
            return {"filtered_dataset": None, "features": features}
        _, candidates = _plan(schema, params)
        # Which features survive depends on the data, unless all of them do.
        filtered = schema if params.number_of_desired_features == len(candidates) else None
        return {"filtered_dataset": filtered, "features": features}


def _plan(schema: TableSchema, params: FilterBasedFeatureSelection.Params) -> tuple[str | None, list[str]]:
    """The target column and the candidate features, checked against the schema."""
    method = params.feature_scoring_method
    target = params.target_column or None
    if target is None and method != "Count Based":
        raise ModuleError(f"{method} scores features against a target column; choose one", param="target_column")
    if target is not None and target not in schema:
        raise ModuleError(
            f"target column {target!r} is not in the dataset (available: {', '.join(schema.names)})",
            param="target_column",
            column=target,
        )
    roles: set[str] = set()
    if params.operate_on_feature_columns_only:
        roles = {schema.meta.get("label_column"), *dict(schema.meta.get("score_columns") or {}).values()} - {None}
    candidates = [n for n in schema.names if n != target and n not in roles]
    if not candidates:
        raise ModuleError("the dataset has no feature columns to score", port="dataset")
    wanted = params.number_of_desired_features
    if wanted > len(candidates):
        raise ModuleError(
            f"{wanted} features were asked for but the dataset has only {len(candidates)} feature columns",
            param="number_of_desired_features",
        )
    if method in CORRELATIONS:
        for name in [target, *candidates]:
            col = schema.get(name) if name else None
            if col is not None and col.dtype not in CORRELATABLE:
                what = "target column" if name == target else "column"
                raise ModuleError(
                    f"{what} {name!r} is {col.dtype}; {method} needs numbers or true/false values "
                    "(use Chi Squared or Mutual Information, or leave the column out with Select Columns in Dataset)",
                    param="target_column" if name == target else "feature_scoring_method",
                    column=name,
                )
    return target, candidates


def _score(table: DataTable, name: str, target: str | None, method: str) -> float:
    feature = table.df[name]
    if method == "Count Based":
        return float(_count_non_zero(feature))
    assert target is not None  # _plan refuses every other method without one
    if method in CORRELATIONS:
        x, y = _floats(feature), _floats(table.df[target])
        both = ~(np.isnan(x) | np.isnan(y))
        if both.sum() < 2 or np.ptp(x[both]) == 0 or np.ptp(y[both]) == 0:
            return float("nan")
        r = pd.Series(x[both]).corr(pd.Series(y[both]), method=CORRELATIONS[method])
        return abs(float(r))
    x_codes, y_codes = _categories(feature), _categories(table.df[target])
    both = (x_codes >= 0) & (y_codes >= 0)
    return (
        _chi_squared(x_codes[both], y_codes[both]) if method == "Chi Squared" else _mutual(x_codes[both], y_codes[both])
    )


def _floats(series: pd.Series) -> np.ndarray:
    if ptypes.is_bool_dtype(series.dtype):
        series = series.astype("Float64")
    return np.asarray(pd.to_numeric(series).to_numpy(dtype="float64", na_value=np.nan), dtype="float64")


def _categories(series: pd.Series) -> np.ndarray:
    """Integer category codes (-1 for missing): the values, or 10 quantile bins of a many-valued number."""
    if ptypes.is_numeric_dtype(series.dtype) and not ptypes.is_bool_dtype(series.dtype):
        x = pd.Series(series.to_numpy(dtype="float64", na_value=np.nan))
        if x.nunique() > BINS:
            return np.asarray(pd.qcut(x, BINS, labels=False, duplicates="drop").fillna(-1), dtype="int64")
        return np.asarray(pd.factorize(x, sort=True)[0], dtype="int64")
    return np.asarray(pd.factorize(series.astype(object), sort=False)[0], dtype="int64")


def _chi_squared(x: np.ndarray, y: np.ndarray) -> float:
    from scipy.stats import chi2_contingency

    observed = pd.crosstab(x, y).to_numpy()
    if observed.shape[0] < 2 or observed.shape[1] < 2:
        return float("nan")
    return float(chi2_contingency(observed, correction=False).statistic)


def _mutual(x: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import mutual_info_score

    if len(x) == 0:
        return float("nan")
    return float(mutual_info_score(y, x))


def _count_non_zero(series: pd.Series) -> int:
    present = series.dropna()
    if ptypes.is_bool_dtype(series.dtype):
        return int(present.astype(bool).sum())
    if ptypes.is_numeric_dtype(series.dtype):
        return int((present.to_numpy(dtype="float64") != 0).sum())
    return int((present.astype(str) != "").sum())
