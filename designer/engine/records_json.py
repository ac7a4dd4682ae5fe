"""A table as the JSON array of row objects that scoring answers with, numbers written exactly.

pandas' ``to_json`` writes a float with a fixed count of decimals (99.8 comes out as 99.799999999999997,
1.2345678901234567e-05 as 0.000012345678901), so a client reads back a value the model never produced.
Here each float column is taken out whole as Python floats and written by the standard library's C encoder
(the shortest text that reads back as the same number, as ``repr(float)``); dates, text and nullable columns
still go through pandas (ISO 8601, missing values as null), and a table with no float column is written by
pandas as before.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import orjson
import pandas as pd

from modules.sdk import column_dtypes


def records_json(df: pd.DataFrame) -> str:
    """``[{"column": value, ...}, ...]`` for the frame's rows, with no spaces; NaN and infinities as null."""
    dtypes = column_dtypes(df)  # once, and without the Series ``df.dtypes`` builds
    if not df.columns.is_unique or not any(dtype.kind == "f" for dtype in dtypes):
        # Nothing to write more exactly than pandas does (and pandas names a repeated column).
        text: str = df.to_json(orient="records", date_format="iso", double_precision=15, force_ascii=False)
        return text
    names = [str(c) for c in df.columns]
    if all(dtype is _FLOAT64 or _plain(dtype) for dtype in dtypes):
        # The usual answer (float inputs, a label, a probability): the whole frame as Python values in one
        # call, not a Series per column (a single-row answer was 30 pandas calls for 30 numbers). A missing
        # or non-finite value makes the encoder refuse (NaN, infinity, pandas' NA): then column by column.
        try:
            cells = df.to_numpy(dtype=object)
            _pin_small_floats(cells, [i for i, dtype in enumerate(dtypes) if dtype is _FLOAT64])
            rows_ = [dict(zip(names, row, strict=True)) for row in cells.tolist()]
            return orjson.dumps(rows_).decode()
        except (TypeError, ValueError):
            pass
    columns = [_values(series) for _, series in df.items()]
    rows = [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


_FLOAT64 = np.dtype("float64")


def _pin_small_floats(cells: np.ndarray, floats: list[int]) -> None:
    """Make orjson write each float as the standard library does (``repr``): it writes the same shortest
    digits, but a magnitude from 1e-9 to 1e-4 differently (``0.0000123`` and ``1e-9`` where Python writes
    ``1.23e-05`` and ``1e-09``; every other magnitude, NaN and infinity as null included, reads the same).
    Those few cells become orjson fragments holding Python's text; the rest stay floats, encoded in C
    (100 rows of 32 numbers: ~0.2 ms instead of ~1 ms with ``json``, answers being most of a 100-row
    call's own work). Integers beyond 64 bits and pandas' NA make orjson refuse (TypeError): the caller
    then writes column by column."""
    if not floats or not len(cells):
        return
    with np.errstate(invalid="ignore"):
        size = np.abs(cells[:, floats].astype(np.float64))
        rows, columns = np.nonzero((size >= 1e-9) & (size < 1e-4))
    for row, column in zip(rows.tolist(), columns.tolist(), strict=True):
        at = floats[column]
        cells[row, at] = orjson.Fragment(repr(cells[row, at]))


def _plain(dtype: Any) -> bool:
    """Integers, booleans (numpy's or pandas' nullable ones) and text: their values are already what the
    encoder writes (a missing one is pandas' NA or NaN, which the encoder refuses)."""
    if isinstance(dtype, np.dtype):
        return dtype.kind in "iub"
    return isinstance(dtype, pd.StringDtype | pd.BooleanDtype) or (
        isinstance(dtype, pd.api.extensions.ExtensionDtype) and dtype.kind in "iu" and dtype.name[:1] in "IU"
    )


def _values(series: pd.Series) -> list[Any]:
    """One column's values as the JSON encoder should see them."""
    dtype = series.dtype
    if dtype.kind == "f":
        return _floats(series)
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        values: list[Any] = series.to_numpy().tolist()
        return values
    if isinstance(dtype, pd.StringDtype):
        # Text as it is (the encoder escapes it as pandas would), missing values null: no detour through pandas.
        texts: list[Any] = series.to_numpy(dtype=object, na_value=None).tolist()
        return texts
    # Dates, text, nullable and other types: as pandas writes them (dates ISO 8601, missing values null).
    text = series.to_json(orient="records", date_format="iso", double_precision=15, force_ascii=False)
    written: list[Any] = json.loads(text)
    if dtype == np.dtype(object):
        # A float inside an object column keeps its exact value.
        for row, value in enumerate(series.tolist()):
            if isinstance(value, float):
                written[row] = value if math.isfinite(value) else None
    return written


def _floats(series: pd.Series) -> list[Any]:
    """A float column as Python floats (float32 and float16 by their own shortest text), None where a value
    is missing or not finite."""
    dtype = series.dtype if isinstance(series.dtype, np.dtype) else np.dtype("float64")
    values = series.to_numpy(dtype=dtype, na_value=np.nan)
    if dtype.itemsize < 8:
        values = values.astype(str).astype(np.float64)
    finite = np.isfinite(values)
    if finite.all():
        exact: list[Any] = values.tolist()
        return exact
    cleaned = values.astype(object)
    cleaned[~finite] = None
    nullable: list[Any] = cleaned.tolist()
    return nullable
