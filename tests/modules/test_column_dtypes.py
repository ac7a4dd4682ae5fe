"""``column_dtypes`` reads the dtypes from pandas' block manager: the same list ``df.dtypes`` gives, for every kind of
column a table holds (a pandas upgrade that reads them otherwise fails here, not in a scored answer)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from modules.sdk import column_dtypes


def test_column_dtypes_are_the_frames_dtypes_for_every_kind_of_column() -> None:
    df = pd.DataFrame(
        {
            "int": [1, 2, 3],
            "float": [1.5, np.nan, 3.0],
            "text": ["a", None, "c"],
            "nullable int": pd.array([1, None, 3], dtype="Int64"),
            "flag": pd.array([True, None, False], dtype="boolean"),
            "bool": [True, False, True],
            "category": pd.Categorical(["x", "y", "x"]),
            "date": pd.to_datetime(["2024-01-01", None, "2024-03-01"]),
            "object": pd.Series([{"a": 1}, [2], None], dtype=object),
            "float again": [0.1, 0.2, 0.3],
        }
    )
    df.insert(1, "inserted", [7.0, 8.0, 9.0])  # a frame whose blocks are not in column order

    assert column_dtypes(df) == df.dtypes.tolist()
    assert column_dtypes(df[["float again", "int"]]) == [np.dtype("float64"), np.dtype("int64")]
    assert column_dtypes(pd.DataFrame()) == []
