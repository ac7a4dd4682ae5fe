"""Bad inputs fail with a ModuleError (or a parameter ValidationError) that names what is at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from modules.library.data_transformation.clean_missing_data import CleanMissingData
from modules.library.data_transformation.normalize_data import NormalizeData
from modules.library.data_transformation.select_columns import SelectColumns
from modules.sdk import DataTable, LocalContext, ModuleError, TableSchema, default_registry, params_errors

Runner = Callable[..., dict[str, Any]]


def _train(run: Runner, table: DataTable, label: str = "income", learner: str = "two_class_logistic_regression") -> Any:
    untrained = run(learner, {}, l1_regularization_weight=0.0) if "logistic" in learner else run(learner, {})
    return run("train_model", {"untrained_model": untrained["untrained_model"], "dataset": table}, label_column=label)


# -- Train Model ----------------------------------------------------------------------------------------


def test_train_without_the_label_column_names_it(run: Runner, table: DataTable, ctx: LocalContext) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, table, label="salary")

    assert (err.value.param, err.value.column) == ("label_column", "salary")
    assert "'salary' is not in the dataset" in err.value.message
    assert (1.0, "trained") not in ctx.progress_updates


def test_train_with_missing_labels_names_the_label(run: Runner, table: DataTable) -> None:
    df = table.df.copy()
    df.loc[[0, 3], "income"] = np.nan

    with pytest.raises(ModuleError) as err:
        _train(run, DataTable(df))

    assert (err.value.param, err.value.column) == ("label_column", "income")
    assert "has 2 missing values" in err.value.message


def test_two_class_learner_counts_the_classes(run: Runner, table: DataTable) -> None:
    df = table.df.assign(grade=pd.Series(np.resize(["a", "b", "c"], len(table.df)), dtype="str"))

    with pytest.raises(ModuleError) as err:
        _train(run, DataTable(df), label="grade")

    assert err.value.message == "label column 'grade' has 3 classes; a two-class learner needs exactly 2"


def test_regression_with_a_text_label_is_refused(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, table, label="income", learner="linear_regression")

    assert (err.value.param, err.value.column) == ("label_column", "income")
    assert "needs a numeric label" in err.value.message


def test_missing_numbers_are_refused_by_logistic_regression_naming_the_column(
    run: Runner, table: DataTable, ctx: LocalContext
) -> None:
    df = table.df.copy()
    df.loc[5, "hours"] = np.nan

    with pytest.raises(ModuleError) as err:
        _train(run, DataTable(df))

    assert err.value.column == "hours"
    assert "Clean Missing Data" in err.value.message
    assert not any(fraction == 1.0 for fraction, _ in ctx.progress_updates)


def test_missing_numbers_are_accepted_by_the_boosted_tree(run: Runner, table: DataTable) -> None:
    df = table.df.copy()
    df.loc[5, "hours"] = np.nan

    out = _train(run, DataTable(df), learner="two_class_boosted_decision_tree")

    assert out["trained_model"].feature_columns == ["age", "hours", "workclass", "married"]


def test_a_table_with_only_the_label_has_no_features(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, DataTable(table.df[["income"]]))

    assert (err.value.port, err.value.column) == ("dataset", "income")
    assert "no feature columns" in err.value.message


def test_an_empty_training_table_is_refused(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, DataTable(table.df.iloc[:0]))

    assert err.value.port == "dataset"
    assert "no rows" in err.value.message


# -- Score Model ----------------------------------------------------------------------------------------


def test_scoring_a_table_without_a_feature_names_the_column(run: Runner, table: DataTable) -> None:
    model = _train(run, table)["trained_model"]

    with pytest.raises(ModuleError) as err:
        run("score_model", {"trained_model": model, "dataset": DataTable(table.df.drop(columns="hours"))})

    assert (err.value.port, err.value.column) == ("dataset", "hours")
    assert "'hours'" in err.value.message


def test_scoring_text_in_a_numeric_feature_names_the_column_and_value(run: Runner, table: DataTable) -> None:
    model = _train(run, table)["trained_model"]
    df = table.df.assign(hours=pd.Series(["forty"] * len(table.df), dtype="str"))

    with pytest.raises(ModuleError) as err:
        run("score_model", {"trained_model": model, "dataset": DataTable(df)})

    assert err.value.column == "hours"
    assert "'forty'" in err.value.message


def test_scoring_missing_numbers_with_logistic_regression_names_the_column(run: Runner, table: DataTable) -> None:
    model = _train(run, table)["trained_model"]
    df = table.df.copy()
    df.loc[2, "age"] = pd.NA

    with pytest.raises(ModuleError) as err:
        run("score_model", {"trained_model": model, "dataset": DataTable(df)})

    assert err.value.column == "age"


# -- Normalize Data -------------------------------------------------------------------------------------


def test_normalizing_a_text_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("normalize_data", {"dataset": table}, columns=["hours", "workclass"])

    assert (err.value.param, err.value.column) == ("columns", "workclass")
    assert "not numeric" in err.value.message


def test_lognormal_needs_positive_values(run: Runner) -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "delta": [0.5, -1.0, 2.0]})

    with pytest.raises(ModuleError) as err:
        run("normalize_data", {"dataset": DataTable(df)}, transformation_method="LogNormal")

    assert err.value.column == "delta"


def test_normalizing_a_table_without_numbers_selects_nothing(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("normalize_data", {"dataset": DataTable(table.df[["workclass", "income"]])})

    assert err.value.param == "columns"


def test_applying_a_normalization_to_a_table_without_its_column_names_it(run: Runner, table: DataTable) -> None:
    spec = run("normalize_data", {"dataset": table})["transformation"].spec

    with pytest.raises(ModuleError) as err:
        NormalizeData.apply_transform(spec, DataTable(table.df.drop(columns="age")))

    assert err.value.column == "age"


# -- Clean Missing Data ---------------------------------------------------------------------------------


def test_mean_of_a_text_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("clean_missing_data", {"dataset": table}, cleaning_mode="Replace with mean")

    assert (err.value.param, err.value.column) == ("cleaning_mode", "workclass")
    assert "not numeric" in err.value.message


def test_a_replacement_value_that_does_not_fit_names_the_column(run: Runner, table: DataTable) -> None:
    df = table.df.copy()
    df.loc[0, "age"] = pd.NA

    with pytest.raises(ModuleError) as err:
        run("clean_missing_data", {"dataset": DataTable(df)}, columns=["age"], replacement_value="unknown")

    assert (err.value.param, err.value.column) == ("replacement_value", "age")
    assert "'unknown'" in err.value.message


def test_minimum_ratio_above_maximum_is_a_parameter_error_naming_both() -> None:
    errors = params_errors(CleanMissingData, {"minimum_missing_value_ratio": 0.6, "maximum_missing_value_ratio": 0.4})

    assert len(errors) == 1
    assert "minimum_missing_value_ratio (0.6)" in errors[0]["message"]
    assert "maximum_missing_value_ratio (0.4)" in errors[0]["message"]


def test_cleaning_an_empty_table_is_refused(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("clean_missing_data", {"dataset": DataTable(table.df.iloc[:0])})

    assert err.value.port == "dataset"


def test_applying_a_cleaning_to_a_table_without_its_column_names_it(run: Runner, table: DataTable) -> None:
    spec = run("clean_missing_data", {"dataset": table})["cleaning_transformation"].spec

    with pytest.raises(ModuleError) as err:
        CleanMissingData.apply_transform(spec, DataTable(table.df.drop(columns="workclass")))

    assert err.value.column == "workclass"


# -- Select Columns, Split Data ---------------------------------------------------------------------------


def test_selecting_an_unknown_column_names_it_at_run_and_at_validation(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as at_run:
        run("select_columns", {"dataset": table}, columns=["age", "salary"])
    with pytest.raises(ModuleError) as at_validation:
        SelectColumns().infer_schemas({"dataset": table.schema}, SelectColumns.Params(columns=["salary"]))

    for err in (at_run, at_validation):
        assert (err.value.param, err.value.column) == ("columns", "salary")
        assert "'salary' is not in the input" in err.value.message


def test_a_selection_that_selects_nothing_is_refused(run: Runner, table: DataTable) -> None:
    everything_excluded = {"start": "all", "rules": [{"op": "exclude", "types": ["all"]}]}

    with pytest.raises(ModuleError) as err:
        run("select_columns", {"dataset": table}, columns=everything_excluded)

    assert err.value.param == "columns"


def test_stratified_split_without_a_key_column_names_the_parameter(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("split_data", {"dataset": table}, stratified_split=True)

    assert err.value.param == "stratification_key_column"


def test_stratified_split_on_an_unknown_column_names_it(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("split_data", {"dataset": table}, stratified_split=True, stratification_key_column="salary")

    assert (err.value.param, err.value.column) == ("stratification_key_column", "salary")


@pytest.mark.parametrize(
    ("module_id", "params", "param"),
    [
        ("split_data", {"fraction_of_rows_in_first_output_dataset": 1.5}, "fraction_of_rows_in_first_output_dataset"),
        ("split_data", {"random_seed": -1}, "random_seed"),
        ("two_class_boosted_decision_tree", {"learning_rate": 0}, "learning_rate"),
        ("two_class_logistic_regression", {"l2_regularization_weight": -1}, "l2_regularization_weight"),
        ("linear_regression", {"solution_method": "Gauss"}, "solution_method"),
        ("clean_missing_data", {"maximum_missing_value_ratio": 2}, "maximum_missing_value_ratio"),
        ("normalize_data", {"unknown_knob": 1}, "unknown_knob"),
    ],
)
def test_out_of_range_parameters_are_refused_naming_the_parameter(
    module_id: str, params: dict[str, Any], param: str
) -> None:
    cls = default_registry().get(module_id)

    with pytest.raises(ValidationError) as err:
        cls.parse_params(params)

    assert [e["loc"] for e in err.value.errors()] == [(param,)]
    assert [e["param"] for e in params_errors(cls, params)] == [param]


# -- Evaluate Model, Enter Data Manually ----------------------------------------------------------------


def test_evaluating_a_table_that_was_not_scored_names_the_port(run: Runner, table: DataTable) -> None:
    with pytest.raises(ModuleError) as err:
        run("evaluate_model", {"scored_dataset": table})

    assert (err.value.port, err.value.column) == ("scored_dataset", "Scored Labels")
    assert "Score Model" in err.value.message


def test_evaluating_scores_without_the_label_names_the_port(run: Runner, table: DataTable) -> None:
    model = _train(run, table)["trained_model"]
    scored = run(
        "score_model",
        {"trained_model": model, "dataset": DataTable(table.df.drop(columns="income"))},
    )["scored_dataset"]

    with pytest.raises(ModuleError) as err:
        run("evaluate_model", {"scored_dataset": scored})

    assert err.value.port == "scored_dataset"
    assert "no label column" in err.value.message


def test_comparing_a_regression_with_a_classification_is_refused(run: Runner, table: DataTable) -> None:
    binary = run("score_model", {"trained_model": _train(run, table)["trained_model"], "dataset": table})
    numeric = run(
        "score_model",
        {
            "trained_model": _train(run, table, label="hours", learner="linear_regression")["trained_model"],
            "dataset": table,
        },
    )

    with pytest.raises(ModuleError) as err:
        run(
            "evaluate_model",
            {"scored_dataset": binary["scored_dataset"], "scored_dataset_to_compare": numeric["scored_dataset"]},
        )

    assert err.value.port == "scored_dataset_to_compare"


def test_a_ragged_row_in_entered_data_names_the_line(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run("enter_data_manually", data="a,b\n1,2\n3,4,5\n")

    assert err.value.param == "data"
    assert err.value.message.startswith("line 3 has 3 fields but the header has 2")


def test_blank_entered_data_is_empty(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run("enter_data_manually", data="  \n ")

    assert (err.value.param, err.value.message) == ("data", "the file is empty")


def test_entered_data_is_required() -> None:
    cls = default_registry().get("enter_data_manually")

    assert [e["param"] for e in params_errors(cls, {})] == ["data"]
    assert [e["param"] for e in params_errors(cls, {"data": ""})] == ["data"]


def test_entered_data_schema_errors_surface_at_validation() -> None:
    cls = default_registry().get("enter_data_manually")

    with pytest.raises(ModuleError) as err:
        cls().infer_schemas({}, cls.parse_params({"data": "a,a\n1,2\n"}))

    assert (err.value.param, err.value.column) == ("data", "a")


def test_clean_missing_schema_is_unknown_only_when_it_depends_on_the_data(table: DataTable) -> None:
    schema: TableSchema = table.schema
    module = CleanMissingData()

    by_column = module.infer_schemas(
        {"dataset": schema}, CleanMissingData.Params.model_validate({"cleaning_mode": "Remove entire column"})
    )
    by_ratio = module.infer_schemas(
        {"dataset": schema},
        CleanMissingData.Params.model_validate(
            {"minimum_missing_value_ratio": 0.1, "generate_missing_value_indicator_column": True}
        ),
    )
    by_rows = module.infer_schemas(
        {"dataset": schema}, CleanMissingData.Params.model_validate({"cleaning_mode": "Remove entire row"})
    )

    assert by_column == {"cleaned_dataset": None}
    assert by_ratio == {"cleaned_dataset": None}
    assert by_rows == {"cleaned_dataset": schema}
