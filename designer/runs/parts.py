"""One node's work spread over workers: the worker side of ``RunContext.map``.

The node's worker writes one ``NodePart`` row per item and sends one ``tessera.execute_part`` message
per part to the node's queue. Then it takes parts itself until none is pending, and waits for the
parts other workers took. When the module bounds the parts in flight (``max_in_flight``), only that
many start ``pending``; the rest wait, and each part that finishes, on whichever worker, moves the
next waiting part to ``pending`` and sends its message, so the bound holds without a coordinator.
A worker takes a part by a conditional update from ``pending`` (atomic on PostgreSQL and SQLite alike,
and no row lock is held while a part runs), runs it with the node's own inputs and parameters, and
writes back the JSON result.

When things go wrong:
- A part that raises stores its error. The node's worker cancels the parts still pending and raises
  that error as the node's own: a ``ModuleError`` keeps its parameter, port and column.
- A worker that dies while running a part stops beating. After TESSERA_STALE_AFTER_SECONDS the node's
  worker puts the part back to pending and runs it itself. A late result from the presumed-dead
  worker is discarded: its write is conditional on still owning the part.
- A node that is cancelled, fails or is retried as a new attempt: the parts of the old attempt see it
  on their next beat and stop at the module's next ``check_cancelled``.
- A message for a part that is already taken runs another pending part of the same batch, if any: the node's
  worker often takes the named part first, and the other workers should not sit idle for that. A message
  with no pending part left does nothing.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.utils import timezone

from designer.artifacts import artifact_store
from designer.engine.execute import NodeFailed, execute_part
from modules.sdk import Cancelled, Module, ModuleError, default_registry
from modules.sdk.context import as_json, plural, units_done

from .context import Beat, WorkerContext
from .dispatch import send_parts
from .inputs import input_digests, run_artifacts, run_graph, run_lookup
from .models import NodePart, NodeRun
from .writes import run_grant, run_publisher

log = logging.getLogger(__name__)
P = NodePart.Status


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=True)


# --------------------------------------------------------------------------------------------
# the node's worker
# --------------------------------------------------------------------------------------------
class PartRunner:
    """``map`` for one attempt of one node run, on the worker that runs the node."""

    POLL_SECONDS = 0.2

    def __init__(self, node_run_id: int, attempt: int, queue: str, worker: str) -> None:
        self.node_run_id = node_run_id
        self.attempt = attempt
        self.queue = queue
        self.worker = worker[:180]
        self._batches = 0

    @property
    def mapped(self) -> bool:
        """Whether the node spread any work (which records it on the node's row: ``spread``)."""
        return self._batches > 0

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
        max_in_flight: int | None = None,
        sizes: Sequence[int] | None = None,
        unit: str = "",
    ) -> list[Any]:
        self._batches += 1
        batch = self._batches
        texts = [_dumps(as_json(item, f"{what} {i + 1}'s item")) for i, item in enumerate(items)]
        weights = list(sizes) if sizes is not None else None
        if weights is not None and len(weights) != len(items):
            raise ValueError(f"{len(weights)} sizes for {len(items)} {plural(what)}")
        window = len(texts) if not max_in_flight else max(1, min(max_in_flight, len(texts)))
        made = NodePart.objects.bulk_create(
            NodePart(
                node_run_id=self.node_run_id,
                attempt=self.attempt,
                batch=batch,
                index=i,
                item=text,
                status=P.PENDING if i < window else P.WAITING,
            )
            for i, text in enumerate(texts)
        )
        send_parts([part.pk for part in made[:window]], self.queue)
        at_once = f", {window} at a time" if window < len(texts) else ""
        ctx.log(f"{len(items)} {plural(what)} offered to every worker on the '{self.queue}' queue{at_once}")
        try:
            return _Batch(self, ctx, module, inputs, params, batch, len(items), what, progress, weights, unit).run()
        finally:
            self._parts(batch).filter(status__in=[P.PENDING, P.WAITING]).update(
                status=P.CANCELLED, finished_at=timezone.now()
            )

    def _parts(self, batch: int) -> Any:
        return NodePart.objects.filter(node_run_id=self.node_run_id, attempt=self.attempt, batch=batch)


class _Batch:
    """The node's worker working through one ``map`` call."""

    def __init__(
        self,
        runner: PartRunner,
        ctx: WorkerContext,
        module: Module,
        inputs: dict[str, Any],
        params: Any,
        batch: int,
        total: int,
        what: str,
        progress: tuple[float, float],
        sizes: list[int] | None = None,
        unit: str = "",
    ) -> None:
        self.runner = runner
        self.ctx = ctx
        self.module = module
        self.inputs = inputs
        self.params = params
        self.batch = batch
        self.parts = runner._parts(batch)
        self.total = total
        self.what = what
        self.progress = progress
        self.sizes = sizes
        self.unit = unit
        self.seen: set[int] = set()
        self.reported = -1

    def run(self) -> list[Any]:
        while True:
            self.ctx.check_cancelled()
            rows = list(self.parts.order_by("index"))
            self._report(rows)  # between its own parts too: the node's worker may never run out of parts to take
            failed = [row for row in rows if row.status == P.FAILED]
            if failed:
                raise _error_of(failed[0], self.what)
            if all(row.status == P.DONE for row in rows):
                self._record_spread(rows)
                return [json.loads(row.result) for row in rows]
            part = self._take()
            if part is not None:
                self._run_here(part)
                continue
            self._put_back(rows)
            if not any(row.status in (P.PENDING, P.RUNNING) for row in rows):  # a promotion was lost with its worker
                offer_next(self.runner.node_run_id, self.runner.attempt, self.batch, self.runner.queue)
            self.ctx.cancelled.wait(self.runner.POLL_SECONDS)

    def _record_spread(self, rows: list[NodePart]) -> None:
        """Which workers ran how many parts, on the node run (added to earlier ``map`` calls of this attempt)."""
        with transaction.atomic():
            node = NodeRun.objects.select_for_update().get(pk=self.runner.node_run_id)
            spread = node.spread if node.spread.get("attempt") == self.runner.attempt else {}
            workers: dict[str, int] = dict(spread.get("workers", {}))
            for row in rows:
                workers[row.worker] = workers.get(row.worker, 0) + 1
            node.spread = {
                "attempt": self.runner.attempt,
                "what": self.what,
                "parts": int(spread.get("parts", 0)) + len(rows),
                "workers": workers,
                "node_worker": self.runner.worker,
            }
            node.save(update_fields=["spread"])
        self.ctx.log(
            f"{len(rows)} {plural(self.what)} ran on {len(workers)} worker{'s' if len(workers) != 1 else ''}: "
            + ", ".join(f"{name} ({count})" for name, count in sorted(workers.items()))
        )

    def _take(self) -> NodePart | None:
        """The first pending part, now running here; ``None`` when none is pending."""
        while True:
            pk = self.parts.filter(status=P.PENDING).order_by("index").values_list("pk", flat=True).first()
            if pk is None:
                return None
            took = NodePart.objects.filter(pk=pk, status=P.PENDING).update(
                status=P.RUNNING, worker=self.runner.worker, started_at=timezone.now(), heartbeat_at=None
            )
            if took:  # else another worker was quicker: try the next one
                part: NodePart = NodePart.objects.get(pk=pk)
                return part

    def _run_here(self, part: NodePart) -> None:
        started = time.monotonic()
        try:
            result = self.module.run_part(self.inputs, self.params, self.ctx, json.loads(part.item))
            text = _dumps(as_json(result, f"the result of {self.what} {part.index + 1}"))
        except BaseException as exc:
            NodePart.objects.filter(pk=part.pk, worker=self.runner.worker).update(
                status=P.CANCELLED if isinstance(exc, Cancelled) else P.FAILED,
                error=_error_dict(exc),
                finished_at=timezone.now(),
            )
            raise  # the module's own exception, as if ``run`` had raised it
        NodePart.objects.filter(pk=part.pk, status=P.RUNNING, worker=self.runner.worker).update(
            status=P.DONE, result=text, finished_at=timezone.now()
        )
        offer_next(self.runner.node_run_id, self.runner.attempt, self.batch, self.runner.queue)
        self.seen.add(part.index)
        self.ctx.log(f"{self.what} {part.index + 1} done on this worker in {time.monotonic() - started:.1f} s")

    def _report(self, rows: list[NodePart]) -> None:
        """Log each part another worker finished, and move the progress bar."""
        for row in rows:
            if row.status == P.DONE and row.index not in self.seen:
                self.seen.add(row.index)
                for line in row.log.splitlines():
                    self.ctx.log(f"  [{self.what} {row.index + 1}] {line}")
                took = (row.finished_at - row.started_at).total_seconds() if row.started_at and row.finished_at else 0
                self.ctx.log(f"{self.what} {row.index + 1} done on {row.worker} in {took:.1f} s")
        done = sum(row.status == P.DONE for row in rows)
        if done != self.reported:
            self.reported = done
            start, end = self.progress
            if self.sizes is None:
                fraction = start + (end - start) * done / self.total
                self.ctx.progress(fraction, f"{done} of {self.total} {plural(self.what)} done")
                return
            units = sum(self.sizes[row.index] for row in rows if row.status == P.DONE)
            whole = sum(self.sizes) or 1
            self.ctx.progress(start + (end - start) * units / whole, units_done(units, whole, self.unit))

    def _put_back(self, rows: list[NodePart]) -> None:
        """Parts whose worker stopped beating, or that stopped without the node stopping, go back to pending."""
        limit = timezone.now() - timedelta(seconds=float(settings.TESSERA_STALE_AFTER_SECONDS))
        for row in rows:
            if row.status == P.RUNNING and row.heartbeat_at is not None and row.heartbeat_at < limit:
                back = self.parts.filter(pk=row.pk, status=P.RUNNING, heartbeat_at=row.heartbeat_at)
                reason = f"worker {row.worker} stopped responding"
            elif row.status == P.CANCELLED:
                back = self.parts.filter(pk=row.pk, status=P.CANCELLED)
                reason = f"worker {row.worker} stopped it"
            else:
                continue
            if back.update(status=P.PENDING, worker="", heartbeat_at=None, error=None):
                self.ctx.log(f"{self.what} {row.index + 1}: {reason}; it runs again")


def offer_next(node_run_id: int, attempt: int, batch: int, queue: str) -> None:
    """The first waiting part of the batch becomes pending and its message goes out: a part that finished made
    room for one more. A conditional update, so two workers finishing at once offer two different parts. Nothing
    is offered once the node stopped (cancelled, failed, or handed to another attempt)."""
    if not NodeRun.objects.filter(pk=node_run_id, status=NodeRun.Status.RUNNING, attempt=attempt).exists():
        return
    waiting = NodePart.objects.filter(node_run_id=node_run_id, attempt=attempt, batch=batch, status=P.WAITING)
    for pk in waiting.order_by("index").values_list("pk", flat=True)[:10]:
        if NodePart.objects.filter(pk=pk, status=P.WAITING).update(status=P.PENDING):
            send_parts([pk], queue)
            return


def _error_dict(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, Cancelled):
        return {"code": "cancelled", "message": str(exc)}
    if isinstance(exc, ModuleError):
        return {"code": "module_error", "message": exc.message, "param": exc.param, "port": exc.port,
                "column": exc.column}  # fmt: skip
    if isinstance(exc, NodeFailed):
        return {"code": exc.problem.code, "message": exc.problem.message, "traceback": exc.traceback[-4000:]}
    return {
        "code": "internal_error",
        "message": f"{type(exc).__name__}: {exc}",
        "traceback": traceback.format_exc()[-4000:],
    }


def _error_of(row: NodePart, what: str) -> Exception:
    """A failed part's error, to raise as the node's: a ``ModuleError`` as the module raised it."""
    error = row.error or {}
    if error.get("code") == "module_error":
        where = {key: error.get(key) for key in ("param", "port", "column")}
        return ModuleError(error["message"], **where)
    return RuntimeError(f"{what} {row.index + 1} failed on worker {row.worker}: {error.get('message', 'no message')}")


# --------------------------------------------------------------------------------------------
# any worker
# --------------------------------------------------------------------------------------------
def execute_part_run(part_id: int, worker: str, leaving: Callable[[], bool] = lambda: False) -> None:
    """Run one part of the batch ``part_id`` belongs to: that part if it is still pending, else the first pending
    sibling (the node's worker often takes the named one first); a message with nothing left to take does nothing.

    A part that raises while ``leaving()`` (this process is on its way out: its worker was told to stop) was
    interrupted, not failed: it stays ``running`` and is put back once its heartbeat is stale."""
    taken = _take_for_message(part_id, worker)
    if taken is None:
        return
    part = NodePart.objects.select_related("node_run__run__pipeline_version").get(pk=taken)
    nr = part.node_run
    mine = NodePart.objects.filter(pk=part.pk, status=P.RUNNING, worker=part.worker)
    if nr.status != NodeRun.Status.RUNNING or nr.attempt != part.attempt:
        mine.update(status=P.CANCELLED, finished_at=timezone.now(), heartbeat_at=None)
        return
    run = nr.run
    graph = run_graph(run)
    node = graph.nodes[nr.node_id]
    store = artifact_store()
    ctx = WorkerContext(
        node.id,
        seed=0,
        datasets=run_lookup(run),
        artifacts=run_artifacts(run),
        store=store,
        grant=run_grant(run),
        publish=run_publisher(run, node.id),
    )
    beat = _PartBeat(part, ctx)
    beat.start()
    outcome: dict[str, Any]
    try:
        item = json.loads(part.item)
        result = execute_part(node, default_registry(), input_digests(run, graph, node.id), store, ctx, item)
        outcome = {"status": P.DONE, "result": _dumps(as_json(result, "a part's result"))}
    except Exception as exc:
        if leaving():
            raise
        outcome = {"status": P.CANCELLED if isinstance(exc, Cancelled) else P.FAILED, "error": _error_dict(exc)}
    finally:
        beat.stop()
    finished = mine.update(**outcome, log=ctx.take_log(), finished_at=timezone.now(), heartbeat_at=None)
    if finished and outcome["status"] == P.DONE:
        offer_next(nr.pk, part.attempt, part.batch, nr.queue)


def _take_for_message(part_id: int, worker: str) -> int | None:
    """The part this worker now runs: the one its message names, or another pending part of the same batch."""
    batch = NodePart.objects.filter(pk=part_id).values("node_run_id", "attempt", "batch").first()
    if batch is None:
        return None
    others = NodePart.objects.filter(**batch, status=P.PENDING).exclude(pk=part_id).order_by("index")
    for pk in [part_id, *others.values_list("pk", flat=True)[:20]]:
        now = timezone.now()
        took = NodePart.objects.filter(pk=pk, status=P.PENDING).update(
            status=P.RUNNING, worker=worker[:180], started_at=now, heartbeat_at=now
        )
        if took:
            return int(pk)
    return None


class _PartBeat(Beat):
    """Keeps a part's heartbeat fresh and stops it when the part was put back or the node stopped."""

    def __init__(self, part: NodePart, ctx: WorkerContext) -> None:
        super().__init__(f"part-beat-{part.pk}")
        self.part = part
        self.ctx = ctx

    def beat(self) -> None:
        try:
            mine = NodePart.objects.filter(pk=self.part.pk, status=P.RUNNING, worker=self.part.worker)
            node_running = NodeRun.objects.filter(
                pk=self.part.node_run_id, status=NodeRun.Status.RUNNING, attempt=self.part.attempt
            ).exists()
            if not node_running or not mine.update(heartbeat_at=timezone.now()):
                self.ctx.cancelled.set()
        except Exception:  # a missed beat is tolerated; many in a row make the part stale
            log.warning("heartbeat for part %s failed", self.part.pk, exc_info=True)
            close_old_connections()
