"""Writes for the model registry: each registration of a name is its next version."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from designer.activity import services as activity
from designer.api import Conflict, Unprocessable
from designer.artifacts import artifact_store
from designer.artifacts import services as ownership
from designer.engine.execute import load_output
from designer.runs.models import NodeRun, Run
from modules.sdk import FittedModel, TrainedModel
from modules.sdk.ports import TrainedImageModel
from modules.sdk.values import FittedImageModel

from .models import RegisteredModel


def register_model(
    user: Any,
    run: Run,
    node_id: str,
    name: str,
    *,
    port: str = "",
    tags: dict[str, str] | None = None,
    description: str = "",
) -> RegisteredModel:
    node = run.nodes.filter(node_id=node_id).first()
    if node is None:
        raise Unprocessable(f"Run {run.pk} has no node '{node_id}'.", [{"field": "node"}])
    if node.status not in NodeRun.DONE:
        raise Unprocessable(
            f"Node '{node_id}' of run {run.pk} is {node.status}; it has no trained model.", [{"field": "node"}]
        )
    kinds = (TrainedModel.name, TrainedImageModel.name)
    models = {p: r for p, r in (node.outputs or {}).items() if r.get("type") in kinds}
    if port:
        models = {p: r for p, r in models.items() if p == port}
    if len(models) != 1:
        raise Unprocessable(
            f"Node '{node_id}' ({node.module_name}) has no trained-model output to register.", [{"field": "node"}]
        )
    record = next(iter(models.values()))
    model: FittedModel | FittedImageModel = load_output(artifact_store(), record["type"], record["digest"])
    if isinstance(model, FittedImageModel):  # a ResNet/DenseNet classifier: no label column, its classes
        task, label, classes = "multiclass", "", [str(c) for c in model.classes]
    else:
        task, label, classes = model.task, model.label_column, [str(c) for c in model.classes]
    for _attempt in range(3):
        latest = RegisteredModel.objects.filter(workspace=run.workspace, name=name).aggregate(v=Max("version"))["v"]
        try:
            with transaction.atomic():
                registered = RegisteredModel.objects.create(
                    workspace=run.workspace,
                    name=name,
                    version=(latest or 0) + 1,
                    description=description,
                    tags=tags or {},
                    run=run,
                    node_id=node_id,
                    artifact=record["digest"],
                    task=task,
                    label_column=label,
                    classes=classes,
                    created_by=user if getattr(user, "is_authenticated", False) else None,
                )
                ownership.grant(run.workspace_id, [record["digest"]], ownership.Source.MODEL)
                return registered
        except IntegrityError:
            continue  # another registration took that version number; count again
    raise Conflict(f"Model '{name}' is being registered concurrently; try again.")


def endpoints_using(model: RegisteredModel) -> list[str]:
    from designer.endpoints.models import Endpoint

    live = Endpoint.objects.filter(status=Endpoint.Status.LIVE).values_list("name", "artifacts")
    return sorted(name for name, artifacts in live if model.artifact in (artifacts or []))


def delete_model(model: RegisteredModel, user: Any = None) -> None:
    """Deletes one registered version (the artifact stays: content-addressed, maybe a run's output);
    ``user`` is who deleted it (for the activity feed)."""
    users = endpoints_using(model)
    if users:
        raise Conflict(
            f"Model '{model.name}' version {model.version} is served by the live endpoint(s) {', '.join(users)}; "
            "delete or redeploy them first."
        )
    model_id = model.pk
    with transaction.atomic():
        model.delete()
        activity.record(
            workspace=model.workspace_id,
            actor=user,
            verb="deleted",
            object_type="model",
            object_id=model_id,
            object_name=model.name,
            detail={"version": model.version},
        )
