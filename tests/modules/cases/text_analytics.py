"""Contract cases for the Text Analytics modules, on a small table of product reviews."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from modules.sdk import DataTable

from ._helpers import Case

Run = Callable[..., dict[str, Any]]

REVIEWS = [
    "The battery lasts all day. I love this phone!",
    "Battery life is terrible; the phone died after two hours.",
    "Great camera, great screen, and the battery lasts.",
    "I can't stand the camera. It's blurry and slow.",
    "The screen cracked after a week. Terrible phone.",
    "Fast delivery and the phone works great.",
    "Don't buy this phone: the battery is terrible!!!",
    "Love the camera and the screen; the battery is fine.",
    None,
    "The phone is slow and the screen is dim. Support at help@example.com never replied.",
    "Works great, see https://example.com/review for photos taken with the camera.",
    "Terrible support, slow phone, terrible battery.",
]


def reviews() -> DataTable:
    """Twelve reviews (one missing) with a numeric rating and a text label."""
    n = len(REVIEWS)
    return DataTable(
        pd.DataFrame(
            {
                "review": pd.Series(REVIEWS, dtype="str"),
                "stars": pd.array(np.resize([5, 1, 5, 2, 1, 4], n), dtype="Int64"),
                "sentiment": pd.Series(np.resize(["positive", "negative"], n), dtype="str"),
            }
        )
    )


def _reviews(table: DataTable, run: Run) -> dict[str, Any]:
    return {"dataset": reviews()}


CASES: dict[str, Case] = {
    "preprocess_text": Case(_reviews, {"text_column": "review"}),
    "extract_n_gram_features_from_text": Case(
        _reviews,
        {
            "text_column": "review",
            "n_grams_size": 2,
            "weighting_function": "TF-IDF Weight",
            "minimum_n_gram_document_absolute_frequency": 2,
            "maximum_n_gram_document_ratio": 0.9,
            "normalize_n_gram_feature_vectors": True,
        },
    ),
    "feature_hashing": Case(_reviews, {"target_columns": ["review"], "hashing_bitsize": 4}),
    "latent_dirichlet_allocation": Case(_reviews, {"target_columns": ["review"], "number_of_topics_to_model": 3}),
    "convert_word_to_vector": Case(
        _reviews,
        {"target_column": "review", "length_of_word_embedding": 10, "minimum_word_count": 2, "number_of_epochs": 2},
    ),
}
