"""Train Anomaly Detection Model: fit an anomaly detector to a table, unlabelled or with its label left out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from modules.library._features import accepts_missing, build_pipeline, check_no_missing_numbers, prepare_features
from modules.library._learners import final_step
from modules.library.scoring.score_model import score_table
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
    Table,
    TableSchema,
    TrainedModel,
    UntrainedModel,
    column,
)
from modules.sdk.values import Task

ANOMALY: Task = "anomaly"


class TrainAnomalyDetectionModel(Module):
    """Fit an anomaly detection learner (PCA-Based Anomaly Detection, One-Class SVM) to every column but the label.

    Anomaly detectors learn what normal rows look like, without a label. If the table has one,
    name it in "Label column": it is left out of the features and kept, so that Score Model's output
    still holds it and Evaluate Model can measure the detector as a two-class model (1, or true,
    marks an anomaly; for a text label, the second of its two values in sorted order). Text,
    category and true/false columns are one-hot encoded as in Train Model; numeric columns must have
    no missing values. "Scored dataset" is the training table as Score Model would score it.

    Better than Azure: a label column is excluded by name instead of having to be removed with
    Select Columns first, and a learner of another kind is refused with a message saying which
    training module it needs (Azure's "All models must have the same learner type").
    """

    id = "train_anomaly_detection_model"
    name = "Train Anomaly Detection Model"
    category = "Anomaly Detection"

    class Inputs:
        untrained_model = In(UntrainedModel, "Untrained model")
        dataset = In(Table, "Dataset")

    class Outputs:
        trained_model = Out(TrainedModel, "Trained model")
        scored_dataset = Out(Table, "Scored dataset")

    class Params(ParamModel):
        label_column: str | None = column(
            "dataset",
            default=None,
            title="Label column",
            description="Optional: a column that marks known anomalies. It is not used to train, only kept for "
            "Evaluate Model. Leave empty for unlabelled data.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        learner: Learner = inputs["untrained_model"]
        table: DataTable = inputs["dataset"]
        what = learner.name or learner.learner
        if learner.task != ANOMALY:
            raise ModuleError(
                f"{what} is a {learner.task} learner; train it with "
                + ("Train Clustering Model" if learner.task == "clustering" else "Train Model")
                + " (Train Anomaly Detection Model takes PCA-Based Anomaly Detection or One-Class SVM)",
                port="untrained_model",
            )
        if len(table.df) == 0:
            raise ModuleError("the training dataset has no rows", port="dataset")
        schema = table.schema
        label = params.label_column or ""
        if label and label not in schema:
            raise ModuleError(
                f"label column {label!r} is not in the dataset (available: {', '.join(schema.names)})",
                param="label_column",
                column=label,
            )
        feature_types: dict[str, str] = {c.name: c.dtype for c in schema.columns if c.name != label}
        if not feature_types:
            raise ModuleError(f"the dataset has no feature columns besides the label {label!r}", port="dataset")
        features = prepare_features(table.df, feature_types)
        if not accepts_missing(learner.estimator):
            check_no_missing_numbers(features, feature_types, what, "dataset")
        ctx.check_cancelled()
        ctx.progress(0.1, f"fitting {what} on {len(features)} rows")
        model = FittedModel(
            estimator=_fit(learner, feature_types, features),
            task=ANOMALY,
            learner=learner.learner,
            label_column=label,
            feature_columns=list(feature_types),
            feature_types=feature_types,
            classes=_label_classes(table.df[label], label, ctx) if label else [],
            name=learner.name,
        )
        scored = score_table(model, table)
        ctx.log(f"{int((scored.df['Scored Labels'] == 1).sum())} of {len(scored.df)} training rows scored as anomalies")
        ctx.progress(1.0, "trained")
        return {"trained_model": model, "scored_dataset": scored}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {"scored_dataset": None}  # the score columns' types come from Score Model


def _fit(learner: Learner, feature_types: dict[str, str], features: pd.DataFrame) -> Any:
    from sklearn.base import clone

    pipeline = build_pipeline(feature_types, clone(learner.estimator))
    encoded = pipeline.steps[0][1].fit_transform(features)
    rows, width = encoded.shape
    components = getattr(final_step(pipeline), "n_components", None)
    if isinstance(components, int) and not components < width:
        raise ModuleError(
            f"Number of components to use in PCA is {components}, but the data has {width} feature values per row "
            "after encoding; use fewer components than that, or every row is reconstructed exactly",
            port="untrained_model",
        )
    if isinstance(components, int) and components > rows:
        raise ModuleError(
            f"Number of components to use in PCA is {components}, more than the {rows} training rows",
            port="untrained_model",
        )
    pipeline.steps[-1][1].fit(encoded)
    return pipeline


def _label_classes(series: pd.Series, label: str, ctx: RunContext) -> list[Any]:
    """The label's two values in sorted order (the second marks anomalies), or none when it has not two."""
    values = sorted({v.item() if isinstance(v, np.generic) else v for v in series.dropna().astype(object)}, key=str)
    if len(values) != 2:
        ctx.log(f"label column {label!r} has {len(values)} distinct values; 1 (or true) is taken to mark an anomaly")
        return []
    if all(isinstance(v, int | float) for v in values):
        return sorted(values)
    return values
