"""Web Service Input: the table a scoring request brings, with the columns the endpoint accepts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, field_validator

from modules.sdk import (
    Column,
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TableSchema,
    artifact_digest,
)

INPUT_NAME = r"^[A-Za-z][A-Za-z0-9_]{0,63}$"
#: pandas dtypes a request column is built with, by schema type (nullable, so a JSON null is missing).
PANDAS_DTYPES = {
    "integer": "Int64",
    "number": "float64",
    "boolean": "boolean",
    "string": "str",
    "category": "str",
    "datetime": "datetime64[ns]",
}


class InputColumn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=256, title="Column", description="Column name as callers send it.")
    type: Literal["integer", "number", "boolean", "string", "category", "datetime"] = Field(
        title="Type", description="What values the column accepts."
    )


class WebServiceInput(Module):
    """Where request data enters a real-time inference pipeline.

    Its columns are the endpoint's input schema: a scoring request must send exactly these columns
    (a missing or extra column is refused, naming it). "Create inference pipeline" fills them from
    the training data minus the label, with a few example rows that the endpoint's OpenAPI document
    and Test tab offer. Unlike Azure, the schema is explicit on the node rather than borrowed from a
    dataset wired to the same port, so what callers must send is visible and editable here.

    In a designer run the node outputs the connected dataset if there is one, else its example rows,
    so an inference pipeline can be run and inspected on the canvas before it is deployed.
    """

    id = "web_service_input"
    name = "Web Service Input"
    category = "Web Service"

    class Inputs:
        dataset = In(Table, "Sample dataset", optional=True, doc="Rows to run with in the designer; never served.")

    class Outputs:
        request = Out(Table, "Request rows")

    class Params(ParamModel):
        name: str = Field(
            "WebServiceInput0",
            pattern=INPUT_NAME,
            title="Name",
            description='The key callers use under "Inputs" in the request body.',
        )
        columns: list[InputColumn] = Field(
            default_factory=list,
            max_length=2000,
            title="Columns",
            description="The columns a request must send, with their types. Empty: taken from the sample dataset.",
        )
        example: list[dict[str, Any]] = Field(
            default_factory=list,
            max_length=20,
            title="Example rows",
            description="Rows shown in the endpoint's documentation and Test tab.",
        )

        baseline: str = artifact_digest(
            title="Baseline sample",
            description="Digest of a sample of the training rows; endpoint drift is measured against it.",
            optional=True,
        )

        @field_validator("columns")
        @classmethod
        def _unique(cls, value: list[InputColumn]) -> list[InputColumn]:
            seen: set[str] = set()
            for column in value:
                if column.name in seen:
                    raise ValueError(f"column {column.name!r} is listed twice")
                seen.add(column.name)
            return value

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        if "dataset" in inputs:
            table: DataTable = inputs["dataset"]
            if params.columns:
                absent = [c.name for c in params.columns if c.name not in table.df.columns]
                if absent:
                    raise ModuleError(f"column {absent[0]!r} is not in the sample dataset", column=absent[0])
                names = [c.name for c in params.columns]
                return {"request": DataTable(table.df[names].copy(), {})}
            return {"request": DataTable(table.df.copy(), {})}
        if not params.columns:
            raise ModuleError("set the input columns or connect a sample dataset", param="columns")
        return {"request": DataTable(rows_to_frame(params.example, params.columns), {})}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        if params.columns:
            return {"request": TableSchema(tuple(Column(c.name, c.type) for c in params.columns))}
        sample = inputs.get("dataset")
        return {"request": TableSchema(sample.columns) if sample is not None else None}


def rows_to_frame(rows: list[dict[str, Any]], columns: list[InputColumn]) -> pd.DataFrame:
    """Rows already checked against ``columns`` as a frame with one nullable dtype per column type."""
    import numpy as np

    index = pd.RangeIndex(len(rows))
    data: dict[str, Any] = {}
    for c in columns:
        values = [row.get(c.name) for row in rows]
        if c.type == "number":  # the common case, built straight as float64 (None -> NaN)
            data[c.name] = pd.Series(np.array(values, dtype="float64"), index=index)
        elif c.type == "datetime":
            data[c.name] = pd.to_datetime(pd.Series(values, index=index, dtype="object"), errors="raise")
        else:
            data[c.name] = pd.Series(pd.array(values, dtype=PANDAS_DTYPES[c.type]), index=index)  # type: ignore[call-overload]
    return pd.DataFrame(data, index=index)
