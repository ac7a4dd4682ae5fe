"""ONNX exports behind the API: a registered model version (stored as its "onnx" format), an endpoint's or
an inference pipeline's graph (handed out as a file). The work is ``designer.engine.onnx_export``'s; this
shell finds the training rows, stores the file and turns refusals into 422s naming the node."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from designer.api import Unprocessable
from designer.artifacts import artifact_store
from designer.engine.execute import load_output
from designer.engine.graph import parse_graph
from designer.engine.onnx_export import ExportRefused, export_model, export_pipeline
from designer.engine.onnx_export.check import CHECK_ROWS
from designer.engine.onnx_export.model import check_model
from designer.engine.store import ArtifactMissing
from designer.registry.formats import record_format
from designer.registry.models import ModelFormat, RegisteredModel
from designer.runs.inputs import run_graph
from designer.runs.models import NodeRun
from modules.sdk import DataTable, FittedModel, default_registry

ONNX = "onnx"
CONTENT_TYPE = "application/octet-stream"


class NotExportable(Unprocessable):
    status_code = 422


def _refused(exc: ExportRefused) -> NotExportable:
    return NotExportable(exc.message, [exc.to_dict()])


@dataclass
class OnnxFile:
    content: bytes
    filename: str
    detail: dict[str, Any]


def filename(name: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name).strip("-.") or "model"
    return f"{safe[:120]}.onnx"


# -- a registered model version -------------------------------------------------------------------------


def training_rows(model: RegisteredModel) -> DataTable:
    """Up to ``CHECK_ROWS`` of the rows the version was trained on: the table its Train Model node read."""
    run = model.run
    if run is None:
        raise NotExportable(
            f"Model '{model.name}' version {model.version} has lost its training run, so the ONNX answers cannot "
            "be checked against Score Model's on the training rows; nothing was exported.",
            [{"field": "run"}],
        )
    edge = run_graph(run).incoming(model.node_id).get("dataset")
    source = run.nodes.filter(node_id=edge.source, status__in=NodeRun.DONE).first() if edge else None
    record = (source.outputs or {}).get(edge.source_port) if source and edge else None
    if record is None:
        raise NotExportable(
            f"The training rows of model '{model.name}' version {model.version} (the input of node "
            f"'{model.node_id}' in run {run.pk}) are not kept, so the ONNX answers cannot be checked.",
            [{"node": model.node_id}],
        )
    try:
        table: DataTable = load_output(artifact_store(), record["type"], record["digest"])
    except ArtifactMissing:
        raise NotExportable("The training rows of this model are gone from the artifact store.") from None
    df = table.df.sample(n=CHECK_ROWS, random_state=0) if len(table.df) > CHECK_ROWS else table.df
    return DataTable(df.reset_index(drop=True), {})


def export_registered_model(model: RegisteredModel, user: Any) -> ModelFormat:
    fitted = load_output(artifact_store(), "trained_model", model.artifact)
    if not isinstance(fitted, FittedModel):
        raise NotExportable(
            f"Model '{model.name}' is an image classifier (ResNet/DenseNet); its ONNX export is not written yet.",
            [{"code": "no_converter", "module": "score_image_model"}],
        )
    rows = training_rows(model)
    what = f"Model '{model.name}' version {model.version} ({fitted.name or fitted.learner})"
    try:
        onx = export_model(fitted, what=what)
        checked = check_model(onx, fitted, rows)
    except ExportRefused as exc:
        raise _refused(exc) from None
    content = onx.SerializeToString()
    detail = {
        "inputs": [{"name": c, "type": t} for c, t in fitted.feature_types.items()],
        "outputs": [o.name for o in onx.graph.output],
        "check": checked.to_json(),
        "opset": [{"domain": o.domain or "ai.onnx", "version": o.version} for o in onx.opset_import],
    }
    return record_format(
        model,
        ONNX,
        content,
        filename=filename(f"{model.name}-v{model.version}"),
        content_type=CONTENT_TYPE,
        detail=detail,
        user=user,
    )


# -- an endpoint or an inference pipeline ----------------------------------------------------------------


def export_document(document: dict[str, Any], name: str) -> OnnxFile:
    """An inference pipeline document as ONNX, checked against Score Model on its Web Service Input's training rows."""
    try:
        exported = export_pipeline(parse_graph(document), default_registry(), artifact_store().get)
    except ExportRefused as exc:
        raise _refused(exc) from None
    except ArtifactMissing as exc:
        raise NotExportable(f"An artifact this pipeline needs is gone ({exc}).") from None
    return OnnxFile(exported.model, filename(name), exported.describe())
