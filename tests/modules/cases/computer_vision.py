"""Contract cases for the Computer Vision modules: tiny synthetic images (16x16) and tiny networks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.library.computer_vision._images import sample_images
from modules.sdk import DataTable
from modules.sdk.values import FittedImageModel, ImageModelSpec, ImageSet

from ._helpers import Case, _no_inputs

Run = Callable[..., dict[str, Any]]

#: The smallest ResNet: resnet18 with channels 4-32, trained for 2 epochs on 16x16 images.
TINY_RESNET = {"model_name": "resnet18", "width_divisor": 16}
TINY_TRAINING = {"epochs": 2, "batch_size": 4}


def shapes(per_class: int = 4, size: int = 16, seed: int = 0) -> ImageSet:
    """The synthetic shapes set (circle, square, triangle), ``per_class`` images of each."""
    return sample_images(per_class, size, seed)


def tiny_resnet(run: Run) -> ImageModelSpec:
    spec: ImageModelSpec = run("resnet", {}, **TINY_RESNET)["untrained_model"]
    return spec


def _directory(table: DataTable, run: Run) -> dict[str, Any]:
    return {"image_directory": shapes()}


def _apply(table: DataTable, run: Run) -> dict[str, Any]:
    transform = run("init_image_transformation", {}, size=16, crop_size=12, color_jitter=True)
    return {"image_transformation": transform["image_transformation"], "image_directory": shapes()}


def training_inputs(run: Run) -> dict[str, Any]:
    return {
        "untrained_model": tiny_resnet(run),
        "training_dataset": shapes(4, seed=1),
        "validation_dataset": shapes(2, seed=2),
    }


def _training(table: DataTable, run: Run) -> dict[str, Any]:
    return training_inputs(run)


def trained(run: Run) -> FittedImageModel:
    """A tiny ResNet trained for one epoch on the shapes set."""
    model: FittedImageModel = run("train_pytorch_model", training_inputs(run), epochs=1, batch_size=4)["trained_model"]
    return model


def _scoring(table: DataTable, run: Run) -> dict[str, Any]:
    return {"trained_model": trained(run), "image_directory": shapes(2, seed=3)}


CASES: dict[str, Case] = {
    "convert_to_image_directory": Case(_no_inputs, {"images_per_class": 3, "image_size": 16}),
    "init_image_transformation": Case(_no_inputs, {"size": 16, "crop_size": 16}),
    "apply_image_transformation": Case(_apply, {"mode": "For training"}),
    "split_image_directory": Case(_directory, {"fraction_of_images_in_the_first_output": 0.5}),
    "resnet": Case(_no_inputs, TINY_RESNET),
    "densenet": Case(_no_inputs, {"model_name": "densenet121", "width_divisor": 16}),
    "train_pytorch_model": Case(_training, TINY_TRAINING),
    "score_image_model": Case(_scoring, {}),
}
