"""Contract cases for the learners of Machine Learning Algorithms and the clustering train/assign pair."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.sdk import DataTable

from ._helpers import Case, _learner, _no_inputs

Run = Callable[..., dict[str, Any]]


def _binary_learner(table: DataTable, run: Run) -> dict[str, Any]:
    return {"untrained_binary_classification_model": _learner(run)}


def _clustering(table: DataTable, run: Run) -> dict[str, Any]:
    return {
        "untrained_model": run("k_means_clustering", {}, number_of_centroids=3)["untrained_model"],
        "dataset": table,
    }


def _clustered(table: DataTable, run: Run) -> dict[str, Any]:
    model = run("train_clustering_model", _clustering(table, run), column_set=["age", "hours", "workclass"])
    return {"trained_model": model["trained_model"], "dataset": table}


CASES: dict[str, Case] = {
    "boosted_decision_tree_regression": Case(_no_inputs, {"number_of_trees_constructed": 5}),
    "decision_forest_regression": Case(_no_inputs, {"number_of_decision_trees": 3}),
    "fast_forest_quantile_regression": Case(
        _no_inputs, {"number_of_trees": 5, "quantiles_to_be_estimated": [0.1, 0.9]}
    ),
    "poisson_regression": Case(_no_inputs, {}),
    "multiclass_boosted_decision_tree": Case(_no_inputs, {"number_of_trees_constructed": 5}),
    "multiclass_decision_forest": Case(_no_inputs, {"resampling_method": "Replicate"}),
    "multiclass_logistic_regression": Case(_no_inputs, {"l1_regularization_weight": 0.0}),
    "one_vs_all_multiclass": Case(_binary_learner, {}),
    "one_vs_one_multiclass": Case(_binary_learner, {}),
    "two_class_averaged_perceptron": Case(_no_inputs, {}),
    "two_class_decision_forest": Case(_no_inputs, {"maximum_depth_of_the_decision_trees": 4}),
    "two_class_support_vector_machine": Case(_no_inputs, {"project_to_the_unit_sphere": True}),
    "k_means_clustering": Case(_no_inputs, {"initialization": "First N"}),
    "train_clustering_model": Case(_clustering, {"column_set": ["age", "hours", "workclass", "married"]}),
    "assign_data_to_clusters": Case(_clustered, {"check_for_append_or_uncheck_for_result_only": False}),
}
