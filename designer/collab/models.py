"""The edit sequence of a pipeline's shared draft: the order every client applies ops in."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class EditLog(models.Model):
    """One applied op; ``seq`` counts per pipeline from 1 and lets a client catch up after a gap."""

    pipeline = models.ForeignKey("pipelines.Pipeline", on_delete=models.CASCADE, related_name="edits")
    seq = models.PositiveIntegerField()
    op = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pipeline_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["pipeline", "seq"], name="editlog_unique_seq")]
