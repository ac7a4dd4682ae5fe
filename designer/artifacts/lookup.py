"""The mapper from ownership rows to the engine's ``ArtifactLookup``: what validation and workers check."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .selectors import owned_digests


class WorkspaceArtifactLookup:
    """Answers which digests belong to one workspace. Answers are remembered for the life of the object
    (one validation, one node run): ownership is only ever added, so a remembered "yes" stays true."""

    def __init__(self, workspace: Any) -> None:
        self.workspace_id: int = workspace if isinstance(workspace, int) else workspace.pk
        self._owned: set[str] = set()

    def owned(self, digests: Collection[str]) -> set[str]:
        unknown = set(digests) - self._owned
        if unknown:
            self._owned |= owned_digests(self.workspace_id, unknown)
        return set(digests) & self._owned
