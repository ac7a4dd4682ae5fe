"""Bytes handed on while a writer on another thread writes them (``chunks_written_by``)."""

from __future__ import annotations

import threading
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from designer.engine.written import WriterFailed, chunks_written_by
from modules.sdk import DataTable, Table


def test_the_pieces_come_in_the_order_written() -> None:
    # given a writer writing many pieces
    def write(sink: BinaryIO) -> None:
        for i in range(500):
            sink.write(f"{i},".encode())

    # when its bytes are read as they come
    data = b"".join(chunks_written_by(write))

    # then they are exactly what it wrote
    assert data == b"".join(f"{i},".encode() for i in range(500))


def test_a_table_written_in_pieces_is_the_parquet_serialize_gives() -> None:
    # given a table with numbers, missing values and text
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x": rng.normal(size=50_000), "n": rng.integers(0, 9, 50_000)})
    df.loc[::7, "x"] = np.nan
    df["label"] = pd.Series(np.where(df.n > 4, "yes", "no"), dtype="str")
    table = DataTable(df, {"label_column": "label"})

    # when it is written on a thread
    arrow = Table.to_arrow(table)
    data = b"".join(chunks_written_by(lambda sink: Table.write_parquet(arrow, sink)))

    # then the bytes (and so the artifact's digest) equal serialize's, and read back as the table
    assert data == Table.serialize(table)
    back = Table.deserialize(data)
    pd.testing.assert_frame_equal(back.df, df)
    assert back.meta == table.meta


def test_a_writer_failure_comes_after_what_it_wrote() -> None:
    # given a writer that fails after writing a piece
    def write(sink: BinaryIO) -> None:
        sink.write(b"first")
        raise ValueError("cannot encode column 'a'")

    pieces = chunks_written_by(write)

    # then the piece is handed on, and the failure follows it, naming the writer's error
    assert next(pieces) == b"first"
    with pytest.raises(WriterFailed, match="ValueError: cannot encode column 'a'") as failed:
        next(pieces)
    assert isinstance(failed.value.__cause__, ValueError)


def test_arrow_refusing_a_type_is_a_writer_failure() -> None:
    # given a column Parquet has no type for
    interval = pa.array([pa.MonthDayNano([1, 2, 3])], type=pa.month_day_nano_interval())
    arrow = pa.table({"a": interval})

    # when it is written
    with pytest.raises(WriterFailed, match="month_day_nano_interval"):
        b"".join(chunks_written_by(lambda sink: Table.write_parquet(arrow, sink)))


def test_a_consumer_that_stops_ends_the_writer() -> None:
    # given a writer that would write forever
    stopped = threading.Event()

    def write(sink: BinaryIO) -> None:
        try:
            while True:
                sink.write(b"x" * 1024)
        finally:
            stopped.set()

    # when its reader takes one piece and closes the iterator (its own write failed, say)
    pieces = chunks_written_by(write)
    next(pieces)
    pieces.close()

    # then the writer has ended, and no thread is left behind
    assert stopped.is_set()
    assert not [t for t in threading.enumerate() if t.name == "tessera-writer"]


def test_the_sink_takes_views_as_well_as_bytes() -> None:
    # given a writer handing memoryviews of a buffer it reuses
    def write(sink: BinaryIO) -> None:
        buf = bytearray(b"aaaa")
        sink.write(memoryview(buf))
        buf[:] = b"bbbb"
        sink.write(memoryview(buf))

    # then each piece is what was written at the time
    assert list(chunks_written_by(write)) == [b"aaaa", b"bbbb"]


def test_a_consumer_that_stops_mid_table_ends_arrows_writer_and_leaves_ast_working() -> None:
    """Arrow's Parquet writer formats the exception that stops it; one raised through a Python frame would run
    Python 3.11's caret finder (``ast.parse``) from inside Arrow's call and break every later ``ast.parse`` of
    the process (SystemError: AST constructor recursion depth mismatch)."""
    import ast

    # given a table whose Parquet takes many writes
    rng = np.random.default_rng(1)
    arrow = pa.table({f"c{i}": rng.normal(size=200_000) for i in range(8)})

    # when its consumer takes one piece and stops
    pieces = chunks_written_by(lambda sink: Table.write_parquet(arrow, sink))
    next(pieces)
    pieces.close()

    # then the writer ended, and ast still parses
    assert not [t for t in threading.enumerate() if t.name == "tessera-writer"]
    ast.parse("x = [1]")
