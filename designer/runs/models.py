"""Run state. The database is the source of truth; events are a log of changes for live followers."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Run(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        COMPLETED = "completed"
        FAILED = "failed"
        CANCELLED = "cancelled"

    TERMINAL = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="runs")
    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="runs")
    pipeline_version = models.ForeignKey(
        "pipelines.PipelineVersion", on_delete=models.RESTRICT, related_name="runs"
    )  # a version with runs cannot be deleted on its own, only with its pipeline
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    # Dataset versions resolved at submit time for references that asked for "latest".
    dataset_pins = models.JSONField(default=dict, blank=True)
    regenerate = models.JSONField(default=list, blank=True)
    # The value every pipeline parameter took (given or default): what the run computed with.
    parameter_values = models.JSONField(default=dict, blank=True)
    # Why it ran: {"kind": "manual"} from the canvas or REST; schedules, data triggers, published
    # pipelines and retraining record their own kind and what fired them.
    trigger = models.JSONField(default=dict, blank=True)
    # Where the submitter's code stood, when submitted from a Git working copy by the CLI or SDK:
    # {"repository": URL without credentials or null, "branch": name or null, "commit": sha, "dirty": bool}.
    git = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"run {self.pk} of pipeline {self.pipeline_id} ({self.status})"

    @property
    def is_terminal(self) -> bool:
        return self.status in self.TERMINAL


class NodeRun(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"  # waiting for its inputs
        QUEUED = "queued"
        RUNNING = "running"
        COMPLETED = "completed"
        REUSED = "reused"  # outputs taken from the cache
        FAILED = "failed"
        SKIPPED = "skipped"  # an ancestor failed
        CANCELLED = "cancelled"

    DONE = (Status.COMPLETED, Status.REUSED)
    ACTIVE = (Status.QUEUED, Status.RUNNING)
    TERMINAL = (Status.COMPLETED, Status.REUSED, Status.FAILED, Status.SKIPPED, Status.CANCELLED)

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="nodes")
    node_id = models.CharField(max_length=255)  # expanded ids: "component_node/inner_node"
    module_id = models.CharField(max_length=64)
    module_version = models.PositiveIntegerField()
    module_name = models.CharField(max_length=128)
    queue = models.CharField(max_length=16, default="cpu")
    cache_key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.CharField(max_length=300, blank=True, default="")  # why it ran or was reused
    attempt = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True, default="")
    progress = models.FloatField(default=0.0)
    progress_message = models.CharField(max_length=300, blank=True, default="")
    error = models.JSONField(null=True, blank=True)
    log = models.TextField(blank=True, default="")
    outputs = models.JSONField(default=dict, blank=True)  # port -> {digest, type, size, summary}
    # How the parts of its ctx.map ran: {"what": "trial", "parts": 6, "workers": {worker: parts run}}.
    spread = models.JSONField(default=dict, blank=True)
    # Where it ran: {"target": compute target, "path": "pandas" or "dask"; on Dask also "scheduler", "dashboard"
    # (a link, or null) and "partitions"}. The target is known when the run is submitted, the rest once it ran.
    compute = models.JSONField(default=dict, blank=True)
    # Records the module sends with its progress, by key, latest of each (ctx.progress(detail=...)): an
    # AutoML node's leaderboard rows so far, for a browser that opens mid-run.
    live = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # When its current message was sent, and how often it was sent again (a lost message: see the reaper).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    redispatches = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["run", "node_id"], name="noderun_unique_node")]

    def __str__(self) -> str:
        return f"{self.node_id} ({self.module_id}) in run {self.run_id}: {self.status}"


class RunEvent(models.Model):
    """Append-only log of what happened in a run; ``id`` is the sequence number clients resume from."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["run", "id"])]


class CacheEntry(models.Model):
    """Outputs of a node computation, by cache key, shared by the runs of one workspace."""

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    module_id = models.CharField(max_length=64)
    outputs = models.JSONField()
    run = models.ForeignKey(Run, on_delete=models.SET_NULL, null=True, related_name="+")
    node_id = models.CharField(max_length=255)  # expanded ids: "component_node/inner_node"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "key"], name="cache_unique_key")]


class NodePart(models.Model):
    """One item of a node's ``ctx.map`` (one trial of a sweep): any worker on the node's queue may run it.

    The node's own worker runs parts too; a part is taken by a conditional update from ``pending``, so
    two workers never both run it. ``item`` and ``result`` are JSON text (NaN allowed). A part whose
    worker stops beating is put back to ``pending`` by the node's worker, which then runs it itself.
    When the node bounds the parts in flight, the others start ``waiting``; each part that finishes
    moves the next waiting one to ``pending`` and sends its message.
    """

    class Status(models.TextChoices):
        WAITING = "waiting"  # not offered yet: the node bounds how many parts are in flight at once
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"
        CANCELLED = "cancelled"

    node_run = models.ForeignKey(NodeRun, on_delete=models.CASCADE, related_name="parts")
    attempt = models.PositiveIntegerField()  # the node's attempt this part belongs to
    batch = models.PositiveIntegerField(default=1)  # the node's n-th call of ctx.map
    index = models.PositiveIntegerField()
    item = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    worker = models.CharField(max_length=200, blank=True, default="")
    result = models.TextField(blank=True, default="")
    error = models.JSONField(null=True, blank=True)
    log = models.TextField(blank=True, default="")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # null while the node's own worker runs it

    class Meta:
        ordering = ["node_run_id", "attempt", "batch", "index"]
        constraints = [
            models.UniqueConstraint(fields=["node_run", "attempt", "batch", "index"], name="nodepart_unique_index")
        ]
        indexes = [models.Index(fields=["node_run", "attempt", "batch", "status"])]

    def __str__(self) -> str:
        return f"part {self.index} of {self.node_run_id} (attempt {self.attempt}): {self.status}"
