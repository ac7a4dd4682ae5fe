"""Pipelines: a named graph with immutable saved versions and one autosaved draft."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Pipeline(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="pipelines")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What the canvas autosaves between explicit saves (canonical form), and the version it started from.
    draft = models.JSONField(null=True, blank=True)
    draft_updated_at = models.DateTimeField(null=True, blank=True)
    draft_updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    draft_base_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.name


class PipelineVersion(models.Model):
    """One explicit save. Never updated: the document is canonical (``to_document``)."""

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    message = models.CharField(max_length=500, blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    base_number = models.PositiveIntegerField(null=True, blank=True)  # the version the author started from
    restored_from = models.PositiveIntegerField(null=True, blank=True)  # set when this version restores an older one

    class Meta:
        ordering = ["pipeline_id", "number"]
        constraints = [models.UniqueConstraint(fields=["pipeline", "number"], name="pipelineversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.pipeline_id} v{self.number}"
