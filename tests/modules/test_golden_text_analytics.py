"""Text Analytics modules against the same computation done directly in scikit-learn, gensim and simplemma."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import simplemma
from gensim.models import FastText, Word2Vec
from sklearn.decomposition import LatentDirichletAllocation as SkLDA
from sklearn.feature_extraction.text import (
    ENGLISH_STOP_WORDS,
    CountVectorizer,
    HashingVectorizer,
    TfidfVectorizer,
)
from sklearn.preprocessing import normalize

from modules.library.text_analytics.latent_dirichlet_allocation import LatentDirichletAllocation
from modules.sdk import DataTable, Transformation
from tests.modules.cases.text_analytics import REVIEWS, reviews

Runner = Callable[..., dict[str, Any]]

#: Texts of plain lowercase words and spaces, so whitespace splitting is the tokenization.
PLAIN = [
    "the cats were running across the gardens",
    "mice are hiding under the wooden boxes",
    "she studies languages and writes poems",
    "children played games while geese flew over",
]
TOPICS = [
    "stock markets fell as investors sold shares and bonds",
    "investors bought shares when the stock market rose",
    "the market for bonds and shares was calm today",
    "the cat chased the dog around the garden",
    "a dog and a cat played in the garden all day",
    "the garden was quiet until the dog barked at the cat",
    "bond yields rose and stock prices fell sharply",
    "my cat sleeps in the garden while the dog plays",
]
NEW_TOPICS = ["shares of the dog food market rose", "the cat ignored the stock news", "zebra"]
ALL_OFF = {
    "remove_stop_words": False,
    "use_lemmatization": False,
    "detect_sentences": False,
    "normalize_case_to_lowercase": False,
    "remove_numbers": False,
    "remove_special_characters": False,
    "remove_duplicate_characters": False,
    "remove_email_addresses": False,
    "remove_urls": False,
    "expand_verb_contractions": False,
    "normalize_backslashes_to_slashes": False,
    "split_tokens_on_special_characters": False,
}


def _text_table(texts: list[str], column: str = "text") -> DataTable:
    return DataTable(pd.DataFrame({column: pd.Series(texts, dtype="str")}))


def _preprocessed(run: Runner, texts: list[str], **options: Any) -> list[Any]:
    out = run("preprocess_text", {"dataset": _text_table(texts)}, text_column="text", **{**ALL_OFF, **options})
    return list(out["results_dataset"].df["Preprocessed text"])


# -- Preprocess Text -------------------------------------------------------------------------------------------


def test_stop_words_and_lemmas_match_scikit_learn_and_simplemma(run: Runner) -> None:
    expected = [
        " ".join(simplemma.lemmatize(w, lang="en") for w in text.split() if w not in ENGLISH_STOP_WORDS)
        for text in PLAIN
    ]

    got = _preprocessed(run, PLAIN, remove_stop_words=True, use_lemmatization=True)

    assert got == expected
    assert got[1] == "mouse hide wooden box"


def test_detected_sentences_are_simplemmas_sentences_joined_by_pipes(run: Runner) -> None:
    text = "The film was long. Nobody left early! Would you watch it again? Yes."
    sentences = simplemma.split_sentences(text, lang="en")
    expected = " ||| ".join(" ".join(simplemma.simple_tokenizer(sentence)) for sentence in sentences)

    got = _preprocessed(run, [text], detect_sentences=True)

    assert got == [expected]
    assert got == ["The film was long . ||| Nobody left early ! ||| Would you watch it again ? ||| Yes ."]


def test_all_options_on_clean_a_review_step_by_step(run: Runner) -> None:
    text = "I can't believe it's sooooo GOOD!!! Mail me@shop.com or visit www.shop.com, 42 stars for state-of-the-art."

    got = run("preprocess_text", {"dataset": _text_table([text])}, text_column="text")["results_dataset"]

    assert got.df["Preprocessed text"].tolist() == ["believe soo good ||| mail visit star state art"]
    assert got.df["text"].tolist() == [text]


def test_missing_text_stays_missing_and_other_columns_are_kept(run: Runner) -> None:
    out = run("preprocess_text", {"dataset": reviews()}, text_column="review")["results_dataset"].df

    assert list(out.columns) == ["review", "stars", "sentiment", "Preprocessed review"]
    assert out["Preprocessed review"].isna().tolist() == [text is None for text in REVIEWS]
    assert out["Preprocessed review"][0] == "battery last day ||| love phone"


def test_custom_expression_runs_before_the_other_steps(run: Runner) -> None:
    got = _preprocessed(
        run,
        ["order #123-45 shipped", "no order here"],
        custom_regular_expression=r"#(\d+)-(\d+)",
        custom_replacement_string=r"ORDER\1x\2",
        normalize_case_to_lowercase=True,
    )

    assert got == ["order order123x45 shipped", "no order here"]


def test_each_cleaning_option_alone(run: Runner) -> None:
    text = "Don't e-mail a@b.org about http://x.io/p?q=1 C:\\tmp 3.5 wooow"

    def alone(option: str) -> str:
        return str(_preprocessed(run, [text], **{option: True})[0])

    url = "http : / / x.io/p ? q = 1"  # without URL removal the address is split at its punctuation
    assert alone("expand_verb_contractions") == f"Do not e-mail a@b.org about {url} C : \\ tmp 3.5 wooow"
    assert alone("remove_email_addresses") == f"Don't e-mail about {url} C : \\ tmp 3.5 wooow"
    assert alone("remove_urls") == "Don't e-mail a@b.org about C : \\ tmp 3.5 wooow"
    assert alone("normalize_backslashes_to_slashes") == f"Don't e-mail a@b.org about {url} C : / tmp 3.5 wooow"
    assert alone("remove_numbers") == "Don't e-mail a@b.org about http : / / x.io/p ? q = C : \\ tmp wooow"
    assert alone("remove_duplicate_characters") == f"Don't e-mail a@b.org about {url} C : \\ tmp 3.5 woow"
    assert alone("split_tokens_on_special_characters") == (
        "Don ' t e - mail a @ b . org about http : / / x . io / p ? q = 1 C : \\ tmp 3.5 wooow"
    )
    assert alone("remove_special_characters") == "Dont email aborg about http xiop q 1 C tmp 3.5 wooow"


# -- Extract N-Gram Features from Text ------------------------------------------------------------------------


def _ngrams(run: Runner, texts: list[str], **params: Any) -> dict[str, Any]:
    defaults = {"text_column": "text", "minimum_n_gram_document_absolute_frequency": 1}
    return run("extract_n_gram_features_from_text", {"dataset": _text_table(texts)}, **{**defaults, **params})


def _features(result: DataTable, column: str = "text") -> pd.DataFrame:
    df = result.df
    return df[[c for c in df.columns if c.startswith(f"{column}.[") and c != f"{column}.[OOV]"]]


@pytest.mark.parametrize("weighting", ["Binary Weight", "TF Weight", "IDF Weight", "TF-IDF Weight"])
def test_n_gram_weights_match_count_and_tfidf_vectorizers(run: Runner, weighting: str) -> None:
    vectorizer = CountVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w{3,25}\b", min_df=2, max_df=0.8)
    counts = vectorizer.fit_transform(TOPICS).toarray().astype("float64")
    tfidf = TfidfVectorizer(
        ngram_range=(1, 2), token_pattern=r"(?u)\b\w{3,25}\b", min_df=2, max_df=0.8, smooth_idf=False, norm=None
    ).fit(TOPICS)
    idf = tfidf.idf_ - 1.0  # Azure's ln(N / DF); scikit-learn adds 1
    expected = {
        "Binary Weight": (counts > 0).astype("float64"),
        "TF Weight": counts,
        "IDF Weight": (counts > 0) * idf,
        "TF-IDF Weight": counts * idf,
    }[weighting]

    out = _ngrams(
        run,
        TOPICS,
        n_grams_size=2,
        weighting_function=weighting,
        minimum_n_gram_document_absolute_frequency=2,
        maximum_n_gram_document_ratio=0.8,
    )

    names = list(vectorizer.get_feature_names_out())
    assert list(_features(out["results_dataset"]).columns) == [f"text.[{g}]" for g in names]
    np.testing.assert_allclose(_features(out["results_dataset"]).to_numpy(), expected, rtol=0, atol=1e-12)
    vocabulary = out["result_vocabulary"].df
    assert vocabulary["NGram"].tolist() == names
    assert vocabulary["Id"].tolist() == list(range(len(names)))
    assert vocabulary["DF"].tolist() == (counts > 0).sum(axis=0).tolist()
    np.testing.assert_allclose(vocabulary["IDF"].to_numpy(), idf, rtol=0, atol=1e-12)


def test_l2_normalized_tf_idf_matches_normalize_on_the_vectorizer_weights(run: Runner) -> None:
    counts = CountVectorizer(token_pattern=r"(?u)\b\w{3,25}\b").fit_transform(TOPICS).toarray().astype("float64")
    idf = TfidfVectorizer(token_pattern=r"(?u)\b\w{3,25}\b", smooth_idf=False, norm=None).fit(TOPICS).idf_ - 1.0

    out = _ngrams(run, TOPICS, weighting_function="TF-IDF Weight", normalize_n_gram_feature_vectors=True)

    features = _features(out["results_dataset"]).to_numpy()
    np.testing.assert_allclose(features, normalize(counts * idf, norm="l2"), rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(features, axis=1), np.ones(len(TOPICS)), rtol=0, atol=1e-12)


def test_word_length_limits_drop_short_and_long_words(run: Runner) -> None:
    out = _ngrams(run, ["an ox is extraordinarily big", "an ox eats"], minimum_word_length=2, maximum_word_length=4)

    assert out["result_vocabulary"].df["NGram"].tolist() == ["an", "big", "eats", "is", "ox"]


def test_read_only_vocabulary_gives_scoring_rows_the_training_columns_and_idf(run: Runner) -> None:
    params = {"n_grams_size": 2, "weighting_function": "TF-IDF Weight", "minimum_n_gram_document_absolute_frequency": 2}
    created = _ngrams(run, TOPICS, **params)
    vectorizer = CountVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w{3,25}\b", min_df=2).fit(TOPICS)
    training_idf = created["result_vocabulary"].df["IDF"].to_numpy()

    scored = run(
        "extract_n_gram_features_from_text",
        {"dataset": _text_table(NEW_TOPICS), "input_vocabulary": created["result_vocabulary"]},
        text_column="text",
        vocabulary_mode="ReadOnly",
        **params,
    )

    assert list(_features(scored["results_dataset"]).columns) == list(_features(created["results_dataset"]).columns)
    expected = vectorizer.transform(NEW_TOPICS).toarray() * training_idf
    np.testing.assert_allclose(_features(scored["results_dataset"]).to_numpy(), expected, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(scored["result_vocabulary"].df, created["result_vocabulary"].df)
    assert scored["results_dataset"].df["text.[OOV]"].tolist() == [True, True, True]


def test_out_of_vocabulary_flags_rows_with_unknown_n_grams(run: Runner) -> None:
    out = _ngrams(run, ["red apple", "red apple", "green pear"], minimum_n_gram_document_absolute_frequency=2)

    assert out["result_vocabulary"].df["NGram"].tolist() == ["apple", "red"]
    assert out["results_dataset"].df["text.[OOV]"].tolist() == [False, False, True]


def test_without_detection_there_is_no_out_of_vocabulary_column(run: Runner) -> None:
    out = _ngrams(run, ["red apple", "green pear"], detect_out_of_vocabulary_rows=False)

    assert list(out["results_dataset"].df.columns) == [
        "text",
        "text.[apple]",
        "text.[green]",
        "text.[pear]",
        "text.[red]",
    ]


# -- Feature Hashing -------------------------------------------------------------------------------------------


def test_feature_hashing_matches_hashing_vectorizer_counts(run: Runner) -> None:
    table = reviews()
    texts = ["" if t is None else t for t in REVIEWS]
    expected = HashingVectorizer(n_features=2**6, ngram_range=(1, 3), alternate_sign=False, norm=None).transform(texts)

    out = run("feature_hashing", {"dataset": table}, target_columns=["review"], hashing_bitsize=6, n_grams=3)

    df = out["transformed_dataset"].df
    hashed = [f"review - Hashing feature {i}" for i in range(64)]
    assert list(df.columns) == ["review", "stars", "sentiment", *hashed]
    np.testing.assert_array_equal(df[hashed].to_numpy(), expected.toarray())
    assert df[hashed].to_numpy()[8].sum() == 0.0  # the missing review hashes nothing


def test_feature_hashing_hashes_each_text_column_separately(run: Runner) -> None:
    a, b = ["red blue", "blue"], ["green", "green green"]
    table = DataTable(pd.DataFrame({"a": pd.Series(a, dtype="str"), "b": pd.Series(b, dtype="str")}))
    vectorizer = HashingVectorizer(n_features=2, ngram_range=(1, 1), alternate_sign=False, norm=None)

    out = run("feature_hashing", {"dataset": table}, hashing_bitsize=1, n_grams=1)

    df = out["transformed_dataset"].df
    assert list(df.columns) == [
        "a",
        "b",
        "a - Hashing feature 0",
        "a - Hashing feature 1",
        "b - Hashing feature 0",
        "b - Hashing feature 1",
    ]
    np.testing.assert_array_equal(df.iloc[:, 2:4].to_numpy(), vectorizer.transform(a).toarray())
    np.testing.assert_array_equal(df.iloc[:, 4:6].to_numpy(), vectorizer.transform(b).toarray())
    assert df.iloc[:, 4:6].to_numpy().sum(axis=1).tolist() == [1.0, 2.0]


# -- Latent Dirichlet Allocation -------------------------------------------------------------------------------


def _sklearn_lda(texts: list[str], topics: int, seed: int, **overrides: Any) -> tuple[CountVectorizer, SkLDA]:
    vectorizer = CountVectorizer(ngram_range=(1, 2), max_features=20000)
    options = {
        "n_components": topics,
        "doc_topic_prior": 0.01,
        "topic_word_prior": 0.01,
        "learning_method": "online",
        "learning_decay": 0.5,
        "learning_offset": 1.0,
        "max_iter": 25,
        "batch_size": 32,
        "total_samples": 1000,
        "random_state": seed,
    }
    model = SkLDA(**{**options, **overrides}).fit(vectorizer.fit_transform(texts))
    return vectorizer, model


def test_lda_topics_and_feature_matrix_match_scikit_learn(run: Runner) -> None:
    vectorizer, model = _sklearn_lda(TOPICS, 2, seed=run.ctx.seed)  # type: ignore[attr-defined]
    expected = model.transform(vectorizer.transform(TOPICS))

    out = run("latent_dirichlet_allocation", {"dataset": _text_table(TOPICS)}, number_of_topics_to_model=2)

    transformed = out["transformed_dataset"].df
    assert list(transformed.columns) == ["text", "Topic 1", "Topic 2"]
    np.testing.assert_allclose(transformed[["Topic 1", "Topic 2"]].to_numpy(), expected, rtol=0, atol=1e-12)
    matrix = out["feature_topic_matrix"].df
    assert matrix["Feature"].tolist() == list(vectorizer.get_feature_names_out())
    word_given_topic = (model.components_ / model.components_.sum(axis=1, keepdims=True)).T
    np.testing.assert_allclose(matrix[["Topic 1", "Topic 2"]].to_numpy(), word_given_topic, rtol=0, atol=1e-12)


def test_lda_transformation_applied_to_new_rows_reproduces_sklearn_transform(run: Runner) -> None:
    vectorizer, model = _sklearn_lda(TOPICS, 3, seed=run.ctx.seed)  # type: ignore[attr-defined]
    out = run("latent_dirichlet_allocation", {"dataset": _text_table(TOPICS)}, number_of_topics_to_model=3)
    stored = Transformation.deserialize(Transformation.serialize(out["lda_transformation"]))

    applied = LatentDirichletAllocation.apply_transform(stored.spec, _text_table(NEW_TOPICS))

    expected = model.transform(vectorizer.transform(NEW_TOPICS))
    got = applied.df[["Topic 1", "Topic 2", "Topic 3"]].to_numpy()
    assert np.abs(got - expected).max() < 1e-9
    np.testing.assert_allclose(got.sum(axis=1), np.ones(3), rtol=0, atol=1e-12)


def test_lda_transformation_is_plain_json_numbers(run: Runner) -> None:
    out = run("latent_dirichlet_allocation", {"dataset": _text_table(TOPICS)}, number_of_topics_to_model=2)

    spec = out["lda_transformation"].spec

    assert json.loads(json.dumps(spec)) == spec
    assert sorted(spec) == [
        "build_dictionary_of_ngrams",
        "components",
        "doc_topic_prior",
        "exp_dirichlet_component",
        "hash_bits",
        "max_doc_update_iter",
        "mean_change_tol",
        "n_grams",
        "normalize",
        "target_columns",
        "vocabulary",
    ]
    assert len(spec["components"]) == 2
    assert len(spec["components"][0]) == len(spec["vocabulary"])


def test_unnormalized_lda_matches_sklearn_and_applies_the_same(run: Runner) -> None:
    vectorizer, model = _sklearn_lda(TOPICS, 2, seed=run.ctx.seed)  # type: ignore[attr-defined]
    out = run(
        "latent_dirichlet_allocation", {"dataset": _text_table(TOPICS)}, number_of_topics_to_model=2, normalize=False
    )

    applied = LatentDirichletAllocation.apply_transform(out["lda_transformation"].spec, _text_table(TOPICS))

    expected = model.transform(vectorizer.transform(TOPICS), normalize=False)
    np.testing.assert_allclose(out["transformed_dataset"].df.iloc[:, 1:].to_numpy(), expected, rtol=0, atol=1e-12)
    assert np.abs(applied.df.iloc[:, 1:].to_numpy() - expected).max() < 1e-9
    np.testing.assert_allclose(out["feature_topic_matrix"].df.iloc[:, 1:].to_numpy(), model.components_.T, atol=0)


def test_lda_advanced_options_apply_only_when_shown(run: Runner) -> None:
    advanced = {
        "rho_parameter": 0.2,
        "alpha_parameter": 0.3,
        "estimated_number_of_documents": 50,
        "size_of_the_batch": 3,
        "initial_value_of_iteration": 4.0,
        "power_applied_to_the_iteration_during_updates": 0.7,
        "number_of_training_iterations": 7,
        "maximum_size_of_the_ngram_dictionary": 30,
    }
    vectorizer = CountVectorizer(ngram_range=(1, 1), max_features=30)
    counts = vectorizer.fit_transform(TOPICS)
    model = SkLDA(
        n_components=2,
        topic_word_prior=0.2,
        doc_topic_prior=0.3,
        total_samples=50,
        batch_size=3,
        learning_offset=4.0,
        learning_decay=0.7,
        max_iter=7,
        learning_method="online",
        random_state=run.ctx.seed,  # type: ignore[attr-defined]
    ).fit(counts)
    table = _text_table(TOPICS)

    shown = run(
        "latent_dirichlet_allocation",
        {"dataset": table},
        number_of_topics_to_model=2,
        n_grams=1,
        show_all_options=True,
        **advanced,
    )
    hidden = run("latent_dirichlet_allocation", {"dataset": table}, number_of_topics_to_model=2, n_grams=1, **advanced)

    np.testing.assert_allclose(
        shown["transformed_dataset"].df.iloc[:, 1:].to_numpy(), model.transform(counts), atol=1e-12
    )
    assert shown["feature_topic_matrix"].df["Feature"].tolist() == list(vectorizer.get_feature_names_out())
    assert len(hidden["feature_topic_matrix"].df) == len(CountVectorizer().fit(TOPICS).vocabulary_)
    assert shown["lda_transformation"].spec["doc_topic_prior"] == 0.3
    assert hidden["lda_transformation"].spec["doc_topic_prior"] == 0.01


def test_lda_without_a_dictionary_hashes_n_grams_into_buckets(run: Runner) -> None:
    counts = HashingVectorizer(n_features=2**5, ngram_range=(1, 2), alternate_sign=False, norm=None).transform(TOPICS)
    model = SkLDA(
        n_components=2,
        doc_topic_prior=0.01,
        topic_word_prior=0.01,
        learning_method="online",
        learning_decay=0.5,
        learning_offset=1.0,
        max_iter=25,
        batch_size=32,
        total_samples=1000,
        random_state=run.ctx.seed,  # type: ignore[attr-defined]
    ).fit(counts)
    options = {
        "show_all_options": True,
        "build_dictionary_of_ngrams": False,
        "number_of_bits_to_use_for_feature_hashing": 5,
    }

    out = run("latent_dirichlet_allocation", {"dataset": _text_table(TOPICS)}, number_of_topics_to_model=2, **options)
    applied = LatentDirichletAllocation.apply_transform(out["lda_transformation"].spec, _text_table(NEW_TOPICS))

    np.testing.assert_allclose(
        out["transformed_dataset"].df.iloc[:, 1:].to_numpy(), model.transform(counts), atol=1e-12
    )
    assert out["feature_topic_matrix"].df["Feature"].tolist() == [f"Hash bucket {i}" for i in range(32)]
    new_counts = HashingVectorizer(n_features=32, ngram_range=(1, 2), alternate_sign=False, norm=None).transform(
        NEW_TOPICS
    )
    expected = model.transform(new_counts)
    assert np.abs(applied.df.iloc[:, 1:].to_numpy() - expected).max() < 1e-9


def test_lda_joins_several_target_columns_into_one_document(run: Runner) -> None:
    halves = [t.split(" ", 3) for t in TOPICS]
    table = DataTable(
        pd.DataFrame(
            {
                "head": pd.Series([" ".join(h[:3]) for h in halves], dtype="str"),
                "tail": pd.Series([h[3] for h in halves], dtype="str"),
            }
        )
    )
    vectorizer, model = _sklearn_lda(TOPICS, 2, seed=run.ctx.seed)  # type: ignore[attr-defined]

    out = run("latent_dirichlet_allocation", {"dataset": table}, number_of_topics_to_model=2)

    expected = model.transform(vectorizer.transform(TOPICS))
    np.testing.assert_allclose(out["transformed_dataset"].df[["Topic 1", "Topic 2"]].to_numpy(), expected, atol=1e-12)


# -- Convert Word to Vector ------------------------------------------------------------------------------------

SENTENCES = [
    "the king rules the land ||| the queen rules the land",
    "the king and the queen live in the castle",
    "a dog runs in the park ||| a cat sleeps in the park",
    "the dog and the cat play in the garden",
] * 5


def _gensim_sentences() -> list[list[str]]:
    return [re.findall(r"\w+", part) for text in SENTENCES for part in text.split("|||") if part.strip()]


@pytest.mark.parametrize(
    ("strategy", "algorithm", "cls", "sg"),
    [
        ("Gensim Word2Vec", "Skip_gram", Word2Vec, 1),
        ("Gensim Word2Vec", "CBOW", Word2Vec, 0),
        ("Gensim FastText", "Skip_gram", FastText, 1),
    ],
)
def test_word_vectors_match_gensim_trained_directly(
    run: Runner, strategy: str, algorithm: str, cls: Any, sg: int
) -> None:
    seed = run.ctx.seed  # type: ignore[attr-defined]
    model = cls(
        sentences=_gensim_sentences(),
        vector_size=12,
        window=3,
        epochs=4,
        min_count=5,
        max_final_vocab=10000,
        sg=sg,
        seed=seed,
        workers=1,
    )

    out = run(
        "convert_word_to_vector",
        {"dataset": _text_table(SENTENCES)},
        target_column="text",
        word2vec_strategy=strategy,
        word2vec_training_algorithm=algorithm,
        length_of_word_embedding=12,
        context_window_size=3,
        number_of_epochs=4,
    )["vocabulary_with_embeddings"].df

    assert out["Vocabulary"].tolist() == list(model.wv.index_to_key)
    assert list(out.columns) == ["Vocabulary", *(f"Embedding Dim {i}" for i in range(12))]
    np.testing.assert_array_equal(out.iloc[:, 1:].to_numpy(), model.wv.vectors.astype("float64"))


def test_minimum_count_and_maximum_vocabulary_size_limit_the_words(run: Runner) -> None:
    counts = pd.Series([w for s in _gensim_sentences() for w in s]).value_counts()
    capped = Word2Vec(sentences=_gensim_sentences(), vector_size=10, min_count=5, max_final_vocab=5, workers=1)

    def vocabulary(**params: Any) -> list[str]:
        out = run(
            "convert_word_to_vector",
            {"dataset": _text_table(SENTENCES)},
            target_column="text",
            length_of_word_embedding=10,
            **params,
        )
        return list(out["vocabulary_with_embeddings"].df["Vocabulary"])

    frequent = vocabulary(minimum_word_count=10)
    few = vocabulary(minimum_word_count=5, maximum_vocabulary_size=10)

    assert sorted(frequent) == sorted(counts[counts >= 10].index)
    assert few == list(capped.wv.index_to_key)
    assert few == ["the", "in"]  # gensim raises the minimum count past ties so that at most 10 words remain


def test_apply_transformation_module_repeats_the_lda_topics(run: Runner) -> None:
    out = run("latent_dirichlet_allocation", {"dataset": reviews()}, number_of_topics_to_model=4)

    applied = run("apply_transformation", {"transformation": out["lda_transformation"], "dataset": reviews()})[
        "transformed_dataset"
    ]

    assert list(applied.df.columns) == list(out["transformed_dataset"].df.columns)
    topics = [f"Topic {k}" for k in range(1, 5)]
    assert np.abs(applied.df[topics].to_numpy() - out["transformed_dataset"].df[topics].to_numpy()).max() < 1e-9
