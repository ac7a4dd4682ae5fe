"""Large tables in the store: a page read from the row groups it falls in, a profile counted row group by row group."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from designer.engine.profile import page_stored, page_table, profile_stored, profile_table
from modules.sdk import StoredTable


class CountingFile(io.BytesIO):
    """A file that counts the bytes read from it."""

    reads: int = 0

    def read(self, size: int | None = -1) -> bytes:  # type: ignore[override]
        data = super().read(size)
        CountingFile.reads += len(data)
        return data


def _stored(tmp_path: Path, df: pd.DataFrame, row_group: int) -> StoredTable:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), path, row_group_size=row_group)
    data = path.read_bytes()
    return StoredTable("0" * 64, lambda: CountingFile(data))


def _table(n: int = 1000) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = rng.normal(1e6, 3, n)  # a large mean against the spread: a naive sum of squares would lose the spread
    x[::17] = np.nan
    return pd.DataFrame({"x": x, "k": np.arange(n), "s": pd.Series([f"v{i % 7}" for i in range(n)], dtype="str")})


@pytest.mark.parametrize(("offset", "limit"), [(0, 10), (95, 30), (990, 50), (1000, 5), (250, 0)])
def test_a_page_of_a_stored_table_equals_the_page_of_the_whole_table(tmp_path: Path, offset: int, limit: int) -> None:
    df = _table()
    table = _stored(tmp_path, df, row_group=100)
    assert page_stored(table, offset, limit) == page_table(df, offset, limit)


def test_a_page_reads_only_the_row_groups_it_falls_in(tmp_path: Path) -> None:
    # given a table of 10 row groups
    df = _table(100_000)
    table = _stored(tmp_path, df, row_group=10_000)
    table.footer  # noqa: B018 - the footer once, as every reader does
    whole = table.size

    # when one page in the middle is read
    CountingFile.reads = 0
    page = page_stored(table, 50_050, 20)

    # then the footer (pyarrow reads the last 64 KiB for it) and one row group were read, and the rows are right
    assert CountingFile.reads < whole / 4
    assert [row[1] for row in page["rows"]] == list(range(50_050, 50_070))


def test_a_profile_counted_by_row_group_has_exact_counts_and_moments(tmp_path: Path) -> None:
    # given a table and a sample of a tenth of its rows
    df = _table(2_000)
    table = _stored(tmp_path, df, row_group=150)
    sample = df.iloc[::10]

    # when it is profiled from its row groups
    profile = profile_stored(table, sample)

    # then rows, missing values and the moments are those of the whole table; the rest are the sample's
    exact = profile_table(df)
    assert profile["rows"] == 2_000 and profile["sampled_rows"] == 200
    for got, want in zip(profile["columns"], exact["columns"], strict=True):
        assert got["missing"] == want["missing"]
        if got["type"] in ("integer", "number"):
            for stat in ("min", "max", "mean", "std"):
                assert got[stat] == pytest.approx(want[stat], rel=1e-9), (got["name"], stat)
    assert profile["columns"][2]["top"] == profile_table(sample)["columns"][2]["top"]
