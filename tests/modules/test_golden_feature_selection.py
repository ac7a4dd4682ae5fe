"""Feature Selection and Statistical Functions against the same computation done directly in SciPy or sklearn."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.decomposition import PCA, TruncatedSVD
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from modules.library._features import prepare_features
from modules.library.statistics.principal_component_analysis import PrincipalComponentAnalysis
from modules.sdk import DataTable

Runner = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def cancer() -> pd.DataFrame:
    """Breast cancer (569 rows, 30 float features) with a text label, as a user would upload it."""
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


def _split(run: Runner, df: pd.DataFrame) -> tuple[DataTable, DataTable]:
    out = run("split_data", {"dataset": DataTable(df)}, fraction_of_rows_in_first_output_dataset=0.7, random_seed=7)
    return out["results_dataset1"], out["results_dataset2"]


def _ranking(scores: dict[str, float]) -> list[str]:
    """Names best first, ties in insertion order (what the modules promise)."""
    return sorted(scores, key=lambda name: -scores[name])


def _scores(table: DataTable) -> dict[str, float]:
    return dict(zip(table.df["Feature"], table.df["Score"], strict=True))


# -- Filter Based Feature Selection ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "direct"),
    [
        ("Pearson Correlation", stats.pearsonr),
        ("Spearman Correlation", stats.spearmanr),
        ("Kendall Correlation", stats.kendalltau),
    ],
    ids=["pearson", "spearman", "kendall"],
)
def test_correlation_scores_are_the_absolute_scipy_coefficients(
    run: Runner, diabetes: pd.DataFrame, method: str, direct: Any
) -> None:
    features = [c for c in diabetes.columns if c != "target"]

    out = run(
        "filter_based_feature_selection",
        {"dataset": DataTable(diabetes)},
        feature_scoring_method=method,
        target_column="target",
        number_of_desired_features=4,
    )

    expected = {name: abs(float(direct(diabetes[name], diabetes["target"]).statistic)) for name in features}
    scores = _scores(out["features"])
    assert list(scores) == _ranking(expected)
    np.testing.assert_allclose([scores[n] for n in features], [expected[n] for n in features], rtol=1e-10)
    best = _ranking(expected)[:4]
    assert out["features"].df["Selected"].tolist() == [True] * 4 + [False] * 6
    kept = [c for c in diabetes.columns if c in best or c == "target"]
    pd.testing.assert_frame_equal(out["filtered_dataset"].df, diabetes[kept])


def test_pearson_uses_the_rows_where_feature_and_target_are_both_present(run: Runner, diabetes: pd.DataFrame) -> None:
    rng = np.random.default_rng(4)
    holey = diabetes.mask(rng.random(diabetes.shape) < 0.1)
    features = [c for c in holey.columns if c != "target"]

    out = run(
        "filter_based_feature_selection",
        {"dataset": DataTable(holey)},
        target_column="target",
        number_of_desired_features=10,
    )

    expected = {}
    for name in features:
        both = holey[[name, "target"]].dropna()
        expected[name] = abs(float(stats.pearsonr(both[name], both["target"]).statistic))
    scores = _scores(out["features"])
    np.testing.assert_allclose([scores[n] for n in features], [expected[n] for n in features], rtol=1e-10)
    pd.testing.assert_frame_equal(out["filtered_dataset"].df, holey)


def _binned(series: pd.Series) -> pd.Series:
    """Ten equal-count bins for a numeric column with more than ten values, as the module documents."""
    if series.nunique() > 10:
        return pd.qcut(series, 10, labels=False, duplicates="drop")
    return series


def test_chi_squared_matches_scipy_on_binned_features(run: Runner, cancer: pd.DataFrame) -> None:
    features = [c for c in cancer.columns if c != "diagnosis"]

    out = run(
        "filter_based_feature_selection",
        {"dataset": DataTable(cancer)},
        feature_scoring_method="Chi Squared",
        target_column="diagnosis",
        number_of_desired_features=5,
    )

    expected = {}
    for name in features:
        table = pd.crosstab(_binned(cancer[name]), cancer["diagnosis"])
        expected[name] = float(stats.chi2_contingency(table.to_numpy(), correction=False).statistic)
    scores = _scores(out["features"])
    np.testing.assert_allclose([scores[n] for n in features], [expected[n] for n in features], rtol=1e-10)
    assert list(out["filtered_dataset"].df.columns) == [c for c in cancer.columns if c in _ranking(expected)[:5]] + [
        "diagnosis"
    ]


def test_mutual_information_matches_sklearn_on_text_and_binned_features(run: Runner, table: DataTable) -> None:
    df = table.df

    out = run(
        "filter_based_feature_selection",
        {"dataset": table},
        feature_scoring_method="Mutual Information",
        target_column="income",
        number_of_desired_features=2,
    )

    expected = {}
    for name in ["age", "hours", "workclass", "married"]:
        both = pd.DataFrame({"x": _binned(df[name]), "y": df["income"]}).dropna()
        expected[name] = metrics.mutual_info_score(both["y"].astype(str), both["x"].astype(str))
    scores = _scores(out["features"])
    assert list(scores) == _ranking(expected)
    np.testing.assert_allclose([scores[n] for n in expected], list(expected.values()), rtol=1e-10)


def test_count_based_counts_values_present_and_not_zero(run: Runner) -> None:
    df = pd.DataFrame(
        {
            "sparse": [0.0, 0.0, 3.0, np.nan, 0.0, 1.0],
            "dense": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "flag": pd.array([True, False, None, True, True, False], dtype="boolean"),
            "text": pd.Series(["a", "", None, "b", "c", "d"], dtype="str"),
        }
    )

    out = run("filter_based_feature_selection", {"dataset": DataTable(df)}, feature_scoring_method="Count Based")

    expected = {name: int((df[name].notna() & (df[name] != 0) & (df[name] != "")).sum()) for name in df.columns}
    expected["flag"] = int(df["flag"].fillna(False).sum())
    assert _scores(out["features"]) == {"dense": 6.0, "text": 4.0, "flag": 3.0, "sparse": 2.0}
    assert _scores(out["features"]) == {n: float(expected[n]) for n in _ranking(expected)}
    pd.testing.assert_frame_equal(out["filtered_dataset"].df, df[["dense"]])


def test_label_and_score_columns_pass_through_unscored_when_operating_on_features_only(
    run: Runner, diabetes: pd.DataFrame
) -> None:
    scored = diabetes.assign(**{"Scored Labels": diabetes["target"] * 0.9})
    meta = {"label_column": "target", "score_columns": {"labels": "Scored Labels"}}
    features = [c for c in diabetes.columns if c != "target"]

    only = run(
        "filter_based_feature_selection",
        {"dataset": DataTable(scored, meta)},
        target_column="bmi",
        number_of_desired_features=2,
    )
    every = run(
        "filter_based_feature_selection",
        {"dataset": DataTable(scored, meta)},
        target_column="bmi",
        operate_on_feature_columns_only=False,
        number_of_desired_features=2,
    )

    candidates = [c for c in features if c != "bmi"]
    expected = {n: abs(float(stats.pearsonr(scored[n], scored["bmi"]).statistic)) for n in candidates}
    best = _ranking(expected)[:2]
    assert list(_scores(only["features"])) == _ranking(expected)
    kept = [c for c in scored.columns if c in best or c in ("bmi", "target", "Scored Labels")]
    pd.testing.assert_frame_equal(only["filtered_dataset"].df, scored[kept])
    assert only["filtered_dataset"].meta == meta
    assert set(_scores(every["features"])) == {*candidates, "target", "Scored Labels"}
    assert list(every["filtered_dataset"].df.columns) == [
        c for c in scored.columns if c in ("bmi", "target", "Scored Labels")
    ]
    assert every["filtered_dataset"].meta == meta


def test_keeping_every_feature_is_known_before_running(run: Runner, diabetes: pd.DataFrame) -> None:
    from modules.library.feature_selection.filter_based_feature_selection import FilterBasedFeatureSelection

    table = DataTable(diabetes)
    params = FilterBasedFeatureSelection.parse_params({"target_column": "target", "number_of_desired_features": 10})

    inferred = FilterBasedFeatureSelection().infer_schemas({"dataset": table.schema}, params)
    out = run(
        "filter_based_feature_selection", {"dataset": table}, target_column="target", number_of_desired_features=10
    )

    assert inferred["filtered_dataset"] == out["filtered_dataset"].schema
    pd.testing.assert_frame_equal(out["filtered_dataset"].df, diabetes)


# -- Permutation Feature Importance ---------------------------------------------------------------------------


def _shuffled(df: pd.DataFrame, features: list[str], seed: int) -> list[tuple[str, pd.DataFrame]]:
    """The module's documented draw: one permutation per feature, in feature order, from one generator."""
    rng = np.random.default_rng(seed)
    out = []
    for name in features:
        copy = df.copy()
        copy[name] = df[name].to_numpy()[rng.permutation(len(df))]
        out.append((name, copy))
    return out


@pytest.mark.parametrize(
    ("metric", "direct", "lower_is_better"),
    [
        ("Mean Absolute Error", metrics.mean_absolute_error, True),
        ("Root Mean Squared Error", metrics.root_mean_squared_error, True),
        ("Relative Absolute Error", lambda y, p: np.abs(y - p).sum() / np.abs(y - y.mean()).sum(), True),
        ("Relative Squared Error", lambda y, p: ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum(), True),
        ("Coefficient of Determination", metrics.r2_score, False),
    ],
    ids=["mae", "rmse", "rae", "rse", "r2"],
)
def test_regression_importance_matches_sklearn_ols_with_the_same_shuffles(
    run: Runner, diabetes: pd.DataFrame, metric: str, direct: Any, lower_is_better: bool
) -> None:
    train, test = _split(run, diabetes)
    features = [c for c in diabetes.columns if c != "target"]
    learner = run("linear_regression", {}, l2_regularization_weight=0.0)["untrained_model"]
    model = run("train_model", {"untrained_model": learner, "dataset": train}, label_column="target")["trained_model"]

    out = run(
        "permutation_feature_importance",
        {"trained_model": model, "test_data": test},
        random_seed=11,
        metric_for_measuring_performance=metric,
    )

    ols = LinearRegression().fit(train.df[features], train.df["target"])
    y = test.df["target"]
    baseline = direct(y, ols.predict(test.df[features]))
    expected = {}
    for name, shuffled in _shuffled(test.df, features, 11):
        value = direct(y, ols.predict(shuffled[features]))
        expected[name] = value - baseline if lower_is_better else baseline - value
    scores = _scores(out["feature_importance"])
    assert list(scores) == _ranking(expected)
    np.testing.assert_allclose([scores[n] for n in features], [expected[n] for n in features], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(
    ("metric", "direct"),
    [
        ("Accuracy", metrics.accuracy_score),
        ("Precision", lambda y, p: metrics.precision_score(y, p, pos_label="malignant", zero_division=0)),
        ("Recall", lambda y, p: metrics.recall_score(y, p, pos_label="malignant", zero_division=0)),
    ],
    ids=["accuracy", "precision", "recall"],
)
def test_two_class_importance_matches_a_direct_sklearn_pipeline(
    run: Runner, cancer: pd.DataFrame, metric: str, direct: Any
) -> None:
    train, test = _split(run, cancer)
    features = [c for c in cancer.columns if c != "diagnosis"]
    learner = run("two_class_logistic_regression", {}, l1_regularization_weight=0.0)["untrained_model"]
    model = run("train_model", {"untrained_model": learner, "dataset": train}, label_column="diagnosis")

    out = run(
        "permutation_feature_importance",
        {"trained_model": model["trained_model"], "test_data": test},
        random_seed=5,
        metric_for_measuring_performance=metric,
    )

    pipeline = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=1.0, tol=1e-7, max_iter=1000))])
    pipeline.fit(train.df[features], train.df["diagnosis"])
    y = test.df["diagnosis"]
    baseline = direct(y, pipeline.predict(test.df[features]))
    expected = {
        name: baseline - direct(y, pipeline.predict(shuffled[features]))
        for name, shuffled in _shuffled(test.df, features, 5)
    }
    scores = _scores(out["feature_importance"])
    np.testing.assert_allclose([scores[n] for n in features], [expected[n] for n in features], rtol=1e-12, atol=1e-12)
    assert list(scores) == _ranking(expected)


def test_multiclass_precision_is_the_macro_average_of_the_fitted_estimator(run: Runner, iris: pd.DataFrame) -> None:
    train, test = _split(run, iris)
    features = [c for c in iris.columns if c != "species"]
    learner = run("multiclass_logistic_regression", {}, l1_regularization_weight=0.0)["untrained_model"]
    model = run("train_model", {"untrained_model": learner, "dataset": train}, label_column="species")["trained_model"]

    out = run(
        "permutation_feature_importance",
        {"trained_model": model, "test_data": test},
        random_seed=2,
        metric_for_measuring_performance="Precision",
    )

    def precision(frame: pd.DataFrame) -> float:
        predicted = model.estimator.predict(prepare_features(frame, model.feature_types))
        return float(metrics.precision_score(frame["species"], predicted, average="macro", zero_division=0))

    baseline = precision(test.df)
    expected = {name: baseline - precision(shuffled) for name, shuffled in _shuffled(test.df, features, 2)}
    scores = _scores(out["feature_importance"])
    np.testing.assert_allclose([scores[n] for n in features], [expected[n] for n in features], rtol=1e-12, atol=1e-12)
    assert list(scores) == _ranking(expected)


# -- Summarize Data -----------------------------------------------------------------------------------------


def test_summary_statistics_match_numpy_and_scipy(run: Runner, diabetes: pd.DataFrame) -> None:
    rng = np.random.default_rng(8)
    holey = diabetes[["age", "bmi", "bp"]].mask(rng.random((len(diabetes), 3)) < 0.1)
    holey["sex"] = pd.Series(np.where(diabetes["sex"] == 1, "f", "m"), dtype="str")

    out = run("summarize_data", {"dataset": DataTable(holey)})["result_dataset"].df

    assert out["Feature"].tolist() == ["age", "bmi", "bp", "sex"]
    for i, name in enumerate(["age", "bmi", "bp"]):
        x = holey[name].dropna().to_numpy()
        q = np.percentile(x, [25, 50, 75, 0.5, 1, 5, 95, 99.5])
        expected = {
            "Count": len(x),
            "Unique Value Count": len(np.unique(x)),
            "Missing Value Count": int(holey[name].isna().sum()),
            "Min": x.min(),
            "Max": x.max(),
            "Mean": x.mean(),
            "Mean Deviation": np.abs(x - x.mean()).mean(),
            "1st Quartile": q[0],
            "Median": q[1],
            "3rd Quartile": q[2],
            "Mode": stats.mode(x).mode,
            "Range": np.ptp(x),
            "Sample Variance": np.var(x, ddof=1),
            "Sample Standard Deviation": np.std(x, ddof=1),
            "Sample Skewness": stats.skew(x, bias=False),
            "Sample Kurtosis": stats.kurtosis(x, bias=False),
            "P0.5": q[3],
            "P1": q[4],
            "P5": q[5],
            "P95": q[6],
            "P99.5": q[7],
        }
        row = out.iloc[i]
        assert list(out.columns[1:]) == list(expected)
        np.testing.assert_allclose([row[k] for k in expected], list(expected.values()), rtol=1e-10, err_msg=name)
    text = out.iloc[3]
    assert (text["Count"], text["Unique Value Count"], text["Missing Value Count"]) == (442, 2, 0)
    assert text.iloc[4:].isna().all()


# -- Compute Linear Correlation ---------------------------------------------------------------------------------


def test_linear_correlation_is_numpy_corrcoef_with_named_rows(run: Runner, diabetes: pd.DataFrame) -> None:
    out = run("compute_linear_correlation", {"dataset": DataTable(diabetes)})["results_dataset"].df

    assert out["Feature"].tolist() == list(diabetes.columns)
    assert list(out.columns) == ["Feature", *diabetes.columns]
    np.testing.assert_allclose(out[list(diabetes.columns)].to_numpy(), np.corrcoef(diabetes.to_numpy().T), rtol=1e-10)


def test_linear_correlation_uses_pairwise_complete_rows(run: Runner, diabetes: pd.DataFrame) -> None:
    rng = np.random.default_rng(9)
    holey = diabetes[["age", "bmi", "s5"]].mask(rng.random((len(diabetes), 3)) < 0.2)

    out = run("compute_linear_correlation", {"dataset": DataTable(holey)})["results_dataset"].df

    for i, a in enumerate(holey.columns):
        for b in holey.columns:
            both = holey[[a, b]].dropna()
            expected = 1.0 if a == b else stats.pearsonr(both[a], both[b]).statistic
            assert out.loc[i, b] == pytest.approx(expected, rel=1e-10), (a, b)


# -- Principal Component Analysis ---------------------------------------------------------------------------


def test_pca_matches_sklearn_pca_and_keeps_the_other_columns(run: Runner, diabetes: pd.DataFrame) -> None:
    train, test = diabetes.iloc[:300], diabetes.iloc[300:].reset_index(drop=True)
    features = [c for c in diabetes.columns if c != "target"]

    out = run(
        "principal_component_analysis",
        {"dataset": DataTable(train)},
        columns=features,
        number_of_dimensions_to_reduce_to=3,
    )

    pca = PCA(n_components=3, svd_solver="full").fit(train[features])
    result = out["results_dataset"].df
    assert list(result.columns) == ["target", "PC1", "PC2", "PC3"]
    pd.testing.assert_series_equal(result["target"], train["target"])
    np.testing.assert_allclose(result[["PC1", "PC2", "PC3"]].to_numpy(), pca.transform(train[features]), atol=1e-9)
    spec = out["pca_transformation"].spec
    np.testing.assert_allclose(spec["explained_variance_ratio"], pca.explained_variance_ratio_, rtol=1e-10)
    applied = PrincipalComponentAnalysis.apply_transform(spec, DataTable(test)).df
    np.testing.assert_allclose(applied[["PC1", "PC2", "PC3"]].to_numpy(), pca.transform(test[features]), atol=1e-9)


def test_pca_without_centering_matches_truncated_svd(run: Runner, diabetes: pd.DataFrame) -> None:
    features = ["age", "bmi", "bp", "s1", "s2"]

    out = run(
        "principal_component_analysis",
        {"dataset": DataTable(diabetes[features])},
        number_of_dimensions_to_reduce_to=2,
        normalize_dense_dataset_to_zero_mean=False,
    )

    svd = TruncatedSVD(n_components=2, algorithm="arpack").fit(diabetes[features])
    np.testing.assert_allclose(
        out["results_dataset"].df[["PC1", "PC2"]].to_numpy(), svd.transform(diabetes[features]), rtol=1e-8
    )


def test_pca_transformation_applies_through_apply_transformation_after_a_store_round_trip(
    run: Runner, diabetes: pd.DataFrame
) -> None:
    from modules.sdk import Transformation

    features = [c for c in diabetes.columns if c != "target"]
    out = run("principal_component_analysis", {"dataset": DataTable(diabetes.iloc[:300])}, columns=features)
    stored = Transformation.deserialize(Transformation.serialize(out["pca_transformation"]))
    new_rows = diabetes.iloc[300:].drop(columns="target").reset_index(drop=True)

    applied = run("apply_transformation", {"transformation": stored, "dataset": DataTable(new_rows)})

    pca = PCA(n_components=2, svd_solver="full").fit(diabetes.iloc[:300][features])
    assert list(applied["transformed_dataset"].df.columns) == ["PC1", "PC2"]
    np.testing.assert_allclose(applied["transformed_dataset"].df.to_numpy(), pca.transform(new_rows), atol=1e-9)
