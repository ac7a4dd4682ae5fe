"""Import Data never changes a source database: PostgreSQL, SQLite and MariaDB, each a real server or file.

Every case creates a 3-row table, runs Import Data with a query that would change it, and reads the
rows back through a separate connection afterwards: still the same 3. The module-level cases show the clear refusal; the
``read_query`` cases skip the statement check to show that the database itself refuses.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pymysql
import pytest
import sqlalchemy as sa

from modules.library.data_input import _sql
from modules.sdk import LocalContext, ModuleError, default_registry

PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MARIADB = "mysql+pymysql://root@127.0.0.1:3306/test"


@dataclass
class Source:
    backend: str
    url: str  # what the operator puts in TESSERA_DATA_CONNECTIONS
    table: str
    rows: Callable[[], list[int]]  # the table's rows, read through a connection of its own


def run(**params: Any) -> dict[str, Any]:
    cls = default_registry().get("import_data")
    return cls().run({}, cls.parse_params({"data_source": "SQL query", **params}), LocalContext())


def _sqlalchemy_source(backend: str, url: str) -> Iterator[Source]:
    table = f"rows_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE TABLE {table} (a int)")
        conn.exec_driver_sql(f"INSERT INTO {table} VALUES (1), (2), (3)")

    def rows() -> list[int]:
        with engine.connect() as conn:
            return [int(a) for a in conn.exec_driver_sql(f"SELECT a FROM {table} ORDER BY a").scalars()]

    yield Source(backend, url, table, rows)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    engine.dispose()


def _sqlite_source(path: Path) -> Iterator[Source]:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (a int)")
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])

    def rows() -> list[int]:
        conn = sqlite3.connect(path)
        try:
            return [int(a) for (a,) in conn.execute("SELECT a FROM t ORDER BY a")]
        finally:
            conn.close()

    yield Source("sqlite", f"sqlite:///{path}", "t", rows)


@pytest.fixture(params=["postgresql", "sqlite", "mariadb"])
def source(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Source]:
    if request.param == "sqlite":
        made = _sqlite_source(tmp_path / "source.db")
    else:
        made = _sqlalchemy_source(request.param, PG if request.param == "postgresql" else MARIADB)
    src = next(made)
    monkeypatch.setenv("TESSERA_DATA_CONNECTIONS", json.dumps({"warehouse": src.url}))
    assert src.rows() == [1, 2, 3]
    yield src
    next(made, None)


def _changes(backend: str) -> list[str]:
    """Queries that would change the table ``{t}`` on ``backend``: every one must leave its 3 rows."""
    common = [
        "COMMIT; DELETE FROM {t}",
        "SET TRANSACTION READ WRITE; DELETE FROM {t}",
        "SELECT 1; DELETE FROM {t}",
        "SELECT * FROM {t}; DELETE FROM {t}",
        "DELETE FROM {t}",
        "DROP TABLE {t}",
        "INSERT INTO {t} VALUES (4)",
        "UPDATE {t} SET a = 0",
    ]
    if backend == "postgresql":  # a data-changing CTE
        return [*common, "WITH d AS (DELETE FROM {t} RETURNING *) SELECT * FROM d", "TRUNCATE {t}"]
    if backend == "sqlite":  # no data-changing CTEs: DELETE ... RETURNING and WITH ... DELETE instead
        return [*common, "DELETE FROM {t} RETURNING *", "WITH d AS (SELECT 1) DELETE FROM {t}"]
    return [*common, "DELETE FROM {t} RETURNING *", "WITH d AS (SELECT 1) DELETE FROM {t}", "TRUNCATE {t}"]


def _cases(backend: str) -> list[Any]:
    return [pytest.param(backend, query, id=f"{backend}: {query}") for query in _changes(backend)]


ALL_CHANGES = [case for backend in ("postgresql", "sqlite", "mariadb") for case in _cases(backend)]


@pytest.mark.parametrize(("source", "query"), ALL_CHANGES, indirect=["source"])
def test_a_query_that_would_change_the_source_is_refused_and_changes_nothing(source, query):
    with pytest.raises(ModuleError) as caught:
        run(connection="warehouse", query=query.format(t=source.table))

    assert caught.value.param == "query"
    assert "read-only" in caught.value.message or "only reads" in caught.value.message
    assert source.rows() == [1, 2, 3]


@pytest.mark.parametrize(("source", "query"), ALL_CHANGES, indirect=["source"])
def test_the_database_itself_refuses_the_change_without_the_statement_check(source, query):
    with pytest.raises(ModuleError) as caught:
        _sql.read_query(source.url, query.format(t=source.table), "warehouse")

    assert caught.value.param == "query" and "connection 'warehouse'" in caught.value.message
    assert source.rows() == [1, 2, 3]


def test_postgresql_refuses_to_make_the_transaction_writable_from_inside_a_select(monkeypatch):
    made = _sqlalchemy_source("postgresql", PG)
    src = next(made)
    query = "SELECT set_config('transaction_read_only', 'off', true), count(*) FROM {t}"
    try:
        with pytest.raises(ModuleError) as caught:
            _sql.read_query(PG, query.format(t=src.table), "warehouse")
        rows = src.rows()
    finally:
        next(made, None)

    assert caught.value.param == "query" and "connection 'warehouse'" in caught.value.message
    assert rows == [1, 2, 3]


def test_a_select_reads_the_rows(source):
    df = run(connection="warehouse", query=f"SELECT a FROM {source.table} ORDER BY a")["dataset"].df

    assert df["a"].tolist() == [1, 2, 3]
    assert source.rows() == [1, 2, 3]


def test_a_semicolon_in_a_string_or_a_comment_is_not_a_second_statement(source):
    query = f"SELECT count(*) AS n, ';' AS s FROM {source.table} -- ; DELETE FROM {source.table}\n;"

    df = run(connection="warehouse", query=query)["dataset"].df

    assert df.to_dict("records") == [{"n": 3, "s": ";"}]
    assert source.rows() == [1, 2, 3]


def test_a_driver_error_comes_back_naming_the_connection(source):
    with pytest.raises(ModuleError) as caught:
        run(connection="warehouse", query="SELECT * FROM no_such_table_here")

    assert caught.value.param == "query"
    assert caught.value.message.startswith("the query failed on connection 'warehouse': ")
    assert source.rows() == [1, 2, 3]


def test_select_into_is_refused(source):
    with pytest.raises(ModuleError) as caught:
        run(connection="warehouse", query=f"SELECT * INTO copy_of_rows FROM {source.table}")

    assert caught.value.param == "query" and "INTO" in caught.value.message


@pytest.mark.parametrize(
    "url",
    ["postgresql+psycopg://postgres@127.0.0.1:1/test", "mysql+pymysql://root@127.0.0.1:1/test"],
    ids=["postgresql", "mariadb"],
)
def test_a_connection_that_fails_is_named(url, monkeypatch):
    monkeypatch.setenv("TESSERA_DATA_CONNECTIONS", json.dumps({"warehouse": url}))

    with pytest.raises(ModuleError) as caught:
        run(connection="warehouse", query="SELECT 1")

    assert caught.value.param == "connection"
    assert caught.value.message.startswith("could not connect to connection 'warehouse': ")


def test_a_database_whose_read_only_mode_is_unknown_here_is_refused(monkeypatch):
    monkeypatch.setenv("TESSERA_DATA_CONNECTIONS", json.dumps({"warehouse": "mssql+pymssql://reader@10.0.0.9/sales"}))

    with pytest.raises(ModuleError) as caught:
        run(connection="warehouse", query="SELECT 1")

    assert caught.value.param == "connection" and "uses mssql" in caught.value.message


def test_a_missing_sqlite_file_is_not_created(tmp_path, monkeypatch):
    missing = tmp_path / "missing.db"
    monkeypatch.setenv("TESSERA_DATA_CONNECTIONS", json.dumps({"warehouse": f"sqlite:///{missing}"}))

    with pytest.raises(ModuleError) as caught:
        run(connection="warehouse", query="SELECT 1")

    assert caught.value.param == "connection" and not missing.exists()


def test_sqlite_cannot_write_a_copy_elsewhere(tmp_path, monkeypatch):
    made = _sqlite_source(tmp_path / "source.db")
    src = next(made)
    copy = tmp_path / "copy.db"

    for query in (f"VACUUM INTO '{copy}'", f"ATTACH '{copy}' AS other"):
        with pytest.raises(ModuleError) as caught:
            _sql.read_query(src.url, query, "warehouse")
        assert caught.value.param == "query"

    assert not copy.exists() and src.rows() == [1, 2, 3]


def test_mariadb_never_asks_for_multi_statements_even_if_the_url_does(monkeypatch):
    made = _sqlalchemy_source("mariadb", MARIADB)
    src = next(made)
    flag = pymysql.constants.CLIENT.MULTI_STATEMENTS
    try:
        with pytest.raises(ModuleError):
            _sql.read_query(f"{MARIADB}?client_flag={flag}", f"SELECT 1; DELETE FROM {src.table}", "warehouse")
        rows = src.rows()
    finally:
        next(made, None)

    assert rows == [1, 2, 3]


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("", "enter a SQL query"),
        ("  ;  -- nothing\n", "enter a SQL query"),
        ("SELECT 1; SELECT 2", "2 statements"),
        ("EXPLAIN ANALYZE DELETE FROM t", "EXPLAIN statement"),
        ("with d as (update t set a = 1 returning a) select * from d", "UPDATE inside it"),
        ("(DELETE FROM t)", "DELETE statement"),
    ],
)
def test_the_statement_check_names_what_it_refuses(query, words):
    with pytest.raises(ModuleError) as caught:
        _sql.single_select(query)

    assert caught.value.param == "query" and words in caught.value.message


@pytest.mark.parametrize(
    "query",
    [
        "SELECT 1",
        "select update_count, last_delete from t",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT * FROM c",
        "(SELECT 1) UNION (SELECT 2);",
        "VALUES (1), (2)",
        "SELECT * FROM t FOR UPDATE",
        "SELECT $$;$$ AS s",
    ],
)
def test_the_statement_check_lets_reads_through(query):
    assert _sql.single_select(query) == query.strip().rstrip(";")
