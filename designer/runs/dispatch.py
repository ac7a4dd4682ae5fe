"""Sending work to the workers: one message per node attempt or part, by task name, to its queue.

Messages go by name so that the services and the part runner, which send them, never import the Celery
entry points (``tasks``), which call them: the entry points sit on top, the services below.
"""

from __future__ import annotations

from collections.abc import Iterable

from designer.celery import app

EXECUTE_NODE = "tessera.execute_node"
EXECUTE_PART = "tessera.execute_part"
REAP_STALE_NODES = "tessera.reap_stale_nodes"


def send_nodes(items: Iterable[tuple[int, int, str]]) -> None:
    """One ``execute_node`` message per ``(node run id, attempt, queue)``."""
    for node_run_id, attempt, queue in items:
        app.send_task(EXECUTE_NODE, args=[node_run_id, attempt], queue=queue)


def send_parts(part_ids: Iterable[int], queue: str) -> None:
    """One ``execute_part`` message per part, all to the node's queue."""
    for pk in part_ids:
        app.send_task(EXECUTE_PART, args=[pk], queue=queue)
