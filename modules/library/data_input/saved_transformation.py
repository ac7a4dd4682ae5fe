"""Saved Transformation: a fitted transformation artifact placed on the canvas as a constant input."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import Module, Out, ParamModel, RunContext, Transformation, artifact_digest


class SavedTransformation(Module):
    """A transformation fitted by an earlier run (normalization, cleaning...), pinned by digest.

    "Create inference pipeline" puts one here, feeding Apply Transformation, in place of the node
    that fitted it (Azure's "TD-" node), so new rows get exactly the training-time statistics.
    """

    id = "saved_transformation"
    name = "Saved Transformation"
    category = "Data Input and Output"

    class Outputs:
        transformation = Out(Transformation, "Transformation")

    class Params(ParamModel):
        artifact: str = artifact_digest(title="Artifact", description="Content digest of the transformation.")
        source: str = Field("", max_length=300, title="Source", description="Where the transformation came from.")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"transformation": Transformation.deserialize(ctx.load_artifact(params.artifact))}
