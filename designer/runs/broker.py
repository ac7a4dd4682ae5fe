"""The embedded default's broker (Celery over SQLite, ``sqla+sqlite://``): its queues made before anyone uses them.

kombu's SQLAlchemy transport creates a queue's row the first time a process declares it, with a select and
then an insert. When ``make start`` starts the worker and beat at once on a fresh broker file, both may
insert ``cpu``; the loser's session is left rolled back, and beat then fails every scheduled send until it
restarts. Declaring the queues once, after ``migrate`` (which ``make start`` and compose run first), leaves
nothing to race for. Brokers with a server (Redis, RabbitMQ) need nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

QUEUES = ("cpu", "gpu")


def declare_embedded_queues(**kwargs: Any) -> None:
    """``post_migrate`` receiver: declare every queue on the SQLite broker (a no-op for other brokers)."""
    url = str(getattr(settings, "CELERY_BROKER_URL", ""))
    if not url.startswith("sqla+"):
        return
    from kombu import Connection

    with Connection(url) as conn:
        channel = conn.default_channel
        for queue in QUEUES:
            channel.queue_declare(queue=queue)
    log.info("declared queues %s on the embedded broker", ", ".join(QUEUES))
