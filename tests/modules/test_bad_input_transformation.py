"""Bad inputs to the Data Transformation modules fail with a ModuleError (or a parameter ValidationError)
that names the column, parameter or port at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from modules.sdk import DataTable, ModuleError, default_registry, params_errors

Runner = Callable[..., dict[str, Any]]


# -- missing columns -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module_id", "port", "params", "param"),
    [
        ("apply_math_operation", "dataset", {"column_set": ["salary"]}, "column_set"),
        ("clip_values", "dataset", {"list_of_columns": ["salary"]}, "list_of_columns"),
        (
            "convert_to_indicator_values",
            "dataset",
            {"categorical_columns_to_convert": ["salary"]},
            "categorical_columns_to_convert",
        ),
        ("edit_metadata", "dataset", {"column": ["salary"]}, "column"),
        ("group_data_into_bins", "dataset", {"columns_to_bin": ["salary"]}, "columns_to_bin"),
        (
            "remove_duplicate_rows",
            "dataset",
            {"key_column_selection_filter_expression": ["salary"]},
            "key_column_selection_filter_expression",
        ),
        ("smote", "samples", {"label_column": "salary"}, "label_column"),
        (
            "partition_and_sample",
            "dataset",
            {"stratified_split_for_sampling": True, "stratification_key_column": "salary"},
            "stratification_key_column",
        ),
        (
            "split_data",
            "dataset",
            {"splitting_mode": "Regular Expression Split", "regular_expression": '\\"salary" x'},
            "regular_expression",
        ),
    ],
)
def test_an_unknown_column_is_named_with_its_parameter(
    run: Runner, table: DataTable, module_id: str, port: str, params: dict[str, Any], param: str
) -> None:
    with pytest.raises(ModuleError) as err:
        run(module_id, {port: table}, **params)

    assert (err.value.param, err.value.column) == (param, "salary")


def test_join_with_an_unknown_right_key_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "join_data",
            {"left_dataset": table, "right_dataset": table},
            join_key_columns_for_left_dataset=["age"],
            join_key_columns_for_right_dataset=["years"],
        )

    assert (err.value.param, err.value.column) == ("join_key_columns_for_right_dataset", "years")


def test_add_rows_with_a_column_missing_on_one_side_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("add_rows", {"dataset1": table, "dataset2": DataTable(table.df.drop(columns="hours"))})

    assert (err.value.port, err.value.column) == ("dataset2", "hours")
    assert err.value.message == "column 'hours' of Dataset1 is not in Dataset2"


def test_select_columns_transform_on_data_without_a_captured_column_names_it(run: Runner, table: DataTable) -> None:
    from modules.library.scoring.apply_transformation import apply

    captured = run("select_columns_transform", {"dataset_with_desired_columns": table})

    with pytest.raises(ModuleError) as err:
        apply(captured["columns_selection_transformation"], DataTable(table.df.drop(columns="married")))

    assert err.value.column == "married"


def test_sql_naming_an_unknown_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("apply_sql_transformation", {"t1": table}, sql_query_script="select salary from t1")

    assert (err.value.param, err.value.column) == ("sql_query_script", "salary")


def test_sql_reading_an_unconnected_table_names_the_port(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("apply_sql_transformation", {"t1": table}, sql_query_script="select * from t2")

    assert err.value.port == "t2"
    assert err.value.message == "the SQL query reads table t2, but input t2 is not connected"


# -- statements that are not queries --------------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "drop table t1",
        "delete from t1",
        "create table t4 (a int)",
        "insert into t1 (age) values (1)",
        "attach database ':memory:' as other",
        "pragma table_info(t1)",
    ],
)
def test_sql_refuses_statements_that_are_not_queries(run: Runner, table: DataTable, script: str) -> None:
    with pytest.raises(ModuleError) as err:
        run("apply_sql_transformation", {"t1": table}, sql_query_script=script)

    assert err.value.param == "sql_query_script"
    assert "may only read the tables" in err.value.message
    assert script.split()[0].upper() in err.value.message


def test_sql_refuses_two_statements_and_leaves_the_input_alone(run: Runner, table: DataTable) -> None:
    before = table.df.copy()

    with pytest.raises(ModuleError) as err:
        run("apply_sql_transformation", {"t1": table}, sql_query_script="select 1; delete from t1")

    assert err.value.param == "sql_query_script"
    assert "more than one statement" in err.value.message
    pd.testing.assert_frame_equal(table.df, before)


# -- text where numbers are needed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module_id", "params", "param"),
    [
        ("apply_math_operation", {"column_set": ["age", "workclass"]}, "column_set"),
        ("clip_values", {"list_of_columns": ["workclass"]}, "list_of_columns"),
        ("group_data_into_bins", {"columns_to_bin": ["workclass"]}, "columns_to_bin"),
    ],
)
def test_a_text_column_where_numbers_are_needed_is_named(
    run: Runner, table: DataTable, module_id: str, params: dict[str, Any], param: str
) -> None:
    with pytest.raises(ModuleError) as err:
        run(module_id, {"dataset": table}, **params)

    assert (err.value.param, err.value.column) == (param, "workclass")
    assert "not numeric" in err.value.message


def test_a_text_second_argument_column_is_named(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "apply_math_operation",
            {"dataset": table},
            category="Operations",
            second_argument_type="Column",
            second_column="income",
        )

    assert (err.value.param, err.value.column) == ("second_column", "income")


def test_edit_metadata_to_integer_names_the_value_that_does_not_convert(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("edit_metadata", {"dataset": table}, column=["hours"], data_type="Integer")

    assert (err.value.param, err.value.column) == ("data_type", "hours")
    assert "which is not a whole number" in err.value.message


def test_indicator_values_of_a_decimal_column_ask_for_the_categorical_flag(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("convert_to_indicator_values", {"dataset": table}, categorical_columns_to_convert=["hours"])

    assert (err.value.param, err.value.column) == ("categorical_columns_to_convert", "hours")
    assert "Edit Metadata" in err.value.message


def test_relative_expression_comparing_numbers_with_text_names_the_column(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "split_data",
            {"dataset": table},
            splitting_mode="Relative Expression Split",
            relational_expression='\\"age" > "old"',
        )

    assert (err.value.param, err.value.column) == ("relational_expression", "age")


def test_join_keys_of_different_kinds_are_named(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "join_data",
            {"left_dataset": table, "right_dataset": table},
            join_key_columns_for_left_dataset=["age"],
            join_key_columns_for_right_dataset=["income"],
        )

    assert (err.value.param, err.value.column) == ("join_key_columns_for_right_dataset", "income")


def test_smote_with_missing_feature_values_names_the_column(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("smote", {"samples": table}, label_column="income")

    assert (err.value.port, err.value.column) == ("samples", "workclass")
    assert "Clean Missing Data" in err.value.message


# -- empty tables ------------------------------------------------------------------------------------------


def test_smote_on_an_empty_table_names_the_port(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("smote", {"samples": DataTable(table.df.iloc[:0])}, label_column="income")

    assert err.value.port == "samples"
    assert err.value.message == "the input table on port 'samples' has no rows"


def test_binning_an_empty_table_names_the_column(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("group_data_into_bins", {"dataset": DataTable(table.df.iloc[:0])}, columns_to_bin=["hours"])

    assert (err.value.param, err.value.column) == ("columns_to_bin", "hours")
    assert err.value.message == "column 'hours' has no values to bin"


def test_convert_to_csv_of_a_table_without_columns_names_the_port(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run("convert_to_csv", {"dataset": DataTable(pd.DataFrame())})

    assert err.value.port == "dataset"


def test_empty_tables_pass_through_the_row_modules_unchanged(run: Runner, table: DataTable) -> None:
    empty = DataTable(table.df.iloc[:0])

    deduplicated = run("remove_duplicate_rows", {"dataset": empty})["results_dataset"]
    sampled = run("partition_and_sample", {"dataset": empty})["results_dataset"]
    csv = run("convert_to_csv", {"dataset": empty})["results_dataset"]

    assert (len(deduplicated.df), len(sampled.df)) == (0, 0)
    assert list(csv.df.columns) == list(table.df.columns)


# -- parameters out of range ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module_id", "params", "param"),
    [
        ("clip_values", {"percentile_number_for_upper_threshold": 120}, "percentile_number_for_upper_threshold"),
        ("group_data_into_bins", {"number_of_bins": 0}, "number_of_bins"),
        ("group_data_into_bins", {"comma_separated_list_of_bin_edges": "5,1"}, "comma_separated_list_of_bin_edges"),
        ("partition_and_sample", {"rate_of_sampling": 1.5}, "rate_of_sampling"),
        (
            "partition_and_sample",
            {"list_of_proportions_separated_by_comma": ".7,.7"},
            "list_of_proportions_separated_by_comma",
        ),
        ("smote", {"label_column": "income", "smote_percentage": -100}, "smote_percentage"),
        ("smote", {"label_column": "income", "number_of_nearest_neighbors": 0}, "number_of_nearest_neighbors"),
        ("apply_math_operation", {"precision": 40}, "precision"),
        ("apply_sql_transformation", {"sql_query_script": " ; "}, "sql_query_script"),
        ("split_data", {"splitting_mode": "Random"}, "splitting_mode"),
    ],
)
def test_out_of_range_parameters_are_refused_naming_the_parameter(
    module_id: str, params: dict[str, Any], param: str
) -> None:
    cls = default_registry().get(module_id)

    errors = params_errors(cls, params)

    assert [e["param"] for e in errors] == [param]


def test_clip_thresholds_in_the_wrong_order_are_refused() -> None:
    cls = default_registry().get("clip_values")

    errors = params_errors(
        cls,
        {
            "set_of_thresholds": "ClipPeaksAndSubpeaks",
            "constant_value_for_lower_threshold": 10,
            "constant_value_for_upper_threshold": 5,
        },
    )

    assert len(errors) == 1
    assert (
        "constant_value_for_lower_threshold (10.0) is greater than constant_value_for_upper_threshold"
        in (errors[0]["message"])
    )


def test_smote_neighbours_not_fewer_than_the_minority_rows_names_the_parameter(run: Runner) -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "y": pd.Series(list("aaaabb"), dtype="str")})

    with pytest.raises(ModuleError) as err:
        run("smote", {"samples": DataTable(df)}, label_column="y", number_of_nearest_neighbors=2)

    assert err.value.param == "number_of_nearest_neighbors"
    assert "has 2 rows" in err.value.message


def test_pick_fold_beyond_the_folds_names_the_parameter(run: Runner, table: DataTable) -> None:
    folded = run(
        "partition_and_sample",
        {"dataset": table},
        partition_or_sample_mode="Assign to Folds",
        specify_how_many_folds_to_split_evenly_into=3,
    )["results_dataset"]

    with pytest.raises(ModuleError) as err:
        run(
            "partition_and_sample",
            {"dataset": folded},
            partition_or_sample_mode="Pick Fold",
            specify_which_fold_to_be_sampled_from=4,
        )

    assert err.value.param == "specify_which_fold_to_be_sampled_from"
    assert err.value.message == "fold 4 does not exist; the table has folds 1 to 3"


def test_edit_metadata_with_too_few_new_names_names_the_parameter(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("edit_metadata", {"dataset": table}, column=["age", "hours"], new_column_names="years")

    assert err.value.param == "new_column_names"
    assert err.value.message == "1 new column names for 2 selected columns (age, hours)"


def test_label_on_two_columns_names_the_fields_parameter(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("edit_metadata", {"dataset": table}, column=["age", "hours"], fields="Label")

    assert err.value.param == "fields"


def test_convert_to_dataset_with_both_inputs_names_the_port(run: Runner, table: DataTable) -> None:
    csv = run("convert_to_csv", {"dataset": table})["results_dataset"]

    with pytest.raises(ModuleError) as err:
        run("convert_to_dataset", {"dataset": table, "csv_file": csv})

    assert err.value.port == "dataset"
    assert err.value.message == "connect either Dataset or CSV file (both are connected)"
