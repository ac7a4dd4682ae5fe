"""How feature columns reach scikit-learn; shared by Train Model and Score Model so both see the same thing.

A fitted pipeline only ever sees the frame ``prepare_features`` builds: numeric columns as float64
(missing -> NaN), text, category and true/false columns as Python strings (missing -> NaN). The
pipeline itself holds only scikit-learn/LightGBM objects, so it loads from skops without trusting
any of our code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from modules.sdk import ModuleError

NUMERIC_TYPES = frozenset({"integer", "number", "datetime"})
#: One-hot columns per text feature; rarer values share one "infrequent" column.
MAX_CATEGORIES = 100


def is_numeric_feature(dtype: str) -> bool:
    return dtype in NUMERIC_TYPES


def prepare_features(df: pd.DataFrame, feature_types: dict[str, str], *, port: str = "dataset") -> pd.DataFrame:
    """The features of ``df`` in training order and in the plain types the pipeline was fitted on."""
    absent = [c for c in feature_types if c not in df.columns]
    if absent:
        raise ModuleError(
            f"feature column {absent[0]!r}, which the model was trained with, is not in the input"
            + (f" ({len(absent)} feature columns are missing)" if len(absent) > 1 else ""),
            port=port,
            column=absent[0],
        )
    out = {}
    for name, dtype in feature_types.items():
        series = df[name]
        out[name] = _numeric(series, dtype, name, port) if is_numeric_feature(dtype) else _categorical(series, dtype)
    return pd.DataFrame(out, index=df.index)


def _numeric(series: pd.Series, dtype: str, name: str, port: str) -> np.ndarray:
    try:
        if dtype == "datetime":
            stamps = pd.to_datetime(series)
            seconds = (stamps - pd.Timestamp(0, tz=stamps.dt.tz)) / pd.Timedelta(seconds=1)
            return np.asarray(seconds.to_numpy(dtype="float64", na_value=np.nan))
        return np.asarray(pd.to_numeric(series).to_numpy(dtype="float64", na_value=np.nan))
    except (TypeError, ValueError):
        bad = next((v for v in series.dropna() if _not_number(v)), None)
        raise ModuleError(
            f"feature column {name!r} was {dtype} when the model was trained, but holds {bad!r} here",
            port=port,
            column=name,
        ) from None


def _not_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return True
    return False


def _categorical(series: pd.Series, dtype: str) -> np.ndarray:
    def text(value: Any) -> Any:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return np.nan
        if dtype == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
            return "True" if value.lower() == "true" else "False"
        return str(value.item() if isinstance(value, np.generic) else value)

    return np.array([text(v) for v in series.astype(object)], dtype=object)


def build_pipeline(feature_types: dict[str, str], estimator: Any) -> Any:
    """One-hot encode text/category/true-false features, pass numbers through, then ``estimator``."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    categorical = [c for c, t in feature_types.items() if not is_numeric_feature(t)]
    numeric = [c for c, t in feature_types.items() if is_numeric_feature(t)]
    steps: list[tuple[str, Any, list[str]]] = []
    if categorical:
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist", max_categories=MAX_CATEGORIES, sparse_output=False
        )
        steps.append(("categorical", encoder, categorical))
    if numeric:
        steps.append(("numeric", "passthrough", numeric))
    return Pipeline([("features", ColumnTransformer(steps, sparse_threshold=0.0)), ("model", estimator)])


def accepts_missing(estimator: Any) -> bool:
    """Whether the (final step of the) estimator can fit and predict with NaN in numeric features."""
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    try:
        return bool(final.__sklearn_tags__().input_tags.allow_nan)
    except AttributeError:
        return False


def check_no_missing_numbers(features: pd.DataFrame, feature_types: dict[str, str], what: str, port: str) -> None:
    """Refuse NaN in numeric features for learners that cannot take it, naming the column."""
    for name, dtype in feature_types.items():
        if is_numeric_feature(dtype):
            count = int(features[name].isna().sum())
            if count:
                raise ModuleError(
                    f"feature column {name!r} has {count} missing values, which {what} cannot use; "
                    "fill or remove them first with Clean Missing Data",
                    port=port,
                    column=name,
                )
