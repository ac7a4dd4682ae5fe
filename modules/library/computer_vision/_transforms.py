"""Image transform steps: JSON specs made by Init Image Transformation, applied with Pillow and numpy.

Each step is ``{"op": name, ...parameters}``. The operations follow torchvision's definitions (a
resize sets the shorter side, a center crop pads an image smaller than the crop, colour jitter draws
its factors and their order at random, ...). Random draws come from a ``numpy.random.Generator`` the
caller seeds, so reading an image directory is reproducible. Random erasing works on the final
normalised array, as torchvision's does on tensors, so it always runs last.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from modules.sdk import ModuleError

if TYPE_CHECKING:
    from PIL.Image import Image

#: Operations that draw at random: "For inference" drops them.
RANDOM_OPS = frozenset(
    {
        "color_jitter",
        "random_resized_crop",
        "random_crop",
        "random_horizontal_flip",
        "random_vertical_flip",
        "random_rotation",
        "random_affine",
        "random_grayscale",
        "random_perspective",
        "random_erasing",
    }
)
#: Parameter ranges of each operation: name -> (minimum, maximum); sizes are in pixels.
LIMITS: dict[str, dict[str, tuple[float, float]]] = {
    "resize": {"size": (1, 4096)},
    "center_crop": {"size": (1, 4096)},
    "pad": {"padding": (0, 1024)},
    "color_jitter": {"brightness": (0, 1), "contrast": (0, 1), "saturation": (0, 1)},
    "grayscale": {},
    "random_resized_crop": {"size": (1, 4096)},
    "random_crop": {"size": (1, 4096)},
    "random_horizontal_flip": {"p": (0, 1)},
    "random_vertical_flip": {"p": (0, 1)},
    "random_rotation": {"degrees": (0, 180)},
    "random_affine": {"degrees": (0, 180), "translate": (0, 1)},
    "random_grayscale": {"p": (0, 1)},
    "random_perspective": {"p": (0, 1), "distortion": (0, 1)},
    "random_erasing": {"p": (0, 1)},
}
#: ImageNet's channel means and deviations: pixels are scaled to 0-1 and normalised with them.
MEAN = np.array([0.485, 0.456, 0.406], dtype="float32")
STD = np.array([0.229, 0.224, 0.225], dtype="float32")


def check_steps(steps: list[dict[str, Any]], port: str) -> None:
    """Refuse unknown operations and parameters outside their range, naming the step."""
    for i, step in enumerate(steps):
        op = step.get("op")
        if op not in LIMITS:
            raise ModuleError(f"step {i + 1} has the unknown operation {op!r}", port=port)
        for key, (low, high) in LIMITS[op].items():
            value = step.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
                raise ModuleError(f"step {i + 1} ({op}): {key} must be a number from {low:g} to {high:g}", port=port)


def deterministic_prefix(steps: list[dict[str, Any]]) -> int:
    """How many leading steps draw nothing at random (they can be applied once, ahead of time)."""
    for i, step in enumerate(steps):
        if step["op"] in RANDOM_OPS:
            return i
    return len(steps)


def apply_steps(image: Image, steps: list[dict[str, Any]], rng: np.random.Generator) -> Image:
    """The image after every Pillow-level step (random erasing, array-level, is left to ``to_array``)."""
    for step in steps:
        if step["op"] != "random_erasing":
            image = IMAGE_OPS[step["op"]](image, step, rng)
    return image


def to_array(image: Image, steps: list[dict[str, Any]], rng: np.random.Generator) -> np.ndarray:
    """Channels-first float32 pixels, scaled to 0-1 and normalised, after the random-erasing steps."""
    pixels = np.asarray(image.convert("RGB"), dtype="float32") / 255.0
    array: np.ndarray = np.ascontiguousarray(((pixels - MEAN) / STD).transpose(2, 0, 1))
    for step in steps:
        if step["op"] == "random_erasing":
            array = random_erasing(array, step, rng)
    return array


# -- the operations ---------------------------------------------------------------------------------


def resize(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """The shorter side to ``size``, keeping the aspect ratio (bilinear)."""
    from PIL import Image as PILImage

    size, (w, h) = int(step["size"]), image.size
    if w <= h:
        target = (size, int(size * h / w))
    else:
        target = (int(size * w / h), size)
    return image.resize(target, PILImage.Resampling.BILINEAR)


def _pad_to(image: Image, size: int) -> Image:
    from PIL import ImageOps

    w, h = image.size
    if w >= size and h >= size:
        return image
    left, top = max(size - w, 0) // 2, max(size - h, 0) // 2
    right, bottom = max(size - w, 0) - left, max(size - h, 0) - top
    return ImageOps.expand(image, border=(left, top, right, bottom), fill=0)


def center_crop(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """A ``size`` x ``size`` square from the middle (an image smaller than that is padded with black first)."""
    size = int(step["size"])
    image = _pad_to(image, size)
    w, h = image.size
    top, left = int(round((h - size) / 2.0)), int(round((w - size) / 2.0))
    return image.crop((left, top, left + size, top + size))


def pad(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    from PIL import ImageOps

    return ImageOps.expand(image, border=int(step["padding"]), fill=0)


def grayscale(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """Luma (ITU-R 601-2) copied to three channels, so the network's input keeps its shape."""
    return image.convert("L").convert("RGB")


def color_jitter(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """Brightness, contrast and saturation factors drawn from [1 - s, 1 + s], applied in a random order."""
    from PIL import ImageEnhance

    enhancers = (ImageEnhance.Brightness, ImageEnhance.Contrast, ImageEnhance.Color)
    strengths = (float(step["brightness"]), float(step["contrast"]), float(step["saturation"]))
    image = image.convert("RGB")
    for index in rng.permutation(3):
        s = strengths[index]
        if s > 0:
            image = enhancers[index](image).enhance(float(rng.uniform(max(0.0, 1 - s), 1 + s)))
    return image


def random_resized_crop(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """A crop of 8-100% of the area with an aspect ratio from 3/4 to 4/3, resized to ``size`` x ``size``."""
    from PIL import Image as PILImage

    w, h = image.size
    area = w * h
    box = None
    for _ in range(10):
        target = area * rng.uniform(0.08, 1.0)
        aspect = math.exp(rng.uniform(math.log(3 / 4), math.log(4 / 3)))
        cw, ch = int(round(math.sqrt(target * aspect))), int(round(math.sqrt(target / aspect)))
        if 0 < cw <= w and 0 < ch <= h:
            top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
            box = (left, top, left + cw, top + ch)
            break
    if box is None:  # fall back to the largest central crop within the ratio range
        ratio = w / h
        cw, ch = (
            (w, int(round(w / (4 / 3)))) if ratio > 4 / 3 else (int(round(h * 3 / 4)), h) if ratio < 3 / 4 else (w, h)
        )
        left, top = (w - cw) // 2, (h - ch) // 2
        box = (left, top, left + cw, top + ch)
    size = int(step["size"])
    return image.crop(box).resize((size, size), PILImage.Resampling.BILINEAR)


def random_crop(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """A ``size`` x ``size`` square at a random place (an image smaller than that is padded first)."""
    size = int(step["size"])
    image = _pad_to(image, size)
    w, h = image.size
    top, left = int(rng.integers(0, h - size + 1)), int(rng.integers(0, w - size + 1))
    return image.crop((left, top, left + size, top + size))


def random_horizontal_flip(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    from PIL import Image as PILImage

    return image.transpose(PILImage.Transpose.FLIP_LEFT_RIGHT) if rng.random() < float(step["p"]) else image


def random_vertical_flip(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    from PIL import Image as PILImage

    return image.transpose(PILImage.Transpose.FLIP_TOP_BOTTOM) if rng.random() < float(step["p"]) else image


def random_rotation(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """Rotated about the centre by an angle from [-degrees, degrees]; uncovered corners are black."""
    degrees = float(step["degrees"])
    return image.rotate(float(rng.uniform(-degrees, degrees)), fillcolor=0)


def random_affine(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """Rotated as Random rotation, then shifted by up to ``translate`` x the width and height."""
    degrees, translate = float(step["degrees"]), float(step.get("translate", 0.0))
    angle = float(rng.uniform(-degrees, degrees))
    w, h = image.size
    dx = int(round(rng.uniform(-translate * w, translate * w)))
    dy = int(round(rng.uniform(-translate * h, translate * h)))
    return image.rotate(angle, translate=(dx, dy), fillcolor=0)


def random_grayscale(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    return grayscale(image, step, rng) if rng.random() < float(step["p"]) else image


def perspective_coefficients(start: list[list[int]], end: list[list[int]]) -> list[float]:
    """Pillow's eight PERSPECTIVE coefficients mapping each output corner ``end`` back to ``start``."""
    rows = []
    for (x, y), (u, v) in zip(end, start, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype="float64")
    b = np.array([c for point in start for c in point], dtype="float64")
    return [float(c) for c in np.linalg.lstsq(a, b, rcond=None)[0]]


def random_perspective(image: Image, step: dict[str, Any], rng: np.random.Generator) -> Image:
    """With probability ``p``, the corners moved inwards by up to ``distortion`` x half the side (bilinear)."""
    from PIL import Image as PILImage

    if not rng.random() < float(step["p"]):
        return image
    w, h = image.size
    d = float(step["distortion"])
    dw, dh = int(d * (w // 2)), int(d * (h // 2))
    top_left = [int(rng.integers(0, dw + 1)), int(rng.integers(0, dh + 1))]
    top_right = [int(rng.integers(w - dw - 1, w)), int(rng.integers(0, dh + 1))]
    bottom_right = [int(rng.integers(w - dw - 1, w)), int(rng.integers(h - dh - 1, h))]
    bottom_left = [int(rng.integers(0, dw + 1)), int(rng.integers(h - dh - 1, h))]
    start = [[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]]
    end = [top_left, top_right, bottom_right, bottom_left]
    coefficients = perspective_coefficients(start, end)
    return image.transform(
        (w, h), PILImage.Transform.PERSPECTIVE, coefficients, PILImage.Resampling.BILINEAR, fillcolor=0
    )


def random_erasing(array: np.ndarray, step: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """With probability ``p``, a rectangle of 2-33% of the area (aspect 0.3 to 3.3) set to 0 (the mean colour)."""
    if not rng.random() < float(step["p"]):
        return array
    _, h, w = array.shape
    for _ in range(10):
        target = h * w * rng.uniform(0.02, 0.33)
        aspect = math.exp(rng.uniform(math.log(0.3), math.log(3.3)))
        eh, ew = int(round(math.sqrt(target * aspect))), int(round(math.sqrt(target / aspect)))
        if eh < h and ew < w:
            top, left = int(rng.integers(0, h - eh + 1)), int(rng.integers(0, w - ew + 1))
            out = array.copy()
            out[:, top : top + eh, left : left + ew] = 0.0
            return out
    return array


IMAGE_OPS: dict[str, Callable[[Any, dict[str, Any], np.random.Generator], Any]] = {
    "resize": resize,
    "center_crop": center_crop,
    "pad": pad,
    "color_jitter": color_jitter,
    "grayscale": grayscale,
    "random_resized_crop": random_resized_crop,
    "random_crop": random_crop,
    "random_horizontal_flip": random_horizontal_flip,
    "random_vertical_flip": random_vertical_flip,
    "random_rotation": random_rotation,
    "random_affine": random_affine,
    "random_grayscale": random_grayscale,
    "random_perspective": random_perspective,
}
