"""Pipeline endpoints (published pipelines), the versions they publish, and the runs they started."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"


class PipelineEndpoint(models.Model):
    """A pipeline published under a stable name: callers start runs of its default version, or of
    another published version named explicitly, with parameter values; keys as scoring endpoints."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="pipeline_endpoints")
    # In the trigger URL, so unique across the installation (as scoring endpoints' names are).
    name = models.CharField(
        max_length=63,
        unique=True,
        validators=[RegexValidator(NAME_PATTERN, "Use 2-63 lower-case letters, digits and hyphens.")],
    )
    description = models.TextField(blank=True, default="")
    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="pipeline_endpoints")
    # The number of one of ``versions`` (the endpoint's own numbering, not the pipeline's): run when a
    # caller names no version.
    default_version = models.PositiveIntegerField()
    primary_key = models.CharField(max_length=64)
    secondary_key = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PublishedVersion(models.Model):
    """One pipeline version an endpoint publishes: addressable by its number; versions with runs stay.

    Numbers are the endpoint's own (1, 2, 3 ... as Azure numbers a pipeline endpoint's versions), so one
    pipeline version may be published twice with different ``defaults``."""

    endpoint = models.ForeignKey(PipelineEndpoint, on_delete=models.CASCADE, related_name="versions")
    version = models.ForeignKey("pipelines.PipelineVersion", on_delete=models.RESTRICT, related_name="+")
    number = models.PositiveIntegerField()
    # Parameter values that replace the document's defaults for this published version (a caller's
    # values still win): "Publish from this run" stores the run's values here.
    defaults = models.JSONField(default=dict, blank=True)
    from_run = models.ForeignKey("runs.Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["endpoint_id", "number"]
        constraints = [models.UniqueConstraint(fields=["endpoint", "number"], name="published_version_unique")]


class OverrideDataset(models.Model):
    """Where a caller's uploaded file for a dataset parameter goes: one dataset per endpoint and parameter,
    created on first use, each upload a new version of it."""

    endpoint = models.ForeignKey(PipelineEndpoint, on_delete=models.CASCADE, related_name="override_datasets")
    parameter = models.CharField(max_length=64)
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["endpoint", "parameter"], name="override_dataset_unique")]


class PublishedRun(models.Model):
    """A run an endpoint started, and why: a REST call, a schedule's tick, a new dataset version, a drift alarm."""

    class Kind(models.TextChoices):
        REST = "rest"
        SCHEDULE = "schedule"
        DATA = "data"
        DRIFT = "drift"
        MANUAL = "manual"  # from the designer ("run this published pipeline now")

    endpoint = models.ForeignKey(PipelineEndpoint, on_delete=models.CASCADE, related_name="runs")
    run = models.OneToOneField("runs.Run", on_delete=models.CASCADE, related_name="published")
    number = models.PositiveIntegerField()  # the version number run
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["endpoint", "-created_at"])]
