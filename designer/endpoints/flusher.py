"""The call-record flusher as a process of its own, beside a scoring server's workers.

``python -m designer.endpoints.flusher --parent PID`` writes the spool (calls and drift samples) to the
database every ``TESSERA_CALL_FLUSH_SECONDS`` until its parent, the gunicorn master that started it
(``gunicorn_conf.py``), exits; on SIGTERM or SIGINT, and when the parent is gone, it flushes once more and
exits; after each pass it checkpoints the spool's log, which the workers leave to it. Its interpreter is not
a serving worker's, so turning spooled records into model rows and writing them never holds the interpreter a
request is waiting for; it needs Django's ORM only (no pandas or scikit-learn), and it runs at a lower CPU
priority than the workers.

If it dies anyway, nothing is lost: records stay in the spool, and every worker that starts drains it.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading

log = logging.getLogger(__name__)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parent", type=int, required=True, help="exit (after a last flush) when it has gone")
    args = parser.parse_args()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designer.settings")
    os.environ.pop("TESSERA_CALL_FLUSHER", None)  # this process is the one that flushes
    # Each worker drains the spool when it starts (calls a killed predecessor left), so this process has
    # nothing to do at first: it sets Django up only after its first wait, leaving the CPUs to the workers'
    # own start (the time to a server's first answer).
    _wait(stop, START_DELAY_SECONDS, args.parent)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    # Its connections named apart from the workers' (pg_stat_activity), whose pools TESSERA_DB_POOL_MAX bounds.
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options["application_name"] = f"{options.get('application_name') or 'tessera'} call flusher"

    from .recorder import recorder

    interval = max(0.05, float(settings.TESSERA_CALL_FLUSH_SECONDS))
    # the first flush one interval after start, as every later one (the workers drained the spool at start)
    _wait(stop, max(0.0, interval - START_DELAY_SECONDS), args.parent)
    while True:
        last = stop.is_set() or os.getppid() != args.parent
        try:
            recorder.flush()
        except Exception:  # never let the loop die: the next pass retries
            log.exception("flushing endpoint call records failed")
        finally:
            connections.close_all()
        recorder.checkpoint()  # the workers only append: the spool's log is copied back here, off their calls
        if last:
            return
        _wait(stop, interval, args.parent)


START_DELAY_SECONDS = 3.0


def _wait(stop: threading.Event, seconds: float, parent: int) -> None:
    """Sleep ``seconds``, or less when told to stop or when the parent has gone (noticed within a second)."""
    waited = 0.0
    while waited < seconds and not stop.is_set() and os.getppid() == parent:
        step = min(1.0, seconds - waited)
        stop.wait(step)
        waited += step


if __name__ == "__main__":
    main()
