"""Contract cases for the foundation modules."""

from __future__ import annotations

from ._helpers import Case, _dataset, _dataset_with_gaps, _evaluation, _no_inputs, _scoring, _training

CASES: dict[str, Case] = {
    "dataset": Case(_no_inputs, {"dataset": {"dataset_id": 1}}),
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
