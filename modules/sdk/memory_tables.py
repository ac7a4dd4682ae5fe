"""Tables kept in a dict of digest -> bytes (``LocalContext.artifacts``): the ``TableStore`` of tests and scripts.

Apart from ``stored.py`` because it serializes with the Table port type, which itself reads stored tables.
"""

from __future__ import annotations

import hashlib
import io

from .errors import ModuleError
from .ports import Table
from .stored import StoredTable, TableSink
from .values import DataTable


class MemoryTables:
    """A ``TableStore`` over a dict of digest -> bytes (``LocalContext.artifacts``), for tests and scripts."""

    def __init__(self, artifacts: dict[str, bytes]) -> None:
        self.artifacts = artifacts

    def save(self, table: DataTable) -> str:
        data = Table.serialize(table)
        digest = hashlib.sha256(data).hexdigest()
        self.artifacts[digest] = data
        return digest

    def _bytes(self, digest: str) -> bytes:
        try:
            return self.artifacts[digest]
        except KeyError:
            raise ModuleError(f"table {digest[:12]} is not available", param="artifact") from None

    def load(self, digest: str) -> DataTable:
        table: DataTable = Table.deserialize(self._bytes(digest))
        return table

    def open(self, digest: str) -> StoredTable:
        data = self._bytes(digest)
        return StoredTable(digest, lambda: io.BytesIO(data), size=len(data))

    def writer(self, row_group_rows: int | None = None) -> TableSink:
        return _MemorySink(self, row_group_rows)


class _MemorySink(TableSink):
    def __init__(self, tables: MemoryTables, row_group_rows: int | None) -> None:
        self.buffer = io.BytesIO()
        super().__init__(self.buffer, row_group_rows)
        self.tables = tables

    def _finish(self) -> StoredTable:
        data = self.buffer.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        self.tables.artifacts[digest] = data
        return self.tables.open(digest)
