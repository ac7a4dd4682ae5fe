"""Bad inputs to the new learners, Train Model, the clustering pair and Evaluate Model name what is at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest
from pydantic import Field, ValidationError

from modules.library._learners import LearnerParams, value_range
from modules.sdk import DataTable, LocalContext, ModuleError, default_registry, params_errors

Runner = Callable[..., dict[str, Any]]


def _learner(run: Runner, module_id: str, **params: Any) -> Any:
    return run(module_id, {}, **params)["untrained_model"]


def _train(run: Runner, learner: Any, table: DataTable, label: str) -> Any:
    return run("train_model", {"untrained_model": learner, "dataset": table}, label_column=label)["trained_model"]


def _cluster(run: Runner, table: DataTable, **params: Any) -> dict[str, Any]:
    learner = _learner(run, "k_means_clustering", number_of_centroids=params.pop("k", 2))
    return run("train_clustering_model", {"untrained_model": learner, "dataset": table}, **params)


# -- Train Model with the new learners ------------------------------------------------------------------


@pytest.mark.parametrize(
    "module_id", ["multiclass_decision_forest", "poisson_regression", "two_class_averaged_perceptron"]
)
def test_a_missing_label_column_is_named(run: Runner, table: DataTable, module_id: str) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, _learner(run, module_id), table, "salary")

    assert (err.value.param, err.value.column) == ("label_column", "salary")
    assert "'salary' is not in the dataset" in err.value.message


def test_an_empty_table_is_refused_before_fitting(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, _learner(run, "multiclass_boosted_decision_tree"), DataTable(table.df.iloc[:0]), "income")

    assert (err.value.port, err.value.message) == ("dataset", "the training dataset has no rows")
    assert not any(fraction > 0.0 for fraction, _ in ctx.progress_updates)


def test_a_parameter_range_learner_is_refused_pointing_to_tune_model_hyperparameters(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    learner = _learner(run, "two_class_decision_forest", create_trainer_mode="Parameter Range")

    with pytest.raises(ModuleError) as err:
        _train(run, learner, table, "income")

    assert err.value.port == "untrained_model"
    assert err.value.message.startswith("Two-Class Decision Forest has Create trainer mode 'Parameter Range'")
    assert "Tune Model Hyperparameters" in err.value.message
    assert ctx.progress_updates == []


def test_a_count_learner_refuses_negative_labels_naming_the_column(run: Runner, table: DataTable) -> None:
    df = table.df.assign(change=np.resize([3.0, -1.0, 0.0, -2.0], len(table.df)))

    with pytest.raises(ModuleError) as err:
        _train(run, _learner(run, "poisson_regression"), DataTable(df), "change")

    assert (err.value.param, err.value.column) == ("label_column", "change")
    assert err.value.message == (
        "label column 'change' has 30 negative values; Poisson Regression models counts, which are 0 or more"
    )


def test_a_multiclass_learner_needs_two_classes(run: Runner, table: DataTable) -> None:
    df = table.df.assign(grade=pd.Series(["a"] * len(table.df), dtype="str"))

    with pytest.raises(ModuleError) as err:
        _train(run, _learner(run, "multiclass_logistic_regression"), DataTable(df), "grade")

    assert (err.value.param, err.value.column) == ("label_column", "grade")
    assert err.value.message == "label column 'grade' has only 1 class; a classifier needs at least 2"


def test_a_regression_learner_refuses_a_text_label(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, _learner(run, "boosted_decision_tree_regression"), table, "income")

    assert (err.value.param, err.value.column) == ("label_column", "income")
    assert "needs a numeric label" in err.value.message


def test_missing_numbers_are_refused_by_the_perceptron_naming_the_column(run: Runner, table: DataTable) -> None:
    df = table.df.copy()
    df.loc[3, "hours"] = np.nan

    with pytest.raises(ModuleError) as err:
        _train(run, _learner(run, "two_class_averaged_perceptron"), DataTable(df), "income")

    assert (err.value.port, err.value.column) == ("dataset", "hours")


def test_a_clustering_learner_is_refused_by_train_model(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, _learner(run, "k_means_clustering"), table, "income")

    assert err.value.port == "untrained_model"
    assert err.value.message == ("K-Means Clustering is a clustering learner; train it with Train Clustering Model")


# -- Score Model ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("module_id", ["fast_forest_quantile_regression", "decision_forest_regression"])
def test_scoring_text_in_a_numeric_feature_names_the_column(run: Runner, table: DataTable, module_id: str) -> None:
    model = _train(run, _learner(run, module_id), table, "hours")
    df = table.df.assign(age=pd.Series(["old"] * len(table.df), dtype="str"))

    with pytest.raises(ModuleError) as err:
        run("score_model", {"trained_model": model, "dataset": DataTable(df)})

    assert (err.value.port, err.value.column) == ("dataset", "age")
    assert "'old'" in err.value.message


# -- One-vs-All / One-vs-One ----------------------------------------------------------------------------


@pytest.mark.parametrize("module_id", ["one_vs_all_multiclass", "one_vs_one_multiclass"])
def test_a_wrapper_refuses_a_learner_that_is_not_two_class(run: Runner, module_id: str) -> None:
    inner = _learner(run, "multiclass_logistic_regression")

    with pytest.raises(ModuleError) as err:
        run(module_id, {"untrained_binary_classification_model": inner})

    assert err.value.port == "untrained_binary_classification_model"
    assert "needs a two-class learner, but Multiclass Logistic Regression is a multiclass learner" in err.value.message


def test_one_vs_all_refuses_a_parameter_range_learner(run: Runner) -> None:
    inner = _learner(run, "two_class_support_vector_machine", create_trainer_mode="Parameter Range")

    with pytest.raises(ModuleError) as err:
        run("one_vs_all_multiclass", {"untrained_binary_classification_model": inner})

    assert err.value.port == "untrained_binary_classification_model"
    assert "Create trainer mode 'Parameter Range'" in err.value.message


# -- Train Clustering Model / Assign Data to Clusters ---------------------------------------------------


def test_clustering_an_unknown_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _cluster(run, table, column_set=["age", "salary"])

    assert (err.value.param, err.value.column) == ("column_set", "salary")


def test_clustering_an_empty_table_is_refused(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _cluster(run, DataTable(table.df.iloc[:0]))

    assert (err.value.port, err.value.message) == ("dataset", "the training dataset has no rows")


def test_clustering_missing_numbers_names_the_column(run: Runner, table: DataTable) -> None:
    df = table.df.copy()
    df.loc[[2, 7], "age"] = pd.NA

    with pytest.raises(ModuleError) as err:
        _cluster(run, DataTable(df), column_set=["age", "hours"])

    assert (err.value.port, err.value.column) == ("dataset", "age")
    assert "has 2 missing values" in err.value.message


def test_more_centroids_than_rows_names_the_parameter(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _cluster(run, DataTable(table.df.iloc[:3]), k=5, column_set=["age", "hours"])

    assert err.value.port == "dataset"
    assert err.value.message == "the dataset has 3 rows, fewer than the 5 clusters asked for (Number of centroids)"


def test_train_clustering_model_refuses_a_supervised_learner(run: Runner, table: DataTable) -> None:
    learner = _learner(run, "two_class_decision_forest")

    with pytest.raises(ModuleError) as err:
        run("train_clustering_model", {"untrained_model": learner, "dataset": table})

    assert err.value.port == "untrained_model"
    assert "is a binary learner; train it with Train Model" in err.value.message


def test_assigning_text_in_a_numeric_column_names_it(run: Runner, table: DataTable) -> None:
    model = _cluster(run, table, column_set=["age", "hours"])["trained_model"]
    df = table.df.assign(hours=pd.Series(["forty"] * len(table.df), dtype="str"))

    with pytest.raises(ModuleError) as err:
        run("assign_data_to_clusters", {"trained_model": model, "dataset": DataTable(df)})

    assert (err.value.port, err.value.column) == ("dataset", "hours")
    assert "'forty'" in err.value.message


def test_assign_data_to_clusters_refuses_a_supervised_model(run: Runner, table: DataTable) -> None:
    model = _train(run, _learner(run, "two_class_decision_forest"), table, "income")

    with pytest.raises(ModuleError) as err:
        run("assign_data_to_clusters", {"trained_model": model, "dataset": table})

    assert err.value.port == "trained_model"
    assert "is a binary model; score it with Score Model" in err.value.message


def test_evaluating_assignments_without_distances_names_the_column(run: Runner, table: DataTable) -> None:
    results = _cluster(run, table, column_set=["age", "hours"])["results_dataset"]
    cut = DataTable(results.df.drop(columns="DistancesToClusterCenter no.1"), results.meta)

    with pytest.raises(ModuleError) as err:
        run("evaluate_model", {"scored_dataset": cut})

    assert (err.value.port, err.value.column) == ("scored_dataset", "DistancesToClusterCenter no.1")
    assert "Assign Data to Clusters" in err.value.message


# -- parameters -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module_id", "params", "loc"),
    [
        ("boosted_decision_tree_regression", {"learning_rate": 1.5}, ("learning_rate",)),
        ("boosted_decision_tree_regression", {"range_for_learning_rate": [0.1, 0]}, ("range_for_learning_rate", 1)),
        ("decision_forest_regression", {"resampling_method": "Boosting"}, ("resampling_method",)),
        (
            "multiclass_decision_forest",
            {"range_for_number_of_decision_trees": []},
            ("range_for_number_of_decision_trees",),
        ),
        (
            "fast_forest_quantile_regression",
            {"quantiles_to_be_estimated": [0.5, 1.0]},
            ("quantiles_to_be_estimated", 1),
        ),
        ("fast_forest_quantile_regression", {"bagging_fraction": 1.0}, ("bagging_fraction",)),
        ("poisson_regression", {"l2_regularization_weight": -0.1}, ("l2_regularization_weight",)),
        (
            "multiclass_boosted_decision_tree",
            {"maximum_number_of_leaves_per_tree": 1},
            ("maximum_number_of_leaves_per_tree",),
        ),
        ("multiclass_logistic_regression", {"optimization_tolerance": 0}, ("optimization_tolerance",)),
        ("two_class_averaged_perceptron", {"maximum_number_of_iterations": 0}, ("maximum_number_of_iterations",)),
        ("two_class_decision_forest", {"create_trainer_mode": "Sweep"}, ("create_trainer_mode",)),
        ("two_class_support_vector_machine", {"lambda_weight": 0.0}, ("lambda_weight",)),
        ("k_means_clustering", {"number_of_centroids": 1}, ("number_of_centroids",)),
        ("k_means_clustering", {"initialization": "Farthest"}, ("initialization",)),
        ("k_means_clustering", {"create_trainer_mode": "Parameter Range"}, ("create_trainer_mode",)),
    ],
)
def test_out_of_range_parameters_are_refused_naming_the_parameter(
    module_id: str, params: dict[str, Any], loc: tuple[Any, ...]
) -> None:
    cls = default_registry().get(module_id)

    with pytest.raises(ValidationError) as err:
        cls.parse_params(params)

    assert [e["loc"] for e in err.value.errors()] == [loc]
    assert [e["param"] for e in params_errors(cls, params)] == [".".join(str(x) for x in loc)]


def test_a_range_field_for_an_unknown_parameter_is_refused_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError) as err:

        class Params(LearnerParams):
            depth: int = Field(3, ge=1, title="Depth", description="Levels.")
            range_for_width: list[int] = value_range("width", [1, 2])

    assert (
        str(err.value).split("<locals>.")[-1]
        == "Params: range field 'range_for_width' belongs to unknown parameter 'width'"
    )


def test_range_values_constrained_unlike_their_parameter_are_refused_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError) as err:

        class Params(LearnerParams):
            depth: Annotated[int, Field(ge=1)] = Field(3, title="Depth", description="Levels.")
            range_for_depth: list[int] = value_range("depth", [1, 2])

    assert (
        str(err.value).split("<locals>.")[-1]
        == "Params: the values of range field 'range_for_depth' are not constrained like 'depth'"
    )
