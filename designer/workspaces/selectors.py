"""Reads for workspaces and memberships."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import Membership, Workspace


def workspaces_of(user: Any) -> models.QuerySet[Workspace]:
    """The workspaces ``user`` is a member of, each annotated with ``my_role``."""
    mine = Membership.objects.filter(workspace=models.OuterRef("pk"), user=user).values("role")[:1]
    return (
        Workspace.objects.filter(memberships__user=user)
        .annotate(my_role=models.Subquery(mine))
        .select_related("created_by")
        .order_by("name", "id")
    )


def workspace_with_role(workspace: Workspace, user: Any) -> Workspace:
    """The same workspace annotated with ``my_role`` for the serializer."""
    return workspaces_of(user).get(pk=workspace.pk)


def members_of(workspace: Workspace) -> models.QuerySet[Membership]:
    return Membership.objects.filter(workspace=workspace).select_related("user").order_by("user__username")


def membership(workspace: Workspace, user_id: Any) -> Membership | None:
    try:
        return members_of(workspace).filter(user_id=int(user_id)).first()
    except (TypeError, ValueError):
        return None
