"""Computer Vision: bad inputs and hostile archives fail with an error that names what is at fault."""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from modules.library.computer_vision.init_image_transformation import InitImageTransformation
from modules.sdk import LocalContext, ModuleError, params_errors
from modules.sdk import ports as image_ports
from modules.sdk.ports import ImageDirectory, TrainedImageModel
from modules.sdk.values import ImageFile, ImageSet, ImageTransform
from tests.modules.cases.computer_vision import shapes, tiny_resnet, trained

Runner = Callable[..., dict[str, Any]]


def png(width: int = 4, height: int = 4) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(np.zeros((height, width, 3), dtype=np.uint8), "RGB").save(buf, format="PNG")
    return buf.getvalue()


def archive(members: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    """A zip of ``members``; the names in ``links`` are stored as symbolic links."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if name in links:
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, data)
    return buf.getvalue()


def directory_zip(
    images: dict[str, bytes], links: tuple[str, ...] = (), manifest: dict[str, Any] | None = None
) -> bytes:
    """An image-directory artifact listing ``images`` (paths under images/) in its manifest."""
    listed = {n.removeprefix("images/"): n.removeprefix("images/").split("/")[0] for n in images}
    body = manifest or {
        "format": "tessera.image_directory",
        "version": 1,
        "classes": sorted(set(listed.values())),
        "transform": [],
        "images": [{"path": p, "label": c} for p, c in listed.items()],
    }
    return archive({"manifest.json": json.dumps(body).encode(), **images}, links)


# -- the image directory artifact --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("member", "reason"),
    [
        ("images/../../etc/passwd.png", "'..', '.' or an empty folder name"),
        ("/images/a/x.png", "an absolute path"),
        ("images\\a\\x.png", "a backslash"),
    ],
)
def test_an_artifact_with_a_path_leaving_the_archive_is_refused(member: str, reason: str) -> None:
    data = archive({"manifest.json": b"{}", member: png()})

    with pytest.raises(ValueError) as err:
        ImageDirectory.deserialize(data)

    assert str(err.value) == f"the archive member {member!r} is refused: its name has {reason}"


def test_an_artifact_with_a_symbolic_link_is_refused() -> None:
    data = directory_zip({"images/a/x.png": b"/etc/passwd"}, links=("images/a/x.png",))

    with pytest.raises(ValueError) as err:
        ImageDirectory.deserialize(data)

    assert str(err.value) == "the archive member 'images/a/x.png' is a symbolic link; links are refused"


def test_an_artifact_with_too_many_files_is_refused_before_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_ports, "MAX_IMAGE_FILES", 3)
    data = directory_zip({f"images/a/{i}.png": png() for i in range(5)})

    with pytest.raises(ValueError) as err:
        ImageDirectory.deserialize(data)

    assert str(err.value) == "the archive holds 6 entries; at most 3 files are allowed"


def test_an_artifact_whose_files_decompress_beyond_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_ports, "MAX_IMAGE_BYTES", 1024 * 1024)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", "{}")
        zf.writestr("images/a/bomb.png", b"\x00" * (2 * 1024 * 1024))  # compresses to a few KiB
    assert len(buf.getvalue()) < 64 * 1024

    with pytest.raises(ValueError) as err:
        ImageDirectory.deserialize(buf.getvalue())

    assert str(err.value) == "the archive's files add up to more than 1 MiB"


def test_an_artifact_with_a_non_image_file_is_refused() -> None:
    data = directory_zip({"images/a/x.png": png(), "images/a/notes.txt": b"hello"})

    with pytest.raises(ValueError) as err:
        ImageDirectory.deserialize(data)

    assert str(err.value) == "the archive member 'images/a/notes.txt' is not a PNG or JPEG image under images/"


def test_an_artifact_with_a_file_named_png_that_is_not_one_is_refused() -> None:
    data = directory_zip({"images/a/x.png": b"MZ\x90\x00 not a picture"})

    with pytest.raises(ValueError) as err:
        ImageDirectory.deserialize(data)

    assert str(err.value) == "the archive member 'images/a/x.png' is not a PNG or JPEG image"


def test_an_artifact_whose_manifest_lists_other_files_is_refused() -> None:
    manifest = {"format": "tessera.image_directory", "classes": ["a"], "images": [{"path": "a/y.png", "label": "a"}]}
    data = directory_zip({"images/a/x.png": png()}, manifest=manifest)

    with pytest.raises(ValueError) as err:
        ImageDirectory.deserialize(data)

    assert str(err.value) == "manifest.json does not list exactly the images in the archive"


def test_a_trained_model_artifact_holding_a_pickle_is_refused(run: Runner) -> None:
    good = TrainedImageModel.serialize(trained(run))
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        meta = zf.read("meta.json")
    weights = io.BytesIO()
    np.save(weights, np.array([object()], dtype=object), allow_pickle=True)
    npz = archive({"evil.npy": weights.getvalue()})
    data = archive({"meta.json": meta, "weights.npz": npz})

    with pytest.raises(ValueError) as err:
        TrainedImageModel.deserialize(data)

    assert "allow_pickle=False" in str(err.value)


# -- Convert to Image Directory ----------------------------------------------------------------------


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TESSERA_IMPORT_ROOTS", str(tmp_path))
    return tmp_path


def _convert(run: Runner, path: Path | str) -> dict[str, Any]:
    return run("convert_to_image_directory", {}, source="Server path", path=str(path))


@pytest.mark.parametrize(
    ("members", "links", "message"),
    [
        (
            {"cat/x.png": png(), "../evil.png": png()},
            (),
            "the archive member '../evil.png' is refused: its name has '..', '.' or an empty folder name",
        ),
        (
            {"cat/x.png": png(), "/abs/x.png": png()},
            (),
            "the archive member '/abs/x.png' is refused: its name has an absolute path",
        ),
        (
            {"cat/x.png": png(), "cat/link.png": b"/etc/passwd"},
            ("cat/link.png",),
            "the archive member 'cat/link.png' is a symbolic link; links are refused",
        ),
        (
            {"cat/x.png": png(), "cat/readme.txt": b"hi"},
            (),
            "'cat/readme.txt' is not an image file (expected .jpg .jpeg .png .ppm .bmp .pgm .tif .tiff .webp)",
        ),
        ({"cat/x.png": png(), "cat/y.png": b"not a png"}, (), "image 'cat/y.png' cannot be decoded as an image"),
        ({"cat/x.png": png(), "dog/": b""}, (), "class 'dog' has no images"),
        (
            {"x.png": png(), "cat/y.png": png()},
            (),
            "'x.png' is outside any class folder while other images are in class folders",
        ),
        ({"cat/": b""}, (), "the folder holds no images"),
    ],
)
def test_a_hostile_or_malformed_zip_is_refused_naming_the_path(
    run: Runner, root: Path, members: dict[str, bytes], links: tuple[str, ...], message: str
) -> None:
    (root / "set.zip").write_bytes(archive(members, links))

    with pytest.raises(ModuleError) as err:
        _convert(run, root / "set.zip")

    assert (err.value.param, err.value.message) == ("path", message)


def test_a_zip_with_too_many_files_is_refused(run: Runner, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image_ports, "MAX_IMAGE_FILES", 2)
    (root / "set.zip").write_bytes(archive({f"cat/{i}.png": png() for i in range(4)}))

    with pytest.raises(ModuleError) as err:
        _convert(run, root / "set.zip")

    assert (err.value.param, err.value.message) == ("path", "the archive holds 4 entries; at most 2 files are allowed")


def test_a_folder_with_a_symbolic_link_is_refused(
    run: Runner, root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    outside.write_bytes(png())
    (root / "set" / "cat").mkdir(parents=True)
    (root / "set" / "cat" / "x.png").write_bytes(png())
    os.symlink(outside, root / "set" / "cat" / "y.png")

    with pytest.raises(ModuleError) as err:
        _convert(run, root / "set")

    assert (err.value.param, err.value.message) == ("path", "'cat/y.png' is a symbolic link; links are refused")


def test_a_path_outside_the_allowed_roots_is_refused(run: Runner, root: Path) -> None:
    with pytest.raises(ModuleError) as err:
        _convert(run, "/etc")

    assert err.value.param == "path"
    assert err.value.message == f"'/etc' is outside the allowed directories ({root.resolve()})"


def test_server_paths_are_off_without_allowed_roots(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TESSERA_IMPORT_ROOTS", raising=False)

    with pytest.raises(ModuleError) as err:
        _convert(run, "/tmp/set.zip")

    assert err.value.param == "path"
    assert err.value.message.startswith("server-side paths are switched off")


def test_an_empty_path_is_refused(run: Runner, root: Path) -> None:
    with pytest.raises(ModuleError) as err:
        _convert(run, "")

    assert (err.value.param, err.value.message) == ("path", "give the path of a folder or .zip file of images")


# -- transforms --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("param", "value"),
    [("size", 0), ("crop_size", 5000), ("padding", -1), ("brightness", 1.5), ("random_rotation_degrees", 181)],
)
def test_a_transform_parameter_out_of_range_is_a_parameter_error(param: str, value: Any) -> None:
    errors = params_errors(InitImageTransformation, {param: value})

    assert [e["param"] for e in errors] == [param]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"random_rotation": True, "random_rotation_degrees": 0}, "random_rotation_degrees"),
        ({"random_affine": True, "random_affine_degrees": 0}, "random_affine_degrees"),
        ({"pad": True, "padding": 0}, "padding"),
    ],
)
def test_a_switched_on_transform_that_would_do_nothing_is_refused(
    run: Runner, params: dict[str, Any], param: str
) -> None:
    with pytest.raises(ModuleError) as err:
        run("init_image_transformation", {}, **params)

    assert err.value.param == param


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([{"op": "resize", "size": 0}], "step 1 (resize): size must be a number from 1 to 4096"),
        ([{"op": "pad", "padding": 4}, {"op": "sharpen"}], "step 2 has the unknown operation 'sharpen'"),
        ([{"op": "random_erasing", "p": "often"}], "step 1 (random_erasing): p must be a number from 0 to 1"),
    ],
)
def test_a_hand_made_transformation_out_of_range_is_refused(
    run: Runner, ctx: LocalContext, steps: list[dict[str, Any]], message: str
) -> None:
    inputs = {"image_transformation": ImageTransform(steps), "image_directory": shapes(1)}

    with pytest.raises(ModuleError) as err:
        run("apply_image_transformation", inputs)

    assert (err.value.port, err.value.message) == ("image_transformation", message)
    assert ctx.progress_updates == []


def test_an_undecodable_image_is_named(run: Runner) -> None:
    broken = ImageSet([ImageFile("a/x.png", "a", b"\x89PNG\r\n\x1a\n garbage")], ["a"])
    transform = run("init_image_transformation", {}, size=8, crop_size=8)["image_transformation"]

    with pytest.raises(ModuleError) as err:
        run("apply_image_transformation", {"image_transformation": transform, "image_directory": broken})

    assert (err.value.port, err.value.message) == ("image_directory", "image 'a/x.png' cannot be decoded as an image")


def test_splitting_an_empty_directory_is_refused(run: Runner) -> None:
    with pytest.raises(ModuleError) as err:
        run("split_image_directory", {"image_directory": ImageSet([], [])})

    assert (err.value.port, err.value.message) == ("image_directory", "the image directory holds no images")


# -- networks, training and scoring ------------------------------------------------------------------


@pytest.mark.parametrize("module_id", ["resnet", "densenet"])
def test_pretrained_weights_are_refused_with_the_reason(run: Runner, module_id: str) -> None:
    with pytest.raises(ModuleError) as err:
        run(module_id, {}, pretrained=True)

    assert err.value.param == "pretrained"
    assert "download" in err.value.message and "Switch Pretrained off" in err.value.message


def _train(run: Runner, **inputs: Any) -> None:
    base = {"untrained_model": tiny_resnet(run), "training_dataset": shapes(2), "validation_dataset": shapes(1)}
    run("train_pytorch_model", {**base, **inputs}, epochs=1, batch_size=4)


def _drop_class(images: ImageSet, label: str) -> ImageSet:
    return ImageSet([f for f in images.images if f.label != label], images.classes)


@pytest.mark.parametrize(
    ("inputs", "port", "message"),
    [
        ({"training_dataset": ImageSet([], ["a", "b"])}, "training_dataset", "the image directory holds no images"),
        ({"training_dataset": _drop_class(shapes(2), "square")}, "training_dataset", "class 'square' has no images"),
        (
            {"training_dataset": ImageSet([ImageFile("x.png", None, png())], [])},
            "training_dataset",
            "image 'x.png' has no class; put each image in a folder named after its class",
        ),
        (
            {"training_dataset": ImageSet([ImageFile("a/x.png", "a", png())], ["a"])},
            "training_dataset",
            "the training images have 1 class; a classifier needs at least 2",
        ),
        (
            {"validation_dataset": ImageSet([ImageFile("dog/x.png", "dog", png(16, 16))], ["dog"])},
            "validation_dataset",
            "validation image 'dog/x.png' has the class 'dog', unknown in training",
        ),
        (
            {"validation_dataset": shapes(1, size=20)},
            "validation_dataset",
            "the validation images are 20x20 pixels but the training images 16x16; transform both the same way",
        ),
    ],
)
def test_training_data_that_cannot_be_trained_on_is_refused(
    run: Runner, ctx: LocalContext, inputs: dict[str, Any], port: str, message: str
) -> None:
    with pytest.raises(ModuleError) as err:
        _train(run, **inputs)

    assert (err.value.port, err.value.message) == (port, message)
    assert ctx.progress_updates == []


def test_training_images_of_different_sizes_are_refused(run: Runner, ctx: LocalContext) -> None:
    mixed = shapes(2)
    mixed.images[3] = ImageFile(mixed.images[3].path, mixed.images[3].label, png(20, 12))

    with pytest.raises(ModuleError) as err:
        _train(run, training_dataset=mixed)

    assert err.value.port == "training_dataset"
    assert err.value.message.startswith(
        f"image {mixed.images[3].path!r} is 20x12 (width x height) but the others are 16x16"
    )
    assert ctx.progress_updates == []


def test_images_too_small_for_densenet_are_refused(run: Runner) -> None:
    densenet = run("densenet", {}, model_name="densenet121", width_divisor=16)["untrained_model"]

    with pytest.raises(ModuleError) as err:
        _train(run, untrained_model=densenet)

    assert err.value.port == "training_dataset"
    assert err.value.message.startswith("the training images are 16x16 pixels; DenseNet needs at least 29x29")


def test_scoring_images_of_another_size_than_training_is_refused(run: Runner) -> None:
    model = trained(run)

    with pytest.raises(ModuleError) as err:
        run("score_image_model", {"trained_model": model, "image_directory": shapes(1, size=24)})

    assert err.value.port == "image_directory"
    assert err.value.message.startswith("the images are 24x24 pixels but the model was trained on 16x16")
