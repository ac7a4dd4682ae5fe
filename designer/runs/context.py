"""The RunContext a worker hands to a module: logs, throttled progress, cancellation, pinned datasets, the
artifacts and table artifacts of the run's workspace, in-process scoring, and new dataset versions."""

from __future__ import annotations

import functools
import os
import socket
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import connection

from designer.engine.scorers import Scorers
from designer.engine.tables import StoreTables
from modules.sdk import (
    Cancelled,
    DatasetRef,
    DataTable,
    Module,
    ModuleError,
    StoredTable,
    Table,
    TableStore,
    default_registry,
)
from modules.sdk.context import as_json, map_in_turn

if TYPE_CHECKING:
    from designer.engine.store import ArtifactStore
    from designer.engine.validate import ArtifactLookup, DatasetLookup

#: Writes a table as the next version of a dataset of the run's workspace (``ctx.save_dataset``).
Publish = Callable[[str, "DataTable | StoredTable", str], DatasetRef]


@functools.cache
def _scorers(store: ArtifactStore) -> Scorers:
    """One scorer cache per process and store: a batch job's mini-batches on this worker reuse the loaded models."""
    return Scorers(default_registry(), store.get)


class Parts(Protocol):
    """Spreads the parts of ``map`` over the workers of a queue (``parts.PartRunner``)."""

    def map(
        self,
        ctx: WorkerContext,
        module: Module,
        inputs: dict[str, Any],
        params: Any,
        items: Sequence[Any],
        *,
        what: str,
        progress: tuple[float, float],
        max_in_flight: int | None,
        sizes: Sequence[int] | None,
        unit: str,
    ) -> list[Any]: ...


class WorkerContext:
    """Thread-safe: the heartbeat thread reads logs/progress and sets ``cancelled``."""

    def __init__(
        self,
        node_id: str,
        seed: int,
        datasets: DatasetLookup,
        artifacts: ArtifactLookup,
        store: ArtifactStore,
        *,
        grant: Callable[[Collection[str]], None] | None = None,
        publish: Publish | None = None,
    ) -> None:
        self.node_id = node_id
        self.seed = seed
        self._datasets = datasets
        self._artifacts = artifacts
        self._store = store
        self._publish = publish
        #: What the module saves is granted to the workspace at once, so a part on another worker can read it.
        self.tables: TableStore = StoreTables(store, owned=artifacts, grant=grant)
        self._lock = threading.Lock()
        self._pending_log: list[str] = []
        self.progress_value = 0.0
        self.progress_message = ""
        self.progress_dirty = False
        #: Every key's latest record from ``progress(detail=...)``, and the keys not yet sent.
        self.detail: dict[str, Any] = {}
        self._detail_changed: set[str] = set()
        self.cancelled = threading.Event()
        #: Set by the worker running the node: parts of ``map`` then go to every worker on its queue.
        self.parts: Parts | None = None

    @functools.cached_property
    def threads(self) -> int:
        """This host's cores shared among the nodes and parts running on it when the module first asks
        (this one included): a node alone gets them all, two nodes on two cores get one each."""
        return max(1, usable_cores() // max(1, running_here()))

    def log(self, message: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        with self._lock:
            self._pending_log.append(f"[{stamp}] {message}")

    def take_log(self) -> str:
        with self._lock:
            lines, self._pending_log = self._pending_log, []
        return "".join(line + "\n" for line in lines)

    def progress(self, fraction: float, message: str = "", detail: Mapping[str, Any] | None = None) -> None:
        # Only the latest value is kept; the heartbeat sends it at its next beat, so updates are throttled
        # to one per beat there, and the last one of a burst is never lost. Detail records accumulate.
        records = as_json(dict(detail), "progress detail") if detail else {}
        with self._lock:
            self.progress_value = max(0.0, min(1.0, float(fraction)))
            self.progress_message = message[:300]
            self.progress_dirty = True
            self.detail.update(records)
            self._detail_changed.update(records)

    def take_detail(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(the records changed since the last take, every record so far), or ``None`` when none changed."""
        with self._lock:
            if not self._detail_changed:
                return None
            changed = {key: self.detail[key] for key in sorted(self._detail_changed)}
            self._detail_changed = set()
            return changed, dict(self.detail)

    def take_progress(self) -> tuple[float, str] | None:
        with self._lock:
            if not self.progress_dirty:
                return None
            self.progress_dirty = False
            return self.progress_value, self.progress_message

    def check_cancelled(self) -> None:
        if self.cancelled.is_set():
            raise Cancelled(f"run cancelled while node {self.node_id} was running")

    def load_dataset(self, ref: DatasetRef) -> DataTable:
        resolved = self._datasets.resolve(ref)
        self.log(f"loading dataset {resolved.name or resolved.dataset_id} version {resolved.version}")
        table: DataTable = Table.deserialize(self._store.get(resolved.digest))
        return table

    def open_dataset(self, ref: DatasetRef) -> StoredTable:
        resolved = self._datasets.resolve(ref)
        self.log(f"reading dataset {resolved.name or resolved.dataset_id} version {resolved.version} as stored")
        return StoreTables(self._store).stored(resolved.digest)  # the run's pinned version: the workspace's own

    def load_artifact(self, digest: str) -> bytes:
        """The artifact's bytes, only when it belongs to the run's workspace.

        Validation refuses a foreign digest when a document is saved or submitted; this catches a
        document saved, or a run queued, before that check existed. The refusal reads the same whether
        or not the artifact exists elsewhere."""
        if digest not in self._artifacts.owned([digest]):
            raise ModuleError(
                f"artifact {str(digest)[:12]}... does not belong to this run's workspace; it was not produced by "
                "one of its runs, uploaded to one of its datasets or registered in its model registry",
                param="artifact",
            )
        return self._store.get(digest)

    def load_file(self, ref: DatasetRef) -> bytes:
        resolved = self._datasets.resolve(ref)
        label = f"dataset '{resolved.name or resolved.dataset_id}' version {resolved.version}"
        if resolved.kind != "file":
            raise ModuleError(f"{label} is a table, not a file dataset (a zip)")
        self.log(f"loading file {label}")
        return self._store.get(resolved.digest)

    def map(
        self,
        module: Module,
        inputs: dict[str, Any],
        params: Any,
        items: Sequence[Any],
        *,
        what: str = "part",
        progress: tuple[float, float] = (0.0, 1.0),
        max_in_flight: int | None = None,
        sizes: Sequence[int] | None = None,
        unit: str = "",
    ) -> list[Any]:
        how: dict[str, Any] = {"what": what, "progress": progress, "max_in_flight": max_in_flight, "sizes": sizes}
        if self.parts is None or len(items) < 2:
            return map_in_turn(self, module, inputs, params, items, unit=unit, **how)
        return self.parts.map(self, module, inputs, params, items, unit=unit, **how)

    def score(self, document: Mapping[str, Any], tables: Mapping[str, DataTable]) -> dict[str, DataTable]:
        """``document`` run here on ``tables``; every artifact it names must belong to the run's workspace."""
        return _scorers(self._store).score(document, tables, owned=self._artifacts)

    def save_dataset(self, name: str, table: DataTable | StoredTable, description: str = "") -> DatasetRef:
        if self._publish is None:
            raise ModuleError("this run cannot save datasets", param="dataset_name")
        ref = self._publish(name, table, description)
        self.log(f"saved as version {ref.version} of dataset '{name}' (id {ref.dataset_id})")
        return ref


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and ``taskset`` narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def running_here() -> int:
    """Nodes and parts running now on this host, as the database records them: a node's worker is the
    Celery hostname (``name@host``), a part's is ``host:pid`` (``services.default_worker_name``)."""
    from celery import current_task
    from django.db.models import Q

    from .models import NodePart, NodeRun

    host = socket.gethostname()
    request = getattr(current_task, "request", None)
    celery_host = str(getattr(request, "hostname", "") or "").rpartition("@")[2] or host
    nodes = NodeRun.objects.filter(status=NodeRun.Status.RUNNING).filter(
        Q(worker__endswith=f"@{celery_host}") | Q(worker__startswith=f"{host}:")
    )
    parts = NodePart.objects.filter(status=NodePart.Status.RUNNING, worker__startswith=f"{host}:")
    return nodes.count() + parts.count()


class Beat(threading.Thread):
    """A daemon thread calling ``beat()`` every heartbeat interval (at most 1 s) until ``stop()``; its own
    database connection is closed when it ends. A node's heartbeat and a part's heartbeat are beats."""

    def __init__(self, name: str, enabled: bool = True) -> None:
        super().__init__(name=name, daemon=True)
        self.enabled = enabled
        self._stop_event = threading.Event()
        self.interval = min(float(settings.TESSERA_HEARTBEAT_SECONDS), 1.0)

    def start(self) -> None:
        if self.enabled:
            super().start()

    def stop(self) -> None:
        self._stop_event.set()
        if self.enabled:
            self.join(timeout=10)

    def run(self) -> None:
        try:
            while not self._stop_event.wait(self.interval):
                self.beat()
            self.last()
        finally:
            connection.close()

    def beat(self) -> None:
        raise NotImplementedError

    def last(self) -> None:
        """Called once on ``stop()``, before the thread ends: flush what a beat would have sent next."""
