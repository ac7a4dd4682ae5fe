"""Tables a worker just wrote or read, kept in its memory as Arrow for the node it runs next.

A worker that finishes a node usually runs its child next (``runs.services``: the finishing worker keeps
one ready node). Reading the child's input back means reading the file, checking its sha256 and decoding
the Parquet; the Arrow table the worker just encoded is already in memory. What is kept is the Arrow table
that was written, not the module's frame: a child sees exactly what it would have read back (no index, the
same dtypes), which holds only for column types whose Parquet round trip gives back the same Arrow table
(``KEPT_TYPES``; not dictionaries nor nested types). Nothing else changes: the bytes are stored, their digest
is the output's, and any other worker reads them from the store. A table read from the store (verified) is
kept too, as read: the next run's first node on this worker reads its dataset from memory.

Bounded by bytes, least recently used first out. Thread-safe (a worker's node and its parts may share it).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

    from modules.sdk import DataTable


def _kept_type(t: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(
        pa.types.is_integer(t)
        or pa.types.is_floating(t)
        or pa.types.is_boolean(t)
        or pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or pa.types.is_timestamp(t)
        or pa.types.is_date32(t)
        or pa.types.is_duration(t)
        or pa.types.is_decimal(t)
        or pa.types.is_null(t)
    )


class RecentTables:
    """Digest -> the Arrow table written under it, at most ``max_bytes`` of them (0: keep nothing)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._tables: OrderedDict[str, pa.Table] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def keep(self, digest: str, arrow: pa.Table) -> None:
        """Remember ``arrow`` (written as, or read from, the Parquet bytes that hash to ``digest``) if its types
        round-trip exactly."""
        size = int(arrow.nbytes)
        if size > self.max_bytes or not all(_kept_type(f.type) for f in arrow.schema):
            return
        with self._lock:
            if digest in self._tables:
                self._tables.move_to_end(digest)
                return
            self._tables[digest] = arrow
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._tables.popitem(last=False)
                self._bytes -= int(dropped.nbytes)

    def table(self, digest: str) -> DataTable | None:
        """The table as ``Table.deserialize`` of the stored bytes would give it; ``None`` when not kept."""
        from modules.sdk import Table

        with self._lock:
            arrow = self._tables.get(digest)
            if arrow is None:
                return None
            self._tables.move_to_end(digest)
        return Table.from_arrow(arrow)

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._tables)
