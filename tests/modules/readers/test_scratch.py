"""Large temporary files go to the scratch folder (``TESSERA_SCRATCH_DIR``), on the data's disk, not to the
system's temporary folder, which is memory on many hosts: the pieces of a file read in pieces wait there for
the second pass, a query's rows are spooled there, and a large table is written there before it is stored."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pytest

from designer.engine.store import LocalArtifactStore
from designer.engine.tables import StoreTables
from modules.library.data_input._record_pieces import typed_record_pieces
from modules.library.data_input._sql import frame
from modules.sdk import DataTable
from modules.sdk.scratch import SCRATCH_ENV, scratch_dir
from modules.sdk.stream_csv import TextOptions, typed_pieces


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data" / "scratch"  # not there yet: made when first needed
    monkeypatch.setenv(SCRATCH_ENV, str(folder))
    return folder


def open_in(folder: Path) -> list[str]:
    """The files this process holds open under ``folder`` (a spool already unlinked shows as ``... (deleted)``)."""
    held = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder) + os.sep):
            held.append(target)
    return held


def test_the_pieces_of_a_delimited_file_wait_in_the_scratch_folder_and_are_gone_after(scratch: Path) -> None:
    data = b"a,b\n" + b"".join(f"{i},{i * 0.5}\n".encode() for i in range(2000))
    pieces = typed_pieces(lambda: io.BytesIO(data), TextOptions(delimiter=","), piece_chars=4000)

    first = next(pieces)  # the whole file parsed: every piece spooled
    (spool,) = scratch.iterdir()
    assert spool.name.startswith("tessera-pieces-")
    assert len(list(spool.glob("*.arrow"))) > 3
    rest = list(pieces)

    assert sum(map(len, [first, *rest])) == 2000
    assert list(scratch.iterdir()) == []


def test_a_query_result_read_in_pieces_is_spooled_in_the_scratch_folder(scratch: Path) -> None:
    batches = [[(i, f"r{i}") for i in range(start, start + 100)] for start in range(0, 1000, 100)]
    pieces = typed_record_pieces(["n", "s"], iter(batches), 250, frame)

    first = next(pieces)
    held = open_in(scratch)
    rest = list(pieces)

    assert len(held) == 1  # unnamed (O_TMPFILE) or unlinked at once: only the open file shows where it is
    assert [len(p) for p in [first, *rest]] == [250] * 4
    assert open_in(scratch) == []


def test_a_large_table_is_written_in_the_scratch_folder_before_it_is_stored(scratch: Path, tmp_path: Path) -> None:
    tables = StoreTables(LocalArtifactStore(tmp_path / "artifacts"))
    with tables.writer() as sink:
        sink.write(DataTable(pd.DataFrame({"x": range(10)})))
        held = open_in(scratch)
        stored = sink.close()

    assert len(held) == 1 and Path(held[0]).name.startswith("tessera-table-")
    assert stored.read().df["x"].tolist() == list(range(10))
    assert list(scratch.iterdir()) == []


def test_without_a_scratch_folder_set_temporary_files_go_where_tempfile_puts_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SCRATCH_ENV, raising=False)
    assert scratch_dir() is None
