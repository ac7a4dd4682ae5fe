"""A query's rows read in pieces (``typed_record_pieces``) are the frame the whole result gives (``_sql.frame``),
piece after piece, whatever the mix of values and wherever the pieces are cut."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modules.library.data_input._record_pieces import OBJECTS, Note, typed_record_pieces, unified
from modules.library.data_input._sql import frame

BERLIN = dt.timezone(dt.timedelta(hours=1))

KINDS: dict[str, st.SearchStrategy[Any]] = {
    "int": st.integers(-(2**40), 2**40),
    "big int": st.integers(0, 2**64 - 1),
    "float": st.floats(allow_nan=True, allow_infinity=False, width=64),
    "decimal": st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False),
    "flag": st.booleans(),
    "text": st.text(max_size=4),
    "date": st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2030, 1, 1)),
    "time": st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    "zoned time": st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1)).map(
        lambda t: t.replace(tzinfo=BERLIN)
    ),
}


@st.composite
def column(draw: st.DrawFn, rows: int) -> list[Any]:
    """One column's values: one kind or two mixed, NULLs sometimes, sometimes only in long runs (whole pieces)."""
    kinds = draw(st.lists(st.sampled_from(list(KINDS)), min_size=1, max_size=2, unique=True))
    nulls = draw(st.sampled_from(["none", "some", "runs", "all"]))
    values = []
    for i in range(rows):
        if nulls == "all" or (nulls == "some" and draw(st.integers(0, 9)) == 0) or (nulls == "runs" and i // 7 % 2):
            values.append(None)
        else:
            values.append(draw(KINDS[draw(st.sampled_from(kinds))]))
    return values


@st.composite
def result(draw: st.DrawFn) -> tuple[list[str], list[tuple[Any, ...]]]:
    rows = draw(st.integers(1, 40))
    width = draw(st.integers(1, 4))
    columns = [draw(column(rows)) for _ in range(width)]
    return [f"c{i}" for i in range(width)], list(zip(*columns, strict=True))


def in_batches(rows: list[tuple[Any, ...]], size: int) -> list[list[tuple[Any, ...]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def assert_same(pieces: list[pd.DataFrame], whole: pd.DataFrame) -> None:
    joined = pd.concat(pieces, ignore_index=True) if len(pieces) > 1 else pieces[0]
    assert list(joined.dtypes) == list(whole.dtypes), (joined.dtypes, whole.dtypes)
    pd.testing.assert_frame_equal(joined, whole, check_exact=True)
    assert all(list(p.dtypes) == list(whole.dtypes) for p in pieces)


@settings(max_examples=300, deadline=None)
@given(result(), st.integers(1, 9), st.integers(1, 5))
def test_pieces_are_the_whole_result(data: tuple[list[str], list[tuple[Any, ...]]], size: int, batch: int) -> None:
    columns, rows = data
    whole = frame(rows, columns)

    pieces = list(typed_record_pieces(columns, in_batches(rows, batch), size, frame))

    assert [len(p) for p in pieces] == [len(r) for r in in_batches(rows, size)]
    assert_same(pieces, whole)


CASES = {  # a column cut into pieces of two rows: the whole result's type, as from_records gives it
    "integers, NULLs only in a later piece": ([1, 2, None, None], "float64"),
    "flags, NULLs only in a later piece": ([True, False, None, None], "object"),
    "text, NULLs only in a later piece": (["a", "b", None, None], "str"),
    "integers then text": ([1, 2, "a", "b"], "object"),
    "integers then decimals": ([1, 2, decimal.Decimal("2.5"), decimal.Decimal("1")], "float64"),
    "integers then one past 2**63": ([1, 2, 2**63, 5], "uint64"),
    "negative integers then one past 2**63": ([-1, 2, 2**63, 5], "object"),
    "flags then integers": ([True, False, 1, 0], "object"),
    "a negative integer and a NULL, then one past 2**63": ([-1, None, 2**63, 5], "object"),
    "a negative number and a NULL, then an integer past 2**63": ([-1.5, None, 2**63, 5], "float64"),
    "integers and NULLs, then one past 2**63 and a NULL": ([1, None, 2**63, None], "float64"),
    "dates": ([dt.date(2020, 1, 1), None, dt.date(2020, 1, 3), dt.date(2020, 1, 4)], "object"),
    "NULLs only": ([None, None, None, None], "object"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_column_cut_into_pieces_gets_the_whole_results_type(case: str) -> None:
    values, dtype = CASES[case]
    rows = [(v,) for v in values]
    whole = frame(rows, ["c"])
    assert str(whole["c"].dtype) == dtype  # what pandas gives the whole result: the case says it

    pieces = list(typed_record_pieces(["c"], [rows], 2, frame))

    assert_same(pieces, whole)


def test_unified_answers_objects_when_nothing_but_nulls_came() -> None:
    assert unified([Note(OBJECTS, empty=True), Note(OBJECTS, empty=True)]) == OBJECTS
    assert unified([Note(np.dtype("int64"), empty=False), Note(OBJECTS, empty=True)]) == np.dtype("float64")
