"""Import Data: a table from an HTTP URL, a server path or object-store URL, or a SQL query."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, Module, ModuleError, Out, ParamModel, RunContext, StoredTable, Table
from modules.sdk.stream_csv import TextOptions, typed_pieces
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
    like any node: tick "Regenerate output" on the node to fetch fresh data.
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
            df = _from_http(params)
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


def _from_http(params: ImportData.Params) -> pd.DataFrame:
    if not params.url.strip():
        raise ModuleError("enter an http:// or https:// URL", param="url")
    return _fetch_table(params.url, params, "url")


def _fetch_table(url: str, params: ImportData.Params, param: str) -> pd.DataFrame:
    """A table from an http(s) URL, fetched through the network guard."""
    from . import _fetch

    fmt = _sources.file_format(url, params.file_format, "file_format")
    data = _fetch.fetch(
        url,
        param=param,
        max_bytes=_sources.max_bytes(),
        timeout=HTTP_TIMEOUT,
        allowed=_sources.allowed_networks(param),
    )
    return parse_bytes(data, fmt, params.has_header, param)


def _from_path(params: ImportData.Params, ctx: RunContext) -> pd.DataFrame | StoredTable:
    """The matching files' rows; CSV/TSV files larger together than a partition are read in pieces straight into
    the store (``stream_csv``: typed as each whole file would be), never whole."""
    import fsspec

    if not params.path:
        raise ModuleError("enter a path or object-store URL", param="path")
    if _sources.is_http(params.path):  # an http(s) "path" goes through the same guard as the URL source
        return _fetch_table(params.path, params, "path")
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
    if fmt == "Parquet" and partition > 0 and partition < sum(_parquet_memory(handle) for handle in files):
        return _parquet_in_pieces(files, partition, ctx)
    if fmt != "Parquet" and 0 < partition < sum(sizes):
        return _in_pieces(files, fmt, params.has_header, partition, ctx)
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


def _in_pieces(files: list[Any], fmt: str, has_header: bool, partition: int, ctx: RunContext) -> StoredTable:
    """The files' rows written piece by piece (one row group each). Each file is typed as a whole, as when read
    whole; a later file must give each column the first file's type (a column with no values in a piece aside),
    else the import is refused naming the file and the column."""
    options = TextOptions(delimiter="\t" if fmt == "TSV" else ",", has_header=has_header)
    dtypes: pd.Series | None = None
    with ctx.tables.writer() as sink:
        for handle in files:
            try:
                pieces = typed_pieces(lambda h=handle: h.fs.open(h.path, "rb"), options, piece_chars=partition // 2)
                for piece in pieces:
                    dtypes = piece.dtypes if dtypes is None else dtypes
                    _same_columns(handle, piece, dtypes)
                    sink.write(DataTable(piece))
                    ctx.check_cancelled()
            except TextDataError as exc:
                message = f"'{handle.path}' cannot be read as {fmt}: {exc.message}"
                raise ModuleError(message, param="path", column=exc.column) from None
        return sink.close()


def _parquet_memory(handle: Any) -> int:
    """About how many bytes the file's rows take in memory, from its footer (a file whose footer cannot be
    read counts as small: it is read whole and refused as before)."""
    try:
        with handle.fs.open(handle.path, "rb") as f:
            return parquet_memory_bytes(f)
    except ParquetDataError:
        return 0


def _parquet_in_pieces(files: list[Any], partition: int, ctx: RunContext) -> StoredTable:
    """The Parquet files' rows written piece by piece (about half a partition in memory each, one row group
    each), an index pandas saved dropped as a whole file's is; a later file must give each column the first
    file's type, as for CSV pieces."""
    dtypes: pd.Series | None = None
    with ctx.tables.writer() as sink:
        for handle in files:
            try:
                with handle.fs.open(handle.path, "rb") as f:
                    for piece in parquet_pieces(f, max(partition // 2, 1), index_as_data=False):
                        dtypes = piece.dtypes if dtypes is None else dtypes
                        _same_columns(handle, piece, dtypes)
                        sink.write(DataTable(piece))
                        ctx.check_cancelled()
            except ParquetDataError as exc:
                raise ModuleError(f"'{handle.path}' {exc.message}", param="path") from None
        return sink.close()


def _same_columns(handle: Any, piece: pd.DataFrame, dtypes: pd.Series) -> None:
    if list(piece.columns) != list(dtypes.index):
        raise ModuleError(f"'{handle.path}' has other columns than the first file", param="path")
    for name, dtype in dtypes.items():
        if not _alike(piece[name].dtype, dtype) and piece[name].notna().any():
            raise ModuleError(
                f"'{handle.path}' reads column '{name}' as {piece[name].dtype}, the first file as {dtype}; import "
                "the files one by one (Add Rows joins them) or make the column alike in all of them",
                param="path",
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
