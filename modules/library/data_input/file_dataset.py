"""File Dataset: a registered file dataset (an uploaded zip) placed on the canvas."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import DatasetRef, Module, ModuleError, Out, ParamModel, RunContext
from modules.sdk.params import DATASET_KIND
from modules.sdk.ports import ZipFile, zip_members
from modules.sdk.values import ZipArchive


class FileDataset(Module):
    """A registered file dataset: a .zip uploaded on the Datasets page, pinned to a version.

    Azure's file datasets, limited to what its designer does with them: the zip travels as it was
    uploaded, for Execute Python Script or Execute R Script to unpack as their Script bundle (modules
    to import, R files to source, small lookup files), or for Convert to Image Directory to read as a
    folder per class. The version used is fixed when the run is submitted, as for Dataset. A table
    dataset (CSV, Parquet) is refused here: place it as a Dataset node.

    The archive is checked when it is uploaded and again when it is read: plain relative member
    names, no links, no encryption, at most 10,000 files and 256 MB unpacked.
    """

    id = "file_dataset"
    name = "File Dataset"
    category = "Data Input and Output"

    class Outputs:
        files = Out(ZipFile, "Files", doc="The uploaded zip, as it was uploaded.")

    class Params(ParamModel):
        dataset: DatasetRef = Field(
            title="Dataset",
            description="The registered file dataset (a zip) and version; no version means the latest at submit time.",
            json_schema_extra={DATASET_KIND: "file"},
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        try:
            data = ctx.load_file(params.dataset)
            files = zip_members(data, what=f"file dataset {params.dataset.dataset_id}")
        except ModuleError as exc:
            raise ModuleError(exc.message, param="dataset") from None
        except ValueError as exc:
            raise ModuleError(str(exc), param="dataset") from None
        ctx.log(f"{len(files)} files, {sum(i.file_size for i in files):,} bytes unpacked")
        return {"files": ZipArchive(data)}
