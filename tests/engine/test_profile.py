"""Profiles and pages: values checked against pandas and numpy computed directly, NaN handling, a million rows."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.engine.profile import json_safe, page_table, profile_table


def strict_json(value: Any) -> Any:
    """Round trip through JSON that refuses NaN and infinity, as browsers do."""
    return json.loads(json.dumps(value, allow_nan=False))


def column(profile: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in profile["columns"] if c["name"] == name)


def test_numeric_columns_match_pandas_and_numpy() -> None:
    # given a float column with missing values
    rng = np.random.default_rng(0)
    values = rng.normal(10, 3, 500)
    values[[3, 70, 99]] = np.nan
    df = pd.DataFrame({"x": values})

    # when profiled
    profile = profile_table(df, histogram_bins=7)

    # then each statistic equals the direct computation
    x = column(profile, "x")
    counts, edges = np.histogram(df["x"].dropna().to_numpy(), bins=7)
    assert profile["rows"] == 500
    assert x == {
        "name": "x",
        "type": "number",
        "missing": 3,
        "distinct": int(df["x"].nunique()),
        "min": float(df["x"].min()),
        "max": float(df["x"].max()),
        "mean": float(df["x"].mean()),
        "std": float(df["x"].std()),
        "histogram": {"edges": edges.tolist(), "counts": counts.tolist()},
    }
    assert sum(x["histogram"]["counts"]) == 497


def test_nullable_integers_keep_integer_min_and_max() -> None:
    # given a nullable integer column with a missing value
    df = pd.DataFrame({"n": pd.array([4, None, 1, 4], dtype="Int64")})

    # when profiled
    n = column(profile_table(df, histogram_bins=3), "n")

    # then min and max are Python ints and the missing value is counted
    assert n["type"] == "integer"
    assert n["missing"] == 1
    assert n["distinct"] == 2
    assert (n["min"], n["max"]) == (1, 4)
    assert type(n["min"]) is int
    assert n["mean"] == 3.0
    assert n["std"] == pytest.approx(float(np.std([4, 1, 4], ddof=1)))
    assert n["histogram"]["counts"] == [1, 0, 2]


def test_string_columns_list_the_most_common_values() -> None:
    # given a string column with repeats and a missing value
    df = pd.DataFrame({"s": ["b", "a", "b", None, "c", "b", "a"]})

    # when profiled with the top two values
    s = column(profile_table(df, top=2), "s")

    # then the counts match value_counts and there is no histogram
    expected = df["s"].value_counts().head(2)
    assert s == {
        "name": "s",
        "type": "string",
        "missing": 1,
        "distinct": 3,
        "top": [{"value": v, "count": int(c)} for v, c in expected.items()],
    }
    assert s["top"] == [{"value": "b", "count": 3}, {"value": "a", "count": 2}]


def test_categories_without_rows_are_not_listed() -> None:
    # given a categorical column with an unused category
    df = pd.DataFrame({"c": pd.Categorical(["x", "x", "y"], categories=["x", "y", "z"])})

    # when profiled, then only present values appear and distinct counts them
    c = column(profile_table(df), "c")
    assert c["type"] == "category"
    assert c["distinct"] == 2
    assert c["top"] == [{"value": "x", "count": 2}, {"value": "y", "count": 1}]


def test_booleans_and_datetimes_are_profiled_by_their_values() -> None:
    # given boolean and datetime columns
    df = pd.DataFrame(
        {
            "flag": [True, False, True],
            "when": pd.to_datetime(pd.Series(["2024-01-02", "2024-01-02", None])),
        }
    )

    # when profiled
    profile = strict_json(profile_table(df))

    # then their top values are plain JSON
    assert column(profile, "flag")["top"] == [{"value": True, "count": 2}, {"value": False, "count": 1}]
    when = column(profile, "when")
    assert when["type"] == "datetime"
    assert when["missing"] == 1
    assert when["top"] == [{"value": "2024-01-02T00:00:00", "count": 2}]


def test_all_missing_and_infinite_values_become_null() -> None:
    # given a column of NaN only and a column with infinities
    df = pd.DataFrame({"empty": [np.nan, np.nan], "inf": [1.0, np.inf]})

    # when profiled
    profile = profile_table(df)

    # then every statistic is JSON-safe, with None where there is no finite value
    assert strict_json(profile) == profile
    empty = column(profile, "empty")
    assert (empty["min"], empty["max"], empty["mean"], empty["std"]) == (None, None, None, None)
    assert empty["histogram"] == {"edges": [], "counts": []}
    assert empty["missing"] == 2
    inf = column(profile, "inf")
    assert (inf["min"], inf["max"], inf["mean"]) == (1.0, None, None)
    assert sum(inf["histogram"]["counts"]) == 1


def test_an_empty_table_profiles() -> None:
    # given a table with columns and no rows
    df = pd.DataFrame({"a": pd.Series([], dtype="float64"), "b": pd.Series([], dtype="str")})

    # when profiled, then every column is there with zero counts
    profile = profile_table(df)
    assert profile["rows"] == 0
    assert column(profile, "a")["histogram"] == {"edges": [], "counts": []}
    assert column(profile, "b")["top"] == []
    assert strict_json(profile) == profile


def test_a_million_rows_profile_correctly() -> None:
    # given a million rows of numbers, strings, and integers (how long this takes: bench/profile_1m.py)
    rng = np.random.default_rng(1)
    n = 1_000_000
    df = pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "k": rng.integers(0, 1000, n),
            "s": pd.Series(rng.integers(0, 50, n)).map(lambda i: f"cat{i}"),
        }
    )

    # when profiled
    profile = profile_table(df)

    # then every row is counted and the statistics are those of pandas on the whole table
    assert profile["rows"] == n
    x = column(profile, "x")
    assert (x["mean"], x["std"]) == (pytest.approx(df["x"].mean()), pytest.approx(df["x"].std()))
    assert sum(x["histogram"]["counts"]) == n
    assert column(profile, "k")["distinct"] == int(df["k"].nunique())
    s = column(profile, "s")
    assert s["distinct"] == 50
    assert [t["count"] for t in s["top"]] == df["s"].value_counts().head(10).tolist()


def test_page_returns_the_window_as_json() -> None:
    # given a table of mixed types with missing values
    df = pd.DataFrame(
        {
            "i": np.arange(5, dtype="int64"),
            "f": [0.5, np.nan, 2.5, np.inf, 4.5],
            "s": ["a", None, "c", "d", "e"],
            "t": pd.to_datetime(
                pd.Series(["2024-01-01", None, "2024-03-01 12:30", "2024-04-01", "2024-05-01"]), format="ISO8601"
            ),
            "b": [True, False, True, False, True],
        }
    )

    # when the second and third rows are asked for
    page = page_table(df, offset=1, limit=2)

    # then the window comes back as plain Python values
    assert page == {
        "total": 5,
        "offset": 1,
        "limit": 2,
        "columns": [
            {"name": "i", "type": "integer"},
            {"name": "f", "type": "number"},
            {"name": "s", "type": "string"},
            {"name": "t", "type": "datetime"},
            {"name": "b", "type": "boolean"},
        ],
        "rows": [[1, None, None, None, False], [2, 2.5, "c", "2024-03-01T12:30:00", True]],
    }
    assert type(page["rows"][0][0]) is int
    assert strict_json(page) == page


def test_page_past_the_end_is_empty_and_negative_windows_are_refused() -> None:
    # given a small table
    df = pd.DataFrame({"a": [1, 2]})

    # then a window past the end is empty, and negative offsets or limits are refused
    assert page_table(df, offset=5, limit=10)["rows"] == []
    assert page_table(df, offset=1, limit=10)["rows"] == [[2]]
    with pytest.raises(ValueError, match="must not be negative"):
        page_table(df, offset=-1, limit=10)
    with pytest.raises(ValueError, match="must not be negative"):
        page_table(df, offset=0, limit=-1)


def test_page_of_a_table_without_columns_keeps_its_rows() -> None:
    # given three rows and no columns
    df = pd.DataFrame(index=range(3))

    # then each row is an empty list
    assert page_table(df, 0, 10)["rows"] == [[], [], []]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.int64(3), 3),
        (np.float32(1.5), 1.5),
        (np.float64("nan"), None),
        (float("-inf"), None),
        (np.bool_(True), True),
        (pd.NA, None),
        (pd.NaT, None),
        (pd.Timestamp("2024-02-03T04:05:06", tz="UTC"), "2024-02-03T04:05:06+00:00"),
        (np.datetime64("2024-02-03"), "2024-02-03T00:00:00"),
        (np.datetime64("NaT"), None),
        (dt.date(2024, 2, 3), "2024-02-03"),
        (pd.Timedelta(seconds=90), "P0DT0H1M30S"),
        (Decimal("2.5"), 2.5),
        (b"raw", "raw"),
        (np.array([1, 2]), [1, 2]),
        ({"a": [np.int8(1), np.nan]}, {"a": [1, None]}),
        ((1, "x"), [1, "x"]),
    ],
)
def test_json_safe_converts_to_plain_json(value: Any, expected: Any) -> None:
    # when a value is made JSON-safe, then it becomes the plain value
    assert json_safe(value) == expected
