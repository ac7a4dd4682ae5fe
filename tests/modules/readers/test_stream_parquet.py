"""A Parquet file read in pieces (``parquet_pieces``) is the frame the whole file reads as (``read_parquet``), piece
after piece, whatever the pieces' size and the file's row groups; refusals the footer shows come before any piece."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from modules.sdk.stream_parquet import (
    ParquetDataError,
    parquet_memory_bytes,
    parquet_pieces,
    parquet_rows,
    read_parquet,
)
from tests.support.pieces import damage_last_row_group

ROWS = 2_000


def frame(rows: int = ROWS, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=rows),
            "n": pd.array(np.where(rng.random(rows) < 0.1, None, rng.integers(-5, 5, rows)), dtype="Int64"),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], rows)),
            "word": pd.Series(
                np.where(rng.random(rows) < 0.05, None, rng.choice(["a", "bb", "ccc"], rows)), dtype="str"
            ),
            "flag": pd.array(np.where(rng.random(rows) < 0.05, None, rng.random(rows) < 0.5), dtype="boolean"),
            "when": pd.date_range("2026-01-01", periods=rows, freq="h", tz="UTC"),
        }
    )
    df.loc[rows // 2 :, "word"] = None  # a column with no values in the later pieces
    return df


def parquet(df: pd.DataFrame, **kwargs: Any) -> io.BytesIO:
    buf = io.BytesIO()
    df.to_parquet(buf, **kwargs)
    buf.seek(0)
    return buf


def joined(pieces: list[pd.DataFrame], like: pd.DataFrame) -> pd.DataFrame:
    """The pieces one after the other; a category column's categories are each piece's row groups', so they are
    compared as the whole file's."""
    df = pd.concat(pieces, ignore_index=True)
    for name in like.columns:
        if isinstance(like[name].dtype, pd.CategoricalDtype):
            df[name] = df[name].astype(like[name].dtype)
    return df


INDEXES = {
    "a row counter": None,
    "a counter from 100 by 3": pd.RangeIndex(100, 100 + 3 * ROWS, 3),
    "a named counter": pd.RangeIndex(0, ROWS, name="row_id"),
    "a saved index": pd.Index([f"r{i}" for i in range(ROWS)], name="key"),
    "two saved levels": pd.MultiIndex.from_arrays([np.arange(ROWS) % 7, np.arange(ROWS)], names=["g", "i"]),
}


@pytest.mark.parametrize("index", list(INDEXES))
@pytest.mark.parametrize("piece_bytes", [1_000, 9_000, 40_000, 10**9])
def test_pieces_are_the_whole_file(index: str, piece_bytes: int) -> None:
    # given a file written by pandas with this index, in row groups of 300 rows
    df = frame()
    if INDEXES[index] is not None:
        df.index = INDEXES[index]
    data = parquet(df, row_group_size=300)
    whole = read_parquet(data.getvalue())
    assert len(whole) == ROWS

    # when it is read in pieces
    pieces = list(parquet_pieces(data, piece_bytes))

    # then the pieces, in order, are the whole file's frame
    pd.testing.assert_frame_equal(joined(pieces, whole), whole, check_exact=True)
    assert all(list(p.columns) == list(whole.columns) for p in pieces)
    if index in ("a named counter", "a saved index", "two saved levels"):  # the index is data: columns first
        assert list(whole.columns[: 1 if index != "two saved levels" else 2]) == list(df.index.names)


def test_pieces_span_row_groups_and_hold_about_the_bytes_asked() -> None:
    # given a file of many small row groups
    data = parquet(frame(), row_group_size=50)
    assert pq.ParquetFile(data).metadata.num_row_groups == ROWS // 50
    per_row = parquet_memory_bytes(data) / ROWS

    # when it is read in pieces of about 400 rows
    pieces = list(parquet_pieces(data, int(400 * per_row) + 1))

    # then each piece but the last has the rows asked for, gathered across row groups
    assert [len(p) for p in pieces] == [400] * 5


def test_without_index_as_data_a_saved_index_is_dropped_as_import_data_drops_it() -> None:
    df = frame()
    df.index = pd.Index([f"r{i}" for i in range(ROWS)], name="key")
    data = parquet(df, row_group_size=300)
    whole = pq.read_table(data).to_pandas().reset_index(drop=True)

    pieces = list(parquet_pieces(data, 5_000, index_as_data=False))

    pd.testing.assert_frame_equal(joined(pieces, whole), whole, check_exact=True)
    assert "key" not in whole.columns


def test_a_file_written_without_pandas_reads_the_same_in_pieces() -> None:
    # given a file from another writer (no pandas metadata), with a column of lists and one of decimals
    arrow = pa.table(
        {
            "id": pa.array(range(ROWS), pa.int32()),
            "tags": pa.array([[i % 3, i % 5] for i in range(ROWS)]),
            "price": pa.array([f"{i}.25" for i in range(ROWS)]).cast(pa.decimal128(12, 2)),
        }
    )
    buf = io.BytesIO()
    pq.write_table(arrow, buf, row_group_size=128)
    whole = read_parquet(buf.getvalue())

    pieces = list(parquet_pieces(buf, 3_000))

    assert len(pieces) > 3
    pd.testing.assert_frame_equal(pd.concat(pieces, ignore_index=True), whole, check_exact=True)


def test_the_footer_gives_rows_and_the_size_in_memory() -> None:
    data = parquet(frame(), row_group_size=300)
    assert parquet_rows(data) == ROWS
    assert parquet_memory_bytes(data) > 8 * ROWS  # at least the float column's bytes


def test_a_file_that_is_not_parquet_is_refused_before_any_piece() -> None:
    with pytest.raises(ParquetDataError, match="is not a valid Parquet file"):
        next(parquet_pieces(io.BytesIO(b"PAR1 and then nothing of the sort"), 1_000))
    with pytest.raises(ParquetDataError, match="is not a valid Parquet file"):
        read_parquet(b"x,y\n1,2\n")


def test_two_columns_of_one_name_are_refused_before_any_piece() -> None:
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_arrays([pa.array([1, 2]), pa.array([3, 4])], names=["a", "a"]), buf)

    with pytest.raises(ParquetDataError, match="has more than one column named 'a'"):
        next(parquet_pieces(buf, 1_000))
    with pytest.raises(ParquetDataError, match="has more than one column named 'a'"):
        read_parquet(buf.getvalue())


def test_a_file_without_rows_is_refused_both_ways() -> None:
    data = parquet(frame().iloc[:0])

    with pytest.raises(ParquetDataError, match="has columns but no rows"):
        next(parquet_pieces(data, 1_000))
    with pytest.raises(ParquetDataError, match="has columns but no rows"):
        read_parquet(data.getvalue())


def test_a_damaged_page_further_on_is_refused_when_its_piece_is_read() -> None:
    # given a file whose last row group's compressed pages are overwritten
    data = damage_last_row_group(ROWS, row_groups=4)
    piece_bytes = int(parquet_memory_bytes(io.BytesIO(data)) / 4) + 1

    # when it is read in pieces of a row group
    pieces = parquet_pieces(io.BytesIO(data), piece_bytes)

    # then the first pieces come, and the damaged one is refused naming the rows read before it
    assert len(next(pieces)) == ROWS // 4
    with pytest.raises(ParquetDataError, match=r"is damaged after row [\d,]+"):
        list(pieces)
