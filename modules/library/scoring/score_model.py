"""Score Model: predict with a trained model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from modules.library._compiled import fast_predictor
from modules.library._features import features_for
from modules.library._learners import CLUSTERING, final_step, quantile_column, quantiles_of
from modules.library.algorithms.one_class_svm import outlier_probabilities
from modules.library.algorithms.pca_based_anomaly_detection import reconstruction_scores
from modules.library.scoring.assign_data_to_clusters import assign_table
from modules.sdk import (
    DataTable,
    FittedModel,
    In,
    Module,
    Out,
    ParamModel,
    PartitionedTable,
    RunContext,
    Table,
    TableSchema,
    TrainedModel,
    threads_of,
)

SCORED_LABELS = "Scored Labels"
SCORED_PROBABILITIES = "Scored Probabilities"
#: A row is scored as the positive class when its probability is above this (as Azure's default).
THRESHOLD = 0.5


class ScoreModel(Module):
    """Add predictions to a table: "Scored Labels" and, for two-class models, "Scored Probabilities".

    (Multiclass models add one 'Scored Probabilities for Class "<value>"' column per class, as Azure,
    except One-vs-One models, which vote and so write "Scored Labels" only. Quantile models, from Fast
    Forest Quantile Regression, write one "Quantile:<level>" column per quantile instead of "Scored
    Labels". A clustering model is scored as Assign Data to Clusters would.)

    "Scored Probabilities" is the probability of the positive class, the second of the label's two
    values in sorted order (``1`` of 0/1, ``True`` of false/true, ``>50K`` of ``<=50K``/``>50K``);
    "Scored Labels" is the positive class when that probability is above 0.5. The output records
    which column is the label and which are scores, so Evaluate Model needs no column settings.
    A missing feature column is reported by name.

    An anomaly detection model (from Train Anomaly Detection Model) writes "Scored Probabilities",
    its 0-1 anomaly score, and "Scored Labels", 1 (anomaly) when that score is above 0.5, else 0;
    Evaluate Model measures it as a two-class model whose positive class marks anomalies.
    """

    id = "score_model"
    name = "Score Model"
    category = "Model Scoring & Evaluation"

    class Inputs:
        trained_model = In(TrainedModel, "Trained model")
        dataset = In(Table, "Dataset")

    class Outputs:
        scored_dataset = Out(Table, "Scored dataset")

    class Params(ParamModel):
        append_score_columns_to_output: bool = Field(
            True,
            title="Append score columns to output",
            description="Keep the input columns next to the scores; unchecked, only the label and scores.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        model: FittedModel = inputs["trained_model"]
        table: DataTable = inputs["dataset"]
        scored = score_table(model, table, append=params.append_score_columns_to_output, threads=threads_of(ctx))
        ctx.log(f"scored {len(scored.df)} rows")
        return {"scored_dataset": scored}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """``score_table`` on each partition: every row is scored alone, so the scores are the pandas path's.
        The output's columns and meta come from scoring the first row."""
        model: FittedModel = inputs["trained_model"]
        table: PartitionedTable = inputs["dataset"]
        append = params.append_score_columns_to_output
        sample = score_table(model, DataTable(table.frame.head(1), table.meta), append=append)
        empty = sample.df.iloc[:0]
        frame = table.frame.map_partitions(_score_partition, model, table.meta, append, empty, meta=empty)
        ctx.log(f"scoring {table.npartitions} partitions")
        return {"scored_dataset": PartitionedTable(frame, sample.meta)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        # Which score columns appear (and the type of "Scored Labels") depends on the trained model,
        # which the schema pass does not see.
        return {"scored_dataset": None}


def score_table(model: FittedModel, table: DataTable, *, append: bool = True, threads: int = 1) -> DataTable:
    """``table`` scored by ``model``: the one scoring path, for Score Model and deployed endpoints.

    ``threads``: how many threads a LightGBM model predicts on (Score Model gives it the node's
    ``ctx.threads``; endpoints keep one per request). Each row's sum over the trees is the same on any
    number of threads, so the scores do not change; scikit-learn's forests sum their trees' votes in
    whichever order threads finish, so they keep one.
    """
    if model.task == CLUSTERING:
        return assign_table(model, table, append=append)
    df = table.df
    features = features_for(model.estimator, df, model.feature_types, what=model.name or model.learner)
    predictor = fast_predictor(model.estimator)  # the same predictions, without pandas per call
    kwargs = predict_threads(model.estimator, threads)
    scores: dict[str, Any] = {}
    meta: dict[str, Any] = {"task": model.task}
    quantiles = quantiles_of(model.estimator) if model.task == "regression" else None
    if quantiles is not None:
        predicted = np.asarray(model.estimator.transform(features), dtype="float64")
        roles = {f"quantile:{q:g}": quantile_column(q) for q in quantiles}
        scores.update({column: predicted[:, i] for i, column in enumerate(roles.values())})
        meta.update(task="quantile_regression", score_columns=roles)
    elif model.task == "regression":
        scores[SCORED_LABELS] = np.asarray(predictor.predict(features, **kwargs), dtype="float64")
        meta["score_columns"] = {"labels": SCORED_LABELS}
    elif model.task == "anomaly":
        scores.update(_anomaly_scores(model, features))
        meta["score_columns"] = {"labels": SCORED_LABELS, "probabilities": SCORED_PROBABILITIES}
        meta["positive_class"] = model.classes[-1] if model.classes else 1
    elif model.task == "multiclass":
        known = [_python(c) for c in model.estimator.classes_]
        scores[SCORED_LABELS] = _label_series(predictor.predict(features, **kwargs), known, df.index)
        if hasattr(model.estimator, "predict_proba"):  # One-vs-One votes and has none
            probabilities = predictor.predict_proba(features, **kwargs)
            for i, value in enumerate(known):
                scores[f'{SCORED_PROBABILITIES} for Class "{value}"'] = np.asarray(probabilities[:, i], dtype="float64")
        meta["score_columns"] = {"labels": SCORED_LABELS}
    else:
        positive = model.classes[-1]
        known = [_python(c) for c in model.estimator.classes_]
        probabilities = predictor.predict_proba(features, **kwargs)[:, known.index(positive)]
        negative = next(c for c in model.classes if c != positive)
        scores[SCORED_LABELS] = _two_labels(probabilities > THRESHOLD, positive, negative, model.classes, df.index)
        scores[SCORED_PROBABILITIES] = np.asarray(probabilities, dtype="float64")
        meta["score_columns"] = {"labels": SCORED_LABELS, "probabilities": SCORED_PROBABILITIES}
        meta["positive_class"] = positive
    if append:
        out = df.copy(deep=False)  # copy-on-write: the score columns are added to this frame only, no row copied
    else:
        out = df[[model.label_column]].copy() if model.label_column in df.columns else pd.DataFrame(index=df.index)
    for name, values in scores.items():
        out[name] = values
    base = {k: v for k, v in table.meta.items() if k not in ("label_column", "score_columns", "positive_class")}
    if model.label_column in out.columns:
        meta["label_column"] = model.label_column
    return DataTable(out, {**base, **meta})


def _score_partition(
    df: pd.DataFrame, model: FittedModel, meta: dict[str, Any], append: bool, empty: pd.DataFrame
) -> pd.DataFrame:
    """One partition scored (an empty one, which a model may not predict on, as the empty scored frame)."""
    if len(df) == 0:
        return empty
    return score_table(model, DataTable(df, meta), append=append).df


def _anomaly_scores(model: FittedModel, features: pd.DataFrame) -> dict[str, Any]:
    """Azure's two anomaly columns: the 0-1 score and 1/0 for above/not above 0.5."""
    if hasattr(final_step(model.estimator), "components_"):
        probabilities = reconstruction_scores(model.estimator, features)  # PCA-Based Anomaly Detection
    else:
        probabilities = outlier_probabilities(model.estimator, features)  # One-Class SVM
    labels = pd.Series((probabilities > THRESHOLD).astype("int64"), index=features.index, dtype="Int64")
    return {SCORED_LABELS: labels, SCORED_PROBABILITIES: probabilities}


def _two_labels(
    positive_rows: np.ndarray, positive: Any, negative: Any, classes: list[Any], index: pd.Index
) -> pd.Series:
    """``positive`` where ``positive_rows`` holds, else ``negative``, typed as :func:`_label_series` types them;
    text labels are taken from the two values by Arrow, without a Python object per row."""
    if isinstance(positive, str) and isinstance(negative, str) and all(isinstance(c, str) for c in classes):
        import pyarrow as pa

        chosen = pa.array([negative, positive], pa.string()).take(pa.array(positive_rows.astype(np.int8)))
        return pd.Series(chosen, index=index, dtype="str")
    # Numbers and flags chosen as a typed array, not an object per row (the dtypes _label_series gives them).
    if all(isinstance(c, bool) for c in classes) and isinstance(positive, bool) and isinstance(negative, bool):
        return pd.Series(pd.array(np.where(positive_rows, positive, negative), dtype="boolean"), index=index)
    if all(_int64(c) for c in classes) and _int64(positive) and _int64(negative):
        values = np.where(positive_rows, np.int64(positive), np.int64(negative))
        return pd.Series(pd.array(values, dtype="Int64"), index=index)
    return _label_series(_choose(positive_rows, positive, negative), classes, index)


def _int64(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _choose(positive_rows: np.ndarray, positive: Any, negative: Any) -> np.ndarray:
    """``positive`` where ``positive_rows`` holds, else ``negative``: an object array of the two values."""
    labels = np.empty(len(positive_rows), dtype=object)
    labels[positive_rows] = positive
    labels[~positive_rows] = negative
    return labels


def _label_series(labels: Any, classes: list[Any], index: pd.Index) -> pd.Series:
    """The predicted labels (an array) typed as the label column's classes are."""
    if all(isinstance(c, bool) for c in classes):
        return pd.Series(labels, index=index, dtype="boolean")
    if all(isinstance(c, int) and not isinstance(c, bool) for c in classes):
        return pd.Series(labels, index=index, dtype="Int64")
    if all(isinstance(c, float) for c in classes):
        return pd.Series(labels, index=index, dtype="float64")
    if all(isinstance(c, str) for c in classes):
        return pd.Series(np.asarray(labels, dtype=object).astype(str), index=index, dtype="str")
    return pd.Series([str(_python(v)) for v in labels], index=index, dtype="str")


def predict_threads(estimator: Any, threads: int) -> dict[str, Any]:
    """Keyword arguments that make ``estimator``'s predict run on ``threads`` threads, where that cannot
    change a score: LightGBM's (each row is summed over its trees by one thread), nothing otherwise."""
    if threads <= 1 or not type(final_step(estimator)).__module__.startswith("lightgbm"):
        return {}
    return {"num_threads": int(threads)}


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
