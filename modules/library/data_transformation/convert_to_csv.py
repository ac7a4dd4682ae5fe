"""Convert to CSV: write a table out as a CSV file."""

from __future__ import annotations

from typing import Any

from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table
from modules.sdk.ports import CsvFile


class ConvertToCsv(Module):
    """Write the table as a UTF-8 CSV file: a header row, commas between fields, quotes where needed.

    The output is a real CSV file in the artifact store (download it from the output's menu, or
    feed it to Convert to Dataset). Missing values are written as empty fields and true/false as
    ``True``/``False``. Column roles (label, scores) are not part of a CSV file and are dropped;
    the output previews exactly as the file reads back (types inferred as for an upload).
    Better than Azure, where the CSV sits at a blob path: the file downloads from the run view.
    """

    id = "convert_to_csv"
    name = "Convert to CSV"
    category = "Data Transformation"

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        results_dataset = Out(CsvFile, "Results dataset", doc="The table as a CSV file.")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: DataTable = inputs["dataset"]
        if len(table.df.columns) == 0:
            raise ModuleError("the input table has no columns", port="dataset")
        data = CsvFile.serialize(table)
        ctx.log(f"{len(table.df)} rows, {len(data)} bytes of CSV")
        return {"results_dataset": CsvFile.deserialize(data)}  # what the stored file reads back as
