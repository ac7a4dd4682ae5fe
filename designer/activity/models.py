"""One row per thing that happened in a workspace. Rows are written by ``services.record`` and never updated."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ActivityEvent(models.Model):
    class Verb(models.TextChoices):
        CREATED = "created"
        SAVED = "saved"
        RESTORED = "restored"
        CLONED = "cloned"
        IMPORTED = "imported"
        DELETED = "deleted"
        SUBMITTED = "submitted"
        FINISHED = "finished"
        UPLOADED = "uploaded"
        DEPLOYED = "deployed"
        REDEPLOYED = "redeployed"
        MEMBER_ADDED = "member_added"
        ROLE_CHANGED = "role_changed"
        MEMBER_REMOVED = "member_removed"
        KEY_REGENERATED = "key_regenerated"
        CANCELLED = "cancelled"
        # operating pipelines unattended: publishing, triggers and schedules, retrain-and-promote
        PUBLISHED = "published"
        UPDATED = "updated"
        TRIGGERED = "triggered"
        PAUSED = "paused"
        RESUMED = "resumed"
        ALARMED = "alarmed"
        APPROVED = "approved"
        REJECTED = "rejected"
        PROMOTED = "promoted"

    class ObjectType(models.TextChoices):
        PIPELINE = "pipeline"
        RUN = "run"
        DATASET = "dataset"
        ENDPOINT = "endpoint"
        MEMBER = "member"
        MODEL = "model"
        PIPELINE_ENDPOINT = "pipeline_endpoint"
        SCHEDULE = "schedule"
        TRIGGER = "trigger"
        CHALLENGER = "challenger"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="activity")
    # Null when nobody acted (a run finishing) or the user was deleted since; ``actor_name`` keeps the name.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    verb = models.CharField(max_length=32, choices=Verb.choices)
    object_type = models.CharField(max_length=32, choices=ObjectType.choices)
    # The object may be gone (deleted): the id and name are a record of what it was, not a foreign key.
    object_id = models.BigIntegerField(null=True, blank=True)
    object_name = models.CharField(max_length=200, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"], name="activity_feed_idx")]

    def __str__(self) -> str:
        return f"{self.actor_name or 'Tessera'} {self.verb} {self.object_type} {self.object_id}"
