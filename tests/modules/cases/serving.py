"""Contract cases for the modules of real-time inference pipelines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modules.library.web_service.web_service_image_input import encode_image
from modules.sdk import DataTable, Table, TrainedModel, Transformation
from modules.sdk.ports import ImageTransformation, TrainedImageModel
from tests.support.zips import zip_of

from ._helpers import Case, _dataset, _no_inputs, _scoring
from .computer_vision import shapes, trained

COLUMNS = [{"name": "age", "type": "integer"}, {"name": "hours", "type": "number"}, {"name": "job", "type": "string"}]
EXAMPLE = [{"age": 39, "hours": 40.0, "job": "clerk"}, {"age": None, "hours": 12.5, "job": None}]


def _transformation(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    fitted = run("normalize_data", {"dataset": table}, transformation_method="MinMax")
    return {"transformation": fitted["transformation"], "dataset": DataTable(table.df.drop(columns=["income"]))}


MODEL_DIGEST = "0" * 64
TRANSFORM_DIGEST = "1" * 64


def _stored_model(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    model = _scoring(table, run)["trained_model"]
    run.ctx.artifacts[MODEL_DIGEST] = TrainedModel.serialize(model)  # type: ignore[attr-defined]
    return {}


def _stored_transformation(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    fitted = _transformation(table, run)["transformation"]
    run.ctx.artifacts[TRANSFORM_DIGEST] = Transformation.serialize(fitted)  # type: ignore[attr-defined]
    return {}


IMAGE_MODEL_DIGEST = "2" * 64
IMAGE_TRANSFORM_DIGEST = "3" * 64
IMAGE_EXAMPLE = [{"image": encode_image(f.data)} for f in shapes(1).images]


def _stored_image_model(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    run.ctx.artifacts[IMAGE_MODEL_DIGEST] = TrainedImageModel.serialize(trained(run))  # type: ignore[attr-defined]
    return {}


def _stored_image_transformation(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    steps = run("init_image_transformation", {}, size=16, crop_size=12)["image_transformation"]
    run.ctx.artifacts[IMAGE_TRANSFORM_DIGEST] = ImageTransformation.serialize(steps)  # type: ignore[attr-defined]
    return {}


FILES_DIGEST = "4" * 64
TABLE_DIGEST = "5" * 64


def _stored_files(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    run.ctx.artifacts[FILES_DIGEST] = zip_of({"helpers.py": "ANSWER = 42\n"})  # type: ignore[attr-defined]
    return {}


def _stored_table(table: DataTable, run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    run.ctx.artifacts[TABLE_DIGEST] = Table.serialize(table)  # type: ignore[attr-defined]
    return {}


CASES: dict[str, Case] = {
    "web_service_input": Case(_no_inputs, {"columns": COLUMNS, "example": EXAMPLE}),
    "web_service_output": Case(_dataset, {}),
    "apply_transformation": Case(_transformation, {"absent_columns": ["income"]}),
    "saved_trained_model": Case(_stored_model, {"artifact": MODEL_DIGEST}),
    "saved_transformation": Case(_stored_transformation, {"artifact": TRANSFORM_DIGEST}),
    "web_service_image_input": Case(_no_inputs, {"example": IMAGE_EXAMPLE}),
    "saved_image_model": Case(_stored_image_model, {"artifact": IMAGE_MODEL_DIGEST}),
    "saved_image_transformation": Case(_stored_image_transformation, {"artifact": IMAGE_TRANSFORM_DIGEST}),
    "saved_files": Case(_stored_files, {"artifact": FILES_DIGEST}),
    "saved_dataset": Case(_stored_table, {"artifact": TABLE_DIGEST}),
}
