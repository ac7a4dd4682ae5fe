"""Schedules and data triggers of pipeline endpoints, and the history of each: one row per tick or new
dataset version, claimed before a run starts, so that a tick or a version starts at most one run."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Outcome(models.TextChoices):
    RAN = "ran"  # a run started (``run``)
    SKIPPED = "skipped"  # on purpose: paused, too many runs still running, missed (``reason``)
    FAILED = "failed"  # the run could not start: the pipeline refused the values (``reason``)


class Schedule(models.Model):
    """Runs of a pipeline endpoint at the ticks of a cron expression or an interval (designer/schedules/
    timing.py), in a time zone and an optional window, with fixed parameter values."""

    class Missed(models.TextChoices):
        SKIP = "skip"  # a tick that could not start on time (beat or workers were down) is skipped
        RUN_ONCE = "run_once"  # the latest such tick runs once when things are back; older ones are skipped

    endpoint = models.ForeignKey("published.PipelineEndpoint", on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(max_length=200, blank=True, default="")
    cron = models.CharField(max_length=200, blank=True, default="")  # five fields, or "" for an interval
    interval_seconds = models.PositiveIntegerField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC")
    start_at = models.DateTimeField(null=True, blank=True)
    end_at = models.DateTimeField(null=True, blank=True)
    paused = models.BooleanField(default=False)
    max_concurrent = models.PositiveIntegerField(default=1)
    missed = models.CharField(max_length=16, choices=Missed.choices, default=Missed.RUN_ONCE)
    values = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)  # a published version number; None: the default
    # Ticks count only after this moment (when the timing was set): the anchor of an interval without a start.
    timing_since = models.DateTimeField()
    # The beat entry; created, changed and deleted with the schedule, in the same transaction.
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["endpoint_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(cron="") & models.Q(interval_seconds__isnull=False))
                | (~models.Q(cron="") & models.Q(interval_seconds__isnull=True)),
                name="schedule_cron_xor_interval",
            )
        ]

    def __str__(self) -> str:
        return self.name or f"schedule {self.pk}"


class ScheduleTick(models.Model):
    """One tick of a schedule and what became of it. Unique per (schedule, tick): with two beat processes
    sending the same tick, the second finds the row and starts nothing."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="ticks")
    tick = models.DateTimeField()  # the scheduled time, not when the message arrived
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    run = models.ForeignKey("runs.Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-tick", "-id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "tick"], name="schedule_tick_unique")]


class DataTrigger(models.Model):
    """Runs of a pipeline endpoint when ``dataset`` (of the endpoint's workspace) gets a new version: the
    new version goes to the pipeline's dataset parameter ``parameter``, the other values are fixed."""

    endpoint = models.ForeignKey("published.PipelineEndpoint", on_delete=models.CASCADE, related_name="data_triggers")
    name = models.CharField(max_length=200, blank=True, default="")
    dataset = models.ForeignKey("datasets.Dataset", on_delete=models.CASCADE, related_name="+")
    parameter = models.CharField(max_length=64)
    values = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)  # a published version number; None: the default
    paused = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["endpoint_id", "id"]

    def __str__(self) -> str:
        return self.name or f"trigger {self.pk}"


class TriggerFiring(models.Model):
    """One new dataset version seen by a trigger and what became of it; unique per (trigger, version)."""

    trigger = models.ForeignKey(DataTrigger, on_delete=models.CASCADE, related_name="firings")
    dataset_version = models.ForeignKey("datasets.DatasetVersion", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    run = models.ForeignKey("runs.Run", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["trigger", "dataset_version"], name="trigger_firing_unique")]
