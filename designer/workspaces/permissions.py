"""Who may do what in a workspace: roles, and the lookups every app uses to fetch objects safely.

Rules shared by every workspace-scoped object (datasets, pipelines, runs, ...):
- a non-member gets 404 for the workspace and for everything in it: existence is never revealed;
- viewers read, editors also write, owners also manage the workspace and its members;
- a member whose role is too low gets 403 saying which role they have and which is needed.

The helpers are generic: any model with a path to a workspace (``workspace`` by default, or e.g.
``pipeline__workspace``) works with ``scope_to_member`` and ``get_scoped``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from django.db import models
from rest_framework.exceptions import NotFound, PermissionDenied

from .models import Membership, Workspace


class Role(IntEnum):
    """Ordered so that ``role >= Role.EDITOR`` reads naturally."""

    VIEWER = 1
    EDITOR = 2
    OWNER = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls[value.upper()]
        except KeyError:
            raise ValueError(f"unknown role {value!r}; use owner, editor or viewer") from None


#: What each minimum role allows, for the 403 message.
_ACTIONS = {Role.VIEWER: "reading", Role.EDITOR: "editing", Role.OWNER: "managing the workspace"}


def role_of(user: Any, workspace: Workspace | int) -> Role | None:
    """The user's role in the workspace, or ``None`` when they are not a member."""
    if not getattr(user, "is_authenticated", False):
        return None
    workspace_id = workspace.pk if isinstance(workspace, Workspace) else workspace
    name = Membership.objects.filter(workspace_id=workspace_id, user=user).values_list("role", flat=True).first()
    return Role.parse(name) if name else None


def require_role(user: Any, workspace: Workspace, minimum: Role, role: Role | None = None) -> Role:
    """``role`` (looked up when not given) if it is at least ``minimum``; else 404 or 403."""
    role = role if role is not None else role_of(user, workspace)
    if role is None:
        raise NotFound(f"workspace {workspace.pk} does not exist")
    if role < minimum:
        article = "an" if role.label[0] in "aeiou" else "a"
        raise PermissionDenied(
            f"you are {article} {role.label} in workspace '{workspace.name}'; "
            f"{_ACTIONS[minimum]} needs the {minimum.label} role"
        )
    return role


def workspace_for(user: Any, workspace_id: Any, minimum: Role = Role.VIEWER) -> Workspace:
    """The workspace if ``user`` holds at least ``minimum`` there: 404 for non-members, 403 for a low role."""
    try:
        pk = int(workspace_id)
    except (TypeError, ValueError):
        raise NotFound(f"workspace {workspace_id!r} does not exist") from None
    workspace = Workspace.objects.filter(pk=pk).first()
    if workspace is None or not getattr(user, "is_authenticated", False):
        raise NotFound(f"workspace {pk} does not exist")
    require_role(user, workspace, minimum)
    return workspace


def scope_to_member(
    queryset: models.QuerySet[Any], user: Any, workspace_path: str = "workspace"
) -> models.QuerySet[Any]:
    """Only the objects in workspaces where ``user`` is a member (any role)."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    member_of = Membership.objects.filter(user=user).values("workspace_id")
    return queryset.filter(**{f"{workspace_path}__in": member_of})


def workspace_of(obj: models.Model, workspace_path: str = "workspace") -> Workspace:
    """Follow ``workspace_path`` (``a__b__workspace``) from ``obj`` to its workspace."""
    current: Any = obj
    for part in workspace_path.split("__"):
        current = getattr(current, part)
    return current


def get_scoped(
    queryset: models.QuerySet[Any],
    user: Any,
    pk: Any,
    minimum: Role = Role.VIEWER,
    *,
    label: str,
    workspace_path: str = "workspace",
) -> Any:
    """One object by primary key: 404 ("<label> N does not exist") unless the user is a member of its
    workspace, 403 when their role there is below ``minimum``."""
    obj = scope_to_member(queryset, user, workspace_path).select_related(workspace_path).filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{label} {pk} does not exist")
    require_role(user, workspace_of(obj, workspace_path), minimum)
    return obj
