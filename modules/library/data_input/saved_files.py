"""Saved Files: a zip of files (a script bundle) from an earlier run, placed on the canvas as a constant input."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import Module, Out, ParamModel, RunContext, artifact_digest
from modules.sdk.ports import ZipFile


class SavedFiles(Module):
    """A zip read by an earlier run (a File Dataset's script bundle), pinned by the digest of its artifact.

    "Create inference pipeline" puts one here in place of the File Dataset feeding Execute Python
    Script's or Execute R Script's Script bundle, so an endpoint imports the modules the training run
    imported, whatever is uploaded later. The zip is checked again when it is read.
    """

    id = "saved_files"
    name = "Saved Files"
    category = "Data Input and Output"

    class Outputs:
        files = Out(ZipFile, "Files", doc="The zip the training run read.")

    class Params(ParamModel):
        artifact: str = artifact_digest(title="Artifact", description="Content digest of the zip.")
        source: str = Field("", max_length=300, title="Source", description="Where the zip came from.")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"files": ZipFile.deserialize(ctx.load_artifact(params.artifact))}
