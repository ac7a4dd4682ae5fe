"""Endpoints and their call records. An endpoint keeps its own copy of the document it serves."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]{1,62}$"


class Endpoint(models.Model):
    class Status(models.TextChoices):
        LIVE = "live"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="endpoints")
    # Names are in the scoring URL, so they are unique across the installation.
    name = models.CharField(
        max_length=63,
        unique=True,
        validators=[RegexValidator(NAME_PATTERN, "Use 2-63 lower-case letters, digits and hyphens.")],
    )
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.LIVE)
    pipeline = models.ForeignKey(
        "pipelines.Pipeline", on_delete=models.SET_NULL, null=True, blank=True, related_name="endpoints"
    )
    pipeline_version = models.ForeignKey(
        "pipelines.PipelineVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="endpoints"
    )
    version_number = models.PositiveIntegerField()
    # The served document and the artifacts it reads, pinned at deploy time: deleting or editing the
    # pipeline later does not change what callers get.
    document = models.JSONField()
    artifacts = models.JSONField(default=list)
    inputs = models.JSONField(default=list)  # [{name, columns: [{name, type}]}]
    outputs = models.JSONField(default=list)  # [name]
    example = models.JSONField(default=dict)
    example_response = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)  # bumped on redeploy; scoring servers reload on change
    primary_key = models.CharField(max_length=64)
    secondary_key = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EndpointCall(models.Model):
    """One scoring call, errors included: spooled durably on the request path, written here in batches."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="calls")
    # Given when the call is spooled: a batch written twice (a flusher killed mid-write) is kept once.
    call_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    at = models.DateTimeField()
    latency_ms = models.FloatField()  # in the app: from the view's start to the answer
    # From the moment the scoring server accepted the connection (or a kept-alive connection's next
    # request became readable) to the answer: includes waiting for a free thread. Null where the
    # server cannot tell (the web app, gunicorn without Tessera's worker class).
    total_ms = models.FloatField(null=True, blank=True)
    status = models.PositiveSmallIntegerField()
    rows = models.PositiveIntegerField(default=0)
    error_kind = models.CharField(max_length=32, blank=True, default="")
    format = models.CharField(max_length=16, default="azure")
    # What the answer said beyond its rows: request rows the pipeline removed, warnings (unseen
    # categories, values outside the training range, untraceable rows) and the first of them.
    dropped_rows = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["endpoint", "at"])]


class EndpointSample(models.Model):
    """Request rows kept for drift analysis: the first rows of a successful call, size-capped."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="samples")
    at = models.DateTimeField()
    input = models.CharField(max_length=64)
    rows = models.JSONField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["endpoint", "at"])]


class DerivedPipeline(models.Model):
    """The inference pipeline made from a run, so asking again opens it rather than making another copy.

    Deleting the pipeline deletes this record, and the next request derives a fresh one."""

    class Kind(models.TextChoices):
        REAL_TIME = "real_time"
        BATCH = "batch"

    run = models.ForeignKey("runs.Run", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="+")
    notes = models.JSONField(default=list)  # what the derivation did, shown again when it is opened again
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "kind"], name="derivedpipeline_one_per_run_and_kind")]
