"""Dataset: a registered dataset version placed on the canvas."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from modules.sdk import DatasetRef, Module, Out, ParamModel, RunContext, Table, TableSchema


class Dataset(Module):
    """A registered dataset, pinned to a version.

    Unlike Azure, where a dataset node silently follows the latest version, the version used is
    fixed when the run is submitted and recorded with the run, so a re-run reads the same rows.
    """

    id = "dataset"
    name = "Dataset"
    category = "Data Input and Output"

    class Outputs:
        dataset = Out(Table, "Dataset", doc="The dataset's rows, with the column types it was registered with.")

    class Params(ParamModel):
        dataset: DatasetRef = Field(
            title="Dataset",
            description="The registered dataset and version; no version means the latest at submit time.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        # Passed on as stored, never loaded here: the version's artifact is this node's output as it is.
        return {"dataset": ctx.open_dataset(params.dataset)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Any) -> dict[str, TableSchema | None]:
        return {}  # the engine knows registered schemas; this module cannot see them
