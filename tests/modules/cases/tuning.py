"""Contract cases for tuning, cross-validation and anomaly detection."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.sdk import DataTable

from ._helpers import Case, _no_inputs

Run = Callable[..., dict[str, Any]]


def _range_forest(run: Run) -> Any:
    return run(
        "two_class_decision_forest",
        {},
        create_trainer_mode="Parameter Range",
        range_for_number_of_decision_trees=[2, 4],
        range_for_maximum_depth_of_the_decision_trees=[3],
        range_for_minimum_number_of_samples_per_leaf_node=[1, 2],
    )["untrained_model"]


def _tuning(table: DataTable, run: Run) -> dict[str, Any]:
    df = table.df
    return {
        "untrained_model": _range_forest(run),
        "training_dataset": DataTable(df.iloc[:40].reset_index(drop=True)),
        "validation_dataset": DataTable(df.iloc[40:].reset_index(drop=True)),
    }


def _cross_validation(table: DataTable, run: Run) -> dict[str, Any]:
    learner = run("two_class_logistic_regression", {}, l1_regularization_weight=0.0)["untrained_model"]
    return {"untrained_model": learner, "dataset": table}


def _automl(table: DataTable, run: Run) -> dict[str, Any]:
    return {"training_dataset": table}


def _anomaly_training(table: DataTable, run: Run) -> dict[str, Any]:
    learner = run("pca_based_anomaly_detection", {}, number_of_components_to_use_in_pca=3)["untrained_model"]
    return {"untrained_model": learner, "dataset": table}


CASES: dict[str, Case] = {
    "tune_model_hyperparameters": Case(
        _tuning,
        {
            "label_column": "income",
            "specify_parameter_sweeping_mode": "Random sweep",
            "maximum_number_of_runs_on_random_sweep": 3,
            "metric_for_measuring_performance_for_classification": "F-score",
        },
    ),
    "cross_validate_model": Case(_cross_validation, {"label_column": "income", "number_of_folds": 3}),
    "pca_based_anomaly_detection": Case(_no_inputs, {"oversampling_parameter_for_randomized_pca": 5}),
    "one_class_svm": Case(_no_inputs, {"nu": 0.2, "kernel_type": "Polynomial"}),
    "train_anomaly_detection_model": Case(_anomaly_training, {"label_column": "married"}),
    "automl_classification": Case(
        _automl,
        {"label_column": "income", "maximum_number_of_trials": 2, "maximum_concurrent_trials": 2},
    ),
    "automl_regression": Case(
        _automl,
        {"label_column": "hours", "maximum_number_of_trials": 2, "maximum_concurrent_trials": 2},
    ),
}
