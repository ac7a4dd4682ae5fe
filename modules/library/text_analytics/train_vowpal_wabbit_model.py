"""Train Vowpal Wabbit Model: fit VW (``vowpalwabbit``) to lines built from a table; the model travels as bytes."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
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
    TrainedModel,
    column,
)

#: Readable model and inverted hash files are logged up to this many lines.
MAX_LOGGED_LINES = 200
BINARY_LOSSES = ("logistic", "hinge")


class TrainVowpalWabbitModel(Module):
    """Train a Vowpal Wabbit model (VW 9) with your own VW arguments, as Azure's Train Vowpal Wabbit Model.

    Input format picks how each row becomes a VW example: "VW" reads a text column holding lines in
    VW's own format (``1 |f price:0.23 sqft:0.25``), "SVMLight" a text column of ``label index:value``
    lines, and "Table columns" builds the lines from the dataset: the label column is the label and
    every other column a feature in namespace ``f`` (numbers as ``name:value``, text, categories and
    true/false as the feature ``name=value``; missing values are left out), so ``-q ff`` adds pairwise
    interactions. VW arguments are passed to VW as on its command line, for example
    ``--loss_function logistic -b 20 --l2 1e-6``. The task follows from them: ``--oaa K`` is multiclass,
    ``--loss_function logistic`` or ``hinge`` two-class (with table columns the label's two values in
    sorted order map to -1 and 1), anything else regression. Number of passes above 1 runs VW's own
    multi-pass training with a cache (and VW's usual holdout of every 10th example).

    The trained model is the file VW saves, kept as bytes: Score Vowpal Wabbit Model and Score Model
    both score it. Connecting a pre-trained Vowpal Wabbit model continues training from it (Azure's
    incremental training). Options that read or write files or open sockets (``-d``, ``-f``, ``-i``,
    ``-c``, ``--daemon``, ``--dictionary``, ...) are refused, as are ``--cbt``, ``--lda``, ``--wap``,
    ``--active``, ``--rank`` and ``--search`` (as Azure); the readable model and inverted hash files
    go to the run's log.
    """

    id = "train_vowpal_wabbit_model"
    name = "Train Vowpal Wabbit Model"
    category = "Text Analytics"

    class Inputs:
        training_data = In(Table, "Training data")
        pre_trained_model = In(
            TrainedModel, "Pre-trained Vowpal Wabbit model", optional=True, doc="Training continues from it."
        )

    class Outputs:
        trained_model = Out(TrainedModel, "Trained Vowpal Wabbit model")

    class Params(ParamModel):
        vw_arguments: str = Field(
            "",
            max_length=2000,
            title="VW arguments",
            description="Vowpal Wabbit command-line options, e.g. '--loss_function logistic -b 20'.",
        )
        input_format: Literal["Table columns", "VW", "SVMLight"] = Field(
            "Table columns",
            title="Input format",
            description="Build lines from the table's columns, or read VW or SVMLight lines from a text column.",
        )
        label_column: str | None = column(
            "training_data",
            title="Label column",
            description="With table columns: the column to predict (every other column is a feature).",
            default=None,
        )
        text_column: str | None = column(
            "training_data",
            title="Text column",
            description="With VW or SVMLight input: the column holding one example per row.",
            default=None,
        )
        number_of_passes: int = Field(
            1, ge=1, le=1000, title="Number of passes", description="Passes over the training data (VW --passes)."
        )
        output_readable_model: bool = Field(
            False, title="Output readable model", description="Write VW's readable model (--readable_model) to the log."
        )
        output_inverted_hash: bool = Field(
            False,
            title="Output inverted hash",
            description="Write VW's weights by feature name (--invert_hash) to the log.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from modules.estimators.vowpal import VowpalWabbitModel

        table: DataTable = inputs["training_data"]
        pre_trained: FittedModel | None = inputs.get("pre_trained_model")
        if len(table.df) == 0:
            raise ModuleError("the training data has no rows", port="training_data")
        task = vw_task(params.vw_arguments)
        features, label, y = _training_columns(table, params)
        estimator = VowpalWabbitModel(
            arguments=params.vw_arguments,
            input_format=params.input_format,
            task=task,
            passes=params.number_of_passes,
            readable_model=params.output_readable_model,
            invert_hash=params.output_inverted_hash,
        )
        initial = _initial_model(pre_trained, estimator)
        if task == "binary" and y is not None:
            _check_classes(y, 2, label, "a two-class loss (--loss_function logistic or hinge) needs exactly 2")
        elif task == "multiclass" and y is not None:
            classes = int(option_of(params.vw_arguments, "--oaa"))
            _check_classes(y, classes, label, f"--oaa {classes} needs at most {classes} and at least 2", exact=False)
        ctx.progress(0.1, f"training Vowpal Wabbit on {len(features)} rows")
        try:
            estimator.fit(features, y, initial_model=initial)
        except ValueError as exc:  # a malformed SVMLight line
            raise ModuleError(f"column {features.columns[0]!r}: {exc}", column=str(features.columns[0])) from None
        except RuntimeError as exc:
            raise ModuleError(f"Vowpal Wabbit refused the arguments: {exc}", param="vw_arguments") from None
        _log_text(ctx, "readable model", estimator.readable_model_)
        _log_text(ctx, "inverted hash", estimator.inverted_hash_)
        ctx.progress(1.0, "trained")
        feature_types: dict[str, str] = {c.name: c.dtype for c in table.schema.columns if c.name in features.columns}
        classes_out = [_python(c) for c in getattr(estimator, "classes_", [])]
        model = FittedModel(
            estimator=estimator,
            task=task,  # type: ignore[arg-type]  # one of regression, binary, multiclass
            learner=self.id,
            label_column=label or "",
            feature_columns=list(features.columns),
            feature_types=feature_types,
            classes=classes_out,
            name="Vowpal Wabbit",
        )
        return {"trained_model": model}


def option_of(arguments: str, name: str) -> str:
    from modules.estimators.vowpal import option_value

    return option_value(arguments, name) or ""


def vw_task(arguments: str) -> str:
    """The task VW arguments describe, after refusing options Tessera does not pass on."""
    import shlex

    from modules.estimators.vowpal import refused_option

    try:
        shlex.split(arguments)
    except ValueError as exc:
        raise ModuleError(f"VW arguments cannot be read: {exc}", param="vw_arguments") from None
    refused = refused_option(arguments)
    if refused:
        raise ModuleError(
            f"VW arguments: {refused} is not allowed here (Tessera handles files, passes and scoring itself)",
            param="vw_arguments",
        )
    oaa = option_of(arguments, "--oaa")
    if oaa:
        if not oaa.isdigit() or int(oaa) < 2:
            raise ModuleError(
                f"VW arguments: --oaa needs a number of classes of 2 or more, not {oaa!r}", param="vw_arguments"
            )
        return "multiclass"
    if option_of(arguments, "--loss_function") in BINARY_LOSSES or "--binary" in arguments.split():
        return "binary"
    return "regression"


def _training_columns(table: DataTable, params: TrainVowpalWabbitModel.Params) -> tuple[pd.DataFrame, str | None, Any]:
    from modules.library._features import prepare_features

    df = table.df
    if params.input_format == "Table columns":
        label = params.label_column
        if not label:
            raise ModuleError("set the label column (input format 'Table columns')", param="label_column")
        _require_column(df, label, "label_column")
        missing = int(df[label].isna().sum())
        if missing:
            raise ModuleError(
                f"label column {label!r} has {missing} missing values; remove those rows first",
                param="label_column",
                column=label,
            )
        types: dict[str, str] = {c.name: c.dtype for c in table.schema.columns if c.name != label}
        if not types:
            raise ModuleError(f"the dataset has no feature columns besides the label {label!r}", column=label)
        y = df[label].to_numpy(dtype=object)
        return prepare_features(df, types, port="training_data"), label, y
    text = params.text_column
    if not text:
        raise ModuleError(f"set the text column holding the {params.input_format} lines", param="text_column")
    _require_column(df, text, "text_column")
    lines = df[text]
    bad = [i for i, v in enumerate(lines) if not isinstance(v, str) or not v.strip()]
    if bad:
        raise ModuleError(f"text column {text!r} is empty in row {bad[0] + 1}", param="text_column", column=text)
    if params.input_format == "VW":
        no_bar = [i for i, v in enumerate(lines) if "|" not in v]
        if no_bar:
            raise ModuleError(
                f"text column {text!r} row {no_bar[0] + 1} is not a VW line (no '|' before the features): "
                f"{lines.iloc[no_bar[0]][:80]!r}",
                param="text_column",
                column=text,
            )
    return pd.DataFrame({text: lines.astype(str)}), None, None


def _require_column(df: pd.DataFrame, name: str, param: str) -> None:
    if name not in df.columns:
        raise ModuleError(
            f"column {name!r} is not in the training data (available: {', '.join(map(str, df.columns))})",
            param=param,
            column=name,
        )


def _check_classes(y: Any, wanted: int, label: str | None, why: str, *, exact: bool = True) -> None:
    found = len(set(np.asarray(y).tolist()))
    if found == wanted if exact else 2 <= found <= wanted:
        return
    raise ModuleError(
        f"label column {label!r} has {found} {'class' if found == 1 else 'classes'}; {why}",
        param="label_column",
        column=label,
    )


def _initial_model(pre_trained: FittedModel | None, estimator: Any) -> bytes | None:
    if pre_trained is None:
        return None
    previous = pre_trained.estimator
    if type(previous) is not type(estimator):
        raise ModuleError(
            f"the pre-trained model is a {pre_trained.name or pre_trained.learner} model, not a Vowpal Wabbit one",
            port="pre_trained_model",
        )
    if previous.input_format != estimator.input_format or previous.task != estimator.task:
        raise ModuleError(
            f"the pre-trained model was trained on {previous.input_format} input for {previous.task}; "
            f"continue it with the same input format and task",
            port="pre_trained_model",
        )
    data: bytes = previous.model_.tobytes()
    return data


def _log_text(ctx: RunContext, what: str, text: str) -> None:
    if not text:
        return
    lines = text.splitlines()
    ctx.log(f"Vowpal Wabbit {what} ({len(lines)} lines):")
    for line in lines[:MAX_LOGGED_LINES]:
        ctx.log(line)
    if len(lines) > MAX_LOGGED_LINES:
        ctx.log(f"[{len(lines) - MAX_LOGGED_LINES} more lines not shown]")


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
