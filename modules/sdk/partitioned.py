"""Tables held in partitions on a Dask cluster: what a module's ``run_dask`` gets and returns for a Table port.

A module that can run partition-parallel implements ``run_dask(inputs, params, ctx)`` beside ``run``:
the same outputs, but its table inputs are ``PartitionedTable``s and its table outputs may be too.
The engine reads them from, and writes them to, the artifact store (one Parquet file whose row groups
are the partitions), so every module downstream reads a plain table, whichever path ran.

Rules that keep both paths equal:
- partitions hold the rows in table order, and each partition's index is its rows' positions in the
  whole table (the pandas path's ``RangeIndex``), so a filtered table keeps the same row labels;
- a statistic fitted on the whole table is reduced from per-partition parts (sums, counts, minima) or,
  where no exact reduction exists (a median), computed from the one column gathered;
- row-wise work runs the same function the pandas path runs, on each partition (``map``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .values import DataTable

if TYPE_CHECKING:
    import pandas as pd

    from .schema import TableSchema


@dataclass
class PartitionedTable:
    """``frame``: a ``dask.dataframe.DataFrame``; ``meta``: the table meta, as ``DataTable.meta``."""

    frame: Any
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> pd.DataFrame:
        """No rows, the columns and dtypes every partition has."""
        empty: pd.DataFrame = self.frame._meta
        return empty

    @property
    def schema(self) -> TableSchema:
        from .schema import TableSchema

        return TableSchema.of(self.empty, self.meta)

    @property
    def npartitions(self) -> int:
        return int(self.frame.npartitions)

    def map(
        self, fn: Callable[..., pd.DataFrame], *args: Any, meta: dict[str, Any] | None = None, **kwargs: Any
    ) -> PartitionedTable:
        """``fn(partition, *args, **kwargs)`` on every partition; the columns and dtypes of the result are
        those ``fn`` gives on the empty frame (so it must accept a frame with no rows)."""
        shape = fn(self.empty.copy(), *args, **kwargs)
        frame = self.frame.map_partitions(fn, *args, meta=shape, **kwargs)
        return PartitionedTable(frame, dict(self.meta) if meta is None else meta)

    def with_frame(self, frame: Any, meta: dict[str, Any] | None = None) -> PartitionedTable:
        return PartitionedTable(frame, dict(self.meta) if meta is None else meta)

    def rows(self) -> int:
        """The number of rows (one small task per partition)."""
        return int(self.frame.map_partitions(len).compute().sum())

    def gather(self, columns: list[str] | None = None) -> DataTable:
        """Every row (of ``columns``) in this process: for small results, or one column a statistic needs whole."""
        frame = self.frame if columns is None else self.frame[columns]
        return DataTable(frame.compute(), dict(self.meta))


def compute(*values: Any) -> tuple[Any, ...]:
    """Compute several lazy Dask values in one pass over the partitions (shared reads are read once)."""
    import dask

    return tuple(dask.compute(*values))
