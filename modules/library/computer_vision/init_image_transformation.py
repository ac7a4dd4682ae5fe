"""Init Image Transformation: describe image transforms (resize, crops, flips, jitter...) as a JSON spec."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import Module, ModuleError, Out, ParamModel, RunContext
from modules.sdk.ports import ImageTransformation
from modules.sdk.values import ImageTransform


class InitImageTransformation(Module):
    """Choose the transforms to apply to images; connect the output to Apply Image Transformation.

    The chosen steps run in this order: Resize (the shorter side to Size, keeping the aspect ratio),
    Center crop (a square from the middle; a smaller image is padded with black), Pad (a black
    border), Color jitter (brightness, contrast and saturation each scaled by a random factor in
    [1 - strength, 1 + strength], in random order), Grayscale, Random resized crop (8-100% of the
    area, aspect 3/4 to 4/3, resized to a square), Random crop (a smaller image is padded first),
    random horizontal and vertical flips (probability 0.5), Random rotation and Random affine
    (an angle from [-degrees, degrees], the affine one also shifted by up to the translate fraction
    of the size), Random grayscale (probability 0.1), Random perspective (probability 0.5,
    distortion 0.5) and Random erasing (probability 0.5, 2-33% of the area set to the mean colour).

    Grayscale keeps three (equal) channels, so the networks' input shape does not change. The
    operations follow torchvision's definitions; no code is stored, only a list of named steps.
    """

    id = "init_image_transformation"
    name = "Init Image Transformation"
    category = "Computer Vision"

    class Outputs:
        image_transformation = Out(ImageTransformation, "Image transformation")

    class Params(ParamModel):
        resize: bool = Field(True, title="Resize", description="Resize so that the shorter side is Size pixels.")
        size: int = Field(256, ge=1, le=4096, title="Size", description="Length of the shorter side after resizing.")
        center_crop: bool = Field(True, title="Center crop", description="Cut a square from the image's centre.")
        crop_size: int = Field(224, ge=1, le=4096, title="Crop size", description="Side of the centre square.")
        pad: bool = Field(False, title="Pad", description="Add a black border on every side.")
        padding: int = Field(0, ge=0, le=1024, title="Padding", description="Width of the border in pixels.")
        color_jitter: bool = Field(
            False, title="Color jitter", description="Randomly change brightness, contrast and saturation."
        )
        brightness: float = Field(
            0.4, ge=0, le=1, title="Brightness", description="Strength of the brightness change (Color jitter)."
        )
        contrast: float = Field(
            0.4, ge=0, le=1, title="Contrast", description="Strength of the contrast change (Color jitter)."
        )
        saturation: float = Field(
            0.4, ge=0, le=1, title="Saturation", description="Strength of the saturation change (Color jitter)."
        )
        grayscale: bool = Field(False, title="Grayscale", description="Convert every image to grayscale.")
        random_resized_crop: bool = Field(
            False, title="Random resized crop", description="Crop a random part and resize it to a square."
        )
        random_resized_crop_size: int = Field(
            256, ge=1, le=4096, title="Random resized crop size", description="Side of the resized square."
        )
        random_crop: bool = Field(False, title="Random crop", description="Cut a square at a random place.")
        random_crop_size: int = Field(
            224, ge=1, le=4096, title="Random crop size", description="Side of the randomly placed square."
        )
        random_horizontal_flip: bool = Field(
            True, title="Random horizontal flip", description="Mirror left-right with probability 0.5."
        )
        random_vertical_flip: bool = Field(
            False, title="Random vertical flip", description="Mirror top-bottom with probability 0.5."
        )
        random_rotation: bool = Field(False, title="Random rotation", description="Rotate by a random angle.")
        random_rotation_degrees: int = Field(
            0, ge=0, le=180, title="Random rotation degrees", description="Largest angle of Random rotation (0-180)."
        )
        random_affine: bool = Field(
            False, title="Random affine", description="Rotate by a random angle and shift by a random offset."
        )
        random_affine_degrees: int = Field(
            0, ge=0, le=180, title="Random affine degrees", description="Largest angle of Random affine (0-180)."
        )
        random_affine_translate: float = Field(
            0.0,
            ge=0,
            le=1,
            title="Random affine translate",
            description="Largest shift of Random affine, as a fraction of the width and height (0-1).",
        )
        random_grayscale: bool = Field(
            False, title="Random grayscale", description="Convert to grayscale with probability 0.1."
        )
        random_perspective: bool = Field(
            False, title="Random perspective", description="Distort the perspective with probability 0.5."
        )
        random_erasing: bool = Field(
            False, title="Random erasing", description="Blank out a random rectangle with probability 0.5."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        steps = transform_steps(params)
        ctx.log("steps: " + (", ".join(s["op"] for s in steps) or "none"))
        return {"image_transformation": ImageTransform(steps=steps)}


def transform_steps(p: InitImageTransformation.Params) -> list[dict[str, Any]]:
    if p.random_rotation and p.random_rotation_degrees == 0:
        raise ModuleError(
            "Random rotation is on with 0 degrees; choose 1 to 180 degrees or switch it off",
            param="random_rotation_degrees",
        )
    if p.random_affine and p.random_affine_degrees == 0 and p.random_affine_translate == 0:
        raise ModuleError(
            "Random affine is on with 0 degrees and no translation; choose degrees (1 to 180) or switch it off",
            param="random_affine_degrees",
        )
    if p.pad and p.padding == 0:
        raise ModuleError("Pad is on with a padding of 0; choose 1 pixel or more, or switch it off", param="padding")
    candidates: list[tuple[bool, dict[str, Any]]] = [
        (p.resize, {"op": "resize", "size": p.size}),
        (p.center_crop, {"op": "center_crop", "size": p.crop_size}),
        (p.pad, {"op": "pad", "padding": p.padding}),
        (
            p.color_jitter,
            {"op": "color_jitter", "brightness": p.brightness, "contrast": p.contrast, "saturation": p.saturation},
        ),
        (p.grayscale, {"op": "grayscale"}),
        (p.random_resized_crop, {"op": "random_resized_crop", "size": p.random_resized_crop_size}),
        (p.random_crop, {"op": "random_crop", "size": p.random_crop_size}),
        (p.random_horizontal_flip, {"op": "random_horizontal_flip", "p": 0.5}),
        (p.random_vertical_flip, {"op": "random_vertical_flip", "p": 0.5}),
        (p.random_rotation, {"op": "random_rotation", "degrees": p.random_rotation_degrees}),
        (
            p.random_affine,
            {"op": "random_affine", "degrees": p.random_affine_degrees, "translate": p.random_affine_translate},
        ),
        (p.random_grayscale, {"op": "random_grayscale", "p": 0.1}),
        (p.random_perspective, {"op": "random_perspective", "p": 0.5, "distortion": 0.5}),
        (p.random_erasing, {"op": "random_erasing", "p": 0.5}),
    ]
    return [step for chosen, step in candidates if chosen]
