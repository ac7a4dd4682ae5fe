"""Writes for published pipelines. Schedules, data triggers, retraining and REST callers all start runs
through ``start_run``, which records on the run why it ran and with which values.

Publishing, the default version, unpublishing, keys and deleting are recorded in the workspace's
activity feed (a key's value never is). Deleting an endpoint keeps the runs it started: only the
``PublishedRun`` links go with it, and each run's ``trigger`` still names the endpoint.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from designer.activity import services as activity
from designer.api import Conflict, Unprocessable
from designer.artifacts.lookup import WorkspaceArtifactLookup
from designer.components.lookup import WorkspaceComponentLookup
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.parameters import declarations
from designer.engine.validate import validate
from designer.pipelines.mapper import graph_of
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.runs import services as runs
from designer.runs.models import Run
from designer.workspaces.models import Workspace
from modules.sdk import default_registry

from .models import PipelineEndpoint, PublishedRun, PublishedVersion
from .overrides import Upload, check_dataset_values, store_uploads

KEYS = ("primary", "secondary")


def new_key() -> str:
    return secrets.token_urlsafe(32)


def _actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _record(endpoint: PipelineEndpoint, user: Any, verb: str, detail: dict[str, Any]) -> None:
    """The activity feed's record of something done to ``endpoint`` (by ``user``; none for beat and triggers)."""
    activity.record(
        workspace=endpoint.workspace_id,
        actor=_actor(user),
        verb=verb,
        object_type="pipeline_endpoint",
        object_id=endpoint.pk,
        object_name=endpoint.name,
        detail=detail,
    )


# -- runs ---------------------------------------------------------------------------------------


def published_version(endpoint: PipelineEndpoint, number: int | None = None) -> PublishedVersion:
    """The version ``number`` of ``endpoint`` (its default when ``None``), or a 400 naming the field."""
    wanted = endpoint.default_version if number is None else number
    found = endpoint.versions.select_related("version").filter(number=wanted).first()
    if found is None:
        listed = ", ".join(str(n) for n in endpoint.versions.values_list("number", flat=True)) or "none"
        raise Unprocessable(
            f"Pipeline endpoint '{endpoint.name}' does not publish version {wanted} (published: {listed}).",
            [{"field": "version"}],
        )
    return found


def start_run(
    endpoint: PipelineEndpoint,
    *,
    kind: str,
    values: Mapping[str, Any] | None = None,
    number: int | None = None,
    user: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> Run:
    """Submit a run of a published version with ``values`` (over the version's stored defaults); the run
    records the endpoint, the version, the kind of trigger and ``detail`` (which schedule tick, which
    dataset version, which alarm)."""
    published = published_version(endpoint, number)
    trigger = {"kind": kind, "endpoint": endpoint.pk, "endpoint_name": endpoint.name, "version": published.number}
    trigger |= dict(detail or {})
    merged = {**(published.defaults or {}), **dict(values or {})}
    check_dataset_values(endpoint.workspace, graph_of(published.version), merged)
    with transaction.atomic():
        run = runs.submit_run(
            user=_actor(user),
            pipeline=endpoint.pipeline,
            version=published.version,
            values=merged,
            trigger=trigger,
        )
        PublishedRun.objects.create(endpoint=endpoint, run=run, number=published.number, kind=kind)
        _record(endpoint, user, "triggered", {"run": run.pk, "kind": kind, "version": published.number})
    return run


def trigger(
    endpoint: PipelineEndpoint,
    *,
    kind: str,
    values: Mapping[str, Any] | None = None,
    uploads: Mapping[str, Upload] | None = None,
    number: int | None = None,
    user: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> Run:
    """``start_run`` with uploaded files for dataset parameters: each becomes a new version of the
    endpoint's dataset for that parameter, and the run reads it. One transaction: a refused value, file
    or run leaves no dataset version and no run behind."""
    if not uploads:
        return start_run(endpoint, kind=kind, values=values, number=number, user=user, detail=detail)
    published = published_version(endpoint, number)
    given = dict(values or {})
    both = sorted(set(given) & set(uploads))
    if both:
        raise Unprocessable(
            f"Pipeline parameter '{both[0]}' was given both a value and a file; send one of them.",
            [{"field": f"parameters.{both[0]}"}],
        )
    with transaction.atomic():
        PipelineEndpoint.objects.select_for_update().filter(pk=endpoint.pk).first()  # one first upload at a time
        stored = store_uploads(endpoint, published, uploads, _actor(user))
        return start_run(
            endpoint,
            kind=kind,
            values={**given, **stored},
            number=published.number,
            user=user,
            detail={**dict(detail or {}), "uploads": sorted(stored)},
        )


# -- publishing ---------------------------------------------------------------------------------


def _checked_defaults(workspace: Workspace, version: PipelineVersion, defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``defaults`` if every value fits its parameter and the version runs with them, else a 400 that
    names each fault (``defaults.<name>`` for a value, the node and field for the rest). Parameters
    with no value at all are the callers' to give, so they are no fault here."""
    graph = graph_of(version)
    declared, _ = declarations(graph)
    values = dict(defaults)
    check_dataset_values(workspace, graph, values, field="defaults")
    result = validate(
        graph,
        default_registry(),
        WorkspaceDatasetLookup(workspace),
        WorkspaceArtifactLookup(workspace),
        values=values,
        components=WorkspaceComponentLookup(workspace),
    )
    problems = [p.to_dict() for p in result.problems if p.code != "missing_parameter_value"]
    for p in problems:  # name what the caller sent: the default they gave, not the pipeline's declaration
        path = p.get("path") or ""
        head, _, name = path.partition(".")
        if head == "values" or (head == "parameters" and name in values):
            p["path"] = f"defaults.{name}"
    if problems:
        n = len(problems)
        raise Unprocessable(
            f"Version {version.number} of '{version.pipeline.name}' cannot be published: "
            f"{n} problem{'s' if n != 1 else ''} to fix.",
            problems,
        )
    return {name: values[name] for name in declared if name in values}


def _pipeline_version(pipeline: Pipeline, number: int | None) -> PipelineVersion:
    versions = pipeline.versions.order_by("-number")
    found = versions.first() if number is None else versions.filter(number=number).first()
    if found is None:
        message = (
            f"Pipeline '{pipeline.name}' has no version {number}." if number else "The pipeline has no saved version."
        )
        raise Unprocessable(message, [{"field": "version"}])
    return found


def _add_version(
    endpoint: PipelineEndpoint, version: PipelineVersion, defaults: dict[str, Any], from_run: Run | None, user: Any
) -> PublishedVersion:
    latest = endpoint.versions.aggregate(n=Max("number"))["n"] or 0
    return PublishedVersion.objects.create(
        endpoint=endpoint,
        version=version,
        number=latest + 1,
        defaults=defaults,
        from_run=from_run,
        published_by=_actor(user),
    )


def create_endpoint(
    *,
    workspace: Workspace,
    user: Any,
    name: str,
    pipeline: Pipeline,
    version: int | None = None,
    description: str = "",
    defaults: Mapping[str, Any] | None = None,
    from_run: Run | None = None,
) -> PipelineEndpoint:
    """A new pipeline endpoint whose version 1 (its default) is ``version`` of ``pipeline`` (the newest
    when ``None``), with ``defaults`` over the document's parameter defaults."""
    if pipeline.workspace_id != workspace.pk:
        raise Unprocessable("The pipeline belongs to another workspace.", [{"field": "pipeline"}])
    chosen = _pipeline_version(pipeline, version)
    checked = _checked_defaults(workspace, chosen, defaults or {})
    try:
        with transaction.atomic():
            endpoint = PipelineEndpoint.objects.create(
                workspace=workspace,
                name=name,
                description=description,
                pipeline=pipeline,
                default_version=1,
                primary_key=new_key(),
                secondary_key=new_key(),
                created_by=_actor(user),
            )
            _add_version(endpoint, chosen, checked, from_run, user)
            activity.record(
                workspace=workspace,
                actor=_actor(user),
                verb="published",
                object_type="pipeline_endpoint",
                object_id=endpoint.pk,
                object_name=name,
                detail=_published_detail(1, chosen, from_run) | {"pipeline": pipeline.pk},
            )
    except IntegrityError:
        raise Conflict(f"A pipeline endpoint named '{name}' already exists; choose another name.") from None
    return endpoint


def _published_detail(number: int, version: PipelineVersion, from_run: Run | None) -> dict[str, Any]:
    detail: dict[str, Any] = {"version": number, "pipeline_version": version.number}
    if from_run is not None:
        detail["from_run"] = from_run.pk
    return detail


def publish_version(
    endpoint: PipelineEndpoint,
    *,
    user: Any,
    version: int | None = None,
    defaults: Mapping[str, Any] | None = None,
    from_run: Run | None = None,
    make_default: bool = False,
) -> PublishedVersion:
    """Publish ``version`` of the endpoint's pipeline (the newest when ``None``) as the endpoint's next version."""
    chosen = _pipeline_version(endpoint.pipeline, version)
    checked = _checked_defaults(endpoint.workspace, chosen, defaults or {})
    with transaction.atomic():
        locked = PipelineEndpoint.objects.select_for_update().get(pk=endpoint.pk)  # serialize the numbering
        published = _add_version(locked, chosen, checked, from_run, user)
        detail = _published_detail(published.number, chosen, from_run)
        if make_default:
            locked.default_version = published.number
            locked.save(update_fields=["default_version", "updated_at"])
            detail["default"] = True
        _record(locked, user, "published", detail)
    endpoint.refresh_from_db()
    return published


def update_endpoint(
    endpoint: PipelineEndpoint, *, user: Any = None, description: str | None = None, default_version: int | None = None
) -> PipelineEndpoint:
    """Change the description, or which published version callers get when they name none."""
    changed: dict[str, Any] = {}
    if default_version is not None and default_version != endpoint.default_version:
        published_version(endpoint, default_version)  # 400 naming the field when it is not published
        endpoint.default_version = default_version
        changed["default_version"] = default_version
    if description is not None and description != endpoint.description:
        endpoint.description = description
        changed["description"] = True
    if not changed:
        return endpoint
    with transaction.atomic():
        endpoint.save(update_fields=["default_version", "description", "updated_at"])
        _record(endpoint, user, "updated", changed)
    return endpoint


def unpublish_version(endpoint: PipelineEndpoint, number: int, user: Any = None) -> None:
    """Withdraw a published version that never ran and is not the default: its number is not reused."""
    published = published_version(endpoint, number)
    if number == endpoint.default_version:
        raise Conflict(
            f"Version {number} is the default version of '{endpoint.name}'; make another one the default first."
        )
    runs_of = PublishedRun.objects.filter(endpoint=endpoint, number=number).count()
    if runs_of:
        raise Conflict(
            f"Version {number} of '{endpoint.name}' has {runs_of} run{'s' if runs_of != 1 else ''}; "
            "a version that ran stays published, so its runs keep saying what they ran."
        )
    with transaction.atomic():
        published.delete()
        _record(endpoint, user, "updated", {"unpublished_version": number})


def regenerate_key(endpoint: PipelineEndpoint, which: str, user: Any = None) -> PipelineEndpoint:
    """Replaces one key; the feed records who and which key, never the key itself."""
    if which not in KEYS:
        raise ValueError(f"unknown endpoint key {which!r}")
    with transaction.atomic():
        setattr(endpoint, f"{which}_key", new_key())
        endpoint.save(update_fields=[f"{which}_key", "updated_at"])
        _record(endpoint, user, "key_regenerated", {"key": which})
    return endpoint


def delete_endpoint(endpoint: PipelineEndpoint, user: Any = None) -> None:
    """Deletes the endpoint, its published versions, keys and run links (and whatever schedules or
    triggers hang on it). The runs it started stay, with their trigger naming the endpoint."""
    endpoint_id = endpoint.pk
    started = endpoint.runs.count()
    with transaction.atomic():
        endpoint.delete()
        activity.record(
            workspace=endpoint.workspace_id,
            actor=_actor(user),
            verb="deleted",
            object_type="pipeline_endpoint",
            object_id=endpoint_id,
            object_name=endpoint.name,
            detail={"runs_kept": started},
        )
