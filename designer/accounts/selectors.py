"""Reads about the signed-in user."""

from __future__ import annotations

from typing import Any

from designer.workspaces.models import Membership


def me(user: Any) -> dict[str, Any]:
    memberships = Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name", "id")
    return {"id": user.pk, "username": user.username, "email": user.email, "workspaces": list(memberships)}
