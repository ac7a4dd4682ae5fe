"""Call records and sampled request rows, written off the request path in batches by one thread.

A scoring call only appends to a list; a daemon thread writes the batch every
``TESSERA_CALL_FLUSH_SECONDS`` with one ``bulk_create``. A failed write keeps the batch for the next
try (up to ``MAX_BUFFER`` records), and the buffer is flushed when the process exits. With the
interval set to 0 records are written inline, which tests use to check them deterministically.
"""

from __future__ import annotations

import atexit
import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections

log = logging.getLogger(__name__)

MAX_BUFFER = 100_000


class CallRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffer: list[Any] = []
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self.dropped = 0

    def record(self, call: Any) -> None:
        interval = float(settings.TESSERA_CALL_FLUSH_SECONDS)
        with self._lock:
            if len(self._buffer) >= MAX_BUFFER:
                self.dropped += 1
                return
            self._buffer.append(call)
        if interval <= 0:
            self.flush()
        else:
            self._ensure_thread(interval)

    def pending(self) -> int:
        with self._lock:
            return len(self._buffer)

    def flush(self) -> int:
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return 0
        try:
            # Items may defer their conversion (``to_model``) so the request path only appends.
            batch = [item.to_model() if hasattr(item, "to_model") else item for item in batch]
            by_model: dict[type, list[Any]] = {}
            for item in batch:
                by_model.setdefault(type(item), []).append(item)
            for model, items in by_model.items():
                model.objects.bulk_create(items, batch_size=500)
            _prune_samples({s.endpoint_id for s in by_model.get(_sample_model(), [])})
        except Exception:
            log.exception("writing %d endpoint call records failed; keeping them for the next try", len(batch))
            with self._lock:
                self._buffer = (batch + self._buffer)[:MAX_BUFFER]
            return 0
        return len(batch)

    def _ensure_thread(self, interval: float) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._loop, args=(interval,), name="call-recorder", daemon=True)
            self._thread.start()

    def _loop(self, interval: float) -> None:
        while True:
            self._wake.wait(interval)
            self._wake.clear()
            close_old_connections()
            self.flush()


recorder = CallRecorder()
atexit.register(recorder.flush)


def _sample_model() -> type:
    from .models import EndpointSample

    return EndpointSample


def _prune_samples(endpoint_ids: set[int]) -> None:
    """Keep the newest ``TESSERA_CAPTURE_MAX_SAMPLES`` samples per endpoint."""
    model = _sample_model()
    keep = int(settings.TESSERA_CAPTURE_MAX_SAMPLES)
    for endpoint_id in endpoint_ids:
        cutoff = list(
            model.objects.filter(endpoint_id=endpoint_id).order_by("-id").values_list("id", flat=True)[keep : keep + 1]
        )
        if cutoff:
            model.objects.filter(endpoint_id=endpoint_id, id__lte=cutoff[0]).delete()
