"""Datasets and their immutable versions. The content is in the artifact store, by digest: a table as
Parquet, a file dataset as the uploaded zip itself."""

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
    """One upload. Never updated: a new upload is a new version (of the same kind as the others)."""

    TABLE = "table"  # rows and columns, stored as Parquet
    FILE = "file"  # a zip of files, stored as uploaded
    KINDS = [(TABLE, "Table"), (FILE, "File (zip)")]

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=8, choices=KINDS, default=TABLE)
    digest = models.CharField(max_length=64)  # sha256 of the stored bytes: the Parquet table, or the zip as uploaded
    schema = models.JSONField()  # TableSchema.to_dict(); no columns for a file
    profile = (
        models.JSONField()
    )  # profile_table() for a table; {"files", "bytes", "members": [{name, size}]} for a file
    rows = models.PositiveBigIntegerField()  # 0 for a file
    columns = models.PositiveIntegerField()  # 0 for a file
    size_bytes = models.PositiveBigIntegerField()  # of the stored bytes
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


class DatasetRegistration(models.Model):
    """An upload registered by a worker rather than inside the request that sent it (``Prefer: respond-async``).

    The file as uploaded waits in the artifact store (``staged_digest``, owned by no workspace: nothing can
    reference it) until a worker reads it into a dataset: a new one named ``name``, or the next version of
    ``target``. The outcome is ``version`` (completed) or ``error``, the body the same upload would have been
    answered with inside the request, and its status code (failed)."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    STATUSES = [(QUEUED, "Queued"), (RUNNING, "Running"), (COMPLETED, "Completed"), (FAILED, "Failed")]
    ACTIVE = (QUEUED, RUNNING)

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Dataset, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    options = models.JSONField(default=dict)  # ReadOptions, as registration.options_json writes them
    source_name = models.CharField(max_length=255, blank=True, default="")
    staged_digest = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField()
    status = models.CharField(max_length=10, choices=STATUSES, default=QUEUED)
    error = models.JSONField(null=True, blank=True)
    error_status = models.PositiveSmallIntegerField(null=True, blank=True)
    version = models.ForeignKey(DatasetVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One registration of a new dataset per name at a time (a dataset by that name is refused as well).
            models.UniqueConstraint(
                fields=["workspace", "name"],
                condition=models.Q(status__in=["queued", "running"], target__isnull=True),
                name="datasetregistration_one_new_name",
            )
        ]

    def __str__(self) -> str:
        return f"registration {self.pk} of {self.name} ({self.status})"
