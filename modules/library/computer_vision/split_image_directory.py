"""Split Image Directory: divide an image directory in two, by a fraction, within each class."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from modules.sdk import In, Module, ModuleError, Out, ParamModel, RunContext
from modules.sdk.ports import ImageDirectory
from modules.sdk.values import ImageSet


class SplitImageDirectory(Module):
    """Send a fraction of the images to the first output and the rest to the second.

    The split is stratified: within each class, ``round(fraction x images of the class)`` images, drawn
    with a seeded NumPy permutation, go first, so both outputs keep the class proportions (unlabelled
    images form one group). Images keep their order; both outputs keep every class name and the
    pending transform steps. Unlike Azure, the seed is a parameter, so a split is reproducible.
    """

    id = "split_image_directory"
    name = "Split Image Directory"
    category = "Computer Vision"
    inference = "pass_through"

    class Inputs:
        image_directory = In(ImageDirectory, "Image directory")

    class Outputs:
        first = Out(ImageDirectory, "Output image directory 1")
        second = Out(ImageDirectory, "Output image directory 2")

    class Params(ParamModel):
        fraction_of_images_in_the_first_output: float = Field(
            0.9,
            ge=0.0,
            le=1.0,
            title="Fraction of images in the first output",
            description="Share of each class's images that go to the first output (0 to 1).",
        )
        random_seed: int = Field(
            0, ge=0, title="Random seed", description="Seed of the random choice; the same seed gives the same split."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        images: ImageSet = inputs["image_directory"]
        if not images.images:
            raise ModuleError("the image directory holds no images", port="image_directory")
        chosen = first_images(images, params.fraction_of_images_in_the_first_output, params.random_seed)
        first = [f for i, f in enumerate(images.images) if i in chosen]
        second = [f for i, f in enumerate(images.images) if i not in chosen]
        ctx.log(f"{len(first)} images to the first output, {len(second)} to the second")
        return {
            "first": ImageSet(first, list(images.classes), list(images.transform)),
            "second": ImageSet(second, list(images.classes), list(images.transform)),
        }


def first_images(images: ImageSet, fraction: float, seed: int) -> set[int]:
    """Positions of the images that go to the first output."""
    groups: dict[str | None, list[int]] = {}
    for i, f in enumerate(images.images):
        groups.setdefault(f.label, []).append(i)
    rng = np.random.default_rng(seed)
    chosen: set[int] = set()
    for label in [*images.classes, None]:
        positions = np.array(groups.get(label, []), dtype=int)
        if len(positions):
            order = rng.permutation(positions)
            chosen.update(int(p) for p in order[: int(np.floor(fraction * len(positions) + 0.5))])
    return chosen
