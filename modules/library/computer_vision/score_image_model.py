"""Score Image Model: predict the class of every image of a directory with a trained image model."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table, TableSchema
from modules.sdk.ports import ImageDirectory, TrainedImageModel
from modules.sdk.values import FittedImageModel, ImageSet

from ._images import batch, image_size
from ._transforms import check_steps

SCORED_LABELS = "Scored Labels"
SCORING_SEED = 0
CHUNK = 64


class ScoreImageModel(Module):
    """Predict a class for every image: a table of "Image Path", "Scored Labels" and the probabilities.

    One 'Scored Probabilities for Class "<class>"' column per class of the model (a softmax over the
    network's outputs), and, when the images are in class folders, their true class in "Label", so
    Evaluate Model can measure the result (multiclass). The network runs in evaluation mode from the
    weights stored in the model; the images must have the size the model was trained on (transform
    them as the training images, with Apply Image Transformation For inference). Pending random
    steps draw from a fixed seed, so scoring twice gives the same table.
    """

    id = "score_image_model"
    name = "Score Image Model"
    category = "Model Scoring & Evaluation"

    class Inputs:
        trained_model = In(TrainedImageModel, "Trained model")
        image_directory = In(ImageDirectory, "Image directory")

    class Outputs:
        scored_dataset = Out(Table, "Scored dataset")

    class Params(ParamModel):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        model: FittedImageModel = inputs["trained_model"]
        images: ImageSet = inputs["image_directory"]
        probabilities = predict(model, images, ctx)
        ctx.log(f"scored {len(images.images)} images")
        return {"scored_dataset": scored_table(model, images, probabilities)}

    def infer_schemas(self, inputs: Mapping[str, TableSchema | None], params: Params) -> dict[str, TableSchema | None]:
        return {"scored_dataset": None}  # the probability columns depend on the model's classes


def predict(model: FittedImageModel, images: ImageSet, ctx: RunContext) -> np.ndarray:
    """Class probabilities, one row per image, from the model's numpy weights loaded into its network."""
    import torch

    from modules.estimators.image_nets import build_network, load_numpy

    check_steps(images.transform, "image_directory")
    size = image_size(images, "image_directory", SCORING_SEED)
    if model.image_size and size != list(model.image_size):
        h, w = model.image_size
        raise ModuleError(
            f"the images are {size[1]}x{size[0]} pixels but the model was trained on {w}x{h}; transform them as the "
            "training images (Apply Image Transformation, For inference)",
            port="image_directory",
        )
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net = load_numpy(build_network(model.architecture, model.config, len(model.classes)), model.weights)
    net.to(device).eval()
    rng = np.random.default_rng(SCORING_SEED)
    out = []
    with torch.no_grad():
        for start in range(0, len(images.images), CHUNK):
            ctx.check_cancelled()
            chunk = list(range(start, min(start + CHUNK, len(images.images))))
            x = torch.from_numpy(batch(images, chunk, rng, "image_directory", size)).to(device)
            out.append(torch.softmax(net(x), dim=1).double().cpu().numpy())
            ctx.progress(chunk[-1] / len(images.images), "scoring")
    return np.concatenate(out)


def scored_table(model: FittedImageModel, images: ImageSet, probabilities: np.ndarray) -> DataTable:
    columns: dict[str, Any] = {"Image Path": pd.Series([f.path for f in images.images], dtype="str")}
    labelled = any(f.label is not None for f in images.images)
    if labelled:
        columns["Label"] = pd.Series([f.label for f in images.images], dtype="str")
    picked = probabilities.argmax(axis=1)
    columns[SCORED_LABELS] = pd.Series([model.classes[i] for i in picked], dtype="str")
    for i, name in enumerate(model.classes):
        columns[f'Scored Probabilities for Class "{name}"'] = probabilities[:, i]
    meta: dict[str, Any] = {"task": "multiclass", "score_columns": {"labels": SCORED_LABELS}}
    if labelled:
        meta["label_column"] = "Label"
    return DataTable(pd.DataFrame(columns), meta)
