"""Permutation Feature Importance: how much a trained model's score drops when one feature is shuffled."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from modules.library._features import features_for
from modules.library._learners import quantiles_of
from modules.library.scoring.score_model import score_table
from modules.sdk import (
    Column,
    DataTable,
    FittedModel,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
    TrainedModel,
)

Metric = Literal[
    "Accuracy",
    "Precision",
    "Recall",
    "Mean Absolute Error",
    "Root Mean Squared Error",
    "Relative Absolute Error",
    "Relative Squared Error",
    "Coefficient of Determination",
]
CLASSIFICATION_METRICS = ("Accuracy", "Precision", "Recall")
REGRESSION_METRICS = (
    "Mean Absolute Error",
    "Root Mean Squared Error",
    "Relative Absolute Error",
    "Relative Squared Error",
    "Coefficient of Determination",
)
#: Metrics where lower is better: importance is then the rise of the error, not the fall of the score.
ERRORS = frozenset(REGRESSION_METRICS[:4])
FEATURE, SCORE = "Feature", "Score"


class PermutationFeatureImportance(Module):
    """Rank a trained model's features by how much shuffling each one worsens its predictions.

    The test data is scored once as it is, then once per feature with that feature's values shuffled
    (one random permutation per feature, drawn in feature order from the random seed, so the same
    seed gives the same table; 0 is a seed like any other, where Azure reads it as "use the clock").
    Every scoring goes through Score Model's own path, so the predictions are exactly those Score
    Model would make. A feature's Score is how much worse the chosen metric got: the fall of
    Accuracy, Precision, Recall or Coefficient of Determination, the rise of an error. Near zero
    means the model does not rely on the feature; below zero, shuffling it happened to help.

    Accuracy, Precision and Recall are for two-class and multiclass models (Precision and Recall of
    the positive class, the second of the label's two values in sorted order, for two-class models;
    the unweighted average over classes for multiclass ones); the errors and Coefficient of
    Determination are for regression models (Azure's list also offers Precision and Recall for
    regression, which are not defined there). Rows whose label is missing are left out. The result
    has one row per feature the model was trained with, best first (ties in training order).
    """

    id = "permutation_feature_importance"
    name = "Permutation Feature Importance"
    category = "Feature Selection"
    #: An analysis of the model, never part of what an endpoint serves.
    inference = "drop"

    class Inputs:
        trained_model = In(TrainedModel, "Trained model")
        test_data = In(Table, "Test data")

    class Outputs:
        feature_importance = Out(Table, "Feature importance")

    class Params(ParamModel):
        random_seed: int = Field(
            0,
            ge=0,
            le=2**32 - 1,
            title="Random seed",
            description="Seed of the shuffles; the same seed gives the same importances.",
        )
        metric_for_measuring_performance: Metric = Field(
            "Accuracy",
            title="Metric for measuring performance",
            description="Accuracy, Precision or Recall for classification models; an error or the "
            "Coefficient of Determination for regression models.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        model: FittedModel = inputs["trained_model"]
        table: DataTable = inputs["test_data"]
        metric = params.metric_for_measuring_performance
        _check(model, metric)
        data = _labelled_rows(table, model, ctx)
        baseline = _measure(model, data, metric)
        ctx.log(f"{metric} without shuffling: {baseline:.6g}")
        rng = np.random.default_rng(params.random_seed)
        features = list(model.feature_columns)
        scores = []
        for i, name in enumerate(features):
            ctx.check_cancelled()
            ctx.progress(i / len(features), f"shuffling {name!r}")
            shuffled = data.df.copy()
            shuffled[name] = data.df[name].iloc[rng.permutation(len(data.df))].reset_index(drop=True)
            value = _measure(model, DataTable(shuffled, data.meta), metric)
            scores.append(value - baseline if metric in ERRORS else baseline - value)
        ctx.progress(1.0, "done")
        importance = np.asarray(scores, dtype="float64")
        order = np.argsort(-importance, kind="stable")
        out = pd.DataFrame({FEATURE: pd.Series([features[i] for i in order], dtype="str"), SCORE: importance[order]})
        return {"feature_importance": DataTable(out)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {"feature_importance": TableSchema((Column(FEATURE, "string"), Column(SCORE, "number")))}


def _check(model: FittedModel, metric: str) -> None:
    if model.task in ("binary", "multiclass"):
        if metric not in CLASSIFICATION_METRICS:
            raise ModuleError(
                f"{metric} measures regression models; for this {model.task} classifier choose "
                + ", ".join(CLASSIFICATION_METRICS),
                param="metric_for_measuring_performance",
            )
        return
    if model.task == "regression" and not _is_quantile(model):
        if metric not in REGRESSION_METRICS:
            raise ModuleError(
                f"{metric} measures classifiers; for this regression model choose " + ", ".join(REGRESSION_METRICS),
                param="metric_for_measuring_performance",
            )
        return
    kind = "quantile regression" if model.task == "regression" else model.task
    raise ModuleError(
        f"permutation importance needs a two-class, multiclass or regression model, not a {kind} model",
        port="trained_model",
    )


def _is_quantile(model: FittedModel) -> bool:
    return quantiles_of(model.estimator) is not None


def _labelled_rows(table: DataTable, model: FittedModel, ctx: RunContext) -> DataTable:
    label = model.label_column
    df = table.df
    if label not in df.columns:
        raise ModuleError(
            f"label column {label!r}, which the model was trained to predict, is not in the test data",
            port="test_data",
            column=label,
        )
    known = df[df[label].notna()].reset_index(drop=True)
    features_for(model.estimator, known, model.feature_types, what=model.name or model.learner, port="test_data")
    if len(known) < len(df):
        ctx.log(f"{len(df) - len(known)} rows without a label are left out")
    if len(known) == 0:
        raise ModuleError(f"the test data has no rows with a value in label column {label!r}", port="test_data")
    return DataTable(known, dict(table.meta))


def _measure(model: FittedModel, data: DataTable, metric: str) -> float:
    scored = score_table(model, data, append=False)
    actual, predicted = scored.df[model.label_column], scored.df[scored.meta["score_columns"]["labels"]]
    if model.task == "regression":
        return _regression(actual.to_numpy(dtype="float64"), predicted.to_numpy(dtype="float64"), metric)
    return _classification(actual, predicted, metric, model)


def _regression(y: np.ndarray, p: np.ndarray, metric: str) -> float:
    """The metric as Evaluate Model computes it."""
    error = y - p
    spread = y - y.mean()
    if metric == "Mean Absolute Error":
        return float(np.abs(error).mean())
    if metric == "Root Mean Squared Error":
        return float(np.sqrt((error**2).mean()))
    if metric == "Relative Absolute Error":
        return _ratio(float(np.abs(error).sum()), float(np.abs(spread).sum()))
    squared = _ratio(float((error**2).sum()), float((spread**2).sum()))
    return squared if metric == "Relative Squared Error" else 1.0 - squared


def _ratio(top: float, bottom: float) -> float:
    if bottom == 0:
        raise ModuleError(
            "every label in the test data has the same value, so relative errors and the coefficient of "
            "determination are not defined; choose Mean Absolute Error or Root Mean Squared Error",
            param="metric_for_measuring_performance",
        )
    return top / bottom


def _classification(actual: pd.Series, predicted: pd.Series, metric: str, model: FittedModel) -> float:
    y = np.array([_plain(v) for v in actual], dtype=object)
    p = np.array([_plain(v) for v in predicted], dtype=object)
    if metric == "Accuracy":
        return float((y == p).mean())
    classes = [model.classes[-1]] if model.task == "binary" else sorted({*y, *p}, key=str)
    values = []
    for c in classes:
        hits = float(((y == c) & (p == c)).sum())
        base = float((p == c).sum() if metric == "Precision" else (y == c).sum())
        values.append(hits / base if base else 0.0)
    return float(np.mean(values))


def _plain(value: Any) -> Any:
    """Labels as the trained model's classes hold them (numbers as numbers, text as text)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
