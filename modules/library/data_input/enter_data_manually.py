"""Enter Data Manually: a small table typed or pasted into the parameter panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, Module, ModuleError, Out, ParamModel, RunContext, Table, TableSchema
from modules.sdk.textdata import TextDataError, read_delimited


class EnterDataManually(Module):
    """Type or paste CSV or TSV text; column types are inferred (integer, number, true/false, text).

    Better than Azure: a malformed row is reported with its line number and field counts, and the
    output's columns are known as soon as the text is typed, so downstream column pickers list them
    before anything runs. Missing values may be written as empty, ``?``, ``NA``, ``N/A``, ``NaN``,
    ``null`` or ``None``.
    """

    id = "enter_data_manually"
    name = "Enter Data Manually"
    category = "Data Input and Output"

    class Outputs:
        dataset = Out(Table, "Dataset")

    class Params(ParamModel):
        data_format: Literal["CSV", "TSV"] = Field(
            "CSV", title="DataFormat", description="CSV: comma-separated values; TSV: tab-separated values."
        )
        has_header: bool = Field(
            True,
            title="HasHeader",
            description="The first line holds the column names; otherwise columns are named Col1, Col2, ...",
        )
        data: str = Field(
            min_length=1,
            title="Data",
            description="The table as text, one row per line.",
            json_schema_extra={"x-tessera-widget": "textarea"},
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        df = _parse(params)
        ctx.log(f"read {len(df)} rows and {len(df.columns)} columns")
        return {"dataset": DataTable(df)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {"dataset": TableSchema.of(_parse(params))}


def _parse(params: EnterDataManually.Params) -> pd.DataFrame:
    delimiter = "\t" if params.data_format == "TSV" else ","
    try:
        return read_delimited(params.data, delimiter=delimiter, has_header=params.has_header)
    except TextDataError as exc:
        raise ModuleError(exc.message, param="data", column=exc.column) from None
