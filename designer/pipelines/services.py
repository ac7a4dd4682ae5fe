"""Writes for pipelines: every save is a new immutable version; a stale save is refused, never merged.

Format problems (the document is not a pipeline) block a save with 400 and every problem listed.
Semantic problems (unknown module, missing input, bad column...) do not: a half-built pipeline can
be saved, and the problems come back with the saved version for the canvas to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError

from designer.api import Conflict, Unprocessable
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.graph import Graph, parse_graph, to_document
from designer.engine.problems import GraphFormatError
from designer.engine.validate import ValidationResult, validate
from designer.workspaces.models import Workspace
from modules.sdk import default_registry

from .models import Pipeline, PipelineVersion


def empty_document() -> dict[str, Any]:
    return {"schema_version": 1, "nodes": [], "edges": [], "parameters": {}, "layout": {}}


def version_payload(version: PipelineVersion) -> dict[str, Any]:
    """A version as JSON, for the 409 body (same fields as the API's version serializer)."""
    return {
        "pipeline": version.pipeline_id,
        "number": version.number,
        "document": version.document,
        "message": version.message,
        "author": version.author.username if version.author else None,
        "created_at": version.created_at.isoformat().replace("+00:00", "Z"),
        "base_number": version.base_number,
        "restored_from": version.restored_from,
    }


class StaleBaseVersion(Conflict):
    """The save was based on an older version than the head: 409 with the head attached."""

    def __init__(self, base: int, current: PipelineVersion) -> None:
        by = f" by {current.author.username}" if current.author else ""
        message = (
            f"You edited version {base}, but version {current.number} was saved{by} since. "
            "Reload the pipeline (the current version is attached), reapply your changes and save again."
        )
        super().__init__(message)
        self.current = current
        # Set after __init__ so numbers in the document stay numbers (DRF would stringify them).
        self.detail = {"detail": ErrorDetail(message, code="conflict"), "current_version": version_payload(current)}


@dataclass(frozen=True)
class SavedVersion:
    version: PipelineVersion
    validation: ValidationResult


def parse_document(document: Any) -> Graph:
    """The graph, or 400 listing every format problem with its JSON path."""
    try:
        return parse_graph(document)
    except GraphFormatError as exc:
        raise Unprocessable(
            "The pipeline document is malformed.", problems=[p.to_dict() for p in exc.problems]
        ) from None


def validate_graph(workspace: Workspace, graph: Graph) -> ValidationResult:
    """Every semantic problem, plus the table schemas the canvas uses for its column pickers."""
    return validate(graph, default_registry(), WorkspaceDatasetLookup(workspace))


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["A pipeline needs a name."]})
    return name


def create_pipeline(
    user: Any, workspace: Workspace, name: str, description: str = "", document: Any = None
) -> Pipeline:
    """A new pipeline whose version 1 is ``document`` (an empty canvas when ``None``)."""
    name = _clean_name(name)
    graph = parse_document(empty_document() if document is None else document)
    with transaction.atomic():
        pipeline = Pipeline.objects.create(
            workspace=workspace, name=name, description=description or "", created_by=user
        )
        PipelineVersion.objects.create(
            pipeline=pipeline, number=1, document=to_document(graph), message="Created", author=user
        )
    return pipeline


def save_version(
    user: Any, pipeline: Pipeline, document: Any, message: str = "", base_version: int | None = None
) -> SavedVersion:
    """Saves ``document`` as the next version; 409 when ``base_version`` is given and is not the head."""
    graph = parse_document(document)
    version = _append_version(user, pipeline, graph, message, base_version)
    return SavedVersion(version=version, validation=validate_graph(pipeline.workspace, graph))


def restore_version(
    user: Any, pipeline: Pipeline, number: int, message: str = "", base_version: int | None = None
) -> SavedVersion:
    """Saves version ``number``'s document as the new head: history only grows, nothing is rewritten.

    Like a save, it names the version it was based on (``base_version``, else the head it replaced)
    and is refused with 409 when ``base_version`` is not the head any more."""
    source = PipelineVersion.objects.filter(pipeline=pipeline, number=number).first()
    if source is None:
        raise NotFound(f"pipeline '{pipeline.name}' has no version {number}")
    graph = parse_document(source.document)  # upgrades a document saved by an older Tessera
    version = _append_version(
        user, pipeline, graph, message or f"Restored version {number}", base_version, restored_from=number
    )
    return SavedVersion(version=version, validation=validate_graph(pipeline.workspace, graph))


def _append_version(
    user: Any,
    pipeline: Pipeline,
    graph: Graph,
    message: str,
    base_version: int | None,
    restored_from: int | None = None,
) -> PipelineVersion:
    with transaction.atomic():
        locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)  # one save at a time
        head = PipelineVersion.objects.filter(pipeline=locked).select_related("author").order_by("-number").first()
        head_number = head.number if head else 0
        if base_version is not None and head is not None and base_version != head_number:
            raise StaleBaseVersion(base_version, head)
        if base_version is None and restored_from is not None and head is not None:
            base_version = head_number  # a restore always replaces the head it saw
        version = PipelineVersion.objects.create(
            pipeline=locked,
            number=head_number + 1,
            document=to_document(graph),
            message=message or "",
            author=user,
            base_number=base_version,
            restored_from=restored_from,
        )
        fields = ["updated_at"]
        if locked.draft is not None and locked.draft_updated_by_id == getattr(user, "pk", None):
            # The author's own autosave is now saved (or replaced by a restore); a teammate's draft is
            # kept (it is now stale).
            locked.draft, locked.draft_updated_at, locked.draft_base_version = None, None, None
            locked.draft_updated_by = None
            fields += ["draft", "draft_updated_at", "draft_base_version", "draft_updated_by"]
        locked.save(update_fields=fields)
    pipeline.refresh_from_db()
    return version


def save_draft(user: Any, pipeline: Pipeline, document: Any, base_version: int | None = None) -> Pipeline:
    """Autosave of the canvas: no conflict check, but the document must still be a pipeline."""
    graph = parse_document(document)
    if base_version is None:
        base_version = PipelineVersion.objects.filter(pipeline=pipeline).aggregate(n=Max("number"))["n"]
    pipeline.draft = to_document(graph)
    pipeline.draft_base_version = base_version
    pipeline.draft_updated_at = timezone.now()
    pipeline.draft_updated_by = user
    pipeline.save(update_fields=["draft", "draft_base_version", "draft_updated_at", "draft_updated_by"])
    return pipeline


def discard_draft(pipeline: Pipeline) -> Pipeline:
    pipeline.draft, pipeline.draft_base_version, pipeline.draft_updated_at, pipeline.draft_updated_by = (
        None,
        None,
        None,
        None,
    )
    pipeline.save(update_fields=["draft", "draft_base_version", "draft_updated_at", "draft_updated_by"])
    return pipeline


def update_pipeline(pipeline: Pipeline, *, name: str | None = None, description: str | None = None) -> Pipeline:
    fields = ["updated_at"]
    if name is not None:
        pipeline.name = _clean_name(name)
        fields.append("name")
    if description is not None:
        pipeline.description = description
        fields.append("description")
    pipeline.save(update_fields=fields)
    return pipeline


def delete_pipeline(pipeline: Pipeline) -> None:
    try:
        with transaction.atomic():
            pipeline.delete()
    except ProtectedError:
        raise Conflict(
            f"Pipeline '{pipeline.name}' cannot be deleted while records still point at its versions."
        ) from None
