"""Writes for pipelines: every save is a new immutable version; a stale save is refused, never merged.

Format problems (the document is not a pipeline) block a save with 400 and every problem listed.
Semantic problems (unknown module, missing input, bad column...) do not: a half-built pipeline can
be saved, and the problems come back with the saved version for the canvas to show.

Imports are stricter: a file that needs a module (or module version) this server does not have is
refused with every problem listed, since nobody here could fix it on the canvas; other semantic
problems (a parameter out of range, a dataset that is not in this workspace) are saved and listed,
like a save.

One semantic problem blocks every write (create, save, draft, restore, import, clone): a digest of an
artifact that does not belong to the pipeline's workspace (see ``designer.artifacts.checks``).

Every write records one activity event inside its transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError

from designer.activity.services import ObjectType, Verb, record
from designer.api import Conflict, Unprocessable
from designer.artifacts import services as ownership
from designer.artifacts.checks import check_artifacts, refuse_foreign
from designer.artifacts.lookup import WorkspaceArtifactLookup
from designer.components import copying
from designer.components.lookup import WorkspaceComponentLookup
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.compute import compute_problems
from designer.engine.graph import Graph, parse_graph, to_document
from designer.engine.problems import GraphFormatError
from designer.engine.validate import ValidationResult, artifact_refs, validate
from designer.environments.services import adopt_all
from designer.workspaces.models import Workspace
from modules.sdk import default_registry

from . import exchange, selectors
from .models import Pipeline, PipelineVersion

#: Problems that refuse an import: nothing on this server could run or fix such a node.
REFUSED_ON_IMPORT = frozenset({"unknown_module", "unknown_version", "unknown_component"})


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
        **_parameters_payload(version),
    }


def _parameters_payload(version: PipelineVersion) -> dict[str, Any]:
    described = selectors.parameter_schema(version)
    return {"parameters": described["parameters"], "parameters_schema": described["schema"]}


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


@dataclass(frozen=True)
class NewPipeline:
    """A pipeline made from another one or from a file, with what validation found in it."""

    pipeline: Pipeline
    validation: ValidationResult


def parse_document(document: Any) -> Graph:
    """The graph, or 400 listing every format problem with its JSON path."""
    try:
        return parse_graph(document)
    except GraphFormatError as exc:
        raise Unprocessable(
            "The pipeline document is malformed.", problems=[p.to_dict() for p in exc.problems]
        ) from None


def validate_graph(workspace: Workspace, graph: Graph, values: Mapping[str, Any] | None = None) -> ValidationResult:
    """Every semantic problem, plus the table schemas the canvas uses for its column pickers.

    With ``values`` (pipeline parameter values, possibly ``{}``) the graph is checked as a run of it
    would be: values of the wrong type, unknown names and missing required values are problems too; so is a
    node naming a compute target the operator did not declare."""
    result = validate(
        graph,
        default_registry(),
        WorkspaceDatasetLookup(workspace),
        WorkspaceArtifactLookup(workspace),
        values=values,
        components=WorkspaceComponentLookup(workspace),
    )
    computes = {n.id: n.compute for n in graph.nodes.values()}
    result.problems.extend(compute_problems(computes, settings.TESSERA_COMPUTE_TARGETS))
    return result


def validate_for_saving(workspace: Workspace, graph: Graph) -> ValidationResult:
    """``validate_graph``, refusing (400, nothing saved) a document that names another workspace's artifact."""
    validation = validate_graph(workspace, graph)
    refuse_foreign(validation)
    return validation


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["A pipeline needs a name."]})
    return name


def create_pipeline(
    user: Any, workspace: Workspace, name: str, description: str = "", document: Any = None
) -> Pipeline:
    """A new pipeline whose version 1 is ``document`` (an empty canvas when ``None``)."""
    graph = parse_document(empty_document() if document is None else document)
    check_artifacts(workspace.pk, graph)
    return _create(user, workspace, name, description, graph, "Created", Verb.CREATED)


def _create(
    user: Any,
    workspace: Workspace,
    name: str,
    description: str,
    graph: Graph,
    message: str,
    verb: str,
    detail: dict[str, Any] | None = None,
) -> Pipeline:
    name = _clean_name(name)
    with transaction.atomic():
        pipeline = Pipeline.objects.create(
            workspace=workspace, name=name, description=description or "", created_by=user
        )
        PipelineVersion.objects.create(
            pipeline=pipeline, number=1, document=to_document(graph), message=message[:500], author=user
        )
        _record(pipeline, user, verb, version=1, **(detail or {}))
    return pipeline


def _record(pipeline: Pipeline, user: Any, verb: str, **detail: Any) -> None:
    record(
        workspace=pipeline.workspace_id,
        actor=user,
        verb=verb,
        object_type=ObjectType.PIPELINE,
        object_id=pipeline.pk,
        object_name=pipeline.name,
        detail=detail,
    )


# -- clone, export, import ------------------------------------------------------------------------


def clone_pipeline(
    user: Any, source: Pipeline, workspace: Workspace, *, name: str = "", version: int | None = None
) -> NewPipeline:
    """A new pipeline in ``workspace`` whose version 1 is ``source``'s head (or version ``version``).

    Version 1's message says where the copy came from. Dataset references are copied as they are:
    in another workspace they do not resolve, and the validation result says so. Artifacts the copy
    names that belong to the source workspace come along: they belong to the target from now on (the
    caller has checked that the user can read the source, and so its runs' outputs). A digest that
    does not belong to the source either is refused, and nothing is created."""
    versions = PipelineVersion.objects.filter(pipeline=source)
    chosen = versions.order_by("-number").first() if version is None else versions.filter(number=version).first()
    if chosen is None:
        raise NotFound(f"pipeline '{source.name}' has no version {version}")
    document = chosen.document
    title = (name or "").strip() or f"{source.name} (copy)"[:200]
    where = "" if workspace.pk == source.workspace_id else f" in workspace '{source.workspace.name}'"
    message = f"Cloned from '{source.name}' version {chosen.number} (pipeline {source.pk}{where})"
    origin = {"pipeline": source.pk, "name": source.name, "version": chosen.number, "workspace": source.workspace_id}
    with transaction.atomic():  # a refused clone grants nothing (and copies no component)
        if workspace.pk != source.workspace_id:  # the components it uses are copied along (copying.py)
            mapping = copying.install(user, workspace, copying.bundle(document, source.workspace_id))
            document = copying.rewrite(document, mapping)
            adopt_all(user, workspace, document)  # the environments its nodes run in come along too
        graph = parse_document(document)
        digests = {digest for _node, _param, digest in artifact_refs(graph, default_registry())}
        ownership.copy_ownership(source.workspace_id, workspace.pk, digests)
        validation = validate_for_saving(workspace, graph)
        pipeline = _create(user, workspace, title, source.description, graph, message, Verb.CLONED, {"source": origin})
    return NewPipeline(pipeline=pipeline, validation=validation)


def export_pipeline(pipeline: Pipeline, version: int | None = None) -> dict[str, Any]:
    """The export file of the head version (or version ``version``): see ``exchange``."""
    versions = PipelineVersion.objects.filter(pipeline=pipeline)
    chosen = versions.order_by("-number").first() if version is None else versions.filter(number=version).first()
    if chosen is None:
        raise NotFound(f"pipeline '{pipeline.name}' has no version {version}")
    return exchange.export_file(
        name=pipeline.name,
        description=pipeline.description,
        document=chosen.document,
        pipeline_id=pipeline.pk,
        version=chosen.number,
        registry=default_registry(),
        components=copying.bundle(chosen.document, pipeline.workspace_id),
    )


def import_pipeline(user: Any, workspace: Workspace, content: Any, *, name: str = "") -> NewPipeline:
    """A new pipeline from an export file's content (or a bare document), checked by the engine first.

    Refused (400, nothing created) when the file is malformed or needs modules this server lacks;
    otherwise saved, with the remaining problems (parameters, datasets, wiring) in the result."""
    incoming = exchange.read_import(content)
    with transaction.atomic():  # components the file carries are copied in, and removed again on refusal
        return _import(user, workspace, incoming, name)


def _import(user: Any, workspace: Workspace, incoming: exchange.ImportFile, name: str) -> NewPipeline:
    document = incoming.document
    if incoming.components and isinstance(document, dict):
        document = copying.rewrite(document, copying.install(user, workspace, incoming.components))
    graph = parse_document(document)
    validation = validate_graph(workspace, graph)
    blocking = [p for p in validation.problems if p.code in REFUSED_ON_IMPORT]
    if blocking:
        n = len(blocking)
        things = f"module{'s' if n != 1 else ''} or module version{'s' if n != 1 else ''}"
        if any(p.code == "unknown_component" for p in blocking):
            things += " or component versions"
        raise Unprocessable(
            f"The file uses {n} {things} that this server does not have; nothing was imported.",
            problems=[p.to_dict() for p in validation.problems],
        )
    refuse_foreign(validation)  # a file proves nothing about where its digests came from: clone instead
    adopt_all(user, workspace, document)  # the environments its nodes run in, carried in their parameters
    title = (name or "").strip() or incoming.name or "Imported pipeline"
    message = "Imported from a file"
    if incoming.name:
        message += f": '{incoming.name}'"
    if "version" in incoming.source:
        message += f" version {incoming.source['version']}"
    if incoming.exported_at:
        message += f", exported {incoming.exported_at}"
    detail = {"problems": len(validation.problems)}
    pipeline = _create(user, workspace, title[:200], incoming.description, graph, message, Verb.IMPORTED, detail)
    return NewPipeline(pipeline=pipeline, validation=validation)


def save_version(
    user: Any, pipeline: Pipeline, document: Any, message: str = "", base_version: int | None = None
) -> SavedVersion:
    """Saves ``document`` as the next version; 409 when ``base_version`` is given and is not the head."""
    graph = parse_document(document)
    validation = validate_for_saving(pipeline.workspace, graph)
    version = _append_version(user, pipeline, graph, message, base_version, verb=Verb.SAVED)
    return SavedVersion(version=version, validation=validation)


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
    validation = validate_for_saving(pipeline.workspace, graph)  # it may predate the artifact check
    version = _append_version(
        user,
        pipeline,
        graph,
        message or f"Restored version {number}",
        base_version,
        restored_from=number,
        verb=Verb.RESTORED,
    )
    return SavedVersion(version=version, validation=validation)


def _append_version(
    user: Any,
    pipeline: Pipeline,
    graph: Graph,
    message: str,
    base_version: int | None,
    restored_from: int | None = None,
    *,
    verb: str,
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
        detail = {"version": version.number} | ({"restored_from": restored_from} if restored_from else {})
        _record(locked, user, verb, **detail)
    pipeline.refresh_from_db()
    return version


def save_draft(user: Any, pipeline: Pipeline, document: Any, base_version: int | None = None) -> Pipeline:
    """Autosave of the canvas: no conflict check, but the document must still be a pipeline, naming only
    artifacts of its workspace."""
    graph = parse_document(document)
    check_artifacts(pipeline.workspace_id, graph)
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


def delete_pipeline(pipeline: Pipeline, user: Any = None) -> None:
    pipeline_id = pipeline.pk
    try:
        with transaction.atomic():
            pipeline.delete()
            record(
                workspace=pipeline.workspace_id,
                actor=user,
                verb=Verb.DELETED,
                object_type=ObjectType.PIPELINE,
                object_id=pipeline_id,
                object_name=pipeline.name,
            )
    except ProtectedError:
        raise Conflict(
            f"Pipeline '{pipeline.name}' cannot be deleted while records still point at its versions."
        ) from None
