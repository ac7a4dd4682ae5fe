"""Sending work to the workers: one message per node attempt or part, by task name, to its queue.

Messages go by name so that the services and the part runner, which send them, never import the Celery
entry points (``tasks``), which call them: the entry points sit on top, the services below.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from designer.celery import app

log = logging.getLogger(__name__)

EXECUTE_NODE = "tessera.execute_node"
EXECUTE_PART = "tessera.execute_part"
REAP_STALE_NODES = "tessera.reap_stale_nodes"


@dataclass
class Unsent:
    """The node messages the broker did not take, and why (empty when every message went)."""

    items: list[tuple[int, int, str]] = field(default_factory=list)
    error: str = ""

    def __bool__(self) -> bool:
        return bool(self.items)


def send_nodes(items: Iterable[tuple[int, int, str]]) -> Unsent:
    """One ``execute_node`` message per ``(node run id, attempt, queue)``; never raises.

    Celery retries a publish a few times within about a second (``task_publish_retry_policy``); when
    that fails the broker is unreachable, so the rest are not tried either: all of them come back,
    for the caller to record and the reaper to send once the broker answers again.
    """
    items = list(items)
    for i, (node_run_id, attempt, queue) in enumerate(items):
        try:
            app.send_task(EXECUTE_NODE, args=[node_run_id, attempt], queue=queue)
        except Exception as exc:  # kombu's OperationalError, a socket error, a locked SQLite broker ...
            log.warning(
                "could not send %s node message(s), the first for node run %s: %s", len(items) - i, node_run_id, exc
            )
            return Unsent(items[i:], f"{type(exc).__name__}: {exc}"[:200])
    return Unsent()


def send_parts(part_ids: Iterable[int], queue: str) -> None:
    """One ``execute_part`` message per part, all to the node's queue; never raises.

    A part whose message the broker did not take stays pending, and the node's own worker takes pending
    parts itself (``runs/parts.py``): the work is done, only not spread, until the broker answers again."""
    ids = list(part_ids)
    for i, pk in enumerate(ids):
        try:
            app.send_task(EXECUTE_PART, args=[pk], queue=queue)
        except Exception as exc:  # as in send_nodes: the broker is unreachable, do not try the rest
            log.warning("could not send %s part message(s), the first for part %s: %s", len(ids) - i, pk, exc)
            return
