"""Enter Data Manually: a small table typed or pasted into the parameter panel."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, Module, ModuleError, Out, ParamModel, RunContext, Table, TableSchema
from modules.sdk.textdata import TextDataError, read_delimited


class EnterDataManually(Module):
    """Type or paste CSV, TSV or ARFF text; column types are inferred (integer, number, true/false, text).

    ARFF takes numeric, nominal and date attributes (nominal values become text); as in Azure, ARFF
    string attributes are not read.

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
        data_format: Literal["CSV", "TSV", "ARFF"] = Field(
            "CSV",
            title="DataFormat",
            description="CSV: comma-separated values; TSV: tab-separated values; ARFF: Weka's attribute format.",
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
    if params.data_format == "ARFF":
        return _arff(params.data)
    delimiter = "\t" if params.data_format == "TSV" else ","
    try:
        return read_delimited(params.data, delimiter=delimiter, has_header=params.has_header)
    except TextDataError as exc:
        raise ModuleError(exc.message, param="data", column=exc.column) from None


def _arff(text: str) -> pd.DataFrame:
    import io

    from scipy.io import arff

    try:
        data, meta = arff.loadarff(io.StringIO(text))
    except (ValueError, NotImplementedError, arff.ArffError, arff.ParseArffError) as exc:
        raise ModuleError(f"the ARFF text cannot be read: {exc}", param="data") from None
    df = pd.DataFrame(data)
    for name, kind in zip(meta.names(), meta.types(), strict=True):
        if kind == "nominal":
            values = [None if v in (b"?", "?") else (v.decode() if isinstance(v, bytes) else v) for v in df[name]]
            df[name] = pd.Series(values, dtype="str")
        elif kind == "numeric" and df[name].dropna().apply(float.is_integer).all() and df[name].notna().any():
            df[name] = df[name].astype("Int64")
    return df.reset_index(drop=True)
