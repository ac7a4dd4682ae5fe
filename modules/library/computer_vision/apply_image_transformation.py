"""Apply Image Transformation: put an image transformation on an image directory, for training or inference."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from modules.sdk import In, Module, Out, ParamModel, RunContext
from modules.sdk.ports import ImageDirectory, ImageTransformation
from modules.sdk.values import ImageFile, ImageSet, ImageTransform

from ._images import decode, encode_png, png_path
from ._transforms import RANDOM_OPS, apply_steps, check_steps, deterministic_prefix


class ApplyImageTransformation(Module):
    """Transform the images of a directory with the steps of Init Image Transformation.

    For training: every step is kept. For inference: the steps that draw at random (color jitter and
    every "Random ..." step) are dropped, as in Azure. Steps without randomness that come before the
    first random one are applied now (the images are stored again as PNG, so the output shows them);
    the rest stay with the directory and run each time its images are read, so Train PyTorch Model
    draws fresh flips, crops and jitter every epoch (validation and scoring draw from a fixed seed, so
    they are reproducible). Applying a second transformation adds its steps after the first's.
    """

    id = "apply_image_transformation"
    name = "Apply Image Transformation"
    category = "Computer Vision"

    class Inputs:
        image_transformation = In(ImageTransformation, "Image transformation")
        image_directory = In(ImageDirectory, "Image directory")

    class Outputs:
        image_directory_out = Out(ImageDirectory, "Transformed image directory")

    class Params(ParamModel):
        mode: Literal["For training", "For inference"] = Field(
            "For training",
            title="Mode",
            description="For training keeps every step; For inference drops the steps that draw at random.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        transform: ImageTransform = inputs["image_transformation"]
        images: ImageSet = inputs["image_directory"]
        check_steps(transform.steps, "image_transformation")
        check_steps(images.transform, "image_directory")
        steps = [dict(s) for s in transform.steps]
        if params.mode == "For inference":
            steps = [s for s in steps if s["op"] not in RANDOM_OPS]
        out = apply_transform(images, steps, ctx)
        ctx.log(f"{len(steps)} steps ({params.mode.lower()}); {len(out.transform)} run when the images are read")
        return {"image_directory_out": out}


def apply_transform(images: ImageSet, steps: list[dict[str, Any]], ctx: RunContext) -> ImageSet:
    if images.transform:  # steps already wait to run at read time: the new ones must follow them
        return ImageSet(list(images.images), list(images.classes), [*images.transform, *steps])
    now, later = steps[: deterministic_prefix(steps)], steps[deterministic_prefix(steps) :]
    if not now:
        return ImageSet(list(images.images), list(images.classes), later)
    rng = np.random.default_rng(0)  # unused by deterministic steps
    files: list[ImageFile] = []
    taken: set[str] = set()
    for i, image in enumerate(images.images):
        if i % 64 == 0:
            ctx.check_cancelled()
            ctx.progress(i / len(images.images), "transforming")
        done = apply_steps(decode(image, "image_directory"), now, rng)
        path = png_path(image.path, taken)
        taken.add(path)
        files.append(ImageFile(path=path, label=image.label, data=encode_png(done)))
    return ImageSet(files, list(images.classes), later)
