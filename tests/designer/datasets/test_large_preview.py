"""A large version's preview is read from the row groups each page falls in: the same pages as the whole table's."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.datasets import selectors
from designer.datasets.services import create_dataset_from_frame
from designer.engine.profile import page_table

pytestmark = pytest.mark.django_db


def test_pages_of_a_large_version_come_from_its_row_groups_and_equal_the_whole_tables(
    owner: Any, workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a version counted as large, and the whole-table path made unusable
    df = pd.DataFrame({"x": np.arange(300) * 0.5, "s": pd.Series([f"r{i}" for i in range(300)], dtype="str")})
    version = create_dataset_from_frame(owner, workspace, "big", df).versions.get()
    monkeypatch.setattr(selectors, "PAGE_FROM_PARTS_ROWS", 100)
    monkeypatch.setattr(selectors, "frame_of", lambda version: pytest.fail("the whole table was read"))

    # when pages are read, then they equal the whole table's pages
    for offset, limit in ((0, 25), (140, 50), (290, 50)):
        assert selectors.preview(version, offset=offset, limit=limit) == page_table(df, offset, limit)
