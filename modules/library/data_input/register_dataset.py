"""Register Dataset: a table saved as the next version of a named dataset of the workspace."""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, In, Module, Out, ParamModel, RunContext, StoredTable, Table


class RegisterDataset(Module):
    """Save the input table as the next version of a dataset of this workspace (a new dataset when none has
    the name), as Azure's "Register dataset" on a module output does: a batch inference pipeline's
    scored rows become a dataset version others can open, download, and build on.

    The table is registered as it is stored, without being loaded, so it may be as large as the run
    produced. The version records which run made it. Its output is a one-row report (dataset, version,
    rows). Like Export Data it is left out of real-time inference pipelines; a re-run whose input did
    not change reuses the earlier result and registers nothing new (use "Regenerate output" to force it).
    """

    id = "register_dataset"
    name = "Register Dataset"
    category = "Data Input and Output"
    inference = "drop"

    class Inputs:
        dataset = In(Table, "Dataset", stored=True)

    class Outputs:
        report = Out(Table, "Registration report")

    class Params(ParamModel):
        dataset_name: str = Field(
            ...,
            min_length=1,
            max_length=200,
            title="Dataset name",
            description="The dataset of this workspace that gets a new version (created when missing).",
        )
        description: str = Field(
            "", max_length=2000, title="Description", description="Used when the dataset is created."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        table: StoredTable | DataTable = inputs["dataset"]
        name = params.dataset_name.strip()
        ref = ctx.save_dataset(name, table, params.description)
        rows = table.num_rows if isinstance(table, StoredTable) else len(table.df)
        ctx.log(f"registered {rows:,} rows as version {ref.version} of dataset '{name}'")
        report = pd.DataFrame(
            {"dataset": [name], "dataset_id": [ref.dataset_id], "version": [ref.version or 0], "rows": [rows]}
        )
        return {"report": DataTable(report)}
