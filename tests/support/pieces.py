"""Watching a file be read in pieces: its whole-file readers made to fail the test, the piece reader's careful
parser spied on."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from modules.sdk import stream_csv


def read_in_pieces_only(monkeypatch: pytest.MonkeyPatch, *whole: tuple[Any, str]) -> list[int]:
    """Each ``(module, name)`` of ``whole`` (a reader of whole files) fails the test if called; the lengths of the
    texts ``stream_csv``'s careful parser is given, piece by piece, are appended to the list returned."""

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the file was read whole")

    for module, name in whole:
        monkeypatch.setattr(module, name, refused)
    sizes: list[int] = []
    real = stream_csv.read_delimited

    def careful(text: str, **kwargs: Any) -> pd.DataFrame:
        sizes.append(len(text))
        return real(text, **kwargs)

    monkeypatch.setattr(stream_csv, "read_delimited", careful)
    return sizes


def damage_last_row_group(rows: int, row_groups: int) -> bytes:
    """A Parquet file of one float column in ``row_groups`` row groups (snappy, no dictionary) whose last row
    group's page is overwritten: its footer reads, and so do the row groups before it."""
    import io

    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    table = pa.table({"x": np.random.default_rng(0).normal(size=rows)})
    pq.write_table(table, buf, row_group_size=rows // row_groups, compression="snappy", use_dictionary=False)
    column = pq.ParquetFile(io.BytesIO(buf.getvalue())).metadata.row_group(row_groups - 1).column(0)
    data = bytearray(buf.getvalue())
    start, size = column.data_page_offset, column.total_compressed_size
    data[start + 40 : start + size - 8] = b"\xff" * (size - 48)
    return bytes(data)
