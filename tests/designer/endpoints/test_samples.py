"""Drift samples as spool text and back: the rows ``EndpointSample`` holds, whatever the column types."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from designer.endpoints.samples import sample_json, sample_rows

pytestmark = pytest.mark.django_db  # the package's fixtures flush call records after each test


def test_a_float_frame_comes_back_as_rows_with_null_for_missing_and_non_finite_numbers() -> None:
    frame = pd.DataFrame({"a": [1.5, np.nan], "b": [np.inf, 0.1 + 0.2]})

    sample = json.loads(sample_json(7, "in", frame))

    assert (sample["endpoint_id"], sample["input"]) == (7, "in")
    assert sample_rows(sample) == [{"a": 1.5, "b": None}, {"a": None, "b": 0.1 + 0.2}]


def test_mixed_columns_keep_their_values_with_dates_as_iso_text_and_missing_markers_null() -> None:
    frame = pd.DataFrame(
        {
            "n": pd.array([3, None], dtype="Int64"),
            "flag": pd.array([True, None], dtype="boolean"),
            "color": pd.Series(["red", None], dtype="str"),
            "when": pd.to_datetime(["2026-12-06T10:00:00", None]),
            "x": [0.25, 2.0],
        }
    )

    rows = sample_rows(json.loads(sample_json(1, "in", frame)))

    assert rows == [
        {"n": 3, "flag": True, "color": "red", "when": "2026-12-06T10:00:00", "x": 0.25},
        {"n": None, "flag": None, "color": None, "when": None, "x": 2.0},
    ]
