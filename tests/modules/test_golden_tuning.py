"""Tuning, cross-validation and anomaly detection through the modules, against the same loops written directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit
from sklearn import metrics
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, ParameterGrid, ParameterSampler, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import OneClassSVM

from modules.sdk import DataTable

Runner = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def cancer() -> pd.DataFrame:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    df: pd.DataFrame = data.frame.drop(columns="target")
    df["diagnosis"] = pd.Series(np.where(data.target == 1, "benign", "malignant"), dtype="str")
    return df


@pytest.fixture(scope="module")
def diabetes() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    df: pd.DataFrame = load_diabetes(as_frame=True, scaled=False).frame.astype("float64")
    return df


@pytest.fixture(scope="module")
def iris() -> pd.DataFrame:
    from sklearn.datasets import load_iris

    data = load_iris(as_frame=True)
    df: pd.DataFrame = data.frame.drop(columns="target")
    df["species"] = pd.Series(np.asarray(data.target_names)[data.target], dtype="str")
    return df


def _xy(df: pd.DataFrame, label: str) -> tuple[np.ndarray, np.ndarray]:
    return df.drop(columns=label).to_numpy(dtype="float64"), df[label].to_numpy()


def _tune(
    run: Runner, learner: Any, training: pd.DataFrame, validation: pd.DataFrame | None = None, **params: Any
) -> dict[str, Any]:
    inputs = {"untrained_model": learner, "training_dataset": DataTable(training)}
    if validation is not None:
        inputs["validation_dataset"] = DataTable(validation)
    return run("tune_model_hyperparameters", inputs, **params)


def _forest_range(run: Runner, module_id: str, trees: list[int], depths: list[int], leaves: list[int]) -> Any:
    return run(
        module_id,
        {},
        create_trainer_mode="Parameter Range",
        range_for_number_of_decision_trees=trees,
        range_for_maximum_depth_of_the_decision_trees=depths,
        range_for_minimum_number_of_samples_per_leaf_node=leaves,
    )["untrained_model"]


FOREST_COLUMNS = {
    "Number of decision trees": "n_estimators",
    "Maximum depth of the decision trees": "max_depth",
    "Minimum number of samples per leaf node": "min_samples_leaf",
}


def _forest_trials(sweep: pd.DataFrame, metric: str) -> dict[tuple[int, ...], float]:
    columns = list(FOREST_COLUMNS)
    return {tuple(int(v) for v in row[columns]): float(row[metric]) for _, row in sweep.iterrows()}


# -- Tune Model Hyperparameters ---------------------------------------------------------------------------


def test_an_entire_grid_cross_validated_by_auc_equals_grid_search_cv(run: Runner, cancer: pd.DataFrame) -> None:
    learner = _forest_range(run, "two_class_decision_forest", [2, 5], [2, 4], [1, 3])

    out = _tune(
        run,
        learner,
        cancer,
        label_column="diagnosis",
        specify_parameter_sweeping_mode="Entire grid",
        metric_for_measuring_performance_for_classification="AUC",
        number_of_cross_validation_folds=4,
        random_seed=3,
    )

    x, y = _xy(cancer, "diagnosis")
    grid = {"n_estimators": [2, 5], "max_depth": [2, 4], "min_samples_leaf": [1, 3]}
    search = GridSearchCV(
        RandomForestClassifier(random_state=0, n_jobs=1, bootstrap=True),
        grid,
        scoring="roc_auc",
        cv=StratifiedKFold(n_splits=4, shuffle=True, random_state=3),
    ).fit(x, y)
    direct: dict[tuple[int, ...], float] = {
        (p["n_estimators"], p["max_depth"], p["min_samples_leaf"]): s
        for p, s in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"], strict=True)
    }
    sweep: DataTable = out["sweep_results"]
    assert sorted(_forest_trials(sweep.df, "AUC")) == sorted(direct)
    for key, auc in _forest_trials(sweep.df, "AUC").items():
        assert auc == pytest.approx(direct[key], rel=1e-12)
    best = sweep.df.iloc[0]
    assert {FOREST_COLUMNS[c]: int(best[c]) for c in FOREST_COLUMNS} == search.best_params_
    assert sweep.meta["sweep"]["best_trial"] == int(best["Trial"])
    model = out["trained_best_model"]
    scored = run("score_model", {"trained_model": model, "dataset": DataTable(cancer)})["scored_dataset"]
    np.testing.assert_allclose(scored.df["Scored Probabilities"], search.best_estimator_.predict_proba(x)[:, 1])


def test_a_multiclass_grid_ranked_by_macro_f_score_equals_grid_search_cv(run: Runner, iris: pd.DataFrame) -> None:
    learner = run(
        "multiclass_logistic_regression",
        {},
        create_trainer_mode="Parameter Range",
        range_for_optimization_tolerance=[1e-7],
        range_for_l1_regularization_weight=[0.0],
        range_for_l2_regularization_weight=[0.1, 1.0, 30.0],
    )["untrained_model"]

    out = _tune(
        run,
        learner,
        iris,
        label_column="species",
        specify_parameter_sweeping_mode="Entire grid",
        metric_for_measuring_performance_for_classification="F-score",
    )

    x, y = _xy(iris, "species")
    search = GridSearchCV(
        Pipeline(
            [
                ("scale", StandardScaler()),
                ("model", LogisticRegression(l1_ratio=0.0, solver="lbfgs", max_iter=1000, tol=1e-7, random_state=0)),
            ]
        ),
        {"model__C": [1 / 0.1, 1 / 1.0, 1 / 30.0]},
        scoring={
            "f1": "f1_macro",
            "precision": "precision_macro",
            "recall": "recall_macro",
            "auc": "roc_auc_ovr",
            "log_loss": "neg_log_loss",
            "accuracy": "accuracy",
        },
        refit="f1",
        cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=0),
    ).fit(x, y)
    sweep = out["sweep_results"].df.sort_values("Trial")
    np.testing.assert_allclose(sweep["F-score"], search.cv_results_["mean_test_f1"], rtol=1e-9)
    np.testing.assert_allclose(sweep["Average log loss"], -search.cv_results_["mean_test_log_loss"], rtol=1e-9)
    np.testing.assert_allclose(sweep["Accuracy"], search.cv_results_["mean_test_accuracy"], rtol=1e-12)
    np.testing.assert_allclose(sweep["Precision"], search.cv_results_["mean_test_precision"], rtol=1e-9)
    np.testing.assert_allclose(sweep["Recall"], search.cv_results_["mean_test_recall"], rtol=1e-9)
    np.testing.assert_allclose(sweep["AUC"], search.cv_results_["mean_test_auc"], rtol=1e-9)
    assert list(sweep["L2 regularization weight"]) == [0.1, 1.0, 30.0]
    assert out["sweep_results"].df["Trial"].iloc[0] == search.best_index_ + 1


def test_a_random_sweep_with_a_validation_dataset_equals_a_parameter_sampler_loop(
    run: Runner, diabetes: pd.DataFrame
) -> None:
    training, validation = diabetes.iloc[:300].reset_index(drop=True), diabetes.iloc[300:].reset_index(drop=True)
    learner = _forest_range(run, "decision_forest_regression", [3, 6, 9], [2, 5], [1, 8])

    out = _tune(
        run,
        learner,
        training,
        validation,
        label_column="target",
        maximum_number_of_runs_on_random_sweep=4,
        random_seed=11,
        metric_for_measuring_performance_for_regression="Root of mean squared error",
    )

    x, y = _xy(training, "target")
    xv, yv = _xy(validation, "target")
    grid = ParameterGrid(
        {"number_of_decision_trees": [3, 6, 9], "maximum_depth_of_the_decision_trees": [2, 5]}
        | {"minimum_number_of_samples_per_leaf_node": [1, 8]}
    )
    expected = []
    for point in ParameterSampler(grid.param_grid, n_iter=4, random_state=11):
        settings = (
            point["number_of_decision_trees"],
            point["maximum_depth_of_the_decision_trees"],
            point["minimum_number_of_samples_per_leaf_node"],
        )
        forest = RandomForestRegressor(
            n_estimators=settings[0], max_depth=settings[1], min_samples_leaf=settings[2], random_state=0, n_jobs=1
        ).fit(x, y)
        expected.append((settings, float(np.sqrt(metrics.mean_squared_error(yv, forest.predict(xv))))))
    sweep = out["sweep_results"].df.sort_values("Trial")
    columns = list(FOREST_COLUMNS)
    assert [tuple(int(v) for v in row) for row in sweep[columns].to_numpy()] == [s for s, _ in expected]
    np.testing.assert_allclose(sweep["Root of mean squared error"], [r for _, r in expected], rtol=1e-12)
    best_settings = min(expected, key=lambda pair: pair[1])[0]
    assert tuple(int(v) for v in out["sweep_results"].df.iloc[0][columns]) == best_settings
    assert out["sweep_results"].meta["sweep"]["evaluation"] == "validation dataset"


def test_sweep_results_describe_themselves_for_the_figure(run: Runner, cancer: pd.DataFrame) -> None:
    learner = _forest_range(run, "two_class_decision_forest", [2, 3], [2], [1])

    out = _tune(run, learner, cancer, label_column="diagnosis", specify_parameter_sweeping_mode="Entire grid")

    sweep = out["sweep_results"]
    assert sweep.meta["sweep"] == {
        "metric": "Accuracy",
        "higher_is_better": True,
        "trial_column": "Trial",
        "parameters": list(FOREST_COLUMNS),
        "parameter_names": {
            "Number of decision trees": "number_of_decision_trees",
            "Maximum depth of the decision trees": "maximum_depth_of_the_decision_trees",
            "Minimum number of samples per leaf node": "minimum_number_of_samples_per_leaf_node",
        },
        "metrics": ["Accuracy", "Precision", "Recall", "F-score", "AUC", "Average log loss"],
        "best_trial": int(sweep.df["Trial"].iloc[0]),
        "learner": "two_class_decision_forest",
        "mode": "Entire grid",
        "evaluation": "5-fold cross-validation of the training dataset",
    }
    assert list(sweep.df.columns) == ["Trial", *FOREST_COLUMNS, *sweep.meta["sweep"]["metrics"]]
    assert sweep.df["Accuracy"].is_monotonic_decreasing


def test_tuning_reports_progress_per_trial(run: Runner, cancer: pd.DataFrame) -> None:
    learner = _forest_range(run, "two_class_decision_forest", [2, 3, 4], [2], [1])

    _tune(run, learner, cancer, label_column="diagnosis", specify_parameter_sweeping_mode="Entire grid")

    assert run.ctx.progress_updates == [  # type: ignore[attr-defined]
        (0.0, "trial 1 of 3"),
        (0.25, "trial 2 of 3"),
        (0.5, "trial 3 of 3"),
        (0.75, f"training trial {_best_trial(run)} on the whole training dataset"),
        (1.0, "tuned"),
    ]


def _best_trial(run: Runner) -> int:
    logs = [line for line in run.ctx.logs if line.startswith("trial ") and " = " in line]  # type: ignore[attr-defined]
    scores = [float(line.rsplit("= ", 1)[1]) for line in logs]
    return scores.index(max(scores)) + 1


# -- Cross Validate Model -----------------------------------------------------------------------------------


def test_cross_validating_a_regression_equals_a_kfold_loop(run: Runner, diabetes: pd.DataFrame) -> None:
    learner = run("decision_forest_regression", {}, number_of_decision_trees=5)["untrained_model"]

    out = run(
        "cross_validate_model",
        {"untrained_model": learner, "dataset": DataTable(diabetes)},
        label_column="target",
        number_of_folds=4,
        random_seed=5,
    )

    x, y = _xy(diabetes, "target")
    folds = np.empty(len(y), dtype="int64")
    predicted = np.empty(len(y))
    rows = []
    for k, (train, test) in enumerate(KFold(n_splits=4, shuffle=True, random_state=5).split(x)):
        forest = RandomForestRegressor(n_estimators=5, max_depth=32, random_state=0, n_jobs=1).fit(x[train], y[train])
        folds[test], predicted[test] = k, forest.predict(x[test])
        error, spread = y[test] - predicted[test], y[test] - y[test].mean()
        rows.append(
            [
                metrics.mean_absolute_error(y[test], predicted[test]),
                metrics.root_mean_squared_error(y[test], predicted[test]),
                np.abs(error).sum() / np.abs(spread).sum(),
                (error**2).sum() / (spread**2).sum(),
                metrics.r2_score(y[test], predicted[test]),
            ]
        )
    scored: DataTable = out["scored_results"]
    np.testing.assert_array_equal(scored.df["Fold Assignments"], folds)
    np.testing.assert_allclose(scored.df["Scored Labels"], predicted, rtol=1e-12)
    by_fold = out["evaluation_results_by_fold"].df
    names = [
        "Mean absolute error",
        "Root of mean squared error",
        "Relative absolute error",
        "Relative squared error",
        "Coefficient of determination",
    ]
    assert list(by_fold.columns) == ["Fold Number", "Number of examples in fold", "Model", *names]
    assert list(by_fold["Fold Number"]) == ["0", "1", "2", "3", "Mean", "Standard Deviation"]
    assert list(by_fold["Number of examples in fold"].iloc[:4]) == list(np.bincount(folds))
    table = np.array(rows)
    np.testing.assert_allclose(by_fold[names].iloc[:4].to_numpy(), table, rtol=1e-12)
    np.testing.assert_allclose(by_fold[names].iloc[4], table.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(by_fold[names].iloc[5], table.std(axis=0, ddof=1), rtol=1e-12)
    assert scored.meta["label_column"] == "target"


def test_cross_validating_a_two_class_model_equals_a_stratified_kfold_loop(run: Runner, cancer: pd.DataFrame) -> None:
    learner = run("two_class_decision_forest", {}, number_of_decision_trees=4, maximum_depth_of_the_decision_trees=3)[
        "untrained_model"
    ]

    out = run(
        "cross_validate_model", {"untrained_model": learner, "dataset": DataTable(cancer)}, label_column="diagnosis"
    )

    x, y = _xy(cancer, "diagnosis")
    positive = y == "malignant"
    probabilities = np.empty(len(y))
    rows = []
    for train, test in StratifiedKFold(n_splits=10, shuffle=True, random_state=0).split(x, y):
        forest = RandomForestClassifier(n_estimators=4, max_depth=3, random_state=0, n_jobs=1).fit(x[train], y[train])
        p = forest.predict_proba(x[test])[:, 1]
        probabilities[test] = p
        rows.append(
            [
                metrics.accuracy_score(positive[test], p > 0.5),
                metrics.precision_score(positive[test], p > 0.5),
                metrics.recall_score(positive[test], p > 0.5),
                metrics.f1_score(positive[test], p > 0.5),
                metrics.roc_auc_score(positive[test], p),
                metrics.log_loss(positive[test], p, labels=[False, True]),
            ]
        )
    scored = out["scored_results"]
    np.testing.assert_allclose(scored.df["Scored Probabilities"], probabilities, rtol=1e-12)
    assert scored.meta["positive_class"] == "malignant"
    by_fold = out["evaluation_results_by_fold"].df
    names = ["Accuracy", "Precision", "Recall", "F-score", "AUC", "Average log loss"]
    np.testing.assert_allclose(by_fold[names].iloc[:10].to_numpy(), np.array(rows), rtol=1e-12)
    assert list(by_fold["Model"].unique()) == ["Two-Class Decision Forest"]


def test_cross_validated_scores_evaluate_like_any_scored_dataset(run: Runner, cancer: pd.DataFrame) -> None:
    learner = run("two_class_decision_forest", {}, number_of_decision_trees=4)["untrained_model"]
    scored = run(
        "cross_validate_model", {"untrained_model": learner, "dataset": DataTable(cancer)}, label_column="diagnosis"
    )["scored_results"]

    result = run("evaluate_model", {"scored_dataset": scored})["evaluation_results"]

    positive = cancer["diagnosis"].to_numpy() == "malignant"
    assert result.task == "binary"
    assert result.values["AUC"] == pytest.approx(metrics.roc_auc_score(positive, scored.df["Scored Probabilities"]))


# -- anomaly detection ----------------------------------------------------------------------------------------


def _anomaly(run: Runner, module_id: str, df: pd.DataFrame, label: str | None = None, **params: Any) -> dict[str, Any]:
    learner = run(module_id, {}, **params)["untrained_model"]
    return run(
        "train_anomaly_detection_model", {"untrained_model": learner, "dataset": DataTable(df)}, label_column=label
    )


@pytest.mark.parametrize("normalize", [True, False])
def test_pca_anomaly_scores_equal_the_normalized_reconstruction_error(
    run: Runner, diabetes: pd.DataFrame, normalize: bool
) -> None:
    features = diabetes.drop(columns="target")
    trained = _anomaly(
        run,
        "pca_based_anomaly_detection",
        features.iloc[:350],
        number_of_components_to_use_in_pca=3,
        oversampling_parameter_for_randomized_pca=4,
        enable_input_feature_mean_normalization=normalize,
        random_number_seed=2,
    )

    scored = run("score_model", {"trained_model": trained["trained_model"], "dataset": DataTable(features)})
    z = features.to_numpy(dtype="float64")
    steps = [("scale", StandardScaler())] if normalize else []
    pipeline = Pipeline(
        [*steps, ("pca", PCA(n_components=3, svd_solver="randomized", n_oversamples=4, random_state=2))]
    ).fit(z[:350])
    prepared = pipeline[:-1].transform(z) if normalize else z
    pca = pipeline[-1]
    reconstructed = pca.inverse_transform(pca.transform(prepared))
    expected = np.linalg.norm(prepared - reconstructed, axis=1) / np.linalg.norm(prepared - pca.mean_, axis=1)
    out = scored["scored_dataset"]
    np.testing.assert_allclose(out.df["Scored Probabilities"], expected, rtol=1e-9)
    np.testing.assert_array_equal(out.df["Scored Labels"].to_numpy(dtype="int64"), (expected > 0.5).astype("int64"))
    assert out.meta["task"] == "anomaly"


def test_one_class_svm_decisions_equal_sklearn(run: Runner, diabetes: pd.DataFrame) -> None:
    features = diabetes.drop(columns="target")

    trained = _anomaly(run, "one_class_svm", features.iloc[:300], nu=0.05, epsilon=0.0001, kernel_type="Sigmoid")
    scored = run("score_model", {"trained_model": trained["trained_model"], "dataset": DataTable(features)})

    z = features.to_numpy(dtype="float64")
    svm = Pipeline(
        [("scale", StandardScaler()), ("svm", OneClassSVM(nu=0.05, tol=0.0001, kernel="sigmoid", gamma="scale"))]
    ).fit(z[:300])
    out = scored["scored_dataset"].df
    np.testing.assert_array_equal(out["Scored Labels"].to_numpy(dtype="int64"), (svm.predict(z) == -1).astype(int))
    np.testing.assert_allclose(out["Scored Probabilities"], expit(-svm.decision_function(z)), rtol=1e-9)


def test_evaluating_labelled_anomaly_scores_measures_them_as_two_class(run: Runner, diabetes: pd.DataFrame) -> None:
    df = diabetes.copy()
    rng = np.random.default_rng(4)
    outliers = rng.choice(len(df), 20, replace=False)
    df.loc[outliers, "bmi"] = df["bmi"].max() * 3
    df["is_anomaly"] = pd.array(np.isin(np.arange(len(df)), outliers).astype(int), dtype="Int64")
    trained = _anomaly(run, "pca_based_anomaly_detection", df, label="is_anomaly", number_of_components_to_use_in_pca=4)

    result = run("evaluate_model", {"scored_dataset": trained["scored_dataset"]})["evaluation_results"]

    y = df["is_anomaly"].to_numpy(dtype="int64") == 1
    p = trained["scored_dataset"].df["Scored Probabilities"].to_numpy()
    assert result.task == "binary"
    assert trained["trained_model"].feature_columns == [c for c in diabetes.columns]
    assert result.values["AUC"] == pytest.approx(metrics.roc_auc_score(y, p))
    assert result.values["Accuracy"] == pytest.approx(metrics.accuracy_score(y, p > 0.5))
    assert result.values["Recall"] == pytest.approx(metrics.recall_score(y, p > 0.5))
