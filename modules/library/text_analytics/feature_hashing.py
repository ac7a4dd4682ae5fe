"""Feature Hashing: each text column becomes 2^bits columns of hashed n-gram counts."""

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
    In,
    Module,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
)
from modules.sdk import columns as column_selection

from ._text import STRING_COLUMNS, check_size, require_rows, text_columns, texts, unique_names


class FeatureHashing(Module):
    """Turn each chosen text column into a fixed number of numeric columns by hashing its n-grams.

    Words are runs of two or more word characters (letters, digits, underscore), lowercased; every
    n-gram of 1 to "N-grams" words is hashed (scikit-learn's ``HashingVectorizer``: the absolute
    value of the signed 32-bit MurmurHash3 of the n-gram, modulo 2^bits) and counted. Colliding
    n-grams share a column. The hash is not nimbusml's, so the bucket an n-gram lands in differs
    from Azure's; the counts and the column layout are the same.
    Columns "<text column> - Hashing feature 0" ... "- Hashing feature 2^bits-1" are added after the
    input columns, which are kept (a label survives). Hashing learns nothing, so the same settings
    give the same columns on new data.
    """

    id = "feature_hashing"
    name = "Feature Hashing"
    category = "Text Analytics"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        transformed_dataset = Out(Table, "Transformed dataset")

    class Params(ParamModel):
        target_columns: ColumnSelection = column_selection(
            "dataset",
            default=STRING_COLUMNS,
            title="Target columns",
            description="The text columns to hash; all string columns by default.",
        )
        hashing_bitsize: int = Field(
            10,
            ge=1,
            le=16,
            title="Hashing bitsize",
            description="Each text column becomes 2^bitsize columns (10 gives 1,024); at most 16 (65,536).",
        )
        n_grams: int = Field(
            2, ge=1, le=10, title="N-grams", description="The longest n-gram hashed: 2 hashes single words and pairs."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from sklearn.feature_extraction.text import HashingVectorizer

        table: DataTable = inputs["dataset"]
        names = text_columns(table.schema, params.target_columns, "target_columns")
        require_rows(table)
        check_size(
            len(table.df), len(names) * 2**params.hashing_bitsize, "hashing_bitsize", "lower the hashing bitsize"
        )
        vectorizer = HashingVectorizer(
            n_features=2**params.hashing_bitsize,
            ngram_range=(1, params.n_grams),
            alternate_sign=False,
            norm=None,
        )
        taken = [str(c) for c in table.df.columns]
        parts = [table.df]
        for i, name in enumerate(names):
            ctx.check_cancelled()
            ctx.progress(i / len(names), f"hashing {name}")
            counts = np.asarray(vectorizer.transform(texts(table.df[name])).toarray(), dtype="float64")
            columns = unique_names(_feature_names(name, params.hashing_bitsize), taken)
            taken += columns
            parts.append(pd.DataFrame(counts, index=table.df.index, columns=columns))
        return {"transformed_dataset": DataTable(pd.concat(parts, axis=1), dict(table.meta))}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        schema = inputs.get("dataset")
        if schema is None:
            return {"transformed_dataset": None}
        taken = list(schema.names)
        added: list[Column] = []
        for name in text_columns(schema, params.target_columns, "target_columns"):
            columns = unique_names(_feature_names(name, params.hashing_bitsize), taken)
            taken += columns
            added += [Column(c, "number") for c in columns]
        return {"transformed_dataset": TableSchema(schema.columns + tuple(added), dict(schema.meta))}


def _feature_names(name: str, bits: int) -> list[str]:
    return [f"{name} - Hashing feature {i}" for i in range(2**bits)]
