"""Each new learner, trained and scored through the modules, against the same estimator fitted directly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from lightgbm import LGBMClassifier, LGBMRegressor
from sklearn import metrics
from sklearn.calibration import CalibratedClassifierCV
from sklearn.cluster import KMeans
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, PoissonRegressor, SGDClassifier
from sklearn.model_selection import ParameterGrid
from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from modules.sdk import DataTable, UntrainedModel

Runner = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def cancer() -> pd.DataFrame:
    data = load_breast_cancer(as_frame=True)
    df: pd.DataFrame = data.frame.drop(columns="target")
    df["diagnosis"] = pd.Series(np.where(data.target == 1, "benign", "malignant"), dtype="str")
    return df


@pytest.fixture(scope="module")
def diabetes() -> pd.DataFrame:
    df: pd.DataFrame = load_diabetes(as_frame=True, scaled=False).frame.astype("float64")
    return df


@pytest.fixture(scope="module")
def iris() -> pd.DataFrame:
    data = load_iris(as_frame=True)
    df: pd.DataFrame = data.frame.drop(columns="target")
    df["species"] = pd.Series(np.asarray(data.target_names)[data.target], dtype="str")
    return df


@pytest.fixture(scope="module")
def counts() -> pd.DataFrame:
    """A Poisson-distributed count label driven by two of three features."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(400, 3))
    visits = rng.poisson(np.exp(0.8 + 0.5 * x[:, 0] - 0.3 * x[:, 1]))
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "visits": pd.array(visits, dtype="Int64")})


def _split(run: Runner, df: pd.DataFrame) -> tuple[DataTable, DataTable]:
    out = run("split_data", {"dataset": DataTable(df)}, fraction_of_rows_in_first_output_dataset=0.7, random_seed=7)
    return out["results_dataset1"], out["results_dataset2"]


def _train(run: Runner, untrained: Any, train: DataTable, label: str) -> Any:
    return run("train_model", {"untrained_model": untrained, "dataset": train}, label_column=label)["trained_model"]


def _train_and_score(run: Runner, untrained: Any, train: DataTable, test: DataTable, label: str) -> DataTable:
    model = _train(run, untrained, train, label)
    scored: DataTable = run("score_model", {"trained_model": model, "dataset": test})["scored_dataset"]
    return scored


def _learner(run: Runner, module_id: str, **params: Any) -> Any:
    return run(module_id, {}, **params)["untrained_model"]


def _xy(table: DataTable, label: str) -> tuple[np.ndarray, np.ndarray]:
    features = [c for c in table.df.columns if c != label]
    return table.df[features].to_numpy(dtype="float64"), table.df[label].to_numpy()


def _probability_columns(scored: DataTable, classes: list[str]) -> np.ndarray:
    return scored.df[[f'Scored Probabilities for Class "{c}"' for c in classes]].to_numpy()


# -- regression -----------------------------------------------------------------------------------------


def test_boosted_decision_tree_regression_matches_lgbm_regressor(run: Runner, diabetes: pd.DataFrame) -> None:
    train, test = _split(run, diabetes)
    learner = _learner(run, "boosted_decision_tree_regression", number_of_trees_constructed=30, random_number_seed=5)

    scored = _train_and_score(run, learner, train, test, "target")

    x, y = _xy(train, "target")
    direct = LGBMRegressor(
        num_leaves=20, min_child_samples=10, learning_rate=0.2, n_estimators=30, random_state=5, n_jobs=1, verbose=-1
    ).fit(x, y)
    np.testing.assert_allclose(scored.df["Scored Labels"], direct.predict(_xy(test, "target")[0]), rtol=1e-9)


@pytest.mark.parametrize(("method", "bootstrap"), [("Bagging", True), ("Replicate", False)])
def test_decision_forest_regression_matches_random_forest_regressor(
    run: Runner, diabetes: pd.DataFrame, method: str, bootstrap: bool
) -> None:
    train, test = _split(run, diabetes)
    learner = _learner(
        run, "decision_forest_regression", resampling_method=method, maximum_depth_of_the_decision_trees=6
    )

    scored = _train_and_score(run, learner, train, test, "target")

    direct = RandomForestRegressor(
        n_estimators=8, max_depth=6, min_samples_leaf=1, bootstrap=bootstrap, random_state=0, n_jobs=1
    ).fit(*_xy(train, "target"))
    np.testing.assert_allclose(scored.df["Scored Labels"], direct.predict(_xy(test, "target")[0]), rtol=1e-9)


def test_fast_forest_quantile_regression_scores_one_column_per_quantile(run: Runner, diabetes: pd.DataFrame) -> None:
    train, test = _split(run, diabetes)
    learner = _learner(
        run, "fast_forest_quantile_regression", number_of_trees=20, quantiles_to_be_estimated=[0.9, 0.1, 0.5]
    )

    scored = _train_and_score(run, learner, train, test, "target")

    x, y = _xy(train, "target")
    assert list(scored.df.columns[-3:]) == ["Quantile:0.1", "Quantile:0.5", "Quantile:0.9"]
    assert "Scored Labels" not in scored.df.columns
    assert scored.meta["task"] == "quantile_regression"
    for level in (0.1, 0.5, 0.9):
        direct = LGBMRegressor(
            boosting_type="rf",
            objective="quantile",
            alpha=level,
            n_estimators=20,
            num_leaves=20,
            min_child_samples=10,
            subsample=0.7,
            subsample_freq=1,
            colsample_bytree=0.7,
            feature_fraction_bynode=0.7,
            random_state=0,
            n_jobs=1,
            verbose=-1,
        ).fit(x, y)
        np.testing.assert_allclose(
            scored.df[f"Quantile:{level}"], direct.predict(_xy(test, "target")[0]), rtol=1e-9, atol=1e-9
        )


def test_quantile_evaluation_matches_sklearn_pinball_loss(run: Runner, diabetes: pd.DataFrame) -> None:
    train, test = _split(run, diabetes)
    learner = _learner(run, "fast_forest_quantile_regression", number_of_trees=10)
    scored = _train_and_score(run, learner, train, test, "target")

    results = run("evaluate_model", {"scored_dataset": scored})["evaluation_results"]

    y = scored.df["target"]
    expected = {
        f"Quantile Loss:{q}": metrics.mean_pinball_loss(y, scored.df[f"Quantile:{q}"], alpha=q)
        for q in (0.25, 0.5, 0.75)
    }
    expected["Average Quantile Loss"] = float(np.mean(list(expected.values())))
    assert results.task == "quantile_regression"
    assert results.values == pytest.approx(expected, rel=1e-12)


def test_poisson_regression_matches_a_direct_sklearn_pipeline(run: Runner, counts: pd.DataFrame) -> None:
    train, test = _split(run, counts)
    learner = _learner(run, "poisson_regression", l2_regularization_weight=0.1, optimization_tolerance=1e-8)

    scored = _train_and_score(run, learner, train, test, "visits")

    model = PoissonRegressor(alpha=0.1, tol=1e-8, solver="lbfgs", max_iter=1000)
    direct = Pipeline([("scale", StandardScaler()), ("model", model)]).fit(*_xy(train, "visits"))
    np.testing.assert_allclose(scored.df["Scored Labels"], direct.predict(_xy(test, "visits")[0]), rtol=1e-9)


# -- multiclass -----------------------------------------------------------------------------------------


def _assert_multiclass_matches(scored: DataTable, direct: Any, test: DataTable, label: str) -> None:
    x = _xy(test, label)[0]
    classes = [str(c) for c in direct.classes_]
    np.testing.assert_allclose(_probability_columns(scored, classes), direct.predict_proba(x), rtol=1e-9, atol=1e-12)
    assert scored.df["Scored Labels"].tolist() == direct.predict(x).tolist()


def test_multiclass_boosted_decision_tree_matches_lgbm_classifier(run: Runner, iris: pd.DataFrame) -> None:
    train, test = _split(run, iris)
    learner = _learner(run, "multiclass_boosted_decision_tree", number_of_trees_constructed=15)

    scored = _train_and_score(run, learner, train, test, "species")

    direct = LGBMClassifier(
        num_leaves=20, min_child_samples=10, learning_rate=0.2, n_estimators=15, random_state=42, n_jobs=1, verbose=-1
    ).fit(*_xy(train, "species"))
    _assert_multiclass_matches(scored, direct, test, "species")


def test_multiclass_decision_forest_matches_random_forest_classifier(run: Runner, iris: pd.DataFrame) -> None:
    train, test = _split(run, iris)
    learner = _learner(run, "multiclass_decision_forest", number_of_decision_trees=12, random_number_seed=3)

    scored = _train_and_score(run, learner, train, test, "species")

    direct = RandomForestClassifier(
        n_estimators=12, max_depth=32, min_samples_leaf=1, bootstrap=True, random_state=3, n_jobs=1
    ).fit(*_xy(train, "species"))
    _assert_multiclass_matches(scored, direct, test, "species")


def test_multiclass_logistic_regression_without_l1_matches_sklearn_lbfgs(run: Runner, iris: pd.DataFrame) -> None:
    train, test = _split(run, iris)
    learner = _learner(run, "multiclass_logistic_regression", l1_regularization_weight=0.0, optimization_tolerance=1e-4)

    scored = _train_and_score(run, learner, train, test, "species")

    direct = LogisticRegression(C=1.0, l1_ratio=0.0, solver="lbfgs", tol=1e-4, max_iter=1000, random_state=0)
    pipeline = Pipeline([("scale", StandardScaler()), ("model", direct)]).fit(*_xy(train, "species"))
    _assert_multiclass_matches(scored, pipeline, test, "species")


def test_multiclass_logistic_regression_with_l1_reaches_the_optimum_sklearn_saga_reaches(
    run: Runner, iris: pd.DataFrame
) -> None:
    # given Azure's penalties L1 = L2 = 1, i.e. scikit-learn's C = 1/2, l1_ratio = 1/2, both solved to the end
    train, test = _split(run, iris)
    learner = _learner(run, "multiclass_logistic_regression", optimization_tolerance=1e-15)

    scored = _train_and_score(run, learner, train, test, "species")

    saga = LogisticRegression(C=0.5, l1_ratio=0.5, solver="saga", tol=1e-12, max_iter=200_000, random_state=0)
    pipeline = Pipeline([("scale", StandardScaler()), ("model", saga)]).fit(*_xy(train, "species"))
    x = _xy(test, "species")[0]
    probabilities = _probability_columns(scored, [str(c) for c in pipeline.classes_])
    np.testing.assert_allclose(probabilities, pipeline.predict_proba(x), atol=1e-6)
    assert scored.df["Scored Labels"].tolist() == pipeline.predict(x).tolist()


def test_one_vs_all_wraps_the_two_class_learner_in_one_vs_rest(run: Runner, iris: pd.DataFrame) -> None:
    train, test = _split(run, iris)
    binary = _learner(run, "two_class_logistic_regression", l1_regularization_weight=0.0)
    learner = run("one_vs_all_multiclass", {"untrained_binary_classification_model": binary})["untrained_model"]

    scored = _train_and_score(run, learner, train, test, "species")

    model = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=1.0, tol=1e-7, max_iter=1000))])
    direct = OneVsRestClassifier(model).fit(*_xy(train, "species"))
    _assert_multiclass_matches(scored, direct, test, "species")
    assert learner.name == "One-vs-All Multiclass (Two-Class Logistic Regression)"


def test_one_vs_one_votes_and_writes_labels_only(run: Runner, iris: pd.DataFrame) -> None:
    train, test = _split(run, iris)
    binary = _learner(run, "two_class_boosted_decision_tree", number_of_trees_constructed=10)
    learner = run("one_vs_one_multiclass", {"untrained_binary_classification_model": binary})["untrained_model"]

    scored = _train_and_score(run, learner, train, test, "species")

    tree = LGBMClassifier(
        num_leaves=20, min_child_samples=10, learning_rate=0.2, n_estimators=10, random_state=0, n_jobs=1, verbose=-1
    )
    direct = OneVsOneClassifier(tree).fit(*_xy(train, "species"))
    assert scored.df["Scored Labels"].tolist() == direct.predict(_xy(test, "species")[0]).tolist()
    assert [c for c in scored.df.columns if c.startswith("Scored")] == ["Scored Labels"]


def test_multiclass_evaluation_matches_sklearn_metrics(run: Runner, iris: pd.DataFrame) -> None:
    train, test = _split(run, iris)
    scored = _train_and_score(run, _learner(run, "multiclass_decision_forest"), train, test, "species")

    results = run("evaluate_model", {"scored_dataset": scored})["evaluation_results"]

    y, p = scored.df["species"], scored.df["Scored Labels"]
    assert results.task == "multiclass"
    assert results.values == pytest.approx(
        {
            "Overall Accuracy": metrics.accuracy_score(y, p),
            "Micro-averaged Precision": metrics.precision_score(y, p, average="micro"),
            "Macro-averaged Precision": metrics.precision_score(y, p, average="macro", zero_division=0),
            "Micro-averaged Recall": metrics.recall_score(y, p, average="micro"),
            "Macro-averaged Recall": metrics.recall_score(y, p, average="macro", zero_division=0),
        },
        rel=1e-12,
    )


# -- two-class ------------------------------------------------------------------------------------------


def _assert_binary_matches(scored: DataTable, direct: Any, test: DataTable, label: str) -> None:
    probabilities = direct.predict_proba(_xy(test, label)[0])[:, list(direct.classes_).index("malignant")]
    np.testing.assert_allclose(scored.df["Scored Probabilities"], probabilities, rtol=1e-9, atol=1e-12)
    expected = np.where(probabilities > 0.5, "malignant", "benign")
    assert scored.df["Scored Labels"].tolist() == expected.tolist()


def test_two_class_decision_forest_matches_random_forest_classifier(run: Runner, cancer: pd.DataFrame) -> None:
    train, test = _split(run, cancer)
    learner = _learner(run, "two_class_decision_forest", resampling_method="Replicate", random_number_seed=9)

    scored = _train_and_score(run, learner, train, test, "diagnosis")

    direct = RandomForestClassifier(
        n_estimators=8, max_depth=32, min_samples_leaf=1, bootstrap=False, random_state=9, n_jobs=1
    ).fit(*_xy(train, "diagnosis"))
    _assert_binary_matches(scored, direct, test, "diagnosis")


def test_averaged_perceptron_matches_a_calibrated_sgd_perceptron(run: Runner, cancer: pd.DataFrame) -> None:
    train, test = _split(run, cancer)
    learner = _learner(
        run, "two_class_averaged_perceptron", learning_rate=0.5, maximum_number_of_iterations=7, random_number_seed=2
    )

    scored = _train_and_score(run, learner, train, test, "diagnosis")

    perceptron = SGDClassifier(
        loss="perceptron",
        penalty=None,
        learning_rate="constant",
        eta0=0.5,
        max_iter=7,
        tol=None,
        average=True,
        random_state=2,
    )
    calibrated = CalibratedClassifierCV(perceptron, method="sigmoid", cv=5, ensemble=False)
    direct = Pipeline([("scale", StandardScaler()), ("model", calibrated)]).fit(*_xy(train, "diagnosis"))
    _assert_binary_matches(scored, direct, test, "diagnosis")


def test_support_vector_machine_matches_a_calibrated_pegasos_sgd(run: Runner, cancer: pd.DataFrame) -> None:
    train, test = _split(run, cancer)
    learner = _learner(run, "two_class_support_vector_machine", number_of_iterations=20, lambda_weight=0.01)

    scored = _train_and_score(run, learner, train, test, "diagnosis")

    svm = SGDClassifier(
        loss="hinge", penalty="l2", alpha=0.01, learning_rate="optimal", max_iter=20, tol=None, random_state=0
    )
    calibrated = CalibratedClassifierCV(svm, method="sigmoid", cv=5, ensemble=False)
    direct = Pipeline([("normalize", MinMaxScaler()), ("model", calibrated)]).fit(*_xy(train, "diagnosis"))
    _assert_binary_matches(scored, direct, test, "diagnosis")


# -- clustering -----------------------------------------------------------------------------------------


def _cluster(run: Runner, table: DataTable, **params: Any) -> dict[str, Any]:
    learner = _learner(run, "k_means_clustering", **params)
    features = [c for c in table.df.columns if c not in ("species", "income")]
    return run("train_clustering_model", {"untrained_model": learner, "dataset": table}, column_set=features)


def test_k_means_matches_sklearn_kmeans_on_normalized_features(run: Runner, iris: pd.DataFrame) -> None:
    train, test = _split(run, iris)
    trained = _cluster(run, train, number_of_centroids=3, random_number_seed=4)

    assigned = run("assign_data_to_clusters", {"trained_model": trained["trained_model"], "dataset": test})

    model = KMeans(n_clusters=3, init="k-means++", n_init=1, max_iter=100, random_state=4)
    direct = Pipeline([("normalize", MinMaxScaler()), ("model", model)]).fit(_xy(train, "species")[0])
    x_test = _xy(test, "species")[0]
    out = assigned["results_dataset"].df
    assert out["Assignments"].tolist() == direct.predict(x_test).tolist()
    distances = out[[f"DistancesToClusterCenter no.{k}" for k in range(3)]].to_numpy()
    np.testing.assert_allclose(distances, direct.transform(x_test), rtol=1e-9)
    assert list(out.columns[:5]) == list(test.df.columns)
    results = trained["results_dataset"].df
    assert results["Assignments"].tolist() == direct.predict(_xy(train, "species")[0]).tolist()


def test_k_means_first_n_starts_from_the_first_distinct_rows(run: Runner, iris: pd.DataFrame) -> None:
    table = DataTable(iris)
    trained = _cluster(run, table, number_of_centroids=4, initialization="First N", normalize_features=False)

    x = _xy(table, "species")[0]
    _, first = np.unique(x, axis=0, return_index=True)
    start = x[np.sort(first)[:4]]
    direct = KMeans(n_clusters=4, init=start, n_init=1, max_iter=100, random_state=0).fit(x)
    assert trained["results_dataset"].df["Assignments"].tolist() == direct.labels_.tolist()


def test_clustering_evaluation_measures_distances_to_the_centers(run: Runner, iris: pd.DataFrame) -> None:
    trained = _cluster(run, DataTable(iris), number_of_centroids=3)
    results = trained["results_dataset"]

    evaluation = run("evaluate_model", {"scored_dataset": results})["evaluation_results"]

    df = results.df
    d = df[[f"DistancesToClusterCenter no.{k}" for k in range(3)]].to_numpy()
    own = d[np.arange(len(df)), df["Assignments"].to_numpy()]
    other = (d.sum(axis=1) - own) / 2
    assert evaluation.task == "clustering"
    assert evaluation.values == pytest.approx(
        {
            "Average Distance to Cluster Center": own.mean(),
            "Average Distance to Other Center": other.mean(),
            "Number of Points": 150,
            "Maximal Distance to Cluster Center": own.max(),
        },
        rel=1e-12,
    )
    per_cluster = evaluation.detail["clusters"][1:]
    assert [row["Number of Points"] for row in per_cluster] == np.bincount(df["Assignments"], minlength=3).tolist()


# -- Parameter Range mode -------------------------------------------------------------------------------


def test_parameter_range_learner_carries_a_complete_grid_through_the_store(run: Runner) -> None:
    learner = _learner(
        run,
        "boosted_decision_tree_regression",
        create_trainer_mode="Parameter Range",
        range_for_learning_rate=[0.1, 0.3, 0.1],
        range_for_number_of_trees_constructed=[5, 50],
    )

    back = UntrainedModel.deserialize(UntrainedModel.serialize(learner))

    assert isinstance(back.estimator, ParameterGrid)
    assert back.estimator.param_grid == [
        {
            "create_trainer_mode": ["Single Parameter"],
            "maximum_number_of_leaves_per_tree": [2, 8, 32, 128],
            "minimum_number_of_samples_per_leaf_node": [1, 10, 50],
            "learning_rate": [0.1, 0.3],
            "number_of_trees_constructed": [5, 50],
            "random_number_seed": [0],
        }
    ]
    assert len(back.estimator) == 4 * 3 * 2 * 2
    assert (back.task, back.learner) == ("regression", "boosted_decision_tree_regression")


def test_every_grid_point_builds_the_learner_in_single_parameter_mode(run: Runner) -> None:
    from modules.sdk import default_registry

    learner = _learner(run, "two_class_support_vector_machine", create_trainer_mode="Parameter Range")
    cls = default_registry().get(learner.learner)

    built = [run(learner.learner, {}, **point)["untrained_model"] for point in learner.estimator]

    assert len(built) == 3 * 5
    assert {b.estimator.named_steps["model"].estimator.alpha for b in built} == {1e-5, 1e-4, 1e-3, 1e-2, 0.1}
    assert all(cls.parse_params(point).create_trainer_mode == "Single Parameter" for point in learner.estimator)


#: Learners with one mode only, as in Azure: K-Means and the anomaly detectors are Single Parameter
#: there too; the one-vs-all/one-vs-one wrappers have no settings of their own (sweep the binary
#: learner they wrap); Create Python Model's settings live in the user's script.
SINGLE_MODE_ONLY = {
    "k_means_clustering",
    "one_class_svm",
    "pca_based_anomaly_detection",
    "one_vs_all_multiclass",
    "one_vs_one_multiclass",
    "create_python_model",
}


def test_every_other_learner_has_both_trainer_modes() -> None:
    from modules.library._learners import LearnerParams
    from modules.sdk import UntrainedModel as Untrained
    from modules.sdk import default_registry

    registry = default_registry()
    learners = {
        module.id
        for module in registry.latest()
        if any(issubclass(out.type, Untrained) for out in module.outputs.values())
    }
    with_ranges = {m for m in learners if issubclass(registry.get(m).Params, LearnerParams)}

    assert learners - SINGLE_MODE_ONLY == with_ranges
    assert {"two_class_boosted_decision_tree", "two_class_logistic_regression", "linear_regression"} <= with_ranges


def test_two_class_boosted_tree_and_logistic_regression_sweep_their_ranges(run: Runner) -> None:
    boosted = _learner(
        run,
        "two_class_boosted_decision_tree",
        create_trainer_mode="Parameter Range",
        range_for_maximum_number_of_leaves_per_tree=[4, 16],
        range_for_learning_rate=[0.1],
        range_for_number_of_trees_constructed=[5, 10],
        range_for_minimum_number_of_samples_per_leaf_node=[10],
    )
    logistic = _learner(run, "two_class_logistic_regression", create_trainer_mode="Parameter Range")

    built = [run(boosted.learner, {}, **point)["untrained_model"].estimator for point in boosted.estimator]
    assert sorted((m.num_leaves, m.n_estimators) for m in built) == [(4, 5), (4, 10), (16, 5), (16, 10)]
    assert all(m.n_jobs == 1 and m.learning_rate == 0.1 for m in built)
    assert len(logistic.estimator) == 2 * 4 * 3  # tolerance x L1 x L2 defaults; memory size has no range


def test_linear_regression_sweeps_gradient_descent_and_only_the_l2_weight_of_least_squares(run: Runner) -> None:
    gradient = _learner(
        run, "linear_regression", create_trainer_mode="Parameter Range", solution_method="Online Gradient Descent"
    )
    least_squares = _learner(run, "linear_regression", create_trainer_mode="Parameter Range")

    assert len(gradient.estimator) == 4 * 3 * 3
    assert len(least_squares.estimator) == 4  # learning rate and epochs do not change a least-squares fit
    fitted = [run("linear_regression", {}, **point)["untrained_model"].estimator for point in least_squares.estimator]
    assert [type(m.named_steps["model"]).__name__ for m in fitted] == ["LinearRegression", "Ridge", "Ridge", "Ridge"]


# -- store round trip -----------------------------------------------------------------------------------

TRAINED = [
    ("boosted_decision_tree_regression", "hours", {"number_of_trees_constructed": 5}),
    ("decision_forest_regression", "hours", {}),
    ("fast_forest_quantile_regression", "hours", {"number_of_trees": 5}),
    ("poisson_regression", "hours", {}),
    ("multiclass_boosted_decision_tree", "workclass_filled", {"number_of_trees_constructed": 5}),
    ("multiclass_decision_forest", "workclass_filled", {}),
    ("multiclass_logistic_regression", "workclass_filled", {}),
    ("one_vs_all_multiclass", "workclass_filled", {}),
    ("one_vs_one_multiclass", "workclass_filled", {}),
    ("two_class_averaged_perceptron", "income", {}),
    ("two_class_decision_forest", "income", {}),
    ("two_class_support_vector_machine", "income", {}),
]


@pytest.mark.parametrize(("module_id", "label", "params"), TRAINED, ids=[t[0] for t in TRAINED])
def test_every_trained_model_scores_the_same_after_a_store_round_trip(
    run: Runner, table: DataTable, module_id: str, label: str, params: dict[str, Any]
) -> None:
    from modules.library.scoring.score_model import score_table
    from modules.sdk import TrainedModel

    df = table.df.assign(workclass_filled=table.df["workclass"].fillna("Unknown"))
    data = DataTable(
        df.drop(columns="workclass") if label == "workclass_filled" else df.drop(columns="workclass_filled")
    )
    if module_id.startswith("one_vs"):
        binary = _learner(run, "two_class_logistic_regression", l1_regularization_weight=0.0)
        learner = run(module_id, {"untrained_binary_classification_model": binary})["untrained_model"]
    else:
        learner = _learner(run, module_id, **params)
    model = _train(run, learner, data, label)

    back = TrainedModel.deserialize(TrainedModel.serialize(model))

    pd.testing.assert_frame_equal(score_table(back, data).df, score_table(model, data).df)


def test_a_trained_clustering_model_assigns_the_same_after_a_store_round_trip(run: Runner, table: DataTable) -> None:
    from modules.sdk import TrainedModel

    model = _cluster(run, table, number_of_centroids=3, initialization="First N")["trained_model"]

    back = TrainedModel.deserialize(TrainedModel.serialize(model))

    before = run("assign_data_to_clusters", {"trained_model": model, "dataset": table})["results_dataset"]
    after = run("assign_data_to_clusters", {"trained_model": back, "dataset": table})["results_dataset"]
    pd.testing.assert_frame_equal(after.df, before.df)
    assert after.meta == before.meta
