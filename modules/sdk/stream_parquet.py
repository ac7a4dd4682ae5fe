"""A Parquet file as the frame Tessera reads it, whole or, when it is larger than memory, in pieces.

Whole (``parquet_frame``) or in pieces (``parquet_pieces``), the rows are the same: an index pandas saved is
data the user wants to see (its columns come first, as ``reset_index`` puts them), a plain row counter is not;
column names become text; a file with two columns of one name, no columns or no rows is refused. Parquet
fixes each column's type in the footer, so unlike a CSV (``stream_csv``) no piece needs the whole file to be
typed: a piece is a run of record batches of about ``piece_bytes`` in memory, read with the file's own schema
(a category column's categories may differ from piece to piece: ``ParquetChunks`` writes them as one type).
Every refusal the footer can show comes before the first piece, so a caller storing the pieces stores nothing
for a refused file; a damaged page further on raises ``ParquetDataError`` when its piece is read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, BinaryIO

import pandas as pd

if TYPE_CHECKING:
    import pyarrow as pa
    import pyarrow.parquet as pq


class ParquetDataError(ValueError):
    """The file cannot be read as a table; ``message`` says why, for a sentence naming the file."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parquet_frame(arrow: pa.Table) -> pd.DataFrame:
    """The whole table ``arrow`` (read from a Parquet file) as Tessera's frame; ``ParquetDataError`` when
    it has duplicate column names, no columns or no rows."""
    df = _as_data(arrow.to_pandas())
    if arrow.num_rows == 0:
        raise ParquetDataError("has columns but no rows")
    return df


def read_parquet(data: bytes) -> pd.DataFrame:
    """``parquet_frame`` of the Parquet bytes ``data``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:  # the file as it is, not through Arrow's datasets (which refuse two columns of one name unhelpfully)
        arrow = pq.ParquetFile(pa.BufferReader(data)).read(use_pandas_metadata=True)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ParquetDataError(f"is not a valid Parquet file ({exc})") from None
    return parquet_frame(arrow)


def parquet_pieces(source: BinaryIO, piece_bytes: int, *, index_as_data: bool = True) -> Iterator[pd.DataFrame]:
    """The rows of the Parquet file ``source`` (seekable) as frames of about ``piece_bytes`` in memory each,
    in order; concatenated, they are ``parquet_frame`` of the whole file. ``index_as_data=False``: an index
    pandas saved is dropped instead (what Import Data has always done with a whole file)."""
    import pyarrow as pa

    file = _open(source)
    _as_data(file.schema_arrow.empty_table().to_pandas())  # its columns checked before any row is read
    if file.metadata.num_rows == 0:
        raise ParquetDataError("has columns but no rows")
    rows = _rows_per_piece(file, piece_bytes)
    named_range = _named_range_index(file.schema_arrow) if index_as_data else None
    offset = 0
    try:
        for table in _gathered(file, rows):
            df = table.to_pandas()
            if named_range is not None:  # the whole file's index, this piece's part of it (see _named_range_index)
                start, step, name = named_range
                df.index = pd.RangeIndex(start + step * offset, start + step * (offset + len(df)), step, name=name)
            offset += len(df)
            yield _as_data(df) if index_as_data else df.reset_index(drop=True)
    except (pa.ArrowException, OSError) as exc:
        raise ParquetDataError(f"is damaged after row {offset:,} ({exc})") from None


def _gathered(file: pq.ParquetFile, rows: int) -> Iterator[pa.Table]:
    """The file's rows as tables of ``rows`` rows (the last one shorter): Arrow's batches end at row groups,
    which a writer may have made far smaller than a piece."""
    import pyarrow as pa

    batches: list[pa.RecordBatch] = []
    held = 0
    for batch in file.iter_batches(batch_size=rows, use_pandas_metadata=True):
        while len(batch):
            take = batch.slice(0, rows - held)
            batches.append(take)
            held += len(take)
            batch = batch.slice(len(take))
            if held == rows:
                yield pa.Table.from_batches(batches, schema=file.schema_arrow)
                batches, held = [], 0
    if batches:
        yield pa.Table.from_batches(batches, schema=file.schema_arrow)


def parquet_memory_bytes(source: BinaryIO) -> int:
    """About how many bytes the file's rows take in memory (its row groups' uncompressed sizes)."""
    metadata = _open(source).metadata
    return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))


def parquet_rows(source: BinaryIO) -> int:
    """The file's row count, from its footer."""
    return int(_open(source).metadata.num_rows)


def _open(source: BinaryIO) -> pq.ParquetFile:
    import pyarrow as pa
    import pyarrow.parquet as pq

    source.seek(0)
    try:
        return pq.ParquetFile(source)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ParquetDataError(f"is not a valid Parquet file ({exc})") from None


def _rows_per_piece(file: pq.ParquetFile, piece_bytes: int) -> int:
    metadata = file.metadata
    in_memory = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
    per_row = max(in_memory / max(metadata.num_rows, 1), 1.0)
    return max(int(piece_bytes // per_row), 1)


def _named_range_index(schema: pa.Schema) -> tuple[int, int, str] | None:
    """(start, step, name) of a row counter pandas saved under a name: the whole file reads it as a column, so
    each piece gets its part of it (a piece alone would read as an unnamed counter from 0)."""
    index = (schema.pandas_metadata or {}).get("index_columns") or []
    if len(index) != 1 or not isinstance(index[0], dict) or index[0].get("kind") != "range":
        return None
    counter = index[0]
    return None if counter.get("name") is None else (int(counter["start"]), int(counter["step"]), counter["name"])


def _check_columns(columns: list[str]) -> None:
    duplicates = sorted({c for c in columns if columns.count(c) > 1})
    if duplicates:
        raise ParquetDataError(f"has more than one column named {', '.join(repr(d) for d in duplicates)}")
    if not columns:
        raise ParquetDataError("has no columns")


def _as_data(df: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(df.index, pd.RangeIndex) or df.index.name is not None:
        df = df.reset_index()  # an index saved by pandas is data the user wants to see
    else:
        df = df.reset_index(drop=True)
    df.columns = [str(c) for c in df.columns]
    _check_columns(list(df.columns))
    return df
