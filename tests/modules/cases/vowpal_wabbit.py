"""Contract cases for the Vowpal Wabbit modules (Text Analytics): lines built from the shared table's columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.sdk import DataTable

from ._helpers import Case

TRAINING = {"vw_arguments": "--loss_function logistic -q ff", "label_column": "income", "number_of_passes": 2}


def _training(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    return {"training_data": table}


def _scoring(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    model = run("train_vowpal_wabbit_model", _training(table, run), **TRAINING)["trained_model"]
    return {"trained_model": model, "test_data": table}


CASES: dict[str, Case] = {
    "train_vowpal_wabbit_model": Case(_training, TRAINING),
    "score_vowpal_wabbit_model": Case(_scoring, {"include_labels": True, "include_raw_scores": True}),
}
