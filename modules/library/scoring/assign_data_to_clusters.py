"""Assign Data to Clusters: put each row of a table in the nearest cluster of a trained clustering model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from modules.library._features import check_no_missing_numbers, prepare_features
from modules.library._learners import CLUSTERING
from modules.sdk import (
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

ASSIGNMENTS = "Assignments"
DISTANCE = "DistancesToClusterCenter no.{}"


class AssignDataToClusters(Module):
    """Add each row's cluster ("Assignments", 0 to k-1) and its distance to every cluster center.

    The distances ("DistancesToClusterCenter no.0", "no.1", ...) are Euclidean, measured in the space
    the model clustered in (after its one-hot encoding and, if chosen, normalization). Unchecking
    "append" keeps only those columns. The output records its roles, so Evaluate Model can measure it.
    """

    id = "assign_data_to_clusters"
    name = "Assign Data to Clusters"
    category = "Model Scoring & Evaluation"

    class Inputs:
        trained_model = In(TrainedModel, "Trained model")
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        check_for_append_or_uncheck_for_result_only: bool = Field(
            True,
            title="Check for append or uncheck for result only",
            description="Keep the input columns next to the assignments; unchecked, only the assignments.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        model: FittedModel = inputs["trained_model"]
        if model.task != CLUSTERING:
            raise ModuleError(
                f"{model.name or model.learner} is a {model.task} model; score it with Score Model "
                "(Assign Data to Clusters takes a model from Train Clustering Model)",
                port="trained_model",
            )
        table: DataTable = inputs["dataset"]
        out = assign_table(model, table, append=params.check_for_append_or_uncheck_for_result_only)
        ctx.log(f"assigned {len(out.df)} rows to clusters")
        return {"results_dataset": out}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {"results_dataset": None}  # the number of distance columns lives in the model


def assign_table(model: FittedModel, table: DataTable, *, append: bool = True) -> DataTable:
    """``table`` with cluster assignments and distances: the one clustering path, shared with training."""
    df = table.df
    features = prepare_features(df, model.feature_types)
    check_no_missing_numbers(features, model.feature_types, model.name or model.learner, "dataset")
    assignments = np.asarray(model.estimator.predict(features), dtype="int64")
    distances = np.asarray(model.estimator.transform(features), dtype="float64")
    out = df.copy() if append else pd.DataFrame(index=df.index)
    out[ASSIGNMENTS] = assignments
    roles = {"assignments": ASSIGNMENTS}
    for k in range(distances.shape[1]):
        out[DISTANCE.format(k)] = distances[:, k]
        roles[f"distance:{k}"] = DISTANCE.format(k)
    base = {k: v for k, v in table.meta.items() if k not in ("score_columns", "positive_class", "task")}
    if not append:
        base.pop("label_column", None)
    return DataTable(out, {**base, "task": CLUSTERING, "score_columns": roles})
