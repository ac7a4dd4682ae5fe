"""Reads for the activity feed, and the one-line summary each event shows."""

from __future__ import annotations

from typing import Any

from django.db import models

from .models import ActivityEvent

_PHRASES = {
    "member_added": "added {name} as {role}",
    "role_changed": "made {name} {role}",
    "member_removed": "removed {name}",
}


def feed(
    workspace: Any, object_type: str | None = None, object_id: int | None = None
) -> models.QuerySet[ActivityEvent]:
    """The workspace's events, newest first (ties broken by id so pages never overlap)."""
    events = ActivityEvent.objects.filter(workspace=workspace)
    if object_type is not None:
        events = events.filter(object_type=object_type)
    if object_id is not None:
        events = events.filter(object_id=object_id)
    return events.order_by("-created_at", "-id")


def summary(event: ActivityEvent) -> str:
    """E.g. "olivia saved pipeline 'Churn' (version 3)" or "Tessera finished run 12 of 'Churn' (completed)"."""
    who = event.actor_name or "Tessera"
    detail = event.detail or {}
    if event.verb in _PHRASES:
        what = _PHRASES[event.verb].format(name=event.object_name, role=detail.get("role", ""))
        return f"{who} {what}"
    if event.verb == "key_regenerated":
        return f"{who} regenerated the {detail.get('key', '')} key of endpoint '{event.object_name}'"
    name = f"'{event.object_name}'" if event.object_name else ""
    if event.object_type == "run":
        subject = f"run {event.object_id}" + (f" of {name}" if name else "")
    else:
        subject = f"{event.object_type} {name}".strip()
    extra = []
    if "version" in detail:
        extra.append(f"version {detail['version']}")
    if "status" in detail:
        extra.append(str(detail["status"]))
    if "source" in detail and isinstance(detail["source"], dict) and detail["source"].get("name"):
        extra.append(f"from '{detail['source']['name']}'")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"{who} {event.verb.replace('_', ' ')} {subject}{tail}"
