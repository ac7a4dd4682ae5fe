"""What the recommenders share: user and item ids kept as plain arrays, and a scikit-learn face.

A recommender is fitted on ``X`` = two columns (user id, item id) and ``y`` = ratings, so it also
works as a rating regressor wherever a scikit-learn regressor is expected. Ids arrive as Score
Model's ``prepare_features`` gives them: numbers as floats, everything else as strings; a missing
or unknown id is "cold" and gets the fallback of the model (never an error).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin  # noqa: TID253 - outside the catalogue path


def key_array(values: Any) -> np.ndarray:
    """Ids as a float64 array when all are numbers (missing -> NaN), else as a unicode array."""
    data = np.asarray(values, dtype=object)
    if all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool) for v in data):
        return data.astype("float64")
    return np.array(["" if _missing(v) else str(v) for v in data], dtype=str)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def positions(known: np.ndarray, values: Any) -> np.ndarray:
    """Index of each value in ``known`` (training order), -1 where unknown or missing."""
    lookup = {k: i for i, k in enumerate(known.tolist())}
    out = np.full(len(values), -1, dtype="int64")
    for n, v in enumerate(np.asarray(values, dtype=object).tolist()):
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and np.isnan(v):
            continue
        hit = lookup.get(v)  # a number asked of a text-keyed model (or the reverse) is simply unknown
        if hit is not None:
            out[n] = hit
    return out


class RecommenderBase(RegressorMixin, BaseEstimator):
    """The part every recommender has: the id vocabularies, rating range and ``predict``."""

    users_: np.ndarray
    items_: np.ndarray
    rating_range_: np.ndarray

    def _remember(self, x: Any, y: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Learn the vocabularies (in order of first appearance); user and item positions and ratings."""
        if hasattr(x, "columns"):  # a DataFrame: remember which column is which, its order may change
            self.id_columns_ = np.array([str(c) for c in x.columns[:2]], dtype=str)
        data = np.asarray(x, dtype=object)
        users, items = key_array(data[:, 0]), key_array(data[:, 1])
        self.users_ = _first_seen(users)
        self.items_ = _first_seen(items)
        ratings = np.asarray(y, dtype="float64")
        self.rating_range_ = np.array([ratings.min(), ratings.max()])
        self.n_features_in_ = 2
        return positions(self.users_, users), positions(self.items_, items), ratings

    def predict(self, x: Any) -> np.ndarray:
        """Ratings of the (user, item) rows of ``x``; a DataFrame is read by the column names seen in fit."""
        names = getattr(self, "id_columns_", None)
        if names is not None and hasattr(x, "columns"):
            x = x[list(names)]
        data = np.asarray(x, dtype=object)
        return self.predict_ids(data[:, 0], data[:, 1])

    def predict_ids(self, users: Any, items: Any, **features: Any) -> np.ndarray:
        """Predicted ratings of ``(users[k], items[k])``; cold ids fall back as the model documents."""
        predicted = self._predict_positions(positions(self.users_, users), positions(self.items_, items), **features)
        lo, hi = self.rating_range_
        clipped: np.ndarray = np.clip(predicted, lo, hi)
        return clipped

    def _predict_positions(self, users: np.ndarray, items: np.ndarray, **features: Any) -> np.ndarray:
        raise NotImplementedError  # each recommender implements it

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # a missing id is a cold id, not an error
        return tags


def _first_seen(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind == "f":
        values = values[~np.isnan(values)]
    _, first = np.unique(values, return_index=True)
    kept: np.ndarray = values[np.sort(first)]
    return kept
