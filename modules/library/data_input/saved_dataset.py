"""Saved Dataset: a table from an earlier run, placed on the canvas as a constant input."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import Module, Out, ParamModel, RunContext, Table, artifact_digest


class SavedDataset(Module):
    """A table an earlier run computed, pinned by the digest of its artifact.

    "Create inference pipeline" puts one here in place of a training-only source of a script's
    second table (Execute Python Script's Dataset2: a lookup table, say), so each request is scored
    against the table the training run used rather than asking callers to send it.
    """

    id = "saved_dataset"
    name = "Saved Dataset"
    category = "Data Input and Output"

    class Outputs:
        dataset = Out(Table, "Dataset", doc="The table as the training run had it.")

    class Params(ParamModel):
        artifact: str = artifact_digest(title="Artifact", description="Content digest of the table.")
        source: str = Field("", max_length=300, title="Source", description="Where the table came from.")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"dataset": Table.deserialize(ctx.load_artifact(params.artifact))}
