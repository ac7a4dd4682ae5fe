"""Extract N-Gram Features from Text: a vocabulary of n-grams and one weighted feature column per n-gram."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from modules.sdk import (
    Column,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
    column,
)

from ._text import check_size, require_rows, text_column, texts, unique_names

Weighting = Literal["Binary Weight", "TF Weight", "IDF Weight", "TF-IDF Weight"]
VOCABULARY_SCHEMA = TableSchema(
    (Column("Id", "integer"), Column("NGram", "string"), Column("DF", "integer"), Column("IDF", "number"))
)


class ExtractNGramFeaturesFromText(Module):
    """Count the word n-grams of a text column and add one weighted feature column per n-gram.

    Create builds the vocabulary from this table and outputs it (Id, NGram, DF = number of rows
    holding the n-gram, IDF = ln(rows / DF)); ReadOnly takes a vocabulary made earlier on the
    "Input vocabulary" port, so scoring data gets exactly the training columns and IDF weights.

    Words are runs of letters, digits or underscores between the minimum and maximum word length,
    lowercased; n-grams join consecutive words with a space. Weights per row and n-gram, as Azure
    documents them: Binary 1 when present; TF the count; IDF the n-gram's IDF when present; TF-IDF
    count times IDF. scikit-learn's ``TfidfVectorizer(smooth_idf=False)`` adds 1 to that IDF
    (``ln(rows / DF) + 1``) so that n-grams in every row keep a weight; here, as in Azure, they
    weigh 0. "Normalize n-gram feature vectors" divides each row by its L2 norm.

    The feature columns are named "<text column>.[<n-gram>]" and follow the input columns; with
    "Detect out-of-vocabulary rows" a true/false column "<text column>.[OOV]" marks rows holding an
    n-gram the vocabulary lacks. Use the same settings in ReadOnly mode as when the vocabulary was made.
    """

    id = "extract_n_gram_features_from_text"
    name = "Extract N-Gram Features from Text"
    category = "Text Analytics"

    class Inputs:
        dataset = In(Table, "Dataset")
        input_vocabulary = In(
            Table, "Input vocabulary", optional=True, doc="A result vocabulary from an earlier run (ReadOnly mode)."
        )

    class Outputs:
        results_dataset = Out(Table, "Results dataset")
        result_vocabulary = Out(Table, "Result vocabulary")

    class Params(ParamModel):
        text_column: str = column(
            "dataset", title="Text column", description="The string column to extract n-grams from."
        )
        vocabulary_mode: Literal["Create", "ReadOnly"] = Field(
            "Create",
            title="Vocabulary mode",
            description="Create a vocabulary from this table, or use the input vocabulary unchanged (for scoring).",
        )
        n_grams_size: int = Field(
            1, ge=1, le=10, title="N-Grams size", description="The longest n-gram: 2 gives single words and pairs."
        )
        weighting_function: Weighting = Field(
            "Binary Weight",
            title="Weighting function",
            description="Binary (presence), TF (count), IDF (ln(rows / DF) when present) or TF-IDF (count x IDF).",
        )
        minimum_word_length: int = Field(
            3, ge=1, le=100, title="Minimum word length", description="Shorter words are ignored."
        )
        maximum_word_length: int = Field(
            25, ge=2, le=1000, title="Maximum length of words", description="Longer words are ignored."
        )
        minimum_n_gram_document_absolute_frequency: int = Field(
            5,
            ge=1,
            title="Minimum n-gram document absolute frequency",
            description="An n-gram enters the vocabulary only if at least this many rows hold it (Create mode).",
        )
        maximum_n_gram_document_ratio: float = Field(
            1.0,
            gt=0.0,
            le=1.0,
            title="Maximum n-gram document ratio",
            description="An n-gram held by a larger share of the rows is left out of the vocabulary (Create mode).",
        )
        detect_out_of_vocabulary_rows: bool = Field(
            True,
            title="Detect out-of-vocabulary rows",
            description="Add a true/false column marking rows that hold an n-gram not in the vocabulary.",
        )
        normalize_n_gram_feature_vectors: bool = Field(
            False,
            title="Normalize n-gram feature vectors",
            description="Divide each row's n-gram weights by their L2 norm.",
        )

        @model_validator(mode="after")
        def _word_lengths(self) -> ExtractNGramFeaturesFromText.Params:
            if self.maximum_word_length < self.minimum_word_length:
                raise ValueError("maximum_word_length must be at least minimum_word_length")
            return self

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        name = text_column(table.schema, params.text_column, "text_column")
        require_rows(table)
        documents = texts(table.df[name])
        vectorizer = _vectorizer(params)
        if params.vocabulary_mode == "ReadOnly":
            vocabulary = _read_vocabulary(inputs.get("input_vocabulary"))
            ngrams = vocabulary["NGram"].tolist()
            counts = _counts(vectorizer.set_params(vocabulary=ngrams), documents, params, fit=False)
            idf = vocabulary["IDF"].to_numpy(dtype="float64")
        else:
            if "input_vocabulary" in inputs:
                ctx.log("the input vocabulary is ignored in Create mode")
            counts = _counts(vectorizer, documents, params, fit=True)
            ngrams = [str(g) for g in vectorizer.get_feature_names_out()]
            df_counts = np.asarray((counts > 0).sum(axis=0)).ravel().astype("int64")
            idf = np.log(len(documents) / df_counts)
            vocabulary = pd.DataFrame(
                {
                    "Id": np.arange(len(ngrams), dtype="int64"),
                    "NGram": pd.Series(ngrams, dtype="str"),
                    "DF": df_counts,
                    "IDF": idf,
                }
            )
        ctx.log(f"{len(ngrams)} n-grams in the vocabulary")
        check_size(
            len(documents),
            len(ngrams),
            "minimum_n_gram_document_absolute_frequency",
            "raise the minimum n-gram document frequency or lower the n-grams size",
        )
        features = weigh(counts, idf, params.weighting_function, params.normalize_n_gram_feature_vectors)
        taken = [str(c) for c in table.df.columns]
        names = unique_names([f"{name}.[{g}]" for g in ngrams], taken)
        added: dict[str, Any] = dict(zip(names, features.T, strict=True))
        if params.detect_out_of_vocabulary_rows:
            oov_name = unique_names([f"{name}.[OOV]"], taken + names)[0]
            added[oov_name] = out_of_vocabulary(vectorizer.build_analyzer(), documents, set(ngrams))
        extra = pd.DataFrame(added, index=table.df.index)
        result = pd.concat([table.df, extra], axis=1)
        return {"results_dataset": DataTable(result, dict(table.meta)), "result_vocabulary": DataTable(vocabulary)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is not None:
            text_column(schema, params.text_column, "text_column")
        if params.vocabulary_mode == "ReadOnly":
            return {"results_dataset": None, "result_vocabulary": inputs.get("input_vocabulary")}
        return {"results_dataset": None, "result_vocabulary": VOCABULARY_SCHEMA}


def _vectorizer(params: ExtractNGramFeaturesFromText.Params) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        token_pattern=rf"(?u)\b\w{{{params.minimum_word_length},{params.maximum_word_length}}}\b",
        ngram_range=(1, params.n_grams_size),
        min_df=params.minimum_n_gram_document_absolute_frequency,
        max_df=params.maximum_n_gram_document_ratio,
        dtype=np.int64,
    )


def _counts(vectorizer: Any, documents: list[str], params: ExtractNGramFeaturesFromText.Params, *, fit: bool) -> Any:
    """The sparse row-by-n-gram count matrix; scikit-learn's refusals become errors naming the parameter."""
    try:
        return vectorizer.fit_transform(documents) if fit else vectorizer.transform(documents)
    except ValueError as exc:
        text = str(exc)
        if "empty vocabulary" in text:
            raise ModuleError(
                f"no word of {params.minimum_word_length} to {params.maximum_word_length} characters is in the text",
                param="minimum_word_length",
            ) from None
        if "max_df corresponds to < documents than min_df" in text:
            raise ModuleError(
                f"a maximum document ratio of {params.maximum_n_gram_document_ratio:g} allows fewer rows than the "
                f"minimum document frequency of {params.minimum_n_gram_document_absolute_frequency}",
                param="maximum_n_gram_document_ratio",
            ) from None
        if "no terms remain" in text:
            raise ModuleError(
                f"no n-gram is held by at least {params.minimum_n_gram_document_absolute_frequency} rows and at "
                f"most {params.maximum_n_gram_document_ratio:g} of them; lower the minimum document frequency",
                param="minimum_n_gram_document_absolute_frequency",
            ) from None
        raise


def _read_vocabulary(table: DataTable | None) -> pd.DataFrame:
    if table is None:
        raise ModuleError(
            "ReadOnly mode needs a vocabulary on the 'Input vocabulary' port (a result vocabulary from Create mode)",
            param="vocabulary_mode",
            port="input_vocabulary",
        )
    df = table.df
    for needed in ("NGram", "IDF"):
        if needed not in df.columns:
            raise ModuleError(
                f"the input vocabulary has no {needed!r} column (it needs NGram and IDF)",
                port="input_vocabulary",
                column=needed,
            )
    if len(df) == 0:
        raise ModuleError("the input vocabulary has no n-grams", port="input_vocabulary")
    ngrams = df["NGram"].astype(object)
    if ngrams.isna().any():
        raise ModuleError("the input vocabulary has a missing n-gram", port="input_vocabulary", column="NGram")
    repeated = ngrams[ngrams.duplicated()]
    if len(repeated):
        raise ModuleError(
            f"the input vocabulary lists the n-gram {repeated.iloc[0]!r} twice", port="input_vocabulary", column="NGram"
        )
    try:
        idf = pd.to_numeric(df["IDF"]).to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise ModuleError(
            "the input vocabulary's IDF column is not numeric", port="input_vocabulary", column="IDF"
        ) from None
    if np.isnan(idf).any():
        raise ModuleError("the input vocabulary has a missing IDF weight", port="input_vocabulary", column="IDF")
    return df.assign(NGram=ngrams.astype(str).astype("str"))


def weigh(counts: Any, idf: np.ndarray, weighting: str, normalize: bool) -> np.ndarray:
    """Dense row-by-n-gram weights from sparse counts and per-n-gram IDF (Azure's formulas)."""
    tf = np.asarray(counts.toarray(), dtype="float64")
    if weighting == "Binary Weight":
        weights = (tf > 0).astype("float64")
    elif weighting == "TF Weight":
        weights = tf
    elif weighting == "IDF Weight":
        weights = np.where(tf > 0, idf[np.newaxis, :], 0.0)
    else:
        weights = tf * idf[np.newaxis, :]
    if normalize:
        norms = np.sqrt((weights**2).sum(axis=1, keepdims=True))
        weights = np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)
    return weights


def out_of_vocabulary(analyzer: Any, documents: list[str], vocabulary: set[str]) -> np.ndarray:
    """Per row, whether it holds an n-gram (of the configured sizes and word lengths) outside ``vocabulary``."""
    return np.array([any(g not in vocabulary for g in analyzer(doc)) for doc in documents], dtype=bool)
