"""Bad inputs to tuning, cross-validation and anomaly detection name what is at fault, and stop before the work."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from modules.sdk import Cancelled, DataTable, LocalContext, ModuleError, default_registry, params_errors

Runner = Callable[..., dict[str, Any]]


def _learner(run: Runner, module_id: str, **params: Any) -> Any:
    return run(module_id, {}, **params)["untrained_model"]


def _range_forest(run: Runner) -> Any:
    return _learner(
        run,
        "two_class_decision_forest",
        create_trainer_mode="Parameter Range",
        range_for_number_of_decision_trees=[2, 3],
        range_for_maximum_depth_of_the_decision_trees=[2],
        range_for_minimum_number_of_samples_per_leaf_node=[1],
    )


def _tune(
    run: Runner, learner: Any, training: DataTable, validation: DataTable | None = None, **params: Any
) -> dict[str, Any]:
    inputs = {"untrained_model": learner, "training_dataset": training}
    if validation is not None:
        inputs["validation_dataset"] = validation
    return run("tune_model_hyperparameters", inputs, **params)


def _cross_validate(run: Runner, learner: Any, table: DataTable, **params: Any) -> dict[str, Any]:
    return run("cross_validate_model", {"untrained_model": learner, "dataset": table}, **params)


def _train_anomaly(run: Runner, learner: Any, table: DataTable, **params: Any) -> dict[str, Any]:
    return run("train_anomaly_detection_model", {"untrained_model": learner, "dataset": table}, **params)


def _nothing_ran(ctx: LocalContext) -> bool:
    return not any(fraction > 0.0 for fraction, _ in ctx.progress_updates)


# -- missing label column ---------------------------------------------------------------------------------


def test_tuning_with_a_missing_label_column_names_it(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    with pytest.raises(ModuleError) as err:
        _tune(run, _range_forest(run), table, label_column="salary")

    assert (err.value.param, err.value.column, err.value.port) == ("label_column", "salary", "training_dataset")
    assert err.value.message.startswith("label column 'salary' is not in the training dataset (available: age, ")
    assert _nothing_ran(ctx)


def test_a_validation_dataset_without_the_label_column_is_named(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    validation = DataTable(table.df.drop(columns="income"))

    with pytest.raises(ModuleError) as err:
        _tune(run, _range_forest(run), table, validation, label_column="income")

    assert (err.value.param, err.value.column, err.value.port) == ("label_column", "income", "validation_dataset")
    assert _nothing_ran(ctx)


def test_cross_validating_with_a_missing_label_column_names_it(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    learner = _learner(run, "two_class_decision_forest")

    with pytest.raises(ModuleError) as err:
        _cross_validate(run, learner, table, label_column="salary")

    assert (err.value.param, err.value.column, err.value.port) == ("label_column", "salary", "dataset")
    assert _nothing_ran(ctx)


def test_missing_label_values_are_refused_before_the_first_fold(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    df = table.df.copy()
    df.loc[[3, 8], "income"] = None

    with pytest.raises(ModuleError) as err:
        _cross_validate(run, _learner(run, "two_class_decision_forest"), DataTable(df), label_column="income")

    assert (err.value.param, err.value.column) == ("label_column", "income")
    assert "has 2 missing values in the dataset" in err.value.message
    assert _nothing_ran(ctx)


def test_anomaly_training_with_an_unknown_label_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _train_anomaly(run, _learner(run, "pca_based_anomaly_detection"), table, label_column="fraud")

    assert (err.value.param, err.value.column) == ("label_column", "fraud")


# -- a Single Parameter learner given to Tune: a sweep of one trial -----------------------------------------


def test_a_single_parameter_learner_is_tuned_as_one_trial_equal_to_cross_validation_and_train_model(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    learner = _learner(run, "two_class_decision_forest", number_of_decision_trees=3)

    out = _tune(run, learner, table, label_column="income", number_of_cross_validation_folds=4)

    cv = _cross_validate(run, learner, table, label_column="income", number_of_folds=4)
    mean = cv["evaluation_results_by_fold"].df.set_index("Fold Number").loc["Mean"]
    sweep = out["sweep_results"]
    assert list(sweep.df.columns) == ["Trial", "Accuracy", "Precision", "Recall", "F-score", "AUC", "Average log loss"]
    assert list(sweep.df["Trial"]) == [1]
    for metric in ("Accuracy", "Precision", "Recall", "F-score", "AUC", "Average log loss"):
        assert sweep.df[metric].iloc[0] == pytest.approx(mean[metric], rel=1e-12)
    assert sweep.meta["sweep"]["parameters"] == []
    trained = run("train_model", {"untrained_model": learner, "dataset": table}, label_column="income")["trained_model"]
    tuned = run("score_model", {"trained_model": out["trained_best_model"], "dataset": table})["scored_dataset"]
    direct = run("score_model", {"trained_model": trained, "dataset": table})["scored_dataset"]
    pd.testing.assert_frame_equal(tuned.df, direct.df)
    assert any("Single Parameter mode, so there is nothing to sweep" in line for line in ctx.logs)


# -- more folds than rows ------------------------------------------------------------------------------------


def test_more_folds_than_rows_names_the_number_of_folds(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    small = DataTable(table.df.iloc[:6].reset_index(drop=True))

    with pytest.raises(ModuleError) as err:
        _cross_validate(run, _learner(run, "two_class_decision_forest"), small, label_column="income")

    assert err.value.param == "number_of_folds"
    assert err.value.message == "number of folds is 10, more than the 6 rows of the dataset; each fold needs a row"
    assert _nothing_ran(ctx)


def test_tuning_with_more_folds_than_rows_names_the_number_of_folds(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    small = DataTable(table.df.iloc[:4].reset_index(drop=True))

    with pytest.raises(ModuleError) as err:
        _tune(run, _range_forest(run), small, label_column="income")

    assert err.value.param == "number_of_cross_validation_folds"
    assert "is 5, more than the 4 rows" in err.value.message
    assert _nothing_ran(ctx)


def test_a_fold_whose_training_rows_hold_one_class_says_which_fold(run: Runner, table: DataTable) -> None:
    df = pd.DataFrame({"x": np.arange(6.0), "y": pd.Series(["a", "a", "a", "a", "a", "b"], dtype="str")})

    with pytest.raises(ModuleError) as err:
        _cross_validate(
            run, _learner(run, "two_class_decision_forest"), DataTable(df), label_column="y", number_of_folds=2
        )

    assert (err.value.param, err.value.column) == ("label_column", "y")
    assert err.value.message.startswith("fold ")
    assert "has 1 class; a two-class learner needs exactly 2" in err.value.message


# -- empty tables ------------------------------------------------------------------------------------------


def test_an_empty_training_dataset_is_refused_by_tune(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    with pytest.raises(ModuleError) as err:
        _tune(run, _range_forest(run), DataTable(table.df.iloc[:0]), label_column="income")

    assert (err.value.port, err.value.message) == ("training_dataset", "the training dataset has no rows")
    assert _nothing_ran(ctx)


def test_an_empty_dataset_is_refused_by_cross_validate(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _cross_validate(
            run, _learner(run, "two_class_decision_forest"), DataTable(table.df.iloc[:0]), label_column="income"
        )

    assert (err.value.port, err.value.message) == ("dataset", "the dataset has no rows")


def test_an_empty_dataset_is_refused_by_anomaly_training(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _train_anomaly(run, _learner(run, "one_class_svm"), DataTable(table.df.iloc[:0]))

    assert (err.value.port, err.value.message) == ("dataset", "the training dataset has no rows")


# -- parameters out of range ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module_id", "params", "loc"),
    [
        (
            "tune_model_hyperparameters",
            {"label_column": "y", "maximum_number_of_runs_on_random_sweep": 0},
            ("maximum_number_of_runs_on_random_sweep",),
        ),
        (
            "tune_model_hyperparameters",
            {"label_column": "y", "number_of_cross_validation_folds": 1},
            ("number_of_cross_validation_folds",),
        ),
        (
            "tune_model_hyperparameters",
            {"label_column": "y", "specify_parameter_sweeping_mode": "Bayesian"},
            ("specify_parameter_sweeping_mode",),
        ),
        (
            "tune_model_hyperparameters",
            {"label_column": "y", "metric_for_measuring_performance_for_regression": "AUC"},
            ("metric_for_measuring_performance_for_regression",),
        ),
        ("cross_validate_model", {"label_column": "y", "number_of_folds": 1}, ("number_of_folds",)),
        ("cross_validate_model", {"label_column": "y", "random_seed": -1}, ("random_seed",)),
        (
            "pca_based_anomaly_detection",
            {"number_of_components_to_use_in_pca": 0},
            ("number_of_components_to_use_in_pca",),
        ),
        (
            "pca_based_anomaly_detection",
            {"oversampling_parameter_for_randomized_pca": 0},
            ("oversampling_parameter_for_randomized_pca",),
        ),
        ("one_class_svm", {"nu": 0.0}, ("nu",)),
        ("one_class_svm", {"nu": 1.5}, ("nu",)),
        ("one_class_svm", {"kernel_type": "Laplacian"}, ("kernel_type",)),
        ("one_class_svm", {"gamma": -1.0}, ("gamma",)),
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


def test_more_pca_components_than_features_is_refused_naming_the_parameter(run: Runner, table: DataTable) -> None:
    learner = _learner(run, "pca_based_anomaly_detection", number_of_components_to_use_in_pca=2)
    narrow = DataTable(table.df[["age", "hours"]])

    with pytest.raises(ModuleError) as err:
        _train_anomaly(run, learner, narrow)

    assert err.value.port == "untrained_model"
    assert err.value.message.startswith(
        "Number of components to use in PCA is 2, but the data has 2 feature values per row after encoding"
    )


# -- the wrong kind of learner -----------------------------------------------------------------------------


@pytest.mark.parametrize("module_id", ["pca_based_anomaly_detection", "k_means_clustering"])
def test_tune_and_cross_validate_refuse_unsupervised_learners(
    run: Runner, table: DataTable, ctx: LocalContext, module_id: str
) -> None:
    learner = _learner(run, module_id)

    with pytest.raises(ModuleError) as tuned:
        _tune(run, learner, table, label_column="income")
    with pytest.raises(ModuleError) as validated:
        _cross_validate(run, learner, table, label_column="income")

    assert tuned.value.port == validated.value.port == "untrained_model"
    assert "takes a classification or regression learner" in tuned.value.message
    assert _nothing_ran(ctx)


def test_cross_validate_refuses_a_parameter_range_learner(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _cross_validate(run, _range_forest(run), table, label_column="income")

    assert err.value.port == "untrained_model"
    assert "Parameter Range" in err.value.message


def test_anomaly_training_refuses_a_supervised_learner(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _train_anomaly(run, _learner(run, "two_class_decision_forest"), table)

    assert err.value.port == "untrained_model"
    assert err.value.message.startswith("Two-Class Decision Forest is a binary learner; train it with Train Model")


def test_anomaly_models_are_not_trained_by_train_model(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "train_model",
            {"untrained_model": _learner(run, "one_class_svm"), "dataset": table},
            label_column="income",
        )

    assert err.value.port == "untrained_model"


# -- a metric undefined everywhere, and cancellation -----------------------------------------------------------


def test_a_metric_undefined_for_every_trial_names_the_metric_parameter(run: Runner, table: DataTable) -> None:
    validation = DataTable(table.df[table.df["income"] == "<=50K"].reset_index(drop=True))

    with pytest.raises(ModuleError) as err:
        _tune(
            run,
            _range_forest(run),
            table,
            validation,
            label_column="income",
            metric_for_measuring_performance_for_classification="AUC",
        )

    assert err.value.param == "metric_for_measuring_performance_for_classification"
    assert err.value.message.startswith("AUC is undefined for every trial")


class _CancelledDuringTrialOne(LocalContext):
    """A user presses Cancel while trial 1 runs: every check after it finished says so."""

    def check_cancelled(self) -> None:
        if any(line.startswith("trial 1 done") for line in self.logs):
            raise Cancelled()


def test_a_cancelled_sweep_stops_before_the_next_trial(run: Runner, table: DataTable) -> None:
    cls = default_registry().get("tune_model_hyperparameters")
    params = cls.parse_params(
        {
            "label_column": "income",
            "specify_parameter_sweeping_mode": "Entire grid",
            "number_of_cross_validation_folds": 2,
        }
    )
    ctx = _CancelledDuringTrialOne()

    with pytest.raises(Cancelled):
        cls().run({"untrained_model": _range_forest(run), "training_dataset": table}, params, ctx)

    assert ctx.progress_updates == [(0.0, "trial 1 of 2")]
    assert [line for line in ctx.logs if line.startswith("trial ")] == [ctx.logs[-1]]
    assert ctx.logs[-1].startswith("trial 1 done in ")
