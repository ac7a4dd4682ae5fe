"""Contract cases for the Recommendation modules, on a small synthetic ratings table.

The trainers learn from the shared table itself (workclass as the user, age as the item, hours as
the rating, one row per pair), because the contract suite scores every trained model on that table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from modules.sdk import DataTable

from ._helpers import Case

Run = Callable[..., dict[str, Any]]

ON_SHARED_TABLE = {"user_column": "workclass", "item_column": "age", "rating_column": "hours"}
SMALL_SVD = {"number_of_factors": 4, "number_of_recommendation_algorithm_iterations": 5}
SMALL_WIDE_DEEP = {"epochs": 2, "batch_size": 16, "hidden_units": "8,4", "crossed_feature_dimension": 50}


def ratings(n_users: int = 12, n_items: int = 10, seed: int = 0) -> pd.DataFrame:
    """About half of all user-item pairs rated 1-5 from two hidden tastes, one row per pair."""
    rng = np.random.default_rng(seed)
    users, items = rng.normal(size=(n_users, 2)), rng.normal(size=(n_items, 2))
    rows = [
        (u, f"item{i}", float(np.clip(np.round(3 + users[u] @ items[i]), 1, 5)))
        for u in range(n_users)
        for i in range(n_items)
        if rng.random() < 0.5
    ]
    return pd.DataFrame(
        {
            "user": pd.array([r[0] for r in rows], dtype="Int64"),
            "item": pd.Series([r[1] for r in rows], dtype="str"),
            "rating": [r[2] for r in rows],
        }
    )


def _shared_pairs(table: DataTable, run: Run) -> dict[str, Any]:
    return {"dataset": DataTable(table.df.drop_duplicates(["workclass", "age"]).reset_index(drop=True))}


def _svd_scoring(table: DataTable, run: Run) -> dict[str, Any]:
    data = DataTable(ratings())
    model = run("train_svd_recommender", {"dataset": data}, **SMALL_SVD)["trained_model"]
    return {"trained_model": model, "dataset": data, "training_data": data}


def _wide_deep_scoring(table: DataTable, run: Run) -> dict[str, Any]:
    data = DataTable(ratings())
    model = run("train_wide_and_deep_recommender", {"dataset": data}, **SMALL_WIDE_DEEP)["trained_model"]
    return {"trained_model": model, "dataset": data, "training_data": data}


def _evaluation(table: DataTable, run: Run) -> dict[str, Any]:
    scoring = _svd_scoring(table, run)
    scored = run("score_svd_recommender", scoring)["scored_dataset"]
    return {"test_dataset": scoring["dataset"], "scored_dataset": scored}


CASES: dict[str, Case] = {
    "train_svd_recommender": Case(_shared_pairs, {**SMALL_SVD, **ON_SHARED_TABLE}),
    "score_svd_recommender": Case(
        _svd_scoring, {"whether_to_return_the_predicted_ratings_of_the_items_along_with_the_labels": True}
    ),
    "train_wide_and_deep_recommender": Case(_shared_pairs, {**SMALL_WIDE_DEEP, **ON_SHARED_TABLE}),
    "score_wide_and_deep_recommender": Case(
        _wide_deep_scoring, {"recommended_item_selection": "From Unrated Items (to suggest new items to users)"}
    ),
    "evaluate_recommender": Case(_evaluation, {"relevance_threshold": 4.0}),
}
