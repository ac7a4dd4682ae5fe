"""A Parquet upload whose rows take more than a partition in memory (TESSERA_DATASET_PARTITION_MB, tiny here) is
never read whole: it is written piece by piece into partitioned Parquet with the rows the whole file reads as,
previewed from its first piece and its footer, and refused naming the file with nothing stored."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.artifacts import artifact_store
from designer.datasets import services
from designer.datasets.models import Dataset, DatasetVersion
from designer.workspaces.models import Workspace
from modules.sdk import StoredTable
from modules.sdk.stream_parquet import read_parquet
from tests.support.pieces import damage_last_row_group

pytestmark = pytest.mark.django_db

ROWS = 3000
PARTITION = 16_384


def _parquet(**kwargs: Any) -> bytes:
    rng = np.random.default_rng(7)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=ROWS),
            "n": pd.array(np.where(rng.random(ROWS) < 0.1, None, rng.integers(0, 50, ROWS)), dtype="Int64"),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], ROWS)),
            "label": pd.Series(rng.choice(["yes", "no"], ROWS), dtype="str"),
        },
        index=pd.Index([f"id{i}" for i in range(ROWS)], name="id"),
    )
    buf = io.BytesIO()
    df.to_parquet(buf, row_group_size=250, **kwargs)
    return buf.getvalue()


@pytest.fixture
def pieces_only(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """Partitions of 16 KiB; the whole-file Parquet reader fails the test if called."""
    settings.TESSERA_DATASET_PARTITION_BYTES = PARTITION

    def refused(data: bytes) -> pd.DataFrame:
        raise AssertionError("the file was read whole")

    monkeypatch.setattr(services, "read_parquet", refused)


def _post(client: Any, workspace: Workspace, data: bytes, path: str = "/api/datasets/") -> Any:
    body = {"workspace": workspace.pk, "file": SimpleUploadedFile("big.parquet", data, "application/octet-stream")}
    return client.post(path, {**body, "name": "big"} if path == "/api/datasets/" else body, format="multipart")


def test_a_large_parquet_upload_is_stored_in_partitions_with_the_whole_files_rows(
    as_editor: Any, workspace: Workspace, pieces_only: None
) -> None:
    # given a Parquet file of 3,000 rows whose rows take several partitions in memory
    data = _parquet()
    expected = read_parquet(data)
    assert list(expected.columns) == ["id", "x", "n", "colour", "label"]

    # when it is uploaded
    response = _post(as_editor, workspace, data)

    # then the stored table is the whole file's, in partitions (one row group per piece), profiled exactly
    assert response.status_code == 201, response.content
    version = DatasetVersion.objects.get(dataset__name="big")
    stored = StoredTable(version.digest, lambda: artifact_store().open(version.digest))
    back = stored.read().df
    back["colour"] = back["colour"].astype(expected["colour"].dtype)
    pd.testing.assert_frame_equal(back, expected, check_exact=True)
    assert len(stored.row_groups) > 5 and sum(stored.row_groups) == ROWS
    assert version.rows == ROWS and version.columns == 5
    columns = {c["name"]: c for c in version.profile["columns"]}
    assert columns["n"]["missing"] == int(expected["n"].isna().sum())
    assert columns["x"]["mean"] == pytest.approx(expected["x"].mean(), rel=1e-12)


def test_a_large_parquet_upload_previews_its_first_rows_and_its_row_count(
    as_editor: Any, workspace: Workspace, pieces_only: None
) -> None:
    response = _post(as_editor, workspace, _parquet(), path="/api/datasets/preview/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["format"] == "parquet" and body["total"] == ROWS
    assert [c["name"] for c in body["columns"]] == ["id", "x", "n", "colour", "label"]
    assert body["rows"][0][0] == "id0"
    assert not Dataset.objects.exists()


def test_a_large_parquet_upload_damaged_further_on_is_a_400_naming_it_and_nothing_is_stored(
    as_editor: Any, workspace: Workspace, pieces_only: None
) -> None:
    # given a file whose last row group's float page is overwritten
    data = damage_last_row_group(ROWS, row_groups=4)

    # when it is uploaded
    response = _post(as_editor, workspace, data)

    # then it is refused naming the file and where, and no dataset or version exists
    assert response.status_code == 400, response.content
    assert response.json()["detail"].startswith("The file cannot be read: 'big.parquet' is damaged after row ")
    assert not Dataset.objects.exists() and not DatasetVersion.objects.exists()


def test_a_small_parquet_upload_is_still_read_whole(as_editor: Any, workspace: Workspace, settings: Any) -> None:
    settings.TESSERA_DATASET_PARTITION_BYTES = 64 * 1024 * 1024

    response = _post(as_editor, workspace, _parquet())

    assert response.status_code == 201, response.content
    version = DatasetVersion.objects.get(dataset__name="big")
    stored = StoredTable(version.digest, lambda: artifact_store().open(version.digest))
    assert len(stored.row_groups) == 1 and version.rows == ROWS
