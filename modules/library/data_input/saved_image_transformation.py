"""Saved Image Transformation: an image transformation artifact placed on the canvas as a constant input."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import Module, Out, ParamModel, RunContext, artifact_digest
from modules.sdk.ports import ImageTransformation


class SavedImageTransformation(Module):
    """The steps of an Init Image Transformation from an earlier run, pinned by digest.

    "Create inference pipeline" puts one here in place of Init Image Transformation, feeding the same
    Apply Image Transformation, so request images are resized and cropped exactly as in training.
    """

    id = "saved_image_transformation"
    name = "Saved Image Transformation"
    category = "Data Input and Output"

    class Outputs:
        image_transformation = Out(ImageTransformation, "Image transformation")

    class Params(ParamModel):
        artifact: str = artifact_digest(title="Artifact", description="Content digest of the transformation.")
        source: str = Field("", max_length=300, title="Source", description="Where the transformation came from.")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"image_transformation": ImageTransformation.deserialize(ctx.load_artifact(params.artifact))}
