"""Components: a named, versioned document (a sub-pipeline or a script module) of one workspace."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Component(models.Model):
    class Kind(models.TextChoices):
        GRAPH = "graph"
        SCRIPT = "script"

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="component_unique_name")]

    def __str__(self) -> str:
        return self.name


class ComponentVersion(models.Model):
    """One save of a component. Never updated: pipelines name it by number, and runs expand it."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    message = models.CharField(max_length=500, blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["component_id", "number"]
        constraints = [models.UniqueConstraint(fields=["component", "number"], name="componentversion_unique_number")]

    def __str__(self) -> str:
        return f"component {self.component_id} v{self.number}"
