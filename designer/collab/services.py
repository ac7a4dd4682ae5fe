"""Applying edit ops to a pipeline's shared draft, one at a time under a row lock, in sequence order."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from designer.artifacts.lookup import WorkspaceArtifactLookup
from designer.engine.graph import parse_graph
from designer.engine.ops import OpError, apply_op, touched
from designer.engine.problems import GraphFormatError
from designer.engine.validate import artifact_problems
from designer.pipelines.models import Pipeline
from designer.workspaces.permissions import Role, role_of
from modules.sdk import default_registry

from .models import EditLog

COLOURS = ("#d9480f", "#1971c2", "#2f9e44", "#9c36b5", "#e67700", "#0c8599", "#c2255c", "#5f3dc4")


class EditRefused(Exception):
    pass


def colour_of(user: Any) -> str:
    return COLOURS[int(user.pk) % len(COLOURS)]


def person(user: Any) -> dict[str, Any]:
    return {"id": user.pk, "username": user.get_username(), "colour": colour_of(user)}


def _working_copy(pipeline: Pipeline) -> tuple[dict[str, Any], int | None]:
    head = pipeline.versions.order_by("-number").first()
    if pipeline.draft is not None:
        return pipeline.draft, pipeline.draft_base_version
    return (head.document if head else {"schema_version": 1, "nodes": [], "edges": []}), (head.number if head else None)


def last_seq(pipeline_id: int) -> int:
    return int(EditLog.objects.filter(pipeline_id=pipeline_id).aggregate(s=Max("seq"))["s"] or 0)


def snapshot(pipeline: Pipeline) -> dict[str, Any]:
    document, base = _working_copy(pipeline)
    return {"seq": last_seq(pipeline.pk), "document": document, "base_version": base}


def apply_edit(user: Any, pipeline_id: int, op: Any) -> dict[str, Any]:
    """Apply ``op`` to the shared draft and number it; ``EditRefused`` says why when it cannot be."""
    with transaction.atomic():
        pipeline = Pipeline.objects.select_for_update().filter(pk=pipeline_id).first()
        if pipeline is None:
            raise EditRefused("The pipeline was deleted.")
        role = role_of(user, pipeline.workspace_id)
        if role is None or role < Role.EDITOR:
            raise EditRefused("Only editors and owners can change this pipeline; you can watch.")
        document, base = _working_copy(pipeline)
        try:
            changed = apply_op(document, op)
        except OpError as exc:
            raise EditRefused(str(exc)) from None
        _refuse_foreign_artifacts(pipeline, changed)
        seq = last_seq(pipeline.pk) + 1
        EditLog.objects.create(pipeline=pipeline, seq=seq, op=op, author=user)
        pipeline.draft = changed
        pipeline.draft_base_version = base
        pipeline.draft_updated_at = timezone.now()
        pipeline.draft_updated_by = user
        pipeline.save(update_fields=["draft", "draft_base_version", "draft_updated_at", "draft_updated_by"])
    return {"seq": seq, "op": op, "author": person(user), "touches": list(touched(op))}


def _refuse_foreign_artifacts(pipeline: Pipeline, document: dict[str, Any]) -> None:
    """The shared draft names only artifacts of the pipeline's workspace, as a saved version does."""
    try:
        graph = parse_graph(document)
    except GraphFormatError:
        return  # not a pipeline (yet): nothing is saved or run from it until it is, and saving checks it then
    problems = artifact_problems(graph, default_registry(), WorkspaceArtifactLookup(pipeline.workspace_id))
    if problems:
        raise EditRefused(problems[0].message)


def edits_after(pipeline_id: int, after: int, limit: int = 1000) -> list[dict[str, Any]]:
    rows = EditLog.objects.filter(pipeline_id=pipeline_id, seq__gt=after).select_related("author").order_by("seq")
    return [
        {
            "seq": e.seq,
            "op": e.op,
            "author": person(e.author) if e.author else None,
            "touches": list(touched(e.op)),
        }
        for e in rows[:limit]
    ]
