"""The engine's component lookup over one workspace's saved versions."""

from __future__ import annotations

from typing import Any

from designer.engine.components import ComponentVersion as EngineVersion

from .models import ComponentVersion


class WorkspaceComponentLookup:
    """Versions of the components of one workspace; another workspace's component is "not found".

    Versions never change, so each is read once per lookup (a run's scheduler builds one per pass)."""

    def __init__(self, workspace: Any) -> None:
        self.workspace_id = getattr(workspace, "pk", workspace)
        self.cache: dict[tuple[int, int], EngineVersion] = {}

    def version(self, component_id: int, number: int) -> EngineVersion:
        key = (component_id, number)
        if key not in self.cache:
            row = (
                ComponentVersion.objects.select_related("component")
                .filter(component_id=component_id, number=number, component__workspace_id=self.workspace_id)
                .first()
            )
            if row is None:
                raise LookupError(f"component {component_id} has no version {number} in this workspace")
            self.cache[key] = to_engine(row)
        return self.cache[key]


def to_engine(row: ComponentVersion) -> EngineVersion:
    return EngineVersion(
        component_id=row.component_id,
        number=row.number,
        name=row.component.name,
        document=row.document,
        description=row.component.description,
    )
