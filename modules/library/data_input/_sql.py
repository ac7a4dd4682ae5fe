"""Import Data's SQL source: one query, read through a connection that cannot change the database.

The database enforces it, each in its own way, and the driver sends exactly one statement:

- PostgreSQL (psycopg): a ``READ ONLY`` transaction, and the query goes over the extended protocol as a
  prepared statement, which holds one command only, so it cannot ``COMMIT`` and go on.
- MySQL/MariaDB (PyMySQL): ``SET SESSION TRANSACTION READ ONLY`` and ``START TRANSACTION READ ONLY``, and
  the client never asks for multi-statements.
- SQLite: the file opened read-only (``mode=ro``), ``PRAGMA query_only``, no ``ATTACH``, and an
  authorizer that lets a statement read and nothing else; Python's sqlite3 runs one statement per call.

Before that, ``single_select`` reads the query with sqlparse (non-validating, so it never refuses a
dialect's syntax it does not know) to refuse, with a clear message, what is plainly not one read-only
query. The parse is for the message; the database is the guard. Other databases are refused: nothing
here can vouch for them. The README advises a SELECT-only database user as well.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, ExitStack, contextmanager
from typing import Any
from urllib.parse import quote

import pandas as pd

from modules.sdk import ModuleError

log = logging.getLogger(__name__)

DRIVERS = {
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
    "sqlite": "sqlite+pysqlite",
}
FIRST_WORDS = ("SELECT", "WITH", "VALUES", "TABLE")
CHANGES = ("INSERT", "UPDATE", "DELETE", "MERGE", "UPSERT", "REPLACE")
#: Rows fetched from the driver at a time.
BATCH_ROWS = 10_000
Execute = Callable[[str], Any]  # runs one statement, returns the DB-API cursor holding its rows
SQLITE_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}


def single_select(query: str, param: str = "query") -> str:
    """The one statement in ``query`` (without its trailing semicolon) if it reads, else a ModuleError."""
    import sqlparse
    from sqlparse import tokens as T

    statements = [s for s in sqlparse.parsestream(query) if _words(s)]
    if not statements:
        raise ModuleError("enter a SQL query", param=param)
    if len(statements) > 1:
        raise ModuleError(
            f"the query holds {len(statements)} statements; Import Data runs exactly one read-only SELECT",
            param=param,
        )
    words = _words(statements[0])
    first = words[0].value.upper()
    if first not in FIRST_WORDS:
        raise ModuleError(
            f"Import Data runs one read-only SELECT query, and this one is a {first} statement", param=param
        )
    before = None
    for token in words:
        word = token.value.upper()
        starts_statement = before is not None and before.value in ("(", ")")
        if token.ttype in T.Keyword and word in CHANGES and starts_statement:
            raise ModuleError(f"the query changes data ({word} inside it); Import Data only reads", param=param)
        if token.ttype in T.Keyword and word == "INTO":
            raise ModuleError("SELECT ... INTO writes its rows somewhere; Import Data only reads", param=param)
        before = token
    text = str(statements[0]).strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text


def _words(statement: Any) -> list[Any]:
    """The statement's tokens less whitespace, comments and semicolons, with leading parentheses skipped."""
    from sqlparse import tokens as T

    words = [t for t in statement.flatten() if not t.is_whitespace and t.ttype not in T.Comment and t.value != ";"]
    start = 0
    while start < len(words) and words[start].value == "(":
        start += 1
    return words[start:] if start < len(words) else []


def read_query(url: str, statement: str, name: str) -> pd.DataFrame:
    """The rows of ``statement`` on the database at ``url`` (connection ``name``), read-only whatever it says."""
    with query_batches(url, statement, name) as (columns, batches):
        rows = [row for batch in batches for row in batch]
    return frame(rows, columns)


@contextmanager
def query_batches(
    url: str, statement: str, name: str, batch_rows: int = BATCH_ROWS
) -> Iterator[tuple[list[str], Iterator[list[tuple[Any, ...]]]]]:
    """The column names of ``statement``'s rows and the rows in batches of ``batch_rows``, fetched as they are
    read (a server-side cursor on PostgreSQL, an unbuffered one on MySQL/MariaDB, SQLite's own), read-only
    whatever it says. A refusal from the database, at the query or while its rows are fetched, names the
    connection."""
    opener, errors = _opener(url, name)
    with ExitStack() as stack:
        try:
            execute = stack.enter_context(opener)
        except errors as exc:
            message = f"could not connect to connection '{name}': {_message(exc)}"
            raise ModuleError(message, param="connection") from None
        try:
            cursor = execute(statement)
            if cursor.description is None:
                raise ModuleError(f"the query on connection '{name}' returned no rows (not a SELECT)", param="query")
            columns = [str(d[0]) for d in cursor.description]
        except errors as exc:
            raise ModuleError(_refusal(exc, name), param="query") from None

        def batches() -> Iterator[list[tuple[Any, ...]]]:
            try:
                while rows := cursor.fetchmany(batch_rows):
                    yield [tuple(row) for row in rows]
            except errors as exc:
                raise ModuleError(_refusal(exc, name), param="query") from None

        yield columns, batches()


def _opener(url: str, name: str) -> tuple[AbstractContextManager[Execute], type[Exception]]:
    """How to open a read-only connection for ``url``, and the driver's base error."""
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ModuleError(f"connection '{name}' is misconfigured: {_first_line(exc)}", param="connection") from None
    backend = parsed.get_backend_name()
    if backend not in DRIVERS:
        raise ModuleError(
            f"connection '{name}' uses {backend}; Import Data reads PostgreSQL, MySQL/MariaDB and SQLite, where "
            "it can keep the query read-only",
            param="connection",
        )
    parsed = parsed.set(drivername=DRIVERS[backend])  # the driver whose guarantees are used below
    try:
        dialect = sa.create_engine(parsed).dialect
    except Exception as exc:
        raise ModuleError(f"connection '{name}' is misconfigured: {_first_line(exc)}", param="connection") from None
    dbapi = dialect.loaded_dbapi
    if backend == "sqlite":
        return _sqlite(parsed.database, name), dbapi.Error
    if backend == "postgresql":
        return _postgresql(dbapi, dialect.create_connect_args(parsed)[1]), dbapi.Error
    return _mysql(dbapi, dialect.create_connect_args(parsed)[1]), dbapi.Error


def frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    """The rows as pandas.read_sql would give them: decimals as floats, time zones as UTC."""
    df = pd.DataFrame.from_records(list(rows), columns=columns, coerce_float=True)
    for i, dtype in enumerate(df.dtypes):
        if isinstance(dtype, pd.DatetimeTZDtype):
            df.isetitem(i, df.iloc[:, i].dt.tz_convert("UTC"))
    return df


@contextmanager
def _postgresql(dbapi: Any, params: Mapping[str, Any]) -> Iterator[Execute]:
    conn = dbapi.connect(**params)
    try:
        conn.read_only = True  # psycopg opens the transaction with BEGIN READ ONLY
        # A server-side cursor (DECLARE ... CURSOR FOR, sent over the extended protocol, where one statement is
        # exactly one command): rows come as they are fetched, never all at once.
        cursor = conn.cursor(name="tessera_import")
        yield lambda sql: cursor.execute(sql)
    finally:
        _close(conn)


@contextmanager
def _mysql(dbapi: Any, params: Mapping[str, Any]) -> Iterator[Execute]:
    from pymysql.constants import CLIENT
    from pymysql.cursors import SSCursor

    params = {**params, "client_flag": int(params.get("client_flag", 0)) & ~CLIENT.MULTI_STATEMENTS}
    conn = dbapi.connect(**params, autocommit=False)
    try:
        cursor = conn.cursor()
        cursor.execute("SET SESSION TRANSACTION READ ONLY")
        cursor.execute("START TRANSACTION READ ONLY")
        rows = conn.cursor(SSCursor)  # unbuffered: rows come as they are fetched, never all at once

        def execute(sql: str) -> Any:
            rows.execute(sql)  # no arguments: PyMySQL sends the text as it is
            return rows

        yield execute
    finally:
        _close(conn)


@contextmanager
def _sqlite(database: str | None, name: str) -> Iterator[Execute]:
    path = (database or "").removeprefix("file:").partition("?")[0]
    if not path or path == ":memory:":
        raise ModuleError(f"connection '{name}' is an in-memory SQLite database: it holds no rows", param="connection")
    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA query_only = ON")
        conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
        conn.set_authorizer(_sqlite_reads_only)
        yield conn.execute
    finally:
        conn.close()


def _sqlite_reads_only(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in SQLITE_READS else sqlite3.SQLITE_DENY


def _close(conn: Any) -> None:
    """Roll back and close; a failure here changes nothing for the user, so it is only logged."""
    try:
        conn.rollback()
        conn.close()
    except Exception as exc:
        log.info("closing an Import Data connection failed: %r", exc)


READ_ONLY_SIGNS = ("read-only", "read only", "readonly", "not authorized", "authorization denied")


def _refusal(exc: Exception, name: str) -> str:
    message = _message(exc)
    if getattr(exc, "sqlstate", None) == "25006" or any(s in message.lower() for s in READ_ONLY_SIGNS):
        return f"connection '{name}' refused the query: it would change data, and Import Data only reads ({message})"
    return f"the query failed on connection '{name}': {message}"


def _message(exc: Exception) -> str:
    args: tuple[Any, ...] = exc.args
    if len(args) == 2 and isinstance(args[0], int):  # PyMySQL: (error code, message)
        return f"{args[1]} (error {args[0]})"
    return _first_line(exc)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
