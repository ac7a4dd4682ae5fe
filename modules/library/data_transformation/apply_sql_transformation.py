"""Apply SQL Transformation: query up to three tables with SQLite, in memory and read-only."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from modules.sdk import Cancelled, DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table, TableSchema

from ._columns import plain, unique_name

PARAM = "sql_query_script"
TABLES = ("t1", "t2", "t3")
#: The only things a script may do: read tables and call functions (SQLite authorizer action codes).
ALLOWED_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, getattr(sqlite3, "SQLITE_RECURSIVE", 33)}
)
_NO_COLUMN = re.compile(r"no such column: (.+)$")
_NO_TABLE = re.compile(r"no such table: (\w+)$")


class ApplySqlTransformation(Module):
    """Run one SQL query (SQLite dialect) over the connected tables, named t1, t2 and t3.

    The tables are loaded into an in-memory SQLite database; the query's result is the output.
    Integer and true/false columns are stored as INTEGER, decimals as REAL, text, categories and
    dates as TEXT. A result column that has the name of a true/false input column and holds only
    0 and 1 comes back as true/false.

    Better than Azure: the script is read-only. Anything but a query (CREATE, INSERT, UPDATE,
    DELETE, DROP, ATTACH, PRAGMA...) is refused before it runs, with the statement named, so the
    node is safe in a deployed pipeline; write intermediate results with ``WITH`` instead of
    temporary tables. Unknown columns and unconnected tables are reported by name, and a long query
    stops when the run is cancelled.
    """

    id = "apply_sql_transformation"
    name = "Apply SQL Transformation"
    category = "Data Transformation"

    class Inputs:
        t1 = In(Table, "t1", doc="Queried as table t1.")
        t2 = In(Table, "t2", optional=True, doc="Queried as table t2.")
        t3 = In(Table, "t3", optional=True, doc="Queried as table t3.")

    class Outputs:
        result_dataset = Out(Table, "Result dataset")

    class Params(ParamModel):
        sql_query_script: str = Field(
            "select * from t1;",
            title="SQL query script",
            description="One SELECT (or WITH ... SELECT) query over t1, t2, t3 in SQLite's dialect.",
        )

        @field_validator("sql_query_script")
        @classmethod
        def _not_blank(cls, value: str) -> str:
            if not value.strip().rstrip(";").strip():
                raise ValueError("the SQL query script is empty")
            return value

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        tables: dict[str, DataTable] = {t: inputs[t] for t in TABLES if t in inputs}
        conn = sqlite3.connect(":memory:")
        try:
            for name, table in tables.items():
                _load(conn, name, table.df)
            names, rows = _query(conn, params.sql_query_script, ctx)
        finally:
            conn.close()
        booleans = {c.name for t in tables.values() for c in t.schema.columns if c.dtype == "boolean"}
        columns: dict[str, pd.Series] = {}
        for i, name in enumerate(names):
            unique = unique_name(name, columns)
            if unique != name:
                ctx.log(f"the result has two columns named {name!r}: the second is renamed {unique!r}")
            columns[unique] = _typed([row[i] for row in rows], name in booleans)
        out = pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))
        ctx.log(f"the query returned {len(out)} rows and {len(out.columns)} columns")
        return {"result_dataset": DataTable(out)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {"result_dataset": None}  # known only once the query has run


def _load(conn: sqlite3.Connection, name: str, df: pd.DataFrame) -> None:
    schema = TableSchema.of(df)
    decl = {"integer": "INTEGER", "boolean": "INTEGER", "number": "REAL"}
    cols = ", ".join(f"{_quote(c.name)} {decl.get(c.dtype, 'TEXT')}" for c in schema.columns)
    conn.execute(f"CREATE TABLE {name} ({cols})")
    values = [[_sql_value(v) for v in df[c].to_numpy(dtype=object)] for c in df.columns]
    marks = ", ".join("?" for _ in df.columns)
    conn.executemany(f"INSERT INTO {name} VALUES ({marks})", list(zip(*values, strict=True)))


def _quote(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _sql_value(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    value = plain(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _query(conn: sqlite3.Connection, script: str, ctx: RunContext) -> tuple[list[str], list[tuple[Any, ...]]]:
    refused: list[int] = []
    cancelled: list[bool] = []

    def authorize(action: int, *_: Any) -> int:
        if action in ALLOWED_ACTIONS:
            return sqlite3.SQLITE_OK
        refused.append(action)
        return sqlite3.SQLITE_DENY

    def progress() -> int:
        try:
            ctx.check_cancelled()
        except Cancelled:
            cancelled.append(True)
            return 1
        return 0

    conn.set_authorizer(authorize)
    conn.set_progress_handler(progress, 10_000)
    try:
        cursor = conn.execute(script)
        rows = cursor.fetchall()
    except sqlite3.ProgrammingError as exc:
        if "one statement" in str(exc):
            raise ModuleError(
                "the script holds more than one statement; write a single query "
                "(use WITH ... AS (...) for intermediate results)",
                param=PARAM,
            ) from None
        raise ModuleError(f"the SQL query cannot run: {exc}", param=PARAM) from None
    except sqlite3.Error as exc:
        if cancelled:
            raise Cancelled() from None
        raise _explain(exc, script, refused) from None
    if cursor.description is None:
        raise ModuleError(_not_a_query(script), param=PARAM)
    return [str(d[0]) for d in cursor.description], rows


def _explain(exc: sqlite3.Error, script: str, refused: list[int]) -> ModuleError:
    text = str(exc)
    if refused or "not authorized" in text:
        return ModuleError(_not_a_query(script), param=PARAM)
    if (m := _NO_COLUMN.search(text)) is not None:
        return ModuleError(
            f"the SQL query names a column that no table has: {m.group(1)}", param=PARAM, column=m.group(1)
        )
    if (m := _NO_TABLE.search(text)) is not None:
        table = m.group(1)
        if table in TABLES:
            return ModuleError(f"the SQL query reads table {table}, but input {table} is not connected", port=table)
        return ModuleError(f"the SQL query reads table {table!r}; the tables are t1, t2 and t3", param=PARAM)
    return ModuleError(f"the SQL query failed: {text}", param=PARAM)


def _not_a_query(script: str) -> str:
    first = script.strip().split(None, 1)[0].upper() if script.strip() else ""
    return (
        f"the SQL script may only read the tables, but its statement starts with {first!r}; "
        "write a single SELECT (or WITH ... SELECT) query"
    )


def _typed(values: list[Any], was_boolean: bool) -> pd.Series:
    present = [v for v in values if v is not None]
    if not present:
        return pd.Series([np.nan] * len(values), dtype="str")
    if all(isinstance(v, int) for v in present):
        if was_boolean and set(present) <= {0, 1}:
            return pd.Series(pd.array([None if v is None else bool(v) for v in values], dtype="boolean"))
        return pd.Series(pd.array(values, dtype="Int64"))
    if all(isinstance(v, int | float) for v in present):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.Series([np.nan if v is None else str(v) for v in values], dtype="str")
