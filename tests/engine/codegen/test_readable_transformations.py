"""The readable data-transformation emitters against the modules they stand for: same tables, exactly.

Each case runs the module through the library (``cls().run``) and the emitted code (imports, helpers,
code) in a fresh namespace, on the same input, and compares every table output with
``assert_frame_equal``. Inputs are passed through the Parquet round trip a designer run gives every
table between nodes, and the module's outputs get the fresh 0..n-1 index a run gives them
(designer/engine/row_trace.py), which the readable code writes itself.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.datasets.samples import breast_cancer, iris, movie_reviews, palmer_penguins
from designer.engine.codegen.node_code import NodeCode, NodeSpec
from designer.engine.codegen.readable import emitters
from designer.engine.codegen.readable.python_script import EMITTERS as SCRIPT_EMITTERS
from designer.engine.codegen.readable.text import EMITTERS as TEXT_EMITTERS
from designer.engine.codegen.readable.transformations import EMITTERS as TRANSFORMATION_EMITTERS
from designer.engine.codegen.specs import node_spec
from modules.sdk import DataTable, LocalContext, default_registry
from modules.sdk.ports import Table

OURS = {**TRANSFORMATION_EMITTERS, **SCRIPT_EMITTERS, **TEXT_EMITTERS}


def stored(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as the next node of a designer run reads it: through Parquet."""
    return Table.deserialize(Table.serialize(DataTable(df))).df


def mixed() -> pd.DataFrame:
    """Every column type, with missing values in each: integers, decimals, text, categories, true/false."""
    rng = np.random.default_rng(3)
    n = 40
    age = pd.array(rng.integers(18, 80, n), dtype="Int64")
    age[[2, 11, 25]] = pd.NA
    income = rng.normal(50_000, 12_000, n).round(2)
    income[[0, 7]] = np.nan
    city = np.array(rng.choice(["Oslo", "Rome", "Lima", "Pune"], n), dtype=object)
    city[[3, 19]] = None
    married = pd.array(rng.random(n) > 0.5, dtype="boolean")
    married[5] = pd.NA
    return stored(
        pd.DataFrame(
            {
                "id": np.arange(n, dtype="int64"),
                "age": age,
                "income": income,
                "city": pd.Series(city, dtype="str"),
                "grade": pd.Categorical(rng.choice(["low", "mid", "high"], n)),
                "married": married,
                "score": rng.integers(0, 5, n).astype("float64"),
                "flat": np.full(n, 7.0),
                "label": pd.Series(rng.choice(["yes", "no"], n), dtype="str"),
            }
        )
    )


def dataset_spec() -> NodeSpec:
    return node_spec("data", "dataset", {"dataset": {"dataset_id": 1}})


def spec_for(module_id: str, params: dict[str, Any], inputs: dict[str, str] | None = None) -> NodeSpec:
    """A node fed by a registered dataset on every input (so its column roles are known: none)."""
    inputs = inputs or {"dataset": "df"}
    return node_spec(
        "node",
        module_id,
        params,
        inputs=inputs,
        sources=dict.fromkeys(inputs, dataset_spec()),
        source_ports=dict.fromkeys(inputs, "dataset"),
    )


def run_module(
    module_id: str, params: dict[str, Any], frames: dict[str, pd.DataFrame], metas: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    cls = default_registry().get(module_id)
    inputs = {port: DataTable(df.copy(), dict(metas.get(port, {}))) for port, df in frames.items()}
    return cls().run(inputs, cls.parse_params(params), LocalContext())


def run_code(code: NodeCode, frames: dict[str, pd.DataFrame]) -> dict[str, Any]:
    source = "\n".join(code.imports) + "\n\n\n" + "\n\n".join(code.helpers) + "\n\n" + code.code + "\n"
    namespace: dict[str, Any] = {name: df for name, df in frames.items()}
    exec(compile(source, "<readable>", "exec"), namespace)
    return namespace


def check(
    module_id: str,
    params: dict[str, Any],
    frames: dict[str, pd.DataFrame],
    *,
    metas: dict[str, dict[str, Any]] | None = None,
    spec: NodeSpec | None = None,
) -> dict[str, Any]:
    """Run the module and its readable code on ``frames`` (input port -> table, with ``metas`` as their
    roles); assert equal tables, and the roles the code states equal to the module's.

    ``spec``: the node as the generator would see it (its sources); by default, fed by registered datasets.
    Returns the script's namespace for further checks."""
    spec = spec or spec_for(module_id, params, {port: f"input_{port}" for port in frames})
    code = OURS[module_id](spec)
    assert code is not None, f"{module_id} {params} has no readable code"
    assert not re.search(r"^\s*(from|import)\s+(modules|designer)\b", "\n".join([*code.imports, code.code]), re.M)
    assert "modules." not in code.code + "".join(code.helpers) and "designer." not in code.code

    originals = {name: df.copy() for name, df in frames.items()}
    expected = run_module(module_id, params, frames, metas or {})
    namespace = run_code(code, {spec.inputs[port]: df for port, df in frames.items()})

    for port, variable in spec.outputs.items():
        value = expected[port]
        if isinstance(value, DataTable):
            pd.testing.assert_frame_equal(namespace[variable], value.df.reset_index(drop=True))
            assert (eval(code.meta[port]) if port in code.meta else {}) == value.meta
    for port, df in frames.items():  # the section never changes its input in place
        pd.testing.assert_frame_equal(df, originals[port])
    return namespace


# -- Split Data --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42},
        {"fraction_of_rows_in_first_output_dataset": 0.25, "random_seed": 0},
        {"fraction_of_rows_in_first_output_dataset": 0.5, "randomized_split": False},
        {"fraction_of_rows_in_first_output_dataset": 1.0, "random_seed": 7},
        {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42, "stratified_split": True,
         "stratification_key_column": "city"},
        {"fraction_of_rows_in_first_output_dataset": 0.3, "randomized_split": False, "stratified_split": True,
         "stratification_key_column": "grade"},
        {"splitting_mode": "Regular Expression Split", "regular_expression": '\\"city" ^[LR]'},
        {"splitting_mode": "Regular Expression Split", "regular_expression": "(\\3) o"},
    ],
)  # fmt: skip
def test_split_data_matches_the_module(params: dict[str, Any]) -> None:
    check("split_data", params, {"dataset": mixed()})


def test_stratified_split_on_the_penguins_as_the_samples_use_it() -> None:
    params = {
        "fraction_of_rows_in_first_output_dataset": 0.7,
        "random_seed": 42,
        "stratified_split": True,
        "stratification_key_column": "species",
    }
    namespace = check("split_data", params, {"dataset": stored(palmer_penguins())})
    assert len(namespace["node_results_dataset1"]) == 241  # 0.7 x 152, 68 and 124 rounded half up


def test_relative_expression_split_has_no_readable_code() -> None:
    spec = spec_for(
        "split_data", {"splitting_mode": "Relative Expression Split", "relational_expression": '\\"age" > 3'}
    )
    assert TRANSFORMATION_EMITTERS["split_data"](spec) is None


# -- Select Columns ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "columns",
    [
        ["income", "id", "city"],
        {"start": "all", "rules": [{"op": "exclude", "names": ["city", "flat"]}]},
        {"start": "all"},
        {"start": "none", "rules": [{"op": "include", "types": ["numeric"]}]},
        {"start": "none", "rules": [{"op": "include", "types": ["categorical", "integer"]}]},
        {"start": "all", "rules": [{"op": "exclude", "types": ["string"]}, {"op": "include", "names": ["city"]}]},
        {"start": "none", "rules": [{"op": "include", "types": ["all"]}, {"op": "exclude", "names": ["id"]}]},
    ],
)
def test_select_columns_matches_the_module(columns: Any) -> None:
    check("select_columns", {"columns": columns}, {"dataset": mixed()})


def test_select_columns_lists_the_names_it_keeps() -> None:
    code = TRANSFORMATION_EMITTERS["select_columns"](spec_for("select_columns", {"columns": ["b", "a"]}))
    assert code is not None
    assert code.code == 'node_results_dataset = df[[name for name in df.columns if name in ["b", "a"]]].copy()'


# -- Clean Missing Data -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"cleaning_mode": "Remove entire row"},
        {"cleaning_mode": "Remove entire row", "columns": ["age", "income"]},
        {"cleaning_mode": "Remove entire row", "minimum_missing_value_ratio": 0.06},
        {"cleaning_mode": "Remove entire column"},
        {"cleaning_mode": "Remove entire column", "maximum_missing_value_ratio": 0.05},
        {"cleaning_mode": "Replace with mean", "columns": ["age", "income", "score"]},
        {"cleaning_mode": "Replace with median", "columns": {"start": "none", "rules": [{"types": ["numeric"]}]},
         "generate_missing_value_indicator_column": True},
        {"cleaning_mode": "Replace with mode"},
        {"cleaning_mode": "Replace with mode", "generate_missing_value_indicator_column": True,
         "maximum_missing_value_ratio": 0.06},
    ],
)  # fmt: skip
def test_clean_missing_data_matches_the_module(params: dict[str, Any]) -> None:
    check("clean_missing_data", params, {"dataset": mixed()})


def test_clean_missing_data_on_the_penguins_as_the_samples_use_it() -> None:
    namespace = check(
        "clean_missing_data", {"cleaning_mode": "Remove entire row"}, {"dataset": stored(palmer_penguins())}
    )
    assert len(namespace["node_cleaned_dataset"]) == 333
    assert namespace["node_cleaning_transformation"]["columns"][0] == "species"


def test_replace_with_mode_turns_a_nullable_decimal_column_into_float64_as_the_module() -> None:
    df = pd.DataFrame({"x": pd.array([1.5, None, 1.5, 2.0], dtype="Float64"), "y": ["a", None, "a", "b"]})
    check("clean_missing_data", {"cleaning_mode": "Replace with mode"}, {"dataset": df})


def test_custom_substitution_has_no_readable_code() -> None:
    spec = spec_for("clean_missing_data", {"cleaning_mode": "Custom substitution value"})
    assert TRANSFORMATION_EMITTERS["clean_missing_data"](spec) is None


# -- Normalize Data ------------------------------------------------------------------------------------

MEASURES = ["age", "income", "score", "flat"]


@pytest.mark.parametrize("method", ["ZScore", "MinMax", "Logistic", "Tanh", "LogNormal"])
@pytest.mark.parametrize("use_0", [True, False])
def test_normalize_data_matches_the_module(method: str, use_0: bool) -> None:
    df = mixed()
    if method == "LogNormal":
        df = df.assign(score=df["score"] + 1)  # LogNormal needs positive values
    params = {"transformation_method": method, "use_0_for_constant_columns": use_0, "columns": MEASURES}
    check("normalize_data", params, {"dataset": df})


def test_normalize_data_defaults_to_every_numeric_column() -> None:
    namespace = check("normalize_data", {}, {"dataset": mixed()})
    assert set(namespace["node_transformation"]["columns"]) == {"id", "age", "income", "score"}  # flat is constant


def test_normalize_data_with_an_empty_column() -> None:
    df = pd.DataFrame({"x": [1.0, 2.0, 4.0], "gone": [np.nan, np.nan, np.nan]})
    for method in ("ZScore", "MinMax", "LogNormal", "Tanh"):
        check("normalize_data", {"transformation_method": method}, {"dataset": df})


def test_normalize_data_on_the_penguins_as_the_clustering_sample_uses_it() -> None:
    measurements = {
        "start": "none",
        "rules": [{"op": "include", "names": ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]}],
    }
    df = stored(palmer_penguins().dropna().reset_index(drop=True))
    check("normalize_data", {"transformation_method": "ZScore", "columns": measurements}, {"dataset": df})


# -- Filter Based Feature Selection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"feature_scoring_method": "Chi Squared", "target_column": "label", "number_of_desired_features": 3},
        {"feature_scoring_method": "Mutual Information", "target_column": "city", "number_of_desired_features": 4},
        {"feature_scoring_method": "Count Based", "number_of_desired_features": 5},
        {"feature_scoring_method": "Count Based", "target_column": "id", "number_of_desired_features": 2},
    ],
)
def test_filter_based_feature_selection_matches_the_module(params: dict[str, Any]) -> None:
    check("filter_based_feature_selection", params, {"dataset": mixed()})


@pytest.mark.parametrize("method", ["Pearson Correlation", "Kendall Correlation", "Spearman Correlation"])
def test_correlation_feature_selection_matches_the_module(method: str) -> None:
    df = mixed()[["id", "age", "income", "married", "score", "flat"]]
    params = {"feature_scoring_method": method, "target_column": "score", "number_of_desired_features": 2}
    check("filter_based_feature_selection", params, {"dataset": df})


def test_chi_squared_on_breast_cancer_as_the_sample_uses_it() -> None:
    params = {"feature_scoring_method": "Chi Squared", "target_column": "diagnosis", "number_of_desired_features": 10}
    namespace = check("filter_based_feature_selection", params, {"dataset": stored(breast_cancer())})
    assert namespace["node_filtered_dataset"].shape == (569, 11)


def test_feature_selection_with_unknown_roles_has_no_readable_code() -> None:
    params = {"feature_scoring_method": "Chi Squared", "target_column": "label"}
    unfed = node_spec("node", "filter_based_feature_selection", params, inputs={"dataset": "df"})
    assert TRANSFORMATION_EMITTERS["filter_based_feature_selection"](unfed) is None
    scored = node_spec("score", "score_model", inputs={"dataset": "x", "trained_model": "m"})
    fed = node_spec(
        "node",
        "filter_based_feature_selection",
        params,
        inputs={"dataset": "df"},
        sources={"dataset": scored},
        source_ports={"dataset": "scored_dataset"},
    )
    assert TRANSFORMATION_EMITTERS["filter_based_feature_selection"](fed) is None
    everything = node_spec(
        "node",
        "filter_based_feature_selection",
        {**params, "operate_on_feature_columns_only": False},
        inputs={"dataset": "df"},
    )
    assert TRANSFORMATION_EMITTERS["filter_based_feature_selection"](everything) is not None


# -- the registry ------------------------------------------------------------------------------------------


def test_every_emitter_here_is_registered_and_has_an_exactness_case() -> None:
    assert all(emitters()[module_id] is emit for module_id, emit in OURS.items())
    source = Path(__file__).read_text(encoding="utf-8")
    tested = set(re.findall(r'check\(\s*"(\w+)"', source))
    assert set(OURS) <= tested, f"no exactness case for: {sorted(set(OURS) - tested)}"


# -- Execute Python Script ---------------------------------------------------------------------------------

RATIO_SCRIPT = '''\
import pandas as pd


def azureml_main(dataframe1=None, dataframe2=None):
    """Adds a feature: how elongated each petal is (length over width)."""
    df = dataframe1.copy()
    df["petal_ratio"] = df["petal_length_cm"] / df["petal_width_cm"]
    return (df,)
'''

GROUPED_SCRIPT = """\
import numpy as np

LIMIT = 3


def azureml_main(dataframe1=None, dataframe2=None):
    dataframe1["age"] = dataframe1["age"].fillna(0)  # changes the script's own copy only
    summary = dataframe1.groupby(["city", "grade"], observed=True)["income"].agg(["mean", "count"])
    wide = dataframe1[["id", "score"]].rename(columns={"id": 0, "score": 1}).head(LIMIT)
    return summary, wide
"""

TWO_INPUTS_SCRIPT = """\
import pandas as pd

def azureml_main(dataframe1, dataframe2):
    both = pd.concat([dataframe1, dataframe2], ignore_index=True)
    both["stamp"] = pd.Timestamp("2024-03-01") + pd.to_timedelta(both["id"], unit="D")
    return both
"""


def test_execute_python_script_matches_the_module_on_the_iris_sample_script() -> None:
    namespace = check("execute_python_script", {"python_script": RATIO_SCRIPT}, {"dataset1": stored(iris())})
    assert "petal_ratio" in namespace["node_result_dataset"].columns
    assert namespace["node_python_device_dataset"].shape == (0, 0)


def test_execute_python_script_keeps_a_named_index_and_makes_column_names_text() -> None:
    namespace = check("execute_python_script", {"python_script": GROUPED_SCRIPT}, {"dataset1": mixed()})
    assert list(namespace["node_result_dataset"].columns) == ["city", "grade", "mean", "count"]
    assert list(namespace["node_python_device_dataset"].columns) == ["0", "1"]


def test_execute_python_script_with_two_inputs_returning_a_bare_dataframe() -> None:
    df = mixed()
    check(
        "execute_python_script", {"python_script": TWO_INPUTS_SCRIPT}, {"dataset1": df.head(5), "dataset2": df.tail(3)}
    )


def test_execute_python_script_with_the_default_script_and_no_second_input() -> None:
    check("execute_python_script", {}, {"dataset1": mixed()})


LOGGING_SCRIPT = """
import tessera as logs


def azureml_main(dataframe1=None, dataframe2=None):
    for step, value in enumerate([0.5, 0.25, 0.125]):
        tessera.log_metric("loss", value, step=step)
    logs.log_metric("rows", len(dataframe1))
    tessera.log_table("head", dataframe1.head(2))
    return dataframe1
"""


def test_execute_python_script_that_logs_keeps_each_metrics_last_value_as_the_module_does() -> None:
    frames = {"dataset1": stored(iris())}
    namespace = check("execute_python_script", {"python_script": LOGGING_SCRIPT}, frames)
    expected = run_module("execute_python_script", {"python_script": LOGGING_SCRIPT}, frames, {})["logged_values"]
    assert namespace["node_logged_values"] == expected.values == {"loss": 0.125, "rows": 150.0}


def test_execute_python_script_without_readable_code() -> None:
    future = "from __future__ import annotations\n\ndef azureml_main(dataframe1=None, dataframe2=None):\n    return 1\n"
    for script in (future, "def main(df):\n    return df\n", "def azureml_main(:\n"):
        spec = spec_for("execute_python_script", {"python_script": script}, {"dataset1": "df"})
        assert SCRIPT_EMITTERS["execute_python_script"](spec) is None
    bundled = spec_for(
        "execute_python_script", {"python_script": RATIO_SCRIPT}, {"dataset1": "df", "script_bundle": "z"}
    )
    assert SCRIPT_EMITTERS["execute_python_script"](bundled) is None


# -- Preprocess Text and Extract N-Gram Features -----------------------------------------------------------


def texts_table() -> pd.DataFrame:
    """Sentences that exercise every cleaning step, plus a missing cell and an empty one."""
    rows = [
        "I can't believe it's 3.5 times better!!! See https://example.com or mail me@example.org.",
        "State-of-the-art movies aren't sooooo good; the mice were running. Really?",
        None,
        "",
        "He won't go. She'd have liked it: the C:\\temp\\film was 42 minutes long, and/or longer.",
        "Let's watch the cats' films again -- the films were great, the film is great.",
        "The FILM was great and the movie was good, but the ending wasn't.",
    ]
    return stored(pd.DataFrame({"id": range(len(rows)), "text": pd.Series(rows, dtype="str")}))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"remove_stop_words": False, "use_lemmatization": False, "detect_sentences": False},
        {"normalize_case_to_lowercase": False, "remove_numbers": False, "remove_special_characters": False},
        {"remove_duplicate_characters": False, "remove_email_addresses": False, "remove_urls": False,
         "expand_verb_contractions": False, "normalize_backslashes_to_slashes": False,
         "split_tokens_on_special_characters": False},
        {"custom_regular_expression": r"(\d+) minutes", "custom_replacement_string": r"\1 min"},
    ],
)  # fmt: skip
def test_preprocess_text_matches_the_module(options: dict[str, Any]) -> None:
    check("preprocess_text", {"text_column": "text", **options}, {"dataset": texts_table()})


def test_preprocess_text_names_its_column_apart_from_an_existing_one() -> None:
    df = texts_table().assign(**{"Preprocessed text": "taken"})
    namespace = check("preprocess_text", {"text_column": "text"}, {"dataset": df})
    assert namespace["node_results_dataset"].columns[-1] == "Preprocessed text_1"


@pytest.mark.parametrize(
    "options",
    [
        {"minimum_n_gram_document_absolute_frequency": 2},
        {"minimum_n_gram_document_absolute_frequency": 1, "n_grams_size": 2, "weighting_function": "TF Weight"},
        {"minimum_n_gram_document_absolute_frequency": 1, "weighting_function": "IDF Weight",
         "normalize_n_gram_feature_vectors": True, "maximum_n_gram_document_ratio": 0.5},
        {"minimum_n_gram_document_absolute_frequency": 2, "n_grams_size": 3, "weighting_function": "TF-IDF Weight",
         "minimum_word_length": 2, "maximum_word_length": 6, "detect_out_of_vocabulary_rows": False},
    ],
)  # fmt: skip
def test_extract_n_gram_features_matches_the_module(options: dict[str, Any]) -> None:
    check("extract_n_gram_features_from_text", {"text_column": "text", **options}, {"dataset": texts_table()})


def test_the_text_classification_sample_steps_on_the_movie_reviews() -> None:
    reviews = stored(movie_reviews())
    preprocessed = check("preprocess_text", {"text_column": "review"}, {"dataset": reviews})["node_results_dataset"]
    params = {
        "text_column": "Preprocessed review",
        "n_grams_size": 1,
        "weighting_function": "Binary Weight",
        "minimum_n_gram_document_absolute_frequency": 2,
    }
    namespace = check("extract_n_gram_features_from_text", params, {"dataset": stored(preprocessed)})
    assert namespace["node_result_vocabulary"].shape[0] > 100


def test_read_only_vocabulary_has_no_readable_code() -> None:
    spec = spec_for("extract_n_gram_features_from_text", {"text_column": "text", "vocabulary_mode": "ReadOnly"})
    assert TEXT_EMITTERS["extract_n_gram_features_from_text"](spec) is None


# -- Edit Metadata -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"column": ["label"], "fields": "Label"},
        {"column": ["city"], "categorical": "Categorical", "fields": "Clear feature", "new_column_names": "town"},
        {"column": ["income", "age"], "new_column_names": "salary, years"},
        {"column": ["income", "age"], "fields": "Features"},
        {"column": ["label", "id"], "fields": "Clear label"},
    ],
)
def test_edit_metadata_matches_the_module(params: dict[str, Any]) -> None:
    check("edit_metadata", params, {"dataset": mixed()})


def test_edit_metadata_keeps_roles_pointing_at_a_renamed_label() -> None:
    first = spec_for("edit_metadata", {"column": ["label"], "fields": "Label"})
    params = {"column": ["label"], "new_column_names": "target"}
    second = node_spec(
        "node",
        "edit_metadata",
        params,
        inputs={"dataset": "df"},
        sources={"dataset": first},
        source_ports={"dataset": "results_dataset"},
    )
    namespace = check(
        "edit_metadata", params, {"dataset": mixed()}, metas={"dataset": {"label_column": "label"}}, spec=second
    )
    assert "target" in namespace["node_results_dataset"].columns


def test_feature_selection_after_edit_metadata_leaves_the_label_alone() -> None:
    labelled = spec_for("edit_metadata", {"column": ["label"], "fields": "Label"})
    params = {"feature_scoring_method": "Chi Squared", "target_column": "city", "number_of_desired_features": 2}
    spec = node_spec(
        "node",
        "filter_based_feature_selection",
        params,
        inputs={"dataset": "df"},
        sources={"dataset": labelled},
        source_ports={"dataset": "results_dataset"},
    )
    namespace = check(
        "filter_based_feature_selection",
        params,
        {"dataset": mixed()},
        metas={"dataset": {"label_column": "label"}},
        spec=spec,
    )
    assert "label" not in set(namespace["node_features"]["Feature"])


def test_edit_metadata_without_readable_code() -> None:
    for params in (
        {"column": ["age"], "data_type": "Double"},
        {"column": ["grade"], "categorical": "Non categorical"},
        {"column": ["city", "label"], "categorical": "Categorical"},
        {"column": {"start": "none", "rules": [{"types": ["string"]}]}, "fields": "Features"},
    ):
        assert TRANSFORMATION_EMITTERS["edit_metadata"](spec_for("edit_metadata", params)) is None


# -- Remove Duplicate Rows, Add Columns -------------------------------------------------------------------


def with_duplicates() -> pd.DataFrame:
    df = mixed()
    return stored(pd.concat([df, df.iloc[[0, 2, 3, 5, 5]], df.iloc[[1]].assign(income=1.0)], ignore_index=True))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"retain_first_duplicate_row": False},
        {"key_column_selection_filter_expression": ["city", "grade"]},
        {"key_column_selection_filter_expression": ["age"], "retain_first_duplicate_row": False},
    ],
)
def test_remove_duplicate_rows_matches_the_module(params: dict[str, Any]) -> None:
    check("remove_duplicate_rows", params, {"dataset": with_duplicates()})


@pytest.mark.parametrize("right_rows", [40, 25, 55])
def test_add_columns_matches_the_module(right_rows: int) -> None:
    df = mixed()
    right = stored(
        pd.concat([df, df], ignore_index=True)[["id", "city", "married"]]
        .head(right_rows)
        .rename(columns={"married": "id_1"})
    )
    frames = {"left_dataset": df.assign(id_1=df["id"]), "right_dataset": right}
    check("add_columns", {}, frames)


# -- sample chains: readable sections feeding each other without the Parquet round trip --------------------


def run_chain(steps: list[tuple[str, dict[str, Any]]], df: pd.DataFrame) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run ``steps`` (module id, params; each fed the previous one's first output) through the library, with a
    Parquet round trip between nodes as in a run, and as one readable script; the last node's outputs of each."""
    source, previous, variable = dataset_spec(), "dataset", "data_dataset"
    script: list[str] = []
    imports: dict[str, None] = {}
    helpers: dict[str, None] = {}
    table = DataTable(df)
    for i, (module_id, params) in enumerate(steps):
        spec = node_spec(
            f"step{i}",
            module_id,
            params,
            inputs={"dataset": variable},
            sources={"dataset": source},
            source_ports={"dataset": previous},
        )
        code = OURS[module_id](spec)
        assert code is not None
        script.append(code.code)
        imports.update(dict.fromkeys(code.imports))
        helpers.update(dict.fromkeys(code.helpers))
        cls = default_registry().get(module_id)
        outputs = cls().run({"dataset": table}, cls.parse_params(params), LocalContext())
        previous = next(iter(spec.outputs))
        table = Table.deserialize(Table.serialize(outputs[previous]))
        source, variable = spec, spec.outputs[previous]
    namespace = run_code(NodeCode("\n".join(script), tuple(imports), tuple(helpers)), {"data_dataset": df})
    return {port: namespace[name] for port, name in spec.outputs.items()}, outputs


def test_the_clustering_sample_chain_equals_the_modules() -> None:
    measurements = {
        "start": "none",
        "rules": [{"op": "include", "names": ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]}],
    }
    readable, library = run_chain(
        [
            (
                "select_columns",
                {
                    "columns": {
                        "start": "none",
                        "rules": [{"op": "include", "names": ["species", *measurements["rules"][0]["names"]]}],
                    }
                },
            ),
            ("clean_missing_data", {"columns": measurements, "cleaning_mode": "Remove entire row"}),
            ("normalize_data", {"transformation_method": "ZScore", "columns": measurements}),
            ("split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42}),
        ],
        stored(palmer_penguins()),
    )
    for port in ("results_dataset1", "results_dataset2"):
        pd.testing.assert_frame_equal(readable[port], library[port].df)


def test_the_text_classification_sample_chain_equals_the_modules() -> None:
    readable, library = run_chain(
        [
            ("preprocess_text", {"text_column": "review"}),
            (
                "extract_n_gram_features_from_text",
                {"text_column": "Preprocessed review", "minimum_n_gram_document_absolute_frequency": 2},
            ),
            (
                "select_columns",
                {"columns": {"start": "all", "rules": [{"op": "exclude", "names": ["review", "Preprocessed review"]}]}},
            ),
            (
                "split_data",
                {
                    "fraction_of_rows_in_first_output_dataset": 0.7,
                    "random_seed": 42,
                    "stratified_split": True,
                    "stratification_key_column": "sentiment",
                },
            ),
        ],
        stored(movie_reviews()),
    )
    for port in ("results_dataset1", "results_dataset2"):
        pd.testing.assert_frame_equal(readable[port], library[port].df)
