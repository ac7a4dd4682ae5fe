"""Cross Validate Model: train and score a learner k times, each fold held out once; also the fold machinery Tune uses.

The helpers below (:func:`check_learner`, :func:`check_labelled`, :func:`fold_assignments`,
:func:`train_quietly`, :func:`score_metrics`) are shared with Tune Model Hyperparameters, so a
fold there is trained, scored and measured exactly as here: with Train Model's ``run`` and
Score Model's ``score_table``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from modules.library._learners import CLUSTERING, quantiles_of, refuse_parameter_range
from modules.library.scoring.score_model import SCORED_LABELS, SCORED_PROBABILITIES, THRESHOLD, score_table
from modules.library.training.train_model import TrainModel
from modules.sdk import (
    DataTable,
    FittedModel,
    In,
    Learner,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    StoredTable,
    Table,
    TableStore,
    UntrainedModel,
    column,
    threads_of,
)
from modules.sdk.params import DatasetRef

FOLD_ASSIGNMENTS = "Fold Assignments"
FOLD_NUMBER = "Fold Number"
EXAMPLES = "Number of examples in fold"
MODEL = "Model"
MEAN = "Mean"
STANDARD_DEVIATION = "Standard Deviation"
CLASSIFICATION_METRICS = ("Accuracy", "Precision", "Recall", "F-score", "AUC", "Average log loss")
REGRESSION_METRICS = (
    "Mean absolute error",
    "Root of mean squared error",
    "Relative absolute error",
    "Relative squared error",
    "Coefficient of determination",
)
#: The metrics where a smaller value is better; every other metric is better when larger.
LOWER_IS_BETTER = frozenset(
    {"Average log loss", "Mean absolute error", "Root of mean squared error", "Relative absolute error"}
    | {"Relative squared error"}
)
CLASS_PROBABILITY = f'{SCORED_PROBABILITIES} for Class "'


class CrossValidateModel(Module):
    """Estimate how well a learner generalizes: split the rows into folds, train on all but one, score that one.

    Each fold is trained exactly as Train Model trains (same encoding, same checks) and scored
    exactly as Score Model scores. "Scored results" is the whole dataset with the score columns and a
    "Fold Assignments" column (0 to k-1: the fold in which the row was held out and scored); it
    records its label and score columns, so Evaluate Model can measure it directly. "Evaluation
    results by fold" has one row per fold ("Fold Number", "Number of examples in fold", "Model" and
    the metrics Tune Model Hyperparameters ranks by) plus "Mean" and "Standard Deviation" rows (the
    sample standard deviation, n - 1).

    Better than Azure: the number of folds is a parameter (Azure fixes 10 and sends you to Partition
    and Sample for other counts), classification folds are stratified (``StratifiedKFold``: every
    fold keeps the label's class proportions, so no fold trains without a class), regression folds
    are ``KFold``, both shuffled with the random seed; multiclass folds report precision, recall,
    F-score (macro-averaged), AUC (one-vs-rest, macro) and log loss, not accuracy alone; and an error
    in one fold says which fold.
    """

    id = "cross_validate_model"
    name = "Cross Validate Model"
    category = "Model Scoring & Evaluation"

    class Inputs:
        untrained_model = In(UntrainedModel, "Untrained model")
        dataset = In(Table, "Dataset")

    class Outputs:
        scored_results = Out(Table, "Scored results")
        evaluation_results_by_fold = Out(Table, "Evaluation results by fold")

    class Params(ParamModel):
        label_column: str = column(
            "dataset", title="Label column", description="The column the model learns to predict."
        )
        random_seed: int = Field(
            0, ge=0, title="Random seed", description="Seed of the random assignment of rows to folds."
        )
        number_of_folds: int = Field(
            10,
            ge=2,
            le=100,
            title="Number of folds",
            description="How many parts the rows are split into; each is held out and scored once.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        learner: Learner = inputs["untrained_model"]
        table: DataTable = inputs["dataset"]
        check_learner(learner, self.name)
        refuse_parameter_range(learner, "untrained_model", self.name)
        label = params.label_column
        check_labelled(table, label, "dataset")
        df = table.df.reset_index(drop=True)
        folds = params.number_of_folds
        assigned = fold_assignments(df[label], learner.task, folds, params.random_seed, "number_of_folds", ctx)
        parts: list[pd.DataFrame] = []
        rows: list[dict[str, Any]] = []
        meta: dict[str, Any] = {}
        for k in range(folds):
            ctx.check_cancelled()
            ctx.progress(k / folds, f"fold {k + 1} of {folds}")
            held_out = assigned == k
            model = train_quietly(
                learner,
                DataTable(df[~held_out].reset_index(drop=True), table.meta),
                label,
                ctx,
                where=f"fold {k}",
                port="dataset",
            )
            scored = score_table(model, DataTable(df[held_out], table.meta))
            meta = scored.meta
            part = scored.df
            part[FOLD_ASSIGNMENTS] = np.int64(k)
            parts.append(part)
            rows.append({FOLD_NUMBER: str(k), EXAMPLES: int(held_out.sum()), **score_metrics(scored, label)})
        ctx.progress(1.0, "cross-validated")
        results = pd.concat(parts).sort_index()
        by_fold = _by_fold_table(rows, learner.name or learner.learner, metric_names(learner.task))
        ctx.log(f"{folds}-fold cross-validation of {learner.name or learner.learner} on {len(df)} rows")
        return {"scored_results": DataTable(results, meta), "evaluation_results_by_fold": DataTable(by_fold, {})}


def _by_fold_table(rows: list[dict[str, Any]], model: str, metrics: tuple[str, ...]) -> pd.DataFrame:
    values = pd.DataFrame([[row[m] for m in metrics] for row in rows], columns=list(metrics), dtype="float64")
    out = pd.DataFrame(
        {
            FOLD_NUMBER: pd.Series([row[FOLD_NUMBER] for row in rows] + [MEAN, STANDARD_DEVIATION], dtype="str"),
            EXAMPLES: pd.array([row[EXAMPLES] for row in rows] + [None, None], dtype="Int64"),
            MODEL: pd.Series([model] * (len(rows) + 2), dtype="str"),
        }
    )
    summary = pd.DataFrame([values.mean(), values.std()], columns=list(metrics))
    return pd.concat([out, pd.concat([values, summary], ignore_index=True)], axis=1)


# -- shared with Tune Model Hyperparameters -----------------------------------------------------------------


def metric_names(task: str) -> tuple[str, ...]:
    """The metric columns reported for a learner's task."""
    return REGRESSION_METRICS if task == "regression" else CLASSIFICATION_METRICS


def check_learner(learner: Learner, consumer: str, port: str = "untrained_model") -> None:
    """Refuse learners that Train Model cannot fit or whose scores have no metrics here."""
    what = learner.name or learner.learner
    if learner.task == CLUSTERING:
        raise ModuleError(
            f"{what} is a clustering learner; {consumer} takes a classification or regression learner "
            "(train clustering models with Train Clustering Model)",
            port=port,
        )
    if learner.task == "anomaly":
        raise ModuleError(
            f"{what} is an anomaly detection learner; {consumer} takes a classification or regression "
            "learner (train anomaly detectors with Train Anomaly Detection Model)",
            port=port,
        )
    if learner.task == "regression" and quantiles_of(learner.estimator) is not None:
        raise ModuleError(
            f"{what} predicts quantiles, which {consumer} does not measure; train it with Train Model "
            "and measure it with Evaluate Model (quantile loss)",
            port=port,
        )


def check_labelled(table: DataTable, label: str, port: str, param: str = "label_column") -> None:
    """The table has rows and a label column without missing values (named in the error)."""
    if len(table.df) == 0:
        raise ModuleError(f"the {port.replace('_', ' ')} has no rows", port=port)
    if label not in table.df.columns:
        raise ModuleError(
            f"label column {label!r} is not in the {port.replace('_', ' ')} "
            f"(available: {', '.join(map(str, table.df.columns))})",
            param=param,
            column=label,
            port=port,
        )
    missing = int(table.df[label].isna().sum())
    if missing:
        raise ModuleError(
            f"label column {label!r} has {missing} missing values in the {port.replace('_', ' ')}; remove those rows "
            "first (Clean Missing Data, cleaning mode 'Remove entire row')",
            param=param,
            column=label,
            port=port,
        )


def fold_assignments(labels: pd.Series, task: str, folds: int, seed: int, param: str, ctx: RunContext) -> np.ndarray:
    """The fold (0 to ``folds`` - 1) of each row: ``StratifiedKFold`` for classes, ``KFold`` for numbers, shuffled."""
    from sklearn.model_selection import KFold, StratifiedKFold

    n = len(labels)
    if folds > n:
        raise ModuleError(
            f"{param.replace('_', ' ')} is {folds}, more than the {n} rows of the dataset; each fold needs a row",
            param=param,
        )
    assigned = np.empty(n, dtype="int64")
    y = np.array([str(v) for v in labels.astype(object)], dtype=object)
    if task == "regression":
        splits = KFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros((n, 1)))
    else:
        smallest = int(pd.Series(y).value_counts().min())
        if smallest < folds:
            ctx.log(
                f"the rarest class of the label has {smallest} rows, fewer than the {folds} folds: "
                "some folds hold none of it"
            )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(np.zeros((n, 1)), y))
    for k, (_, held_out) in enumerate(splits):
        assigned[held_out] = k
    return assigned


class _WithoutProgress:
    """The caller's context, minus progress: Train Model's own 0-to-1 would rewind the caller's bar each fold."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx
        self.node_id = ctx.node_id
        self.seed = ctx.seed
        self.threads = threads_of(ctx)

    def log(self, message: str) -> None:
        self._ctx.log(message)

    def progress(self, fraction: float, message: str = "", detail: Mapping[str, Any] | None = None) -> None:
        return None

    def check_cancelled(self) -> None:
        self._ctx.check_cancelled()

    def load_dataset(self, ref: DatasetRef) -> DataTable:
        return self._ctx.load_dataset(ref)

    def open_dataset(self, ref: DatasetRef) -> StoredTable:
        return self._ctx.open_dataset(ref)

    def load_artifact(self, digest: str) -> bytes:
        return self._ctx.load_artifact(digest)

    def load_file(self, ref: DatasetRef) -> bytes:
        return self._ctx.load_file(ref)

    def map(self, module: Any, inputs: dict[str, Any], params: Any, items: Any, **how: Any) -> list[Any]:
        return self._ctx.map(module, inputs, params, items, **how)

    @property
    def tables(self) -> TableStore:
        return self._ctx.tables

    def score(self, document: Any, tables: Any) -> dict[str, DataTable]:
        return self._ctx.score(document, tables)

    def save_dataset(self, name: str, table: Any, description: str = "") -> DatasetRef:
        return self._ctx.save_dataset(name, table, description)


def train_quietly(
    learner: Learner, table: DataTable, label: str, ctx: RunContext, *, where: str, port: str
) -> FittedModel:
    """``learner`` fitted by Train Model itself; an error says ``where`` and names the caller's ``port``."""
    try:
        out = TrainModel().run(
            {"untrained_model": learner, "dataset": table}, TrainModel.Params(label_column=label), _WithoutProgress(ctx)
        )
    except ModuleError as exc:
        raise ModuleError(
            f"{where}: {exc.message}",
            param=exc.param,
            column=exc.column,
            port=port if exc.port == "dataset" else exc.port,
        ) from exc
    model: FittedModel = out["trained_model"]
    return model


def score_metrics(scored: DataTable, label: str) -> dict[str, float]:
    """The metrics of one table scored by ``score_table``, named as Tune Model Hyperparameters names them.

    NaN where a metric is undefined (AUC when the rows hold one class, a relative error when the
    label is constant, AUC and log loss for a model without probabilities).
    """
    df, meta = scored.df, scored.meta
    if meta.get("task") == "regression":
        return regression_metrics(df[label].to_numpy(dtype="float64"), df[SCORED_LABELS].to_numpy(dtype="float64"))
    if meta.get("task") == "binary":
        return binary_metrics(binary_truth(df[label], meta["positive_class"]), df[SCORED_PROBABILITIES])
    return _multiclass_metrics(df, label)


def binary_truth(labels: pd.Series, positive: Any) -> np.ndarray:
    """Which rows hold the positive class, as ``score_metrics`` compares them."""
    return np.array([v == positive for v in _plain(labels)], dtype=bool)


def regression_metrics(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    error = y - p
    spread = y - y.mean()
    abs_spread, sq_spread = float(np.abs(spread).sum()), float((spread**2).sum())
    return {
        "Mean absolute error": float(np.abs(error).mean()),
        "Root of mean squared error": float(np.sqrt((error**2).mean())),
        "Relative absolute error": float(np.abs(error).sum() / abs_spread) if abs_spread else float("nan"),
        "Relative squared error": float((error**2).sum() / sq_spread) if sq_spread else float("nan"),
        "Coefficient of determination": float(1.0 - (error**2).sum() / sq_spread) if sq_spread else float("nan"),
    }


def binary_metrics(y: np.ndarray, probabilities: Any) -> dict[str, float]:
    """Two-class metrics of the positive class's probabilities against ``y`` (``binary_truth``)."""
    from sklearn.metrics import f1_score, log_loss, precision_score, recall_score, roc_auc_score

    p = np.asarray(probabilities, dtype="float64")
    predicted = p > THRESHOLD
    both = bool(y.any() and not y.all())
    return {
        "Accuracy": float((predicted == y).mean()),
        "Precision": float(precision_score(y, predicted, zero_division=0)),
        "Recall": float(recall_score(y, predicted, zero_division=0)),
        "F-score": float(f1_score(y, predicted, zero_division=0)),
        "AUC": float(roc_auc_score(y, p)) if both else float("nan"),
        "Average log loss": float(log_loss(y, p, labels=[False, True])),
    }


def _multiclass_metrics(df: pd.DataFrame, label: str) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, f1_score, log_loss, precision_score, recall_score, roc_auc_score

    y = np.array([str(v) for v in _plain(df[label])], dtype=object)
    predicted = np.array([str(v) for v in _plain(df[SCORED_LABELS])], dtype=object)
    values = {
        "Accuracy": float(accuracy_score(y, predicted)),
        "Precision": float(precision_score(y, predicted, average="macro", zero_division=0)),
        "Recall": float(recall_score(y, predicted, average="macro", zero_division=0)),
        "F-score": float(f1_score(y, predicted, average="macro", zero_division=0)),
        "AUC": float("nan"),
        "Average log loss": float("nan"),
    }
    columns = [c for c in df.columns if str(c).startswith(CLASS_PROBABILITY)]
    if not columns:
        return values  # One-vs-One votes and has no probabilities
    classes = [str(c)[len(CLASS_PROBABILITY) : -1] for c in columns]
    probabilities = df[columns].to_numpy(dtype="float64", na_value=0.0)
    # Undefined (left NaN) when the rows hold a class the model never saw, or only one class (AUC).
    with contextlib.suppress(ValueError):
        values["Average log loss"] = float(log_loss(y, probabilities, labels=classes))
    with contextlib.suppress(ValueError):
        values["AUC"] = float(roc_auc_score(y, probabilities, multi_class="ovr", average="macro", labels=classes))
    return values


def _plain(series: pd.Series) -> list[Any]:
    return [v.item() if isinstance(v, np.generic) else v for v in series.astype(object)]
