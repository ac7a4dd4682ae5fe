"""What a module may touch while running: logging, progress, cancellation, datasets, table artifacts of its
workspace, scoring. All I/O goes through here."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from .errors import ModuleError
from .memory_tables import MemoryTables
from .params import DatasetRef
from .stored import StoredTable, TableStore
from .values import DataTable

if TYPE_CHECKING:
    from .module import Module


#: Runs an inference pipeline document on one table per Web Service Input name (``RunContext.score``).
Scorer = Callable[[Mapping[str, Any], Mapping[str, DataTable]], dict[str, DataTable]]


class RunContext(Protocol):
    node_id: str
    seed: int
    #: CPU threads the node may use (LightGBM's and scikit-learn's ``n_jobs``): a worker gives a node
    #: alone on its host every core, and shares them among the nodes running there when it starts.
    #: Read it with :func:`threads_of`, which also serves contexts written before it existed.
    threads: int

    @property
    def tables(self) -> TableStore:
        """Table artifacts of the run's workspace: save/load small ones, open/write large ones in parts."""
        ...

    def log(self, message: str) -> None: ...

    def progress(self, fraction: float, message: str = "", detail: Mapping[str, Any] | None = None) -> None:
        """Move the node's progress bar to ``fraction`` (0-1) with ``message``.

        ``detail``: JSON records by key, added or changed since the last call (an AutoML trial's
        leaderboard row by trial number); a record under a key sent before replaces it. The run keeps
        every key's latest record with the node while it runs, so a browser that opens mid-run reads
        them all, and sends each change with the progress."""
        ...

    def check_cancelled(self) -> None:
        """Raise ``Cancelled`` if the run was cancelled; call it between chunks of heavy work."""
        ...

    def load_dataset(self, ref: DatasetRef) -> DataTable: ...

    def open_dataset(self, ref: DatasetRef) -> StoredTable:
        """A table dataset pinned like ``load_dataset``, as it is stored (read in parts, or passed on unread)."""
        ...

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
        max_in_flight: int | None = None,
        sizes: Sequence[int] | None = None,
        unit: str = "",
    ) -> list[Any]:
        """``module.run_part(inputs, params, ctx, item)`` for every item; the results in item order.

        A worker's context spreads the parts over every worker of the node's queue (the node's own
        worker runs parts too, so a lone worker never waits on itself); other contexts run them in
        turn. ``inputs`` and ``params`` must be those the node's ``run`` received: a part that runs
        on another worker reads them again from the node's own inputs and parameters. Items and
        results must be JSON (NaN allowed); ``what`` names a part in logs and progress, which moves
        from ``progress[0]`` to ``progress[1]`` as parts finish. The first failed part's error is
        raised, as the module raised it. ``max_in_flight`` bounds how many parts are offered to workers
        at once (the rest wait for one to finish), so one node does not fill the queue ahead of other
        runs. With ``sizes`` (one per item, in ``unit``s: rows), progress counts units, "1,200 / 5,000 rows".
        """
        ...

    def load_file(self, ref: DatasetRef) -> bytes:
        """The bytes of a file dataset (an uploaded zip), pinned like ``load_dataset``; ``ModuleError`` for a table."""
        ...

    def score(self, document: Mapping[str, Any], tables: Mapping[str, DataTable]) -> dict[str, DataTable]:
        """Run an inference pipeline document (Web Service Input ... Web Service Output, as derived from a
        training run) on one table per Web Service Input name, in this process, with the same engine
        endpoints use; one table per Web Service Output name. Repeated calls with the same document
        reuse the loaded models. ``ModuleError`` when the document cannot run at all (not servable, an
        artifact that does not belong to the run's workspace); ``ScoringFailed`` when a module inside
        it fails on these rows."""
        ...

    def save_dataset(self, name: str, table: DataTable | StoredTable, description: str = "") -> DatasetRef:
        """``table`` as the next version of the workspace's table dataset ``name`` (a new dataset when there
        is none by that name), recorded as made by this run; the new version's reference."""
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
        scorer: Scorer | None = None,
        tables: TableStore | None = None,
        threads: int = 1,
    ) -> None:
        self.node_id = node_id
        self.seed = seed
        self.threads = threads
        self.logs: list[str] = []
        self.progress_updates: list[tuple[float, str]] = []
        self.detail: dict[str, Any] = {}  # every key's latest record from ``progress(detail=...)``
        self.datasets = datasets or {}
        self.artifacts = artifacts if artifacts is not None else {}
        self.files = files or {}  # file datasets (zips) by dataset id
        self.tables: TableStore = tables or MemoryTables(self.artifacts)
        self.scorer = scorer  # the engine's, given by a test: the SDK cannot load inference pipelines itself
        self.saved_datasets: dict[str, list[DataTable]] = {}  # by name, versions in order

    def log(self, message: str) -> None:
        self.logs.append(message)

    def progress(self, fraction: float, message: str = "", detail: Mapping[str, Any] | None = None) -> None:
        self.progress_updates.append((fraction, message))
        if detail:
            self.detail.update(as_json(dict(detail), "progress detail"))

    def check_cancelled(self) -> None:
        return None

    def load_dataset(self, ref: DatasetRef) -> DataTable:
        return self.datasets[ref.dataset_id]

    def open_dataset(self, ref: DatasetRef) -> StoredTable:
        return self.tables.open(self.tables.save(self.load_dataset(ref)))

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
        max_in_flight: int | None = None,
        sizes: Sequence[int] | None = None,
        unit: str = "",
    ) -> list[Any]:
        return map_in_turn(self, module, inputs, params, items, what=what, progress=progress, sizes=sizes, unit=unit)

    def load_file(self, ref: DatasetRef) -> bytes:
        if ref.dataset_id in self.files:
            return self.files[ref.dataset_id]
        if ref.dataset_id in self.datasets:
            raise ModuleError(f"dataset {ref.dataset_id} is a table, not a file dataset (a zip)")
        raise ModuleError(f"dataset {ref.dataset_id} is not available")

    def score(self, document: Mapping[str, Any], tables: Mapping[str, DataTable]) -> dict[str, DataTable]:
        if self.scorer is None:
            raise ModuleError("this context has no scoring engine: give LocalContext a scorer")
        return self.scorer(document, tables)

    def save_dataset(self, name: str, table: DataTable | StoredTable, description: str = "") -> DatasetRef:
        rows = table.read() if isinstance(table, StoredTable) else table
        versions = self.saved_datasets.setdefault(name, [])
        versions.append(rows)
        return DatasetRef(dataset_id=list(self.saved_datasets).index(name) + 1, version=len(versions))


def threads_of(ctx: Any) -> int:
    """``ctx.threads``, at least 1; 1 for a context without it (one a test or an older caller wrote)."""
    try:
        return max(1, int(getattr(ctx, "threads", 1)))
    except (TypeError, ValueError):
        return 1


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
    max_in_flight: int | None = None,
    sizes: Sequence[int] | None = None,
    unit: str = "",
) -> list[Any]:
    """``ctx.map`` in this process, one part after another, items and results passed through JSON as a
    worker would pass them, so a part that could not travel fails here too. One part is in flight at a
    time, whatever ``max_in_flight`` allows."""
    start, end = progress
    weights = list(sizes) if sizes is not None else [1] * len(items)
    if len(weights) != len(items):
        raise ValueError(f"{len(weights)} sizes for {len(items)} {plural(what)}")
    total = sum(weights) or 1
    results = []
    for i, item in enumerate(items):
        ctx.check_cancelled()
        done = sum(weights[:i])
        message = units_done(done, total, unit) if sizes is not None else f"{what} {i + 1} of {len(items)}"
        ctx.progress(start + (end - start) * done / total, message)
        started = time.monotonic()
        result = module.run_part(inputs, params, ctx, as_json(item, f"{what} {i + 1}'s item"))
        results.append(as_json(result, f"the result of {what} {i + 1}"))
        ctx.log(f"{what} {i + 1} done in {time.monotonic() - started:.1f} s")
    return results


def plural(noun: str) -> str:
    """ "trial" -> "trials", "mini-batch" -> "mini-batches"."""
    return noun + ("es" if noun.endswith(("s", "x", "ch", "sh")) else "s")


def units_done(done: int, total: int, unit: str) -> str:
    """A progress message counting units: "120,000 / 1,000,000 rows"."""
    noun = unit or "unit"
    return f"{done:,} / {total:,} {noun if total == 1 else plural(noun)}"
