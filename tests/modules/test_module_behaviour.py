"""What each module promises beyond the golden comparisons: types kept, roles recorded, edge cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import numpy as np
import pandas as pd
import pytest

from modules.library.data_transformation.clean_missing_data import CleanMissingData
from modules.sdk import DataTable, LocalContext, Metrics, StoredTable

Runner = Callable[..., dict[str, Any]]


def _holey() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "n": pd.array([1, None, 3, None], dtype="Int64"),
            "x": [0.5, 1.5, np.nan, 2.5],
            "s": pd.Series(["a", None, "b", "b"], dtype="str"),
            "flag": pd.array([True, None, False, True], dtype="boolean"),
            "full": [1.0, 2.0, 3.0, 4.0],
        }
    )


# -- data input -----------------------------------------------------------------------------------------


def test_dataset_module_passes_the_registered_dataset_on_as_stored(run: Runner, ctx: LocalContext) -> None:
    out = run("dataset", dataset={"dataset_id": 1, "version": 2})

    assert isinstance(out["dataset"], StoredTable)  # the version's artifact, never loaded by the node
    pd.testing.assert_frame_equal(out["dataset"].read().df, ctx.datasets[1].df)


def test_enter_data_manually_reads_tsv_without_a_header(run: Runner) -> None:
    out = run("enter_data_manually", data_format="TSV", has_header=False, data="1\tyes\n2\tno\n")

    df = out["dataset"].df
    assert list(df.columns) == ["Col1", "Col2"]
    assert df["Col1"].dtype == "Int64"


# -- Clean Missing Data ---------------------------------------------------------------------------------


def test_custom_substitution_keeps_each_column_type_and_adds_indicators(run: Runner) -> None:
    out = run(
        "clean_missing_data",
        {"dataset": DataTable(_holey())},
        columns=["n", "s", "flag"],
        replacement_value="0",
        generate_missing_value_indicator_column=True,
    )

    df = out["cleaned_dataset"].df
    assert df["n"].tolist() == [1, 0, 3, 0] and df["n"].dtype == "Int64"
    assert df["s"].tolist() == ["a", "0", "b", "b"] and df["s"].dtype == "str"
    assert df["flag"].tolist() == [True, False, False, True] and df["flag"].dtype == "boolean"
    assert df["x"].isna().sum() == 1  # not selected, left alone
    assert list(df.columns)[-3:] == ["n_isMissing", "s_isMissing", "flag_isMissing"]
    assert df["n_isMissing"].tolist() == [False, True, False, True]


def test_only_columns_within_the_missing_ratio_window_are_cleaned(run: Runner) -> None:
    out = run(
        "clean_missing_data",
        {"dataset": DataTable(_holey())},
        columns={"start": "all"},
        minimum_missing_value_ratio=0.4,
        cleaning_mode="Replace with mode",
    )

    df = out["cleaned_dataset"].df
    assert df["n"].isna().sum() == 0  # half missing: cleaned
    assert df["x"].isna().sum() == 1  # a quarter missing: below the window
    assert out["cleaning_transformation"].spec["columns"] == ["n"]


def test_mean_turns_integer_columns_into_decimals(run: Runner) -> None:
    out = run(
        "clean_missing_data", {"dataset": DataTable(_holey())}, columns=["n", "x"], cleaning_mode="Replace with mean"
    )

    df = out["cleaned_dataset"].df
    assert df["n"].tolist() == [1.0, 2.0, 3.0, 2.0] and df["n"].dtype == "float64"
    assert df["x"].tolist() == [0.5, 1.5, 1.5, 2.5]


def test_remove_entire_column_drops_only_columns_with_missing_values(run: Runner) -> None:
    out = run("clean_missing_data", {"dataset": DataTable(_holey())}, cleaning_mode="Remove entire column")

    assert list(out["cleaned_dataset"].df.columns) == ["full"]


def test_the_cleaning_transformation_fills_new_data_with_the_training_values(run: Runner) -> None:
    out = run(
        "clean_missing_data", {"dataset": DataTable(_holey())}, columns=["x"], cleaning_mode="Replace with median"
    )
    new = pd.DataFrame({"n": pd.array([None], dtype="Int64"), "x": [np.nan], "s": ["z"], "flag": [True], "full": [0.0]})

    applied = CleanMissingData.apply_transform(out["cleaning_transformation"].spec, DataTable(new))

    assert applied.df["x"].tolist() == [1.5]
    assert applied.df["n"].isna().all()


def test_a_column_without_missing_values_that_cannot_take_the_replacement_is_skipped(
    run: Runner, ctx: LocalContext
) -> None:
    df = pd.DataFrame({"when": pd.to_datetime(["2024-01-01", "2024-02-01"]), "x": [1.0, np.nan]})

    out = run("clean_missing_data", {"dataset": DataTable(df)})

    assert out["cleaned_dataset"].df["x"].tolist() == [1.0, 0.0]
    assert any("'when'" in line for line in ctx.logs)


# -- Normalize Data, Split Data -------------------------------------------------------------------------


@pytest.mark.parametrize(("use_0", "expected"), [(True, [0.0, 0.0, 0.0]), (False, [7.0, 7.0, 7.0])])
def test_constant_columns_become_zero_or_stay(run: Runner, use_0: bool, expected: list[float]) -> None:
    df = pd.DataFrame({"c": [7.0, 7.0, 7.0], "x": [1.0, 2.0, 3.0]})

    out = run("normalize_data", {"dataset": DataTable(df)}, use_0_for_constant_columns=use_0)

    assert out["transformed_dataset"].df["c"].tolist() == expected


def test_normalize_keeps_missing_values_and_non_numeric_columns(run: Runner, table: DataTable) -> None:
    df = table.df.copy()
    df.loc[0, "age"] = pd.NA

    out = run("normalize_data", {"dataset": DataTable(df)})

    result = out["transformed_dataset"].df
    assert np.isnan(result.loc[0, "age"])
    pd.testing.assert_series_equal(result["workclass"], df["workclass"])


@pytest.mark.parametrize(("fraction", "sizes"), [(0.0, (0, 60)), (1.0, (60, 0))])
def test_split_fractions_at_the_ends(run: Runner, table: DataTable, fraction: float, sizes: tuple[int, int]) -> None:
    out = run("split_data", {"dataset": table}, fraction_of_rows_in_first_output_dataset=fraction)

    assert (len(out["results_dataset1"].df), len(out["results_dataset2"].df)) == sizes


def test_the_same_seed_gives_the_same_split_and_another_seed_another(run: Runner, table: DataTable) -> None:
    first = run("split_data", {"dataset": table}, random_seed=3)["results_dataset1"].df
    again = run("split_data", {"dataset": table}, random_seed=3)["results_dataset1"].df
    other = run("split_data", {"dataset": table}, random_seed=4)["results_dataset1"].df

    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


# -- learners -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("l1", "l2", "expected"),
    [
        (0.0, 2.0, {"solver": "lbfgs", "C": 0.5, "l1_ratio": 0.0}),
        (0.0, 0.0, {"solver": "lbfgs", "C": float("inf"), "l1_ratio": 0.0}),
        (1.0, 3.0, {"l1": 1.0, "l2": 3.0, "tol": 1e-7, "max_iter": 1000}),
    ],
)
def test_logistic_regression_weights_map_to_sklearn(
    run: Runner, l1: float, l2: float, expected: dict[str, Any]
) -> None:
    learner = run("two_class_logistic_regression", {}, l1_regularization_weight=l1, l2_regularization_weight=l2)

    model = learner["untrained_model"].estimator.named_steps["model"]
    assert {k: getattr(model, k) for k in expected} == expected
    assert type(model).__name__ == ("ElasticNetLogisticRegression" if l1 else "LogisticRegression")
    assert learner["untrained_model"].task == "binary"


@pytest.mark.parametrize("module_id", ["two_class_logistic_regression", "multiclass_logistic_regression"])
def test_logistic_regression_version_1_still_builds_saga_for_l1(module_id: str) -> None:
    from modules.sdk import LocalContext, default_registry

    registry = default_registry()
    old, new = registry.get(module_id, 1), registry.get(module_id)
    params = old.parse_params({"l1_regularization_weight": 1.0, "l2_regularization_weight": 3.0})

    built = [m().run({}, params, LocalContext())["untrained_model"].estimator.named_steps["model"] for m in (old, new)]

    assert new.version == 2
    assert {k: getattr(built[0], k) for k in ("solver", "C", "l1_ratio")} == {
        "solver": "saga",
        "C": 0.25,
        "l1_ratio": 0.25,
    }
    assert type(built[1]).__name__ == "ElasticNetLogisticRegression"


def test_online_gradient_descent_maps_to_sgd(run: Runner) -> None:
    learner = run(
        "linear_regression",
        {},
        solution_method="Online Gradient Descent",
        learning_rate=0.05,
        number_of_training_epochs=7,
        random_number_seed=9,
    )["untrained_model"]

    model = learner.estimator.named_steps["model"]
    assert (type(model).__name__, model.eta0, model.max_iter, model.random_state) == ("SGDRegressor", 0.05, 7, 9)
    assert learner.task == "regression"


def test_boosted_tree_parameters_map_to_lightgbm(run: Runner) -> None:
    learner = run(
        "two_class_boosted_decision_tree",
        {},
        maximum_number_of_leaves_per_tree=8,
        minimum_number_of_samples_per_leaf_node=3,
        learning_rate=0.1,
        number_of_trees_constructed=12,
        random_number_seed=4,
    )["untrained_model"]

    params = learner.estimator.get_params()
    assert {
        k: params[k] for k in ("num_leaves", "min_child_samples", "learning_rate", "n_estimators", "random_state")
    } == {
        "num_leaves": 8,
        "min_child_samples": 3,
        "learning_rate": 0.1,
        "n_estimators": 12,
        "random_state": 4,
    }


def test_train_reports_progress_and_records_the_model_contract(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    learner = run("two_class_boosted_decision_tree", {}, number_of_trees_constructed=5)["untrained_model"]

    model = run("train_model", {"untrained_model": learner, "dataset": table}, label_column="income")["trained_model"]

    assert ctx.progress_updates[0][0] == 0.0 and ctx.progress_updates[-1][0] == 1.0
    assert model.classes == ["<=50K", ">50K"]
    assert model.feature_types == {"age": "integer", "hours": "number", "workclass": "string", "married": "boolean"}
    assert (model.task, model.learner, model.label_column) == ("binary", "two_class_boosted_decision_tree", "income")


# -- Score Model, Evaluate Model ------------------------------------------------------------------------


def _scored(run: Runner, table: DataTable, label: str = "income", **score: Any) -> DataTable:
    learner = run("two_class_logistic_regression", {}, l1_regularization_weight=0.0)["untrained_model"]
    model = run("train_model", {"untrained_model": learner, "dataset": table}, label_column=label)["trained_model"]
    scored: DataTable = run("score_model", {"trained_model": model, "dataset": table}, **score)["scored_dataset"]
    return scored


def test_score_records_the_label_and_score_roles(run: Runner, table: DataTable) -> None:
    scored = _scored(run, table)

    assert scored.meta == {
        "task": "binary",
        "label_column": "income",
        "positive_class": ">50K",
        "score_columns": {"labels": "Scored Labels", "probabilities": "Scored Probabilities"},
    }
    assert list(scored.df.columns) == [*table.df.columns, "Scored Labels", "Scored Probabilities"]
    assert ((scored.df["Scored Probabilities"] > 0.5) == (scored.df["Scored Labels"] == ">50K")).all()


def test_score_without_appending_keeps_only_the_label_and_scores(run: Runner, table: DataTable) -> None:
    scored = _scored(run, table, append_score_columns_to_output=False)

    assert list(scored.df.columns) == ["income", "Scored Labels", "Scored Probabilities"]


@pytest.mark.parametrize(
    ("values", "dtype"),
    [([0, 1], "Int64"), ([False, True], "boolean"), (["no", "yes"], "str")],
    ids=["integer", "boolean", "text"],
)
def test_scored_labels_have_the_label_type(run: Runner, table: DataTable, values: list[Any], dtype: str) -> None:
    raw = np.where(table.df["income"] == ">50K", values[1], values[0])
    df = table.df.assign(income=pd.Series(raw.tolist()).astype(cast(Any, dtype)))

    scored = _scored(run, DataTable(df))

    assert str(scored.df["Scored Labels"].dtype) == dtype
    assert set(scored.df["Scored Labels"].dropna()) <= set(values)
    assert scored.meta["positive_class"] == values[1]


def test_evaluate_leaves_out_rows_without_a_label(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    scored = _scored(run, table)
    df = scored.df.copy()
    df.loc[[0, 1], "income"] = np.nan

    results: Metrics = run("evaluate_model", {"scored_dataset": DataTable(df, scored.meta)})["evaluation_results"]

    assert results.detail["rows"] == 58
    assert any("2 rows without a label" in line for line in ctx.logs)


def test_evaluate_downsamples_curves_and_tabulates_thresholds(run: Runner) -> None:
    rng = np.random.default_rng(0)
    n = 5000
    y = rng.random(n) < 0.4
    p = np.clip(y * 0.3 + rng.random(n) * 0.7, 0, 1)
    df = pd.DataFrame({"y": y, "Scored Labels": p > 0.5, "Scored Probabilities": p})
    meta = {"label_column": "y", "task": "binary", "positive_class": True}

    results: Metrics = run("evaluate_model", {"scored_dataset": DataTable(df, meta)})["evaluation_results"]

    roc = results.detail["roc_curve"]
    assert len(roc["fpr"]) <= 200 and roc["fpr"][0] == 0.0 and roc["fpr"][-1] == 1.0
    assert len(results.detail["precision_recall_curve"]["precision"]) <= 200
    table = results.detail["threshold_table"]
    assert [row["threshold"] for row in table] == [round(0.05 * i, 2) for i in range(21)]
    assert table[10]["Accuracy"] == results.values["Accuracy"]


def test_evaluate_infers_the_task_when_the_roles_are_partly_missing(run: Runner) -> None:
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "Scored Labels": [1.1, 1.9, 3.2, 3.8]})

    results: Metrics = run("evaluate_model", {"scored_dataset": DataTable(df, {"label_column": "y"})})[
        "evaluation_results"
    ]

    assert results.task == "regression"
    assert results.values["Mean Absolute Error"] == pytest.approx(0.15)


def test_evaluate_multiclass_scores(run: Runner) -> None:
    df = pd.DataFrame({"y": ["a", "b", "c", "a"], "Scored Labels": ["a", "b", "a", "a"]})
    meta = {"label_column": "y", "task": "multiclass", "score_columns": {"labels": "Scored Labels"}}

    results: Metrics = run("evaluate_model", {"scored_dataset": DataTable(df, meta)})["evaluation_results"]

    assert results.values["Overall Accuracy"] == 0.75
    assert results.detail["confusion_matrix"] == {
        "labels": ["a", "b", "c"],
        "matrix": [[2, 0, 0], [0, 1, 0], [1, 0, 0]],
    }


def test_score_multiclass_models_with_one_probability_column_per_class(table: DataTable) -> None:
    from sklearn.linear_model import LogisticRegression

    from modules.library._features import build_pipeline, prepare_features
    from modules.library.scoring.score_model import score_table
    from modules.sdk import FittedModel

    types = {"age": "integer", "hours": "number"}
    df = table.df.assign(grade=pd.Series(np.resize(["a", "b", "c"], len(table.df)), dtype="str"))
    pipeline = build_pipeline(types, LogisticRegression()).fit(prepare_features(df, types), df["grade"].astype(object))
    model = FittedModel(pipeline, "multiclass", "test", "grade", list(types), types, ["a", "b", "c"])

    scored = score_table(model, DataTable(df))

    assert list(scored.df.columns[-4:]) == [
        "Scored Labels",
        'Scored Probabilities for Class "a"',
        'Scored Probabilities for Class "b"',
        'Scored Probabilities for Class "c"',
    ]
    np.testing.assert_allclose(scored.df.iloc[:, -3:].sum(axis=1), 1.0)
    assert scored.meta["task"] == "multiclass" and scored.meta["label_column"] == "grade"
