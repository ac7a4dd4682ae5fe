"""Run events: one row per change (the log a reconnecting client resumes from), relayed live over the channel layer."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from .models import NodeRun, Run, RunEvent

log = logging.getLogger(__name__)


def group_name(run_id: int) -> str:
    return f"run.{run_id}"


def emit(run: Run | int, type: str, **payload: Any) -> RunEvent:
    """Record an event; broadcast it once the surrounding transaction commits."""
    run_id = run if isinstance(run, int) else run.pk
    event = RunEvent.objects.create(run_id=run_id, type=type, payload=payload)
    if settings.TESSERA_EVENTS_VIA_LAYER:
        message = {"type": "run.event", "event": serialize_event(event)}
        transaction.on_commit(lambda: _broadcast(run_id, message))
    return event


def _broadcast(run_id: int, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group_name(run_id), message)
    except Exception:  # a dropped broadcast is recovered from the event table on reconnect
        log.warning("could not broadcast event for run %s", run_id, exc_info=True)


def serialize_event(event: RunEvent) -> dict[str, Any]:
    return {
        "seq": event.pk,
        "type": event.type,
        "run": event.run_id,
        "at": event.created_at.isoformat() if event.created_at else None,
        **event.payload,
    }


def node_payload(node: NodeRun) -> dict[str, Any]:
    return {
        "node": node.node_id,
        "status": node.status,
        "attempt": node.attempt,
        "worker": node.worker,
        "spread": node.spread,
        "progress": node.progress,
        "reason": node.reason,
        "error": node.error,
    }
