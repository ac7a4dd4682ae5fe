"""Writes for artifact ownership, called by the services that put artifacts in a workspace's hands.

Granting is idempotent (a digest the workspace already has keeps its first source) and runs inside
the caller's transaction, so a failed upload or save grants nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from modules.sdk import DIGEST

from .models import ArtifactOwnership
from .selectors import owned_digests

Source = ArtifactOwnership.Source
_DIGEST = re.compile(DIGEST)


def grant(workspace_id: int, digests: Iterable[str], source: str) -> None:
    """``digests`` belong to workspace ``workspace_id`` from now on; ``source`` says how (``Source``)."""
    rows = [
        ArtifactOwnership(workspace_id=workspace_id, digest=digest, source=source)
        for digest in sorted(set(digests))
        if isinstance(digest, str) and _DIGEST.fullmatch(digest)
    ]
    if rows:
        ArtifactOwnership.objects.bulk_create(rows, ignore_conflicts=True)


def copy_ownership(source_workspace_id: int, target_workspace_id: int, digests: Collection[str]) -> set[str]:
    """Grant ``target`` those of ``digests`` that belong to ``source`` (a pipeline cloned from it); those granted.

    The caller has checked that the user may read the source workspace: a member who can see a design
    can already open and download its runs' outputs, so taking a copy with its artifacts gives nothing
    new. A digest the source does not own is not copied, and stays refused in the target.
    """
    mine = owned_digests(source_workspace_id, digests)
    if source_workspace_id != target_workspace_id:
        grant(target_workspace_id, mine, Source.CLONE)
    return mine
