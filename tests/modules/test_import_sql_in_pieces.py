"""Import Data from a SQL query whose rows take more than a partition in memory (TESSERA_DATASET_PARTITION_MB, tiny
here): fetched in batches through a streaming cursor and written piece by piece into a stored table, never held
whole, with the rows and types the whole result gives; on PostgreSQL, SQLite and MariaDB, each a real server or file."""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import sqlalchemy as sa

from modules.library.data_input import _sql
from modules.sdk import DataTable, LocalContext, ModuleError, StoredTable, Table, default_registry

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARIADB = "mysql+pymysql://root@127.0.0.1:3306/test"
ROWS = 3000
QUERY = "SELECT id, score, name, flag, amount FROM {t} ORDER BY id"


def run(**params: Any) -> tuple[Any, LocalContext]:
    cls = default_registry().get("import_data")
    ctx = LocalContext()
    return cls().run({}, cls.parse_params({"data_source": "SQL query", **params}), ctx)["dataset"], ctx


def rows() -> list[tuple[Any, ...]]:
    """id; a number NULL every 13th row; text; a flag NULL only in the last thousand rows (so it is numbers-or-NULL
    in the first pieces, Python objects over the whole result); an amount with two decimals."""
    return [
        (
            i,
            None if i % 13 == 0 else i / 7,
            f"name {i % 97}",
            None if i >= ROWS - 1000 and i % 2 else bool(i % 3),
            f"{i}.25",
        )
        for i in range(ROWS)
    ]


@pytest.fixture(params=["postgresql", "sqlite", "mariadb"])
def source(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("TESSERA_DATASET_PARTITION_MB", str(16384 / 2**20))  # 16 KiB
    table = f"big_{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        path = tmp_path / "source.db"
        with sqlite3.connect(path) as conn:
            conn.execute(f"CREATE TABLE {table} (id int, score real, name text, flag boolean, amount numeric)")
            conn.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?)", rows())
        url = f"sqlite:///{path}"
    else:
        url = PG if request.param == "postgresql" else MARIADB
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                f"CREATE TABLE {table} (id int, score double precision, name text, flag boolean, amount decimal(12, 2))"
            )
            conn.execute(
                sa.text(f"INSERT INTO {table} VALUES (:id, :score, :name, :flag, :amount)"),
                [dict(zip(("id", "score", "name", "flag", "amount"), r, strict=True)) for r in rows()],
            )
    monkeypatch.setenv("TESSERA_DATA_CONNECTIONS", json.dumps({"warehouse": url}))
    yield table
    if request.param != "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        engine.dispose()


def stored(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as a stored table reads back."""
    return Table.deserialize(Table.serialize(DataTable(df))).df


def test_a_large_result_is_written_in_pieces_with_the_whole_results_rows_and_types(source: str) -> None:
    # given the whole result, read as a small one is
    url = json.loads(os.environ["TESSERA_DATA_CONNECTIONS"])["warehouse"]
    whole = _sql.read_query(url, QUERY.format(t=source), "warehouse")
    first = _sql.read_query(url, QUERY.format(t=source) + " LIMIT 500", "warehouse")
    assert len(whole) == ROWS and first["flag"].dtype != whole["flag"].dtype  # the later NULLs change its type

    # when it is imported with partitions of 16 KiB
    table, ctx = run(connection="warehouse", query=QUERY.format(t=source))

    # then it is a stored table of many pieces whose rows and types are the whole result's
    assert isinstance(table, StoredTable)
    assert len(table.row_groups) > 5 and sum(table.row_groups) == ROWS
    pd.testing.assert_frame_equal(table.read().df, stored(whole), check_exact=True)
    assert "read in" in ctx.logs[-1] and f"{ROWS} rows" in ctx.logs[-1]


def test_a_small_result_is_still_one_frame(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TESSERA_DATASET_PARTITION_MB", "64")

    table, _ = run(connection="warehouse", query=QUERY.format(t=source))

    assert isinstance(table, DataTable) and len(table.df) == ROWS


def test_a_failure_while_later_rows_are_fetched_names_the_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a PostgreSQL query that fails only at its 2,500th row, long after the first pieces were fetched
    monkeypatch.setenv("TESSERA_DATASET_PARTITION_MB", str(16384 / 2**20))
    monkeypatch.setenv("TESSERA_DATA_CONNECTIONS", json.dumps({"warehouse": PG}))
    query = "SELECT a, 1 / (a - 2500) AS x FROM generate_series(1, 3000) AS a"

    # when it is imported, then the module fails naming the connection and the database's reason
    with pytest.raises(ModuleError) as refused:
        run(connection="warehouse", query=query)

    assert refused.value.param == "query"
    assert refused.value.message.startswith("the query failed on connection 'warehouse': division by zero")
