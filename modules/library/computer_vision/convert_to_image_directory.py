"""Convert to Image Directory: read a folder-per-class image set (an uploaded zip, a server folder or zip) or make
the sample set."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from modules.library.data_input._sources import local_path
from modules.sdk import In, Module, ModuleError, Out, ParamModel, RunContext
from modules.sdk import ports as image_ports
from modules.sdk.ports import ImageDirectory, ZipFile, checked_members, image_format, read_member
from modules.sdk.values import ImageFile, ImageSet, ZipArchive

from ._images import decode, encode_png, png_path, sample_images

#: The image files Azure's Convert to Image Directory reads (torchvision's ImageFolder list).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


class ConvertToImageDirectory(Module):
    """Turn a set of images into an image directory, one folder per class as Azure expects.

    Input dataset: as in Azure, connect a File Dataset (a .zip of images uploaded on the Datasets
    page); when it is connected, Source and Path are not used. Server path: a folder, or a .zip
    file, inside the directories the operator allows (``TESSERA_IMPORT_ROOTS``). Either way, each
    top-level folder is a class and holds that class's images (in subfolders too); images at the
    top level, with no folder, make an unlabelled directory for scoring. Read: .jpg .jpeg .png
    .ppm .bmp .pgm .tif .tiff .webp; PNG and JPEG files are kept as they are, the others are
    converted to PNG. Hidden files and ``__MACOSX`` folders are skipped; any other file that is
    not an image, a class folder with no images, a symbolic link, a path leaving the archive, or
    more files or bytes than the limits is refused with a message naming it.

    Sample shapes: a synthetic set made in code, with no file at all: coloured circles, squares and
    triangles on light backgrounds (three classes), seeded, for trying a pipeline out.
    """

    id = "convert_to_image_directory"
    name = "Convert to Image Directory"
    category = "Computer Vision"

    class Inputs:
        input_dataset = In(
            ZipFile,
            "Input dataset",
            optional=True,
            doc="A zip with one folder per class (a File Dataset); when connected, Source and Path are not used.",
        )

    class Outputs:
        image_directory = Out(ImageDirectory, "Image directory")

    class Params(ParamModel):
        source: Literal["Sample shapes", "Server path"] = Field(
            "Sample shapes",
            title="Source",
            description="Make the synthetic shapes set, or read a folder or .zip file on the server.",
        )
        path: str = Field(
            "",
            title="Path",
            description="A folder or .zip file with one folder per class, inside TESSERA_IMPORT_ROOTS (Server path).",
        )
        images_per_class: int = Field(
            20, ge=1, le=1000, title="Images per class", description="How many images of each shape (Sample shapes)."
        )
        image_size: int = Field(
            32, ge=8, le=512, title="Image size", description="Width and height of the sample images in pixels."
        )
        random_seed: int = Field(
            0, ge=0, title="Random seed", description="Seed of the sample shapes' colours, sizes and places."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        uploaded: ZipArchive | None = inputs.get("input_dataset")
        if uploaded is not None:
            images = read_uploaded(uploaded, ctx)
        elif params.source == "Sample shapes":
            images = sample_images(params.images_per_class, params.image_size, params.random_seed)
        else:
            images = read_images(params.path, ctx)
        labelled = "unlabelled" if not images.classes else f"{len(images.classes)} classes"
        ctx.log(f"{len(images.images)} images, {labelled}")
        return {"image_directory": images}


def read_images(location: str, ctx: RunContext) -> ImageSet:
    """The images of a folder or .zip file inside the allowed roots."""
    if not location.strip():
        raise ModuleError("give the path of a folder or .zip file of images", param="path")
    path = local_path(location, "path")
    if path.is_dir():
        entries, folders = _folder_entries(path)
    elif path.is_file() and path.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(path) as zf:
                return _from_zip(zf, ctx, PATH)
        except zipfile.BadZipFile:
            raise ModuleError(f"'{path.name}' is not a valid zip file", param="path") from None
    elif path.exists():
        raise ModuleError(f"'{location}' is neither a folder nor a .zip file", param="path")
    else:
        raise ModuleError(f"'{location}' does not exist", param="path")
    return _image_set(entries, folders, ctx, PATH)


def read_uploaded(archive: ZipArchive, ctx: RunContext) -> ImageSet:
    """The images of a zip reaching the ``input_dataset`` port (an uploaded file dataset)."""
    try:
        with zipfile.ZipFile(io.BytesIO(archive.data)) as zf:
            return _from_zip(zf, ctx, {"port": "input_dataset"})
    except zipfile.BadZipFile as exc:
        raise ModuleError(f"the input zip cannot be read: {exc}", port="input_dataset") from None


Reader = Callable[[], bytes]
#: What an error names: the ``path`` parameter, or the ``input_dataset`` port.
Fault = dict[str, str]
PATH: Fault = {"param": "path"}


def _folder_entries(root: Path) -> tuple[dict[str, Reader], set[str]]:
    entries: dict[str, Reader] = {}
    folders: set[str] = set()
    total = 0
    for here, dirs, files in os.walk(root, followlinks=False):
        base = Path(here)
        for name in [*dirs, *files]:
            if (base / name).is_symlink():
                raise ModuleError(
                    f"'{(base / name).relative_to(root)}' is a symbolic link; links are refused", param="path"
                )
        dirs[:] = sorted(d for d in dirs if not _skipped(d))
        if base != root:
            folders.add(base.relative_to(root).parts[0])
        for name in sorted(files):
            if _skipped(name):
                continue
            full = base / name
            total += full.stat().st_size
            if len(entries) >= image_ports.MAX_IMAGE_FILES or total > image_ports.MAX_IMAGE_BYTES:
                raise ModuleError(
                    f"the folder holds more than {image_ports.MAX_IMAGE_FILES} files or "
                    f"{image_ports.MAX_IMAGE_BYTES // (1024 * 1024)} MiB",
                    param="path",
                )
            entries[full.relative_to(root).as_posix()] = full.read_bytes
    return entries, folders


def _skipped(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


def _from_zip(zf: zipfile.ZipFile, ctx: RunContext, fault: Fault) -> ImageSet:
    try:
        infos = zf.infolist()
        members = checked_members(zf)
        folders = {i.filename.split("/")[0] for i in infos if "/" in i.filename.rstrip("/") or i.is_dir()}
        folders = {f for f in folders if not _skipped(f)}
        entries: dict[str, Reader] = {}
        for info in members:
            if any(_skipped(part) for part in info.filename.split("/")):
                continue
            entries[info.filename] = lambda i=info: read_member(zf, i)  # type: ignore[misc]
        return _image_set(entries, folders, ctx, fault)
    except ValueError as exc:
        raise ModuleError(str(exc), **fault) from None


def _image_set(entries: dict[str, Reader], folders: set[str], ctx: RunContext, fault: Fault) -> ImageSet:
    files: list[ImageFile] = []
    taken: set[str] = set()
    for name in sorted(entries):
        if not name.lower().endswith(IMAGE_SUFFIXES):
            raise ModuleError(f"'{name}' is not an image file (expected {' '.join(IMAGE_SUFFIXES)})", **fault)
        ctx.check_cancelled()
        parts = name.split("/")
        label = parts[0] if len(parts) > 1 else None
        data = entries[name]()
        probe = ImageFile(path=name, label=label, data=data)
        try:
            image = decode(probe, "path")
        except ModuleError as exc:  # decode names a port; here the file comes from the path or the input
            raise ModuleError(exc.message, **fault) from None
        if image_format(data) is None:  # BMP, TIFF, WebP...: kept as PNG
            probe = ImageFile(path=png_path(name, taken | set(entries)), label=label, data=encode_png(image))
        taken.add(probe.path)
        files.append(probe)
    if not files:
        raise ModuleError("the folder holds no images", **fault)
    labels = {f.label for f in files}
    if None in labels and len(labels) > 1:
        loose = next(f.path for f in files if f.label is None)
        raise ModuleError(f"'{loose}' is outside any class folder while other images are in class folders", **fault)
    classes = sorted(str(x) for x in labels if x is not None)
    empty = sorted(folders - set(classes))
    if empty and classes:
        raise ModuleError(f"class '{empty[0]}' has no images", **fault)
    return ImageSet(images=files, classes=classes)
