"""What a module may touch while running: logging, progress, cancellation, datasets. All I/O goes through here."""

from __future__ import annotations

from typing import Protocol

from .errors import ModuleError
from .params import DatasetRef
from .values import DataTable


class RunContext(Protocol):
    node_id: str
    seed: int

    def log(self, message: str) -> None: ...

    def progress(self, fraction: float, message: str = "") -> None: ...

    def check_cancelled(self) -> None:
        """Raise ``Cancelled`` if the run was cancelled; call it between chunks of heavy work."""
        ...

    def load_dataset(self, ref: DatasetRef) -> DataTable: ...

    def load_artifact(self, digest: str) -> bytes:
        """The bytes of a stored artifact, by content digest (saved models and transforms)."""
        ...


class LocalContext:
    """A context for tests and scripts: logs to a list, datasets from a dict."""

    def __init__(
        self,
        datasets: dict[int, DataTable] | None = None,
        node_id: str = "node",
        seed: int = 0,
        artifacts: dict[str, bytes] | None = None,
    ) -> None:
        self.node_id = node_id
        self.seed = seed
        self.logs: list[str] = []
        self.progress_updates: list[tuple[float, str]] = []
        self.datasets = datasets or {}
        self.artifacts = artifacts or {}

    def log(self, message: str) -> None:
        self.logs.append(message)

    def progress(self, fraction: float, message: str = "") -> None:
        self.progress_updates.append((fraction, message))

    def check_cancelled(self) -> None:
        return None

    def load_dataset(self, ref: DatasetRef) -> DataTable:
        return self.datasets[ref.dataset_id]

    def load_artifact(self, digest: str) -> bytes:
        try:
            return self.artifacts[digest]
        except KeyError:
            raise ModuleError(f"artifact {digest[:12]} is not available", param="artifact") from None
