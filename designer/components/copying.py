"""Carrying components with a pipeline: an export file holds the versions its document uses, and an import
or a clone into another workspace copies them there.

A copied version lands in the target workspace's component of the same name: an identical saved version
is reused, otherwise the document becomes that component's next version (or version 1 of a new component).
The pipeline document (and nested component documents) are rewritten to the target's ids and numbers.
Callers run this inside their transaction, so a refused import or clone creates nothing.
"""

from __future__ import annotations

import copy
from typing import Any

from designer.engine.graph import COMPONENT_PREFIX
from designer.workspaces.models import Workspace

from .lookup import WorkspaceComponentLookup
from .models import Component, ComponentVersion

Key = tuple[int, int]


def _uses(document: dict[str, Any]) -> list[Key]:
    """(component id, version) of each component node of a pipeline document (not nested)."""
    found = []
    for node in document.get("nodes", []) if isinstance(document, dict) else []:
        module = node.get("module") if isinstance(node, dict) else None
        if (
            isinstance(module, str)
            and module.startswith(COMPONENT_PREFIX)
            and module[len(COMPONENT_PREFIX) :].isdigit()
        ):
            found.append((int(module[len(COMPONENT_PREFIX) :]), int(node.get("version", 0))))
    return found


def bundle(document: dict[str, Any], workspace: Any) -> list[dict[str, Any]]:
    """Every component version ``document`` uses, nested ones included, each after those it uses."""
    lookup = WorkspaceComponentLookup(workspace)
    ordered: list[dict[str, Any]] = []
    seen: set[Key] = set()

    def visit(key: Key, depth: int) -> None:
        if key in seen or depth > 16:
            return
        seen.add(key)
        try:
            version = lookup.version(*key)
        except LookupError:
            return  # the import will name it as an unknown component
        inner = version.document.get("graph", {}) if version.document.get("kind") == "graph" else {}
        for child in _uses(inner):
            visit(child, depth + 1)
        kind = version.document.get("kind", "graph")
        ordered.append({"id": key[0], "version": key[1], "name": version.name, "description": version.description,
                        "kind": kind, "document": version.document})  # fmt: skip

    for key in _uses(document):
        visit(key, 0)
    return ordered


def rewrite(document: dict[str, Any], mapping: dict[Key, Key]) -> dict[str, Any]:
    """``document`` with each component node moved to the id and version ``mapping`` gives."""
    out = copy.deepcopy(document)
    for node in out.get("nodes", []):
        for key in _uses({"nodes": [node]}):
            if key in mapping:
                node["module"] = f"{COMPONENT_PREFIX}{mapping[key][0]}"
                node["version"] = mapping[key][1]
    return out


def install(user: Any, workspace: Workspace, bundled: list[dict[str, Any]]) -> dict[Key, Key]:
    """Copy bundled versions into ``workspace`` (see the module docstring); the id/version mapping."""
    mapping: dict[Key, Key] = {}
    for item in bundled:
        if not isinstance(item, dict) or not isinstance(item.get("document"), dict):
            continue
        document = item["document"]
        if document.get("kind") == "graph":
            document = {**document, "graph": rewrite(document.get("graph", {}), mapping)}
        name = str(item.get("name") or f"Component {item.get('id')}")[:200]
        component = Component.objects.filter(workspace=workspace, name=name).first()
        if component is None:
            component = Component.objects.create(
                workspace=workspace,
                name=name,
                description=str(item.get("description", "")),
                kind=document.get("kind", "graph"),
                created_by=user,
            )
        versions = ComponentVersion.objects.filter(component=component)
        same = next((v for v in versions if v.document == document), None)
        if same is None:
            last = versions.order_by("-number").first()
            same = ComponentVersion.objects.create(
                component=component,
                number=(last.number if last else 0) + 1,
                document=document,
                message=f"Copied with a pipeline (was component {item.get('id')} version {item.get('version')})",
                author=user,
            )
        mapping[(int(item.get("id", 0)), int(item.get("version", 0)))] = (component.pk, same.number)
    return mapping
