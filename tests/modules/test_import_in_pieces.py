"""Import Data from a path: CSV/TSV files larger together than a partition (TESSERA_DATASET_PARTITION_MB, tiny
here) are read in pieces straight into a stored table, never whole, with the rows and types the whole read gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.sdk import LocalContext, ModuleError, StoredTable, default_registry
from modules.sdk.textdata import read_delimited
from tests.support.pieces import read_in_pieces_only


def run(**params: Any) -> tuple[Any, LocalContext]:
    cls = default_registry().get("import_data")
    ctx = LocalContext()
    return cls().run({}, cls.parse_params({"data_source": "Path or object-store URL", **params}), ctx)["dataset"], ctx


def csv_text(rows: int, seed: int, late: str | None = None) -> str:
    rng = np.random.default_rng(seed)
    lines = ["id,score,tag,flag"]
    for i in range(rows):
        score = "NA" if i % 13 == 0 else f"{rng.normal():.5f}"
        tag = late if late is not None and i == rows - 1 else str(i % 50)
        lines.append(f"{i},{score},{tag},{'yes' if i % 2 else 'no'}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TESSERA_IMPORT_ROOTS", str(tmp_path))
    monkeypatch.setenv("TESSERA_DATASET_PARTITION_MB", str(4096 / 2**20))  # 4 KiB
    return tmp_path


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the texts the careful parser was given (the whole-file reader must not be called)."""
    from modules.library.data_input import import_data

    return read_in_pieces_only(monkeypatch, (import_data, "parse_bytes"))


def test_a_large_file_is_read_in_pieces_into_a_stored_table_equal_to_the_whole_read(
    root: Path, parsed: list[int]
) -> None:
    # given a ~40 KB CSV whose "tag" column is integers until a word on its last row
    text = csv_text(2000, seed=1, late="n/a-7")
    (root / "big.csv").write_text(text)

    # when it is imported
    table, ctx = run(path=str(root / "big.csv"))

    # then it is a stored table of many row groups, each piece parsed alone, equal to the whole file's table
    assert isinstance(table, StoredTable)
    assert len(table.row_groups) > 5 and max(parsed) < 4096
    pd.testing.assert_frame_equal(table.read().df, read_delimited(text), check_exact=True)
    assert "read in" in ctx.logs[-1] and "2000 rows" in ctx.logs[-1]


def test_a_pattern_of_large_files_is_read_file_after_file(root: Path, parsed: list[int]) -> None:
    (root / "parts").mkdir()
    texts = [csv_text(600, seed=s) for s in (2, 3, 4)]
    for i, text in enumerate(texts):
        (root / "parts" / f"p{i}.csv").write_text(text)

    table, _ = run(path=str(root / "parts" / "*.csv"))

    expected = pd.concat([read_delimited(t) for t in texts], ignore_index=True)
    pd.testing.assert_frame_equal(table.read().df, expected, check_exact=True)


def test_a_later_file_typing_a_column_otherwise_is_refused_naming_the_file_and_column(
    root: Path, parsed: list[int]
) -> None:
    (root / "parts").mkdir()
    (root / "parts" / "a.csv").write_text(csv_text(600, seed=5))
    (root / "parts" / "b.csv").write_text(csv_text(600, seed=6, late="word"))

    with pytest.raises(ModuleError) as refused:
        run(path=str(root / "parts" / "*.csv"))

    assert refused.value.param == "path" and refused.value.column == "tag"
    assert "b.csv' reads column 'tag' as str, the first file as Int64" in refused.value.message


def test_a_ragged_row_deep_in_a_large_file_names_the_file_and_its_line(root: Path, parsed: list[int]) -> None:
    lines = csv_text(2000, seed=7).splitlines(keepends=True)
    lines.insert(1500, "1,2\n")
    (root / "big.csv").write_text("".join(lines))

    with pytest.raises(ModuleError) as refused:
        run(path=str(root / "big.csv"))

    assert refused.value.param == "path"
    assert "big.csv' cannot be read as CSV: line 1501 has 2 fields but the header has 4" in refused.value.message


def test_a_file_under_a_partition_is_read_whole_as_before(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = csv_text(50, seed=8)
    (root / "small.csv").write_text(text)

    table, _ = run(path=str(root / "small.csv"))

    assert not isinstance(table, StoredTable)
    pd.testing.assert_frame_equal(table.df, read_delimited(text))
