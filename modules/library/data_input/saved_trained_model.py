"""Saved Trained Model: a trained model artifact placed on the canvas as a constant input."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import Module, Out, ParamModel, RunContext, TrainedModel, artifact_digest


class SavedTrainedModel(Module):
    """A model trained by an earlier run, pinned by the digest of its artifact.

    "Create inference pipeline" puts one here in place of Train Model (Azure's "MD-" node); the
    source says which run and node trained it, so the lineage stays visible on the canvas.
    """

    id = "saved_trained_model"
    name = "Saved Trained Model"
    category = "Data Input and Output"

    class Outputs:
        trained_model = Out(TrainedModel, "Trained model")

    class Params(ParamModel):
        artifact: str = artifact_digest(title="Artifact", description="Content digest of the trained model.")
        source: str = Field("", max_length=300, title="Source", description="Where the model came from.")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"trained_model": TrainedModel.deserialize(ctx.load_artifact(params.artifact))}
