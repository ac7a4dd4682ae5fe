"""An upload of delimited text larger than a partition (TESSERA_DATASET_PARTITION_MB, tiny here) is never parsed
whole: it is read in pieces into partitioned Parquet, typed as the whole file would be, previewed the same way,
and refused naming the file's own line, with nothing stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from designer.artifacts import artifact_store
from designer.datasets import services
from designer.datasets.models import Dataset, DatasetVersion
from designer.workspaces.models import Workspace
from modules.sdk import StoredTable, stream_csv
from modules.sdk.textdata import read_delimited
from tests.support.pieces import read_in_pieces_only

pytestmark = pytest.mark.django_db

ROWS = 1500
PARTITION = 4096


def _csv(late_word: bool = True, ragged_at: int | None = None) -> bytes:
    rng = np.random.default_rng(5)
    lines = ["x,n,code,flag,note"]
    for i in range(ROWS):
        x = "" if i % 11 == 0 else f"{rng.normal(10, 3):.4f}"
        code = "n/a" if i == ROWS - 2 and late_word else str(i % 97)
        code = "A-17" if i == ROWS - 1 and late_word else code
        note = '"two\nlines"' if i % 250 == 3 else "ok"
        lines.append(f"{x},{i},{code},{'true' if i % 3 else 'false'},{note}")
        if ragged_at == i:
            lines.append("1,2")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def pieces_only(monkeypatch: pytest.MonkeyPatch, settings: Any) -> list[int]:
    """Partitions of 4 KiB; the whole-file parsers of ``read_upload`` fail the test if called; the sizes of the
    texts the piece parsers were given."""
    settings.TESSERA_DATASET_PARTITION_BYTES = PARTITION
    return read_in_pieces_only(monkeypatch, (services, "read_fast"), (services, "read_delimited"))


def _post(client: Any, workspace: Workspace, data: bytes, path: str = "/api/datasets/") -> Any:
    body = {"workspace": workspace.pk, "file": SimpleUploadedFile("big.csv", data, "text/csv")}
    return client.post(path, {**body, "name": "big"} if path == "/api/datasets/" else body, format="multipart")


def test_a_large_text_upload_is_read_in_pieces_into_partitions_typed_as_the_whole_file(
    as_editor: Any, workspace: Workspace, pieces_only: list[int]
) -> None:
    # given a CSV of ~34 KB whose "code" column is integers until its last two rows
    data = _csv()
    expected = read_delimited(data)
    assert str(expected["code"].dtype) == "str" and len(data) > 8 * PARTITION

    # when it is uploaded
    response = _post(as_editor, workspace, data)

    # then no parser saw more than a piece (half a partition) and a record, and there were many pieces
    assert response.status_code == 201, response.content
    assert len(pieces_only) > 10 and max(pieces_only) < PARTITION
    # and the stored table is the whole file's, in partitions of one size
    version = DatasetVersion.objects.get(dataset__name="big")
    stored = StoredTable(version.digest, lambda: artifact_store().open(version.digest))
    pd.testing.assert_frame_equal(stored.read().df, expected, check_exact=True)
    groups = stored.row_groups
    assert len(groups) > 5 and sum(groups) == ROWS  # one row group per piece
    assert version.rows == ROWS
    columns = {c["name"]: c for c in version.profile["columns"]}
    assert columns["code"]["type"] == "string" and columns["x"]["missing"] == len(range(0, ROWS, 11))


def test_a_large_text_upload_previews_the_whole_files_types_and_row_count(
    as_editor: Any, workspace: Workspace, pieces_only: list[int]
) -> None:
    response = _post(as_editor, workspace, _csv(), path="/api/datasets/preview/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == ROWS
    types = {c["name"]: c["type"] for c in body["columns"]}
    assert types["code"] == "string" and types["n"] == "integer" and types["flag"] == "boolean"
    assert body["rows"][0][2] == "0"  # as spelled, from the file: not the integer the first piece read
    assert not Dataset.objects.exists()


def test_a_ragged_row_deep_in_a_large_upload_is_a_400_naming_its_line_and_nothing_is_stored(
    as_editor: Any, workspace: Workspace, pieces_only: list[int]
) -> None:
    data = _csv(ragged_at=1200)
    line = data[: data.index(b"\n1,2\n") + 1].count(b"\n") + 1

    response = _post(as_editor, workspace, data)

    assert response.status_code == 400
    assert f"line {line} has 2 fields but the header has 5" in response.json()["detail"]
    assert not Dataset.objects.exists() and not DatasetVersion.objects.exists()


def test_a_large_upload_is_received_and_spooled_in_the_scratch_folder_on_the_data_disk(
    as_editor: Any, workspace: Workspace, pieces_only: list[int], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """Not in the system's temporary folder, which is memory on many hosts: the upload as Django receives it
    and the pieces waiting for the second pass (a column whose type changes late: "code") both go to
    TESSERA_SCRATCH_DIR, by default under the data folder."""
    spooled: list[Path] = []
    spool = stream_csv._spool
    monkeypatch.setattr(stream_csv, "_spool", lambda df, path: (spooled.append(path), spool(df, path))[1])

    response = _post(as_editor, workspace, _csv())
    received = TemporaryUploadedFile("big.csv", "text/csv", 0, "utf-8")  # how Django receives an upload of > 10 MB
    received.close()

    assert response.status_code == 201, response.json()
    assert settings.TESSERA_SCRATCH_DIR == settings.DATA_DIR / "scratch"
    assert len(spooled) > 3 and {p.parent.parent for p in spooled} == {settings.TESSERA_SCRATCH_DIR}
    assert Path(received.temporary_file_path()).parent == settings.TESSERA_SCRATCH_DIR
    assert list(settings.TESSERA_SCRATCH_DIR.glob("tessera-pieces-*")) == []  # removed once stored


def test_a_disk_that_fills_while_an_upload_is_read_answers_507_and_stores_nothing(
    as_editor: Any, workspace: Workspace, pieces_only: list[int], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The pieces waiting for the second pass are written by Arrow as always, but to /dev/full, where every write
    fails as on a full disk (ENOSPC, from the kernel): the answer says the server is out of space, not 500, and
    nothing is half made."""
    spool = stream_csv._spool
    monkeypatch.setattr(stream_csv, "_spool", lambda df, path: spool(df, Path("/dev/full")))

    response = _post(as_editor, workspace, _csv())

    assert response.status_code == 507, response.content
    body = response.json()
    assert (body["code"], body["cause"]) == ("insufficient_storage", "disk_full")
    assert body["detail"].startswith("The server ran out of disk space while writing this request's data")
    assert str(settings.TESSERA_SCRATCH_DIR) not in body["detail"]  # the operator's log names folders, not the answer
    assert not Dataset.objects.filter(workspace=workspace).exists()
    assert list(settings.TESSERA_SCRATCH_DIR.glob("tessera-pieces-*")) == []


def test_a_large_upload_whose_types_do_not_change_is_stored_in_one_pass(
    as_editor: Any, workspace: Workspace, pieces_only: list[int], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    # given a large CSV whose columns keep one type throughout, and a spool that fails the test if written
    data = _csv(late_word=False)
    monkeypatch.setattr(stream_csv, "_spool", lambda df, path: pytest.fail("a piece was spooled"))
    parsed: list[int] = []
    read = stream_csv._Reading._parse
    monkeypatch.setattr(stream_csv._Reading, "_parse", lambda self, *a, **k: (parsed.append(1), read(self, *a, **k))[1])

    # when it is uploaded
    response = _post(as_editor, workspace, data)

    # then each piece was parsed once, and the stored table is the whole file's
    assert response.status_code == 201, response.content
    version = DatasetVersion.objects.get(dataset__name="big")
    stored = StoredTable(version.digest, lambda: artifact_store().open(version.digest))
    assert len(parsed) == len(stored.row_groups) > 5
    pd.testing.assert_frame_equal(stored.read().df, read_delimited(data), check_exact=True)
    assert list(settings.TESSERA_SCRATCH_DIR.glob("tessera-table-*")) == []


def test_a_disk_that_fills_while_an_upload_is_stored_in_one_pass_answers_507_and_stores_nothing(
    as_editor: Any, workspace: Workspace, pieces_only: list[int], monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """The table is written as it is read, to a file that is /dev/full (ENOSPC from the kernel on every write).
    The error reaches the answer without passing through Arrow's writer: Python 3.11 formatting it there breaks
    every later ``ast.parse`` of the process (checked last)."""
    import ast
    import os

    from designer.engine import tables

    def full(fd: int, mode: str) -> Any:
        os.close(fd)
        return open("/dev/full", mode)  # noqa: SIM115  # the sink closes it

    monkeypatch.setattr(tables.os, "fdopen", full)
    response = _post(as_editor, workspace, _csv(late_word=False))

    assert response.status_code == 507, response.content
    assert response.json()["cause"] == "disk_full"
    assert not Dataset.objects.filter(workspace=workspace).exists()
    assert list(settings.TESSERA_SCRATCH_DIR.glob("tessera-table-*")) == []
    ast.parse("x = [1]")  # SystemError (AST constructor recursion depth mismatch) had the error passed through Arrow


def test_a_large_upload_whose_types_do_not_change_is_previewed_in_one_pass(
    as_editor: Any, workspace: Workspace, pieces_only: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream_csv, "_spool", lambda df, path: pytest.fail("a piece was spooled"))

    response = _post(as_editor, workspace, _csv(late_word=False), path="/api/datasets/preview/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["total"] == ROWS
    types = {c["name"]: c["type"] for c in body["columns"]}
    assert types == {"x": "number", "n": "integer", "code": "integer", "flag": "boolean", "note": "string"}
