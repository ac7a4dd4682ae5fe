"""The Data Transformation modules against the same computation written directly in pandas, NumPy,
scikit-learn or imbalanced-learn."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTE
from sklearn.datasets import load_breast_cancer, load_diabetes

from modules.library.scoring.apply_transformation import apply
from modules.sdk import DataTable, default_registry
from modules.sdk.ports import CsvFile, Table

Runner = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def diabetes() -> pd.DataFrame:
    df: pd.DataFrame = load_diabetes(as_frame=True, scaled=False).frame.astype("float64")
    return df


@pytest.fixture(scope="module")
def cancer() -> pd.DataFrame:
    data = load_breast_cancer(as_frame=True)
    df: pd.DataFrame = data.frame.drop(columns="target").iloc[:, :6]
    df["diagnosis"] = pd.Series(np.where(data.target == 1, "benign", "malignant"), dtype="str")
    return df


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.array([1, 2, 3, 4, 5, 6], dtype="Int64"),
            "city": pd.Series(["Oslo", "oslo", "Rome", None, "Lima", "Rome"], dtype="str"),
            "age": pd.array([31, 45, 27, 60, None, 27], dtype="Int64"),
            "score": [1.5, -2.25, 3.0, 0.0, 4.75, 3.0],
        }
    )


# -- Add Columns / Add Rows ----------------------------------------------------------------------------


def test_add_columns_matches_concat_with_right_duplicates_renamed(run: Runner, people: pd.DataFrame) -> None:
    right = people[["score", "city"]].head(4)

    out = run("add_columns", {"left_dataset": DataTable(people), "right_dataset": DataTable(right)})

    expected = pd.concat(
        [people, right.rename(columns={"score": "score_1", "city": "city_1"}).reindex(range(6))], axis=1
    )
    pd.testing.assert_frame_equal(out["combined_dataset"].df, expected)


def test_add_rows_matches_concat_with_columns_matched_by_name(run: Runner, people: pd.DataFrame) -> None:
    shuffled = people[["score", "age", "id", "city"]].iloc[::-1].reset_index(drop=True)

    out = run("add_rows", {"dataset1": DataTable(people), "dataset2": DataTable(shuffled)})

    expected = pd.concat([people, shuffled[list(people.columns)]], ignore_index=True)
    pd.testing.assert_frame_equal(out["results_dataset"].df, expected)


# -- Apply Math Operation ----------------------------------------------------------------------------


def test_math_log10_appends_numpy_log10_columns(run: Runner, diabetes: pd.DataFrame) -> None:
    df = diabetes[["age", "bmi"]]

    out = run("apply_math_operation", {"dataset": DataTable(df)}, basic_math_function="Log10")

    result = out["results_dataset"].df
    assert list(result.columns) == ["age", "bmi", "Log10(age)", "Log10(bmi)"]
    np.testing.assert_allclose(result[["Log10(age)", "Log10(bmi)"]].to_numpy(), np.log10(df.to_numpy()), rtol=1e-15)


def test_math_pow_with_a_column_argument_matches_numpy_power(run: Runner, diabetes: pd.DataFrame) -> None:
    df = pd.DataFrame({"x": diabetes["bmi"] / 10, "y": np.tile([0.5, 1.0, 2.0], len(diabetes))[: len(diabetes)]})

    out = run(
        "apply_math_operation",
        {"dataset": DataTable(df)},
        basic_math_function="Pow",
        column_set=["x"],
        second_argument_type="Column",
        second_column="y",
        output_mode="ResultOnly",
    )

    np.testing.assert_allclose(out["results_dataset"].df["Pow(x_y)"].to_numpy(), np.power(df["x"], df["y"]), rtol=1e-15)


def test_math_compare_greater_than_gives_true_false_with_missing_kept(run: Runner, people: pd.DataFrame) -> None:
    out = run(
        "apply_math_operation",
        {"dataset": DataTable(people)},
        category="Compare",
        comparison_function="GreaterThan",
        column_set=["age"],
        constant_operand=30,
        output_mode="Inplace",
    )

    expected = (people["age"] > 30).astype("boolean")
    pd.testing.assert_series_equal(out["results_dataset"].df["age"], expected)


def test_math_round_digits_and_divide_match_numpy(run: Runner, diabetes: pd.DataFrame) -> None:
    df = diabetes[["s1", "s5"]]

    rounded = run(
        "apply_math_operation",
        {"dataset": DataTable(df)},
        category="Rounding",
        rounding_operation="Floor",
        precision=1,
        output_mode="ResultOnly",
    )
    divided = run(
        "apply_math_operation",
        {"dataset": DataTable(df)},
        category="Operations",
        arithmetic_operation="Divide",
        constant_operand=4,
        output_mode="ResultOnly",
    )

    np.testing.assert_allclose(rounded["results_dataset"].df.to_numpy(), np.floor(df.to_numpy() * 10) / 10)
    assert list(divided["results_dataset"].df.columns) == ["Divide(s1_$4)", "Divide(s5_$4)"]
    np.testing.assert_allclose(divided["results_dataset"].df.to_numpy(), df.to_numpy() / 4, rtol=1e-15)


def test_math_division_by_zero_becomes_missing_and_is_logged(run: Runner, people: pd.DataFrame) -> None:
    out = run(
        "apply_math_operation",
        {"dataset": DataTable(people)},
        category="Operations",
        arithmetic_operation="Divide",
        column_set=["score"],
        second_argument_type="Column",
        second_column="score",
        output_mode="ResultOnly",
    )

    expected = pd.Series([1.0, 1.0, 1.0, np.nan, 1.0, 1.0], name="Divide(score_score)")
    pd.testing.assert_series_equal(out["results_dataset"].df["Divide(score_score)"], expected)
    assert "Divide(score): 1 values outside the function's domain became missing" in run.ctx.logs  # type: ignore[attr-defined]


# -- Apply SQL Transformation --------------------------------------------------------------------------


def test_sql_group_by_matches_pandas_groupby(run: Runner, cancer: pd.DataFrame) -> None:
    query = (
        'select diagnosis, count(*) as n, avg("mean radius") as radius from t1 group by diagnosis order by diagnosis'
    )

    out = run("apply_sql_transformation", {"t1": DataTable(cancer)}, sql_query_script=query)

    grouped = cancer.groupby("diagnosis")["mean radius"].agg(["count", "mean"]).reset_index()
    result = out["result_dataset"].df
    assert result["diagnosis"].tolist() == grouped["diagnosis"].tolist()
    assert result["n"].tolist() == grouped["count"].tolist()
    np.testing.assert_allclose(result["radius"].to_numpy(), grouped["mean"].to_numpy(), rtol=1e-12)


def test_sql_join_of_two_tables_matches_pandas_merge(run: Runner, people: pd.DataFrame) -> None:
    cities = pd.DataFrame({"city": pd.Series(["Oslo", "Rome"], dtype="str"), "country": ["NO", "IT"]})
    query = "select t1.id, t2.country from t1 join t2 on t1.city = t2.city order by t1.id"

    out = run("apply_sql_transformation", {"t1": DataTable(people), "t2": DataTable(cities)}, sql_query_script=query)

    expected = people.merge(cities, on="city")[["id", "country"]].sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(out["result_dataset"].df, expected.astype({"country": "str"}))


def test_sql_keeps_true_false_columns_and_missing_values(run: Runner) -> None:
    df = pd.DataFrame({"flag": pd.array([True, None, False], dtype="boolean"), "x": [1.0, np.nan, 3.0]})

    out = run("apply_sql_transformation", {"t1": DataTable(df)}, sql_query_script="select * from t1")

    pd.testing.assert_frame_equal(out["result_dataset"].df, df)


# -- Clip Values -----------------------------------------------------------------------------------------


def test_clip_percentiles_match_series_clip(run: Runner, diabetes: pd.DataFrame) -> None:
    df = diabetes[["bmi", "bp"]]

    out = run(
        "clip_values",
        {"dataset": DataTable(df)},
        set_of_thresholds="ClipPeaksAndSubpeaks",
        threshold="Percentile",
        percentile_number_for_upper_threshold=95,
        percentile_number_for_lower_threshold=5,
    )

    expected = df.clip(lower=df.quantile(0.05), upper=df.quantile(0.95), axis=1)
    pd.testing.assert_frame_equal(out["results_dataset"].df, expected)


def test_clip_peaks_with_the_median_and_an_indicator(run: Runner, people: pd.DataFrame) -> None:
    out = run(
        "clip_values",
        {"dataset": DataTable(people)},
        list_of_columns=["score"],
        constant_value_for_upper_threshold=3.0,
        substitute_value_for_peaks="Median",
        overwrite_flag=False,
        add_indicator_columns=True,
    )

    df = out["results_dataset"].df
    median = people["score"].median()
    assert df["score_clipped"].tolist() == people["score"].mask(people["score"] > 3.0, median).tolist()
    assert df["score_is_clipped"].tolist() == (people["score"] > 3.0).tolist()


# -- Convert to CSV / Convert to Dataset ---------------------------------------------------------------


def test_convert_to_csv_writes_what_pandas_writes(run: Runner, people: pd.DataFrame) -> None:
    out = run("convert_to_csv", {"dataset": DataTable(people, {"label_column": "score"})})

    data = CsvFile.serialize(out["results_dataset"])

    assert data.decode() == people.to_csv(index=False, lineterminator="\n")
    pd.testing.assert_frame_equal(out["results_dataset"].df, pd.read_csv(io.StringIO(data.decode())), check_dtype=False)
    assert out["results_dataset"].meta == {}


def test_csv_file_port_is_not_a_table_port() -> None:
    assert not Table.accepts(CsvFile)
    assert not CsvFile.accepts(Table)
    assert CsvFile.accepts(CsvFile)


def test_convert_to_dataset_set_missing_value_matches_replace(run: Runner) -> None:
    df = pd.DataFrame({"a": pd.Series(["1", "?", "3"], dtype="str"), "b": pd.Series(["x", "?", "y"], dtype="str")})

    out = run("convert_to_dataset", {"dataset": DataTable(df)}, action="SetMissingValue", custom_missing_value="?")

    expected = df.replace("?", np.nan)
    expected["a"] = pd.to_numeric(expected["a"]).astype("Int64")
    pd.testing.assert_frame_equal(out["results_dataset"].df, expected)


def test_convert_to_dataset_replaces_a_custom_number(run: Runner, people: pd.DataFrame) -> None:
    out = run(
        "convert_to_dataset",
        {"dataset": DataTable(people)},
        action="ReplaceValues",
        replace="Custom",
        custom_value="3",
        new_value="-1",
    )

    expected = people.copy()
    expected["id"] = expected["id"].mask(expected["id"] == 3, -1)
    expected["score"] = expected["score"].mask(expected["score"] == 3.0, -1.0)
    pd.testing.assert_frame_equal(out["results_dataset"].df, expected)


def test_csv_round_trip_through_convert_to_dataset(run: Runner, people: pd.DataFrame) -> None:
    csv = run("convert_to_csv", {"dataset": DataTable(people)})["results_dataset"]
    stored = CsvFile.deserialize(CsvFile.serialize(csv))

    out = run("convert_to_dataset", {"csv_file": stored})

    pd.testing.assert_frame_equal(out["results_dataset"].df, people)


# -- Convert to Indicator Values -----------------------------------------------------------------------


def test_indicator_values_match_get_dummies(run: Runner, people: pd.DataFrame) -> None:
    out = run(
        "convert_to_indicator_values",
        {"dataset": DataTable(people)},
        categorical_columns_to_convert=["city"],
        overwrite_categorical_columns=True,
    )

    dummies = pd.get_dummies(people["city"], prefix="city", prefix_sep="-", dummy_na=True, dtype="int64")
    dummies = dummies.rename(columns={"city-nan": "city-Missing"})
    expected = pd.concat([people[["id"]], dummies, people[["age", "score"]]], axis=1)
    pd.testing.assert_frame_equal(out["results_dataset"].df, expected)


def test_indicator_transformation_gives_new_data_the_same_columns(run: Runner, people: pd.DataFrame) -> None:
    out = run("convert_to_indicator_values", {"dataset": DataTable(people)}, categorical_columns_to_convert=["city"])
    new = pd.DataFrame({"id": pd.array([7], dtype="Int64"), "city": pd.Series(["Paris"], dtype="str")})

    applied = apply(out["indicator_values_transformation"], DataTable(new)).df

    assert list(applied.columns) == ["id", "city", "city-Lima", "city-Oslo", "city-Rome", "city-oslo", "city-Missing"]
    assert applied.iloc[0, 2:].tolist() == [0, 0, 0, 0, 0]


# -- Edit Metadata ---------------------------------------------------------------------------------------


def test_edit_metadata_converts_like_astype_and_sets_the_label(run: Runner, people: pd.DataFrame) -> None:
    df = people.assign(code=pd.Series(["10", "20", None, "40", "50", "60"], dtype="str"))

    out = run(
        "edit_metadata",
        {"dataset": DataTable(df)},
        column=["code"],
        data_type="Integer",
        fields="Label",
        new_column_names="target",
    )

    result = out["results_dataset"]
    pd.testing.assert_series_equal(result.df["target"], pd.to_numeric(df["code"]).astype("Int64").rename("target"))
    assert result.meta == {"label_column": "target"}


def test_edit_metadata_flags_and_clears_categorical_and_features(run: Runner, people: pd.DataFrame) -> None:
    flagged = run("edit_metadata", {"dataset": DataTable(people)}, column=["id", "age"], categorical="Categorical")
    cleared = run(
        "edit_metadata", {"dataset": flagged["results_dataset"]}, column=["id"], categorical="Non categorical",
        fields="Clear feature",
    )  # fmt: skip

    assert flagged["results_dataset"].meta == {"categorical_columns": ["id", "age"]}
    assert cleared["results_dataset"].meta == {"categorical_columns": ["age"], "non_feature_columns": ["id"]}
    pd.testing.assert_frame_equal(cleared["results_dataset"].df, people)


def test_edit_metadata_datetime_with_a_format_matches_to_datetime(run: Runner) -> None:
    df = pd.DataFrame({"day": pd.Series(["31/01/2024", "29/02/2024"], dtype="str")})

    out = run(
        "edit_metadata", {"dataset": DataTable(df)}, column=["day"], data_type="DateTime", datetime_format="%d/%m/%Y"
    )

    pd.testing.assert_series_equal(out["results_dataset"].df["day"], pd.to_datetime(df["day"], format="%d/%m/%Y"))


# -- Group Data into Bins --------------------------------------------------------------------------------


def test_quantile_bins_match_qcut(run: Runner, diabetes: pd.DataFrame) -> None:
    df = diabetes[["bmi", "s5"]]

    out = run("group_data_into_bins", {"dataset": DataTable(df)}, number_of_bins=5, output_mode="ResultOnly")

    for name in df.columns:
        expected = pd.qcut(df[name], 5, labels=False) + 1
        assert out["quantized_dataset"].df[name].tolist() == expected.tolist()
    assert out["quantized_dataset"].meta == {"categorical_columns": ["bmi", "s5"]}


def test_equal_width_bins_match_cut(run: Runner, diabetes: pd.DataFrame) -> None:
    out = run(
        "group_data_into_bins",
        {"dataset": DataTable(diabetes[["bp"]])},
        binning_mode="Equal Width",
        number_of_bins=7,
        tag_columns_as_categorical=False,
    )

    expected = pd.cut(diabetes["bp"], 7, labels=False) + 1
    assert out["quantized_dataset"].df["bp_quantized"].tolist() == expected.tolist()


def test_custom_edges_match_cut_with_open_ends(run: Runner, people: pd.DataFrame) -> None:
    out = run(
        "group_data_into_bins",
        {"dataset": DataTable(people)},
        binning_mode="Custom Edges",
        comma_separated_list_of_bin_edges="0,3",
        columns_to_bin=["score"],
        output_mode="Inplace",
    )

    expected = pd.cut(people["score"], [-np.inf, 0, 3, np.inf], labels=False) + 1
    assert out["quantized_dataset"].df["score"].tolist() == expected.tolist()


def test_quantile_percent_normalization_and_the_transformation_on_new_data(run: Runner, diabetes: pd.DataFrame) -> None:
    train, test = diabetes.iloc[:300][["bmi"]], diabetes.iloc[300:][["bmi"]]
    out = run(
        "group_data_into_bins",
        {"dataset": DataTable(train)},
        number_of_bins=4,
        quantile_normalization="Percent",
        output_mode="ResultOnly",
    )

    applied = apply(out["binning_transformation"], DataTable(test)).df

    _, edges = pd.qcut(train["bmi"], 4, retbins=True)
    expected = (pd.cut(test["bmi"].clip(edges[0], edges[-1]), edges, labels=False, include_lowest=True) + 1) * 25.0
    assert applied["bmi"].tolist() == expected.tolist()


# -- Join Data -------------------------------------------------------------------------------------------


@pytest.fixture
def orders() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "city": pd.Series(["Rome", "Oslo", "Paris", "Rome", None], dtype="str"),
            "amount": pd.array([5, 7, 9, 11, 13], dtype="Int64"),
        }
    )


def _join(run: Runner, people: pd.DataFrame, orders: pd.DataFrame, **params: Any) -> pd.DataFrame:
    out = run(
        "join_data",
        {"left_dataset": DataTable(people), "right_dataset": DataTable(orders)},
        join_key_columns_for_left_dataset=["city"],
        join_key_columns_for_right_dataset=["city"],
        **params,
    )
    df: pd.DataFrame = out["results_dataset"].df
    return df


def test_inner_join_matches_merge(run: Runner, people: pd.DataFrame, orders: pd.DataFrame) -> None:
    result = _join(run, people, orders, keep_right_key_columns_in_joined_table=False)

    expected = people.merge(orders.dropna(subset=["city"]), on="city", how="inner")
    expected = expected.sort_values(["id", "amount"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected)


def test_left_outer_join_matches_merge_and_keeps_right_keys(
    run: Runner, people: pd.DataFrame, orders: pd.DataFrame
) -> None:
    result = _join(run, people, orders, join_type="Left Outer Join")

    right = orders.dropna(subset=["city"]).assign(city_right=lambda d: d["city"])
    expected = people.merge(right, on="city", how="left").sort_values(["id", "amount"]).reset_index(drop=True)
    expected = expected[["id", "city", "age", "score", "city_right", "amount"]]
    pd.testing.assert_frame_equal(result, expected)


def test_full_outer_join_keeps_unmatched_rows_of_both_sides(
    run: Runner, people: pd.DataFrame, orders: pd.DataFrame
) -> None:
    result = _join(run, people, orders, join_type="Full Outer Join", keep_right_key_columns_in_joined_table=False)

    matched = people.merge(orders.dropna(subset=["city"]), on="city", how="inner")
    assert len(result) == len(matched) + 3 + 2  # oslo, missing and Lima on the left; Paris and missing on the right
    assert result.tail(2)["city"].tolist()[0] == "Paris"
    assert result.tail(2)["amount"].tolist() == [9, 13]


def test_left_semi_join_matches_isin_and_ignores_case_when_asked(
    run: Runner, people: pd.DataFrame, orders: pd.DataFrame
) -> None:
    result = _join(run, people, orders, join_type="Left Semi-Join", match_case=False)

    keys = set(orders["city"].dropna().str.lower())
    expected = people[people["city"].str.lower().isin(keys)].reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected)


def test_composite_keys_match_merge_on_two_columns(run: Runner) -> None:
    left = pd.DataFrame({"a": [1, 1, 2], "b": pd.Series(["x", "y", "x"], dtype="str"), "v": [10, 20, 30]})
    right = pd.DataFrame({"a2": [1, 2], "b2": pd.Series(["y", "x"], dtype="str"), "w": [0.5, 0.25]})

    out = run(
        "join_data",
        {"left_dataset": DataTable(left), "right_dataset": DataTable(right)},
        join_key_columns_for_left_dataset=["a", "b"],
        join_key_columns_for_right_dataset=["a2", "b2"],
    )

    expected = left.merge(right, left_on=["a", "b"], right_on=["a2", "b2"])
    pd.testing.assert_frame_equal(out["results_dataset"].df, expected)


# -- Partition and Sample --------------------------------------------------------------------------------


def test_head_matches_dataframe_head(run: Runner, cancer: pd.DataFrame) -> None:
    out = run(
        "partition_and_sample",
        {"dataset": DataTable(cancer)},
        partition_or_sample_mode="Head",
        number_of_rows_to_select=7,
    )

    pd.testing.assert_frame_equal(out["results_dataset"].df, cancer.head(7))


def test_sampling_matches_a_seeded_numpy_permutation(run: Runner, cancer: pd.DataFrame) -> None:
    out = run("partition_and_sample", {"dataset": DataTable(cancer)}, rate_of_sampling=0.2, random_seed_for_sampling=3)

    rows = np.sort(np.random.default_rng(3).permutation(len(cancer))[: int(np.floor(0.2 * len(cancer) + 0.5))])
    pd.testing.assert_frame_equal(out["results_dataset"].df, cancer.iloc[rows].reset_index(drop=True))


def test_round_robin_folds_and_pick_fold_complement(run: Runner, cancer: pd.DataFrame) -> None:
    folded = run(
        "partition_and_sample",
        {"dataset": DataTable(cancer)},
        partition_or_sample_mode="Assign to Folds",
        randomized_split=False,
        specify_how_many_folds_to_split_evenly_into=4,
    )["results_dataset"]
    rest = run(
        "partition_and_sample",
        {"dataset": folded},
        partition_or_sample_mode="Pick Fold",
        specify_which_fold_to_be_sampled_from=2,
        pick_complement_of_the_selected_fold=True,
    )["results_dataset"]

    assert folded.df["Fold"].tolist() == (np.arange(len(cancer)) % 4 + 1).tolist()
    assert folded.meta == {"fold_column": "Fold"}
    expected = cancer.assign(Fold=np.arange(len(cancer)) % 4 + 1)
    pd.testing.assert_frame_equal(rest.df, expected[expected["Fold"] != 2].reset_index(drop=True))


def test_stratified_folds_keep_each_class_share(run: Runner, cancer: pd.DataFrame) -> None:
    folded = run(
        "partition_and_sample",
        {"dataset": DataTable(cancer)},
        partition_or_sample_mode="Assign to Folds",
        stratified_split_for_sampling=True,
        stratification_key_column="diagnosis",
        specify_how_many_folds_to_split_evenly_into=3,
    )["results_dataset"].df

    counts = pd.crosstab(folded["Fold"], folded["diagnosis"])
    totals = cancer["diagnosis"].value_counts()
    for label in totals.index:
        assert counts[label].max() - counts[label].min() <= 1
        assert counts[label].sum() == totals[label]


def test_custom_proportions_give_folds_of_those_sizes(run: Runner, cancer: pd.DataFrame) -> None:
    folded = run(
        "partition_and_sample",
        {"dataset": DataTable(cancer)},
        partition_or_sample_mode="Assign to Folds",
        specify_the_partitioner_method="Partition with customized proportions",
        list_of_proportions_separated_by_comma=".5,.25,.25",
    )["results_dataset"].df

    assert folded["Fold"].value_counts().sort_index().tolist() == [285, 142, 142]  # 284.5 -> 285, 426.75 -> 427


# -- Remove Duplicate Rows -------------------------------------------------------------------------------


def test_remove_duplicates_matches_drop_duplicates_and_keeps_rows_with_missing_keys(run: Runner) -> None:
    df = pd.DataFrame(
        {
            "k": pd.Series(["a", "b", "a", None, None, "b"], dtype="str"),
            "v": [1, 2, 3, 4, 5, 6],
        }
    )

    first = run("remove_duplicate_rows", {"dataset": DataTable(df)}, key_column_selection_filter_expression=["k"])
    last = run(
        "remove_duplicate_rows",
        {"dataset": DataTable(df)},
        key_column_selection_filter_expression=["k"],
        retain_first_duplicate_row=False,
    )

    complete = df.dropna(subset=["k"])
    keep_first = sorted([*complete.drop_duplicates("k", keep="first").index, 3, 4])
    keep_last = sorted([*complete.drop_duplicates("k", keep="last").index, 3, 4])
    # the kept rows keep their labels, as pandas' own selection does: scoring names the removed ones by them
    pd.testing.assert_frame_equal(first["results_dataset"].df, df.loc[keep_first])
    pd.testing.assert_frame_equal(last["results_dataset"].df, df.loc[keep_last])


# -- SMOTE -----------------------------------------------------------------------------------------------


def test_smote_matches_imblearn_smote(run: Runner, cancer: pd.DataFrame) -> None:
    features = [c for c in cancer.columns if c != "diagnosis"]

    out = run(
        "smote",
        {"samples": DataTable(cancer)},
        label_column="diagnosis",
        smote_percentage=50,
        number_of_nearest_neighbors=5,
        random_seed=11,
    )

    y = cancer["diagnosis"].to_numpy(dtype=object)
    minority = (cancer["diagnosis"] == "malignant").sum()
    x_new, y_new = SMOTE(
        sampling_strategy={"malignant": minority + round(minority * 0.5)}, k_neighbors=5, random_state=11
    ).fit_resample(cancer[features].to_numpy(), y)
    expected = pd.DataFrame(x_new, columns=features).assign(diagnosis=pd.Series(y_new, dtype="str"))
    pd.testing.assert_frame_equal(out["table"].df, expected)


def test_smote_keeps_integer_and_true_false_columns_typed(run: Runner, table: DataTable) -> None:
    df = table.df.drop(columns="workclass")

    out = run("smote", {"samples": DataTable(df)}, label_column="income", number_of_nearest_neighbors=3)

    result = out["table"].df
    minority = df["income"].value_counts().idxmin()
    assert result.dtypes.to_dict() == df.dtypes.to_dict()
    assert (result["income"] == minority).sum() == 2 * (df["income"] == minority).sum()
    pd.testing.assert_frame_equal(result.head(len(df)), df)


# -- Select Columns Transform ----------------------------------------------------------------------------


def test_select_columns_transform_selects_the_captured_columns_from_new_data(
    run: Runner, diabetes: pd.DataFrame
) -> None:
    out = run("select_columns_transform", {"dataset_with_desired_columns": DataTable(diabetes[["s3", "age"]])})

    applied = apply(out["columns_selection_transformation"], DataTable(diabetes.iloc[100:])).df

    pd.testing.assert_frame_equal(applied, diabetes.iloc[100:][["s3", "age"]])


# -- Split Data (expression modes, version 1 parameters) ------------------------------------------------


def test_regular_expression_split_matches_str_contains(run: Runner, people: pd.DataFrame) -> None:
    out = run(
        "split_data",
        {"dataset": DataTable(people)},
        splitting_mode="Regular Expression Split",
        regular_expression='\\"city" ^[OR]',
    )

    hit = people["city"].str.contains("^[OR]", regex=True).fillna(False).astype(bool)
    pd.testing.assert_frame_equal(out["results_dataset1"].df, people[hit].reset_index(drop=True))
    pd.testing.assert_frame_equal(out["results_dataset2"].df, people[~hit].reset_index(drop=True))


def test_relative_expression_split_by_index_matches_a_boolean_mask(run: Runner, people: pd.DataFrame) -> None:
    out = run(
        "split_data",
        {"dataset": DataTable(people)},
        splitting_mode="Relative Expression Split",
        relational_expression="(\\2) <= 31 & != 27 | > 50",
    )

    age = people["age"]
    hit = (((age <= 31) & (age != 27)) | (age > 50)).fillna(False).astype(bool)
    pd.testing.assert_frame_equal(out["results_dataset1"].df, people[hit].reset_index(drop=True))


def test_split_data_version_1_parameters_still_load_and_run_the_same(cancer: pd.DataFrame) -> None:
    registry = default_registry()
    saved = {"fraction_of_rows_in_first_output_dataset": 0.3, "random_seed": 42, "splitting_mode": "Split Rows"}
    old, new = registry.get("split_data", 1), registry.get("split_data")
    ctx_args = {"dataset": DataTable(cancer)}
    from modules.sdk import LocalContext

    before = old().run(ctx_args, old.parse_params(saved), LocalContext())
    after = new().run(ctx_args, new.parse_params(new.migrate_params(1, saved)), LocalContext())

    assert new.version == 2
    pd.testing.assert_frame_equal(before["results_dataset1"].df, after["results_dataset1"].df)
    pd.testing.assert_frame_equal(before["results_dataset2"].df, after["results_dataset2"].df)
