"""Saved Image Model: a trained image classifier artifact placed on the canvas as a constant input."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import Module, Out, ParamModel, RunContext, artifact_digest
from modules.sdk.ports import TrainedImageModel


class SavedImageModel(Module):
    """An image model (ResNet, DenseNet) trained by an earlier run, pinned by the digest of its artifact.

    "Create inference pipeline" puts one here in place of Train PyTorch Model, as Saved Trained Model
    does for tabular models; a separate module because its output is a trained image model, which only
    Score Image Model reads.
    """

    id = "saved_image_model"
    name = "Saved Image Model"
    category = "Data Input and Output"

    class Outputs:
        trained_model = Out(TrainedImageModel, "Trained image model")

    class Params(ParamModel):
        artifact: str = artifact_digest(title="Artifact", description="Content digest of the image model.")
        source: str = Field("", max_length=300, title="Source", description="Where the model came from.")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"trained_model": TrainedImageModel.deserialize(ctx.load_artifact(params.artifact))}
