"""Writes for datasets: read an upload into a table, store it as Parquet, profile it, record the version.

A ``.zip`` upload is a file dataset instead: the archive is checked (member names, links, counts and
sizes) and stored as it is, with the list of its files as the profile.

Order matters: the file is checked and parsed first, the bytes go to the content-addressed store
next (an orphan blob after a failure is harmless), and the rows are written last in one
transaction, so a failed upload leaves no Dataset or DatasetVersion behind.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError

from designer.activity import services as activity
from designer.artifacts import artifact_store
from designer.artifacts import services as ownership
from designer.engine.profile import ExactCounts, json_safe, profile_stored, profile_table
from designer.engine.written import chunks_written_by
from designer.schedules.dispatch import dataset_version_created
from designer.workspaces.models import Workspace
from modules.sdk import DataTable, Table, TableSchema
from modules.sdk import StoredTable as TableArtifact
from modules.sdk.fast_csv import read_fast
from modules.sdk.ports import zip_members
from modules.sdk.stream_csv import Retyped, pieces_read_once, typed_pieces
from modules.sdk.stream_parquet import (
    ParquetDataError,
    parquet_memory_bytes,
    parquet_pieces,
    parquet_rows,
    read_parquet,
)
from modules.sdk.textdata import TextDataError, read_delimited

from .models import Dataset, DatasetRegistration, DatasetVersion
from .options import ReadOptions
from .samples import SAMPLES, Sample, sample_named

PARQUET_MAGIC = b"PAR1"
PARQUET_SUFFIXES = (".parquet", ".pq")
TAB_SUFFIXES = (".tsv", ".tab")
ZIP_SUFFIXES = (".zip",)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
SNIFFED_DELIMITERS = (",", "\t", ";", "|")


class UploadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The file is larger than the upload limit."
    default_code = "too_large"


@dataclass(frozen=True)
class ParsedUpload:
    df: pd.DataFrame
    source_name: str
    #: The options the text was read with (the delimiter as guessed); ``None`` for Parquet.
    options: ReadOptions | None = None


@dataclass(frozen=True)
class LargeText:
    """A delimited upload larger than one partition (``TESSERA_DATASET_PARTITION_BYTES``): read in pieces when it
    is stored or previewed (``stream_csv``), never whole. ``file`` is the upload, read again from its start."""

    file: Any
    source_name: str
    options: ReadOptions

    def pieces(self, *, once: bool = False) -> Iterator[pd.DataFrame]:
        """The table piece by piece, typed as the whole file would be; a 400 naming the line or option at fault.
        ``once``: read in one pass (``pieces_read_once``), which raises ``Retyped`` when the file must be read
        again with two (and a refusal may then come after pieces were given)."""
        partition_bytes = int(settings.TESSERA_DATASET_PARTITION_BYTES)
        read = pieces_read_once if once else typed_pieces
        try:
            yield from read(
                partial(_from_start, self.file), self.options.text(), piece_chars=max(partition_bytes // 2, 1)
            )
        except TextDataError as exc:
            raise _text_refusal(self.source_name, exc) from None


@dataclass(frozen=True)
class LargeParquet:
    """A Parquet upload larger than one partition in memory (``TESSERA_DATASET_PARTITION_BYTES``): read in pieces
    of about half that when it is stored or previewed (``stream_parquet``), never whole. ``file`` is the upload."""

    file: Any
    source_name: str
    options: None = None

    def pieces(self) -> Iterator[pd.DataFrame]:
        """The table piece by piece, as the whole file reads; a 400 naming the file when it cannot be read."""
        partition_bytes = int(settings.TESSERA_DATASET_PARTITION_BYTES)
        try:
            yield from parquet_pieces(self.file, max(partition_bytes // 2, 1))
        except ParquetDataError as exc:
            raise unreadable(f"'{self.source_name}' {exc.message}") from None

    def num_rows(self) -> int:
        return parquet_rows(self.file)


#: An upload read piece by piece, never whole.
LargeUpload = LargeText | LargeParquet


@contextmanager
def _from_start(file: Any) -> Iterator[Any]:
    """The upload from its first byte (left open: the request owns it)."""
    file.seek(0)
    yield file


@dataclass(frozen=True)
class FileUpload:
    """A checked zip: the bytes as uploaded, stored as they are."""

    data: bytes
    source_name: str


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def unreadable(message: str) -> ValidationError:
    """A 400 whose detail and ``fields.file`` both say what is wrong with the file."""
    return ValidationError({"detail": f"The file cannot be read: {message}", "fields": {"file": [message]}})


# -- reading uploads ------------------------------------------------------------------------------


def read_upload(file: Any, options: ReadOptions | None = None) -> ParsedUpload | FileUpload | LargeUpload:
    """A DataFrame from an uploaded CSV, TSV or Parquet file, or the checked bytes of a .zip (a file dataset).

    ``file`` is a Django ``UploadedFile`` or similar. ``options`` say how a CSV/TSV is read (Parquet and zip
    ignore them): ``has_header`` whether its first line names the columns (it must then be there: a blank
    first line, or one that looks like data, is refused naming line 1; without one the columns are named
    Col1, Col2, ...), the delimiter (guessed when unset), encoding, missing markers, decimal separator and
    column type overrides (see ``read_delimited``). Every refusal is a 400 naming the option or the file.

    A CSV/TSV larger than ``TESSERA_DATASET_PARTITION_BYTES`` is not read here: it comes back as ``LargeText``,
    read piece by piece when stored (the same table, in bounded memory); so does a Parquet file whose rows take
    more than that in memory, as ``LargeParquet``."""
    options = options or ReadOptions()
    name = PurePath(str(getattr(file, "name", "") or "upload")).name
    limit = int(settings.TESSERA_MAX_UPLOAD_BYTES)
    size = getattr(file, "size", None)
    check_upload_size(name, size)  # before anything is read into memory
    if hasattr(file, "seek"):
        file.seek(0)
    large = _large_text(file, name, size, options) or _large_parquet(file, name, size)
    if large is not None:
        return large
    data = file.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLarge(
            f"The file '{name}' is larger than the upload limit of {_megabytes(limit)} ({limit} bytes)."
        )
    if isinstance(data, str):
        data = data.encode("utf-8")
    if name.lower().endswith(ZIP_SUFFIXES):
        return FileUpload(data=_checked_zip(data, name), source_name=name)
    if data.startswith(ZIP_MAGIC) and not name.lower().endswith(PARQUET_SUFFIXES):
        raise unreadable(
            f"'{name}' is a zip archive (an Excel workbook is one too); give it a .zip name to upload it as a "
            "file dataset, or export a table as CSV or Parquet"
        )
    if name.lower().endswith(PARQUET_SUFFIXES) or data.startswith(PARQUET_MAGIC):
        try:
            return ParsedUpload(df=read_parquet(data), source_name=name)
        except ParquetDataError as exc:
            raise unreadable(f"'{name}' {exc.message}") from None
    options = _text_options(name, data, options)
    text = options.text()
    kwargs: dict[str, Any] = {**text.parser_kwargs(), "encoding": text.encoding}
    try:
        fast = read_fast(data, **kwargs)
        df = fast if fast is not None else read_delimited(data, **kwargs)
    except TextDataError as exc:
        raise _text_refusal(name, exc) from None
    return ParsedUpload(df=df, source_name=name, options=options)


def check_upload_size(name: str, size: int | None) -> None:
    """A 413 naming the file when ``size`` is over ``TESSERA_MAX_UPLOAD_MB``."""
    limit = int(settings.TESSERA_MAX_UPLOAD_BYTES)
    if size is not None and size > limit:
        raise UploadTooLarge(
            f"The file '{name}' is {_megabytes(size)} ({size} bytes); the upload limit is "
            f"{_megabytes(limit)} ({limit} bytes)."
        )


def _large_text(file: Any, name: str, size: int | None, options: ReadOptions) -> LargeText | None:
    """The upload as ``LargeText`` when it is delimited text larger than one partition; else ``None``."""
    partition_bytes = int(settings.TESSERA_DATASET_PARTITION_BYTES)
    if size is None or partition_bytes <= 0 or size <= partition_bytes or not hasattr(file, "seek"):
        return None
    if name.lower().endswith(ZIP_SUFFIXES + PARQUET_SUFFIXES):
        return None
    head = file.read(65536)
    file.seek(0)
    if isinstance(head, str) or head.startswith(ZIP_MAGIC) or head.startswith(PARQUET_MAGIC):
        return None  # refused or read as before
    return LargeText(file=file, source_name=name, options=_text_options(name, head, options))


def _large_parquet(file: Any, name: str, size: int | None) -> LargeParquet | None:
    """The upload as ``LargeParquet`` when it is a Parquet file whose rows take more than one partition in memory
    (its footer says; a file too damaged to say is read whole and refused as before); else ``None``."""
    partition_bytes = int(settings.TESSERA_DATASET_PARTITION_BYTES)
    if size is None or partition_bytes <= 0 or not hasattr(file, "seek"):
        return None
    head = file.read(len(PARQUET_MAGIC))
    file.seek(0)
    if isinstance(head, str) or not (name.lower().endswith(PARQUET_SUFFIXES) or head == PARQUET_MAGIC):
        return None
    try:
        in_memory = parquet_memory_bytes(file)
    except ParquetDataError:
        return None
    finally:
        file.seek(0)
    return LargeParquet(file=file, source_name=name) if in_memory > partition_bytes else None


def _text_options(name: str, head: bytes, options: ReadOptions) -> ReadOptions:
    """``options`` with the delimiter guessed from the file's start when unset; a 400 when it is the decimal's."""
    delimiter = options.delimiter or _delimiter(name, head, options)
    if options.decimal == delimiter:
        message = (
            f"the decimal separator and the delimiter cannot both be {options.decimal!r}; choose another delimiter"
        )
        raise ValidationError({"detail": message, "fields": {"decimal": [message]}})
    return options.with_delimiter(delimiter)


def _text_refusal(name: str, exc: TextDataError) -> ValidationError:
    """A 400 naming the file and, where one is at fault, the reading option."""
    if exc.option is None:
        return unreadable(f"'{name}': {exc.message}")
    message = f"'{name}': {exc.message}"
    return ValidationError({"detail": message, "fields": {exc.option: [message]}})


def _checked_zip(data: bytes, name: str) -> bytes:
    """The zip's bytes once every member passed the zip port's checks; a 400 naming the member otherwise."""
    try:
        zip_members(data, what=f"'{name}'")
    except ValueError as exc:
        raise unreadable(str(exc)) from None
    return data


def _delimiter(name: str, data: bytes, options: ReadOptions) -> str:
    """Tab for .tsv; comma for .csv unless its header has no comma at all (a ';' export from a
    European spreadsheet); otherwise whichever of , tab ; | is most frequent on the first line
    (never the decimal separator: with decimal ',' a comma is not guessed)."""
    lower = name.lower()
    if lower.endswith(TAB_SUFFIXES):
        return "\t"
    try:
        text = data[:65536].decode(options.encoding, errors="replace")
    except LookupError:  # checked by the serializer; read_delimited names it
        text = data[:65536].decode("utf-8", errors="replace")
    first = text.removeprefix("\ufeff").split("\n", 1)[0]
    candidates = [d for d in SNIFFED_DELIMITERS if d != options.decimal]
    counts = {d: first.count(d) for d in candidates}
    if lower.endswith(".csv") and counts.get(","):
        return ","
    best = max(candidates, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else candidates[0]


# -- writing datasets -----------------------------------------------------------------------------

#: Rows the profile of a large table is computed from, spread over the table: enough for its statistics,
#: and memory and time stay bounded for a table of any size (the row count is exact).
PROFILE_ROWS = 100_000


@dataclass(frozen=True)
class StoredTable:
    """What a version row keeps of stored content (a table, or a file dataset with ``kind="file"``)."""

    digest: str
    schema: dict[str, Any]
    profile: dict[str, Any]
    rows: int
    columns: int
    size_bytes: int
    kind: str = DatasetVersion.TABLE


def store_table(df: pd.DataFrame) -> StoredTable:
    """Parquet bytes in the artifact store, plus the schema and profile the version row keeps.

    A table larger than ``TESSERA_DATASET_PARTITION_BYTES`` in memory is stored partitioned (``store_partitioned``).
    Otherwise the encoding, hashing and writing (Arrow and hashlib let go of the GIL) run on a second thread while
    this one profiles the table: the two take about as long on a large upload."""
    from concurrent.futures import ThreadPoolExecutor

    partition_bytes = int(settings.TESSERA_DATASET_PARTITION_BYTES)
    if partition_bytes > 0 and int(df.memory_usage(index=False).sum()) > partition_bytes:
        return store_partitioned(df, partition_bytes)

    def encode_and_store() -> tuple[str, int]:  # the bytes serialize gives, never whole in memory
        arrow = Table.to_arrow(DataTable(df))
        return artifact_store().put_chunks(chunks_written_by(partial(Table.write_parquet, arrow)))

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="tessera-store") as pool:
        stored = pool.submit(encode_and_store)
        schema, profile = TableSchema.of(df).to_dict(), _upload_profile(df)
        digest, size = stored.result()
    return StoredTable(
        digest=digest,
        schema=schema,
        profile=profile,
        rows=int(df.shape[0]),
        columns=int(df.shape[1]),
        size_bytes=size,
    )


def partition_rows(df: pd.DataFrame, partition_bytes: int) -> int:
    """Rows per partition so that one holds about ``partition_bytes`` in memory (text columns counted by their
    pointers only: the estimate errs towards larger partitions)."""
    per_row = max(int(df.memory_usage(index=False).sum()) / max(len(df), 1), 1.0)
    return max(int(partition_bytes // per_row), 1)


def store_partitioned(df: pd.DataFrame, partition_bytes: int) -> StoredTable:
    """The table as partitioned Parquet: one Parquet artifact whose row groups hold about ``partition_bytes``
    each, written one partition at a time (what the Dask path reads as its partitions, what previews page
    through). Its profile comes from the partitions, as for a table a run saves: row count, missing values and
    a number column's minimum, maximum, mean and spread counted exactly partition by partition, distinct
    counts, top values and histograms from whole partitions spread over the table (at most PROFILE_ROWS rows)."""
    from designer.engine.tables import StoreTables

    rows = partition_rows(df, partition_bytes)
    counts = ExactCounts()
    with StoreTables(artifact_store()).writer(row_group_rows=rows) as sink:
        for start in range(0, max(len(df), 1), rows):
            part = df.iloc[start : start + rows]
            sink.write(DataTable(part))
            counts.add(part)
        stored = sink.close()
    return _partitioned(stored, counts)


def store_large(upload: LargeUpload) -> StoredTable:
    """A large upload as partitioned Parquet, written a piece at a time as it is read (each piece of about half
    ``TESSERA_DATASET_PARTITION_BYTES`` one row group), profiled like ``store_partitioned``'s tables, the exact
    counts taken as the pieces go by (beside the encoding, which Arrow does without the GIL). Nothing is stored
    when the file is refused: the table is written to a temporary file that only a reading run to its end puts
    in the store.

    A delimited file is read in one pass (``pieces_read_once``: each piece written while the next is parsed);
    when a later piece changes a column's type, what was written is dropped and the file read again in two
    (``typed_pieces``: every piece parsed and typed before the first is written)."""
    if isinstance(upload, LargeText):
        try:
            return _store_pieces(upload.pieces(once=True))
        except Retyped:
            pass
    return _store_pieces(upload.pieces())


def _store_pieces(pieces: Iterator[pd.DataFrame]) -> StoredTable:
    from concurrent.futures import Future, ThreadPoolExecutor

    from designer.engine.tables import StoreTables

    first = next(pieces)
    counts = ExactCounts()
    with StoreTables(artifact_store()).writer() as sink, ThreadPoolExecutor(1, "tessera-store") as pool:
        written: Future[None] | None = None
        for piece in itertools.chain([first], pieces):  # a piece encoded on a second thread while the next is read
            if written is not None:
                written.result()
            written = pool.submit(sink.write, DataTable(piece))
            counts.add(piece)
        assert written is not None
        written.result()
        stored = sink.close()
    return _partitioned(stored, counts)


def _partitioned(stored: TableArtifact, counts: ExactCounts) -> StoredTable:
    """The version's record of a partitioned table: profiled from a sample and the exact ``counts``."""
    profile = profile_stored(stored, _profile_sample(stored).df, counts)
    return StoredTable(
        digest=stored.digest,
        schema=stored.schema.to_dict(),
        profile=profile,
        rows=stored.num_rows,
        columns=len(stored.schema.columns),
        size_bytes=stored.size,
    )


def _upload_profile(df: pd.DataFrame) -> dict[str, Any]:
    """``profile_table`` of the whole table, or of a large one's PROFILE_ROWS rows spread evenly over it (its
    distinct counts, top values and histograms: they cost a hash of every value) with what is cheap to count
    exactly counted on every row: rows, missing values, and the minimum, maximum, mean and spread."""
    if len(df) <= PROFILE_ROWS:
        return profile_table(df)
    sample = df.iloc[np.linspace(0, len(df) - 1, PROFILE_ROWS).round().astype(np.int64)]
    profile = profile_table(sample)
    profile["rows"] = len(df)
    profile["sampled_rows"] = len(sample)
    for i, column in enumerate(profile["columns"]):
        series = df.iloc[:, i]
        column["missing"] = int(series.isna().sum())
        if column["type"] in ("integer", "number"):
            with np.errstate(all="ignore"):
                exact = {"min": series.min(), "max": series.max(), "mean": series.mean(), "std": series.std()}
            column.update({k: json_safe(v) for k, v in exact.items()})
    return profile


def store_file(data: bytes) -> StoredTable:
    """A checked zip in the artifact store as it is; its profile lists the files (name and unpacked size)."""
    files = zip_members(data)
    return StoredTable(
        digest=artifact_store().put(data),
        schema=TableSchema.of(pd.DataFrame()).to_dict(),
        profile={
            "files": len(files),
            "bytes": sum(i.file_size for i in files),
            "members": [{"name": i.filename, "size": i.file_size} for i in files],
        },
        rows=0,
        columns=0,
        size_bytes=len(data),
        kind=DatasetVersion.FILE,
    )


def store_upload(upload: ParsedUpload | FileUpload | LargeUpload) -> StoredTable:
    if isinstance(upload, FileUpload):
        return store_file(upload.data)
    if isinstance(upload, LargeText | LargeParquet):
        return store_large(upload)
    return store_table(upload.df)


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["A dataset needs a name."]})
    return name


def refuse_duplicate(
    workspace: Workspace, name: str, exclude: int | None = None, *, registration: int | None = None
) -> None:
    """A 400 when the workspace has a dataset ``name`` (other than ``exclude``), or a worker is registering an
    upload as a new dataset by that name (other than ``registration``, the one asking)."""
    clash = Dataset.objects.filter(workspace=workspace, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise duplicate_name(name)
    registering = DatasetRegistration.objects.filter(
        workspace=workspace, name=name, target__isnull=True, status__in=DatasetRegistration.ACTIVE
    )
    if registration is not None:
        registering = registering.exclude(pk=registration)
    if registering.exists():
        message = f"An upload named '{name}' is being registered in this workspace."
        raise ValidationError({"name": [message]})


def duplicate_name(name: str) -> ValidationError:
    return ValidationError({"name": [f"A dataset named '{name}' already exists in this workspace."]})


def create_dataset(
    user: Any,
    workspace: Workspace,
    name: str,
    file: Any,
    description: str = "",
    *,
    options: ReadOptions | None = None,
    registration: int | None = None,
) -> Dataset:
    """A new dataset whose version 1 is the uploaded file, read with ``options`` (see ``read_upload``);
    ``registration``: the worker's registration this is (``registration.py``), which holds the name."""
    name = clean_name(name)
    refuse_duplicate(workspace, name, registration=registration)
    parsed = read_upload(file, options)
    stored = store_upload(parsed)
    source_name = parsed.source_name
    return _create(
        user, workspace, name, stored, description=description, source_name=source_name, registration=registration
    )


def create_dataset_from_frame(
    user: Any, workspace: Workspace, name: str, df: pd.DataFrame, *, description: str = "", source_name: str = ""
) -> Dataset:
    return _create(user, workspace, name, store_table(df), description=description, source_name=source_name)


def _create(
    user: Any,
    workspace: Workspace,
    name: str,
    stored: StoredTable,
    *,
    description: str,
    source_name: str,
    registration: int | None = None,
) -> Dataset:
    name = clean_name(name)
    try:
        with transaction.atomic():
            dataset = Dataset.objects.create(
                workspace=workspace, name=name, description=description or "", created_by=user
            )
            version = _record_version(user, dataset, 1, stored, source_name)
            _registered(registration, version)
            activity.record(
                workspace=workspace,
                actor=user,
                verb="uploaded",
                object_type="dataset",
                object_id=dataset.pk,
                object_name=name,
                detail={"version": 1},
            )
    except IntegrityError:
        raise duplicate_name(name) from None  # a concurrent upload took the name
    return dataset


def _registered(registration: int | None, version: DatasetVersion) -> None:
    """A worker's registration (``registration.py``) completed with ``version``, in the transaction that records
    it: a worker lost after the commit leaves nothing for the next one to register again."""
    if registration is None:
        return
    completed = DatasetRegistration.objects.filter(pk=registration, status__in=DatasetRegistration.ACTIVE).update(
        status=DatasetRegistration.COMPLETED, version=version, finished_at=timezone.now()
    )
    if not completed:  # another worker given the same message got there first: this version is not recorded
        raise AlreadyRegistered(registration)


class AlreadyRegistered(Exception):
    """A registration that another worker completed (or that ended) while this one read the same file."""


def add_version(
    user: Any, dataset: Dataset, file: Any, *, options: ReadOptions | None = None, registration: int | None = None
) -> DatasetVersion:
    """The uploaded file as the dataset's next version, of the same kind (table or file) as the others;
    ``registration``: the worker's registration this is."""
    parsed = read_upload(file, options)
    _refuse_other_kind(dataset, parsed)
    stored = store_upload(parsed)
    with transaction.atomic():
        Dataset.objects.select_for_update().filter(pk=dataset.pk).first()  # serialize version numbers
        _refuse_other_kind(dataset, parsed)  # checked again under the lock
        latest = dataset.versions.aggregate(n=Max("version"))["n"] or 0
        version = _record_version(user, dataset, latest + 1, stored, parsed.source_name)
        _registered(registration, version)
        activity.record(
            workspace=dataset.workspace_id,
            actor=user,
            verb="uploaded",
            object_type="dataset",
            object_id=dataset.pk,
            object_name=dataset.name,
            detail={"version": version.version},
        )
        return version


def publish_table(
    user: Any,
    workspace: Workspace,
    name: str,
    table: DataTable | TableArtifact,
    *,
    description: str = "",
    source_name: str = "",
) -> DatasetVersion:
    """A table a run made (Register Dataset) as the next version of the workspace's table dataset ``name``, or as
    version 1 of a new dataset by that name. A table already in the store is recorded as it is, not copied."""
    name = clean_name(name)
    stored = store_table(table.df) if isinstance(table, DataTable) else _artifact_version(table)
    for _ in range(3):  # a dataset created by someone else between our look and our insert: add to it instead
        dataset = Dataset.objects.filter(workspace=workspace, name=name).first()
        if dataset is None:
            try:
                with transaction.atomic():
                    dataset = Dataset.objects.create(
                        workspace=workspace, name=name, description=description, created_by=user
                    )
                    return _record_run_version(user, dataset, 1, stored, source_name)
            except IntegrityError:
                continue
        with transaction.atomic():
            Dataset.objects.select_for_update().filter(pk=dataset.pk).first()  # serialize version numbers
            if dataset.versions.order_by("-version").values_list("kind", flat=True).first() == DatasetVersion.FILE:
                raise ValidationError(
                    {"dataset_name": [f"'{name}' is a file dataset (a zip); choose another name for a table"]}
                )
            latest = dataset.versions.aggregate(n=Max("version"))["n"] or 0
            return _record_run_version(user, dataset, latest + 1, stored, source_name)
    raise ValidationError({"dataset_name": [f"the dataset '{name}' could not be created; try again"]})


def _record_run_version(user: Any, dataset: Dataset, number: int, stored: StoredTable, source: str) -> DatasetVersion:
    version = _record_version(user, dataset, number, stored, source)
    activity.record(
        workspace=dataset.workspace_id,
        actor=user,
        verb="saved",
        object_type="dataset",
        object_id=dataset.pk,
        object_name=dataset.name,
        detail={"version": number, "source": source[:200]},
    )
    return version


def _artifact_version(table: TableArtifact) -> StoredTable:
    """What a version row keeps of a table already in the store; its profile from at most PROFILE_ROWS rows."""
    total = table.num_rows
    sample = _profile_sample(table)
    if len(sample.df) < total:  # exact counts and moments row group by row group; the rest from the sample
        profile = profile_stored(table, sample.df)
    else:
        profile = profile_table(sample.df)
        profile["rows"] = total
    return StoredTable(
        digest=table.digest,
        schema=table.schema.to_dict(),
        profile=profile,
        rows=total,
        columns=len(table.schema.columns),
        size_bytes=table.size,
    )


def _profile_sample(table: TableArtifact) -> DataTable:
    """Every row of a small table; of a large one, whole row groups spread evenly over it (or its first rows
    when its row groups are themselves too large)."""
    groups = table.row_groups
    total = sum(groups)
    if total <= PROFILE_ROWS:
        return table.read()
    if max(groups) > PROFILE_ROWS // 4:
        return next(table.iter_batches(PROFILE_ROWS))
    wanted = max(1, PROFILE_ROWS * len(groups) // total)
    step = len(groups) / wanted
    return table.read_row_groups(sorted({int(i * step) for i in range(wanted)}))


def _refuse_other_kind(dataset: Dataset, upload: ParsedUpload | FileUpload | LargeUpload) -> None:
    """A pipeline that reads "the latest version" must not find a table turned into a zip (or back)."""
    kind = DatasetVersion.FILE if isinstance(upload, FileUpload) else DatasetVersion.TABLE
    current = dataset.versions.order_by("-version").values_list("kind", flat=True).first()
    if current is None or current == kind:
        return
    if kind == DatasetVersion.FILE:
        message = (
            f"'{upload.source_name}' is a zip, but '{dataset.name}' is a table dataset; upload a CSV, TSV or "
            "Parquet file as its next version, or the zip as a new dataset"
        )
    else:
        message = (
            f"'{upload.source_name}' is a table, but '{dataset.name}' is a file dataset; upload a .zip as its "
            "next version, or the table as a new dataset"
        )
    raise ValidationError({"detail": message, "fields": {"file": [message]}})


def _record_version(user: Any, dataset: Dataset, number: int, stored: StoredTable, source_name: str) -> DatasetVersion:
    """The version row, and the stored content becomes the workspace's (pipelines may name it by digest)."""
    ownership.grant(dataset.workspace_id, [stored.digest], ownership.Source.DATASET)
    version = DatasetVersion.objects.create(
        dataset=dataset,
        version=number,
        kind=stored.kind,
        digest=stored.digest,
        schema=stored.schema,
        profile=stored.profile,
        rows=stored.rows,
        columns=stored.columns,
        size_bytes=stored.size_bytes,
        source_name=source_name[:255],
        created_by=user,
    )
    # Data triggers (designer/schedules) hear of every new version, once it is committed.
    transaction.on_commit(partial(dataset_version_created, dataset.pk, version.pk))
    return version


def update_dataset(dataset: Dataset, *, name: str | None = None, description: str | None = None) -> Dataset:
    fields = []
    if name is not None:
        name = clean_name(name)
        refuse_duplicate(dataset.workspace, name, exclude=dataset.pk)
        dataset.name = name
        fields.append("name")
    if description is not None:
        dataset.description = description
        fields.append("description")
    if fields:
        try:
            with transaction.atomic():
                dataset.save(update_fields=fields)
        except IntegrityError:
            raise duplicate_name(dataset.name) from None
    return dataset


def delete_dataset(dataset: Dataset, user: Any = None) -> None:
    """Removes the rows; the Parquet blobs stay (content-addressed, possibly shared with run outputs).
    ``user`` is who deleted it (for the activity feed)."""
    dataset_id = dataset.pk
    versions = dataset.versions.count()
    with transaction.atomic():
        dataset.delete()
        activity.record(
            workspace=dataset.workspace_id,
            actor=user,
            verb="deleted",
            object_type="dataset",
            object_id=dataset_id,
            object_name=dataset.name,
            detail={"versions": versions},
        )


def load_samples(user: Any, workspace: Workspace) -> list[Dataset]:
    """Adds every bundled sample missing from the workspace (by name); returns the ones it created."""
    created = []
    for sample in SAMPLES:
        if not Dataset.objects.filter(workspace=workspace, name=sample.name).exists():
            created.append(_create_sample(user, workspace, sample))
    return created


def load_sample(user: Any, workspace: Workspace, name: str) -> Dataset:
    """The workspace's dataset called ``name``, first loading the bundled sample of that name if missing.

    A dataset already there under that name is used as it is (the user may have added versions).
    ``KeyError`` when no bundled sample has that name."""
    sample = sample_named(name)
    existing = Dataset.objects.filter(workspace=workspace, name=sample.name).first()
    if existing is not None:
        return existing
    try:
        return _create_sample(user, workspace, sample)
    except ValidationError:  # a concurrent load took the name: use that one
        return Dataset.objects.get(workspace=workspace, name=sample.name)


def _create_sample(user: Any, workspace: Workspace, sample: Sample) -> Dataset:
    return create_dataset_from_frame(
        user,
        workspace,
        sample.name,
        sample.build(),
        description=sample.description,
        source_name=f"sample:{sample.build.__name__}",
    )
