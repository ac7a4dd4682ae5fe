"""Reads for pipelines and their versions."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework.exceptions import NotFound

from designer.engine.diff import diff, to_json
from designer.engine.parameter_schema import describe_parameters, values_json_schema
from modules.sdk import default_registry

from .mapper import graph_of
from .models import Pipeline, PipelineVersion


def with_head(queryset: models.QuerySet[Pipeline]) -> models.QuerySet[Pipeline]:
    """Annotates each pipeline with ``head_number``, its newest version number."""
    head = PipelineVersion.objects.filter(pipeline=models.OuterRef("pk")).order_by("-number").values("number")[:1]
    return queryset.select_related("created_by").annotate(head_number=models.Subquery(head))


def pipeline_detail(pipeline: Pipeline) -> Pipeline:
    """The pipeline annotated with ``head_number`` and carrying its head version as ``head``."""
    annotated = with_head(Pipeline.objects.filter(pk=pipeline.pk)).get()
    annotated.head = head_of(annotated)
    return annotated


def head_of(pipeline: Pipeline) -> PipelineVersion:
    head = versions_of(pipeline).order_by("-number").first()
    if head is None:  # create_pipeline always writes version 1; this guards hand-made rows
        raise NotFound(f"pipeline '{pipeline.name}' has no saved version")
    return head


def versions_of(pipeline: Pipeline) -> models.QuerySet[PipelineVersion]:
    """Newest first: the history panel shows the latest save on top."""
    return PipelineVersion.objects.filter(pipeline=pipeline).select_related("author").order_by("-number")


def version_of(pipeline: Pipeline, number: int) -> PipelineVersion:
    version = versions_of(pipeline).filter(number=number).first()
    if version is None:
        raise NotFound(f"pipeline '{pipeline.name}' has no version {number}")
    return version


def draft_of(pipeline: Pipeline) -> dict[str, Any]:
    """The autosaved draft, or the head version when there are no unsaved changes."""
    if pipeline.draft is not None:
        return {
            "document": pipeline.draft,
            "base_version": pipeline.draft_base_version,
            "updated_at": pipeline.draft_updated_at,
            "updated_by": pipeline.draft_updated_by.username if pipeline.draft_updated_by else None,
            "unsaved": True,
        }
    head = head_of(pipeline)
    return {
        "document": head.document,
        "base_version": head.number,
        "updated_at": None,
        "updated_by": None,
        "unsaved": False,
    }


def version_diff(pipeline: Pipeline, from_number: int, to_number: int | None = None) -> dict[str, Any]:
    """What changed from one saved version to another (default: to the head), as the diff's JSON form."""
    old = version_of(pipeline, from_number)
    new = head_of(pipeline) if to_number is None else version_of(pipeline, to_number)
    return {
        "pipeline": pipeline.pk,
        "from_version": old.number,
        "to_version": new.number,
        "diff": to_json(diff(graph_of(old), graph_of(new))),
    }


def parameter_schema(version: PipelineVersion) -> dict[str, Any]:
    """The pipeline parameters of a saved version, for forms, the API and published pipelines' OpenAPI::

    {"parameters": [{"name", "type", "required", "default"?, "description",
                     "bindings": [{"node", "field", "module", "module_version", "module_name", "field_title"}],
                     "schema": {...JSON Schema of one value...}}],
     "schema": {...JSON Schema of the whole {"name": value} object...}}

    A value that passes a parameter's schema fits its declared type and every field it drives; the
    server still validates submitted values (datasets must exist, columns must be in the data).
    """
    described = describe_parameters(graph_of(version), default_registry())
    return {"parameters": described, "schema": values_json_schema(described)}
