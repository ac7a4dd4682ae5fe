"""Web Service Image Input: the images a scoring request brings, one base64 PNG or JPEG per row."""

from __future__ import annotations

import base64
import binascii
import io
import warnings
from typing import Any

from pydantic import Field

from modules.sdk import In, Module, ModuleError, Out, ParamModel, RunContext
from modules.sdk.ports import ImageDirectory, image_format
from modules.sdk.values import ImageFile, ImageSet

from .web_service_input import INPUT_NAME

#: Largest request image (pixels): 16.7 megapixels, e.g. 4096 x 4096.
MAX_REQUEST_PIXELS = 4096 * 4096
COLUMN = r"^[A-Za-z][A-Za-z0-9_ ]{0,63}$"


class BadImage(ValueError):
    """A request cell that is not a usable image; the message says why, without the data."""


class WebServiceImageInput(Module):
    """Where request images enter a real-time inference pipeline of an image model.

    As in Azure ML designer, callers send images as base64 text in one column of each row:
    ``{"Inputs": {"WebServiceInput0": [{"image": "<base64 PNG or JPEG>"}]}}``. Every row must be a
    PNG or JPEG file of at most 4096 x 4096 pixels; a row that is not is refused naming the row and
    column. The rows become an unlabelled image directory (row 0 is ``row_00000.png``...), so the
    answer has one scored row per image, in order. "Create inference pipeline" puts one here in
    place of Convert to Image Directory, with a few training images as examples.

    In a designer run the node outputs the connected image directory if there is one, else its
    example images.
    """

    id = "web_service_image_input"
    name = "Web Service Image Input"
    category = "Web Service"

    class Inputs:
        image_directory = In(
            ImageDirectory, "Sample images", optional=True, doc="Images to run with in the designer; never served."
        )

    class Outputs:
        request = Out(ImageDirectory, "Request images")

    class Params(ParamModel):
        name: str = Field(
            "WebServiceInput0",
            pattern=INPUT_NAME,
            title="Name",
            description='The key callers use under "Inputs" in the request body.',
        )
        column: str = Field(
            "image", pattern=COLUMN, title="Image column", description="The column holding each row's base64 image."
        )
        example: list[dict[str, Any]] = Field(
            default_factory=list,
            max_length=20,
            title="Example rows",
            description="Rows (base64 images) shown in the endpoint's documentation and Test tab.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        if "image_directory" in inputs:
            return {"request": inputs["image_directory"]}
        if not params.example:
            raise ModuleError("add example rows or connect a sample image directory", param="example")
        blobs: list[bytes] = []
        for i, row in enumerate(params.example):
            try:
                blobs.append(request_image(row.get(params.column)))
            except BadImage as exc:
                raise ModuleError(f"example row {i}, column '{params.column}': {exc}", param="example") from None
        return {"request": request_images(blobs)}


def request_image(value: Any, max_pixels: int = MAX_REQUEST_PIXELS) -> bytes:
    """The PNG or JPEG file in a base64 cell, checked by its signature and its size (read from the header)."""
    from PIL import Image, UnidentifiedImageError

    if not isinstance(value, str) or not value:
        raise BadImage("expected a base64 PNG or JPEG image as text")
    try:
        data = base64_bytes(value)
    except (binascii.Error, ValueError):
        raise BadImage("the text is not base64") from None
    if image_format(data) is None:
        raise BadImage("the data is not a PNG or JPEG image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # the size is checked below
            with Image.open(io.BytesIO(data)) as opened:
                width, height = opened.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BadImage("the image cannot be read") from None
    if width * height > max_pixels:
        raise BadImage(f"the image is {width}x{height} pixels; at most {max_pixels:,} pixels are accepted")
    return data


def base64_bytes(text: str) -> bytes:
    """The bytes of a base64 cell; a ``data:image/png;base64,...`` URL is read too."""
    if text.startswith("data:") and "," in text:
        text = text.split(",", 1)[1]
    return base64.b64decode(text, validate=True)


def request_images(blobs: list[bytes]) -> ImageSet:
    """Checked image files as an unlabelled image directory, named by row."""
    files = []
    for i, data in enumerate(blobs):
        suffix = ".png" if image_format(data) == "png" else ".jpg"
        files.append(ImageFile(path=f"row_{i:05d}{suffix}", label=None, data=data))
    return ImageSet(images=files)


def encode_image(data: bytes) -> str:
    """An image file as the base64 text a request carries."""
    return base64.b64encode(data).decode("ascii")
