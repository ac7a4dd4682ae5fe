"""Workspaces: the sharing boundary. Every other resource is read and written inside one."""

from __future__ import annotations

from typing import Any

from ._http import Session
from .errors import NotFound, UsageError
from .names import pick


def list_workspaces(session: Session) -> list[dict[str, Any]]:
    return list(session.pages("/api/workspaces/"))


def resolve(session: Session, ref: int | str | None) -> dict[str, Any]:
    """The workspace ``ref`` names (id or name); with no ``ref``, your only workspace."""
    rows = list_workspaces(session)
    if ref is None or ref == "":
        if len(rows) == 1:
            return rows[0]
        names = ", ".join(f"'{r['name']}' ({r['id']})" for r in rows) or "none"
        raise UsageError(f"Name a workspace: `tessera workspace use NAME` or TESSERA_WORKSPACE (yours: {names}).")
    try:
        return pick(rows, ref, "workspace")
    except NotFound:
        names = ", ".join(f"'{r['name']}'" for r in rows) or "none"
        raise NotFound(f"No workspace '{ref}' among yours ({names}).") from None
