"""An environment of one workspace and its immutable versions (requirement lines, base, content hash)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Environment(models.Model):
    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="environments")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="environment_unique_name")]

    def __str__(self) -> str:
        return self.name


class EnvironmentVersion(models.Model):
    """One save of an environment. Never updated: nodes pin it by its lines and content hash."""

    class Base(models.TextChoices):
        WORKER = "worker"  # the worker's own packages, below the environment's
        NONE = "none"  # only what the lines install

    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    base = models.CharField(max_length=10, choices=Base.choices, default=Base.WORKER)
    requirements = models.JSONField(default=list)  # normalized lines: no blanks, no comments
    content_hash = models.CharField(max_length=64, db_index=True)
    message = models.CharField(max_length=500, blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["environment_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["environment", "number"], name="environmentversion_unique_number")
        ]

    def __str__(self) -> str:
        return f"environment {self.environment_id} v{self.number}"

    def choice(self) -> dict[str, object]:
        """The value of a node's ``environment`` parameter that pins this version."""
        return {
            "name": self.environment.name,
            "version": self.number,
            "base": self.base,
            "requirements": list(self.requirements),
            "hash": self.content_hash,
        }
