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
result (tests compare them bit for bit; scikit-learn's own ColumnTransformer hands a table of numbers over
column-major, as pandas holds it, and a linear model's matrix product on that can differ in the last bits:
Score Model, endpoints and exported code all score the row-major array, so they agree with one another).

Where the steps after it are standard scalers and a two-class logistic regression (Two-Class Logistic
Regression with normalized features), ``predict_proba`` does their arithmetic itself, in scikit-learn's order
on the same array, so to the bit what those steps give: a copy, minus the means, divided by the scales, the
dot product with the coefficients plus the intercept, ``expit``, the two columns stacked. scikit-learn's own
input checks on every call (names, finiteness, shapes, through narwhals) cost more than that arithmetic on an
endpoint's single row; here the array is checked once (float64, finite, the width the model was fitted on),
and anything else goes to scikit-learn, which answers (or refuses) as it always did.

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
        self._proba = _arithmetic_proba(self.transforms, self.final)

    def encode(self, features: pd.DataFrame, *, any_layout: bool = False) -> np.ndarray:
        """What the fitted ColumnTransformer's ``transform`` returns for ``features``, equal to the bit; in
        whichever memory layout it comes with ``any_layout``, else row-major (see the module's docstring)."""
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
        return self._transformed(self.encode(features, any_layout=self._any_layout))

    def _transformed(self, x: np.ndarray) -> np.ndarray:
        for step in self.transforms:
            x = step.transform(x)
        return x

    def predict(self, features: pd.DataFrame, **kwargs: Any) -> Any:
        return self.final.predict(self._model_input(features), **kwargs)

    def predict_proba(self, features: pd.DataFrame, **kwargs: Any) -> Any:
        x = self.encode(features, any_layout=self._any_layout)
        if self._proba is not None and not kwargs and self._proba.takes(x):
            return self._proba(x)
        return self.final.predict_proba(self._transformed(x), **kwargs)


class _LogisticProba:
    """``predict_proba`` of standard scalers then a two-class ``LogisticRegression``, as scikit-learn computes it
    once its checks have passed (``StandardScaler.transform``, ``LinearClassifierMixin._predict_proba_lr``)."""

    def __init__(self, scalers: list[tuple[np.ndarray | None, np.ndarray | None]], model: Any) -> None:
        from scipy.special import expit

        self.scalers = scalers
        self.coef_t = model.coef_.T
        self.intercept = model.intercept_
        self.width = model.coef_.shape[1]
        self.expit = expit

    def takes(self, x: np.ndarray) -> bool:
        """Whether scikit-learn's checks would pass ``x`` unchanged: float64, two axes, the fitted width, finite."""
        return x.dtype == np.float64 and x.ndim == 2 and x.shape[1] == self.width and bool(np.isfinite(x).all())

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.scalers:
            x = np.array(x, dtype=np.float64, copy=True)  # validate_data's copy: the same memory layout
            for mean, scale in self.scalers:
                if mean is not None:
                    x -= mean
                if scale is not None:
                    x /= scale
        scores = (x @ self.coef_t + self.intercept).reshape(-1)
        probability = self.expit(scores, out=scores)
        return np.stack([1 - probability, probability], axis=1)


def _arithmetic_proba(transforms: list[Any], final: Any) -> _LogisticProba | None:
    """The arithmetic of ``transforms`` then ``final`` when they are standard scalers and a two-class logistic
    regression, fitted on float64; ``None`` for anything else (scikit-learn then runs them)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if type(final) is not LogisticRegression or len(getattr(final, "classes_", ())) != 2:
        return None
    coef, intercept = getattr(final, "coef_", None), getattr(final, "intercept_", None)
    if not isinstance(coef, np.ndarray) or coef.ndim != 2 or coef.shape[0] != 1 or coef.dtype != np.float64:
        return None
    if not isinstance(intercept, np.ndarray) or intercept.dtype != np.float64:
        return None
    scalers: list[tuple[np.ndarray | None, np.ndarray | None]] = []
    for step in transforms:
        if type(step) is not StandardScaler or getattr(step, "n_features_in_", None) != coef.shape[1]:
            return None
        mean = step.mean_ if step.with_mean else None
        scale = step.scale_ if step.with_std else None
        if any(v is not None and (not isinstance(v, np.ndarray) or v.dtype != np.float64) for v in (mean, scale)):
            return None
        scalers.append((mean, scale))
    return _LogisticProba(scalers, final)


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
