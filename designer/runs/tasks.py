"""Celery entry points: take ids, call a service. The reaper thread starts with every worker."""

from __future__ import annotations

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections

from . import parts, services
from .dispatch import EXECUTE_NODE, EXECUTE_PART, REAP_STALE_NODES

log = logging.getLogger(__name__)


@shared_task(bind=True, name=EXECUTE_NODE, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def execute_node_task(self, node_run_id: int, attempt: int) -> None:  # type: ignore[no-untyped-def]
    close_old_connections()
    try:
        services.execute_node_run(node_run_id, attempt, worker=self.request.hostname or "")
    finally:
        close_old_connections()


@shared_task(name=EXECUTE_PART, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def execute_part_task(part_id: int) -> None:
    close_old_connections()
    try:
        parts.execute_part_run(part_id, worker=services.default_worker_name())
    finally:
        close_old_connections()


@shared_task(name=REAP_STALE_NODES, ignore_result=True)
def reap_stale_nodes_task() -> None:
    services.reap_stale_nodes()


_reaper_stop = threading.Event()


def _reaper_loop() -> None:
    interval = float(settings.TESSERA_HEARTBEAT_SECONDS)
    while not _reaper_stop.wait(interval):
        try:
            close_old_connections()
            report = services.reap_stale_nodes()
            if report.retried or report.failed or report.redispatched:
                log.warning(
                    "reaper: retried %s, failed %s, sent again %s", report.retried, report.failed, report.redispatched
                )
        except Exception:  # keep reaping; the next pass retries
            log.exception("reaper pass failed")


@worker_ready.connect
def _start_reaper(sender=None, **kwargs):  # type: ignore[no-untyped-def]
    threading.Thread(target=_reaper_loop, name="tessera-reaper", daemon=True).start()


@worker_shutdown.connect
def _stop_reaper(**kwargs):  # type: ignore[no-untyped-def]
    _reaper_stop.set()
