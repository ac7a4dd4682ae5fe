"""Shared image helpers: decoding with bounds, re-encoding, pixels as arrays, labels, and the sample set."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np

from modules.sdk import ModuleError
from modules.sdk.values import ImageFile, ImageSet

from ._transforms import apply_steps, to_array

if TYPE_CHECKING:
    from PIL.Image import Image

#: Largest image decoded (pixels): far above any training image, far below a decompression bomb.
MAX_PIXELS = 40_000_000
SAMPLE_CLASSES = ("circle", "square", "triangle")


def decode(image: ImageFile, port: str) -> Image:
    """The image's pixels (RGB or grayscale), refusing undecodable files and oversized images."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    try:
        opened = PILImage.open(io.BytesIO(image.data))
        if opened.width * opened.height > MAX_PIXELS:
            raise ModuleError(
                f"image {image.path!r} is {opened.width}x{opened.height}; at most {MAX_PIXELS:,} pixels are read",
                port=port,
            )
        opened.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, PILImage.DecompressionBombError):
        raise ModuleError(f"image {image.path!r} cannot be decoded as an image", port=port) from None
    if opened.mode not in ("RGB", "L"):
        return opened.convert("RGB")
    return opened


def encode_png(image: Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def png_path(path: str, taken: set[str]) -> str:
    """``path`` with a .png suffix, unique among ``taken``."""
    stem, dot, suffix = path.rpartition(".")
    candidate = path if suffix.lower() == "png" else f"{stem if dot else path}.png"
    return candidate if candidate not in taken else f"{path}.png"


def pixels(images: ImageSet, index: int, rng: np.random.Generator, port: str) -> np.ndarray:
    """Image ``index`` as a normalised channels-first float32 array, after the directory's pending steps."""
    image = apply_steps(decode(images.images[index], port), images.transform, rng)
    return to_array(image, images.transform, rng)


def batch(images: ImageSet, indices: list[int], rng: np.random.Generator, port: str, size: list[int]) -> np.ndarray:
    """A stack of images; each must be ``size`` ([height, width]) after the pending steps."""
    arrays = []
    for i in indices:
        array = pixels(images, i, rng, port)
        if list(array.shape[1:]) != size:
            raise ModuleError(
                f"image {images.images[i].path!r} is {array.shape[2]}x{array.shape[1]} (width x height) but the "
                f"others are {size[1]}x{size[0]}; give every image one size with Init Image Transformation "
                "(Resize and Center crop) and Apply Image Transformation",
                port=port,
            )
        arrays.append(array)
    return np.stack(arrays)


def image_size(images: ImageSet, port: str, seed: int) -> list[int]:
    """[height, width] of the first image after the pending steps (the size every other image must have)."""
    if not images.images:
        raise ModuleError("the image directory holds no images", port=port)
    first = pixels(images, 0, np.random.default_rng(seed), port)
    return [int(first.shape[1]), int(first.shape[2])]


def require_labels(images: ImageSet, port: str) -> None:
    """Every image labelled, and every class with at least one image."""
    if not images.images:
        raise ModuleError("the image directory holds no images", port=port)
    unlabelled = [f.path for f in images.images if f.label is None]
    if unlabelled:
        raise ModuleError(
            f"image {unlabelled[0]!r} has no class; put each image in a folder named after its class", port=port
        )
    counts = {c: 0 for c in images.classes}
    for f in images.images:
        counts[str(f.label)] += 1
    empty = [c for c, n in counts.items() if n == 0]
    if empty:
        raise ModuleError(f"class {empty[0]!r} has no images", port=port)


def sample_images(per_class: int, size: int, seed: int) -> ImageSet:
    """A synthetic set: coloured circles, squares and triangles on light backgrounds, ``per_class`` of each."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    rng = np.random.default_rng(seed)
    files: list[ImageFile] = []
    for label in SAMPLE_CLASSES:
        for k in range(per_class):
            background = tuple(int(v) for v in rng.integers(170, 256, 3))
            colour = tuple(int(v) for v in rng.integers(0, 120, 3))
            image = PILImage.new("RGB", (size, size), background)
            draw = ImageDraw.Draw(image)
            half = float(rng.uniform(0.25, 0.4)) * size
            cx, cy = (float(v) for v in rng.uniform(half, size - half, 2))
            _shape(draw, label, cx, cy, half, colour)
            files.append(ImageFile(path=f"{label}/{label}_{k:04d}.png", label=label, data=encode_png(image)))
    return ImageSet(images=files, classes=list(SAMPLE_CLASSES))


def _shape(draw: Any, label: str, cx: float, cy: float, half: float, colour: tuple[int, ...]) -> None:
    box = (cx - half, cy - half, cx + half, cy + half)
    if label == "circle":
        draw.ellipse(box, fill=colour)
    elif label == "square":
        draw.rectangle(box, fill=colour)
    else:
        draw.polygon([(cx, cy - half), (cx + half, cy + half), (cx - half, cy + half)], fill=colour)
