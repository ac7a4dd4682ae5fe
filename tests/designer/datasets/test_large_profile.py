"""A large table's profile: distinct counts, top values and histograms from PROFILE_ROWS rows spread over it,
and what is cheap to count exactly (rows, missing values, minimum, maximum, mean, spread) over every row."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.datasets.services import PROFILE_ROWS, create_dataset_from_frame

pytestmark = pytest.mark.django_db


def test_a_large_uploads_profile_is_sampled_but_its_counts_and_extremes_are_exact(owner: Any, workspace: Any) -> None:
    # given a table half again as long as the profile's sample, its extremes and missing values at the very end
    n = PROFILE_ROWS * 3 // 2
    x = np.arange(n, dtype="float64")
    x[-7:-1] = np.nan  # six missing values in rows the evenly spread sample may skip
    x[-1] = 1e9
    df = pd.DataFrame({"x": x, "s": pd.Series(np.where(np.arange(n) % 3 == 0, "a", None), dtype="str")})

    # when it is stored as a dataset
    profile = create_dataset_from_frame(owner, workspace, "big", df).versions.get().profile

    # then rows, missing and the numeric summary are exact, and the profile says it was sampled
    assert profile["rows"] == n and profile["sampled_rows"] == PROFILE_ROWS
    x_profile, s_profile = profile["columns"]
    assert x_profile["missing"] == 6 and s_profile["missing"] == int(df["s"].isna().sum())
    assert x_profile["max"] == 1e9 and x_profile["min"] == 0.0
    assert x_profile["mean"] == pytest.approx(df["x"].mean()) and x_profile["std"] == pytest.approx(df["x"].std())
    assert sum(x_profile["histogram"]["counts"]) <= PROFILE_ROWS


def test_a_table_of_profile_rows_or_fewer_is_profiled_whole(owner: Any, workspace: Any) -> None:
    df = pd.DataFrame({"x": np.arange(1000, dtype="float64")})

    profile = create_dataset_from_frame(owner, workspace, "small", df).versions.get().profile

    assert profile["rows"] == 1000 and "sampled_rows" not in profile
    assert sum(profile["columns"][0]["histogram"]["counts"]) == 1000


def test_a_large_table_a_run_saves_is_profiled_row_group_by_row_group(owner: Any, workspace: Any) -> None:
    from designer.artifacts import artifact_store
    from designer.datasets.services import publish_table
    from designer.engine.tables import StoreTables
    from modules.sdk import DataTable

    # given a table written in row groups, twice as long as the profile's sample, its extremes at the end
    n = PROFILE_ROWS * 2
    x = np.arange(n, dtype="float64") + 1e6
    x[-5:-1] = np.nan
    x[-1] = -3.0
    with StoreTables(artifact_store()).writer() as sink:
        for start in range(0, n, 20_000):
            sink.write(DataTable(pd.DataFrame({"x": x[start : start + 20_000]})))
        stored = sink.close()

    # when a run saves it as a dataset (recorded as it is, not copied)
    profile = publish_table(owner, workspace, "big run output", stored).profile

    # then the counts and moments are exact over every row, the rest from the sample
    column = profile["columns"][0]
    assert profile["rows"] == n and profile["sampled_rows"] < n
    assert column["missing"] == 4 and column["min"] == -3.0 and column["max"] == float(n - 6) + 1e6
    assert column["mean"] == pytest.approx(np.nanmean(x), rel=1e-12)
    assert column["std"] == pytest.approx(np.nanstd(x, ddof=1), rel=1e-9)
