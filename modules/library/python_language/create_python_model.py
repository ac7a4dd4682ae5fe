"""Create Python Model: Azure's ``AzureMLModel`` contract as an untrained model, trained and scored in a sandbox."""

from __future__ import annotations

import ast
from typing import Any, Literal

from pydantic import Field, model_serializer

from modules.sdk import Learner, Module, ModuleError, Out, ParamModel, RunContext, UntrainedModel

from ._environment_param import EnvironmentChoice, environment_field, omit_builtin
from .execute_python_script import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    MAX_MEMORY_MB,
    MAX_SCRIPT_CHARS,
    MAX_TIMEOUT_S,
    MIN_MEMORY_MB,
)

CLASS_NAME = "AzureMLModel"
DEFAULT_SCRIPT = """\
# The script MUST define a class named AzureMLModel.
# This class MUST at least define the following three methods:
#     __init__: in which self.model must be assigned,
#     train: which trains self.model, the two input arguments must be pandas DataFrame,
#     predict: which generates inference results, the input argument must be pandas DataFrame,
#              and the output must be a pandas DataFrame with a "Scored Labels" column
#              (and, for a classifier, optionally "Scored Probabilities").
# df_train and df hold the feature columns (every column but the label) under their own names,
# in the dataset's order, as pandas reads them: numbers as int64/float64, text as strings,
# categories as pandas categoricals, true/false as bool, missing values as NaN (None in a
# true/false column). Pick columns by name: df_train["age"]. df_label is the label, a Series.
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder


class AzureMLModel:
    def __init__(self):
        # Numbers as they are (a missing one becomes its column's mean); every other column one-hot
        # encoded, missing values a category of their own.
        features = make_column_transformer(
            (SimpleImputer(), make_column_selector(dtype_include='number')),
            (OneHotEncoder(handle_unknown='ignore'), make_column_selector(dtype_exclude='number')),
        )
        self.model = make_pipeline(features, LogisticRegression(max_iter=1000))
        self.feature_column_names = list()

    def train(self, df_train, df_label):
        self.feature_column_names = df_train.columns.tolist()
        self.model.fit(df_train, df_label)

    def predict(self, df):
        return pd.DataFrame(
            {'Scored Labels': self.model.predict(df[self.feature_column_names]),
             'Scored Probabilities': self.model.predict_proba(df[self.feature_column_names])[:, 1]}
        )
"""
TASKS = {"Two-class classification": "binary", "Multiclass classification": "multiclass", "Regression": "regression"}


class CreatePythonModel(Module):
    """An untrained model written in Python, as Azure's: a script defining ``class AzureMLModel``.

    The class has ``__init__(self)``, ``train(self, df_train, df_label)`` (the features as a
    DataFrame, the label as a Series) and ``predict(self, df)``, which returns a DataFrame with
    "Scored Labels" and, for a classifier, optionally "Scored Probabilities" (the probability of
    the second of two classes in sorted order) or 'Scored Probabilities for Class "<value>"'
    columns; without probabilities the predicted class counts as certain. Connect it to Train
    Model, then Score Model, like any learner (or to Cross Validate Model, Tune Model
    Hyperparameters or One-vs-All Multiclass).

    As in Azure, the script gets the features as they are, not encoded as for the built-in
    learners: ``df_train`` and ``df`` hold every column but the label under its own name, in the
    dataset's order (at scoring too, whatever the order of the scored table's columns), typed as
    pandas reads such a column: integers as int64 (float64 when some are missing), numbers as
    float64, text as strings, categories as pandas categoricals, true/false as bool (object when
    some are missing), dates as datetime64. Missing values reach the script (NaN; None in a
    true/false column; NaT in dates) and the script decides what to do with them; nothing is
    refused for them. The default script one-hot encodes the non-numeric columns and fills missing
    numbers with the column's mean, so it trains on numbers, text, categories and true/false
    columns, gaps included.

    Safety: the script only ever runs in Execute Python Script's sandbox (a separate, limited
    process, with the same time and memory parameters), never in the worker. Azure pickles the
    trained object in the designer's own process; Tessera does not: the object is pickled inside
    the sandboxed child and the worker keeps those bytes opaque, so the trained model loads
    without trusting any user code, and unpickling happens only in a later child. The cost is
    that training and every prediction call start a fresh process (about a second), which suits
    batch scoring and is slow for real-time endpoints.
    """

    id = "create_python_model"
    name = "Create Python Model"
    category = "Python Language"
    runs_user_code = True
    user_code_sandboxed = True  # the script runs in _sandbox.py's child process only

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ParamModel):
        python_script: str = Field(
            DEFAULT_SCRIPT,
            min_length=1,
            max_length=MAX_SCRIPT_CHARS,
            title="Python script",
            description="Defines class AzureMLModel with train(self, df_train, df_label) and predict(self, df).",
            json_schema_extra={"x-tessera-widget": "textarea", "x-tessera-language": "python"},
        )
        task: Literal["Two-class classification", "Multiclass classification", "Regression"] = Field(
            "Two-class classification",
            title="Task",
            description="What the model predicts: two classes, several classes, or a number.",
        )
        timeout_seconds: int = Field(
            DEFAULT_TIMEOUT_S,
            ge=1,
            le=MAX_TIMEOUT_S,
            title="Timeout (seconds)",
            description="Training, and each scoring call, is stopped after this many seconds.",
        )
        memory_limit_mb: int = Field(
            DEFAULT_MEMORY_MB,
            ge=MIN_MEMORY_MB,
            le=MAX_MEMORY_MB,
            title="Memory limit (MB)",
            description="The most memory the script's process may use, pandas and the data included.",
        )
        environment: EnvironmentChoice | None = environment_field()
        _omit_builtin = model_serializer(mode="wrap")(omit_builtin)

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from modules.estimators.python_model import PythonClassifier, PythonRegressor

        check_script(params.python_script)
        task = TASKS[params.task]
        kind = PythonRegressor if task == "regression" else PythonClassifier
        estimator = kind(
            script=params.python_script,
            timeout_seconds=params.timeout_seconds,
            memory_limit_mb=params.memory_limit_mb,
            environment=params.environment.model_dump() if params.environment is not None else None,
        )
        return {"untrained_model": Learner(estimator, task=task, learner=self.id, name=self.name)}  # type: ignore[arg-type]


def check_script(script: str) -> None:
    """Refuse a script that does not parse or defines no ``AzureMLModel`` class (parsed only, never run)."""
    try:
        tree = ast.parse(script, filename="Python script")
    except SyntaxError as exc:
        raise ModuleError(
            f"the Python script has a syntax error at line {exc.lineno}: {exc.msg}", param="python_script"
        ) from None
    if not any(isinstance(node, ast.ClassDef) and node.name == CLASS_NAME for node in tree.body):
        raise ModuleError(
            f"the script defines no class {CLASS_NAME} with train(self, df_train, df_label) and predict(self, df)",
            param="python_script",
        )
