"""Contract cases for the foundation modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.sdk import DataTable
from tests.support.zips import zip_of

from ._helpers import Case, _dataset, _dataset_with_gaps, _evaluation, _no_inputs, _scoring, _training

#: The file dataset the File Dataset case reads (dataset 1 is the shared table).
FILE_DATASET_ID = 2


def _uploaded_zip(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    run.ctx.files[FILE_DATASET_ID] = zip_of({"helpers.py": "ANSWER = 42\n", "data/table.csv": table.df.to_csv()})  # type: ignore[attr-defined]
    return {}


CASES: dict[str, Case] = {
    "dataset": Case(_no_inputs, {"dataset": {"dataset_id": 1}}),
    "file_dataset": Case(_uploaded_zip, {"dataset": {"dataset_id": FILE_DATASET_ID}}),
    "enter_data_manually": Case(_no_inputs, {"data": "name,score,passed\nann,1.5,true\nbob,?,false\n"}),
    "select_columns": Case(_dataset, {"columns": ["hours", "age"]}),
    "clean_missing_data": Case(_dataset_with_gaps, {"generate_missing_value_indicator_column": True}),
    "normalize_data": Case(_dataset, {"transformation_method": "MinMax"}),
    "split_data": Case(_dataset, {"stratified_split": True, "stratification_key_column": "income"}),
    "linear_regression": Case(_no_inputs, {}),
    "two_class_logistic_regression": Case(_no_inputs, {}),
    "two_class_boosted_decision_tree": Case(_no_inputs, {"number_of_trees_constructed": 5}),
    "train_model": Case(_training, {"label_column": "income"}),
    "score_model": Case(_scoring, {}),
    "evaluate_model": Case(_evaluation, {}),
}
