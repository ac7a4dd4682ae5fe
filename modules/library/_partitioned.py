"""Statistics of a partitioned table, reduced from its partitions, for the modules' ``run_dask`` paths.

Each helper runs one small function per partition on the cluster and combines the per-partition parts
here, exactly where the parts combine exactly (counts, minima, maxima, value counts) and to within
rounding where they are sums (a mean; a standard deviation takes a second pass around the global mean,
as NumPy's two-pass ``std`` does). Nothing here gathers a whole table; ``column`` gathers one column,
for the statistics that have no exact reduction (a median, a quantile).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from modules.sdk import PartitionedTable

T = TypeVar("T")


def per_partition(table: PartitionedTable, fn: Callable[[pd.DataFrame], T]) -> list[T]:
    """``fn`` on every partition, on the cluster; the results here, in partition order."""
    import dask

    parts = table.frame.to_delayed()
    return list(dask.compute(*[dask.delayed(fn)(part) for part in parts]))


def _nulls(df: pd.DataFrame, names: Sequence[str]) -> tuple[int, dict[str, int]]:
    return len(df), {n: int(df[n].isna().sum()) for n in names}


def null_counts(table: PartitionedTable, names: Sequence[str]) -> tuple[int, dict[str, int]]:
    """The number of rows, and of missing values in each of ``names``."""
    parts = per_partition(table, functools.partial(_nulls, names=list(names)))
    rows = sum(p[0] for p in parts)
    return rows, {n: sum(p[1][n] for p in parts) for n in names}


@dataclass(frozen=True)
class Moments:
    """Of a column's present (non-missing) values, as float64: what Normalize Data and Clean Missing fit."""

    count: int
    mean: float
    sd: float  # population standard deviation (ddof 0), as ``numpy.std``
    min: float
    max: float
    nonpositive: int  # values <= 0 (LogNormal refuses them)


def _floats(series: pd.Series) -> np.ndarray:
    x = np.asarray(series.to_numpy(dtype="float64", na_value=np.nan), dtype="float64")
    return x[~np.isnan(x)]


def _first_pass(df: pd.DataFrame, names: Sequence[str], log: bool) -> dict[str, tuple[int, float, float, float, int]]:
    out = {}
    for name in names:
        x = _floats(df[name])
        nonpositive = int((x <= 0).sum())
        if log:
            x = np.log(x[x > 0])
        out[name] = (
            int(x.size),
            float(x.sum()),
            float(x.min()) if x.size else np.inf,
            float(x.max()) if x.size else -np.inf,
            nonpositive,
        )
    return out


def _second_pass(df: pd.DataFrame, means: dict[str, float], log: bool) -> dict[str, float]:
    out = {}
    for name, mean in means.items():
        x = _floats(df[name])
        if log:
            x = np.log(x[x > 0])
        out[name] = float(((x - mean) ** 2).sum())
    return out


def moments(table: PartitionedTable, names: Sequence[str], *, log: bool = False) -> dict[str, Moments]:
    """Count, mean, population SD, minimum and maximum of each column's present values (of their natural
    logarithm with ``log``, over the positive values), in two passes over the partitions."""
    first = per_partition(table, functools.partial(_first_pass, names=list(names), log=log))
    counts = {n: sum(p[n][0] for p in first) for n in names}
    means = {n: (sum(p[n][1] for p in first) / counts[n] if counts[n] else float("nan")) for n in names}
    second = per_partition(table, functools.partial(_second_pass, means=means, log=log))
    out = {}
    for n in names:
        squares = sum(p[n] for p in second)
        out[n] = Moments(
            count=counts[n],
            mean=means[n],
            sd=float(np.sqrt(squares / counts[n])) if counts[n] else float("nan"),
            min=min(p[n][2] for p in first),
            max=max(p[n][3] for p in first),
            nonpositive=sum(p[n][4] for p in first),
        )
    return out


def _counts(df: pd.DataFrame, name: str) -> pd.Series:
    counts = df[name].value_counts(dropna=True, sort=False)
    return counts[counts > 0]


def value_counts(table: PartitionedTable, name: str) -> pd.Series:
    """How often each present value of column ``name`` occurs (index: the values), summed over partitions."""
    parts = [p for p in per_partition(table, functools.partial(_counts, name=name)) if len(p)]
    if not parts:
        return pd.Series([], dtype="int64")
    return pd.concat(parts).groupby(level=0, sort=False).sum()


def mode_sample(table: PartitionedTable, name: str) -> pd.Series:
    """A small series holding each most frequent value of ``name`` once (empty when no value is present), in
    the column's dtype: its ``.mode()`` is the column's, ties broken as pandas breaks them."""
    counts = value_counts(table, name)
    dtype = table.empty[name].dtype
    if counts.empty:
        return pd.Series([], dtype=dtype)
    tied = counts.index[counts.to_numpy() == counts.max()]
    return pd.Series(list(tied), dtype=dtype)


def column(table: PartitionedTable, name: str, *, present: bool = False) -> pd.Series:
    """Column ``name`` whole, in this process (its present values only with ``present``)."""
    series = table.frame[name]
    if present:
        series = series.dropna()
    result: pd.Series = series.compute()
    return result


def shared(value: Any) -> Any:
    """``value`` placed on the cluster once (a future every partition's task depends on), rather than copied
    into each task: for per-row arrays a step hands to every partition (a split's row mask)."""
    from distributed import default_client

    return default_client().scatter(value, hash=True)


def keep_index(fn: Callable[..., pd.DataFrame]) -> Callable[..., pd.DataFrame]:
    """``fn`` on a partition, its result labelled with the partition's own labels (same number of rows)."""

    @functools.wraps(fn)
    def labelled(df: pd.DataFrame, *args: Any, **kwargs: Any) -> pd.DataFrame:
        out = fn(df, *args, **kwargs)
        out.index = df.index
        return out

    return labelled
