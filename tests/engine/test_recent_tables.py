"""A worker's recent tables: the next node reads in memory exactly what it would have read from the store."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from designer.engine.execute import execute_node, load_output
from designer.engine.graph import Node
from designer.engine.recent_tables import RecentTables
from designer.engine.store import ArtifactStore, LocalArtifactStore
from modules.sdk import DataTable, LocalContext, Table

from .toys import REGISTRY


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return LocalArtifactStore(tmp_path)


def mixed_frame() -> pd.DataFrame:
    n = 6
    return pd.DataFrame(
        {
            "f": [1.5, np.nan, 3.0, 4.0, 5.0, -0.0],
            "f32": np.arange(n, dtype="float32"),
            "i": np.arange(n),
            "u8": np.arange(n, dtype="uint8"),
            "I": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
            "b": [True, False] * 3,
            "B": pd.array([True, None, False, True, False, None], dtype="boolean"),
            "s": ["a", None, "ç", "d", "", "f"],
            "ts": pd.date_range("2020-01-01", periods=n, freq="h"),
            "tz": pd.date_range("2020-01-01", periods=n, tz="Europe/Paris"),
            "td": pd.to_timedelta(np.arange(n), unit="s"),
            "date": [dt.date(2020, 1, i + 1) for i in range(n)],
            "dec": [decimal.Decimal("1.25")] * n,
            "none": [None] * n,
        },
        index=[10, 11, 12, 13, 14, 15],  # not kept by either path: the index is not stored
    )


def test_a_kept_table_reads_back_as_the_stored_bytes_would() -> None:
    # given a table of many column types, written as a node's output is
    table = DataTable(mixed_frame(), {"label_column": "s", "when": dt.date(2020, 1, 1)})
    arrow = Table.to_arrow(table)
    data = Table.arrow_bytes(arrow)
    recent = RecentTables(2**30)

    # when it is kept, and read back from memory
    recent.keep("d" * 64, arrow)
    kept = recent.table("d" * 64)

    # then it is exactly what reading the stored bytes gives, frame and meta
    assert data == Table.serialize(table)
    stored = Table.deserialize(data)
    assert kept is not None
    pd.testing.assert_frame_equal(kept.df, stored.df, check_exact=True)
    assert kept.meta == stored.meta == {"label_column": "s", "when": "2020-01-01"}


def test_types_whose_round_trip_differs_are_not_kept() -> None:
    # a category column comes back from Parquet with other dictionary indices; a list column is nested
    recent = RecentTables(2**30)
    for df in (pd.DataFrame({"c": pd.Categorical(["x", "y"])}), pd.DataFrame({"l": [[1], [2, 3]]})):
        recent.keep("a" * 64, Table.to_arrow(DataTable(df)))
    assert len(recent) == 0
    assert recent.table("a" * 64) is None


def test_the_least_recently_used_tables_leave_first() -> None:
    # given room for two tables of 8,000 bytes
    tables = {c * 64: Table.to_arrow(DataTable(pd.DataFrame({"x": np.zeros(1000)}))) for c in "abc"}
    recent = RecentTables(16_000)

    # when a and b are kept, a is read, then c is kept
    recent.keep("a" * 64, tables["a" * 64])
    recent.keep("b" * 64, tables["b" * 64])
    assert recent.table("a" * 64) is not None
    recent.keep("c" * 64, tables["c" * 64])

    # then b, the least recently used, is gone; a table larger than the bound is never kept
    assert recent.table("b" * 64) is None
    assert recent.table("a" * 64) is not None and recent.table("c" * 64) is not None
    RecentTables(100).keep("a" * 64, tables["a" * 64])
    assert len(RecentTables(100)) == 0


def test_a_child_reads_its_parents_output_from_memory_with_the_same_results(store: ArtifactStore) -> None:
    # given a parent whose output is kept, then deleted from the store (so only memory can give it)
    recent = RecentTables(2**30)
    parent = execute_node(
        Node("p", "const", 1, {"names": ["a"], "rows": 3}), REGISTRY, {}, store, LocalContext(), recent
    )
    digest = parent["table"].digest
    assert recent.table(digest) is not None
    child = Node("c", "add_one", 1, {"column": "a"})
    from_store = execute_node(child, REGISTRY, {"table": digest}, store, LocalContext())
    store.delete(digest)

    # when the child runs with the recent tables
    from_memory = execute_node(child, REGISTRY, {"table": digest}, store, LocalContext(), recent)

    # then it computed the same output, under the same digest, as when it read the store
    assert from_memory == from_store
    pd.testing.assert_frame_equal(
        load_output(store, "table", from_memory["result"].digest).df, pd.DataFrame({"a": [1, 2, 3]})
    )


def test_a_table_read_from_the_store_is_kept_for_the_next_reader(store: ArtifactStore) -> None:
    # given a table in the store that no node of this process wrote
    digest = store.put(Table.serialize(DataTable(pd.DataFrame({"a": [1, 2]}), {"label_column": "a"})))
    recent = RecentTables(2**30)
    child = Node("c", "add_one", 1, {"column": "a"})
    first = execute_node(child, REGISTRY, {"table": digest}, store, LocalContext(), recent)

    # when it is gone from the store, and read again
    store.delete(digest)
    again = execute_node(child, REGISTRY, {"table": digest}, store, LocalContext(), recent)

    # then the second reader got it from memory, and computed the same
    assert again == first
    assert load_output(store, "table", again["result"].digest).meta == {"label_column": "a"}
