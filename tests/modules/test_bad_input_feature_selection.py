"""Feature Selection and Statistical Functions: bad inputs fail with an error naming what is at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.library.feature_selection.filter_based_feature_selection import FilterBasedFeatureSelection
from modules.library.statistics.principal_component_analysis import PrincipalComponentAnalysis
from modules.sdk import DataTable, FittedModel, LocalContext, ModuleError, default_registry, params_errors

Runner = Callable[..., dict[str, Any]]


def _model(run: Runner, table: DataTable, learner: str = "two_class_logistic_regression", label: str = "income") -> Any:
    params = {"l1_regularization_weight": 0.0} if "logistic" in learner else {}
    untrained = run(learner, {}, **params)["untrained_model"]
    return run("train_model", {"untrained_model": untrained, "dataset": table}, label_column=label)["trained_model"]


# -- Filter Based Feature Selection ---------------------------------------------------------------------------


def test_feature_selection_without_the_target_column_names_it(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    with pytest.raises(ModuleError) as err:
        run("filter_based_feature_selection", {"dataset": table}, target_column="salary")

    assert (err.value.param, err.value.column) == ("target_column", "salary")
    assert err.value.message == (
        "target column 'salary' is not in the dataset (available: age, hours, workclass, married, income)"
    )
    assert ctx.logs == []


def test_feature_selection_is_refused_at_validation_when_the_target_is_missing(table: DataTable) -> None:
    params = FilterBasedFeatureSelection.parse_params({"target_column": "salary"})

    with pytest.raises(ModuleError) as err:
        FilterBasedFeatureSelection().infer_schemas({"dataset": table.schema}, params)

    assert (err.value.param, err.value.column) == ("target_column", "salary")


def test_correlation_without_a_target_asks_for_one(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("filter_based_feature_selection", {"dataset": table}, feature_scoring_method="Spearman Correlation")

    assert err.value.param == "target_column"
    assert err.value.message == "Spearman Correlation scores features against a target column; choose one"


def test_pearson_with_a_text_feature_names_the_column(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    numeric_target = DataTable(table.df.drop(columns="income"))

    with pytest.raises(ModuleError) as err:
        run("filter_based_feature_selection", {"dataset": numeric_target}, target_column="hours")

    assert (err.value.param, err.value.column) == ("feature_scoring_method", "workclass")
    assert err.value.message.startswith("column 'workclass' is string; Pearson Correlation needs numbers")
    assert ctx.logs == []


def test_pearson_with_a_text_target_names_the_target(run: Runner, table: DataTable) -> None:
    numbers_only = DataTable(table.df[["age", "hours", "income"]])

    with pytest.raises(ModuleError) as err:
        run("filter_based_feature_selection", {"dataset": numbers_only}, target_column="income")

    assert (err.value.param, err.value.column) == ("target_column", "income")
    assert err.value.message.startswith("target column 'income' is string;")


def test_more_features_than_the_table_has_is_refused(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "filter_based_feature_selection",
            {"dataset": table},
            feature_scoring_method="Chi Squared",
            target_column="income",
            number_of_desired_features=5,
        )

    assert err.value.param == "number_of_desired_features"
    assert err.value.message == "5 features were asked for but the dataset has only 4 feature columns"


def test_feature_selection_of_an_empty_table_names_the_port(run: Runner, table: DataTable) -> None:
    empty = DataTable(table.df.iloc[0:0])

    with pytest.raises(ModuleError) as err:
        run("filter_based_feature_selection", {"dataset": empty}, feature_scoring_method="Count Based")

    assert (err.value.port, err.value.message) == ("dataset", "the dataset has no rows to score features on")


def test_zero_desired_features_is_a_parameter_error() -> None:
    cls = default_registry().get("filter_based_feature_selection")

    errors = params_errors(cls, {"number_of_desired_features": 0})

    assert [e["param"] for e in errors] == ["number_of_desired_features"]


def test_label_and_score_columns_are_not_candidates_when_operating_on_features_only(
    run: Runner, table: DataTable
) -> None:
    scored = DataTable(table.df.assign(score=np.linspace(0, 1, len(table.df))), {"score_columns": {"labels": "score"}})

    with pytest.raises(ModuleError) as err:
        run(
            "filter_based_feature_selection",
            {"dataset": scored},
            feature_scoring_method="Count Based",
            number_of_desired_features=6,
        )

    assert err.value.message == "6 features were asked for but the dataset has only 5 feature columns"


# -- Permutation Feature Importance ---------------------------------------------------------------------------


def test_a_regression_metric_for_a_classifier_is_refused(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    model = _model(run, table)

    with pytest.raises(ModuleError) as err:
        run(
            "permutation_feature_importance",
            {"trained_model": model, "test_data": table},
            metric_for_measuring_performance="Mean Absolute Error",
        )

    assert err.value.param == "metric_for_measuring_performance"
    assert err.value.message == (
        "Mean Absolute Error measures regression models; for this binary classifier choose Accuracy, Precision, Recall"
    )
    assert not any(message.startswith("shuffling") for _, message in ctx.progress_updates)


def test_a_classification_metric_for_a_regression_model_is_refused(run: Runner, table: DataTable) -> None:
    model = _model(run, DataTable(table.df[["age", "hours", "married"]]), "linear_regression", "hours")

    with pytest.raises(ModuleError) as err:
        run("permutation_feature_importance", {"trained_model": model, "test_data": table})

    assert err.value.param == "metric_for_measuring_performance"
    assert err.value.message.startswith("Accuracy measures classifiers; for this regression model choose Mean")


def test_test_data_without_the_label_names_it(run: Runner, table: DataTable) -> None:
    model = _model(run, table)

    with pytest.raises(ModuleError) as err:
        run(
            "permutation_feature_importance",
            {"trained_model": model, "test_data": DataTable(table.df.drop(columns="income"))},
        )

    assert (err.value.port, err.value.column) == ("test_data", "income")


def test_test_data_without_a_feature_names_it(run: Runner, table: DataTable) -> None:
    model = _model(run, table)

    with pytest.raises(ModuleError) as err:
        run(
            "permutation_feature_importance",
            {"trained_model": model, "test_data": DataTable(table.df.drop(columns="hours"))},
        )

    assert (err.value.port, err.value.column) == ("test_data", "hours")


def test_test_data_without_any_label_values_is_refused(run: Runner, table: DataTable) -> None:
    model = _model(run, table)
    unlabelled = DataTable(table.df.assign(income=pd.Series([None] * len(table.df), dtype="str")))

    with pytest.raises(ModuleError) as err:
        run("permutation_feature_importance", {"trained_model": model, "test_data": unlabelled})

    assert err.value.port == "test_data"
    assert err.value.message == "the test data has no rows with a value in label column 'income'"


def test_missing_numbers_for_a_learner_that_cannot_use_them_name_the_column(run: Runner, table: DataTable) -> None:
    model = _model(run, table)
    holey = table.df.copy()
    holey.loc[[2, 7], "hours"] = np.nan

    with pytest.raises(ModuleError) as err:
        run("permutation_feature_importance", {"trained_model": model, "test_data": DataTable(holey)})

    assert (err.value.port, err.value.column) == ("test_data", "hours")
    assert "has 2 missing values" in err.value.message


def test_a_clustering_model_is_refused(run: Runner, table: DataTable) -> None:
    untrained = run("k_means_clustering", {}, number_of_centroids=2)["untrained_model"]
    model: FittedModel = run(
        "train_clustering_model", {"untrained_model": untrained, "dataset": table}, column_set=["age", "hours"]
    )["trained_model"]

    with pytest.raises(ModuleError) as err:
        run("permutation_feature_importance", {"trained_model": model, "test_data": table})

    assert err.value.port == "trained_model"
    assert err.value.message == (
        "permutation importance needs a two-class, multiclass or regression model, not a clustering model"
    )


# -- Summarize Data -------------------------------------------------------------------------------------------


def test_summarizing_a_table_without_rows_names_the_port(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("summarize_data", {"dataset": DataTable(table.df.iloc[0:0])})

    assert (err.value.port, err.value.message) == ("dataset", "the dataset has no rows to summarize")


def test_summarizing_a_table_without_columns_names_the_port(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run("summarize_data", {"dataset": DataTable(pd.DataFrame(index=range(3)))})

    assert (err.value.port, err.value.message) == ("dataset", "the dataset has no columns to summarize")


# -- Compute Linear Correlation ---------------------------------------------------------------------------------


def test_correlating_a_text_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("compute_linear_correlation", {"dataset": table}, columns=["age", "workclass"])

    assert (err.value.param, err.value.column) == ("columns", "workclass")
    assert err.value.message == "column 'workclass' is string, not numeric; Pearson correlation needs numbers"


def test_correlating_a_table_without_numbers_is_refused(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("compute_linear_correlation", {"dataset": DataTable(table.df[["workclass", "income"]])})

    assert (err.value.param, err.value.message) == ("columns", "no numeric columns are selected to correlate")


def test_correlating_an_unknown_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("compute_linear_correlation", {"dataset": table}, columns=["age", "weight"])

    assert (err.value.param, err.value.column) == ("columns", "weight")


def test_a_constant_column_has_empty_correlations_and_is_logged(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    flat = DataTable(table.df[["age", "hours"]].assign(flat=1.0))

    out = run("compute_linear_correlation", {"dataset": flat})["results_dataset"].df

    assert out["flat"].isna().all()
    assert out.loc[2, ["age", "hours"]].isna().all()
    assert ctx.logs == ["no correlation is defined for columns without spread: flat"]


# -- Principal Component Analysis ---------------------------------------------------------------------------


def test_more_dimensions_than_columns_is_refused(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("principal_component_analysis", {"dataset": table}, number_of_dimensions_to_reduce_to=3)

    assert err.value.param == "number_of_dimensions_to_reduce_to"
    assert err.value.message == "3 dimensions were asked for but only 2 columns are selected"


def test_more_dimensions_than_rows_is_refused(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("principal_component_analysis", {"dataset": DataTable(table.df.head(1))})

    assert err.value.param == "number_of_dimensions_to_reduce_to"
    assert err.value.message == "2 dimensions were asked for but the dataset has only 1 rows"


def test_pca_of_a_text_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "principal_component_analysis",
            {"dataset": table},
            columns=["age", "income"],
            number_of_dimensions_to_reduce_to=1,
        )

    assert (err.value.param, err.value.column) == ("columns", "income")


def test_pca_with_missing_values_names_the_column(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    holey = table.df.copy()
    holey.loc[[0, 5, 6], "age"] = pd.NA

    with pytest.raises(ModuleError) as err:
        run("principal_component_analysis", {"dataset": DataTable(holey)})

    assert (err.value.port, err.value.column) == ("dataset", "age")
    assert err.value.message == "column 'age' has 3 missing values; fill or remove them first with Clean Missing Data"
    assert ctx.logs == []


def test_applying_pca_to_rows_without_a_fitted_column_names_it(run: Runner, table: DataTable) -> None:
    spec = run("principal_component_analysis", {"dataset": table})["pca_transformation"].spec

    with pytest.raises(ModuleError) as err:
        PrincipalComponentAnalysis.apply_transform(spec, DataTable(table.df.drop(columns="hours")))

    assert (err.value.port, err.value.column) == ("dataset", "hours")


def test_a_component_name_already_in_the_table_is_refused(run: Runner, table: DataTable) -> None:
    clash = DataTable(table.df.assign(PC1=pd.Series(["x"] * len(table.df), dtype="str")))

    with pytest.raises(ModuleError) as err:
        run("principal_component_analysis", {"dataset": clash}, number_of_dimensions_to_reduce_to=1)

    assert (err.value.port, err.value.column) == ("dataset", "PC1")
