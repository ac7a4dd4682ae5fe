"""Table profiles and pages for the browser: per-column statistics and row windows, all JSON-safe.

Everything here is vectorized (a profile of a million rows must stay well under a second per
column), and every value leaves as plain JSON: NaN and infinities become ``null``, timestamps ISO
strings, numpy scalars Python numbers.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from modules.sdk import StoredTable, dtype_of

if TYPE_CHECKING:
    import pandas as pd

_NUMERIC = ("integer", "number")


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON: NaN/inf/NA/NaT -> None, numpy -> Python, times -> ISO strings."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return _json_safe_other(value)


def _json_safe_other(value: Any) -> Any:
    import numpy as np
    import pandas as pd

    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).isoformat()
    if isinstance(value, np.timedelta64):
        return None if np.isnat(value) else pd.Timedelta(value).isoformat()
    if isinstance(value, np.generic):
        return json_safe(value.item())
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, pd.Timedelta):
        return value.isoformat()
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return pd.Timedelta(value).isoformat()
    if isinstance(value, Decimal):
        return json_safe(float(value))
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def profile_table(df: pd.DataFrame, *, top: int = 10, histogram_bins: int = 20) -> dict[str, Any]:
    """Rows plus, per column: type, missing, distinct, and numeric statistics or the most common values."""
    columns = [_profile_column(df.iloc[:, i], str(name), top, histogram_bins) for i, name in enumerate(df.columns)]
    return {"rows": len(df), "columns": columns}


def _profile_column(series: pd.Series, name: str, top: int, bins: int) -> dict[str, Any]:
    dtype = dtype_of(series)
    profile: dict[str, Any] = {"name": name, "type": dtype, "missing": int(series.isna().sum())}
    if dtype in _NUMERIC:
        profile["distinct"] = int(series.nunique(dropna=True))
        profile.update(_numeric(series, bins))
    else:
        counts = _value_counts(series)
        profile["distinct"] = len(counts)
        profile["top"] = [{"value": json_safe(v), "count": int(c)} for v, c in counts.head(top).items()]
    return profile


def _numeric(series: pd.Series, bins: int) -> dict[str, Any]:
    import numpy as np

    values = series.to_numpy(dtype="float64", na_value=np.nan)
    finite = values[np.isfinite(values)]
    if finite.size:
        counts, edges = np.histogram(finite, bins=bins)
        histogram = {"edges": json_safe(edges.tolist()), "counts": counts.tolist()}
    else:
        histogram = {"edges": [], "counts": []}
    with np.errstate(all="ignore"):  # infinities make mean/std NaN; that is reported as None, not warned
        stats = {"min": series.min(), "max": series.max(), "mean": series.mean(), "std": series.std()}
    return {**{k: json_safe(v) for k, v in stats.items()}, "histogram": histogram}


def _value_counts(series: pd.Series) -> pd.Series:
    """Counts of non-missing values, most common first (unhashable values counted by their text)."""
    try:
        counts = series.value_counts(dropna=True)
    except TypeError:
        counts = series.dropna().astype(str).value_counts()
    return counts[counts > 0]


def page_table(df: pd.DataFrame, offset: int, limit: int) -> dict[str, Any]:
    """Rows ``offset`` to ``offset + limit`` as JSON-safe lists, with the column names and types."""
    if offset < 0 or limit < 0:
        raise ValueError(f"offset and limit must not be negative (got offset={offset}, limit={limit})")
    window = df.iloc[offset : offset + limit]
    columns = [{"name": str(name), "type": dtype_of(df.iloc[:, i])} for i, name in enumerate(df.columns)]
    values = [[json_safe(v) for v in window.iloc[:, i].tolist()] for i in range(window.shape[1])]
    rows = [list(row) for row in zip(*values, strict=True)] if values else [[] for _ in range(len(window))]
    return {"total": len(df), "offset": offset, "limit": limit, "columns": columns, "rows": rows}


def page_stored(table: StoredTable, offset: int, limit: int) -> dict[str, Any]:
    """``page_table`` of a stored table, reading only the row groups the window falls in: a page of a table
    larger than memory costs what its row groups take, whatever the table's size."""
    if offset < 0 or limit < 0:
        raise ValueError(f"offset and limit must not be negative (got offset={offset}, limit={limit})")
    groups = table.row_groups
    total = sum(groups)
    wanted, start, first_row = [], 0, None
    for i, rows in enumerate(groups):
        if rows and start < offset + limit and start + rows > offset:
            wanted.append(i)
            first_row = start if first_row is None else first_row
        start += rows
    df = table.read_row_groups(wanted).df if wanted else table.empty().df
    skip = offset - first_row if first_row is not None else 0
    page = page_table(df.iloc[skip : skip + limit], 0, limit)
    return {**page, "total": total, "offset": offset}


class ExactCounts:
    """A table's missing values, and each number column's count, mean, spread, minimum and maximum, counted exactly
    one part at a time (row groups read back, or the parts of a table as they are written)."""

    def __init__(self) -> None:
        self.missing: dict[str, int] = {}
        self.parts: dict[str, list[tuple[int, float, float, float, float]]] = {}

    def add(self, df: pd.DataFrame) -> None:
        import numpy as np

        for i, name in enumerate(df.columns):
            series = df.iloc[:, i]
            if dtype_of(series) not in _NUMERIC:
                self.missing[str(name)] = self.missing.get(str(name), 0) + int(series.isna().sum())
                continue
            x = series.to_numpy(dtype="float64", na_value=np.nan)
            nan = np.isnan(x)
            missing = int(np.count_nonzero(nan))
            self.missing[str(name)] = self.missing.get(str(name), 0) + missing
            if missing:
                x = x[~nan]
            if x.size:
                mean = float(x.mean())
                spread = x - mean
                np.multiply(spread, spread, out=spread)  # (x - mean) ** 2 without a second array
                part = (x.size, mean, float(spread.sum()), float(x.min()), float(x.max()))
                self.parts.setdefault(str(name), []).append(part)


def profile_stored(table: StoredTable, sample: pd.DataFrame, counts: ExactCounts | None = None) -> dict[str, Any]:
    """A profile of a stored table whose ``sample`` (rows spread over it) gives the distinct counts, top values
    and histograms, with the row count, missing values and a number column's minimum, maximum, mean and spread
    counted exactly on every row, one row group at a time (the table is never read whole), or taken from
    ``counts`` made while the table was written."""
    profile = profile_table(sample)
    total = table.num_rows
    profile["rows"] = total
    if len(sample) < total:
        profile["sampled_rows"] = len(sample)
    if counts is None:
        counts = ExactCounts()
        for group in range(len(table.row_groups)):
            counts.add(table.read_row_groups([group]).df)
    for column in profile["columns"]:
        name = column["name"]
        column["missing"] = counts.missing.get(name, 0)
        if column["type"] in _NUMERIC and counts.parts.get(name):
            column.update({k: json_safe(v) for k, v in _combined(counts.parts[name]).items()})
    return profile


def _combined(parts: list[tuple[int, float, float, float, float]]) -> dict[str, float]:
    """Minimum, maximum, mean and sample standard deviation from per-row-group counts, means and sums of squared
    deviations (Chan et al.'s pairwise update: no cancellation when the mean is large against the spread)."""
    n, mean, m2 = 0, 0.0, 0.0
    for count, part_mean, part_m2, _, _ in parts:
        delta = part_mean - mean
        total = n + count
        mean += delta * count / total
        m2 += part_m2 + delta * delta * n * count / total
        n = total
    std = math.sqrt(m2 / (n - 1)) if n > 1 else math.nan
    return {"min": min(p[3] for p in parts), "max": max(p[4] for p in parts), "mean": mean, "std": std}
