"""Each module against the same computation written directly in pandas, NumPy, scikit-learn or LightGBM."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn import metrics
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from modules.sdk import DataTable, default_registry
from modules.sdk.textdata import read_delimited

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


def _split(run: Runner, df: pd.DataFrame) -> tuple[DataTable, DataTable]:
    out = run("split_data", {"dataset": DataTable(df)}, fraction_of_rows_in_first_output_dataset=0.7, random_seed=7)
    return out["results_dataset1"], out["results_dataset2"]


# -- transformations ------------------------------------------------------------------------------------


def test_normalize_zscore_matches_standard_scaler(run: Runner, diabetes: pd.DataFrame) -> None:
    out = run("normalize_data", {"dataset": DataTable(diabetes)}, transformation_method="ZScore")

    expected = StandardScaler().fit_transform(diabetes)
    np.testing.assert_allclose(out["transformed_dataset"].df.to_numpy(), expected, rtol=1e-12, atol=1e-12)


def test_normalize_minmax_matches_minmax_scaler(run: Runner, diabetes: pd.DataFrame) -> None:
    out = run("normalize_data", {"dataset": DataTable(diabetes)}, transformation_method="MinMax")

    expected = MinMaxScaler().fit_transform(diabetes)
    np.testing.assert_allclose(out["transformed_dataset"].df.to_numpy(), expected, rtol=1e-12, atol=1e-12)


def test_normalize_logistic_tanh_and_lognormal_match_their_formulas(run: Runner, cancer: pd.DataFrame) -> None:
    positive = cancer[["mean radius", "mean area", "worst perimeter"]]
    x = positive.to_numpy()

    logistic = run("normalize_data", {"dataset": DataTable(positive)}, transformation_method="Logistic")
    tanh = run("normalize_data", {"dataset": DataTable(positive)}, transformation_method="Tanh")
    lognormal = run("normalize_data", {"dataset": DataTable(positive)}, transformation_method="LogNormal")

    np.testing.assert_allclose(logistic["transformed_dataset"].df.to_numpy(), 1 / (1 + np.exp(-x)), rtol=1e-12)
    np.testing.assert_allclose(tanh["transformed_dataset"].df.to_numpy(), np.tanh(x), rtol=1e-12)
    logs = np.log(x)
    expected = stats.lognorm(s=logs.std(axis=0), scale=np.exp(logs.mean(axis=0))).cdf(x)
    np.testing.assert_allclose(lognormal["transformed_dataset"].df.to_numpy(), expected, rtol=1e-9, atol=1e-12)


def test_normalize_transformation_applies_the_training_statistics_to_new_data(
    run: Runner, diabetes: pd.DataFrame
) -> None:
    train, test = diabetes.iloc[:300], diabetes.iloc[300:]
    out = run("normalize_data", {"dataset": DataTable(train)})
    from modules.library.data_transformation.normalize_data import NormalizeData

    applied = NormalizeData.apply_transform(out["transformation"].spec, DataTable(test))

    expected = StandardScaler().fit(train).transform(test)
    np.testing.assert_allclose(applied.df.to_numpy(), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["Replace with mean", "Replace with median", "Replace with mode"])
def test_clean_missing_matches_pandas_fillna(run: Runner, diabetes: pd.DataFrame, mode: str) -> None:
    rng = np.random.default_rng(3)
    holey = diabetes.mask(rng.random(diabetes.shape) < 0.1)

    out = run("clean_missing_data", {"dataset": DataTable(holey)}, cleaning_mode=mode)

    fills = {
        "Replace with mean": holey.mean(),
        "Replace with median": holey.median(),
        "Replace with mode": holey.mode().iloc[0],
    }[mode]
    pd.testing.assert_frame_equal(out["cleaned_dataset"].df, holey.fillna(fills))


def test_clean_missing_remove_row_and_column_match_dropna(run: Runner, diabetes: pd.DataFrame) -> None:
    holey = diabetes.copy()
    holey.loc[[3, 10], "bmi"] = np.nan
    holey.loc[[5], "s1"] = np.nan

    rows = run("clean_missing_data", {"dataset": DataTable(holey)}, cleaning_mode="Remove entire row")
    cols = run("clean_missing_data", {"dataset": DataTable(holey)}, cleaning_mode="Remove entire column")

    pd.testing.assert_frame_equal(rows["cleaned_dataset"].df, holey.dropna())  # labels kept, as dropna keeps them
    pd.testing.assert_frame_equal(cols["cleaned_dataset"].df, holey.dropna(axis=1))


def test_select_columns_matches_pandas_selection_in_table_order(run: Runner, diabetes: pd.DataFrame) -> None:
    out = run("select_columns", {"dataset": DataTable(diabetes)}, columns=["s3", "age", "bmi"])

    pd.testing.assert_frame_equal(out["results_dataset"].df, diabetes[["age", "bmi", "s3"]])


def test_split_matches_a_seeded_numpy_permutation(run: Runner, cancer: pd.DataFrame) -> None:
    out = run(
        "split_data",
        {"dataset": DataTable(cancer)},
        fraction_of_rows_in_first_output_dataset=0.3,
        random_seed=42,
    )

    first = np.sort(np.random.default_rng(42).permutation(len(cancer))[: int(np.floor(0.3 * len(cancer) + 0.5))])
    rest = np.setdiff1d(np.arange(len(cancer)), first)
    pd.testing.assert_frame_equal(out["results_dataset1"].df, cancer.iloc[first].reset_index(drop=True))
    pd.testing.assert_frame_equal(out["results_dataset2"].df, cancer.iloc[rest].reset_index(drop=True))


def test_stratified_split_keeps_each_class_share(run: Runner, cancer: pd.DataFrame) -> None:
    out = run(
        "split_data",
        {"dataset": DataTable(cancer)},
        fraction_of_rows_in_first_output_dataset=0.25,
        stratified_split=True,
        stratification_key_column="diagnosis",
        random_seed=5,
    )

    rng = np.random.default_rng(5)
    picked = []
    for value in pd.unique(cancer["diagnosis"]):  # groups in order of first appearance
        rows = np.flatnonzero(cancer["diagnosis"].to_numpy() == value)
        picked.append(rng.permutation(rows)[: int(np.floor(0.25 * len(rows) + 0.5))])
    first = np.sort(np.concatenate(picked))
    pd.testing.assert_frame_equal(out["results_dataset1"].df, cancer.iloc[first].reset_index(drop=True))


def test_non_random_split_takes_the_first_rows(run: Runner, cancer: pd.DataFrame) -> None:
    out = run("split_data", {"dataset": DataTable(cancer)}, randomized_split=False)

    # 0.5 x 569 = 284.5 rounds half up to 285
    pd.testing.assert_frame_equal(out["results_dataset1"].df, cancer.iloc[:285].reset_index(drop=True))
    pd.testing.assert_frame_equal(out["results_dataset2"].df, cancer.iloc[285:].reset_index(drop=True))


def test_read_delimited_matches_pandas_read_csv_on_clean_data(cancer: pd.DataFrame) -> None:
    text = cancer.head(50).to_csv(index=False)

    ours = read_delimited(text.encode())

    pd.testing.assert_frame_equal(ours, pd.read_csv(io.StringIO(text)), check_dtype=False)


# -- learning -------------------------------------------------------------------------------------------


def _train_and_score(run: Runner, learner: str, train: DataTable, test: DataTable, label: str, **p: Any) -> DataTable:
    untrained = run(learner, {}, **p)["untrained_model"]
    model = run("train_model", {"untrained_model": untrained, "dataset": train}, label_column=label)["trained_model"]
    scored: DataTable = run("score_model", {"trained_model": model, "dataset": test})["scored_dataset"]
    return scored


def test_logistic_regression_matches_a_direct_sklearn_pipeline(run: Runner, cancer: pd.DataFrame) -> None:
    train, test = _split(run, cancer)
    features = [c for c in cancer.columns if c != "diagnosis"]

    scored = _train_and_score(
        run, "two_class_logistic_regression", train, test, "diagnosis", l1_regularization_weight=0.0
    )

    direct = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=1.0, tol=1e-7, max_iter=1000))])
    direct.fit(train.df[features], train.df["diagnosis"])
    np.testing.assert_allclose(
        scored.df["Scored Probabilities"], direct.predict_proba(test.df[features])[:, 1], rtol=1e-9, atol=1e-12
    )
    assert scored.df["Scored Labels"].tolist() == direct.predict(test.df[features]).tolist()
    assert scored.meta["positive_class"] == "malignant"


def test_elastic_net_logistic_regression_version_1_matches_saga(run: Runner, cancer: pd.DataFrame) -> None:
    # version 1 (kept for pipelines saved with it) fits Azure's L1 + L2 with scikit-learn's SAGA
    train, test = _split(run, cancer)
    features = [c for c in cancer.columns if c != "diagnosis"]
    version_1 = default_registry().get("two_class_logistic_regression", 1)
    untrained = version_1().run({}, version_1.parse_params({"optimization_tolerance": 1e-4}), run.ctx)  # type: ignore[attr-defined]
    model = run(
        "train_model", {"untrained_model": untrained["untrained_model"], "dataset": train}, label_column="diagnosis"
    )
    scored = run("score_model", {"trained_model": model["trained_model"], "dataset": test})["scored_dataset"]

    saga = LogisticRegression(C=0.5, l1_ratio=0.5, solver="saga", tol=1e-4, max_iter=2000, random_state=0)
    direct = Pipeline([("scale", StandardScaler()), ("model", saga)]).fit(train.df[features], train.df["diagnosis"])
    np.testing.assert_allclose(
        scored.df["Scored Probabilities"], direct.predict_proba(test.df[features])[:, 1], rtol=1e-9, atol=1e-12
    )
    assert scored.df["Scored Labels"].tolist() == direct.predict(test.df[features]).tolist()


def test_elastic_net_logistic_regression_reaches_the_optimum_saga_reaches(run: Runner, cancer: pd.DataFrame) -> None:
    # version 2 minimises the same objective with L-BFGS-B: solved to the end, both reach the same model
    train, test = _split(run, cancer)
    features = [c for c in cancer.columns if c != "diagnosis"]

    scored = _train_and_score(
        run, "two_class_logistic_regression", train, test, "diagnosis", optimization_tolerance=1e-15
    )

    saga = LogisticRegression(C=0.5, l1_ratio=0.5, solver="saga", tol=1e-12, max_iter=200_000, random_state=0)
    direct = Pipeline([("scale", StandardScaler()), ("model", saga)]).fit(train.df[features], train.df["diagnosis"])
    np.testing.assert_allclose(
        scored.df["Scored Probabilities"], direct.predict_proba(test.df[features])[:, 1], atol=1e-6
    )
    assert scored.df["Scored Labels"].tolist() == direct.predict(test.df[features]).tolist()


def test_boosted_tree_matches_lgbm_classifier(run: Runner, cancer: pd.DataFrame) -> None:
    from lightgbm import LGBMClassifier

    train, test = _split(run, cancer)
    features = [c for c in cancer.columns if c != "diagnosis"]

    scored = _train_and_score(
        run, "two_class_boosted_decision_tree", train, test, "diagnosis", number_of_trees_constructed=20
    )

    direct = LGBMClassifier(
        num_leaves=20, min_child_samples=10, learning_rate=0.2, n_estimators=20, random_state=0, n_jobs=1, verbose=-1
    ).fit(train.df[features].to_numpy(), train.df["diagnosis"].to_numpy())
    np.testing.assert_allclose(
        scored.df["Scored Probabilities"],
        np.asarray(direct.predict_proba(test.df[features].to_numpy()))[:, 1],
        rtol=1e-12,
    )


@pytest.mark.parametrize(("l2", "direct"), [(0.0, LinearRegression()), (0.5, Ridge(alpha=0.5))], ids=["ols", "ridge"])
def test_linear_regression_matches_sklearn(run: Runner, diabetes: pd.DataFrame, l2: float, direct: Any) -> None:
    train, test = _split(run, diabetes)
    features = [c for c in diabetes.columns if c != "target"]

    scored = _train_and_score(run, "linear_regression", train, test, "target", l2_regularization_weight=l2)

    pipeline = Pipeline([("scale", StandardScaler()), ("model", direct)]).fit(train.df[features], train.df["target"])
    np.testing.assert_allclose(scored.df["Scored Labels"], pipeline.predict(test.df[features]), rtol=1e-9)


def test_online_gradient_descent_learns_a_useful_model(run: Runner, diabetes: pd.DataFrame) -> None:
    train, test = _split(run, diabetes)

    scored = _train_and_score(
        run, "linear_regression", train, test, "target", solution_method="Online Gradient Descent"
    )
    results = run("evaluate_model", {"scored_dataset": scored})["evaluation_results"]

    assert results.values["Coefficient of Determination"] > 0.3


# -- evaluation -----------------------------------------------------------------------------------------


def test_binary_evaluation_matches_sklearn_metrics(run: Runner, cancer: pd.DataFrame) -> None:
    train, test = _split(run, cancer)
    scored = _train_and_score(run, "two_class_logistic_regression", train, test, "diagnosis")

    results = run("evaluate_model", {"scored_dataset": scored})["evaluation_results"]

    y = scored.df["diagnosis"] == "malignant"
    predicted = scored.df["Scored Labels"] == "malignant"
    p = scored.df["Scored Probabilities"]
    assert results.task == "binary"
    assert results.values == pytest.approx(
        {
            "Accuracy": metrics.accuracy_score(y, predicted),
            "Precision": metrics.precision_score(y, predicted),
            "Recall": metrics.recall_score(y, predicted),
            "F1 Score": metrics.f1_score(y, predicted),
            "AUC": metrics.roc_auc_score(y, p),
            "Threshold": 0.5,
        },
        rel=1e-12,
    )
    tn, fp, fn, tp = metrics.confusion_matrix(y, predicted).ravel()
    assert results.detail["confusion_matrix"] == {
        "labels": ["benign", "malignant"],
        "matrix": [[int(tn), int(fp)], [int(fn), int(tp)]],
    }
    fpr, tpr, _ = metrics.roc_curve(y, p)
    assert results.detail["roc_curve"]["fpr"] == fpr.tolist()  # fewer than 200 points: kept whole
    assert results.detail["roc_curve"]["tpr"] == tpr.tolist()


def test_regression_evaluation_matches_sklearn_metrics(run: Runner, diabetes: pd.DataFrame) -> None:
    train, test = _split(run, diabetes)
    scored = _train_and_score(run, "linear_regression", train, test, "target")

    results = run("evaluate_model", {"scored_dataset": scored})["evaluation_results"]

    y, p = scored.df["target"].to_numpy(), scored.df["Scored Labels"].to_numpy()
    assert results.values == pytest.approx(
        {
            "Mean Absolute Error": metrics.mean_absolute_error(y, p),
            "Root Mean Squared Error": metrics.root_mean_squared_error(y, p),
            "Relative Absolute Error": np.abs(y - p).sum() / np.abs(y - y.mean()).sum(),
            "Relative Squared Error": ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum(),
            "Coefficient of Determination": metrics.r2_score(y, p),
        },
        rel=1e-9,
    )
    assert results.detail["sample"]["actual"] == y.tolist()


def test_evaluation_compares_two_scored_datasets(run: Runner, cancer: pd.DataFrame) -> None:
    train, test = _split(run, cancer)
    logistic = _train_and_score(run, "two_class_logistic_regression", train, test, "diagnosis")
    trees = _train_and_score(
        run, "two_class_boosted_decision_tree", train, test, "diagnosis", number_of_trees_constructed=10
    )

    both = run("evaluate_model", {"scored_dataset": logistic, "scored_dataset_to_compare": trees})
    alone = run("evaluate_model", {"scored_dataset": trees})

    assert both["evaluation_results"].detail["compare"]["values"] == alone["evaluation_results"].values
    assert (
        both["evaluation_results"].values
        == run("evaluate_model", {"scored_dataset": logistic})["evaluation_results"].values
    )


def test_text_and_true_false_features_are_one_hot_encoded_like_a_direct_pipeline(run: Runner, table: DataTable) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    train = DataTable(table.df.iloc[:45].reset_index(drop=True))
    test = table.df.iloc[45:].reset_index(drop=True)
    test.loc[0, "workclass"] = "Never seen in training"

    scored = _train_and_score(
        run, "two_class_logistic_regression", train, DataTable(test), "income", l1_regularization_weight=0.0
    )

    def plain(df: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "age": df["age"].astype("float64"),
                "hours": df["hours"],
                "workclass": df["workclass"].astype(object).where(df["workclass"].notna(), np.nan),
                "married": df["married"].astype(object).map(str),
            }
        )

    encode = ColumnTransformer(
        [
            ("categorical", OneHotEncoder(handle_unknown="ignore", sparse_output=False), ["workclass", "married"]),
            ("numeric", "passthrough", ["age", "hours"]),
        ]
    )
    model = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=1.0, tol=1e-7, max_iter=1000))])
    direct = Pipeline([("features", encode), ("model", model)]).fit(plain(train.df), train.df["income"])
    np.testing.assert_allclose(
        scored.df["Scored Probabilities"], direct.predict_proba(plain(test))[:, 1], rtol=1e-9, atol=1e-12
    )
