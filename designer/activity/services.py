"""The one write of this app: ``record``. Callers are other apps' services, after their own write and
inside the same transaction where they have one, so a rolled-back change leaves no event behind."""

from __future__ import annotations

from typing import Any

from .models import ActivityEvent

Verb = ActivityEvent.Verb
ObjectType = ActivityEvent.ObjectType


def record(
    *,
    workspace: Any,
    actor: Any,
    verb: str,
    object_type: str,
    object_id: int | None = None,
    object_name: str = "",
    detail: dict[str, Any] | None = None,
) -> ActivityEvent:
    """Append one event. ``workspace`` is a Workspace or its id; ``actor`` a user, or None (or anonymous)
    when nobody acted; ``detail`` small JSON (a version number, a role, a status)."""
    if verb not in Verb.values:
        raise ValueError(f"unknown activity verb {verb!r}")
    if object_type not in ObjectType.values:
        raise ValueError(f"unknown activity object type {object_type!r}")
    user = actor if getattr(actor, "is_authenticated", False) else None
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return ActivityEvent.objects.create(
        workspace_id=workspace_id,
        actor=user,
        actor_name=user.get_username() if user is not None else "",
        verb=verb,
        object_type=object_type,
        object_id=object_id,
        object_name=(object_name or "")[:200],
        detail=detail or {},
    )
