"""Import Data: a table from an HTTP URL, a server path or object-store URL, or a SQL query."""

from __future__ import annotations

import io
import itertools
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO, Literal

import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, Module, ModuleError, Out, ParamModel, RunContext, StoredTable, Table
from modules.sdk.scratch import scratch_dir
from modules.sdk.stream_csv import Retyped, TextOptions, pieces_read_once, typed_pieces
from modules.sdk.stream_parquet import ParquetDataError, parquet_memory_bytes, parquet_pieces
from modules.sdk.textdata import TextDataError, read_delimited

from . import _sources
from ._record_pieces import typed_record_pieces

HTTP_TIMEOUT = 60


class ImportData(Module):
    """Read a table from outside Tessera: an HTTP(S) URL, a file on the server or in an object store
    (CSV, TSV or Parquet; ``folder/*.csv`` patterns concatenate files with the same columns), or the
    rows of a SQL query on a database connection the operator configured.

    Better than Azure: database credentials are never typed into the pipeline (it names a connection
    the operator set up), a query is one statement run read-only (PostgreSQL, MySQL/MariaDB, SQLite),
    server paths are confined to the directories the operator allows, URLs cannot reach loopback or
    private addresses unless the operator allows them, and a failure names the parameter at fault. Imports are cached
    like any node: tick "Regenerate output" on the node to fetch fresh data. Data larger than a partition
    (``TESSERA_DATASET_PARTITION_MB``) is never held whole: files (fetched ones too) and query results are read
    in pieces straight into the stored output, typed as the whole would be.
    """

    id = "import_data"
    name = "Import Data"
    category = "Data Input and Output"

    class Outputs:
        dataset = Out(Table, "Results dataset")

    class Params(ParamModel):
        data_source: Literal["URL via HTTP", "Path or object-store URL", "SQL query"] = Field(
            "URL via HTTP", title="Data source", description="Where the rows come from."
        )
        url: str = Field("", max_length=2000, title="URL", description="An http:// or https:// address of a file.")
        path: str = Field(
            "",
            max_length=2000,
            title="Path",
            description="A server path inside the allowed directories, a pattern such as /data/2024/*.csv, or an "
            "object-store URL (s3://bucket/key.parquet).",
        )
        file_format: Literal["Auto", "CSV", "TSV", "Parquet"] = Field(
            "Auto", title="File format", description="Auto decides from the file extension."
        )
        has_header: bool = Field(True, title="Has header row", description="CSV/TSV: the first line names the columns.")
        connection: str = Field(
            "", max_length=200, title="Connection", description="A database connection the operator configured."
        )
        query: str = Field("", max_length=100_000, title="Query", description="A SQL SELECT statement.")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        if params.data_source == "URL via HTTP":
            read = _from_http(params, ctx)
        else:
            read = _from_sql(params, ctx) if params.data_source == "SQL query" else _from_path(params, ctx)
        if isinstance(read, StoredTable):
            ctx.log(
                f"imported {read.num_rows} rows and {len(read.schema.columns)} columns from "
                f"{params.data_source.lower()}, read in {len(read.row_groups)} pieces (larger than a partition)"
            )
            return {"dataset": read}
        df = read
        ctx.log(f"imported {len(df)} rows and {len(df.columns)} columns from {params.data_source.lower()}")
        return {"dataset": DataTable(df.reset_index(drop=True))}


def parse_bytes(data: bytes, fmt: str, has_header: bool, param: str) -> pd.DataFrame:
    if fmt == "Parquet":
        import pyarrow.parquet as pq

        try:
            return pq.read_table(io.BytesIO(data)).to_pandas()
        except Exception as exc:
            raise ModuleError(f"the file is not readable Parquet: {exc}", param=param) from None
    try:
        return read_delimited(data, delimiter="\t" if fmt == "TSV" else ",", has_header=has_header)
    except TextDataError as exc:
        raise ModuleError(f"the file cannot be read as {fmt}: {exc.message}", param=param, column=exc.column) from None


def _from_http(params: ImportData.Params, ctx: RunContext) -> pd.DataFrame | StoredTable:
    if not params.url.strip():
        raise ModuleError("enter an http:// or https:// URL", param="url")
    return _fetch_table(params.url, params, "url", ctx)


def _fetch_table(url: str, params: ImportData.Params, param: str, ctx: RunContext) -> pd.DataFrame | StoredTable:
    """A table from an http(s) URL, fetched through the network guard into a temporary file as it arrives; read
    whole, or in pieces when it is larger than a partition, as a file from a path is."""
    from . import _fetch

    fmt = _sources.file_format(url, params.file_format, "file_format")
    with tempfile.TemporaryFile(prefix="tessera-fetch-", dir=scratch_dir()) as body:
        _fetch.fetch(
            url,
            param=param,
            max_bytes=_sources.max_bytes(),
            timeout=HTTP_TIMEOUT,
            allowed=_sources.allowed_networks(param),
            into=body,
        )
        source = _Source(url, lambda: _at_start(body))
        partition = _sources.partition_bytes()
        if fmt == "Parquet" and 0 < partition < _parquet_memory(source):
            return _parquet_in_pieces([source], partition, ctx, param)
        if fmt != "Parquet" and 0 < partition < body.tell():
            return _in_pieces([source], fmt, params.has_header, partition, ctx, param)
        body.seek(0)
        return parse_bytes(body.read(), fmt, params.has_header, param)


@dataclass(frozen=True)
class _Source:
    """A file to import: its name in messages, and how to open it from its start."""

    name: str
    open: Callable[[], AbstractContextManager[BinaryIO]]


def _file(handle: Any) -> _Source:
    return _Source(str(handle.path), lambda: handle.fs.open(handle.path, "rb"))


@contextmanager
def _at_start(file: BinaryIO) -> Iterator[BinaryIO]:
    """``file`` from its first byte, left open (its owner closes it)."""
    file.seek(0)
    yield file


def _from_path(params: ImportData.Params, ctx: RunContext) -> pd.DataFrame | StoredTable:
    """The matching files' rows; CSV/TSV files larger together than a partition are read in pieces straight into
    the store (``stream_csv``: typed as each whole file would be), never whole."""
    import fsspec

    if not params.path:
        raise ModuleError("enter a path or object-store URL", param="path")
    if _sources.is_http(params.path):  # an http(s) "path" goes through the same guard as the URL source
        return _fetch_table(params.path, params, "path", ctx)
    fmt = _sources.file_format(params.path.replace("*", "x"), params.file_format)
    if _sources.is_local(params.path):
        location = str(_sources.local_path(params.path, "path"))
    else:
        location = _sources.object_store_url(params.path, "path")
    try:
        files = fsspec.open_files(location, mode="rb")
    except (ImportError, ValueError) as exc:
        raise ModuleError(f"'{params.path}' cannot be opened: {exc}", param="path") from None
    if not files:
        raise ModuleError(f"no file matches '{params.path}'", param="path")
    limit = _sources.max_bytes()
    sizes = [_size(handle, limit) for handle in files]
    partition = _sources.partition_bytes()
    sources = [_file(handle) for handle in files]
    if fmt == "Parquet" and partition > 0 and partition < sum(_parquet_memory(source) for source in sources):
        return _parquet_in_pieces(sources, partition, ctx, "path")
    if fmt != "Parquet" and 0 < partition < sum(sizes):
        return _in_pieces(sources, fmt, params.has_header, partition, ctx, "path")
    frames = []
    for handle in files:
        try:
            with handle as f:
                data = f.read(limit + 1)
        except FileNotFoundError:
            raise ModuleError(f"'{handle.path}' does not exist", param="path") from None
        if len(data) > limit:
            raise _too_large(handle, limit)
        frames.append(parse_bytes(data, fmt, params.has_header, "path"))
    first = list(frames[0].columns)
    for handle, frame in zip(files, frames, strict=True):
        if list(frame.columns) != first:
            raise ModuleError(f"'{handle.path}' has other columns than the first file", param="path")
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _size(handle: Any, limit: int) -> int:
    try:
        size = int(handle.fs.size(handle.path))
    except FileNotFoundError:
        raise ModuleError(f"'{handle.path}' does not exist", param="path") from None
    if size > limit:
        raise _too_large(handle, limit)
    return size


def _too_large(handle: Any, limit: int) -> ModuleError:
    return ModuleError(f"'{handle.path}' is larger than the {limit // (1024 * 1024)} MB import limit", param="path")


def _in_pieces(
    sources: list[_Source], fmt: str, has_header: bool, partition: int, ctx: RunContext, param: str
) -> StoredTable:
    """The files' rows written piece by piece (one row group each). Each file is typed as a whole, as when read
    whole; a later file must give each column the first file's type (a column with no values in a piece aside),
    else the import is refused naming the file and the column.

    Each file is read in one pass (``pieces_read_once``) unless a later piece changes a column's type: then what
    was written is dropped and every file read again in two (``typed_pieces``)."""
    try:
        return _write_pieces(sources, fmt, has_header, partition, ctx, param, pieces_read_once)
    except Retyped:
        ctx.log("a column's type changed late in a file: reading the files again, each typed as a whole first")
        return _write_pieces(sources, fmt, has_header, partition, ctx, param, typed_pieces)


def _write_pieces(
    sources: list[_Source],
    fmt: str,
    has_header: bool,
    partition: int,
    ctx: RunContext,
    param: str,
    read: Callable[..., Iterator[pd.DataFrame]],
) -> StoredTable:
    options = TextOptions(delimiter="\t" if fmt == "TSV" else ",", has_header=has_header)
    dtypes: pd.Series | None = None
    with ctx.tables.writer() as sink:
        for source in sources:
            try:
                for piece in read(source.open, options, piece_chars=partition // 2):
                    dtypes = piece.dtypes if dtypes is None else dtypes
                    _same_columns(source, piece, dtypes, param)
                    sink.write(DataTable(piece))
                    ctx.check_cancelled()
            except TextDataError as exc:
                message = f"'{source.name}' cannot be read as {fmt}: {exc.message}"
                raise ModuleError(message, param=param, column=exc.column) from None
        return sink.close()


def _parquet_memory(source: _Source) -> int:
    """About how many bytes the file's rows take in memory, from its footer (a file whose footer cannot be
    read counts as small: it is read whole and refused as before)."""
    try:
        with source.open() as f:
            return parquet_memory_bytes(f)
    except ParquetDataError:
        return 0


def _parquet_in_pieces(sources: list[_Source], partition: int, ctx: RunContext, param: str) -> StoredTable:
    """The Parquet files' rows written piece by piece (about half a partition in memory each, one row group
    each), an index pandas saved dropped as a whole file's is; a later file must give each column the first
    file's type, as for CSV pieces."""
    dtypes: pd.Series | None = None
    with ctx.tables.writer() as sink:
        for source in sources:
            try:
                with source.open() as f:
                    for piece in parquet_pieces(f, max(partition // 2, 1), index_as_data=False):
                        dtypes = piece.dtypes if dtypes is None else dtypes
                        _same_columns(source, piece, dtypes, param)
                        sink.write(DataTable(piece))
                        ctx.check_cancelled()
            except ParquetDataError as exc:
                raise ModuleError(f"'{source.name}' {exc.message}", param=param) from None
        return sink.close()


def _same_columns(source: _Source, piece: pd.DataFrame, dtypes: pd.Series, param: str) -> None:
    if list(piece.columns) != list(dtypes.index):
        raise ModuleError(f"'{source.name}' has other columns than the first file", param=param)
    for name, dtype in dtypes.items():
        if not _alike(piece[name].dtype, dtype) and piece[name].notna().any():
            raise ModuleError(
                f"'{source.name}' reads column '{name}' as {piece[name].dtype}, the first file as {dtype}; import "
                "the files one by one (Add Rows joins them) or make the column alike in all of them",
                param=param,
                column=str(name),
            )


def _alike(dtype: Any, first: Any) -> bool:
    """One column type in two pieces: equal, or both categories (each Parquet row group has its own; the table
    writer stores them as one)."""
    return bool(dtype == first) or (isinstance(dtype, pd.CategoricalDtype) and isinstance(first, pd.CategoricalDtype))


def _from_sql(params: ImportData.Params, ctx: RunContext) -> pd.DataFrame | StoredTable:
    """The query's rows: a frame when they take at most a partition in memory, else written piece by piece into
    the store (``_record_pieces``: typed as the whole result would be), never held whole."""
    from . import _sql

    if not params.query.strip():
        raise ModuleError("enter a SQL query", param="query")
    statement = _sql.single_select(params.query)
    url = _sources.connection_url(params.connection)
    partition = _sources.partition_bytes()
    with _sql.query_batches(url, statement, params.connection) as (columns, batches):
        held: list[tuple[Any, ...]] = []
        per_row = 0.0
        for batch in batches:
            held.extend(batch)
            if not per_row:  # bytes a row takes in the frame, from the first batch
                sample = _sql.frame(batch, columns)
                per_row = max(float(sample.memory_usage(index=False, deep=True).sum()) / max(len(batch), 1), 1.0)
            if 0 < partition < len(held) * per_row:
                rows = max(int(partition // 2 // per_row), 1)
                return _query_in_pieces(columns, itertools.chain([held], batches), rows, ctx)
    return _sql.frame(held, columns)


def _query_in_pieces(
    columns: list[str], batches: Iterable[list[tuple[Any, ...]]], rows: int, ctx: RunContext
) -> StoredTable:
    from . import _sql

    with ctx.tables.writer() as sink:
        for piece in typed_record_pieces(columns, batches, rows, _sql.frame):
            sink.write(DataTable(piece))
            ctx.check_cancelled()
        return sink.close()
