"""A Vowpal Wabbit model kept as bytes, wrapped as a scikit-learn-shaped estimator.

Training runs ``vowpalwabbit`` on text lines in VW's input format; the model VW saves is kept as a
numpy ``uint8`` array next to plain settings (the arguments, how lines are built, the classes). So
the fitted estimator saves through skops like any scikit-learn model (this module is on the trusted
list, and its state holds nothing but an array and plain values); predicting writes the bytes to a
temporary file and opens a VW workspace from it in test-only mode.

Lines are built the same way for training and scoring: from a column that already holds VW lines,
from a column of SVMLight lines (``label index:value ...``, rewritten to VW), or from table columns
(``label |f name:value name=text ...``: numbers as ``name:value``, everything else as the feature
``name=value``; missing values are left out, as VW treats an absent feature as zero).
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator  # noqa: TID253 - outside the catalogue path

FORMATS = ("Table columns", "VW", "SVMLight")
NAMESPACE = "f"
#: Options that read or write files, start servers or change VW's input: Tessera does those itself,
#: and a user's string must not reach the worker's disk or network through them.
REFUSED_OPTIONS = frozenset(
    {
        "-d", "--data", "-f", "--final_regressor", "-i", "--initial_regressor", "-c", "--cache", "--cache_file",
        "-k", "--kill_cache", "-p", "--predictions", "-r", "--raw_predictions", "--readable_model",
        "--invert_hash", "--save_per_pass", "--output_feature_regularizer_binary",
        "--output_feature_regularizer_text", "--input_feature_regularizer", "--daemon", "--port", "--port_file",
        "--pid_file", "--foreground", "--num_children", "--sendto", "--span_server", "--span_server_port",
        "--unique_id", "--total", "--node", "--audit_regressor", "--dictionary", "--dictionary_path",
        "--feature_mask", "--extra_metrics", "--json", "--dsjson", "--flatbuffer", "--compressed", "-t",
        "--testonly", "--passes", "--help", "-h", "--version", "--log_output", "--log_level",
        "--limit_output", "--id", "--predict_only_model", "--preserve_performance_counters",
        # Reductions Azure's designer also refuses (interactive or structured outputs).
        "--cbt", "--lda", "--wap", "--active", "--rank", "--search",
    }
)  # fmt: skip
_UNSAFE_NAME = re.compile(r"[\s|:]")


def refused_option(arguments: str) -> str | None:
    """The first option in ``arguments`` that Tessera does not pass to VW, else ``None``."""
    for token in shlex.split(arguments):
        name = token.split("=", 1)[0]
        if name in REFUSED_OPTIONS:
            return name
    return None


def option_value(arguments: str, name: str) -> str | None:
    """The value given to option ``name`` (``--oaa 3`` or ``--oaa=3``), else ``None``."""
    tokens = shlex.split(arguments)
    for i, token in enumerate(tokens):
        if token == name and i + 1 < len(tokens):
            return tokens[i + 1]
        if token.startswith(name + "="):
            return token.split("=", 1)[1]
    return None


def feature_name(text: str) -> str:
    """A column name or text value as a VW feature name: no spaces, '|' or ':'."""
    return _UNSAFE_NAME.sub("_", text) or "_"


def svmlight_to_vw(line: str) -> str:
    """``label index:value ... # comment`` as the VW line ``label |f index:value ...``."""
    body = line.split("#", 1)[0].split()
    if not body:
        raise ValueError("the line is empty")
    label, features = body[0], body[1:]
    for item in features:
        index, sep, value = item.partition(":")
        if not sep or not index or not _is_number(value):
            raise ValueError(f"{item!r} is not an index:value pair")
    return f"{label.removeprefix('+')} |{NAMESPACE} {' '.join(features)}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _number(value: float) -> str:
    return repr(float(value))


class VowpalWabbitModel(BaseEstimator):
    """VW as an estimator. ``task`` is "regression", "binary" (labels -1/1) or "multiclass" (labels 1..K).

    With ``input_format`` "VW" or "SVMLight" the features are the single text column and the label is
    part of each line (``fit`` takes ``y=None``); with "Table columns" ``y`` holds the labels, mapped to
    VW's (-1/1 for two classes, 1..K for more, in sorted order).
    """

    def __init__(
        self,
        arguments: str = "",
        input_format: str = "Table columns",
        task: str = "regression",
        passes: int = 1,
        readable_model: bool = False,
        invert_hash: bool = False,
    ) -> None:
        self.arguments = arguments
        self.input_format = input_format
        self.task = task
        self.passes = passes
        self.readable_model = readable_model
        self.invert_hash = invert_hash

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # a missing number is a feature left out of the line
        return tags

    # -- lines ------------------------------------------------------------------------------------
    def lines(self, x: pd.DataFrame, labels: Sequence[str] | None = None) -> list[str]:
        """One VW line per row of ``x`` (``labels``: the VW label of each row, table columns only).

        Columns are taken in training order, by name: the order of features changes VW's hashed
        interactions (``-q``), and a stored model's column list may come back in another order.
        """
        if hasattr(self, "feature_names_in_"):
            x = x[[str(c) for c in self.feature_names_in_]]
        if self.input_format == "VW":
            return [str(v) for v in x.iloc[:, 0]]
        if self.input_format == "SVMLight":
            return [svmlight_to_vw(str(v)) for v in x.iloc[:, 0]]
        names = [feature_name(str(c)) for c in x.columns]
        numeric = [pd.api.types.is_numeric_dtype(x[c].dtype) for c in x.columns]
        out = []
        for i, row in enumerate(x.itertuples(index=False, name=None)):
            parts = []
            for name, is_number, value in zip(names, numeric, row, strict=True):
                if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
                    continue
                parts.append(f"{name}:{_number(value)}" if is_number else f"{name}={feature_name(str(value))}")
            label = "" if labels is None else f"{labels[i]} "
            out.append(f"{label}|{NAMESPACE} {' '.join(parts)}")
        return out

    def vw_labels(self, y: Any) -> list[str]:
        """The VW label of each value of ``y`` (table columns), fixing ``classes_`` for classification."""
        values = list(np.asarray(y).tolist())
        if self.task == "regression":
            return [_number(v) for v in values]
        self.classes_ = np.array(sorted(set(values)), dtype=object if isinstance(values[0], str) else None)
        index = {c: i for i, c in enumerate(self.classes_.tolist())}
        if self.task == "binary":
            return ["-1" if index[v] == 0 else "1" for v in values]
        return [str(index[v] + 1) for v in values]

    # -- fitting ----------------------------------------------------------------------------------
    def fit(self, x: pd.DataFrame, y: Any = None, initial_model: bytes | None = None) -> VowpalWabbitModel:
        labels = self.vw_labels(y) if self.input_format == "Table columns" else None
        self.feature_names_in_ = np.array([str(c) for c in x.columns], dtype=object)
        if labels is None and self.task == "binary":
            self.classes_ = np.array([-1, 1])
        elif labels is None and self.task == "multiclass":
            self.classes_ = np.arange(1, int(option_value(self.arguments, "--oaa") or 0) + 1)
        with tempfile.TemporaryDirectory(prefix="tessera-vw-") as folder:
            data = os.path.join(folder, "train.vw")
            with open(data, "w", encoding="utf-8") as fh:
                fh.writelines(line + "\n" for line in self.lines(x, labels))
            model = os.path.join(folder, "model.vw")
            extra = [f"-d {shlex.quote(data)}", f"-f {shlex.quote(model)}"]
            if self.passes > 1:
                extra.append(f"--passes {self.passes} -c -k --cache_file {shlex.quote(data + '.cache')}")
            if initial_model is not None:
                extra.append(f"-i {shlex.quote(_write(folder, 'initial.vw', initial_model))}")
            if self.readable_model:
                extra.append(f"--readable_model {shlex.quote(os.path.join(folder, 'readable.txt'))}")
            if self.invert_hash:
                extra.append(f"--invert_hash {shlex.quote(os.path.join(folder, 'inverted.txt'))}")
            _workspace(f"{self.arguments} --quiet {' '.join(extra)}").finish()
            with open(model, "rb") as fh:
                self.model_ = np.frombuffer(fh.read(), dtype=np.uint8).copy()
            self.readable_model_ = _read_text(os.path.join(folder, "readable.txt"))
            self.inverted_hash_ = _read_text(os.path.join(folder, "inverted.txt"))
        return self

    # -- predicting -------------------------------------------------------------------------------
    @contextmanager
    def _loaded(self) -> Iterator[Any]:
        with tempfile.TemporaryDirectory(prefix="tessera-vw-") as folder:
            path = _write(folder, "model.vw", self.model_.tobytes())
            workspace = _workspace(f"{self.arguments} --quiet -t -i {shlex.quote(path)}")
            try:
                yield workspace
            finally:
                workspace.finish()

    def raw_predictions(self, x: pd.DataFrame) -> list[Any]:
        """What VW predicts for each row: a number, a class number (1..K) or a list of class probabilities."""
        with self._loaded() as workspace:
            return [workspace.predict(line) for line in self.lines(x)]

    def decision_function(self, x: pd.DataFrame) -> np.ndarray:
        scores: np.ndarray = np.asarray(self.raw_predictions(x), dtype="float64")
        return scores

    def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
        raw = self.decision_function(x)
        if self.task == "multiclass":
            if raw.ndim != 2:
                raise ValueError("this multiclass model predicts classes only; train it with --probabilities")
            return raw
        positive = raw if option_value(self.arguments, "--link") == "logistic" else 1.0 / (1.0 + np.exp(-raw))
        out: np.ndarray = np.column_stack([1.0 - positive, positive])
        return out

    def predict(self, x: pd.DataFrame) -> np.ndarray:
        if self.task == "regression":
            return self.decision_function(x)
        if self.task == "binary":
            picked: np.ndarray = self.classes_[(self.predict_proba(x)[:, 1] > 0.5).astype(int)]
            return picked
        raw = self.decision_function(x)
        index = raw.argmax(axis=1) if raw.ndim == 2 else raw.astype(int) - 1
        chosen: np.ndarray = self.classes_[index]
        return chosen


def _workspace(arguments: str) -> Any:
    from vowpalwabbit import Workspace

    return Workspace(arguments)


def _write(folder: str, name: str, data: bytes) -> str:
    path = os.path.join(folder, name)
    with open(path, "wb") as fh:
        fh.write(data)
    return path


def _read_text(path: str) -> str:
    if not os.path.exists(path):
        return ""
    with open(path, encoding="utf-8", errors="replace") as fh:
        return fh.read()
