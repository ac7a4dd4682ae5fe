"""A table larger than a partition (TESSERA_DATASET_PARTITION_MB, tiny here) is stored as partitioned Parquet:
row groups of about that size, read one at a time as the Dask path's partitions, profiled from its partitions,
with the same rows, schema and statistics as the same table stored whole. (A frame given whole here, as a run's
published table or a sample is: uploads that large are read in pieces, test_large_text_upload.py and
test_large_parquet_upload.py.)"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.artifacts import artifact_store
from designer.datasets.services import create_dataset, create_dataset_from_frame, partition_rows
from designer.engine.partitions import open_partitioned
from modules.sdk import StoredTable
from modules.sdk.textdata import read_delimited

pytestmark = pytest.mark.django_db

ROWS = 240


def _csv() -> bytes:
    rng = np.random.default_rng(3)
    lines = ["x,n,group"]
    for i in range(ROWS):
        x = "" if i % 7 == 0 else f"{rng.normal(10, 3):.4f}"
        lines.append(f"{x},{i},{'abc'[i % 3]}")
    return ("\n".join(lines) + "\n").encode()


def _upload(owner: Any, workspace: Any, name: str, frame: bool = False) -> Any:
    if frame:
        return create_dataset_from_frame(owner, workspace, name, read_delimited(_csv())).versions.get()
    file = SimpleUploadedFile(f"{name}.csv", _csv(), "text/csv")
    return create_dataset(owner, workspace, name, file).versions.get()


def _stored(version: Any) -> StoredTable:
    return StoredTable(version.digest, lambda: artifact_store().open(version.digest))


def test_a_large_upload_is_stored_in_partitions_profiled_from_them_and_equals_the_whole(
    owner: Any, workspace: Any, settings: Any
) -> None:
    # given the same table uploaded as CSV under the default threshold, and given as a frame under one of 2 KiB
    whole = _upload(owner, workspace, "whole")
    settings.TESSERA_DATASET_PARTITION_BYTES = 2048
    parted = _upload(owner, workspace, "parted", frame=True)

    # then the small one is one row group, the large one several of the size the threshold gives
    assert _stored(whole).row_groups == [ROWS]
    frame = _stored(whole).read().df
    rows = partition_rows(frame, 2048)
    assert 1 < rows < ROWS
    groups = _stored(parted).row_groups
    assert len(groups) > 2 and set(groups[:-1]) == {rows} and sum(groups) == ROWS

    # and each partition reads alone, and together they are the whole table, schema and all
    pd.testing.assert_frame_equal(
        _stored(parted).read_row_groups([1]).df, frame.iloc[rows : 2 * rows].reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(_stored(parted).read().df, frame)
    assert (parted.schema, parted.rows, parted.columns) == (whole.schema, whole.rows, whole.columns)

    # and the Dask path sees one partition per row group
    assert open_partitioned(artifact_store(), parted.digest).npartitions == len(groups)

    # and the profile from the partitions has the whole table's counts and statistics
    by_name = {c["name"]: c for c in parted.profile["columns"]}
    expected = {c["name"]: c for c in whole.profile["columns"]}
    assert parted.profile["rows"] == ROWS
    for name in ("x", "n", "group"):
        assert by_name[name]["missing"] == expected[name]["missing"]
        assert by_name[name]["type"] == expected[name]["type"]
    assert by_name["x"]["missing"] == len(range(0, ROWS, 7))
    for stat in ("min", "max", "mean", "std"):
        assert by_name["x"][stat] == pytest.approx(expected["x"][stat], rel=1e-12)
