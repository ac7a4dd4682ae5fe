"""Datasets and their immutable versions. The table itself is Parquet in the artifact store, by digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Dataset(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="datasets")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="dataset_unique_name")]

    def __str__(self) -> str:
        return self.name


class DatasetVersion(models.Model):
    """One upload. Never updated: a new upload is a new version."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)  # sha256 of the Parquet bytes in the artifact store
    schema = models.JSONField()  # TableSchema.to_dict()
    profile = models.JSONField()  # designer.engine.profile.profile_table()
    rows = models.PositiveBigIntegerField()
    columns = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()  # of the stored Parquet
    source_name = models.CharField(max_length=255, blank=True, default="")  # the uploaded file's name
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["dataset_id", "version"]
        constraints = [models.UniqueConstraint(fields=["dataset", "version"], name="datasetversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.dataset_id} v{self.version}"
