"""Celery entry point of retraining: the periodic pass Celery beat sends (CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task
from django.db import close_old_connections

from . import services

TICK = "designer.retraining.tick"


@shared_task(name=TICK, ignore_result=True)
def tick_task() -> None:
    close_old_connections()
    try:
        services.tick()
    finally:
        close_old_connections()
