"""Contract cases for Feature Selection and Statistical Functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.sdk import DataTable

from ._helpers import Case, _dataset, _dataset_with_gaps, _scoring

Run = Callable[..., dict[str, Any]]


def _model_and_test_data(table: DataTable, run: Run) -> dict[str, Any]:
    scoring = _scoring(table, run)
    return {"trained_model": scoring["trained_model"], "test_data": scoring["dataset"]}


CASES: dict[str, Case] = {
    "filter_based_feature_selection": Case(
        _dataset, {"feature_scoring_method": "Chi Squared", "target_column": "income", "number_of_desired_features": 2}
    ),
    "permutation_feature_importance": Case(
        _model_and_test_data, {"random_seed": 3, "metric_for_measuring_performance": "Recall"}
    ),
    "summarize_data": Case(_dataset_with_gaps, {}),
    "compute_linear_correlation": Case(_dataset_with_gaps, {}),
    "principal_component_analysis": Case(_dataset, {"number_of_dimensions_to_reduce_to": 1}),
}
