"""Registered models: a name, versions counted per name and workspace, tags and lineage to a run."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RegisteredModel(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="models")
    name = models.CharField(max_length=200)
    version = models.PositiveIntegerField()
    description = models.TextField(blank=True, default="")
    tags = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey("runs.Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    node_id = models.CharField(max_length=255)  # expanded ids: "component_node/inner_node"
    artifact = models.CharField(max_length=64)  # digest of the trained model
    task = models.CharField(max_length=32, blank=True, default="")
    label_column = models.CharField(max_length=256, blank=True, default="")
    classes = models.JSONField(default=list, blank=True)  # the classes a classifier predicts
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name", "version"], name="registeredmodel_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ModelFormat(models.Model):
    """A registered model version in a format other than Tessera's own (ONNX, a scoring bundle...).

    "native" (the skops artifact the version was registered with) is not stored here: every version has
    it. One row per version and format; exporting again replaces the row (``formats.record_format``).
    """

    model = models.ForeignKey(RegisteredModel, on_delete=models.CASCADE, related_name="formats")
    format = models.CharField(max_length=32)  # "onnx", "bundle", ...
    artifact = models.CharField(max_length=64)  # digest of the file in the artifact store
    filename = models.CharField(max_length=255)  # what a download is called
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveBigIntegerField(default=0)
    detail = models.JSONField(default=dict, blank=True)  # what the export says about itself (checks, inputs...)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["format"]
        constraints = [models.UniqueConstraint(fields=["model", "format"], name="modelformat_unique_format")]

    def __str__(self) -> str:
        return f"{self.model} as {self.format}"
