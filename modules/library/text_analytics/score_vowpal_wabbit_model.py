"""Score Vowpal Wabbit Model: Score Model's columns for a VW model, plus Azure's optional label and raw scores."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from pydantic import Field

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

LABELS = "Labels"
RAW_SCORES = "Raw Scores"


class ScoreVowpalWabbitModel(Module):
    """Score a table with a model from Train Vowpal Wabbit Model, building its lines the way training did.

    The scored dataset has Score Model's columns: "Scored Labels", plus "Scored Probabilities" for a
    two-class model (the logistic of VW's score, or the score itself with ``--link logistic``) and one
    probability column per class for a multiclass model trained with ``--probabilities``. Include an
    extra column containing labels adds "Labels": the label written at the start of each VW or
    SVMLight line (for table columns the label column is kept anyway), marked as the label so Evaluate
    Model can measure the scores. Include an extra column containing raw scores adds "Raw Scores",
    VW's own prediction for each row.

    Unlike Azure, any model trained here scores (Azure accepts VW 8.8.1 models only), and the
    model's VW arguments are applied when it is loaded, so nothing needs repeating.
    """

    id = "score_vowpal_wabbit_model"
    name = "Score Vowpal Wabbit Model"
    category = "Text Analytics"

    class Inputs:
        trained_model = In(TrainedModel, "Trained Vowpal Wabbit model")
        test_data = In(Table, "Test data")

    class Outputs:
        scored_dataset = Out(Table, "Scored dataset")

    class Params(ParamModel):
        include_labels: bool = Field(
            False,
            title="Include an extra column containing labels",
            description="Add 'Labels': the label at the start of each VW or SVMLight line.",
        )
        include_raw_scores: bool = Field(
            False,
            title="Include an extra column containing raw scores",
            description="Add 'Raw Scores': what VW predicts for each row before any threshold.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from modules.estimators.vowpal import VowpalWabbitModel
        from modules.library.scoring.score_model import score_table

        model: FittedModel = inputs["trained_model"]
        table: DataTable = inputs["test_data"]
        estimator = model.estimator
        if not isinstance(estimator, VowpalWabbitModel):
            raise ModuleError(
                f"the trained model is a {model.name or model.learner} model; score it with Score Model",
                port="trained_model",
            )
        if len(table.df) == 0:
            raise ModuleError("the test data has no rows", port="test_data")
        try:
            scored = score_table(model, DataTable(table.df, table.meta))
        except ModuleError as exc:  # score_table names its table port "dataset"
            port = "test_data" if exc.port == "dataset" else exc.port
            raise ModuleError(exc.message, param=exc.param, column=exc.column, port=port) from None
        except ValueError as exc:  # a malformed line, or class probabilities asked of a classes-only model
            raise ModuleError(f"Vowpal Wabbit cannot score the test data: {exc}", port="test_data") from None
        df, meta = scored.df, dict(scored.meta)
        text_input = estimator.input_format != "Table columns"
        if params.include_labels and text_input:
            lines = df[model.feature_columns[0]].astype(str)
            df[LABELS] = _typed_labels([_line_label(line) for line in lines])
            meta["label_column"] = LABELS
        if params.include_raw_scores:
            raw = estimator.raw_predictions(df[model.feature_columns] if text_input else _features(model, df))
            df[RAW_SCORES] = [_raw_text(v) for v in raw] if estimator.task == "multiclass" else np.asarray(raw, float)
        ctx.log(f"scored {len(df)} rows with Vowpal Wabbit")
        return {"scored_dataset": DataTable(df, meta)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {"scored_dataset": None}  # the score columns depend on the trained model


def _features(model: FittedModel, df: Any) -> Any:
    from modules.library._features import prepare_features

    return prepare_features(df, model.feature_types, port="test_data")


def _line_label(line: str) -> str | None:
    head = line.split("|", 1)[0].split() if "|" in line else line.split("#", 1)[0].split()[:1]
    return head[0].removeprefix("+") if head else None


def _typed_labels(labels: list[str | None]) -> Any:
    import pandas as pd

    numbers = pd.to_numeric(pd.Series(labels, dtype=object), errors="coerce")
    if numbers.notna().sum() == sum(v is not None for v in labels):
        if (numbers.dropna() % 1 == 0).all():
            return numbers.astype("Int64")
        return numbers.astype("float64")
    return pd.Series(labels, dtype="str")


def _raw_text(value: Any) -> str:
    return " ".join(f"{v:g}" for v in value) if isinstance(value, list) else str(value)
