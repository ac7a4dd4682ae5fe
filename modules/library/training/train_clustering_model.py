"""Train Clustering Model: fit an untrained clustering model to the chosen columns of a table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from modules.library._features import build_pipeline, check_no_missing_numbers, prepare_features
from modules.library._learners import CLUSTERING, FIRST_N, final_step
from modules.library.scoring.assign_data_to_clusters import assign_table
from modules.sdk import (
    ColumnSelection,
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
    columns,
)


class TrainClusteringModel(Module):
    """Fit a clustering learner (K-Means Clustering) to the selected columns, and assign the training rows.

    Text, category and true/false columns are one-hot encoded as in Train Model; numeric columns must
    have no missing values. The trained model goes to Assign Data to Clusters; the results dataset is
    the training table with "Assignments" and "DistancesToClusterCenter no.N" columns, as Assign Data
    to Clusters would write it. A label column should be left out of the column set.
    """

    id = "train_clustering_model"
    name = "Train Clustering Model"
    category = "Model Training"

    class Inputs:
        untrained_model = In(UntrainedModel, "Untrained model")
        dataset = In(Table, "Dataset")

    class Outputs:
        trained_model = Out(TrainedModel, "Trained model")
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        column_set: ColumnSelection = columns(
            "dataset",
            title="Column set",
            description="The columns to cluster on (all of them unless chosen).",
            default={"start": "all"},
        )
        check_for_append_or_uncheck_for_result_only: bool = Field(
            True,
            title="Check for append or uncheck for result only",
            description="Keep the input columns next to the assignments; unchecked, only the assignments.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        learner: Learner = inputs["untrained_model"]
        table: DataTable = inputs["dataset"]
        if learner.task != CLUSTERING:
            raise ModuleError(
                f"{learner.name or learner.learner} is a {learner.task} learner; train it with Train Model "
                "(Train Clustering Model takes a clustering learner such as K-Means Clustering)",
                port="untrained_model",
            )
        if len(table.df) == 0:
            raise ModuleError("the training dataset has no rows", port="dataset")
        schema = table.schema
        chosen = params.column_set.resolve(schema, param="column_set")
        if not chosen:
            raise ModuleError("the column set selects no columns to cluster on", param="column_set")
        feature_types: dict[str, str] = {c.name: c.dtype for c in schema.columns if c.name in chosen}
        features = prepare_features(table.df, feature_types)
        check_no_missing_numbers(features, feature_types, learner.name or learner.learner, "dataset")
        ctx.check_cancelled()
        ctx.progress(0.1, f"clustering {len(features)} rows")
        pipeline = _fit(learner, feature_types, features)
        model = FittedModel(
            estimator=pipeline,
            task=CLUSTERING,
            learner=learner.learner,
            label_column="",
            feature_columns=list(feature_types),
            feature_types=feature_types,
            name=learner.name,
        )
        results = assign_table(model, table, append=params.check_for_append_or_uncheck_for_result_only)
        ctx.progress(1.0, "trained")
        return {"trained_model": model, "results_dataset": results}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {"results_dataset": None}  # the number of distance columns lives in the learner


def _fit(learner: Learner, feature_types: dict[str, str], features: pd.DataFrame) -> Any:
    from sklearn.base import clone

    pipeline = build_pipeline(feature_types, clone(learner.estimator))
    model = final_step(pipeline)
    clusters = int(getattr(model, "n_clusters", 1))
    if len(features) < clusters:
        raise ModuleError(
            f"the dataset has {len(features)} rows, fewer than the {clusters} clusters asked for (Number of centroids)",
            port="dataset",
        )
    if isinstance(getattr(model, "init", None), str) and model.init == FIRST_N:
        return _fit_from_first_rows(pipeline, model, features, clusters)
    pipeline.fit(features)
    return pipeline


def _fit_from_first_rows(pipeline: Any, model: Any, features: pd.DataFrame, clusters: int) -> Any:
    """Azure's "First N": the first ``clusters`` distinct prepared rows are the starting centroids."""
    from sklearn.pipeline import Pipeline

    before = [step for step in _flat_steps(pipeline) if step[1] is not model]
    prepared = np.asarray(Pipeline(before).fit_transform(features), dtype="float64")
    _, first = np.unique(prepared, axis=0, return_index=True)
    if len(first) < clusters:
        raise ModuleError(
            f"the dataset has {len(first)} distinct rows, fewer than the {clusters} clusters asked for "
            "(Number of centroids)",
            port="dataset",
        )
    model.set_params(init=prepared[np.sort(first)[:clusters]])
    model.fit(prepared)
    return pipeline


def _flat_steps(estimator: Any) -> list[tuple[str, Any]]:
    steps: list[tuple[str, Any]] = []
    for name, step in estimator.steps:
        steps.extend(_flat_steps(step) if hasattr(step, "steps") else [(name, step)])
    return steps
