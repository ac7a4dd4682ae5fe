"""The Dask path of the data transformations equals their pandas path on a real cluster with tiny partitions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from .conftest import PARTITION_ROWS, Both, assert_same_table


def mixed(n: int = 50, seed: int = 1) -> pd.DataFrame:
    """Numbers with missing values, integers, text with missing values, a binary label."""
    rng = np.random.default_rng(seed)
    x = rng.normal(10, 3, n)
    x[rng.random(n) < 0.2] = np.nan
    y = rng.lognormal(1, 0.5, n)
    y[rng.random(n) < 0.1] = np.nan
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    colour[rng.random(n) < 0.15] = None
    return pd.DataFrame(
        {
            "x": x,
            "y": y,
            "k": rng.integers(1, 6, n),
            "colour": pd.array(colour, dtype="string"),
            "shape": pd.Series(rng.choice(["square", "round", None], n), dtype="str"),  # as a CSV upload reads
            "label": rng.integers(0, 2, n),
        }
    )


def test_select_columns_keeps_the_same_columns_and_rows(both: Both) -> None:
    # given a table spread over several partitions
    digest = both.put(mixed(), label_column="label")
    params = {"columns": {"start": "none", "rules": [{"op": "include", "names": ["y", "label"]}]}}

    # when Select Columns runs both ways
    pandas, dask = both.both("select_columns", params, {"dataset": digest})

    # then the outputs are equal, and the Dask output's row groups are its partitions
    assert_same_table(pandas["results_dataset"], dask["results_dataset"])
    assert list(dask["results_dataset"].df.columns) == ["y", "label"]


@pytest.mark.parametrize("method", ["ZScore", "MinMax", "Logistic", "LogNormal", "Tanh"])
def test_normalize_data_fits_the_same_statistics(both: Both, method: str) -> None:
    # given a table with missing values
    digest = both.put(mixed(), label_column="label")
    params = {
        "transformation_method": method,
        "columns": {"start": "none", "rules": [{"op": "include", "names": ["y", "k"]}]},
    }

    # when Normalize Data runs both ways
    pandas, dask = both.both("normalize_data", params, {"dataset": digest})

    # then the tables are equal and every fitted statistic agrees to 1e-12
    assert_same_table(pandas["transformed_dataset"], dask["transformed_dataset"])
    assert_same_spec(pandas["transformation"].spec, dask["transformation"].spec)


@pytest.mark.parametrize(
    "mode",
    [
        "Custom substitution value",
        "Replace with mean",
        "Replace with median",
        "Replace with mode",
        "Remove entire row",
        "Remove entire column",
    ],
)
def test_clean_missing_data_fits_and_cleans_the_same(both: Both, mode: str) -> None:
    # given a table with missing numbers and text
    digest = both.put(mixed(), label_column="label")
    numeric = {"start": "none", "rules": [{"op": "include", "names": ["x", "y"]}]}
    params: dict[str, Any] = {"cleaning_mode": mode, "generate_missing_value_indicator_column": True}
    if mode in ("Replace with mean", "Replace with median"):
        params["columns"] = numeric
    if mode == "Replace with mode":
        params["columns"] = {"start": "none", "rules": [{"op": "include", "names": ["colour", "shape", "x"]}]}

    # when Clean Missing Data runs both ways
    pandas, dask = both.both("clean_missing_data", params, {"dataset": digest})

    # then the cleaned tables and the cleaning transformations are the same
    assert_same_table(pandas["cleaned_dataset"], dask["cleaned_dataset"])
    assert_same_spec(pandas["cleaning_transformation"].spec, dask["cleaning_transformation"].spec)


def test_clean_missing_data_refuses_a_mean_of_text_on_the_dask_path_too(both: Both) -> None:
    from designer.engine.execute import NodeFailed

    # given a text column asked for its mean
    digest = both.put(mixed())
    params = {
        "cleaning_mode": "Replace with mean",
        "columns": {"start": "none", "rules": [{"op": "include", "names": ["colour"]}]},
    }

    # when it runs on the Dask path, then it fails naming the column, as on the pandas path
    with pytest.raises(NodeFailed) as failed:
        both.run("clean_missing_data", params, {"dataset": digest}, dask=True)
    assert failed.value.problem.column == "colour"
    assert failed.value.problem.code == "module_error"


@pytest.mark.parametrize(
    "params",
    [
        {
            "category": "Basic",
            "basic_math_function": "LnPlus1",
            "column_set": {"start": "none", "rules": [{"op": "include", "names": ["x", "y"]}]},
        },
        {
            "category": "Compare",
            "comparison_function": "GreaterThan",
            "second_argument_type": "Column",
            "second_column": "y",
            "output_mode": "Append",
            "column_set": {"start": "none", "rules": [{"op": "include", "names": ["x"]}]},
        },
        {
            "category": "Rounding",
            "rounding_operation": "Floor",
            "output_mode": "ResultOnly",
            "column_set": {"start": "none", "rules": [{"op": "include", "names": ["x", "k"]}]},
        },
    ],
)
def test_apply_math_operation_gives_the_same_columns(both: Both, params: dict[str, Any]) -> None:
    # given a table with missing numbers
    digest = both.put(mixed(), label_column="label")

    # when Apply Math Operation runs both ways
    pandas, dask = both.both("apply_math_operation", params, {"dataset": digest})

    # then the outputs are equal
    assert_same_table(pandas["results_dataset"], dask["results_dataset"])


def test_partitions_are_tiny_and_written_back_as_row_groups(both: Both) -> None:
    # given 50 rows read in partitions of 7
    digest = both.put(mixed(), label_column="label")

    # when a node runs on the Dask path
    records = both.run("select_columns", {"columns": {"start": "all"}}, {"dataset": digest}, dask=True)

    # then the output holds one row group per partition, in order
    groups = both.row_groups(records["results_dataset"].digest)
    assert groups == [PARTITION_ROWS] * 7 + [1]
    assert records["results_dataset"].summary["rows"] == 50


def assert_same_spec(a: Any, b: Any, path: str = "spec") -> None:
    """Equal structure; floats equal to 1e-12 (relative) or both NaN."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and set(a) == set(b), f"{path}: {a} != {b}"
        for key in a:
            assert_same_spec(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{path}: {a} != {b}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_spec(x, y, f"{path}[{i}]")
    elif isinstance(a, float) and not isinstance(a, bool):
        assert isinstance(b, float), f"{path}: {a!r} != {b!r}"
        assert (np.isnan(a) and np.isnan(b)) or a == pytest.approx(b, rel=1e-12, abs=1e-12), f"{path}: {a!r} != {b!r}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


@pytest.mark.parametrize(
    "params",
    [
        {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 3},
        {"fraction_of_rows_in_first_output_dataset": 0.3, "randomized_split": False},
        {
            "fraction_of_rows_in_first_output_dataset": 0.6,
            "stratified_split": True,
            "stratification_key_column": "colour",
        },
        {"splitting_mode": "Relative Expression Split", "relational_expression": '\\"x" > 9 & <= 14'},
        {"splitting_mode": "Regular Expression Split", "regular_expression": '\\"colour" ^(red|blue)$'},
    ],
)
def test_split_data_sends_the_same_rows_to_each_output(both: Both, params: dict[str, Any]) -> None:
    # given a table over several partitions
    digest = both.put(mixed(), label_column="label")

    # when Split Data runs both ways
    pandas, dask = both.both("split_data", params, {"dataset": digest})

    # then both outputs hold the same rows in the same order
    assert_same_table(pandas["results_dataset1"], dask["results_dataset1"])
    assert_same_table(pandas["results_dataset2"], dask["results_dataset2"])
    assert 0 < len(dask["results_dataset1"].df) < 50


@pytest.mark.parametrize("first", [True, False])
@pytest.mark.parametrize("keys", [["colour"], ["k", "shape"], None])
def test_remove_duplicate_rows_keeps_the_same_rows(both: Both, first: bool, keys: list[str] | None) -> None:
    # given a table whose keys repeat across partitions, some keys missing
    df = mixed()
    df = pd.concat([df, df.iloc[::3]], ignore_index=True)  # whole rows repeated further down
    digest = both.put(df, label_column="label")
    params: dict[str, Any] = {"retain_first_duplicate_row": first}
    if keys is not None:
        params["key_column_selection_filter_expression"] = {
            "start": "none",
            "rules": [{"op": "include", "names": keys}],
        }

    # when Remove Duplicate Rows runs both ways
    pandas, dask = both.both("remove_duplicate_rows", params, {"dataset": digest})

    # then the same rows are kept, in the same order
    assert_same_table(pandas["results_dataset"], dask["results_dataset"])
    assert len(dask["results_dataset"].df) < len(df)


def test_summarize_data_gives_the_same_statistics(both: Both) -> None:
    # given a table with numbers, integers, text and missing values
    digest = both.put(mixed(), label_column="label")

    # when Summarize Data runs both ways
    pandas, dask = both.both("summarize_data", {}, {"dataset": digest})

    # then every statistic of every column agrees
    assert_same_table(pandas["result_dataset"], dask["result_dataset"])
    assert list(dask["result_dataset"].df["Feature"]) == ["x", "y", "k", "colour", "shape", "label"]


def test_an_automatic_target_takes_the_dask_path_from_its_threshold_on(both: Both) -> None:
    from designer.engine.compute import ComputeTarget

    # given a stored table of known size
    digest = both.put(mixed())
    size = both.store.size(digest)
    params = {"columns": {"start": "all"}}

    # when the threshold is one byte above it, then the node runs with pandas
    both.target = ComputeTarget("auto", dask="tcp://test", threshold_bytes=size + 1, partition_rows=PARTITION_ROWS)
    below = both.run("select_columns", params, {"dataset": digest}, dask=True)
    assert not any("partition-parallel" in line for line in both.logs)

    # when the input reaches it, then the node runs on the cluster, with the same output
    both.target = ComputeTarget("auto", dask="tcp://test", threshold_bytes=size, partition_rows=PARTITION_ROWS)
    above = both.run("select_columns", params, {"dataset": digest}, dask=True)
    assert any("partition-parallel" in line for line in both.logs)
    assert both.values(below)["results_dataset"].df.equals(both.values(above)["results_dataset"].df)


def test_a_module_without_a_dask_path_is_refused_on_a_dask_target_and_runs_with_pandas_below_the_threshold(
    both: Both,
) -> None:
    from designer.engine.compute import ComputeTarget
    from designer.engine.execute import NodeFailed

    # given a module that does not declare run_dask, on a target that sends every table to Dask
    digest = both.put(mixed())

    # when it runs, then it is refused naming the module and suggesting Partition and Sample
    with pytest.raises(NodeFailed) as refused:
        both.run("add_rows", {}, {"dataset1": digest, "dataset2": digest}, dask=True)
    assert refused.value.problem.code == "input_too_large"
    assert "Add Rows" in refused.value.problem.message and "Partition and Sample" in refused.value.problem.message

    # and on an automatic target whose threshold its inputs do not reach, it runs as always, with pandas
    both.target = ComputeTarget("auto", dask="tcp://test", threshold_bytes=3 * both.store.size(digest))
    records = both.run("add_rows", {}, {"dataset1": digest, "dataset2": digest}, dask=True)
    assert not any("partition-parallel" in line for line in both.logs)
    assert records["results_dataset"].summary["rows"] == 100


@pytest.mark.parametrize(
    ("module", "params", "port"),
    [
        ("normalize_data", {"transformation_method": "MinMax"}, "transformation"),
        ("clean_missing_data", {"cleaning_mode": "Remove entire row"}, "cleaning_transformation"),
        ("clean_missing_data", {"cleaning_mode": "Replace with mode"}, "cleaning_transformation"),
    ],
)
def test_apply_transformation_transforms_new_rows_the_same(
    both: Both, module: str, params: dict[str, Any], port: str
) -> None:
    # given a transformation fitted on one table, and new rows without the label
    fitted = both.run(module, params, {"dataset": both.put(mixed(seed=1), label_column="label")}, dask=False)
    new_rows = both.put(mixed(seed=2).drop(columns=["label"]))
    inputs = {"transformation": fitted[port].digest, "dataset": new_rows}

    # when Apply Transformation runs both ways (the label may be absent)
    pandas, dask = both.both("apply_transformation", {"absent_columns": ["label"]}, inputs)

    # then the transformed rows are the same
    assert_same_table(pandas["transformed_dataset"], dask["transformed_dataset"])


@pytest.mark.parametrize(
    "params",
    [
        {"data_type": "Integer", "column": {"start": "none", "rules": [{"op": "include", "names": ["k"]}]}},
        {
            "data_type": "String",
            "fields": "Label",
            "column": {"start": "none", "rules": [{"op": "include", "names": ["label"]}]},
        },
        {
            "categorical": "Categorical",
            "new_column_names": "hue",
            "column": {"start": "none", "rules": [{"op": "include", "names": ["colour"]}]},
        },
        {"data_type": "DateTime", "column": {"start": "none", "rules": [{"op": "include", "names": ["day"]}]}},
    ],
)
def test_edit_metadata_changes_types_roles_and_names_the_same(both: Both, params: dict[str, Any]) -> None:
    # given a table with a date column whose first value reads day first and whose later partitions start
    # with values that would read month first if each partition guessed its own format
    df = mixed()
    days = [f"{(i % 12) + 1:02d}/{(i % 9) + 1:02d}/2020" for i in range(len(df))]
    days[0] = "13/01/2020"
    df["day"] = pd.Series(days, dtype="str")
    digest = both.put(df, label_column="label")

    # when Edit Metadata runs both ways
    pandas, dask = both.both("edit_metadata", params, {"dataset": digest})

    # then the tables (types, names and roles) are the same
    assert_same_table(pandas["results_dataset"], dask["results_dataset"])


@pytest.mark.parametrize(
    "params",
    [
        {"partition_or_sample_mode": "Head", "number_of_rows_to_select": 23},
        {"partition_or_sample_mode": "Sampling", "rate_of_sampling": 0.4, "random_seed_for_sampling": 5},
        {
            "partition_or_sample_mode": "Sampling",
            "rate_of_sampling": 0.5,
            "stratified_split_for_sampling": True,
            "stratification_key_column": "colour",
        },
        {"partition_or_sample_mode": "Assign to Folds", "specify_how_many_folds_to_split_evenly_into": 3},
        {
            "partition_or_sample_mode": "Assign to Folds",
            "specify_the_partitioner_method": "Partition with customized proportions",
            "list_of_proportions_separated_by_comma": "0.2,0.3",
            "stratified_split_for_sampling": True,
            "stratification_key_column": "k",
        },
        {"partition_or_sample_mode": "Assign to Folds", "use_replacement_in_the_partitioning": True},
    ],
)
def test_partition_and_sample_keeps_the_same_rows(both: Both, params: dict[str, Any]) -> None:
    # given a table over several partitions
    digest = both.put(mixed(), label_column="label")

    # when Partition and Sample runs both ways
    pandas, dask = both.both("partition_and_sample", params, {"dataset": digest})

    # then the same rows (and folds) come out, in the same order
    assert_same_table(pandas["results_dataset"], dask["results_dataset"])


@pytest.mark.parametrize("complement", [False, True])
def test_pick_fold_picks_the_same_rows(both: Both, complement: bool) -> None:
    # given a table with folds assigned
    folds = both.run(
        "partition_and_sample",
        {"partition_or_sample_mode": "Assign to Folds", "specify_how_many_folds_to_split_evenly_into": 4},
        {"dataset": both.put(mixed(), label_column="label")},
        dask=False,
    )
    params = {
        "partition_or_sample_mode": "Pick Fold",
        "specify_which_fold_to_be_sampled_from": 2,
        "pick_complement_of_the_selected_fold": complement,
    }

    # when Pick Fold runs both ways, then the same rows come out
    pandas, dask = both.both("partition_and_sample", params, {"dataset": folds["results_dataset"].digest})
    assert_same_table(pandas["results_dataset"], dask["results_dataset"])


@pytest.mark.parametrize("join_type", ["Inner Join", "Left Outer Join", "Left Semi-Join", "Full Outer Join"])
@pytest.mark.parametrize("keep_right", [False, True])
def test_join_data_gives_the_same_rows_in_the_same_order(both: Both, join_type: str, keep_right: bool) -> None:
    # given a left table over several partitions and a small right table with repeated, unmatched and missing keys
    left = both.put(mixed(), label_column="label")
    right = both.put(
        pd.DataFrame(
            {
                "k": pd.array([2, 2, 4, 9, None, 1], dtype="Int64"),
                "name": pd.Series(["two", "deux", "four", "nine", "none", "one"], dtype="str"),
                "x": [0.5, 1.5, 2.5, 3.5, 4.5, 5.5],
            }
        )
    )
    keys = {"start": "none", "rules": [{"op": "include", "names": ["k"]}]}
    params = {
        "join_key_columns_for_left_dataset": keys,
        "join_key_columns_for_right_dataset": keys,
        "join_type": join_type,
        "keep_right_key_columns_in_joined_table": keep_right,
    }

    # when Join Data runs both ways
    pandas, dask = both.both("join_data", params, {"left_dataset": left, "right_dataset": right})

    # then the joined rows are the same, in the same order
    assert_same_table(pandas["results_dataset"], dask["results_dataset"])
    assert len(dask["results_dataset"].df) > 0
