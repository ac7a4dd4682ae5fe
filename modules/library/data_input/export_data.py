"""Export Data: write a table to a server path or object store, or into a database table."""

from __future__ import annotations

import io
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table

from . import _sources


class ExportData(Module):
    """Write the input table to a file (CSV or Parquet) on the server or in an object store, or into a
    table of a database connection the operator configured (fail, replace or append when it exists).

    Its output is a one-row report of what was written, so a run shows where the data went. It is
    left out of real-time inference pipelines, as in Azure. Better than Azure: credentials stay with
    the operator, server paths are confined to allowed directories, and an existing target is never
    overwritten unless asked.
    """

    id = "export_data"
    name = "Export Data"
    category = "Data Input and Output"
    inference = "drop"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        report = Out(Table, "Export report")

    class Params(ParamModel):
        destination: Literal["Path or object-store URL", "Database table"] = Field(
            "Path or object-store URL", title="Destination", description="Where the rows go."
        )
        path: str = Field("", max_length=2000, title="Path", description="A server path or object-store URL.")
        file_format: Literal["CSV", "Parquet"] = Field(
            "CSV", title="File format", description="How the file is written."
        )
        connection: str = Field(
            "", max_length=200, title="Connection", description="A database connection the operator configured."
        )
        table: str = Field(
            "",
            max_length=200,
            pattern=r"^([A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?)?$",
            title="Table",
            description="The table to write, optionally schema.table.",
        )
        if_exists: Literal["fail", "replace", "append"] = Field(
            "fail", title="If the target exists", description="Fail, replace it, or append the rows."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        df: pd.DataFrame = inputs["dataset"].df
        target = _to_table(df, params) if params.destination == "Database table" else _to_path(df, params)
        ctx.log(f"wrote {len(df)} rows to {target}")
        report = pd.DataFrame({"destination": [target], "rows": [len(df)], "columns": [len(df.columns)]})
        return {"report": DataTable(report)}


def _to_path(df: pd.DataFrame, params: ExportData.Params) -> str:
    import fsspec

    if not params.path:
        raise ModuleError("enter a path or object-store URL", param="path")
    local = _sources.is_local(params.path)
    if _sources.is_http(params.path):
        raise ModuleError("Export Data writes files and object stores, not HTTP URLs", param="path")
    if local:
        location = str(_sources.local_path(params.path, "path"))
    else:
        location = _sources.object_store_url(params.path, "path")
    buf = io.BytesIO()
    if params.file_format == "Parquet":
        df.to_parquet(buf, index=False)
    else:
        df.to_csv(buf, index=False)
    fs, _, (resolved,) = fsspec.get_fs_token_paths(location)
    if fs.exists(resolved) and params.if_exists == "fail":
        raise ModuleError(f"'{params.path}' exists; choose 'replace' to overwrite it", param="if_exists")
    if params.if_exists == "append" and fs.exists(resolved):
        raise ModuleError("appending applies to database tables; files are written whole", param="if_exists")
    if local:
        fs.makedirs(fs._parent(resolved), exist_ok=True)
    with fs.open(resolved, "wb") as f:
        f.write(buf.getvalue())
    return params.path


def _to_table(df: pd.DataFrame, params: ExportData.Params) -> str:
    import sqlalchemy as sa

    if not params.table:
        raise ModuleError("enter a table name", param="table")
    url = _sources.connection_url(params.connection)
    schema, _, name = params.table.rpartition(".")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            df.to_sql(name, conn, schema=schema or None, if_exists=params.if_exists, index=False)
    except ValueError as exc:  # pandas: the table exists and if_exists is "fail"
        raise ModuleError(f"{exc}; choose 'replace' or 'append'", param="if_exists") from None
    except sa.exc.OperationalError as exc:
        raise ModuleError(f"connection '{params.connection}' failed: {exc.orig}", param="connection") from None
    except sa.exc.DBAPIError as exc:
        raise ModuleError(f"writing table '{params.table}' failed: {exc.orig}", param="table") from None
    finally:
        engine.dispose()
    return f"{params.connection}:{params.table}"
