"""Messages to the workers by task name (so services and the dataset hook never import the entry points),
and the hook the dataset service calls after a new version commits."""

from __future__ import annotations

import logging

from designer.celery import app

from .models import DataTrigger

log = logging.getLogger(__name__)

FIRE_SCHEDULE = "tessera.fire_schedule"
FIRE_TRIGGER = "tessera.fire_trigger"


def dataset_version_created(dataset_id: int, version_id: int) -> None:
    """One message per active trigger on the dataset. Runs after commit, so a worker always finds the
    version; a broker failure is logged and never fails the upload that made the version."""
    try:
        for trigger_id in DataTrigger.objects.filter(dataset_id=dataset_id, paused=False).values_list("pk", flat=True):
            app.send_task(FIRE_TRIGGER, args=[trigger_id, version_id])
    except Exception:
        log.exception("could not announce version %s of dataset %s to its triggers", version_id, dataset_id)
