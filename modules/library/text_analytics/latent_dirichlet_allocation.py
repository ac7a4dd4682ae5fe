"""Latent Dirichlet Allocation: topic proportions per row, word weights per topic, and a reusable transformation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import (
    Column,
    ColumnSelection,
    DataTable,
    FittedTransform,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
    Transformation,
)
from modules.sdk import columns as column_selection

from ._text import STRING_COLUMNS, joined_texts, require_rows, text_columns, unique_names

#: scikit-learn's E-step settings, kept in the transformation so applying it repeats them.
MAX_DOC_UPDATE_ITER = 100
MEAN_CHANGE_TOL = 1e-3
#: Azure's values for the options shown only with "Show all options".
ADVANCED_DEFAULTS: dict[str, Any] = {
    "rho_parameter": 0.01,
    "alpha_parameter": 0.01,
    "estimated_number_of_documents": 1000,
    "size_of_the_batch": 32,
    "initial_value_of_iteration": 1.0,
    "power_applied_to_the_iteration_during_updates": 0.5,
    "number_of_training_iterations": 25,
    "build_dictionary_of_ngrams": True,
    "maximum_size_of_the_ngram_dictionary": 20000,
    "number_of_bits_to_use_for_feature_hashing": 12,
}


class LatentDirichletAllocation(Module):
    """Discover topics in text with online variational Bayes LDA (scikit-learn), as Azure does.

    The chosen text columns are joined per row into one document. Words are runs of two or more
    word characters, lowercased; n-grams of 1 to "N-grams" words are counted either in a dictionary
    of the most frequent n-grams or, without "Build dictionary of ngrams", in 2^bits hashed buckets.

    Outputs: the input with "Topic 1" ... "Topic K" columns added (with "Normalize", P(topic | row);
    without, the unnormalized variational parameters); the feature topic matrix (one row per
    n-gram, with "Normalize" P(n-gram | topic)); and the LDA transformation, which holds the model
    as plain numbers (components, exp(E[log beta]), the document-topic prior and the vocabulary) so
    Apply Transformation repeats scikit-learn's transform exactly on new rows.

    The advanced options apply only with "Show all options"; otherwise Azure's defaults are used.
    Rho is scikit-learn's topic-word prior, Alpha its document-topic prior. "Initial value of
    iteration" is scikit-learn's learning offset, which must be at least 1 (Azure's default is 0).
    Training is seeded from the run's seed, so a rerun gives the same topics.
    """

    id = "latent_dirichlet_allocation"
    name = "Latent Dirichlet Allocation"
    category = "Text Analytics"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        transformed_dataset = Out(Table, "Transformed dataset")
        feature_topic_matrix = Out(Table, "Feature topic matrix")
        lda_transformation = Out(Transformation, "LDA transformation")

    class Params(ParamModel):
        target_columns: ColumnSelection = column_selection(
            "dataset",
            default=STRING_COLUMNS,
            title="Target column(s)",
            description="Text columns to model; several are joined per row into one document.",
        )
        number_of_topics_to_model: int = Field(
            5, ge=1, le=1000, title="Number of topics to model", description="How many topics to discover (1-1000)."
        )
        n_grams: int = Field(
            2, ge=1, le=10, title="N-grams", description="The longest n-gram counted: 2 counts single words and pairs."
        )
        normalize: bool = Field(
            True,
            title="Normalize",
            description="Output probabilities: P(topic | row) in the dataset, P(n-gram | topic) in the matrix.",
        )
        show_all_options: bool = Field(
            False,
            title="Show all options",
            description="Use the advanced options below; unchecked, Azure's defaults are used for them.",
        )
        rho_parameter: float = Field(
            0.01, gt=0, le=1, title="Rho parameter", description="Prior of the topic-word distributions (sparsity)."
        )
        alpha_parameter: float = Field(
            0.01, gt=0, le=1, title="Alpha parameter", description="Prior of the document-topic distributions."
        )
        estimated_number_of_documents: int = Field(
            1000,
            ge=1,
            title="Estimated number of documents",
            description="How many documents the online updates assume the corpus has.",
        )
        size_of_the_batch: int = Field(32, ge=1, title="Size of the batch", description="Rows per online update.")
        initial_value_of_iteration: float = Field(
            1.0,
            ge=1.0,
            title="Initial value of iteration used in learning rate update schedule",
            description="Offset that slows the first updates (scikit-learn's learning_offset, at least 1).",
        )
        power_applied_to_the_iteration_during_updates: float = Field(
            0.5,
            ge=0.0,
            le=1.0,
            title="Power applied to the iteration during updates",
            description="Decay of the learning rate (scikit-learn's learning_decay, 0-1).",
        )
        number_of_training_iterations: int = Field(
            25, ge=1, le=10_000, title="Number of training iterations", description="Passes over the whole table."
        )
        build_dictionary_of_ngrams: bool = Field(
            True,
            title="Build dictionary of ngrams",
            description="Count n-grams in a dictionary of the most frequent ones; unchecked, hash them into buckets.",
        )
        maximum_size_of_the_ngram_dictionary: int = Field(
            20000,
            ge=1,
            le=1_000_000,
            title="Maximum size of the ngram dictionary",
            description="Keep this many of the most frequent n-grams.",
        )
        number_of_bits_to_use_for_feature_hashing: int = Field(
            12,
            ge=1,
            le=20,
            title="Number of bits to use for feature hashing",
            description="Without a dictionary, n-grams are hashed into 2^bits buckets.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from sklearn.decomposition import LatentDirichletAllocation as SkLDA

        table: DataTable = inputs["dataset"]
        names = text_columns(table.schema, params.target_columns, "target_columns")
        require_rows(table)
        options = effective_options(params)
        vectorizer = _vectorizer(options, params.n_grams)
        documents = joined_texts(table.df, names)
        try:
            counts = vectorizer.fit_transform(documents)
        except ValueError as exc:
            if "empty vocabulary" not in str(exc):
                raise
            raise ModuleError(
                "the target columns hold no words of two or more characters", param="target_columns"
            ) from None
        model = SkLDA(
            n_components=params.number_of_topics_to_model,
            doc_topic_prior=options["alpha_parameter"],
            topic_word_prior=options["rho_parameter"],
            learning_method="online",
            learning_decay=options["power_applied_to_the_iteration_during_updates"],
            learning_offset=options["initial_value_of_iteration"],
            max_iter=options["number_of_training_iterations"],
            batch_size=options["size_of_the_batch"],
            total_samples=options["estimated_number_of_documents"],
            max_doc_update_iter=MAX_DOC_UPDATE_ITER,
            mean_change_tol=MEAN_CHANGE_TOL,
            random_state=ctx.seed,
        )
        ctx.check_cancelled()
        ctx.progress(0.1, "fitting topics")
        model.fit(counts)
        ctx.progress(0.9, "transforming")
        ctx.check_cancelled()
        topics = model.transform(counts, normalize=params.normalize)
        features = _feature_names(vectorizer, options)
        spec = {
            "target_columns": names,
            "n_grams": params.n_grams,
            "build_dictionary_of_ngrams": options["build_dictionary_of_ngrams"],
            "hash_bits": options["number_of_bits_to_use_for_feature_hashing"],
            "vocabulary": features if options["build_dictionary_of_ngrams"] else [],
            "components": model.components_.tolist(),
            "exp_dirichlet_component": model.exp_dirichlet_component_.tolist(),
            "doc_topic_prior": float(model.doc_topic_prior_),
            "max_doc_update_iter": MAX_DOC_UPDATE_ITER,
            "mean_change_tol": MEAN_CHANGE_TOL,
            "normalize": params.normalize,
        }
        components = model.components_
        if params.normalize:
            components = components / components.sum(axis=1, keepdims=True)
        topic_names = [f"Topic {k + 1}" for k in range(params.number_of_topics_to_model)]
        matrix = pd.DataFrame({"Feature": pd.Series(features, dtype="str")})
        matrix = pd.concat([matrix, pd.DataFrame(components.T, columns=topic_names)], axis=1)
        return {
            "transformed_dataset": _with_topics(table, topics),
            "feature_topic_matrix": DataTable(matrix),
            "lda_transformation": FittedTransform(kind=self.id, spec=spec),
        }

    @classmethod
    def apply_transform(cls, spec: dict[str, Any], table: DataTable) -> DataTable:
        absent = [c for c in spec["target_columns"] if c not in table.df.columns]
        if absent:
            raise ModuleError(
                f"column {absent[0]!r}, which the topic model was fitted on, is not in this table",
                port="dataset",
                column=absent[0],
            )
        vectorizer = _spec_vectorizer(spec)
        counts = vectorizer.transform(joined_texts(table.df, spec["target_columns"]))
        gamma = e_step(
            counts,
            np.asarray(spec["exp_dirichlet_component"], dtype="float64"),
            float(spec["doc_topic_prior"]),
            int(spec["max_doc_update_iter"]),
            float(spec["mean_change_tol"]),
        )
        if spec["normalize"]:
            gamma = gamma / gamma.sum(axis=1, keepdims=True)
        return _with_topics(table, gamma)

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        topic_names = [f"Topic {k + 1}" for k in range(params.number_of_topics_to_model)]
        matrix = TableSchema((Column("Feature", "string"), *(Column(n, "number") for n in topic_names)))
        schema = inputs.get("dataset")
        if schema is None:
            return {"transformed_dataset": None, "feature_topic_matrix": matrix}
        text_columns(schema, params.target_columns, "target_columns")
        added = unique_names(topic_names, schema.names)
        transformed = TableSchema(schema.columns + tuple(Column(n, "number") for n in added), dict(schema.meta))
        return {"transformed_dataset": transformed, "feature_topic_matrix": matrix}


def effective_options(params: LatentDirichletAllocation.Params) -> dict[str, Any]:
    """The advanced options as set, or Azure's defaults when "Show all options" is off."""
    if not params.show_all_options:
        return dict(ADVANCED_DEFAULTS)
    return {name: getattr(params, name) for name in ADVANCED_DEFAULTS}


def _vectorizer(options: dict[str, Any], n_grams: int) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer

    if options["build_dictionary_of_ngrams"]:
        return CountVectorizer(
            ngram_range=(1, n_grams), max_features=options["maximum_size_of_the_ngram_dictionary"], dtype=np.float64
        )
    return HashingVectorizer(
        n_features=2 ** options["number_of_bits_to_use_for_feature_hashing"],
        ngram_range=(1, n_grams),
        alternate_sign=False,
        norm=None,
    )


def _spec_vectorizer(spec: dict[str, Any]) -> Any:
    from sklearn.feature_extraction.text import CountVectorizer, HashingVectorizer

    if spec["build_dictionary_of_ngrams"]:
        return CountVectorizer(ngram_range=(1, spec["n_grams"]), vocabulary=spec["vocabulary"], dtype=np.float64)
    return HashingVectorizer(
        n_features=2 ** spec["hash_bits"], ngram_range=(1, spec["n_grams"]), alternate_sign=False, norm=None
    )


def _feature_names(vectorizer: Any, options: dict[str, Any]) -> list[str]:
    if options["build_dictionary_of_ngrams"]:
        return [str(f) for f in vectorizer.get_feature_names_out()]
    return [f"Hash bucket {i}" for i in range(2 ** options["number_of_bits_to_use_for_feature_hashing"])]


def _with_topics(table: DataTable, topics: np.ndarray) -> DataTable:
    names = unique_names([f"Topic {k + 1}" for k in range(topics.shape[1])], [str(c) for c in table.df.columns])
    added = pd.DataFrame(np.asarray(topics, dtype="float64"), index=table.df.index, columns=names)
    return DataTable(pd.concat([table.df, added], axis=1), dict(table.meta))


def e_step(
    counts: Any, exp_topic_word: np.ndarray, doc_topic_prior: float, max_iter: int, mean_change_tol: float
) -> np.ndarray:
    """scikit-learn's variational E-step (``_update_doc_distribution`` without random start), in NumPy.

    Returns the unnormalized document-topic parameters (gamma), one row per row of ``counts``.
    """
    csr = counts.tocsr().astype("float64")  # entries in the order scikit-learn's transform sees them
    n_topics = exp_topic_word.shape[0]
    eps = np.finfo(np.float64).eps
    start = np.exp(psi(np.ones(n_topics)) - psi(np.array([float(n_topics)])))
    gamma = np.empty((csr.shape[0], n_topics), dtype="float64")
    for d in range(csr.shape[0]):
        ids = csr.indices[csr.indptr[d] : csr.indptr[d + 1]]
        cnts = csr.data[csr.indptr[d] : csr.indptr[d + 1]]
        word = exp_topic_word[:, ids]
        doc = np.ones(n_topics)
        exp_doc = start.copy()
        for _ in range(max_iter):
            last = doc
            norm_phi = exp_doc @ word + eps
            doc = exp_doc * ((cnts / norm_phi) @ word.T) + doc_topic_prior
            exp_doc = np.exp(psi(doc) - psi(np.array([doc.sum()])))
            if np.mean(np.abs(last - doc)) < mean_change_tol:
                break
        gamma[d] = doc
    return gamma


def psi(x: np.ndarray) -> np.ndarray:
    """The digamma approximation scikit-learn's LDA uses (Bernardo's AS 103), element by element.

    Not SciPy's ``psi``: the two differ by up to ~1e-9, and applying a stored model must give
    exactly what scikit-learn's ``transform`` gives.
    """
    x = np.array(x, dtype="float64")
    result = np.zeros_like(x)
    tiny = x <= 1e-6
    small = ~tiny & (x < 6)
    while small.any():  # psi(x + 1) = psi(x) + 1/x, until x reaches 6
        result[small] -= 1.0 / x[small]
        x[small] += 1.0
        small &= x < 6
    r = 1.0 / np.where(tiny, 1.0, x)
    result += np.log(np.where(tiny, 1.0, x)) - 0.5 * r
    r = r * r
    result -= r * ((1.0 / 12.0) - r * ((1.0 / 120.0) - r * (1.0 / 252.0)))
    return np.where(tiny, -0.577215664901532860606512090082402431 - 1.0 / np.where(tiny, x, 1.0), result)
