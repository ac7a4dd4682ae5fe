"""The featurization AutoML's guardrails decide, as the first step of the winner's pipeline.

It takes the frame every Tessera pipeline takes (``modules.library._features.prepare_features``:
numbers and dates as float64, dates in seconds since 1970, text as strings, missing as NaN) and
gives the frame the encoder after it expects: columns the guardrails dropped (ID-like) are left
out, dates become year / month / day / weekday / hour, high-cardinality text is hashed into
``buckets`` columns (``FeatureHasher``), free text becomes word counts hashed into ``text_features``
columns (``HashingVectorizer``), missing numbers become the training median and missing text its
own category. Only lists, dicts and numbers are kept, so the pipeline saves through skops.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin  # noqa: TID253 - outside the catalogue path

DATE_PARTS = ("year", "month", "day", "day_of_week", "hour")
MISSING_TEXT = "(missing)"


class AutoFeaturizer(TransformerMixin, BaseEstimator):
    #: Missing values of every kind are filled here, so a learner behind it never sees one
    #: (read by ``modules.library._features.accepts_missing``).
    fills_missing = True

    def __init__(
        self,
        numeric: list[str] | None = None,
        dates: list[str] | None = None,
        categorical: list[str] | None = None,
        hashed: list[str] | None = None,
        text: list[str] | None = None,
        buckets: int = 32,
        text_features: int = 64,
    ) -> None:
        self.numeric = numeric
        self.dates = dates
        self.categorical = categorical
        self.hashed = hashed
        self.text = text
        self.buckets = buckets
        self.text_features = text_features

    def fit(self, X: pd.DataFrame, y: Any = None) -> AutoFeaturizer:
        numbers = self._numbers(X)
        medians = numbers.median(skipna=True)
        self.medians_ = {str(c): float(v) if np.isfinite(v) else 0.0 for c, v in medians.items()}
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        numbers = self._numbers(X)
        parts: dict[str, Any] = {}
        for name in numbers.columns:
            parts[name] = numbers[name].fillna(self.medians_[name]).to_numpy(dtype="float64")
        for name in self.categorical or []:
            parts[name] = np.array([_text(v) for v in X[name]], dtype=object)
        if self.hashed:
            from sklearn.feature_extraction import FeatureHasher

            hasher = FeatureHasher(n_features=self.buckets, input_type="string", alternate_sign=False)
            for name in self.hashed:
                block = hasher.transform([[_text(v)] for v in X[name]]).toarray()
                for k in range(self.buckets):
                    parts[hashed_column(name, k)] = block[:, k]
        if self.text:
            from sklearn.feature_extraction.text import HashingVectorizer

            vectorizer = HashingVectorizer(n_features=self.text_features, alternate_sign=False, norm="l2")
            for name in self.text:
                block = vectorizer.transform(["" if _missing(v) else str(v) for v in X[name]]).toarray()
                for k in range(self.text_features):
                    parts[text_column(name, k)] = block[:, k]
        return pd.DataFrame(parts, index=X.index)

    def output_types(self) -> dict[str, str]:
        """The columns ``transform`` gives, with the Tessera type the encoder after it treats them as."""
        types = {name: "number" for name in self.numeric or []}
        for name in self.dates or []:
            types.update({date_column(name, part): "number" for part in DATE_PARTS})
        types.update({name: "text" for name in self.categorical or []})
        for name in self.hashed or []:
            types.update({hashed_column(name, k): "number" for k in range(self.buckets)})
        for name in self.text or []:
            types.update({text_column(name, k): "number" for k in range(self.text_features)})
        return types

    def _numbers(self, X: pd.DataFrame) -> pd.DataFrame:
        out: dict[str, Any] = {
            name: pd.to_numeric(X[name], errors="coerce").astype("float64") for name in self.numeric or []
        }
        for name in self.dates or []:
            stamps = pd.to_datetime(pd.to_numeric(X[name], errors="coerce"), unit="s")
            for part in DATE_PARTS:
                values = getattr(stamps.dt, part)
                out[date_column(name, part)] = values.astype("float64")
        return pd.DataFrame(out, index=X.index)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags


def date_column(name: str, part: str) -> str:
    return f"{name} ({part})"


def hashed_column(name: str, k: int) -> str:
    return f"{name} (hash {k})"


def text_column(name: str, k: int) -> str:
    return f"{name} (words {k})"


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _text(value: Any) -> str:
    return MISSING_TEXT if _missing(value) else str(value)
