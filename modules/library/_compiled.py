"""A fitted pipeline's feature encoding done on arrays: the same numbers, without pandas per call.

A model trained by Train Model is ``Pipeline([("features", ColumnTransformer), ("model", ...)])``
(``_features.build_pipeline``). scikit-learn's ``ColumnTransformer.transform`` selects each
transformer's columns from the DataFrame with pandas indexing and checks feature names on every
call: on an endpoint's single row that costs more than the model itself. :func:`fast_predictor`
compiles it once per fitted pipeline: column positions are resolved at compile time, numbers that
pass through are taken from one float64 array, and only the transformers that encode something
(one-hot on text columns) still see a DataFrame of their own columns, exactly as scikit-learn gives
it to them. The rest of the pipeline then runs unchanged on the C-ordered array the ColumnTransformer
would have built, step by step as Pipeline runs them, so every prediction is the very same floating-point
result (tests compare them bit for bit).

Anything the compiler does not know (sparse output, callable column selectors, a transformer that
is not a pass-through or an estimator, a pipeline of another shape) is left to scikit-learn as it is.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import numpy as np
import pandas as pd

from modules.library._features import all_float64

_cache: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


class CompiledPipeline:
    """``predict`` / ``predict_proba`` of a fitted ``Pipeline([("features", ColumnTransformer), ...])``."""

    def __init__(self, pipeline: Any, parts: list[tuple[Any | None, list[str]]]) -> None:
        self.pipeline = pipeline
        # Every step after the ColumnTransformer, nested pipelines flattened: what Pipeline.predict runs,
        # without its per-call bookkeeping (tags, routing) at each level.
        *self.transforms, self.final = _steps(pipeline.steps[1:])
        self.parts = parts  # (transformer or None for pass-through, its columns), in output order
        self._where: dict[tuple[Any, ...], list[list[int] | None]] = {}  # by column order: a handful
        # LightGBM reads a column-major array as it is (its C API takes either layout, and each row's values,
        # so its scores, are the same): the features of a table of numbers then reach it without a copy.
        self._any_layout = not self.transforms and type(self.final).__module__.startswith("lightgbm")

    def encode(self, features: pd.DataFrame, *, any_layout: bool = False) -> np.ndarray:
        """What the fitted ColumnTransformer's ``transform`` returns for ``features``, equal to the bit; in
        whichever memory layout it comes with ``any_layout`` (C order otherwise, as scikit-learn's)."""
        positions = self._positions(features)
        blocks: list[np.ndarray] = []
        numbers: np.ndarray | None = None
        for (transformer, names), where in zip(self.parts, positions, strict=True):
            if transformer is None:
                if numbers is None:
                    numbers = features.to_numpy(dtype="float64") if all_float64(features) else None
                if numbers is not None and where is not None:
                    every = len(where) == numbers.shape[1] and where == list(range(len(where)))
                    blocks.append(numbers if every else numbers[:, where])
                else:
                    blocks.append(np.asarray(features[names]))
            else:
                blocks.append(np.asarray(transformer.transform(features[names])))
        if len(blocks) != 1:
            return np.hstack(blocks)
        return blocks[0] if any_layout else np.ascontiguousarray(blocks[0])

    def _positions(self, features: pd.DataFrame) -> list[list[int] | None]:
        """Each pass-through part's column positions in ``features`` (resolved once per column order)."""
        key = tuple(features.columns.tolist())
        found = self._where.get(key)
        if found is None:
            where = {name: i for i, name in enumerate(key)}
            found = [
                [where[n] for n in names] if transformer is None and all(n in where for n in names) else None
                for transformer, names in self.parts
            ]
            if len(where) != len(key):
                found = [None] * len(self.parts)  # repeated names: select by name, as scikit-learn does
            self._where[key] = found
        return found

    def _model_input(self, features: pd.DataFrame) -> np.ndarray:
        x = self.encode(features, any_layout=self._any_layout)
        for step in self.transforms:
            x = step.transform(x)
        return x

    def predict(self, features: pd.DataFrame, **kwargs: Any) -> Any:
        return self.final.predict(self._model_input(features), **kwargs)

    def predict_proba(self, features: pd.DataFrame, **kwargs: Any) -> Any:
        return self.final.predict_proba(self._model_input(features), **kwargs)


def _steps(steps: list[tuple[str, Any]]) -> list[Any]:
    """The estimators a pipeline's steps run, in order, nested pipelines opened ("passthrough" skipped)."""
    from sklearn.pipeline import Pipeline

    out: list[Any] = []
    for _, step in steps:
        if step is None or step == "passthrough":
            continue
        out.extend(_steps(step.steps) if type(step) is Pipeline else [step])
    return out


def fast_predictor(estimator: Any) -> Any:
    """``estimator`` compiled (see the module's docstring), or ``estimator`` itself when it cannot be."""
    try:
        with _lock:
            if estimator in _cache:
                return _cache[estimator]
    except TypeError:  # not weak-referenceable or not hashable: nothing to remember it by
        return estimator
    compiled = _compile(estimator)
    with _lock:
        _cache[estimator] = compiled
    return compiled


def _compile(estimator: Any) -> Any:
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    if type(estimator) is not Pipeline or len(estimator.steps) < 2 or not _steps(estimator.steps[1:]):
        return estimator
    encoder = estimator.steps[0][1]
    if type(encoder) is not ColumnTransformer or getattr(encoder, "sparse_output_", True):
        return estimator
    if getattr(encoder, "_sklearn_output_config", {}).get("transform", "default") != "default":
        return estimator  # an encoder set to answer DataFrames: leave it to scikit-learn
    parts: list[tuple[Any | None, list[str]]] = []
    for _, transformer, columns in encoder.transformers_:
        if isinstance(columns, str):
            columns = [columns]
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            return estimator
        if isinstance(transformer, str):
            if transformer == "drop" or not columns:
                continue
            if transformer != "passthrough":
                return estimator
            parts.append((None, columns))
        elif not columns:
            continue
        elif type(transformer) is FunctionTransformer and transformer.func is None:
            parts.append((None, columns))  # how scikit-learn keeps "passthrough" once fitted
        elif hasattr(transformer, "transform"):
            parts.append((transformer, columns))
        else:
            return estimator
    return CompiledPipeline(estimator, parts) if parts else estimator
