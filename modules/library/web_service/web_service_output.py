"""Web Service Output: what a deployed endpoint returns."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import DataTable, In, Module, Out, ParamModel, RunContext, Table

from .web_service_input import INPUT_NAME


class WebServiceOutput(Module):
    """Marks the table a real-time endpoint returns, under this node's name in "Results".

    Every column that reaches it is returned; put Select Columns in Dataset before it to return
    fewer. In a designer run the table passes through, so the answer can be inspected.
    """

    id = "web_service_output"
    name = "Web Service Output"
    category = "Web Service"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        response = Out(Table, "Response rows")

    class Params(ParamModel):
        name: str = Field(
            "WebServiceOutput0",
            pattern=INPUT_NAME,
            title="Name",
            description='The key the rows are returned under in "Results".',
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        return {"response": DataTable(table.df, dict(table.meta))}
