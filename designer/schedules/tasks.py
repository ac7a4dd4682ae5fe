"""Celery entry points: take ids (and the tick beat sent), call a service. Idempotent: a repeated or
duplicate message finds its tick or version already claimed and does nothing."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.db import close_old_connections

from . import services
from .dispatch import FIRE_SCHEDULE, FIRE_TRIGGER


@shared_task(name=FIRE_SCHEDULE, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fire_schedule_task(schedule_id: int, tick: str | None = None) -> None:
    close_old_connections()
    try:
        services.fire_tick(schedule_id, datetime.fromisoformat(tick) if tick else None)
    finally:
        close_old_connections()


@shared_task(name=FIRE_TRIGGER, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def fire_trigger_task(trigger_id: int, version_id: int) -> None:
    close_old_connections()
    try:
        services.fire_trigger(trigger_id, version_id)
    finally:
        close_old_connections()
