"""Text Analytics: bad inputs fail with a ModuleError (or a parameter error) that names what is at fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from modules.library.text_analytics.convert_word_to_vector import ConvertWordToVector
from modules.library.text_analytics.extract_n_gram_features_from_text import ExtractNGramFeaturesFromText
from modules.library.text_analytics.feature_hashing import FeatureHashing
from modules.library.text_analytics.latent_dirichlet_allocation import LatentDirichletAllocation
from modules.library.text_analytics.preprocess_text import PreprocessText
from modules.sdk import DataTable, LocalContext, Module, ModuleError, params_errors
from tests.modules.cases.text_analytics import reviews

Runner = Callable[..., dict[str, Any]]

#: Each module with the parameter that names its text column(s) and the value to give it.
TEXT_PARAMS: dict[str, tuple[str, Any]] = {
    "preprocess_text": ("text_column", "stars"),
    "extract_n_gram_features_from_text": ("text_column", "stars"),
    "feature_hashing": ("target_columns", ["stars"]),
    "latent_dirichlet_allocation": ("target_columns", ["stars"]),
    "convert_word_to_vector": ("target_column", "stars"),
}
MODULES: dict[str, type[Module]] = {
    "preprocess_text": PreprocessText,
    "extract_n_gram_features_from_text": ExtractNGramFeaturesFromText,
    "feature_hashing": FeatureHashing,
    "latent_dirichlet_allocation": LatentDirichletAllocation,
    "convert_word_to_vector": ConvertWordToVector,
}


def _with(param: str, name: str) -> Any:
    return [name] if param == "target_columns" else name


# -- every module ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("module_id", sorted(TEXT_PARAMS))
def test_a_numeric_column_is_refused_as_text(module_id: str, run: Runner, ctx: LocalContext) -> None:
    param, value = TEXT_PARAMS[module_id]

    with pytest.raises(ModuleError) as err:
        run(module_id, {"dataset": reviews()}, **{param: value})

    assert (err.value.param, err.value.column) == (param, "stars")
    assert err.value.message == "column 'stars' is integer, not text; choose a string column"
    assert ctx.progress_updates == []


@pytest.mark.parametrize("module_id", sorted(TEXT_PARAMS))
def test_a_missing_text_column_is_named(module_id: str, run: Runner, ctx: LocalContext) -> None:
    param, _ = TEXT_PARAMS[module_id]

    with pytest.raises(ModuleError) as err:
        run(module_id, {"dataset": reviews()}, **{param: _with(param, "comment")})

    assert (err.value.param, err.value.column) == (param, "comment")
    assert "'comment' is not in the input" in err.value.message
    assert ctx.logs == []


@pytest.mark.parametrize("module_id", sorted(TEXT_PARAMS))
def test_a_missing_text_column_is_refused_before_running(module_id: str) -> None:
    cls = MODULES[module_id]
    param, _ = TEXT_PARAMS[module_id]
    params = cls.parse_params({param: _with(param, "comment")})

    with pytest.raises(ModuleError) as err:
        cls().infer_schemas({"dataset": reviews().schema}, params)

    assert (err.value.param, err.value.column) == (param, "comment")


@pytest.mark.parametrize("module_id", sorted(TEXT_PARAMS))
def test_an_empty_table_is_refused(module_id: str, run: Runner, ctx: LocalContext) -> None:
    param, _ = TEXT_PARAMS[module_id]
    empty = DataTable(reviews().df.head(0))

    with pytest.raises(ModuleError) as err:
        run(module_id, {"dataset": empty}, **{param: _with(param, "review")})

    assert err.value.port == "dataset"
    assert err.value.message == "the input table on port 'dataset' has no rows"
    assert ctx.logs == []


@pytest.mark.parametrize(
    ("module_id", "params", "bad"),
    [
        ("preprocess_text", {"text_column": "review", "language": "French"}, "language"),
        (
            "preprocess_text",
            {"text_column": "review", "custom_regular_expression": "(unclosed"},
            "custom_regular_expression",
        ),
        ("extract_n_gram_features_from_text", {"text_column": "review", "n_grams_size": 0}, "n_grams_size"),
        ("extract_n_gram_features_from_text", {"text_column": "review", "n_grams_size": 11}, "n_grams_size"),
        (
            "extract_n_gram_features_from_text",
            {"text_column": "review", "vocabulary_mode": "Update"},
            "vocabulary_mode",
        ),
        (
            "extract_n_gram_features_from_text",
            {"text_column": "review", "maximum_n_gram_document_ratio": 0.0},
            "maximum_n_gram_document_ratio",
        ),
        (
            "extract_n_gram_features_from_text",
            {"text_column": "review", "minimum_n_gram_document_absolute_frequency": 0},
            "minimum_n_gram_document_absolute_frequency",
        ),
        ("feature_hashing", {"hashing_bitsize": 17}, "hashing_bitsize"),
        ("feature_hashing", {"n_grams": 0}, "n_grams"),
        ("latent_dirichlet_allocation", {"number_of_topics_to_model": 0}, "number_of_topics_to_model"),
        ("latent_dirichlet_allocation", {"number_of_topics_to_model": 1001}, "number_of_topics_to_model"),
        ("latent_dirichlet_allocation", {"rho_parameter": 0.0}, "rho_parameter"),
        ("latent_dirichlet_allocation", {"initial_value_of_iteration": 0.5}, "initial_value_of_iteration"),
        (
            "latent_dirichlet_allocation",
            {"power_applied_to_the_iteration_during_updates": 1.5},
            "power_applied_to_the_iteration_during_updates",
        ),
        (
            "convert_word_to_vector",
            {"target_column": "review", "length_of_word_embedding": 5},
            "length_of_word_embedding",
        ),
        ("convert_word_to_vector", {"target_column": "review", "context_window_size": 0}, "context_window_size"),
        ("convert_word_to_vector", {"target_column": "review", "minimum_word_count": 0}, "minimum_word_count"),
        ("convert_word_to_vector", {"target_column": "review", "word2vec_strategy": "GloVe"}, "word2vec_strategy"),
    ],
)
def test_parameters_out_of_range_are_named(module_id: str, params: dict[str, Any], bad: str) -> None:
    errors = params_errors(MODULES[module_id], params)

    assert [e["param"] for e in errors] == [bad]


def test_required_text_column_is_reported_when_absent() -> None:
    assert [e["param"] for e in params_errors(PreprocessText, {})] == ["text_column"]
    assert [e["param"] for e in params_errors(ConvertWordToVector, {})] == ["target_column"]
    assert [e["param"] for e in params_errors(ExtractNGramFeaturesFromText, {})] == ["text_column"]


def test_a_numeric_column_among_several_targets_is_named(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run("feature_hashing", {"dataset": reviews()}, target_columns=["review", "stars", "sentiment"])

    assert (err.value.param, err.value.column) == ("target_columns", "stars")


def test_selecting_no_columns_is_refused(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run("latent_dirichlet_allocation", {"dataset": DataTable(reviews().df[["stars"]])})

    assert err.value.param == "target_columns"
    assert err.value.message == "no text columns are selected"


# -- Preprocess Text -------------------------------------------------------------------------------------------


def test_an_unusable_replacement_names_the_replacement(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "preprocess_text",
            {"dataset": reviews()},
            text_column="review",
            custom_regular_expression=r"(phone)",
            custom_replacement_string=r"\2",
        )

    assert err.value.param == "custom_replacement_string"
    assert err.value.message.startswith("the custom replacement string cannot be used with this expression")


def test_an_existing_output_name_gets_a_suffix_instead_of_overwriting(run: Runner) -> None:
    table = DataTable(reviews().df.assign(**{"Preprocessed review": pd.Series(["keep"] * 12, dtype="str")}))

    out = run("preprocess_text", {"dataset": table}, text_column="review")["results_dataset"].df

    assert list(out.columns) == ["review", "stars", "sentiment", "Preprocessed review", "Preprocessed review_1"]
    assert out["Preprocessed review"].tolist() == ["keep"] * 12


# -- Extract N-Gram Features from Text -------------------------------------------------------------------------


def test_read_only_without_a_vocabulary_asks_for_one(run: Runner, ctx: LocalContext) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "extract_n_gram_features_from_text",
            {"dataset": reviews()},
            text_column="review",
            vocabulary_mode="ReadOnly",
        )

    assert (err.value.param, err.value.port) == ("vocabulary_mode", "input_vocabulary")
    assert err.value.message.startswith("ReadOnly mode needs a vocabulary on the 'Input vocabulary' port")
    assert ctx.logs == []


@pytest.mark.parametrize(
    ("vocabulary", "column", "message"),
    [
        (pd.DataFrame({"Word": ["phone"], "IDF": [1.0]}), "NGram", "the input vocabulary has no 'NGram' column"),
        (pd.DataFrame({"NGram": ["phone"], "DF": [3]}), "IDF", "the input vocabulary has no 'IDF' column"),
        (pd.DataFrame({"NGram": ["phone", "phone"], "IDF": [1.0, 2.0]}), "NGram", "the input vocabulary lists the"),
        (pd.DataFrame({"NGram": ["phone", None], "IDF": [1.0, 2.0]}), "NGram", "the input vocabulary has a missing"),
        (pd.DataFrame({"NGram": ["phone"], "IDF": [float("nan")]}), "IDF", "the input vocabulary has a missing IDF"),
        (pd.DataFrame({"NGram": ["phone"], "IDF": ["high"]}), "IDF", "the input vocabulary's IDF column is not"),
    ],
)
def test_a_malformed_vocabulary_is_named(run: Runner, vocabulary: pd.DataFrame, column: str, message: str) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "extract_n_gram_features_from_text",
            {"dataset": reviews(), "input_vocabulary": DataTable(vocabulary)},
            text_column="review",
            vocabulary_mode="ReadOnly",
        )

    assert (err.value.port, err.value.column) == ("input_vocabulary", column)
    assert err.value.message.startswith(message)


def test_an_empty_vocabulary_is_refused(run: Runner) -> None:
    empty = DataTable(pd.DataFrame({"NGram": pd.Series([], dtype="str"), "IDF": pd.Series([], dtype="float64")}))

    with pytest.raises(ModuleError) as err:
        run(
            "extract_n_gram_features_from_text",
            {"dataset": reviews(), "input_vocabulary": empty},
            text_column="review",
            vocabulary_mode="ReadOnly",
        )

    assert (err.value.port, err.value.message) == ("input_vocabulary", "the input vocabulary has no n-grams")


def test_a_minimum_frequency_no_n_gram_reaches_names_the_parameter(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "extract_n_gram_features_from_text",
            {"dataset": reviews()},
            text_column="review",
            minimum_n_gram_document_absolute_frequency=12,
        )

    assert err.value.param == "minimum_n_gram_document_absolute_frequency"
    assert err.value.message == (
        "no n-gram is held by at least 12 rows and at most 1 of them; lower the minimum document frequency"
    )


def test_a_ratio_below_the_minimum_frequency_names_the_ratio(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run(
            "extract_n_gram_features_from_text",
            {"dataset": reviews()},
            text_column="review",
            minimum_n_gram_document_absolute_frequency=5,
            maximum_n_gram_document_ratio=0.25,
        )

    assert err.value.param == "maximum_n_gram_document_ratio"
    assert err.value.message == (
        "a maximum document ratio of 0.25 allows fewer rows than the minimum document frequency of 5"
    )


def test_words_all_outside_the_length_limits_name_the_minimum_length(run: Runner) -> None:
    short = DataTable(pd.DataFrame({"text": pd.Series(["a b", "to be or"], dtype="str")}))

    with pytest.raises(ModuleError) as err:
        run(
            "extract_n_gram_features_from_text",
            {"dataset": short},
            text_column="text",
            minimum_n_gram_document_absolute_frequency=1,
        )

    assert err.value.param == "minimum_word_length"
    assert err.value.message == "no word of 3 to 25 characters is in the text"


def test_a_maximum_word_length_below_the_minimum_is_refused() -> None:
    errors = params_errors(
        ExtractNGramFeaturesFromText, {"text_column": "review", "minimum_word_length": 5, "maximum_word_length": 4}
    )

    assert len(errors) == 1
    assert "maximum_word_length must be at least minimum_word_length" in errors[0]["message"]


# -- Latent Dirichlet Allocation and Convert Word to Vector ----------------------------------------------------


def test_lda_on_text_without_words_names_the_target_columns(run: Runner) -> None:
    blank = DataTable(pd.DataFrame({"text": pd.Series(["!", "?", None], dtype="str")}))

    with pytest.raises(ModuleError) as err:
        run("latent_dirichlet_allocation", {"dataset": blank})

    assert err.value.param == "target_columns"
    assert err.value.message == "the target columns hold no words of two or more characters"


def test_applying_lda_to_a_table_without_its_column_names_it(run: Runner) -> None:
    transform = run("latent_dirichlet_allocation", {"dataset": reviews()}, target_columns=["review"])[
        "lda_transformation"
    ]
    other = DataTable(pd.DataFrame({"comment": pd.Series(["battery"], dtype="str")}))

    with pytest.raises(ModuleError) as err:
        LatentDirichletAllocation.apply_transform(transform.spec, other)

    assert (err.value.port, err.value.column) == ("dataset", "review")
    assert err.value.message == "column 'review', which the topic model was fitted on, is not in this table"


def test_a_minimum_word_count_no_word_reaches_names_the_parameter(run: Runner, ctx: LocalContext) -> None:
    with pytest.raises(ModuleError) as err:
        run("convert_word_to_vector", {"dataset": reviews()}, target_column="review", minimum_word_count=50)

    assert err.value.param == "minimum_word_count"
    assert err.value.message == "no word occurs 50 times (the most frequent, 'the', occurs 10)"
    assert ctx.progress_updates == []


def test_word_vectors_of_text_without_words_name_the_column(run: Runner) -> None:
    blank = DataTable(pd.DataFrame({"text": pd.Series(["!!", "...", None], dtype="str")}))

    with pytest.raises(ModuleError) as err:
        run("convert_word_to_vector", {"dataset": blank}, target_column="text")

    assert (err.value.param, err.value.column) == ("target_column", "text")
    assert err.value.message == "column 'text' holds no words"


def test_too_many_hashed_cells_name_the_bitsize(run: Runner, ctx: LocalContext) -> None:
    rows = 800
    table = DataTable(pd.DataFrame({"text": pd.Series(["good phone"] * rows, dtype="str")}))

    with pytest.raises(ModuleError) as err:
        run("feature_hashing", {"dataset": table}, hashing_bitsize=16)

    assert err.value.param == "hashing_bitsize"
    assert err.value.message == (
        "800 rows x 65536 feature columns is more than 50,000,000 values; lower the hashing bitsize"
    )
    assert ctx.progress_updates == []


def test_too_many_n_gram_cells_name_the_minimum_frequency(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("modules.library.text_analytics._text.MAX_FEATURE_CELLS", 100)
    texts = [f"word{i} common phrase here" for i in range(30)]
    table = DataTable(pd.DataFrame({"text": pd.Series(texts, dtype="str")}))

    with pytest.raises(ModuleError) as err:
        run(
            "extract_n_gram_features_from_text",
            {"dataset": table},
            text_column="text",
            minimum_n_gram_document_absolute_frequency=1,
        )

    assert err.value.param == "minimum_n_gram_document_absolute_frequency"
    assert err.value.message == (
        "30 rows x 33 feature columns is more than 100 values; "
        "raise the minimum n-gram document frequency or lower the n-grams size"
    )
