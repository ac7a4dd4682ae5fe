"""Which endpoint a scoring call names, and its keys: from memory, not the database, on the hot path.

A scoring process keeps each endpoint's row (id, revision, keys, status) it has looked up. What
invalidates it:

- a change in this process (redeploy, new key, deletion: Django's ``post_save``/``post_delete``)
  drops the entry at once;
- a change made by any other process on this host touches a stamp file under ``TESSERA_DATA_DIR``
  (the same signals write it); every call compares the stamp's ``stat`` (a microsecond) and empties
  the cache when it moved, so a scoring server started by ``scripts/score`` beside the web app sees
  a regenerated key or a redeploy on its very next call;
- scoring servers on other hosts share no stamp file: they read every entry again after
  ``TESSERA_ENDPOINT_CACHE_SECONDS`` (default 2 s), which bounds how long a replaced key or an old
  revision can still be served there.

Lookups that find nothing are not kept: a new endpoint answers at once.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings

FIELDS = ("id", "revision", "primary_key", "secondary_key", "status")


def stamp_path() -> Path:
    return Path(settings.DATA_DIR) / "endpoint-changes"


def _stamp(path: Path) -> tuple[int, int]:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return (0, 0)
    return (found.st_mtime_ns, found.st_ino)


def endpoint_saved(**_: Any) -> None:
    """Signal receiver: forget the cached rows now, and tell every process once the change is committed
    (before that, another process would read the old row again and keep it)."""
    from django.db import transaction

    lookup.clear()
    transaction.on_commit(endpoints_changed)


def endpoints_changed() -> None:
    """Tell every scoring process on this host (and this one at once) that an endpoint changed."""
    lookup.clear()
    path = stamp_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fresh.write_text(str(time.time_ns()))
    os.replace(fresh, path)  # a new inode each time: seen even within one mtime tick


class EndpointLookup:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, tuple[float, dict[str, Any]]] = {}
        self._seen: tuple[int, int] | None = None

    def get(self, name: str) -> dict[str, Any] | None:
        """The endpoint's row, or ``None`` when no endpoint has that name."""
        stamp = _stamp(stamp_path())
        now = time.monotonic()
        with self._lock:
            if stamp != self._seen:
                self._rows.clear()
                self._seen = stamp
            kept = self._rows.get(name)
            if kept is not None and now - kept[0] < float(settings.TESSERA_ENDPOINT_CACHE_SECONDS):
                return kept[1]
        from .models import Endpoint

        row = Endpoint.objects.filter(name=name).values(*FIELDS).first()
        if row is not None:
            with self._lock:
                if self._seen == stamp:  # nothing changed while the database was asked
                    self._rows[name] = (now, row)
        return row

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()


lookup = EndpointLookup()
