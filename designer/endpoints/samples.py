"""Rows kept for drift, as compact JSON text: written on the request path, turned into rows by the flusher.

A sample is ``{"endpoint_id", "at", "input", "columns", "data"}`` with ``data`` a list of rows, each a list
of values in column order. Writing it costs one ``tolist`` for a frame of plain float columns (the usual
case: the typed request frame is one float block) and one per column otherwise; no Python call per cell.
Missing and non-finite numbers go out as ``NaN``/``Infinity`` tokens and come back as ``null`` in the stored
rows, dates as ISO 8601 text, pandas' missing markers as ``null``: the rows ``EndpointSample`` has always held.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import numpy as np
import pandas as pd


def _plain(value: Any) -> Any:
    """What ``json`` cannot write itself: dates as ISO 8601, numpy scalars as numbers, missing markers null."""
    if value is pd.NaT or value is pd.NA:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def sample_json(endpoint_id: int, input_name: str, frame: pd.DataFrame) -> str:
    """The first rows of one input (``frame`` is already cut to them) as spool text."""
    columns = [str(c) for c in frame.columns]
    if all(dtype == np.float64 for dtype in frame.dtypes):
        data = frame.to_numpy(dtype=np.float64).tolist()
    else:
        data = [list(row) for row in zip(*(s.tolist() for _, s in frame.items()), strict=True)]
    body = {"endpoint_id": endpoint_id, "at": time.time(), "input": input_name, "columns": columns, "data": data}
    return json.dumps(body, default=_plain, separators=(",", ":"))


def sample_rows(sample: dict[str, Any]) -> list[dict[str, Any]]:
    """A spooled sample's rows as ``EndpointSample.rows`` holds them: objects of column to value, null for
    missing or non-finite numbers."""
    columns = sample["columns"]
    return [
        {c: (None if isinstance(v, float) and not math.isfinite(v) else v) for c, v in zip(columns, row, strict=True)}
        for row in sample["data"]
    ]
