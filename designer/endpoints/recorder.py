"""Call records and sampled request rows, written to the database off the request path, in batches.

Every scoring call is durable before its answer leaves: ``record_call`` commits one row to a local
SQLite spool (``<TESSERA_DATA_DIR>/call-spool/``, one file per database, shared by every process on
the host that records into that database). Sampled request rows (drift) go to the same spool, as
compact JSON (``samples.py``). A flusher moves spooled records to the database every
``TESSERA_CALL_FLUSH_SECONDS``: it leases a batch, writes it with one ``bulk_create`` that skips call
ids already written, then deletes the batch from the spool. So a process killed at any moment, even
by SIGKILL, loses no call: what it spooled is taken by the next flush of any process recording into the
same database on the host, or by the next one to start (``recorder.start()``, called by the scoring
server at start-up); a batch written twice is kept once (``EndpointCall.call_id`` is unique); a lease
held by a killed flusher expires after ``LEASE_SECONDS``.

Where the flusher runs: by default a daemon thread of the recording process. A scoring server started
by ``scripts/score`` (gunicorn) runs it in a process of its own instead (``flusher.py``, started by the
gunicorn master, which sets ``TESSERA_CALL_FLUSHER=process`` for the app it loads): building thousands of
model rows and writing them then never holds a serving worker's interpreter, which is where a scoring
call's slowest answers came from. Such a worker only appends to the spool, and drains it once when it is
forked (calls a killed predecessor left).

A failed database write keeps everything for the next try. With the interval set to 0 records are
written inline, which tests use to check them deterministically.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

log = logging.getLogger(__name__)

MAX_BUFFER = 100_000
BATCH = 1000
LEASE_SECONDS = 120.0
#: Where an appending process beside a flusher process checkpoints the spool's log itself (pages of 4 kB).
BACKSTOP_CHECKPOINT_PAGES = 65_536


class CallSpool:
    """An append-only local queue of call records (SQLite in WAL mode, so a committed row survives the
    process being killed); rows are leased by a flusher and deleted once they are in the database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pid = 0

    def _conn(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # a forked child opens its own
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a commit survives a killed process (not a power cut)
            if flushed_elsewhere():
                # Only appending here, beside a flusher process that checkpoints after each pass: a checkpoint
                # (copying the log into the file, then an fsync) would otherwise fall to whichever append
                # crosses SQLite's 1,000-page mark, 4-5 ms on one call in a few thousand (p99.9 5.0 against
                # 0.2 ms, measured). The backstop bounds the log if no flusher is left to checkpoint.
                db.execute(f"PRAGMA wal_autocheckpoint={BACKSTOP_CHECKPOINT_PAGES}")
            for table in TABLES:
                db.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} "
                    "(id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, lease REAL NOT NULL DEFAULT 0)"
                )
            self._db, self._pid = db, os.getpid()
        return self._db

    def append(self, body: str, table: str = "calls") -> None:
        self._conn().execute(f"INSERT INTO {_table(table)} (body) VALUES (?)", (body,))

    def lease(self, limit: int, table: str = "calls") -> list[tuple[int, str]]:
        now = time.time()
        rows = (
            self._conn()
            .execute(
                f"UPDATE {_table(table)} SET lease = ? WHERE id IN "
                f"(SELECT id FROM {_table(table)} WHERE lease < ? ORDER BY id LIMIT ?) RETURNING id, body",
                (now + LEASE_SECONDS, now, limit),
            )
            .fetchall()
        )
        return sorted(rows)

    def delete(self, ids: list[int], table: str = "calls") -> None:
        self._in(ids, f"DELETE FROM {_table(table)} WHERE id IN ({{}})")

    def release(self, ids: list[int], table: str = "calls") -> None:
        self._in(ids, f"UPDATE {_table(table)} SET lease = 0 WHERE id IN ({{}})")

    def _in(self, ids: list[int], statement: str) -> None:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            self._conn().execute(statement.format(",".join("?" * len(chunk))), chunk)

    def checkpoint(self) -> None:
        """Copy the log's committed pages into the spool file, without waiting for its readers or writers."""
        self._conn().execute("PRAGMA wal_checkpoint(PASSIVE)")

    def count(self, table: str = "calls") -> int:
        return int(self._conn().execute(f"SELECT count(*) FROM {_table(table)}").fetchone()[0])


TABLES = ("calls", "samples")


def _table(name: str) -> str:
    if name not in TABLES:
        raise ValueError(f"no spool table {name!r}")
    return name


def spool_path() -> Path:
    """One spool per database: processes on this host recording into another database never take its calls."""
    db = settings.DATABASES["default"]
    key = (str(settings.DATA_DIR), db["ENGINE"], str(db.get("HOST", "")), str(db.get("PORT", "")), str(db["NAME"]))
    found = _spool_paths.get(key)  # asked on every call: a hash and a Path each time cost more than the append
    if found is None:
        digest = hashlib.sha256("|".join(key[1:]).encode()).hexdigest()[:16]
        found = _spool_paths[key] = Path(key[0]) / "call-spool" / f"calls-{digest}.sqlite3"
    return found


_spool_paths: dict[tuple[str, ...], Path] = {}


class CallRecorder:
    def __init__(self, path: Path | None = None) -> None:
        self._path = path  # the spool file; by default the one for the configured database
        self._lock = threading.Lock()  # the spool connection and the in-memory buffer
        self._buffer: list[Any] = []  # samples, and calls the spool could not take
        self._thread: threading.Thread | None = None
        self._wake = threading.Event()
        self._spool: CallSpool | None = None
        self.dropped = 0

    def spool(self) -> CallSpool:
        path = self._path or spool_path()
        if self._spool is None or self._spool.path is not path and self._spool.path != path:
            self._spool = CallSpool(path)
        return self._spool

    def record_call(self, call: dict[str, Any]) -> None:
        """Keep one call record (``call_record`` builds it) durably, then write it with the next flush."""
        if "call_id" not in call:
            call["call_id"] = uuid.uuid4().hex
        self._spool_or_keep(json.dumps(call, default=str), "calls", call)

    def record_sample(self, body: str) -> None:
        """Keep sampled request rows (``samples.sample_json``) for the next flush."""
        self._spool_or_keep(body, "samples", _SpooledSample(body))

    def _spool_or_keep(self, body: str, table: str, fallback: Any) -> None:
        try:
            with self._lock:
                self.spool().append(body, table)
        except (sqlite3.Error, OSError):
            log.exception("the call spool refused a record; keeping it in memory until the next flush")
            self._keep(fallback)
        self._after_record()

    def record(self, item: Any) -> None:
        """Keep a sample (an object with ``to_model()``, or a model instance) in memory for the next flush."""
        self._keep(item)
        self._after_record()

    def _keep(self, item: Any) -> None:
        with self._lock:
            if len(self._buffer) >= MAX_BUFFER:
                self.dropped += 1
                return
            self._buffer.append(item)

    def _after_record(self) -> None:
        interval = float(settings.TESSERA_CALL_FLUSH_SECONDS)
        if interval <= 0:
            self.flush()
        elif not flushed_elsewhere():
            self._ensure_thread(interval)

    def start(self) -> None:
        """Start the flushing thread now, not on the first call: calls a killed process left in the spool
        are written without waiting for traffic. Where a flusher process serves this process (a scoring
        server under gunicorn), drain the spool once instead (in a master loading the app for its workers,
        nothing: each worker drains it once forked)."""
        interval = float(settings.TESSERA_CALL_FLUSH_SECONDS)
        if os.environ.get("TESSERA_APP_IN_GUNICORN_MASTER"):
            return  # loading in a gunicorn master about to fork its workers, where no thread may hold a lock
            # across the fork: each worker drains the spool once forked (gunicorn_conf.post_fork)
        if interval > 0 and not flushed_elsewhere():
            self._ensure_thread(interval)
        else:
            self.drain()

    def drain(self) -> None:
        """Write what the spool holds now, from a thread of its own."""
        threading.Thread(target=self._flush_and_close, name="call-recorder-drain", daemon=True).start()

    def checkpoint(self) -> None:
        """The flusher process's step after each pass: the spool's log copied back into its file, so the
        processes that only append never do it on a call's path."""
        try:
            with self._lock:
                self.spool().checkpoint()
        except (sqlite3.Error, OSError):
            log.exception("checkpointing the call spool failed; trying again after the next flush")

    def pending(self) -> int:
        with self._lock:
            spooled = sum(self.spool().count(table) for table in TABLES)
            return len(self._buffer) + spooled

    def flush(self) -> int:
        """Write what is buffered and spooled; returns the number of records written. Flushes may run at
        once (threads, processes): each takes its own lease of spooled rows."""
        written = self._flush_buffer()
        for table in TABLES:
            while True:
                done, more = self._flush_spool(table)
                written += done
                if not more:
                    break
        return written

    def _flush_spool(self, table: str = "calls") -> tuple[int, bool]:
        try:
            with self._lock:
                rows = self.spool().lease(BATCH, table)
        except (sqlite3.Error, OSError):
            log.exception("reading the call spool failed; trying again at the next flush")
            return 0, False
        if not rows:
            return 0, False
        ids = [row_id for row_id, _ in rows]
        try:
            parsed = [_parse(body) for _, body in rows]
            written = _write_calls(parsed) if table == "calls" else _write_samples(parsed)
        except Exception:
            log.exception("writing %d endpoint %s records failed; keeping them for the next try", len(rows), table)
            with self._lock:
                self.spool().release(ids, table)
            return 0, False
        with self._lock:
            self.spool().delete(ids, table)
        return written, len(rows) == BATCH

    def _flush_buffer(self) -> int:
        with self._lock:
            batch, self._buffer = self._buffer, []
        if not batch:
            return 0
        try:
            calls: list[dict[str, Any] | None] = []
            others = []
            for item in batch:
                if isinstance(item, dict):
                    calls.append(item)
                else:
                    # Samples defer their conversion (``to_model``) so the request path only appends.
                    others.append(item.to_model() if hasattr(item, "to_model") else item)
            written = _write_calls(calls)
            by_model: dict[Any, list[Any]] = {}
            for item in others:
                by_model.setdefault(type(item), []).append(item)
            for model, items in by_model.items():
                model.objects.bulk_create(items, batch_size=500)
                written += len(items)
            _prune_samples({s.endpoint_id for s in by_model.get(_sample_model(), [])})
        except Exception:
            log.exception("writing %d endpoint records failed; keeping them for the next try", len(batch))
            with self._lock:
                self._buffer = (batch + self._buffer)[:MAX_BUFFER]
            return 0
        return written

    def _ensure_thread(self, interval: float) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._loop, args=(interval,), name="call-recorder", daemon=True)
            self._thread.start()

    def _flush_and_close(self) -> None:
        try:
            self.flush()
        except Exception:  # never let the thread die: the next pass retries
            log.exception("flushing endpoint call records failed")
        finally:
            connections.close_all()  # this thread's connections go back to the pool between passes

    def _loop(self, interval: float) -> None:
        while True:
            self._flush_and_close()
            self._wake.wait(interval)
            self._wake.clear()


recorder = CallRecorder()
atexit.register(recorder.flush)

#: Set (to ``process``) by the gunicorn master of ``scripts/score`` for its workers: a flusher process of its
#: own writes the spool to the database, so the workers only append to it.
FLUSHER_ENV = "TESSERA_CALL_FLUSHER"


def flushed_elsewhere() -> bool:
    return os.environ.get(FLUSHER_ENV) == "process"


class _SpooledSample:
    """A sample the spool refused, kept in memory: written with the next flush like a spooled one."""

    def __init__(self, body: str) -> None:
        self.body = body

    def to_model(self) -> Any:
        return _sample_model_of(json.loads(self.body))


def _sample_model_of(sample: dict[str, Any]) -> Any:
    from django.utils import timezone

    from .samples import sample_rows

    return _sample_model()(
        endpoint_id=sample["endpoint_id"],
        at=datetime.fromtimestamp(float(sample["at"]), tz=timezone.get_current_timezone()),
        input=sample["input"],
        rows=sample_rows(sample),
    )


def _write_samples(samples: list[dict[str, Any] | None]) -> int:
    """Insert the samples whose endpoint still exists, then keep the newest ``TESSERA_CAPTURE_MAX_SAMPLES``."""
    from .models import Endpoint

    found = [s for s in samples if s is not None]
    existing = set(Endpoint.objects.filter(id__in={s["endpoint_id"] for s in found}).values_list("id", flat=True))
    models = [_sample_model_of(s) for s in found if s["endpoint_id"] in existing]
    _sample_model().objects.bulk_create(models, batch_size=500)
    _prune_samples({m.endpoint_id for m in models})
    return len(models)


def call_record(
    *,
    endpoint_id: int | None,
    endpoint_name: str,
    status: int,
    latency_ms: float,
    total_ms: float | None,
    rows: int,
    error_kind: str,
    style: str,
    noted: dict[str, Any],
) -> dict[str, Any]:
    """One call as the spool keeps it. ``endpoint_id`` may be unknown (the database could not be asked):
    the flush then finds the endpoint by name, and drops the record if no endpoint has that name."""
    return {
        "call_id": uuid.uuid4().hex,
        "endpoint_id": endpoint_id,
        "endpoint": endpoint_name,
        "at": time.time(),
        "latency_ms": latency_ms,
        "total_ms": total_ms,
        "status": status,
        "rows": rows,
        "error_kind": error_kind,
        "format": style,
        **noted,
    }


def _parse(body: str) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        log.error("dropping an unreadable call record from the spool: %.200s", body)
        return None
    return value if isinstance(value, dict) else None


def _write_calls(calls: list[dict[str, Any] | None]) -> int:
    """Insert the calls whose endpoint still exists; a call id already written is skipped."""
    from django.utils import timezone

    from .models import Endpoint, EndpointCall

    calls_ = [c for c in calls if c is not None]
    if not calls_:
        return 0
    names = {c["endpoint"] for c in calls_ if c.get("endpoint_id") is None}
    by_name = dict(Endpoint.objects.filter(name__in=names).values_list("name", "id")) if names else {}
    ids = {c.get("endpoint_id") or by_name.get(c["endpoint"]) for c in calls_} - {None}
    existing = set(Endpoint.objects.filter(id__in=ids).values_list("id", flat=True))
    models = []
    for c in calls_:
        endpoint_id = c.get("endpoint_id") or by_name.get(c["endpoint"])
        if endpoint_id not in existing:
            continue  # no such endpoint (any more): not an endpoint's traffic
        models.append(
            EndpointCall(
                call_id=uuid.UUID(c["call_id"]),
                endpoint_id=endpoint_id,
                at=datetime.fromtimestamp(float(c["at"]), tz=timezone.get_current_timezone()),
                latency_ms=float(c["latency_ms"]),
                total_ms=None if c.get("total_ms") is None else float(c["total_ms"]),
                status=int(c["status"]),
                rows=int(c.get("rows") or 0),
                error_kind=str(c.get("error_kind") or ""),
                format=str(c.get("format") or "azure"),
                dropped_rows=int(c.get("dropped_rows") or 0),
                warning_count=int(c.get("warning_count") or 0),
                warnings=c.get("warnings") or [],
            )
        )
    EndpointCall.objects.bulk_create(models, batch_size=500, ignore_conflicts=True)
    return len(models)


def _sample_model() -> Any:
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
