"""Convert Word to Vector: word embeddings trained on the input text with gensim (nothing is downloaded)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

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

from ._text import require_rows, text_column, texts

#: Words: runs of letters or digits, with inner apostrophes or hyphens ("don't", "state-of-the-art").
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
SENTENCE_SEPARATOR = "|||"


class ConvertWordToVector(Module):
    """Learn a vector for every frequent word of a text column, from that column alone.

    Each row is split into sentences at "|||" (what Preprocess Text writes with "Detect sentences")
    and into words (runs of letters or digits with inner apostrophes or hyphens; case is kept, so
    lowercase with Preprocess Text first). gensim trains Word2Vec (or FastText, which also uses
    character n-grams) with skip-gram or CBOW, one worker thread and the run's seed, so a rerun
    gives the same vectors. Azure's third strategy, pretrained GloVe vectors, needs a download and is
    not offered.

    The output lists the vocabulary, most frequent word first, with columns "Vocabulary" and
    "Embedding Dim 0" ... "Embedding Dim <length-1>". Words rarer than "Minimum word count" are
    dropped; when more words remain than "Maximum vocabulary size", gensim raises the minimum count
    until they fit.
    """

    id = "convert_word_to_vector"
    name = "Convert Word to Vector"
    category = "Text Analytics"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        vocabulary_with_embeddings = Out(Table, "Vocabulary with embeddings")

    class Params(ParamModel):
        target_column: str = column(
            "dataset", title="Target column", description="The string column whose words are embedded."
        )
        word2vec_strategy: Literal["Gensim Word2Vec", "Gensim FastText"] = Field(
            "Gensim Word2Vec",
            title="Word2Vec strategy",
            description="Word2Vec learns one vector per word; FastText builds it from character n-grams too.",
        )
        word2vec_training_algorithm: Literal["Skip_gram", "CBOW"] = Field(
            "Skip_gram",
            title="Word2Vec training algorithm",
            description="Skip-gram predicts the context from a word; CBOW predicts a word from its context.",
        )
        length_of_word_embedding: int = Field(
            100, ge=10, le=2000, title="Length of word embedding", description="How many numbers describe each word."
        )
        context_window_size: int = Field(
            5, ge=1, le=100, title="Context window size", description="How many words either side count as context."
        )
        number_of_epochs: int = Field(
            5, ge=1, le=1024, title="Number of epochs", description="Passes over the text while training."
        )
        maximum_vocabulary_size: int = Field(
            10000,
            ge=10,
            le=2_000_000,
            title="Maximum vocabulary size",
            description="At most this many words get a vector; rarer words are dropped first.",
        )
        minimum_word_count: int = Field(
            5, ge=1, le=100, title="Minimum word count", description="Words seen fewer times than this are ignored."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        name = text_column(table.schema, params.target_column, "target_column")
        require_rows(table)
        sentences = sentences_of(texts(table.df[name]))
        counts = Counter(word for sentence in sentences for word in sentence)
        if not counts:
            raise ModuleError(f"column {name!r} holds no words", param="target_column", column=name)
        top = counts.most_common(1)[0]
        if top[1] < params.minimum_word_count:
            raise ModuleError(
                f"no word occurs {params.minimum_word_count} times (the most frequent, {top[0]!r}, occurs {top[1]})",
                param="minimum_word_count",
            )
        ctx.check_cancelled()
        ctx.progress(0.1, "training word vectors")
        model = train(sentences, params, ctx.seed)
        ctx.progress(0.9, "collecting vectors")
        words = list(model.wv.index_to_key)
        vectors = np.asarray(model.wv.vectors, dtype="float64")
        ctx.log(f"{len(words)} words in the vocabulary ({len(counts)} distinct words in the text)")
        out = pd.DataFrame(vectors, columns=_embedding_names(params.length_of_word_embedding))
        out.insert(0, "Vocabulary", pd.Series(words, dtype="str"))
        return {"vocabulary_with_embeddings": DataTable(out)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is not None:
            text_column(schema, params.target_column, "target_column")
        columns = [Column("Vocabulary", "string")]
        columns += [Column(n, "number") for n in _embedding_names(params.length_of_word_embedding)]
        return {"vocabulary_with_embeddings": TableSchema(tuple(columns))}


def _embedding_names(length: int) -> list[str]:
    return [f"Embedding Dim {i}" for i in range(length)]


def sentences_of(documents: list[str]) -> list[list[str]]:
    """Every non-empty sentence of every document as its list of words."""
    out = []
    for doc in documents:
        for part in doc.split(SENTENCE_SEPARATOR):
            words = WORD.findall(part)
            if words:
                out.append(words)
    return out


def train(sentences: list[list[str]], params: ConvertWordToVector.Params, seed: int) -> Any:
    """The gensim model these options describe, trained on ``sentences`` with one worker."""
    from gensim.models import FastText, Word2Vec

    options: dict[str, Any] = {
        "vector_size": params.length_of_word_embedding,
        "window": params.context_window_size,
        "epochs": params.number_of_epochs,
        "min_count": params.minimum_word_count,
        "max_final_vocab": params.maximum_vocabulary_size,
        "sg": 1 if params.word2vec_training_algorithm == "Skip_gram" else 0,
        "seed": seed,
        "workers": 1,
    }
    cls = Word2Vec if params.word2vec_strategy == "Gensim Word2Vec" else FastText
    return cls(sentences=sentences, **options)
