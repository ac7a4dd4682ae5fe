"""Contract cases for the Data Transformation modules beyond the foundation ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from modules.sdk import DataTable

from ._helpers import Case, _dataset

Run = Callable[..., dict[str, Any]]


def _left_and_shorter_right(table: DataTable, run: Run) -> dict[str, Any]:
    return {"left_dataset": table, "right_dataset": DataTable(table.df[["age", "income"]].head(40))}


def _two_tables(table: DataTable, run: Run) -> dict[str, Any]:
    return {"dataset1": table, "dataset2": DataTable(table.df.head(10))}


def _sql_tables(table: DataTable, run: Run) -> dict[str, Any]:
    codes = pd.DataFrame({"workclass": pd.Series(["Private", "Gov"], dtype="str"), "code": [1, 2]})
    return {"t1": table, "t2": DataTable(codes)}


def _csv_file(table: DataTable, run: Run) -> dict[str, Any]:
    return {"csv_file": run("convert_to_csv", {"dataset": table})["results_dataset"]}


def _workclass_codes(table: DataTable, run: Run) -> dict[str, Any]:
    codes = pd.DataFrame(
        {
            "workclass": pd.Series(["Private", "Gov", "Unemployed"], dtype="str"),
            "code": pd.array([1, 2, 3], dtype="Int64"),
        }
    )
    return {"left_dataset": table, "right_dataset": DataTable(codes)}


def _without_gaps(table: DataTable, run: Run) -> dict[str, Any]:
    return {"samples": DataTable(table.df.drop(columns="workclass"))}


def _desired_columns(table: DataTable, run: Run) -> dict[str, Any]:
    return {"dataset_with_desired_columns": DataTable(table.df[["hours", "age"]])}


CASES: dict[str, Case] = {
    "add_columns": Case(_left_and_shorter_right, {}),
    "add_rows": Case(_two_tables, {}),
    "apply_math_operation": Case(
        _dataset, {"category": "Operations", "arithmetic_operation": "Add", "constant_operand": 10}
    ),
    "apply_sql_transformation": Case(
        _sql_tables,
        {"sql_query_script": "select t1.age, t1.married, t2.code from t1 left join t2 on t1.workclass = t2.workclass;"},
    ),
    "clip_values": Case(
        _dataset,
        {
            "set_of_thresholds": "ClipPeaksAndSubpeaks",
            "threshold": "Percentile",
            "percentile_number_for_upper_threshold": 90,
            "percentile_number_for_lower_threshold": 10,
            "overwrite_flag": False,
            "add_indicator_columns": True,
        },
    ),
    "convert_to_csv": Case(_dataset, {}),
    "convert_to_dataset": Case(_csv_file, {"action": "ReplaceValues", "replace": "Missing", "new_value": "Unknown"}),
    "convert_to_indicator_values": Case(_dataset, {}),
    "edit_metadata": Case(
        _dataset, {"column": ["income"], "fields": "Label", "categorical": "Categorical", "new_column_names": "salary"}
    ),
    "group_data_into_bins": Case(_dataset, {"number_of_bins": 4, "quantile_normalization": "Percent"}),
    "join_data": Case(
        _workclass_codes,
        {
            "join_key_columns_for_left_dataset": ["workclass"],
            "join_key_columns_for_right_dataset": ["workclass"],
            "join_type": "Full Outer Join",
        },
    ),
    "partition_and_sample": Case(
        _dataset,
        {
            "partition_or_sample_mode": "Assign to Folds",
            "stratified_split_for_sampling": True,
            "stratification_key_column": "income",
            "specify_how_many_folds_to_split_evenly_into": 3,
        },
    ),
    "remove_duplicate_rows": Case(_dataset, {"key_column_selection_filter_expression": ["workclass", "income"]}),
    "smote": Case(_without_gaps, {"label_column": "income", "number_of_nearest_neighbors": 3, "smote_percentage": 150}),
    "select_columns_transform": Case(_desired_columns, {}),
}
