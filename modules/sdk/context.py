"""What a module may touch while running: logging, progress, cancellation, datasets. All I/O goes through here."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .errors import ModuleError
from .params import DatasetRef
from .values import DataTable

if TYPE_CHECKING:
    from .module import Module


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
        """``module.run_part(inputs, params, ctx, item)`` for every item; the results in item order.

        A worker's context spreads the parts over every worker of the node's queue (the node's own
        worker runs parts too, so a lone worker never waits on itself); other contexts run them in
        turn. ``inputs`` and ``params`` must be those the node's ``run`` received: a part that runs
        on another worker reads them again from the node's own inputs and parameters. Items and
        results must be JSON (NaN allowed); ``what`` names a part in logs and progress, which moves
        from ``progress[0]`` to ``progress[1]`` as parts finish. The first failed part's error is
        raised, as the module raised it.
        """
        ...

    def load_file(self, ref: DatasetRef) -> bytes:
        """The bytes of a file dataset (an uploaded zip), pinned like ``load_dataset``; ``ModuleError`` for a table."""
        ...


class LocalContext:
    """A context for tests and scripts: logs to a list, datasets (tables) and file datasets from dicts."""

    def __init__(
        self,
        datasets: dict[int, DataTable] | None = None,
        node_id: str = "node",
        seed: int = 0,
        artifacts: dict[str, bytes] | None = None,
        files: dict[int, bytes] | None = None,
    ) -> None:
        self.node_id = node_id
        self.seed = seed
        self.logs: list[str] = []
        self.progress_updates: list[tuple[float, str]] = []
        self.datasets = datasets or {}
        self.artifacts = artifacts or {}
        self.files = files or {}  # file datasets (zips) by dataset id

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
        return map_in_turn(self, module, inputs, params, items, what=what, progress=progress)

    def load_file(self, ref: DatasetRef) -> bytes:
        if ref.dataset_id in self.files:
            return self.files[ref.dataset_id]
        if ref.dataset_id in self.datasets:
            raise ModuleError(f"dataset {ref.dataset_id} is a table, not a file dataset (a zip)")
        raise ModuleError(f"dataset {ref.dataset_id} is not available")


def as_json(value: Any, what: str) -> Any:
    """``value`` as it comes back from JSON text (NaN kept); a ``TypeError`` names ``what`` if it is not JSON."""
    try:
        return json.loads(json.dumps(value, allow_nan=True))
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{what} must be JSON to travel between workers: {exc}") from None


def map_in_turn(
    ctx: RunContext,
    module: Module,
    inputs: dict[str, Any],
    params: Any,
    items: Sequence[Any],
    *,
    what: str = "part",
    progress: tuple[float, float] = (0.0, 1.0),
) -> list[Any]:
    """``ctx.map`` in this process, one part after another, items and results passed through JSON as a
    worker would pass them, so a part that could not travel fails here too."""
    start, end = progress
    results = []
    for i, item in enumerate(items):
        ctx.check_cancelled()
        ctx.progress(start + (end - start) * i / len(items), f"{what} {i + 1} of {len(items)}")
        started = time.monotonic()
        result = module.run_part(inputs, params, ctx, as_json(item, f"{what} {i + 1}'s item"))
        results.append(as_json(result, f"the result of {what} {i + 1}"))
        ctx.log(f"{what} {i + 1} done in {time.monotonic() - started:.1f} s")
    return results
