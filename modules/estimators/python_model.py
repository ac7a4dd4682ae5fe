"""A user's Python model (Create Python Model) as a scikit-learn-shaped estimator that never runs user code here.

The estimator holds the script's text, its time and memory limits and, once fitted, ``model_``: the
user's trained ``AzureMLModel`` object pickled *inside* the sandboxed child process, kept as an
opaque numpy ``uint8`` array. This process never unpickles it: ``fit``, ``predict`` and
``predict_proba`` each start a fresh sandboxed child (Execute Python Script's sandbox, with
``_model_runner.py``) that gets the features as Parquet and, to predict, the blob as a file, and
that unpickles, trains or predicts there and returns predictions as Parquet and a new blob as bytes.
So the fitted estimator saves through skops like any scikit-learn model (this module is on the
trusted list; its state is text, numbers and arrays).

``wants_raw_features`` tells Train Model to hand over the feature columns as they are (their own
names, order and pandas types, see ``modules.library._features``) instead of one-hot encoding them;
Parquet keeps names and types (pandas' own metadata) on the way to the child. A model trained
before that kept its encoding step in front and still gets the array it was trained on, named
Col1, Col2, ... as then.

Unlike Azure, which pickles the model in the designer's own process, Tessera keeps the pickle
out of the trusted worker entirely. The cost: every ``predict`` call starts a process (about a
second), which is fine for batch scoring and slow for real-time endpoints.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin  # noqa: TID253 - outside the catalogue path

RUNNER = Path(__file__).resolve().parents[1] / "library" / "python_language" / "_model_runner.py"
LABEL = "Label"
SCORED_LABELS = "Scored Labels"
SCORED_PROBABILITIES = "Scored Probabilities"


class PythonModel(BaseEstimator):
    """The shared part of :class:`PythonClassifier` and :class:`PythonRegressor`."""

    feature_names_in_: np.ndarray
    environment: dict[str, Any] | None = None  # models saved before environments existed: the built-in one
    #: Train Model gives this estimator the feature columns unencoded, as a DataFrame.
    wants_raw_features: ClassVar[bool] = True

    def __init__(
        self,
        script: str = "",
        timeout_seconds: int = 600,
        memory_limit_mb: int = 2048,
        environment: dict[str, Any] | None = None,
    ) -> None:
        self.script = script
        self.timeout_seconds = timeout_seconds
        self.memory_limit_mb = memory_limit_mb
        self.environment = environment  # an EnvironmentChoice as a dict; None: the worker's own packages

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # missing values reach the script, which decides
        return tags

    # -- data -------------------------------------------------------------------------------------
    def _frame(self, x: Any, fitting: bool) -> pd.DataFrame:
        """``x`` as a DataFrame with string column names, in the fitted order when it has the fitted columns.

        An array (only from the encoding step of a model trained before Tessera passed the columns
        as they are) gets the fitted names, or Col1, Col2, ... when fitting.
        """
        if isinstance(x, pd.DataFrame):
            frame = x.set_axis([str(c) for c in x.columns], axis=1).reset_index(drop=True)
            fitted = [str(c) for c in getattr(self, "feature_names_in_", [])]
            if not fitting and fitted and set(fitted) <= set(frame.columns):
                frame = frame[fitted]
        else:
            values = np.asarray(x)
            if values.ndim == 1:
                values = values.reshape(-1, 1)
            names = (
                [str(c) for c in self.feature_names_in_]
                if not fitting and hasattr(self, "feature_names_in_") and len(self.feature_names_in_) == values.shape[1]
                else [f"Col{i + 1}" for i in range(values.shape[1])]
            )
            frame = pd.DataFrame(values, columns=names)
        if fitting:
            self.feature_names_in_ = np.array(list(frame.columns), dtype=object)
            self.n_features_in_ = frame.shape[1]
        return frame

    # -- the child --------------------------------------------------------------------------------
    def _child(self, mode: str, x: pd.DataFrame, y: Any = None) -> Any:
        """Run the runner in ``mode``; the new blob (train) or the predictions DataFrame (predict)."""
        from modules.library.python_language._environment_param import interpreter
        from modules.library.python_language._sandbox import (
            MB,
            Limits,
            Sandbox,
            read_child_file,
            read_status,
            read_table_file,
        )
        from modules.library.python_language.execute_python_script import _raise_for_failure
        from modules.sdk import LocalContext

        limits = Limits(timeout_s=self.timeout_seconds, memory_mb=self.memory_limit_mb)
        max_bytes = self.memory_limit_mb * MB
        ctx = LocalContext()
        # A model saved before environments existed has no such attribute: the built-in one.
        python, readonly = interpreter(getattr(self, "environment", None), ctx)
        with Sandbox(prefix="tessera-python-model-") as box:
            script = box.io / "script.py"
            script.write_text(self.script, encoding="utf-8")
            job: dict[str, Any] = {
                "mode": mode,
                "script": str(script),
                "status": str(box.io / "status.json"),
                "features": str(box.io / "features.parquet"),
                "label": str(box.io / "label.parquet"),
                "model_in": str(box.io / "model_in.pkl"),
                "model_out": str(box.io / "model_out.pkl"),
                "predictions": str(box.io / "predictions.parquet"),
            }
            x.to_parquet(job["features"], index=False)
            if mode == "train":
                pd.DataFrame({LABEL: np.asarray(y)}).to_parquet(job["label"], index=False)
            else:
                Path(job["model_in"]).write_bytes(self.model_.tobytes())
            box.install(RUNNER.with_name("_runner.py"))  # the model runner loads it from its own folder
            command = [python or sys.executable, "-I", "-B", "-u", str(box.install(RUNNER)), str(box.io / "job.json")]
            outcome = box.run(job, limits, ctx, command=command, python=python, readonly=readonly)
            _raise_for_failure(outcome, read_status(box.io / "status.json"), limits)
            if mode == "train":
                return read_child_file(box.io / "model_out.pkl", max_bytes, "the trained model")
            return read_table_file(box.io / "predictions.parquet", max_bytes, "the predictions")

    def fit(self, x: Any, y: Any) -> PythonModel:
        frame = self._frame(x, fitting=True)
        self._fit_labels(np.asarray(y))
        blob: bytes = self._child("train", frame, y)
        self.model_ = np.frombuffer(blob, dtype=np.uint8).copy()  # opaque: never unpickled here
        return self

    def _fit_labels(self, y: np.ndarray) -> None:
        pass

    def _predictions(self, x: Any) -> pd.DataFrame:
        if not hasattr(self, "model_"):
            from sklearn.exceptions import NotFittedError  # noqa: TID253 - only when misused

            raise NotFittedError("this Python model is not trained yet")
        out: pd.DataFrame = self._child("predict", self._frame(x, fitting=False))
        return out


class PythonRegressor(RegressorMixin, PythonModel):
    """A user's ``AzureMLModel`` predicting numbers: "Scored Labels" as float64."""

    def predict(self, x: Any) -> np.ndarray:
        labels: np.ndarray = pd.to_numeric(self._predictions(x)[SCORED_LABELS]).to_numpy(dtype="float64")
        return labels


class PythonClassifier(ClassifierMixin, PythonModel):
    """A user's ``AzureMLModel`` predicting classes.

    Probabilities come from "Scored Probabilities" (the positive class, the second of two classes
    in sorted order) or 'Scored Probabilities for Class "<value>"' columns; without them a row's
    predicted class has probability 1.
    """

    def _fit_labels(self, y: np.ndarray) -> None:
        self.classes_ = np.unique(y)

    def predict(self, x: Any) -> np.ndarray:
        labels = self._predictions(x)[SCORED_LABELS]
        return self._as_classes(labels)

    def predict_proba(self, x: Any) -> np.ndarray:
        out = self._predictions(x)
        classes = self.classes_.tolist()
        if len(classes) == 2 and SCORED_PROBABILITIES in out.columns:
            positive = pd.to_numeric(out[SCORED_PROBABILITIES]).to_numpy(dtype="float64")
            both: np.ndarray = np.column_stack([1.0 - positive, positive])
            return both
        named = [f'{SCORED_PROBABILITIES} for Class "{c}"' for c in classes]
        if all(n in out.columns for n in named):
            each: np.ndarray = np.column_stack([pd.to_numeric(out[n]).to_numpy(dtype="float64") for n in named])
            return each
        labels = self._as_classes(out[SCORED_LABELS]).tolist()
        onehot: np.ndarray = np.array([[1.0 if v == c else 0.0 for c in classes] for v in labels], dtype="float64")
        return onehot

    def _as_classes(self, labels: pd.Series) -> np.ndarray:
        """The script's labels in the type of ``classes_`` (Parquet may bring 1 back as 1.0, say)."""
        kind = self.classes_.dtype.kind
        values = labels.to_numpy()
        try:
            if kind in "iu":
                return np.asarray(values, dtype="float64").astype(self.classes_.dtype)
            if kind == "b":
                return np.asarray([str(v).lower() in ("true", "1", "1.0") for v in values], dtype=bool)
            if kind == "f":
                return np.asarray(values, dtype="float64")
        except (TypeError, ValueError):
            pass
        return np.asarray([str(v) for v in values], dtype=object)
