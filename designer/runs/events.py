"""Run events: one row per change (the log a reconnecting client resumes from), relayed live over the channel layer."""

from __future__ import annotations

import asyncio
import atexit
import logging
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from contextlib import contextmanager
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from .models import NodeRun, Run, RunEvent

log = logging.getLogger(__name__)


def group_name(run_id: int) -> str:
    return f"run.{run_id}"


def emit(run: Run | int, type: str, **payload: Any) -> RunEvent:
    """Record an event; broadcast it once the surrounding transaction commits. Inside :func:`batched`, the
    event is written with the others of the block, in one statement, when the block ends."""
    run_id = run if isinstance(run, int) else run.pk
    event = RunEvent(run_id=run_id, type=type, payload=payload)
    pending: list[RunEvent] | None = getattr(_batch, "events", None)
    if pending is not None:
        pending.append(event)
        return event
    event.save()
    _announce([event])
    return event


_batch = threading.local()


@contextmanager
def batched() -> Iterator[None]:
    """Events emitted in the block are inserted together when it ends, in the order emitted (their ids, the
    sequence sockets resume from, keep that order): a node hand-off writes its three events (finished, queued,
    started) in one round trip instead of three. Use it inside the transaction (it writes before the commit);
    an exception discards them, as the transaction's rollback would. Nested blocks write with the outermost."""
    if getattr(_batch, "events", None) is not None:
        yield
        return
    _batch.events = []
    try:
        yield
        events: list[RunEvent] = _batch.events
    finally:
        _batch.events = None
    if events:
        RunEvent.objects.bulk_create(events)  # ids come back (PostgreSQL's RETURNING; SQLite's too)
        _announce(events)


def _announce(events: list[RunEvent]) -> None:
    if not settings.TESSERA_EVENTS_VIA_LAYER:
        return
    for event in events:
        run_id, message = event.run_id, {"type": "run.event", "event": serialize_event(event)}
        transaction.on_commit(lambda run_id=run_id, message=message: _broadcast(run_id, message))


def _broadcast(run_id: int, message: dict[str, Any]) -> None:
    """Hands the event to this process's broadcasting loop and returns at once: a node hand-off does not wait
    for Redis (``async_to_sync`` made a loop, and a Redis connection, per event: ~9 ms each, three per node)."""
    _BROADCASTER.send(group_name(run_id), message)


class _Broadcaster:
    """One event loop on a daemon thread per process (made again after a fork), so the channel layer keeps its
    Redis connections; events leave in the order they were committed. What is pending at exit gets a second."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._pid = 0
        self._pending: set[Future[None]] = set()

    def send(self, group: str, message: dict[str, Any]) -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        future = asyncio.run_coroutine_threadsafe(_send(layer, group, message), self._running_loop())
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def _done(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, name="tessera-broadcast", daemon=True).start()
                self._loop, self._pid, self._pending = loop, os.getpid(), set()
            return self._loop

    def flush(self, timeout: float = 1.0) -> None:
        with self._lock:
            pending = list(self._pending) if self._pid == os.getpid() else []
        if pending:
            wait_futures(pending, timeout=timeout)


async def _send(layer: Any, group: str, message: dict[str, Any]) -> None:
    try:
        await layer.group_send(group, message)
    except Exception:  # a dropped broadcast is recovered from the event table on reconnect
        log.warning("could not broadcast an event to %s", group, exc_info=True)


_BROADCASTER = _Broadcaster()
atexit.register(_BROADCASTER.flush)


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
        "compute": node.compute,
        "progress": node.progress,
        "reason": node.reason,
        "error": node.error,
    }
