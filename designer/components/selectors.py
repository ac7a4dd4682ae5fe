"""Reads for components: lists, versions with their interface, diffs, the palette's catalogue, and who uses what."""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework.exceptions import NotFound

from designer.engine.components import ComponentFormatError, describe, interface
from designer.engine.diff import diff, to_json
from designer.engine.graph import COMPONENT_PREFIX
from modules.sdk import default_registry

from .lookup import WorkspaceComponentLookup, to_engine
from .models import Component, ComponentVersion


def with_latest(queryset: models.QuerySet[Component]) -> models.QuerySet[Component]:
    latest = ComponentVersion.objects.filter(component=models.OuterRef("pk")).order_by("-number").values("number")[:1]
    return queryset.select_related("created_by").annotate(latest_version=models.Subquery(latest))


def component_detail(component: Component) -> Component:
    found = with_latest(Component.objects.filter(pk=component.pk)).get()
    found.version_list = list(versions_of(found))
    return found


def versions_of(component: Component) -> models.QuerySet[ComponentVersion]:
    return ComponentVersion.objects.filter(component=component).select_related("author").order_by("-number")


def latest_of(component: Component) -> ComponentVersion | None:
    return versions_of(component).first()


def version_of(component: Component, number: int) -> ComponentVersion:
    found = versions_of(component).filter(number=number).first()
    if found is None:
        raise NotFound(f"Component '{component.name}' has no version {number}.")
    return found


def entry(row: ComponentVersion, lookup: WorkspaceComponentLookup | None = None) -> dict[str, Any]:
    """The module-shaped catalogue entry of one version, plus ``component``."""
    lookup = lookup or WorkspaceComponentLookup(row.component.workspace_id)
    try:
        described = describe(to_engine(row), default_registry(), lookup)
    except ComponentFormatError:  # a version saved by an older server that this one no longer reads
        described = {"id": f"{COMPONENT_PREFIX}{row.component_id}", "version": row.number, "name": row.component.name}
    latest = getattr(row.component, "latest_version", None)
    described["component"] = {
        "id": row.component_id,
        "kind": row.component.kind,
        "latest_version": latest if latest is not None else row.number,
    }
    return described


def version_detail(row: ComponentVersion) -> dict[str, Any]:
    return {
        "number": row.number,
        "author": row.author.username if row.author else None,
        "message": row.message,
        "created_at": row.created_at,
        "document": row.document,
        "interface": entry(row),
    }


def catalogue(workspace_id: int, all_versions: bool = False) -> list[dict[str, Any]]:
    """Every component of the workspace at its latest version (or every version, newest first)."""
    components = with_latest(Component.objects.filter(workspace_id=workspace_id))
    lookup = WorkspaceComponentLookup(workspace_id)
    rows = ComponentVersion.objects.filter(component__workspace_id=workspace_id).select_related("component")
    by_component: dict[int, list[ComponentVersion]] = {}
    for row in rows.order_by("-number"):
        by_component.setdefault(row.component_id, []).append(row)
    out = []
    for component in components:
        versions = by_component.get(component.pk, [])
        for row in versions if all_versions else versions[:1]:
            row.component = component
            out.append(entry(row, lookup))
    return out


def version_diff(component: Component, from_number: int, to_number: int) -> dict[str, Any]:
    """Inner graph diff (graph components) and interface changes between two versions."""
    old, new = version_of(component, from_number), version_of(component, to_number)
    registry = default_registry()
    lookup = WorkspaceComponentLookup(component.workspace_id)
    before = interface(to_engine(old), registry, lookup)
    after = interface(to_engine(new), registry, lookup)
    graph_diff = None
    if old.document.get("kind") == "graph" and new.document.get("kind") == "graph":
        graph_diff = to_json(diff(old.document["graph"], new.document["graph"]))
    return {
        "from_version": old.number,
        "to_version": new.number,
        "diff": graph_diff,
        "script_changed": old.document.get("script") != new.document.get("script"),
        "interface": {
            kind: _changes(
                [p["name"] for p in getattr(before, kind)]
                if kind != "parameters"
                else list(before.params_schema["properties"]),
                [p["name"] for p in getattr(after, kind)]
                if kind != "parameters"
                else list(after.params_schema["properties"]),
            )
            for kind in ("inputs", "outputs", "parameters")
        },
    }


def _names(face: Any, kind: str) -> list[str]:
    if kind == "parameters":
        return list(face.params_schema["properties"])
    return [p["name"] for p in getattr(face, kind)]


def _changes(before: list[str], after: list[str]) -> dict[str, list[str]]:
    return {"added": [n for n in after if n not in before], "removed": [n for n in before if n not in after]}


def usages(component: Component, number: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """Pipeline versions, drafts, endpoints and other components whose documents use ``component``
    (at version ``number``, or any version)."""
    from designer.endpoints.models import Endpoint
    from designer.pipelines.models import Pipeline, PipelineVersion

    node: dict[str, Any] = {"module": f"{COMPONENT_PREFIX}{component.pk}"}
    if number is not None:
        node["version"] = number
    workspace = component.workspace_id
    versions = PipelineVersion.objects.filter(pipeline__workspace_id=workspace, document__contains={"nodes": [node]})
    pipelines: dict[int, dict[str, Any]] = {}
    for v in versions.select_related("pipeline").order_by("pipeline_id", "number"):
        pipelines.setdefault(v.pipeline_id, {"id": v.pipeline_id, "name": v.pipeline.name, "versions": []})
        pipelines[v.pipeline_id]["versions"].append(v.number)
    drafts = Pipeline.objects.filter(workspace_id=workspace, draft__contains={"nodes": [node]})
    endpoints = Endpoint.objects.filter(workspace_id=workspace).filter(
        models.Q(document__contains={"nodes": [node]}) | models.Q(pipeline_version__in=versions)
    )
    inner = ComponentVersion.objects.filter(
        component__workspace_id=workspace, document__contains={"graph": {"nodes": [node]}}
    ).exclude(component=component)
    users: dict[int, dict[str, Any]] = {}
    for v in inner.select_related("component").order_by("component_id", "number"):
        users.setdefault(v.component_id, {"id": v.component_id, "name": v.component.name, "versions": []})
        users[v.component_id]["versions"].append(v.number)
    return {
        "pipelines": list(pipelines.values()),
        "drafts": [{"id": p.pk, "name": p.name} for p in drafts.order_by("pk")],
        "endpoints": [{"id": e.pk, "name": e.name} for e in endpoints.order_by("pk")],
        "components": list(users.values()),
    }


def usage_text(found: dict[str, list[dict[str, Any]]]) -> str:
    parts = []
    for p in found["pipelines"]:
        parts.append(
            f"pipeline '{p['name']}' (version{'s' if len(p['versions']) > 1 else ''} "
            f"{', '.join(map(str, p['versions']))})"
        )
    parts += [f"the draft of pipeline '{d['name']}'" for d in found["drafts"]]
    parts += [f"endpoint '{e['name']}'" for e in found["endpoints"]]
    parts += [f"component '{c['name']}' (versions {', '.join(map(str, c['versions']))})" for c in found["components"]]
    return "; ".join(parts)
