"""Reads for artifact ownership."""

from __future__ import annotations

from collections.abc import Collection

from .models import ArtifactOwnership


def owned_digests(workspace_id: int, digests: Collection[str]) -> set[str]:
    """The digests among ``digests`` whose artifact belongs to workspace ``workspace_id`` (one query)."""
    if not digests:
        return set()
    rows = ArtifactOwnership.objects.filter(workspace_id=workspace_id, digest__in=list(digests))
    return set(rows.values_list("digest", flat=True))
