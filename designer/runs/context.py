"""The RunContext a worker hands to a module: logs, throttled progress, cancellation, pinned datasets and
the artifacts of the run's workspace."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import connection

from modules.sdk import Cancelled, DatasetRef, DataTable, Module, ModuleError, Table
from modules.sdk.context import map_in_turn

if TYPE_CHECKING:
    from designer.engine.store import ArtifactStore
    from designer.engine.validate import ArtifactLookup, DatasetLookup


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
    ) -> list[Any]: ...


class WorkerContext:
    """Thread-safe: the heartbeat thread reads logs/progress and sets ``cancelled``."""

    PROGRESS_INTERVAL = 0.25

    def __init__(
        self, node_id: str, seed: int, datasets: DatasetLookup, artifacts: ArtifactLookup, store: ArtifactStore
    ) -> None:
        self.node_id = node_id
        self.seed = seed
        self._datasets = datasets
        self._artifacts = artifacts
        self._store = store
        self._lock = threading.Lock()
        self._pending_log: list[str] = []
        self.progress_value = 0.0
        self.progress_message = ""
        self.progress_dirty = False
        self._last_progress = 0.0
        self.cancelled = threading.Event()
        #: Set by the worker running the node: parts of ``map`` then go to every worker on its queue.
        self.parts: Parts | None = None

    def log(self, message: str) -> None:
        stamp = time.strftime("%H:%M:%S")
        with self._lock:
            self._pending_log.append(f"[{stamp}] {message}")

    def take_log(self) -> str:
        with self._lock:
            lines, self._pending_log = self._pending_log, []
        return "".join(line + "\n" for line in lines)

    def progress(self, fraction: float, message: str = "") -> None:
        now = time.monotonic()
        with self._lock:
            self.progress_value = max(0.0, min(1.0, float(fraction)))
            self.progress_message = message[:300]
            if now - self._last_progress >= self.PROGRESS_INTERVAL or fraction >= 1.0:
                self.progress_dirty = True
                self._last_progress = now

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
    ) -> list[Any]:
        if self.parts is None or len(items) < 2:
            return map_in_turn(self, module, inputs, params, items, what=what, progress=progress)
        return self.parts.map(self, module, inputs, params, items, what=what, progress=progress)


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
        finally:
            connection.close()

    def beat(self) -> None:
        raise NotImplementedError
