"""How feature columns reach scikit-learn; shared by Train Model and Score Model so both see the same thing.

A fitted pipeline only ever sees the frame ``prepare_features`` builds: numeric columns as float64
(missing -> NaN), text, category and true/false columns as Python strings (missing -> NaN), which
the pipeline's first step one-hot encodes. The pipeline itself holds only scikit-learn/LightGBM
objects (and our own estimators), so it loads from skops without trusting any of our code.

A model written by a user (Create Python Model) declares ``wants_raw_features``: its pipeline has
no encoding step and gets the columns by their own names, in pandas' own types for them
(``prepare_features(..., raw=True)``), as Azure hands them to its script. :func:`features_for` is
the one place that picks between the two, for training and every scoring path alike.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import Any

import numpy as np
import pandas as pd

from modules.sdk import ModuleError, column_dtypes

NUMERIC_TYPES = frozenset({"integer", "number", "datetime"})
#: One-hot columns per text feature; rarer values share one "infrequent" column.
MAX_CATEGORIES = 100
#: Meta-estimators that hand the DataFrame they are given to their inner estimator unchanged.
PASSES_FRAMES_THROUGH = frozenset({"OneVsRestClassifier"})


def is_numeric_feature(dtype: str) -> bool:
    return dtype in NUMERIC_TYPES


def features_for(
    estimator: Any, df: pd.DataFrame, feature_types: dict[str, str], *, what: str, port: str = "dataset"
) -> pd.DataFrame:
    """The features ``estimator`` (a learner's, or a fitted pipeline) is trained on or predicts from.

    Missing numbers are refused, naming the column, for learners that cannot use them. A model that
    takes the columns as they are gets them with their missing values: the user's script decides
    what to do with them, as in Azure.
    """
    raw = wants_raw_features(estimator)
    features = prepare_features(df, feature_types, port=port, raw=raw)
    if not raw and not accepts_missing(estimator):
        check_no_missing_numbers(features, feature_types, what, port)
    return features


def prepare_features(
    df: pd.DataFrame, feature_types: dict[str, str], *, port: str = "dataset", raw: bool = False
) -> pd.DataFrame:
    """The features of ``df`` in training order and in the plain types the pipeline was fitted on.

    With ``raw`` (a model that takes the columns as they are), each column keeps the type pandas
    gives such a column, whatever form the rows came in (a stored table, an endpoint's JSON): see
    :func:`_as_is`.
    """
    absent = [c for c in feature_types if c not in df.columns]
    if absent:
        raise ModuleError(
            f"feature column {absent[0]!r}, which the model was trained with, is not in the input"
            + (f" ({len(absent)} feature columns are missing)" if len(absent) > 1 else ""),
            port=port,
            column=absent[0],
        )
    if not raw:
        block = _numeric_block(df, feature_types)
        if block is not None:
            return pd.DataFrame(block, columns=_labels(feature_types), index=df.index, copy=False)
    out = {}
    for name, dtype in feature_types.items():
        series = df[name]
        if raw:
            out[name] = _as_is(series, dtype, name, port)
        elif is_numeric_feature(dtype):
            out[name] = _numeric(series, dtype, name, port)
        else:
            out[name] = _categorical(series, dtype)
    # the columns made above are new (or views of float64 columns): no second copy
    return pd.DataFrame(out, index=df.index, columns=_labels(feature_types), copy=False)


def _labels(feature_types: dict[str, str]) -> pd.Index:
    """The feature frame's column labels, as a plain object index (pandas' default Arrow-backed string
    index costs a conversion at every label lookup; scikit-learn reads the names either way)."""
    return pd.Index(list(feature_types), dtype=object)


#: Column dtypes whose values ``_numeric`` would copy unchanged into float64 (missing -> NaN).
_FLOAT64 = np.dtype("float64")
_PLAIN_NUMBERS = frozenset({np.dtype("float64"), np.dtype("int64"), pd.Float64Dtype(), pd.Int64Dtype()})


def all_float64(frame: pd.DataFrame) -> bool:
    """Whether every column of ``frame`` is numpy float64 (prepare_features' usual frame: one float block)."""
    return all(d == _FLOAT64 for d in column_dtypes(frame))


def _numeric_block(df: pd.DataFrame, feature_types: dict[str, str]) -> np.ndarray | None:
    """All features at once as one float64 array, when every feature is a number already held as one.

    The common case of scoring (an endpoint's request, a stored table of numbers): one array copy
    instead of a ``to_numeric`` and a Series per column, with exactly the values ``_numeric`` gives.
    ``None`` when any feature needs the column-by-column path (dates, text, objects to convert).
    """
    if not feature_types or any(t not in ("integer", "number") for t in feature_types.values()):
        return None
    names = df.columns.tolist()
    where = {name: i for i, name in enumerate(names)}
    if len(where) != len(names):
        return None  # repeated column names: leave it to pandas
    positions = [where[name] for name in feature_types]
    dtypes = column_dtypes(df)
    if any(dtypes[i] not in _PLAIN_NUMBERS for i in positions):
        return None
    if all(d == _FLOAT64 for d in dtypes) and positions == list(range(len(names))):
        return df.to_numpy()  # float64 already, NaN for missing: a view where pandas holds one block (read only)
    if all(d in _PLAIN_NUMBERS for d in dtypes):  # a frame of numbers only: one conversion, then columns
        values = df.to_numpy(dtype="float64", na_value=np.nan)
        return values if positions == list(range(len(names))) else values[:, positions]
    return df.iloc[:, positions].to_numpy(dtype="float64", na_value=np.nan)


def _as_is(series: pd.Series, dtype: str, name: str, port: str) -> Any:
    """One feature for a user's script, as ``pandas.read_csv`` would give the column.

    Integers as int64 (float64 when some are missing), numbers as float64, missing -> NaN; dates as
    datetime64 (missing -> NaT); true/false as bool (object with None when some are missing);
    categories as a pandas categorical and text as strings, missing -> NaN.
    """
    if dtype in ("integer", "number"):
        floats = _numeric(series, dtype, name, port)
        whole = bool(np.isfinite(floats).all() and (floats == np.round(floats)).all())
        if dtype == "integer" and whole:
            return pd.to_numeric(series).to_numpy(dtype="int64")  # exact, even beyond 2**53
        return floats
    if dtype == "datetime":
        try:
            return pd.to_datetime(series)
        except (TypeError, ValueError):
            raise ModuleError(
                f"feature column {name!r} was datetime when the model was trained, but holds values that are not dates",
                port=port,
                column=name,
            ) from None
    if dtype == "boolean":
        truths = [_truth(v, name, port) for v in series.astype(object)]
        return np.array(truths, dtype=object if None in truths else bool)
    if dtype == "category":
        return series.astype("category")
    return pd.Series(_categorical(series, dtype), index=series.index, dtype="str")


def _truth(value: Any, name: str, port: str) -> bool | None:
    if _missing(value):
        return None
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if isinstance(value, bool | np.bool_) or value in (0, 1):
        return bool(value)
    raise ModuleError(
        f"feature column {name!r} was boolean when the model was trained, but holds {value!r} here",
        port=port,
        column=name,
    )


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _numeric(series: pd.Series, dtype: str, name: str, port: str) -> np.ndarray:
    try:
        if dtype == "datetime":
            stamps = pd.to_datetime(series)
            seconds = (stamps - pd.Timestamp(0, tz=stamps.dt.tz)) / pd.Timedelta(seconds=1)
            return np.asarray(seconds.to_numpy(dtype="float64", na_value=np.nan))
        if series.dtype == np.float64:  # already what the pipeline takes: a view, not a copy of every value
            return np.asarray(series.to_numpy())
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
        if _missing(value):
            return np.nan
        if dtype == "boolean" and isinstance(value, str) and value.lower() in ("true", "false"):
            return "True" if value.lower() == "true" else "False"
        return str(value.item() if isinstance(value, np.generic) else value)

    return np.array([text(v) for v in series.astype(object)], dtype=object)


def wants_raw_features(estimator: Any) -> bool:
    """Whether ``estimator`` (a learner's, or a pipeline from :func:`build_pipeline`) takes the columns as they are.

    Such an estimator says so with a true ``wants_raw_features`` attribute (Create Python Model's),
    possibly inside a meta-estimator that passes DataFrames through (One-vs-All). A fitted pipeline
    with an encoding step in front (every Python model trained before Tessera handed over the
    columns as they are) keeps getting the encoded features it was trained on.
    """
    if hasattr(estimator, "steps"):
        if len(estimator.steps) > 1:
            return False
        estimator = estimator.steps[-1][1]
    if type(estimator).__name__ in PASSES_FRAMES_THROUGH:
        estimator = estimator.estimator
    return bool(getattr(estimator, "wants_raw_features", False))


def build_pipeline(feature_types: dict[str, str], estimator: Any) -> Any:
    """``estimator`` behind the feature encoding, or on its own when it takes the columns as they are."""
    from sklearn.pipeline import Pipeline

    if wants_raw_features(estimator):
        return Pipeline([("model", estimator)])
    return Pipeline([("features", feature_encoder(feature_types)), ("model", estimator)])


def feature_encoder(feature_types: dict[str, str]) -> Any:
    """One-hot encode text/category/true-false features, pass numbers through (a numpy array out)."""
    from sklearn.compose import ColumnTransformer
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
    return ColumnTransformer(steps, sparse_threshold=0.0)


#: ``accepts_missing`` by estimator: asked on every scoring call, and scikit-learn builds (and deep-copies) a
#: pipeline's tags each time it is asked. An estimator's tags do not change once it is built (Tessera never sets
#: another parameter or step on one it has asked about).
_ACCEPTS_MISSING: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def accepts_missing(estimator: Any) -> bool:
    """Whether the (final step of the) estimator can fit and predict with NaN in numeric features."""
    try:
        return _ACCEPTS_MISSING[estimator]
    except (KeyError, TypeError):  # not asked yet; or not weakly referenceable
        pass
    answer = _accepts_missing(estimator)
    with contextlib.suppress(TypeError):
        _ACCEPTS_MISSING[estimator] = answer
    return answer


def _accepts_missing(estimator: Any) -> bool:
    if hasattr(estimator, "steps") and getattr(estimator.steps[0][1], "fills_missing", False):
        return True  # AutoML's featurizer fills missing values before the learner sees them
    final = estimator.steps[-1][1] if hasattr(estimator, "steps") else estimator
    try:
        return bool(final.__sklearn_tags__().input_tags.allow_nan)
    except AttributeError:
        return False


def check_no_missing_numbers(features: pd.DataFrame, feature_types: dict[str, str], what: str, port: str) -> None:
    """Refuse NaN in numeric features for learners that cannot take it, naming the column."""
    numeric = [name for name, dtype in feature_types.items() if is_numeric_feature(dtype)]
    if not numeric:
        return
    if len(numeric) == features.shape[1] and all_float64(features):
        counts = np.isnan(features.to_numpy()).sum(axis=0)  # prepare_features' usual frame: one float block
    else:
        counts = features[numeric].isna().to_numpy().sum(axis=0)  # one pass over every numeric column
    if not counts.any():
        return
    name, count = next((n, c) for n, c in zip(numeric, counts.tolist(), strict=True) if c)
    raise ModuleError(
        f"feature column {name!r} has {count} missing values, which {what} cannot use; "
        "fill or remove them first with Clean Missing Data",
        port=port,
        column=name,
    )
