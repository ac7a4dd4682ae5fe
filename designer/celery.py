"""The Celery app. Tasks are thin: they take ids and call a service (designer.runs.services)."""

from __future__ import annotations

import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")

app = Celery("tessera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["designer.runs", "designer.schedules", "designer.retraining", "designer.datasets"])

if app.conf.broker_url.startswith("sqla+"):
    # Poll the embedded SQLite broker every 50 ms; kombu hands transport options to create_engine,
    # so the interval must be set on the class (see shared/STACK-NOTES.md).
    from kombu.transport import sqlalchemy as _sqla

    _sqla.Transport.polling_interval = 0.05


@worker_init.connect
def _say_how_user_code_is_confined(**_: object) -> None:
    from modules.library.python_language import report_confinement

    report_confinement()  # logs "user code: bubblewrap: ..." (or why user code is refused)


@worker_init.connect
def _import_the_model_format(**_: object) -> None:
    """skops before the first node, not inside it (the first trained model a worker saved took 1.3-2.5 s
    longer than the next, past an AutoML node's time budget), and before a prefork pool forks, so that every
    child starts with it."""
    from modules.sdk.skops_import import import_skops

    import_skops()
