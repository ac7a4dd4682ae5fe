"""Table artifacts as Dask partitions: read a stored table onto a cluster, write a partitioned one back.

A table artifact is one Parquet file (content-addressed like every artifact); its row groups are its
partitions. Reading gives each cluster worker a contiguous row range to read from the store itself (the
store object travels to the workers: a local directory they share, or an object-store URL), never the
whole file through this process. Writing gathers the partitions in order, one at a time, into one file
whose row groups are the partitions, so the next node, on either path, reads it as any other table.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from modules.sdk import DataTable, PartitionedTable, StoredTable

from .store import ArtifactStore
from .tables import StoreTables


def partition_ranges(row_groups: Sequence[int], partition_rows: int | None) -> list[tuple[int, int]]:
    """Row ranges ``[start, stop)`` covering the table: one per row group, or ``partition_rows`` rows each."""
    total = sum(row_groups)
    if partition_rows is None:
        ranges, start = [], 0
        for rows in row_groups:
            if rows:
                ranges.append((start, start + rows))
            start += rows
        return ranges or [(0, 0)]
    return [(s, min(s + partition_rows, total)) for s in range(0, total, partition_rows)] or [(0, 0)]


class _RangeReader:
    """Reads rows ``[start, stop)`` of one stored table: the row groups they fall in, then the slice."""

    def __init__(self, store: ArtifactStore, digest: str, row_groups: Sequence[int]) -> None:
        self.store = store
        self.digest = digest
        self.offsets = [0]
        for rows in row_groups:
            self.offsets.append(self.offsets[-1] + rows)

    def __dask_tokenize__(self) -> tuple[str, str, tuple[int, ...]]:
        return ("tessera-table", self.digest, tuple(self.offsets))  # content-addressed: the digest names the rows

    def __call__(self, bounds: tuple[int, int]) -> Any:
        import pandas as pd

        start, stop = bounds
        table = StoredTable(self.digest, lambda: self.store.open(self.digest))
        count = len(self.offsets) - 1
        first = min(max(bisect.bisect_right(self.offsets, start) - 1, 0), max(count - 1, 0))
        last = min(max(bisect.bisect_right(self.offsets, stop - 1) - 1, first), count - 1)
        groups = list(range(first, last + 1)) if stop > start and count else []
        df = table.read_row_groups(groups).df
        skip = start - self.offsets[first] if groups else 0
        df = df.iloc[skip : skip + (stop - start)]
        df.index = pd.RangeIndex(start, start + len(df))  # positions in the whole table, as the pandas path's
        return df


def open_partitioned(store: ArtifactStore, digest: str, partition_rows: int | None = None) -> PartitionedTable:
    """The stored table ``digest`` as a lazy Dask frame, one partition per range (nothing is read yet)."""
    import dask.dataframe as dd
    import pandas as pd

    stored = StoredTable(digest, lambda: store.open(digest))
    groups = stored.row_groups
    ranges = partition_ranges(groups, partition_rows)
    empty = stored.empty().df
    empty.index = pd.RangeIndex(0, 0)
    divisions: list[int] | None = [r[0] for r in ranges] + [ranges[-1][1] - 1]
    if any(stop <= start for start, stop in ranges):
        divisions = None  # an empty table: one empty partition, divisions unknown
    frame = dd.from_map(
        _RangeReader(store, digest, groups),
        ranges,
        meta=empty,
        divisions=divisions,
        label="read-table",
        enforce_metadata=False,
    )
    return PartitionedTable(frame, stored.meta)


def write_partitioned(table: PartitionedTable, store: ArtifactStore, client: Any) -> StoredTable:
    """Compute ``table``'s partitions on the cluster and store them, in order, as one Parquet file whose row
    groups are the non-empty partitions; this process holds one partition at a time."""
    parts = table.frame.to_delayed()
    futures = client.compute(parts)
    sink = StoreTables(store).writer()
    written = False
    with sink:
        for future in futures:
            df = future.result()
            future.release()
            if len(df):
                sink.write(DataTable(df, table.meta))
                written = True
        if not written:
            sink.write(DataTable(table.empty, table.meta))
        return sink.close()
