"""Writes for components: create, save a version, rename, delete (refused while used), group and ungroup.

A version is checked before it is saved (``engine.component_check.check_version``): a component whose ports
point at nothing, an inner port neither connected nor exposed, a parameter exposed twice, a spec with an
unknown type, an oversized script or a component that would contain itself is refused with 400 listing
every problem, and nothing is created. Saving the same document as the latest version answers that
version. A version (or a component) that a pipeline version, a draft, an endpoint or another component
uses cannot be deleted: 409 names them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.exceptions import ErrorDetail, NotFound, ValidationError

from designer.api import Conflict, Unprocessable
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.component_check import check_version
from designer.engine.graph import Graph, to_document
from designer.engine.grouping import GroupingError, group, ungroup
from designer.workspaces.models import Workspace
from modules.sdk import default_registry

from . import selectors
from .lookup import WorkspaceComponentLookup
from .models import Component, ComponentVersion

MAX_DOCUMENT_CHARS = 2_000_000


@dataclass(frozen=True)
class SavedVersion:
    version: ComponentVersion
    created: bool


def _checked(workspace: Workspace, document: Any, *, component_id: int = 0, name: str = "component") -> str:
    """The kind of a valid version document; 400 with every problem otherwise."""
    if not isinstance(document, dict):
        raise Unprocessable("A component document is an object whose kind is 'graph' or 'script'.")
    face, problems = check_version(
        document,
        default_registry(),
        WorkspaceComponentLookup(workspace),
        component_id=component_id,
        name=name,
        datasets=WorkspaceDatasetLookup(workspace),
    )
    if problems or face is None:
        n = len(problems)
        raise Unprocessable(
            f"Component '{name}' has {n} problem{'s' if n != 1 else ''} to fix before it can be saved.",
            problems=[{**p.to_dict(), "component": component_id or None} for p in problems],
        )
    return str(document["kind"])


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["A component needs a name."]})
    return name[:200]


def _name_taken(workspace: Workspace, name: str, exclude: int | None = None) -> None:
    taken = Component.objects.filter(workspace=workspace, name=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": [f"This workspace already has a component named '{name}'."]})


def create_component(
    user: Any, workspace: Workspace, name: str, description: str, message: str, document: Any
) -> Component:
    """A new component whose version 1 is ``document``."""
    name = _clean_name(name)
    _name_taken(workspace, name)
    kind = _checked(workspace, document, name=name)
    try:
        with transaction.atomic():
            component = Component.objects.create(
                workspace=workspace, name=name, description=description or "", kind=kind, created_by=user
            )
            ComponentVersion.objects.create(
                component=component, number=1, document=document, message=(message or "Created")[:500], author=user
            )
    except IntegrityError:  # a concurrent create took the name
        raise ValidationError({"name": [f"This workspace already has a component named '{name}'."]}) from None
    return component


def save_version(user: Any, component: Component, document: Any, message: str, base_version: int) -> SavedVersion:
    """A new version after ``base_version`` (409 with the latest when it is not the latest one)."""
    with transaction.atomic():
        locked = Component.objects.select_for_update().get(pk=component.pk)
        latest = selectors.latest_of(locked)
        if latest is not None and latest.number != base_version:
            by = f" by {latest.author.username}" if latest.author else ""
            text = (
                f"You edited version {base_version} of component '{locked.name}', but version {latest.number} was "
                f"saved{by} since. Reload it, reapply your changes and save again."
            )
            error = Conflict(text)
            error.detail = {
                "detail": ErrorDetail(text, code="conflict"),
                "current_version": {"number": latest.number, "document": latest.document, "message": latest.message},
            }
            raise error
        if latest is not None and latest.document == document:
            return SavedVersion(latest, created=False)
        kind = _checked(locked.workspace, document, component_id=locked.pk, name=locked.name)
        if kind != locked.kind:
            raise Unprocessable(
                f"Component '{locked.name}' is a {locked.kind} component; a version cannot make it a {kind} one.",
                problems=[{"code": "invalid_component", "path": "document.kind", "message": "The kind cannot change."}],
            )
        version = ComponentVersion.objects.create(
            component=locked,
            number=(latest.number if latest else 0) + 1,
            document=document,
            message=(message or "")[:500],
            author=user,
        )
        locked.save(update_fields=["updated_at"])
    return SavedVersion(version, created=True)


def update_component(component: Component, *, name: str | None = None, description: str | None = None) -> Component:
    fields = []
    if name is not None:
        component.name = _clean_name(name)
        _name_taken(component.workspace, component.name, exclude=component.pk)
        fields.append("name")
    if description is not None:
        component.description = description
        fields.append("description")
    if fields:
        component.save(update_fields=[*fields, "updated_at"])
    return component


def _refuse_if_used(component: Component, number: int | None) -> None:
    found = selectors.usages(component, number)
    if any(found.values()):
        what = f"Version {number} of component" if number is not None else "Component"
        text = f"{what} '{component.name}' is used by {selectors.usage_text(found)}; it cannot be deleted."
        error = Conflict(text)
        error.detail = {"detail": ErrorDetail(text, code="conflict"), "used_by": found}
        raise error


def delete_component(component: Component) -> None:
    with transaction.atomic():
        _refuse_if_used(component, None)
        component.delete()


def delete_version(component: Component, number: int) -> None:
    with transaction.atomic():
        version = selectors.version_of(component, number)
        _refuse_if_used(component, number)
        if not ComponentVersion.objects.filter(component=component).exclude(pk=version.pk).exists():
            raise Conflict(
                f"Version {number} is the only version of component '{component.name}'; delete the component instead."
            )
        version.delete()


# -- group and ungroup ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouped:
    component: Component
    version: ComponentVersion
    document: dict[str, Any]


def group_nodes(
    user: Any,
    workspace: Workspace,
    graph: Graph,
    node_ids: list[str],
    name: str,
    description: str = "",
    message: str = "",
    inputs: list[dict[str, Any]] | None = None,
    outputs: list[dict[str, Any]] | None = None,
    parameters: list[dict[str, Any]] | None = None,
) -> Grouped:
    """A new component made of ``node_ids``, and the pipeline document with them replaced by one node of it.

    Everything is checked before anything is created."""
    name = _clean_name(name)
    _name_taken(workspace, name)
    registry = default_registry()
    lookup = WorkspaceComponentLookup(workspace)
    try:
        grouping = group(graph, node_ids, registry, lookup, inputs=inputs, outputs=outputs, parameters=parameters)
    except GroupingError as exc:
        raise Unprocessable("The selection cannot become a component.", [p.to_dict() for p in exc.problems]) from None
    _checked(workspace, grouping.document, name=name)
    with transaction.atomic():
        component = Component.objects.create(
            workspace=workspace, name=name, description=description or "", kind="graph", created_by=user
        )
        version = ComponentVersion.objects.create(
            component=component,
            number=1,
            document=grouping.document,
            message=(message or "Grouped from a pipeline")[:500],
            author=user,
        )
    document = to_document(grouping.replace_selection(component.pk, 1, name))
    return Grouped(component, version, document)


def ungroup_node(workspace: Workspace, graph: Graph, node_id: str) -> dict[str, Any]:
    """The pipeline document with component node ``node_id`` replaced by its inner nodes (nothing is saved)."""
    node = graph.nodes.get(node_id)
    if node is None:
        raise Unprocessable(f"Node '{node_id}' is not in the pipeline.", [{"node": node_id, "path": "node_id"}])
    try:
        version = WorkspaceComponentLookup(workspace).version(int(node.module.split(":", 1)[1]), node.version)
    except (LookupError, ValueError, IndexError):
        raise NotFound(f"Node '{node_id}' does not use a component version of this workspace.") from None
    try:
        return to_document(ungroup(graph, node_id, version.document))
    except GroupingError as exc:
        raise Unprocessable("The node cannot be ungrouped.", [p.to_dict() for p in exc.problems]) from None
