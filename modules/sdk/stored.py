"""Tables that stay in the artifact store: read a few row groups at a time, written chunk by chunk.

A module that must not hold a whole table in memory (Parallel Run over a million rows) declares its
input ``In(Table, stored=True)`` and gets a ``StoredTable`` instead of a ``DataTable``: a handle on
the Parquet artifact that reads row groups, or streams fixed-size batches, on demand. It can return a
``StoredTable`` for a Table output too, written with ``ctx.tables.writer()``; the engine then records
the artifact as it is instead of serializing a frame. Both read and write the same Parquet layout as
``Table.serialize`` (table meta under the ``tessera`` key), so any module downstream reads the result
as a plain ``DataTable``.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from .errors import ModuleError
from .values import DataTable

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .schema import TableSchema

META_KEY = b"tessera"
#: Read buffer when streaming batches out of a row group, so a large row group is never read whole.
STREAM_BUFFER = 1 << 20
COMPRESSION = "lz4"


def arrow_to_table(arrow: pa.Table) -> DataTable:
    """A ``DataTable`` from an Arrow table written by ``Table.serialize`` or ``ParquetChunks``."""
    raw = (arrow.schema.metadata or {}).get(META_KEY, b"{}")
    return DataTable(arrow.to_pandas(), json.loads(raw))


def text_columns(schema: pa.Schema) -> list[str]:
    """Columns worth dictionary-encoding: everything but numbers (on floats it costs ~10x for nothing)."""
    import pyarrow as pa

    return [f.name for f in schema if not (pa.types.is_floating(f.type) or pa.types.is_integer(f.type))]


class StoredTable:
    """A Parquet table artifact, read in parts. ``open`` returns a fresh seekable binary file each call.

    Metadata (row counts per row group, columns, table meta) is read from the footer once. Nothing
    here verifies the artifact's digest: a ranged read cannot, and Parquet checks its own structure.
    """

    def __init__(self, digest: str, open: Callable[[], BinaryIO], *, size: int | None = None) -> None:
        self.digest = digest
        self._open = open
        self._size = size
        self._footer: pq.FileMetaData | None = None
        self._arrow_schema: pa.Schema | None = None

    def __repr__(self) -> str:
        return f"StoredTable({self.digest[:12]}..., {self.num_rows} rows)"

    # -- metadata ----------------------------------------------------------------------------
    def _read_footer(self) -> None:
        import pyarrow.parquet as pq

        with self._open() as f:
            pf = pq.ParquetFile(f)
            self._footer = pf.metadata
            self._arrow_schema = pf.schema_arrow

    @property
    def footer(self) -> pq.FileMetaData:
        if self._footer is None:
            self._read_footer()
        assert self._footer is not None
        return self._footer

    @property
    def arrow_schema(self) -> pa.Schema:
        if self._arrow_schema is None:
            self._read_footer()
        assert self._arrow_schema is not None
        return self._arrow_schema

    @property
    def num_rows(self) -> int:
        return int(self.footer.num_rows)

    @property
    def row_groups(self) -> list[int]:
        """The number of rows in each row group, in order."""
        return [int(self.footer.row_group(i).num_rows) for i in range(self.footer.num_row_groups)]

    @property
    def meta(self) -> dict[str, Any]:
        raw = (self.arrow_schema.metadata or {}).get(META_KEY, b"{}")
        value: dict[str, Any] = json.loads(raw)
        return value

    @property
    def schema(self) -> TableSchema:
        """Column names and types as the rows will read, from an empty read of the schema."""
        return self.empty().schema

    @property
    def size(self) -> int:
        if self._size is None:
            with self._open() as f:
                self._size = int(f.seek(0, io.SEEK_END))
        return self._size

    def summary(self) -> dict[str, Any]:
        """What the run view shows without reading rows: the row count and the columns with their types."""
        return {"rows": self.num_rows, "columns": [{"name": c.name, "type": c.dtype} for c in self.schema.columns]}

    # -- rows --------------------------------------------------------------------------------
    def empty(self) -> DataTable:
        """No rows, the table's columns and meta."""
        return arrow_to_table(self.arrow_schema.empty_table())

    def read_row_groups(self, groups: Sequence[int]) -> DataTable:
        """The rows of these row groups, in the order given; memory is what those rows take."""
        import pyarrow.parquet as pq

        if not groups:
            return self.empty()
        with self._open() as f:
            arrow = pq.ParquetFile(f).read_row_groups(list(groups))
        return arrow_to_table(arrow.replace_schema_metadata(self.arrow_schema.metadata))

    def read(self) -> DataTable:
        """Every row (for small tables: the point of a stored table is not to do this)."""
        return self.read_row_groups(range(self.footer.num_row_groups))

    def iter_batches(self, rows: int) -> Iterator[DataTable]:
        """Batches of ``rows`` rows in order (the last may be shorter), read through a small buffer: a
        row group larger than memory allows is streamed page by page, never read whole."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        with self._open() as f:
            pf = pq.ParquetFile(f, buffer_size=STREAM_BUFFER, pre_buffer=False)
            metadata = self.arrow_schema.metadata
            for batch in pf.iter_batches(batch_size=rows):
                yield arrow_to_table(pa.Table.from_batches([batch]).replace_schema_metadata(metadata))

    def read_bytes(self) -> bytes:
        with self._open() as f:
            return f.read()


class ParquetChunks:
    """Writes tables that arrive in chunks, in order, as one Parquet file: each chunk becomes row groups
    of the same file, with the column types and table meta of the first chunk.

    Later chunks are cast to the first one's types (a column that is all missing in one chunk, a
    category with other categories); one that cannot be cast is refused naming the column.
    """

    def __init__(self, sink: BinaryIO, row_group_rows: int | None = None) -> None:
        self.sink = sink
        self.row_group_rows = row_group_rows
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, table: DataTable) -> None:
        import pyarrow as pa

        arrow = pa.Table.from_pandas(table.df, preserve_index=False)
        if self._writer is None:
            self._start(arrow, table.meta)
        assert self._writer is not None and self._schema is not None
        if not arrow.schema.equals(self._schema, check_metadata=False):
            arrow = self._cast(arrow)
        self._writer.write_table(arrow, row_group_size=self.row_group_rows or max(len(arrow), 1))
        self.rows += len(arrow)

    def _start(self, arrow: pa.Table, meta: dict[str, Any]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        # One index width for every chunk's categories, whatever their count in the first chunk.
        fields = [
            pa.field(f.name, pa.dictionary(pa.int32(), f.type.value_type), f.nullable)
            if pa.types.is_dictionary(f.type)
            else f
            for f in arrow.schema
        ]
        metadata = dict(arrow.schema.metadata or {})
        metadata[META_KEY] = json.dumps(meta, sort_keys=True, default=str).encode()
        self._schema = pa.schema(fields, metadata=metadata)
        self._writer = pq.ParquetWriter(
            self.sink, self._schema, compression=COMPRESSION, use_dictionary=text_columns(self._schema)
        )

    def _cast(self, arrow: pa.Table) -> pa.Table:
        import pyarrow as pa

        assert self._schema is not None
        names = [f.name for f in self._schema]
        if arrow.column_names != names:
            raise ModuleError(
                f"a chunk has the columns {', '.join(arrow.column_names)}, where the first had {', '.join(names)}"
            )
        for field in self._schema:
            try:
                arrow.column(field.name).cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise ModuleError(
                    f"column '{field.name}' holds {arrow.schema.field(field.name).type} in one chunk and "
                    f"{field.type} in the first: {exc}",
                    column=field.name,
                ) from None
        return arrow.cast(self._schema)

    def close(self) -> int:
        """Finish the file; the rows written. A writer that got no chunk writes nothing."""
        if self._writer is not None:
            self._writer.close()
        return self.rows

    @property
    def started(self) -> bool:
        return self._writer is not None

    def abandon(self) -> None:
        """Stop writing without finishing the file (it is about to be thrown away)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.close()


class TableSink:
    """A table being written chunk by chunk into the store: ``write`` each chunk in order, then ``close``
    for the ``StoredTable``. As a context manager, a sink left unclosed is discarded."""

    def __init__(self, sink: BinaryIO, row_group_rows: int | None = None) -> None:
        self.chunks = ParquetChunks(sink, row_group_rows)
        self.stored: StoredTable | None = None

    def write(self, table: DataTable) -> None:
        if self.stored is not None:
            raise ValueError("this table is closed")
        self.chunks.write(table)

    def close(self) -> StoredTable:
        """Store what was written; a sink given no chunk cannot be stored (there are no columns)."""
        if self.stored is None:
            if not self.chunks.started:
                raise ValueError("no chunk was written, so the table has no columns")
            self.chunks.close()
            self.stored = self._finish()
        return self.stored

    def _finish(self) -> StoredTable:
        raise NotImplementedError  # the store's sink moves the file into the store

    def discard(self) -> None:
        """Forget what was written (a failed run); nothing is stored."""

    def __enter__(self) -> TableSink:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.stored is None:
            self.chunks.abandon()
            self.discard()


class TableStore(Protocol):
    """Table artifacts of the run's workspace, by content digest (``ctx.tables``).

    What a module saves or writes belongs to the run's workspace at once, so another part of the same
    node (on another worker) can read it back by its digest; a digest of another workspace is refused.
    """

    def save(self, table: DataTable) -> str:
        """Store a (small) table; its digest. Results of ``ctx.map`` parts are JSON, so a part returns this."""
        ...

    def load(self, digest: str) -> DataTable:
        """A stored table, whole."""
        ...

    def open(self, digest: str) -> StoredTable:
        """A stored table, to read in row groups or batches."""
        ...

    def writer(self, row_group_rows: int | None = None) -> TableSink:
        """A new table written in chunks; each chunk is one row group unless ``row_group_rows`` is given."""
        ...
