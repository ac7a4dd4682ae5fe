"""Writes for published pipelines. Schedules, data triggers, retraining and REST callers all start runs
through ``start_run``, which records on the run why it ran and with which values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from designer.activity import services as activity
from designer.api import Unprocessable
from designer.runs import services as runs
from designer.runs.models import Run

from .models import PipelineEndpoint, PublishedRun, PublishedVersion


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
    """Submit a run of a published version with ``values``; the run records the endpoint, the version,
    the kind of trigger and ``detail`` (which schedule tick, which dataset version, which alarm)."""
    published = published_version(endpoint, number)
    trigger = {"kind": kind, "endpoint": endpoint.pk, "endpoint_name": endpoint.name, "version": published.number}
    trigger |= dict(detail or {})
    with transaction.atomic():
        run = runs.submit_run(
            user=user if getattr(user, "is_authenticated", False) else None,
            pipeline=endpoint.pipeline,
            version=published.version,
            values=values,
            trigger=trigger,
        )
        PublishedRun.objects.create(endpoint=endpoint, run=run, number=published.number, kind=kind)
        activity.record(
            workspace=endpoint.workspace_id,
            actor=user if getattr(user, "is_authenticated", False) else None,
            verb="triggered",
            object_type="pipeline_endpoint",
            object_id=endpoint.pk,
            object_name=endpoint.name,
            detail={"run": run.pk, "kind": kind, "version": published.number},
        )
    return run
