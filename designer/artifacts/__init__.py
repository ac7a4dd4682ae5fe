"""Artifacts: the process's content-addressed store, and which workspaces each stored artifact belongs to.

The store is shared by every workspace and a digest names its content, so a digest alone would be
enough to read anything. An artifact belongs to a workspace when its runs produced it, its datasets
hold it, its registry lists it, it is the drift baseline of an inference pipeline derived there, or a
clone copied it in. Pipeline documents may name only those (``checks``), workers load only those
(``lookup.WorkspaceArtifactLookup``), and so an endpoint can only ever pin those.
"""

from .store import artifact_store

__all__ = ["artifact_store"]
