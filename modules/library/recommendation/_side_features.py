"""User and item features tables for Wide and Deep: the id column, then feature columns."""

from __future__ import annotations

import pandas as pd

from modules.library._features import prepare_features
from modules.sdk import DataTable, ModuleError

NUMBERS = ("integer", "number", "datetime")


def feature_frame(
    table: DataTable,
    id_column: str,
    id_type: str,
    port: str,
    kinds: tuple[list[str], list[str]] | None = None,
) -> pd.DataFrame:
    """``table`` as the estimator reads it: the id (keyed as in the ratings) then numeric (float) and
    categorical (text) features. The id is the column named as in the ratings, else the first column.
    ``kinds`` (numeric, categorical names) is the encoding fixed at training; absent columns stay missing.
    """
    df = table.df
    if len(df.columns) == 0:
        raise ModuleError(f"the {port.replace('_', ' ')} has no columns", port=port)
    key = id_column if id_column in df.columns else str(df.columns[0])
    schema = table.schema
    if kinds is None:
        others = [c for c in schema.columns if c.name != key]
        numeric = [c.name for c in others if c.dtype in NUMBERS]
        categorical = [c.name for c in others if c.dtype not in NUMBERS]
    else:
        numeric = [n for n in kinds[0] if n in df.columns]
        categorical = [n for n in kinds[1] if n in df.columns]
    types = {key: id_type, **{n: "number" for n in numeric}, **{n: "string" for n in categorical}}
    if kinds is None:
        types.update({n: schema.get(n).dtype for n in numeric})  # type: ignore[union-attr]
    out = prepare_features(df, types, port=port)
    ids = out[key]
    if ids.isna().any():
        raise ModuleError(
            f"id column {key!r} of the {port.replace('_', ' ')} has missing values", port=port, column=key
        )
    repeated = ids.duplicated()
    if repeated.any():
        raise ModuleError(
            f"id {ids[repeated].iloc[0]!r} appears more than once in column {key!r} of the "
            f"{port.replace('_', ' ')}; keep one row of features per id",
            port=port,
            column=key,
        )
    for name in categorical:
        out[name] = out[name].astype(object)
    return out[[key, *numeric, *categorical]]
