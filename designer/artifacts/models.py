"""Which workspaces each stored artifact belongs to: one row per (workspace, digest)."""

from __future__ import annotations

from django.db import models


class ArtifactOwnership(models.Model):
    """The artifact ``digest`` belongs to ``workspace``: its pipelines may name it, its runs may load it.

    The same bytes may belong to several workspaces (two uploads of one file, a clone): ownership is
    per workspace. Rows are never taken away while the workspace lives: deleting a dataset or a run
    does not undo that the workspace had the artifact, and documents that name it keep working.
    """

    class Source(models.TextChoices):
        RUN = "run"  # an output of a node of one of its runs
        DATASET = "dataset"  # a version uploaded to one of its datasets (a table or a zip)
        MODEL = "model"  # registered in its model registry
        BASELINE = "baseline"  # the drift baseline sampled when an inference pipeline was derived
        CLONE = "clone"  # copied with a pipeline cloned from a workspace the cloner could read

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    source = models.CharField(max_length=16, choices=Source.choices)  # how it first came to belong
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The unique index is also the one every lookup uses: (workspace, digest IN (...)).
        constraints = [models.UniqueConstraint(fields=["workspace", "digest"], name="artifactownership_unique")]

    def __str__(self) -> str:
        return f"{self.digest[:12]} belongs to workspace {self.workspace_id} ({self.source})"
