"""Evaluate Model: metrics and curves for a scored table, optionally beside a second one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from modules.sdk import (
    DataTable,
    In,
    Metrics,
    MetricsPort,
    Module,
    ModuleError,
    Out,
    ParamModel,
    PartitionedTable,
    RunContext,
    Table,
)

THRESHOLD = 0.5
MAX_CURVE_POINTS = 200
MAX_SAMPLE_ROWS = 1000
SCORED_LABELS = "Scored Labels"
SCORED_PROBABILITIES = "Scored Probabilities"


class EvaluateModel(Module):
    """Measure a scored dataset (from Score Model), and compare it with a second one if connected.

    Regression: Mean Absolute Error, Root Mean Squared Error, Relative Absolute Error, Relative
    Squared Error, Coefficient of Determination, plus a sample of actual against predicted values.
    Two-class: Accuracy, Precision, Recall, F1 Score and AUC at threshold 0.5, with the ROC and
    precision-recall curves, the confusion matrix, and the same metrics at thresholds 0 to 1 in
    steps of 0.05 for the threshold slider. Multiclass: overall accuracy, micro/macro-averaged
    precision and recall, confusion matrix. Quantile regression (Fast Forest Quantile Regression):
    the quantile (pinball) loss of each quantile and their average. Clustering (Assign Data to
    Clusters, Train Clustering Model): per cluster and combined, the number of points, the average
    and maximal distance to the cluster's center and the average distance to the other centers; no
    label is needed. Anomaly detection (Score Model on a model from Train Anomaly Detection Model,
    with a label column kept): as two-class, the anomaly score as the probability of the positive
    class, which marks anomalies. The label and score columns are read from the scored table's roles, so no
    column has to be chosen; rows with a missing label are left out (logged).
    """

    id = "evaluate_model"
    name = "Evaluate Model"
    category = "Model Scoring & Evaluation"

    class Inputs:
        scored_dataset = In(Table, "Scored dataset")
        scored_dataset_to_compare = In(Table, "Scored dataset to compare", optional=True)

    class Outputs:
        evaluation_results = Out(MetricsPort, "Evaluation results")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        result = evaluate(inputs["scored_dataset"], "scored_dataset", ctx)
        other = inputs.get("scored_dataset_to_compare")
        if other is not None:
            compared = evaluate(other, "scored_dataset_to_compare", ctx)
            if compared.task != result.task:
                raise ModuleError(
                    f"the datasets cannot be compared: the first is scored for {result.task}, "
                    f"the second for {compared.task}",
                    port="scored_dataset_to_compare",
                )
            result.detail["compare"] = {"values": compared.values, "detail": compared.detail}
        return {"evaluation_results": result}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """Ranking measures (AUC, the ROC curve) have no exact reduction over partitions: the label and score
        columns are gathered here (a few numbers per row; never the features) and measured as ``run`` does."""
        gathered: dict[str, Any] = {}
        for port, table in inputs.items():
            gathered[port] = table.gather(_measured_columns(table))
            ctx.log(f"{port}: {len(gathered[port].df):,} rows of {len(gathered[port].df.columns)} columns gathered")
        return self.run(gathered, params, ctx)


def _measured_columns(table: PartitionedTable) -> list[str] | None:
    """The columns ``evaluate`` reads: the label and the scores (``None``: every column, for clustering,
    whose measures use the features)."""
    meta = table.meta
    if meta.get("task") == "clustering":
        return None
    names = list(table.empty.columns)
    roles = set((meta.get("score_columns") or {}).values()) | {meta.get("label_column")}
    return [n for n in names if n in roles or str(n).startswith((SCORED_LABELS, SCORED_PROBABILITIES, "Quantile:"))]


def evaluate(table: DataTable, port: str, ctx: RunContext) -> Metrics:
    """Metrics of one scored table; ``port`` names the input in errors."""
    df, meta = table.df, table.meta
    scores = dict(meta.get("score_columns") or {})
    scores.setdefault("labels", SCORED_LABELS)
    if SCORED_PROBABILITIES in df.columns:
        scores.setdefault("probabilities", SCORED_PROBABILITIES)
    task = meta.get("task") or ("binary" if "probabilities" in scores else "regression")
    if task == "anomaly":  # an anomaly detector's score and 1/0 labels are measured as a two-class model's
        task = "binary"
    if task == "clustering":
        return _clustering(df, scores, port)
    for role in _required_roles(task, scores):
        if scores.get(role) not in df.columns:
            raise ModuleError(
                f"the {port.replace('_', ' ')} has no {scores.get(role)!r} column; connect the output of Score Model",
                port=port,
                column=scores.get(role),
            )
    label = meta.get("label_column")
    if not label or label not in df.columns:
        raise ModuleError(
            f"the {port.replace('_', ' ')} has no label column"
            + (f" ({label!r} is not in the table)" if label else "")
            + "; score a dataset that still holds the label column",
            port=port,
            column=label,
        )
    known = df[df[label].notna()]
    if len(known) < len(df):
        ctx.log(f"{port}: {len(df) - len(known)} rows without a label are left out")
    if len(known) == 0:
        raise ModuleError(f"the {port.replace('_', ' ')} has no rows with a label", port=port, column=label)
    if task == "regression":
        return _regression(known, label, scores["labels"], port)
    if task == "binary":
        return _binary(known, label, scores, meta.get("positive_class"))
    if task == "quantile_regression":
        return _quantile_regression(known, label, scores, port)
    return _multiclass(known, label, scores["labels"])


def _required_roles(task: str, scores: dict[str, str]) -> list[str]:
    if task == "binary":
        return ["labels", "probabilities"]
    if task == "quantile_regression":
        return [role for role in scores if role.startswith("quantile:")]
    return ["labels"]


# -- regression ---------------------------------------------------------------------------------------


def _numeric_label(df: pd.DataFrame, label: str, port: str) -> np.ndarray:
    try:
        return np.asarray(pd.to_numeric(df[label]).to_numpy(dtype="float64", na_value=np.nan))
    except (TypeError, ValueError):
        raise ModuleError(
            f"label column {label!r} is not numeric; a regression needs numeric labels", port=port, column=label
        ) from None


def _regression(df: pd.DataFrame, label: str, scored: str, port: str) -> Metrics:
    y = _numeric_label(df, label, port)
    p = df[scored].to_numpy(dtype="float64", na_value=np.nan)
    error = y - p
    spread = y - y.mean()
    abs_spread, sq_spread = np.abs(spread).sum(), (spread**2).sum()
    values: dict[str, float | int | str | None] = {
        "Mean Absolute Error": float(np.abs(error).mean()),
        "Root Mean Squared Error": float(np.sqrt((error**2).mean())),
        "Relative Absolute Error": _ratio(np.abs(error).sum(), abs_spread),
        "Relative Squared Error": _ratio((error**2).sum(), sq_spread),
        "Coefficient of Determination": None if sq_spread == 0 else float(1.0 - (error**2).sum() / sq_spread),
    }
    picks = _spread_indices(len(y), MAX_SAMPLE_ROWS)
    detail = {"rows": len(y), "sample": {"actual": y[picks].tolist(), "predicted": p[picks].tolist()}}
    return Metrics(values=values, task="regression", detail=detail)


def _ratio(top: float, bottom: float) -> float | None:
    return None if bottom == 0 else float(top / bottom)


# -- quantile regression ---------------------------------------------------------------------------


def _quantile_regression(df: pd.DataFrame, label: str, scores: dict[str, str], port: str) -> Metrics:
    y = _numeric_label(df, label, port)
    values: dict[str, float | int | str | None] = {}
    for role, column in scores.items():
        if not role.startswith("quantile:"):
            continue
        level = float(role.split(":", 1)[1])
        error = y - df[column].to_numpy(dtype="float64", na_value=np.nan)
        values[f"Quantile Loss:{level:g}"] = float(np.mean(np.maximum(level * error, (level - 1) * error)))
    losses = [v for v in values.values() if isinstance(v, float)]
    values["Average Quantile Loss"] = float(np.mean(losses)) if losses else None
    return Metrics(values=values, task="quantile_regression", detail={"rows": len(y)})


# -- clustering -------------------------------------------------------------------------------------


def _clustering(df: pd.DataFrame, scores: dict[str, str], port: str) -> Metrics:
    distance_roles = sorted((r for r in scores if r.startswith("distance:")), key=lambda r: int(r.split(":")[1]))
    needed = [scores.get("assignments", "Assignments"), *(scores[r] for r in distance_roles)]
    absent = next((c for c in needed if c not in df.columns), None)
    if absent is not None or not distance_roles:
        raise ModuleError(
            f"the {port.replace('_', ' ')} has no {absent or 'DistancesToClusterCenter'!r} column; "
            "connect the output of Assign Data to Clusters",
            port=port,
            column=absent,
        )
    if len(df) == 0:
        raise ModuleError(f"the {port.replace('_', ' ')} has no rows", port=port)
    assigned = df[needed[0]].to_numpy(dtype="int64")
    distances = df[needed[1:]].to_numpy(dtype="float64")
    own = distances[np.arange(len(df)), assigned]
    others = (distances.sum(axis=1) - own) / (distances.shape[1] - 1) if distances.shape[1] > 1 else None
    rows = [_cluster_row("Combined Evaluation", np.ones(len(df), dtype=bool), own, others)]
    for k in range(distances.shape[1]):
        rows.append(_cluster_row(f"Evaluation For Cluster No.{k}", assigned == k, own, others))
    values = {name: value for name, value in rows[0].items() if name != "Result Description"}
    return Metrics(values=values, task="clustering", detail={"rows": len(df), "clusters": rows})


def _cluster_row(
    description: str, members: np.ndarray, own: np.ndarray, others: np.ndarray | None
) -> dict[str, float | int | str | None]:
    count = int(members.sum())
    return {
        "Result Description": description,
        "Average Distance to Cluster Center": float(own[members].mean()) if count else None,
        "Average Distance to Other Center": float(others[members].mean()) if count and others is not None else None,
        "Number of Points": count,
        "Maximal Distance to Cluster Center": float(own[members].max()) if count else None,
    }


# -- two-class ----------------------------------------------------------------------------------------


def _binary(df: pd.DataFrame, label: str, scores: dict[str, str], positive: Any) -> Metrics:
    from sklearn.metrics import precision_recall_curve, roc_auc_score, roc_curve

    codes, observed = _distinct(df[label])
    if positive is None:
        positive = sorted(set(observed) | set(_distinct(df[scores["labels"]])[1]))[-1]
    negative = next((v for v in sorted(set(observed)) if v != positive), None)
    y = np.isin(codes, [i for i, v in enumerate(observed) if v == positive])
    p = df[scores["probabilities"]].to_numpy(dtype="float64", na_value=np.nan)
    both = bool(y.any() and not y.all())
    at_half = _at_threshold(y, p, THRESHOLD)
    values: dict[str, float | int | str | None] = {
        **{name: at_half[name] for name in ("Accuracy", "Precision", "Recall", "F1 Score")},
        "AUC": float(roc_auc_score(y, p)) if both else None,
        "Threshold": THRESHOLD,
    }
    detail: dict[str, Any] = {"rows": len(y), "positive_class": positive, "negative_class": negative}
    tn, fp, fn, tp = _counts(y, p > THRESHOLD)
    detail["confusion_matrix"] = {
        "labels": [negative, positive],
        "matrix": [[tn, fp], [fn, tp]],  # rows: actual, columns: predicted
    }
    if both:
        fpr, tpr, roc_t = roc_curve(y, p)
        keep = _spread_indices(len(fpr), MAX_CURVE_POINTS)
        detail["roc_curve"] = {"fpr": fpr[keep].tolist(), "tpr": tpr[keep].tolist(), "thresholds": _finite(roc_t[keep])}
        precision, recall, pr_t = precision_recall_curve(y, p)
        keep = _spread_indices(len(pr_t), MAX_CURVE_POINTS)
        detail["precision_recall_curve"] = {
            "precision": precision[keep].tolist(),
            "recall": recall[keep].tolist(),
            "thresholds": _finite(pr_t[keep]),
        }
    detail["threshold_table"] = [
        {"threshold": float(t), **_at_threshold(y, p, float(t))} for t in np.round(np.linspace(0, 1, 21), 2)
    ]
    return Metrics(values=values, task="binary", detail=detail)


def _counts(y: np.ndarray, predicted: np.ndarray) -> tuple[int, int, int, int]:
    tp = int((predicted & y).sum())
    fp = int((predicted & ~y).sum())
    fn = int((~predicted & y).sum())
    return int(len(y) - tp - fp - fn), fp, fn, tp


def _at_threshold(y: np.ndarray, p: np.ndarray, threshold: float) -> dict[str, float | int | str | None]:
    tn, fp, fn, tp = _counts(y, p > threshold)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "Accuracy": (tp + tn) / len(y),
        "Precision": precision,
        "Recall": recall,
        "F1 Score": f1,
        "True Positives": tp,
        "False Positives": fp,
        "True Negatives": tn,
        "False Negatives": fn,
    }


# -- multiclass -----------------------------------------------------------------------------------------


def _multiclass(df: pd.DataFrame, label: str, scored: str) -> Metrics:
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, recall_score

    y = np.array([str(v) for v in _plain_values(df[label])], dtype=object)
    p = np.array([str(v) for v in _plain_values(df[scored])], dtype=object)
    labels = sorted(set(y) | set(p))
    values: dict[str, float | int | str | None] = {
        "Overall Accuracy": float(accuracy_score(y, p)),
        "Micro-averaged Precision": float(precision_score(y, p, average="micro", zero_division=0)),
        "Macro-averaged Precision": float(precision_score(y, p, average="macro", zero_division=0)),
        "Micro-averaged Recall": float(recall_score(y, p, average="micro", zero_division=0)),
        "Macro-averaged Recall": float(recall_score(y, p, average="macro", zero_division=0)),
    }
    matrix = confusion_matrix(y, p, labels=labels).tolist()
    return Metrics(
        values=values,
        task="multiclass",
        detail={"rows": len(y), "confusion_matrix": {"labels": labels, "matrix": matrix}},
    )


# -- helpers --------------------------------------------------------------------------------------------


def _distinct(series: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """Each row's position in a list of values, and that list: what ``_plain_values`` gives for the rows, made
    once per distinct value rather than per row (a column with missing values goes row by row, as before)."""
    if series.hasnans:
        values = _plain_values(series)
        return np.arange(len(values)), values
    codes, uniques = pd.factorize(series)
    return codes, _plain_values(pd.Series(uniques, dtype=series.dtype))


def _plain_values(series: pd.Series) -> list[Any]:
    return [v.item() if isinstance(v, np.generic) else v for v in series.astype(object)]


def _spread_indices(n: int, limit: int) -> np.ndarray:
    """At most ``limit`` evenly spread positions in ``range(n)``, first and last included."""
    if n <= limit:
        return np.arange(n)
    return np.unique(np.round(np.linspace(0, n - 1, limit)).astype(int))


def _finite(values: np.ndarray) -> list[float | None]:
    return [float(v) if np.isfinite(v) else None for v in values]
