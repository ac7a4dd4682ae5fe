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

from .errors import ModuleError
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

    def gather(self, columns: list[str] | None = None, *, port: str | None = None) -> DataTable:
        """Every row (of ``columns``) in this process: for small results, or one column a statistic needs whole.

        Read :data:`GATHER_BATCH` partitions at a time, adding up their memory: past :func:`gather_limit`
        it stops with a ``ModuleError`` (naming ``port``) rather than let the worker run out of memory."""
        from dask.dataframe.dispatch import concat  # as compute() joins partitions (categories united)

        frame = self.frame if columns is None else self.frame[columns]
        limit = gather_limit()
        parts: list[pd.DataFrame] = []
        held = 0
        for start in range(0, frame.npartitions, GATHER_BATCH):
            batch = compute(*(frame.partitions[i] for i in range(start, min(start + GATHER_BATCH, frame.npartitions))))
            parts += batch
            held += sum(int(p.memory_usage(deep=True).sum()) for p in batch)
            if held > limit:
                rows = sum(len(p) for p in parts)
                raise ModuleError(
                    f"the table is too large to gather into one worker: its first {rows:,} rows (of "
                    f"{frame.npartitions:,} partitions read, {len(parts):,}) already take {_mib(held)} of memory, "
                    f"more than the {_mib(limit)} a worker may gather ({GATHER_LIMIT_ENV}; by default half the "
                    "memory available). Reduce the table first with Partition and Sample (Sample or Head)",
                    port=port,
                )
        whole = concat(parts) if parts else frame._meta
        return DataTable(whole, dict(self.meta))


#: Partitions computed together while gathering a table (the memory check runs between batches).
GATHER_BATCH = 16
#: Megabytes a worker may gather from a partitioned table (a float); unset: half the memory available.
GATHER_LIMIT_ENV = "TESSERA_GATHER_LIMIT_MB"


def gather_limit() -> int:
    """Bytes a worker may hold of a gathered table: ``TESSERA_GATHER_LIMIT_MB``, or half the available memory."""
    import os

    configured = os.environ.get(GATHER_LIMIT_ENV, "").strip()
    if configured:
        return int(float(configured) * 2**20)
    import psutil

    return int(psutil.virtual_memory().available // 2)


def _mib(n: int) -> str:
    return f"{n / 2**30:,.1f} GiB" if n >= 2**30 else f"{n / 2**20:,.1f} MiB"


def compute(*values: Any) -> tuple[Any, ...]:
    """Compute several lazy Dask values in one pass over the partitions (shared reads are read once)."""
    import dask

    return tuple(dask.compute(*values))
