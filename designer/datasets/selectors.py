"""Reads for datasets: listings with the latest version, one version's table, pages and CSV chunks, a file's bytes."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import pandas as pd
from django.db import models
from rest_framework.exceptions import NotFound, ValidationError

from designer.artifacts import artifact_store
from designer.engine.profile import page_stored, page_table
from modules.sdk import StoredTable, Table

from .models import Dataset, DatasetVersion

CSV_CHUNK_ROWS = 5000
#: Versions with more rows are previewed from the row groups a page falls in (smaller ones stay cached whole).
PAGE_FROM_PARTS_ROWS = 1_000_000


def with_latest(queryset: models.QuerySet[Dataset]) -> models.QuerySet[Dataset]:
    """Annotates each dataset with its latest version's number, rows, columns and creation time."""
    latest = DatasetVersion.objects.filter(dataset=models.OuterRef("pk")).order_by("-version")
    return queryset.select_related("created_by").annotate(
        latest_version=models.Subquery(latest.values("version")[:1]),
        latest_rows=models.Subquery(latest.values("rows")[:1]),
        latest_columns=models.Subquery(latest.values("columns")[:1]),
        latest_created_at=models.Subquery(latest.values("created_at")[:1]),
        latest_kind=models.Subquery(latest.values("kind")[:1]),
        latest_size_bytes=models.Subquery(latest.values("size_bytes")[:1]),
    )


def dataset_detail(dataset: Dataset) -> Dataset:
    """The dataset with its latest-version annotations and its versions (oldest first) prefetched."""
    versions = models.Prefetch(
        "versions", queryset=DatasetVersion.objects.select_related("created_by").order_by("version")
    )
    return with_latest(Dataset.objects.filter(pk=dataset.pk)).prefetch_related(versions).get()


def versions_of(dataset: Dataset) -> models.QuerySet[DatasetVersion]:
    return dataset.versions.select_related("created_by").order_by("version")


def version_of(dataset: Dataset, number: int) -> DatasetVersion:
    version = versions_of(dataset).filter(version=number).first()
    if version is None:
        raise NotFound(f"dataset '{dataset.name}' has no version {number}")
    return version


@functools.lru_cache(maxsize=4)
def _frame(digest: str) -> pd.DataFrame:
    """Recently read tables, so paging through a preview does not re-read Parquet each time."""
    return Table.deserialize(artifact_store().get(digest)).df


def frame_of(version: DatasetVersion) -> pd.DataFrame:
    """The version's table; a 400 for a file dataset, which has files rather than rows and columns."""
    if version.kind == DatasetVersion.FILE:
        message = (
            f"version {version.version} of '{version.dataset.name}' is a file dataset (a zip): it has files, "
            "not rows and columns; its profile lists them, and download returns the zip"
        )
        raise ValidationError({"detail": message, "fields": {"version": [message]}})
    return _frame(version.digest)


def file_of(version: DatasetVersion) -> bytes:
    """The zip of a file dataset version, as uploaded."""
    return artifact_store().get(version.digest)


def preview(version: DatasetVersion, *, offset: int, limit: int) -> dict[str, Any]:
    """A page of rows; a large version's from the row groups the page falls in, never the whole table."""
    if version.kind == DatasetVersion.TABLE and version.rows > PAGE_FROM_PARTS_ROWS:
        store = artifact_store()
        return page_stored(StoredTable(version.digest, lambda: store.open(version.digest)), offset, limit)
    return page_table(frame_of(version), offset, limit)


def csv_chunks(version: DatasetVersion, rows_per_chunk: int = CSV_CHUNK_ROWS) -> Iterator[str]:
    """The version as CSV text, a few thousand rows at a time (header first)."""
    df = frame_of(version)
    yield df.iloc[0:0].to_csv(index=False)
    for start in range(0, len(df), rows_per_chunk):
        yield df.iloc[start : start + rows_per_chunk].to_csv(index=False, header=False)
