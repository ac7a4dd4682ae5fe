"""Import Data from a path: CSV/TSV files larger together than a partition (TESSERA_DATASET_PARTITION_MB, tiny
here) are read in pieces straight into a stored table, never whole, with the rows and types the whole read gives."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.sdk import LocalContext, ModuleError, StoredTable, default_registry
from modules.sdk.textdata import read_delimited
from tests.support.pieces import damage_last_row_group, read_in_pieces_only
from tests.support.web import served


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
    assert any("reading the files again" in line for line in ctx.logs)  # the late word: the one pass gave way


def test_a_pattern_of_large_files_is_read_file_after_file(root: Path, parsed: list[int]) -> None:
    (root / "parts").mkdir()
    texts = [csv_text(600, seed=s) for s in (2, 3, 4)]
    for i, text in enumerate(texts):
        (root / "parts" / f"p{i}.csv").write_text(text)

    table, ctx = run(path=str(root / "parts" / "*.csv"))

    expected = pd.concat([read_delimited(t) for t in texts], ignore_index=True)
    pd.testing.assert_frame_equal(table.read().df, expected, check_exact=True)
    assert not any("reading the files again" in line for line in ctx.logs)  # types held: each file read once


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


# -- Parquet ----------------------------------------------------------------------------------------------------


def parquet_frame(rows: int, seed: int, tag: str = "Int64") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "score": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(size=rows)),
            "tag": pd.array(np.arange(rows) % 50, dtype=tag)
            if tag == "Int64"
            else pd.array([f"t{i}" for i in range(rows)], dtype="str"),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"][: 2 + seed % 2], rows)),
        },
        index=pd.Index([f"r{i}" for i in range(rows)], name="key"),  # a saved index: Import Data drops it
    )


@pytest.fixture
def parquet_in_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """The whole-file Parquet reader fails the test if called."""
    from modules.library.data_input import import_data

    read_in_pieces_only(monkeypatch, (import_data, "parse_bytes"))


def whole(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """What Import Data gives for these files read whole: the rows one after the other, the saved index dropped."""
    df = pd.concat([f.reset_index(drop=True) for f in frames], ignore_index=True)
    df["colour"] = df["colour"].astype(str)
    return df


def test_a_large_parquet_file_is_read_in_pieces_into_a_stored_table_equal_to_the_whole_read(
    root: Path, parquet_in_pieces: None
) -> None:
    # given a Parquet file of 3,000 rows in row groups of 20, several partitions in memory
    df = parquet_frame(3000, seed=1)
    df.to_parquet(root / "big.parquet", row_group_size=20)

    # when it is imported
    table, ctx = run(path=str(root / "big.parquet"))

    # then it is a stored table of pieces of about half a partition, with the rows the whole read gives
    assert isinstance(table, StoredTable)
    assert len(table.row_groups) > 5 and max(table.row_groups) > 20  # pieces span the file's small row groups
    back = table.read().df
    back["colour"] = back["colour"].astype(str)
    pd.testing.assert_frame_equal(back, whole([df]), check_exact=True)
    assert "3000 rows" in ctx.logs[-1]


def test_a_pattern_of_large_parquet_files_with_other_categories_is_read_file_after_file(
    root: Path, parquet_in_pieces: None
) -> None:
    (root / "parts").mkdir()
    frames = [parquet_frame(1200, seed=s) for s in (2, 3)]  # "colour" has two categories in one, three in the other
    for i, df in enumerate(frames):
        df.to_parquet(root / "parts" / f"p{i}.parquet", row_group_size=400)

    table, _ = run(path=str(root / "parts" / "*.parquet"))

    back = table.read().df
    back["colour"] = back["colour"].astype(str)
    pd.testing.assert_frame_equal(back, whole(frames), check_exact=True)


def test_a_later_parquet_file_typing_a_column_otherwise_is_refused_naming_it(
    root: Path, parquet_in_pieces: None
) -> None:
    (root / "parts").mkdir()
    parquet_frame(1200, seed=4).to_parquet(root / "parts" / "a.parquet")
    parquet_frame(1200, seed=5, tag="str").to_parquet(root / "parts" / "b.parquet")

    with pytest.raises(ModuleError) as refused:
        run(path=str(root / "parts" / "*.parquet"))

    assert refused.value.param == "path" and refused.value.column == "tag"
    assert "b.parquet' reads column 'tag' as str, the first file as Int64" in refused.value.message


def test_a_large_parquet_file_damaged_further_on_names_the_file(root: Path, parquet_in_pieces: None) -> None:
    # given a file whose footer reads but whose last row group's page is overwritten
    (root / "big.parquet").write_bytes(damage_last_row_group(4000, row_groups=4))

    # when it is imported, then the module refuses it naming the file and the rows read before the damage
    with pytest.raises(ModuleError) as refused:
        run(path=str(root / "big.parquet"))

    assert refused.value.param == "path"
    assert "big.parquet' is damaged after row " in refused.value.message


# -- over HTTP --------------------------------------------------------------------------------------------------


@pytest.fixture
def web(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``root`` served over HTTP on loopback (which the fetch guard lets through only when allowed)."""
    monkeypatch.setenv("TESSERA_FETCH_ALLOWED_NETWORKS", "127.0.0.1/32")
    with served(root) as url:
        yield url


def run_url(url: str) -> tuple[Any, LocalContext]:
    cls = default_registry().get("import_data")
    ctx = LocalContext()
    return cls().run({}, cls.parse_params({"data_source": "URL via HTTP", "url": url}), ctx)["dataset"], ctx


def test_a_large_csv_over_http_is_fetched_to_a_file_and_read_in_pieces(root: Path, web: str, parsed: list[int]) -> None:
    text = csv_text(2000, seed=9, late="n/a-7")
    (root / "big.csv").write_text(text)

    table, ctx = run_url(f"{web}/big.csv")

    assert isinstance(table, StoredTable)
    assert len(table.row_groups) > 5 and max(parsed) < 4096
    pd.testing.assert_frame_equal(table.read().df, read_delimited(text), check_exact=True)
    assert "url via http, read in" in ctx.logs[-1]


def test_a_large_parquet_file_over_http_is_read_in_pieces(root: Path, web: str, parquet_in_pieces: None) -> None:
    df = parquet_frame(3000, seed=1)
    df.to_parquet(root / "big.parquet", row_group_size=20)

    table, _ = run_url(f"{web}/big.parquet")

    assert isinstance(table, StoredTable) and len(table.row_groups) > 5
    back = table.read().df
    back["colour"] = back["colour"].astype(str)
    pd.testing.assert_frame_equal(back, whole([df]), check_exact=True)


def test_a_ragged_row_deep_in_a_large_csv_over_http_names_the_url_and_its_line(
    root: Path, web: str, parsed: list[int]
) -> None:
    lines = csv_text(2000, seed=7).splitlines(keepends=True)
    lines.insert(1500, "1,2\n")
    (root / "big.csv").write_text("".join(lines))

    with pytest.raises(ModuleError) as refused:
        run_url(f"{web}/big.csv")

    assert refused.value.param == "url"
    assert (
        f"'{web}/big.csv' cannot be read as CSV: line 1501 has 2 fields but the header has 4" in refused.value.message
    )


def test_a_small_csv_over_http_is_still_read_whole(root: Path, web: str) -> None:
    text = csv_text(50, seed=8)
    (root / "small.csv").write_text(text)

    table, _ = run_url(f"{web}/small.csv")

    assert not isinstance(table, StoredTable)
    pd.testing.assert_frame_equal(table.df, read_delimited(text))
