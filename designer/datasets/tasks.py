"""Celery entry point: registers an upload staged by the request that sent it (``registration.py``)."""

from __future__ import annotations

from celery import shared_task
from django.db import close_old_connections

from . import registration
from .registration import REGISTER_UPLOAD


@shared_task(name=REGISTER_UPLOAD, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def register_upload_task(registration_id: int) -> None:
    close_old_connections()
    try:
        registration.register(registration_id)
    finally:
        close_old_connections()
