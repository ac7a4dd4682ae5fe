"""Table artifacts of one workspace in the artifact store: what a worker's ``ctx.tables`` is.

Reading checks that the digest belongs to the workspace (``owned``), as ``load_artifact`` does: a
digest alone must never be enough to read another workspace's data. Writing grants what was written
to the workspace at once (``grant``), so another worker running a part of the same node can read it
back. A table written in chunks goes to a temporary file next to nothing else, then into the store
by its digest, so memory holds one chunk at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable, Collection
from pathlib import Path
from typing import BinaryIO

from modules.sdk import DataTable, ModuleError, StoredTable, Table, TableSink
from modules.sdk.scratch import scratch_dir

from .store import ArtifactMissing, ArtifactStore
from .validate import ArtifactLookup

Grant = Callable[[Collection[str]], None]
NOT_OWNED = (
    "does not belong to this run's workspace; it was not produced by one of its runs, uploaded to one of its "
    "datasets or registered in its model registry"
)


class StoreTables:
    """A ``TableStore`` over ``store``; ``owned`` and ``grant`` are the workspace's (``None``: no checks, for tests
    of the engine alone)."""

    def __init__(self, store: ArtifactStore, owned: ArtifactLookup | None = None, grant: Grant | None = None) -> None:
        self.store = store
        self.owned = owned
        self.grant = grant

    def _check(self, digest: str) -> None:
        if self.owned is not None and digest not in self.owned.owned([digest]):
            raise ModuleError(f"table {str(digest)[:12]}... {NOT_OWNED}", param="artifact")

    def _granted(self, digest: str) -> str:
        if self.grant is not None:
            self.grant([digest])
        return digest

    def save(self, table: DataTable) -> str:
        return self._granted(self.store.put(Table.serialize(table)))

    def load(self, digest: str) -> DataTable:
        self._check(digest)
        try:
            table: DataTable = Table.deserialize(self.store.get(digest))
        except ArtifactMissing as exc:
            raise ModuleError(f"table {digest[:12]}... is not in the artifact store: {exc}", param="artifact") from None
        return table

    def open(self, digest: str) -> StoredTable:
        self._check(digest)
        return self.stored(digest)

    def stored(self, digest: str) -> StoredTable:
        """A handle on ``digest`` without the ownership check: the engine's own inputs, already checked."""
        if not self.store.exists(digest):
            raise ModuleError(f"table {digest[:12]}... is not in the artifact store", param="artifact")
        return StoredTable(digest, lambda: self.store.open(digest))

    def writer(self, row_group_rows: int | None = None) -> TableSink:
        return _FileSink(self, row_group_rows)


class _Hashed:
    """A file being written, hashed as the bytes go by (the digest is ready when the last byte is written, not
    after reading the file again).

    A failed write (a full disk) is kept in ``error``, not raised to Arrow's Parquet writer, which calls
    ``write``: Arrow formats a Python exception raised inside its call, and Python 3.11's traceback formatting
    (``ast.parse``, for the carets) from there leaves the ``ast`` module's recursion count wrong, so that every
    later ``ast.parse`` in the process raises SystemError. The sink raises ``error`` after the chunk instead."""

    def __init__(self, file: BinaryIO) -> None:
        self.file = file
        self.sha = hashlib.sha256()
        self.error: OSError | None = None

    def write(self, data: bytes) -> int:
        if self.error is None:
            try:
                self.file.write(data)
                self.sha.update(data)
            except OSError as exc:
                self.error = exc
        return len(data)

    def tell(self) -> int:
        return self.file.tell()

    def flush(self) -> None:
        self.file.flush()

    @property
    def closed(self) -> bool:
        return self.file.closed

    def close(self) -> None:
        self.file.close()


class _FileSink(TableSink):
    """Chunks into a temporary file (in the scratch folder: a large table's, on the data's disk), hashed as they
    are written, then the file into the store."""

    def __init__(self, tables: StoreTables, row_group_rows: int | None) -> None:
        fd, path = tempfile.mkstemp(prefix="tessera-table-", suffix=".parquet", dir=scratch_dir())
        self.path = Path(path)
        self.file = _Hashed(os.fdopen(fd, "wb"))
        super().__init__(self.file, row_group_rows)  # type: ignore[arg-type]  # a file to pyarrow: write/tell/flush
        self.tables = tables

    def write(self, table: DataTable) -> None:
        super().write(table)
        self._raise_write_error()

    def _raise_write_error(self) -> None:
        if self.file.error is not None:
            raise self.file.error

    def _finish(self) -> StoredTable:
        self._raise_write_error()  # the end of the file Arrow wrote when it closed
        self.file.close()
        try:
            digest = self.tables.store.put_file(self.path, digest=self.file.sha.hexdigest())
        finally:
            self.path.unlink(missing_ok=True)
        return self.tables.stored(self.tables._granted(digest))

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # on a full disk this flush fails too: the file goes all the same
            self.file.close()
        self.path.unlink(missing_ok=True)
