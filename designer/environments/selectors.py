"""Reading environments: a workspace's, with their versions newest first."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from .models import Environment, EnvironmentVersion


def environments_of(workspace: Any) -> QuerySet[Environment]:
    versions = EnvironmentVersion.objects.select_related("author", "environment").order_by("-number")
    return (
        Environment.objects.filter(workspace=workspace)
        .select_related("created_by")
        .prefetch_related(Prefetch("versions", queryset=versions, to_attr="version_list"))
        .order_by("name", "id")
    )


def environment_in(workspace: Any, pk: int) -> Environment:
    """One environment of ``workspace`` (404 otherwise: another workspace's is never revealed)."""
    return get_object_or_404(environments_of(workspace), pk=pk)


def latest_of(environment: Environment) -> EnvironmentVersion | None:
    return environment.versions.order_by("-number").first()
