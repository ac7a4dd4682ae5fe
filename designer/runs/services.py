"""Writes for runs: submit, advance (the scheduler), execute one node, cancel, reap nodes whose worker died.

Every state change happens in a short transaction that locks the run row, so concurrent workers
finishing sibling nodes cannot both dispatch (or both skip) the same child. Tasks are dispatched
only after commit. Node tasks are idempotent: a duplicate or stale delivery finds the node no
longer ``queued`` for its attempt and does nothing.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils import timezone

from designer.activity import services as activity
from designer.api import Unprocessable
from designer.artifacts import artifact_store
from designer.artifacts import services as ownership
from designer.artifacts.lookup import WorkspaceArtifactLookup
from designer.components.lookup import WorkspaceComponentLookup
from designer.components.planning import expanded, run_components
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.execute import NodeFailed, execute_node
from designer.engine.graph import Graph
from designer.engine.parameters import resolve
from designer.engine.plan import make_plan
from designer.engine.recent_tables import RecentTables
from designer.engine.validate import validate
from designer.pipelines.mapper import graph_of
from designer.pipelines.models import Pipeline, PipelineVersion
from modules.sdk import Cancelled, default_registry

from . import compute
from .context import Beat, WorkerContext
from .dispatch import send_nodes
from .events import batched, emit, node_payload
from .inputs import PinnedLookup, graph_dataset_refs, input_digests, run_artifacts, run_graph, run_lookup
from .models import CacheEntry, NodePart, NodeRun, Run
from .parts import PartRunner
from .writes import run_grant, run_publisher

log = logging.getLogger(__name__)
S = NodeRun.Status

#: The tables this worker process wrote lately, for the node it runs next (see ``execute_node_run``'s ``chain``).
RECENT_TABLES = RecentTables(int(settings.TESSERA_WORKER_TABLE_MEMORY_MB * 2**20))


# --------------------------------------------------------------------------------------------
# submit
# --------------------------------------------------------------------------------------------
def submit_run(
    *,
    user: Any,
    pipeline: Pipeline,
    version: PipelineVersion | None = None,
    regenerate: Iterable[str] = (),
    values: Mapping[str, Any] | None = None,
    trigger: Mapping[str, Any] | None = None,
    git: Mapping[str, Any] | None = None,
) -> Run:
    """Validate and plan a pipeline version, reuse what the cache has, and queue what is ready.

    ``values`` are pipeline parameter values (the rest take their defaults); ``trigger`` says why the
    run starts (``{"kind": "manual"}`` when omitted), and is kept on the run with the values used.
    ``git`` is the submitter's Git provenance (``serializers.GitProvenanceSerializer``, checked)."""
    version = version or pipeline.versions.order_by("-number").first()
    if version is None:
        raise Unprocessable("The pipeline has no saved version to run.")
    declared = graph_of(version)
    if not declared.nodes:
        raise Unprocessable("The pipeline is empty: add modules to the canvas before submitting.")
    registry = default_registry()
    lookup = WorkspaceDatasetLookup(pipeline.workspace)
    values = dict(values or {})  # running, not designing: a required parameter needs a value now
    components = WorkspaceComponentLookup(pipeline.workspace)
    result = validate(
        declared, registry, lookup, WorkspaceArtifactLookup(pipeline.workspace), values=values, components=components
    )
    found = [*result.problems, *compute.problems(declared)]
    if found:
        n = len(found)
        raise Unprocessable(
            f"The pipeline has {n} problem{'s' if n != 1 else ''} to fix before it can run.",
            problems=[p.to_dict() for p in found],
        )
    resolution = resolve(expanded(declared, pipeline.workspace), values)  # inner nodes plan and run as any node
    graph = resolution.graph
    inner = [p for p in compute.problems(graph) if "/" in (p.node or "")]  # compute targets chosen inside components
    if inner:
        raise Unprocessable(
            "A node inside a component names an undeclared compute target.", problems=[p.to_dict() for p in inner]
        )
    regenerate = set(regenerate)
    for outer, group in run_components(declared, pipeline.workspace).items():  # a component node: all inside
        if outer in regenerate:
            regenerate = (regenerate - {outer}) | set(group["nodes"])
    unknown = sorted(regenerate - set(graph.nodes))
    if unknown:
        raise Unprocessable(f"Cannot regenerate unknown node(s): {', '.join(unknown)}.")
    regenerate |= {n.id for n in graph.nodes.values() if n.regenerate}
    latest = {str(r.dataset_id): lookup.resolve(r) for r in graph_dataset_refs(graph) if r.version is None}
    pins = {dataset_id: resolved.version for dataset_id, resolved in latest.items()}
    plan = make_plan(graph, registry, PinnedLookup(lookup, pins, known=latest.values()))

    with transaction.atomic(), batched():
        run = Run.objects.create(
            workspace=pipeline.workspace,
            pipeline=pipeline,
            pipeline_version=version,
            created_by=user,
            status=Run.Status.RUNNING,
            dataset_pins=pins,
            regenerate=sorted(regenerate),
            parameter_values=resolution.values,
            trigger=dict(trigger or {"kind": "manual"}),
            git=dict(git or {}),
            started_at=timezone.now(),
        )
        emit(run, "run_started", status=run.status, version=version.number, nodes=len(plan.order))
        activity.record(
            workspace=run.workspace_id,
            actor=user,
            verb="submitted",
            object_type="run",
            object_id=run.pk,
            object_name=pipeline.name,
            detail={"version": version.number, "pipeline": pipeline.pk, "trigger": run.trigger.get("kind", "manual")},
        )
        rows = []
        for node_id in plan.order:
            node = graph.nodes[node_id]
            module = registry.get(node.module, node.version)
            rows.append(
                NodeRun(
                    run=run,
                    node_id=node_id,
                    module_id=node.module,
                    module_version=node.version,
                    module_name=module.name,
                    queue=compute.queue_for(node, module.queue),
                    compute={"target": compute.target_name(node)},
                    cache_key=plan.keys[node_id],
                )
            )
        NodeRun.objects.bulk_create(rows)  # their ids come back (PostgreSQL's RETURNING; SQLite's too)
        # What the cache already has is reused as the scheduler reaches it, never below a node that failed.
        _advance_locked(run, nodes=rows)
    return run


# --------------------------------------------------------------------------------------------
# advance: the scheduler, called after every node change
# --------------------------------------------------------------------------------------------
def advance(run_id: int) -> None:
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run_id)
        _advance_locked(run)


@dataclass(frozen=True)
class Keep:
    """A worker that just finished ``after`` and takes one ready node of ``queue`` itself: the node most
    likely to read what ``after`` wrote (its child), with no broker message and no second transaction."""

    queue: str
    worker: str
    after: str


def _advance_locked(run: Run, keep: Keep | None = None, nodes: Iterable[NodeRun] | None = None) -> NodeRun | None:
    """Skip what cannot run, reuse or queue what is ready, finish the run when nothing is left.

    A node is reused (its cache key already has stored outputs) only once all its parents are done, so
    nothing below a failed node is ever shown as reused: it is skipped, naming the node that failed.
    With ``keep``, one of the ready nodes is claimed for that worker instead of being sent: returned,
    already ``running``. ``nodes``: the run's node rows as they are (just created), not read again.
    Caller holds the lock."""
    if run.is_terminal:
        return None
    nodes = {n.node_id: n for n in (run.nodes.all() if nodes is None else nodes)}
    graph = run_graph(run)
    stopped = {nid: n.status for nid, n in nodes.items() if n.status in (S.FAILED, S.CANCELLED)}
    if stopped:
        _skip_below(run, graph, nodes, stopped)
    done = {nid for nid, n in nodes.items() if n.status in NodeRun.DONE}
    cache = _Cache(run, [n for n in nodes.values() if n.status == S.PENDING])
    queued: list[NodeRun] = []
    now = timezone.now()
    for nid in graph.topological_order():
        n = nodes[nid]
        if n.status != S.PENDING or not graph.parents(nid) <= done:
            continue
        if _reuse(run, n, cache):
            done.add(nid)
            continue
        n.status = S.QUEUED
        n.attempt += 1
        n.dispatched_at = now
        n.redispatches = 0
        if nid in cache.regenerate:
            n.reason = "ran: regenerate output was requested"
        else:
            n.reason = "ran: no cached output for these parameters and inputs"
        queued.append(n)
    kept = _kept(graph, queued, keep) if keep is not None else None
    _write_queued(run, queued, kept, keep, now)
    if kept is not None:
        emit(run, "node_started", **node_payload(kept))
        # Its parents' outputs are in the rows just read: the worker taking it does not read them again.
        kept.__dict__["_inputs"] = input_digests(run, graph, kept.node_id, nodes)
    to_dispatch = [(n.pk, n.attempt, n.queue) for n in queued if n is not kept]
    if to_dispatch:
        transaction.on_commit(lambda: _dispatch(to_dispatch))
    if queued:
        return kept
    if any(n.status in NodeRun.ACTIVE for n in nodes.values()):
        return None
    if any(n.status == S.PENDING for n in nodes.values()):
        return None  # cannot happen on a valid DAG; left visible rather than guessed at
    status = Run.Status.FAILED if stopped else Run.Status.COMPLETED
    first_error = next((n.error for n in nodes.values() if n.status == S.FAILED and n.error), None)
    _finish_run(run, status, (first_error or {}).get("message", "") if status == Run.Status.FAILED else "")
    return None


def _write_queued(run: Run, queued: list[NodeRun], kept: NodeRun | None, keep: Keep | None, now: Any) -> None:
    """Writes the nodes just queued (``kept`` also started, for ``keep``'s worker) and their events; those to be
    sent alike in one statement."""
    sent: dict[tuple[int, str], list[int]] = {}
    for n in queued:
        emit(run, "node_queued", **node_payload(n))
        if n is kept and keep is not None:  # queued and started in one write
            fields = ["status", "attempt", "dispatched_at", "redispatches", "reason", *_running(n, keep.worker)]
            n.save(update_fields=fields)
        else:
            sent.setdefault((n.attempt, n.reason), []).append(n.pk)
    for (attempt, reason), pks in sent.items():
        NodeRun.objects.filter(pk__in=pks).update(
            status=S.QUEUED, attempt=attempt, dispatched_at=now, redispatches=0, reason=reason
        )


def _kept(graph: Graph, queued: list[NodeRun], keep: Keep) -> NodeRun | None:
    """The queued node the finishing worker runs next: a child of the node it finished, first."""
    mine = [n for n in queued if n.queue == keep.queue]
    return next((n for n in mine if keep.after in graph.parents(n.node_id)), mine[0]) if mine else None


def _running(nr: NodeRun, worker: str) -> list[str]:
    """Marks ``nr`` running on ``worker`` from now (in memory); the fields to save."""
    now = timezone.now()
    nr.status = S.RUNNING
    nr.worker = worker[:200]
    nr.started_at = now
    nr.heartbeat_at = now
    nr.progress = 0.0
    nr.live = {}  # a new attempt starts its records again
    return ["status", "worker", "started_at", "heartbeat_at", "progress", "live"]


def _start(run: Run, nr: NodeRun, worker: str) -> None:
    """``nr`` (queued) is running on ``worker`` from now. Caller holds the run's lock."""
    nr.save(update_fields=_running(nr, worker))
    emit(run, "node_started", **node_payload(nr))


def _skip_below(run: Run, graph: Graph, nodes: dict[str, NodeRun], stopped: dict[str, str]) -> None:
    """Every pending descendant of a failed or cancelled node is skipped, its reason naming that ancestor."""
    below: dict[str, list[str]] = {}
    for nid in sorted(stopped):
        for child in graph.descendants([nid]):
            below.setdefault(child, []).append(nid)
    now = timezone.now()
    for nid in sorted(below):
        n = nodes[nid]
        if n.status != S.PENDING:
            continue
        n.status = S.SKIPPED
        n.reason = _skip_reason(below[nid], stopped)
        n.finished_at = now
        n.save(update_fields=["status", "reason", "finished_at"])
        emit(run, "node_skipped", **node_payload(n))


def _skip_reason(ancestors: list[str], stopped: dict[str, str]) -> str:
    failed = [a for a in ancestors if stopped[a] == S.FAILED]
    names = failed or ancestors
    what = "failed" if failed else "was cancelled" if len(names) == 1 else "were cancelled"
    shown = ", ".join(f"'{a}'" for a in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    noun = "node" if len(names) == 1 else "nodes"
    return f"skipped: upstream {noun} {shown} {what}"[:300]


class _Cache:
    """Cache entries for the keys of a run's pending nodes, read once per scheduler pass."""

    def __init__(self, run: Run, pending: list[NodeRun]) -> None:
        self.regenerate = set(run.regenerate or ())
        keys = {n.cache_key for n in pending if n.node_id not in self.regenerate}
        self.entries = (
            {e.key: e for e in CacheEntry.objects.filter(workspace_id=run.workspace_id, key__in=keys)} if keys else {}
        )
        self._store = artifact_store() if self.entries else None

    def usable(self, node: NodeRun) -> CacheEntry | None:
        """The entry whose outputs are all still stored, unless the node is to be regenerated."""
        entry = None if node.node_id in self.regenerate else self.entries.get(node.cache_key)
        if entry is None or self._store is None:
            return None
        return entry if all(self._store.exists(o["digest"]) for o in entry.outputs.values()) else None


def _reuse(run: Run, n: NodeRun, cache: _Cache) -> bool:
    entry = cache.usable(n)
    if entry is None:
        return False
    n.status = S.REUSED
    n.outputs = entry.outputs
    n.progress = 1.0
    n.reason = f"reused: same module, parameters and inputs as node {entry.node_id} of run {entry.run_id}"
    n.finished_at = timezone.now()
    n.save(update_fields=["status", "outputs", "progress", "reason", "finished_at"])
    # Outputs of this run, like those it computes (its document named only the workspace's artifacts).
    ownership.grant(run.workspace_id, [o["digest"] for o in n.outputs.values()], ownership.Source.RUN)
    emit(run, "node_reused", **node_payload(n))
    return True


def _finish_run(run: Run, status: str, error: str = "") -> None:
    run.status = status
    run.error = error[:5000]
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    started = run.started_at or run.created_at
    emit(run, "run_finished", status=status, error=run.error, elapsed=(run.finished_at - started).total_seconds())
    activity.record(
        workspace=run.workspace_id,
        actor=None,
        verb="finished",
        object_type="run",
        object_id=run.pk,
        object_name=run.pipeline.name,
        detail={"status": status, "pipeline": run.pipeline_id},
    )


def _dispatch(items: list[tuple[int, int, str]]) -> None:
    """Send node messages after commit. What the broker did not take is marked unsent (``dispatched_at``
    empty while ``queued``): every worker's reaper sends it again at its next pass, so a node waits for
    the broker to answer again, not for TESSERA_REDISPATCH_AFTER_SECONDS."""
    unsent = send_nodes(items)
    if unsent:
        _mark_unsent(unsent.items, unsent.error)


def _mark_unsent(items: list[tuple[int, int, str]], error: str) -> None:
    note = f"its message could not be sent ({error}): sent again once the broker answers\n"
    try:
        for pk, attempt, _queue in items:
            NodeRun.objects.filter(pk=pk, status=S.QUEUED, attempt=attempt).update(
                dispatched_at=None, log=Concat(F("log"), Value(note))
            )
    except Exception:  # the lost-message re-dispatch still sends it, TESSERA_REDISPATCH_AFTER_SECONDS later
        log.warning("could not record %s unsent node message(s)", len(items), exc_info=True)


# --------------------------------------------------------------------------------------------
# execute one node (inside a Celery worker)
# --------------------------------------------------------------------------------------------
def _claim(node_run_id: int, attempt: int, worker: str) -> NodeRun | None:
    with transaction.atomic():
        # What running the node reads next (its graph, its workspace) comes with the lock; only the run row is locked.
        # The node is read once the lock is held: read with it, in one statement, it could be a version from before
        # the lock's holder changed it (PostgreSQL rechecks only the locked row), and be claimed twice.
        runs = Run.objects.select_for_update(of=("self",)).select_related("pipeline_version", "workspace")
        run = runs.filter(nodes__pk=node_run_id).first()
        if run is None:
            return None
        nr = NodeRun.objects.get(pk=node_run_id)
        nr.run = run
        if run.is_terminal or nr.status != S.QUEUED or nr.attempt != attempt:
            return None  # duplicate, stale or cancelled delivery
        _start(run, nr, worker)
        return nr


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def execute_node_run(
    node_run_id: int,
    attempt: int,
    worker: str = "",
    *,
    heartbeat: bool = True,
    chain: Callable[[], bool] | None = None,
    leaving: Callable[[], bool] = lambda: False,
) -> None:
    """Run one node for one attempt; idempotent.

    ``heartbeat=False`` is for in-process execution inside one open transaction (tests, scripts),
    where a second connection could not see the node's row. With ``chain``, while ``chain()`` is true,
    the worker goes on with a node that finishing this one made ready (on the same queue) instead of
    sending it to the broker: the hand-off costs one transaction, and the inputs it reads were most
    likely just written here (the engine keeps them in memory).

    ``leaving()`` says whether this process is on its way out because its worker was told to stop: a node
    that fails then was interrupted (the stop reached the module as whatever it was running raised) and is
    not recorded as failed; it stays ``running`` for the worker to hand back, to be retried elsewhere.
    """
    worker = worker or default_worker_name()
    nr = _claim(node_run_id, attempt, worker)
    while nr is not None:
        nr = _execute_claimed(nr, worker, heartbeat, chain, leaving)


def _execute_claimed(
    nr: NodeRun, worker: str, heartbeat: bool, chain: Callable[[], bool] | None, leaving: Callable[[], bool]
) -> NodeRun | None:
    """Run ``nr`` (claimed: running here); the next node claimed for this worker when ``chain()`` says so."""
    attempt = nr.attempt
    run = nr.run
    graph = run_graph(run)
    node = graph.nodes[nr.node_id]
    inputs = nr.__dict__.pop("_inputs", None) or input_digests(run, graph, node.id)
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
    if heartbeat:  # parts can travel only when other workers can see this node's rows
        ctx.parts = PartRunner(nr.pk, attempt, nr.queue, default_worker_name())
    beats = _Heartbeat(nr.pk, attempt, run.pk, ctx, enabled=heartbeat)
    beats.start()
    ctx.log(f"attempt {attempt} on {nr.worker}: {nr.reason}")

    def keep() -> Keep | None:  # asked once the node ended: a worker told to stop meanwhile takes no more
        return Keep(nr.queue, worker, nr.node_id) if chain is not None and chain() else None

    # The target recorded at submit, and how the node ran once it did.
    where: dict[str, Any] = {"target": compute.target_name(node), **(nr.compute or {})}
    try:
        records = execute_node(
            node, default_registry(), inputs, store, ctx, RECENT_TABLES, dask=compute.dask_path(node, where.update)
        )
    except Cancelled as exc:
        beats.stop()
        return _finish_node(
            nr, attempt, S.CANCELLED, ctx, error={"message": str(exc), "code": "cancelled"}, compute=where
        )
    except NodeFailed as exc:
        beats.stop()
        if leaving():
            raise
        ctx.log(exc.traceback or "")
        return _finish_node(nr, attempt, S.FAILED, ctx, error={**exc.problem.to_dict()}, keep=keep(), compute=where)
    except Exception as exc:  # the engine wraps module errors; this is a bug in Tessera itself
        beats.stop()
        if leaving():
            raise
        ctx.log(traceback.format_exc())
        message = f"Node '{node.id}' ({nr.module_name}) failed inside Tessera: {type(exc).__name__}: {exc}"
        error = {"code": "internal_error", "message": message, "node": node.id}
        return _finish_node(nr, attempt, S.FAILED, ctx, error=error, keep=keep(), compute=where)
    beats.stop()
    where.setdefault("path", "pandas")
    outputs = {
        port: {"digest": r.digest, "type": r.type, "size": r.size, "summary": r.summary} for port, r in records.items()
    }
    return _finish_node(nr, attempt, S.COMPLETED, ctx, outputs=outputs, keep=keep(), compute=where)


def _finish_node(
    nr: NodeRun,
    attempt: int,
    status: str,
    ctx: WorkerContext,
    *,
    outputs: dict[str, Any] | None = None,
    error: dict[str, Any] | None = None,
    keep: Keep | None = None,
    compute: dict[str, Any] | None = None,
) -> NodeRun | None:
    """Record how the node ended and advance the run, in one transaction; the node ``keep`` claimed, if any.
    ``compute``: where it ran (its target, the path, the Dask scheduler and dashboard)."""
    with transaction.atomic(), batched():
        # The version and workspace come with the lock (the scheduler reads its graph, the next node its
        # workspace); only the run's row is locked.
        runs = Run.objects.select_for_update(of=("self",)).select_related("pipeline_version", "workspace")
        run = runs.get(pk=nr.run_id)
        now = timezone.now()
        detail = ctx.take_detail()  # first: a detail record always comes with a progress update
        final = ctx.take_progress()  # what the next beat would have sent: it goes with the finish instead
        fields: dict[str, Any] = {
            "status": status,
            "outputs": outputs or {},
            "error": error,
            "progress": 1.0 if status == S.COMPLETED else F("progress"),
            "finished_at": now,
            "heartbeat_at": None,
            "log": Concat(F("log"), Value(ctx.take_log())),
        }
        if detail is not None:
            fields["live"] = detail[1]
        if compute is not None:
            fields["compute"] = compute
        if final is not None:
            fields["progress_message"] = final[1]
            if status != S.COMPLETED:
                fields["progress"] = final[0]
        updated = NodeRun.objects.filter(pk=nr.pk, status=S.RUNNING, attempt=attempt).update(**fields)
        if status == S.COMPLETED and outputs is not None:
            # What the run computed is the workspace's: its pipelines may name it (Saved ... nodes).
            ownership.grant(run.workspace_id, [o["digest"] for o in outputs.values()], ownership.Source.RUN)
            # The first entry for a key stays (another run may have written it meanwhile): one statement.
            entry = CacheEntry(
                workspace_id=run.workspace_id,
                key=nr.cache_key,
                outputs=outputs,
                run=run,
                node_id=nr.node_id,
                module_id=nr.module_id,
            )
            CacheEntry.objects.bulk_create([entry], ignore_conflicts=True)
        if not updated:  # cancelled or handed to another attempt meanwhile; its outcome stands
            _advance_locked(run)
            return None
        if status == S.COMPLETED and (ctx.parts is None or not getattr(ctx.parts, "mapped", True)):  # as just written
            nr.status, nr.outputs, nr.error, nr.progress, nr.finished_at = status, outputs or {}, error, 1.0, now
        else:  # its progress stays where it got to; parts record how the work was spread
            nr.refresh_from_db()
        if compute is not None:
            nr.compute = compute
        if final is not None:  # a node that finished between two beats still shows where its progress bar got to
            extra = {"detail": detail[0]} if detail is not None else {}
            emit(run, "node_progress", node=nr.node_id, progress=final[0], message=final[1], **extra)
        kind = {S.COMPLETED: "node_finished", S.FAILED: "node_failed", S.CANCELLED: "node_cancelled"}[status]
        elapsed = (now - nr.started_at).total_seconds() if nr.started_at else None
        emit(run, kind, **node_payload(nr), elapsed=elapsed)
        return _advance_locked(run, keep)


class _Heartbeat(Beat):
    """Keeps a running node's heartbeat fresh, flushes its log and progress, and notices cancellation."""

    def __init__(self, node_run_id: int, attempt: int, run_id: int, ctx: WorkerContext, enabled: bool = True) -> None:
        super().__init__(f"heartbeat-{node_run_id}", enabled)
        self.node_run_id = node_run_id
        self.attempt = attempt
        self.run_id = run_id
        self.ctx = ctx
        self._beats = 0

    def beat(self) -> None:
        try:
            self._beats += 1
            detail = self.ctx.take_detail()  # first: a detail record always comes with a progress update
            progress = self.ctx.take_progress()
            fields: dict[str, Any] = {}
            beat_every = max(1, round(float(settings.TESSERA_HEARTBEAT_SECONDS) / self.interval))
            if self._beats % beat_every == 0:
                fields["heartbeat_at"] = timezone.now()
            if progress is not None:
                fields["progress"], fields["progress_message"] = progress
            if detail is not None:
                fields["live"] = detail[1]
            if not fields:
                return
            with transaction.atomic():
                if progress is not None:
                    # Events are numbered by their row id and a socket skips numbers it has passed: take
                    # the run's lock, as every other event of the run does, so that no later-numbered event
                    # commits first and this one is skipped (run before node row, the order used elsewhere).
                    Run.objects.select_for_update().filter(pk=self.run_id).values_list("pk", flat=True).first()
                updated = NodeRun.objects.filter(pk=self.node_run_id, status=S.RUNNING, attempt=self.attempt).update(
                    **fields
                )
                if not updated:
                    self.ctx.cancelled.set()  # cancelled, or taken over after we were presumed dead
                    return
                if progress is not None:
                    extra = {"detail": detail[0]} if detail is not None else {}
                    node = self._node_id()
                    emit(self.run_id, "node_progress", node=node, progress=progress[0], message=progress[1], **extra)
        except Exception:  # a missed beat is tolerated; many in a row make the node stale
            log.warning("heartbeat for node run %s failed", self.node_run_id, exc_info=True)
            close_old_connections()

    def last(self) -> None:
        """Nothing: the node's last progress (a Parallel Run's "200,000 / 200,000 rows") is written with its
        finish, in the same transaction (``_finish_node``), and a short node never opens a connection here."""

    def _node_id(self) -> str:
        return NodeRun.objects.filter(pk=self.node_run_id).values_list("node_id", flat=True).first() or ""


# --------------------------------------------------------------------------------------------
# cancel
# --------------------------------------------------------------------------------------------
def cancel_run(run: Run, user: Any = None) -> Run:
    """Cancels what has not finished; ``user`` is who cancelled (for the activity feed)."""
    with transaction.atomic():
        run = Run.objects.select_for_update().get(pk=run.pk)
        if run.is_terminal:
            return run  # nothing was cancelled: nothing to record
        activity.record(
            workspace=run.workspace_id,
            actor=user,
            verb="cancelled",
            object_type="run",
            object_id=run.pk,
            object_name=run.pipeline.name,
            detail={"pipeline": run.pipeline_id},
        )
        now = timezone.now()
        for n in run.nodes.filter(status__in=[S.PENDING, S.QUEUED, S.RUNNING]):
            n.status = S.CANCELLED
            n.reason = "cancelled by user"
            n.finished_at = now
            n.heartbeat_at = None
            n.save(update_fields=["status", "reason", "finished_at", "heartbeat_at"])
            emit(run, "node_cancelled", **node_payload(n))
        _finish_run(run, Run.Status.CANCELLED, "cancelled by user")
    return run


# --------------------------------------------------------------------------------------------
# reaper: nothing stays "running" after its worker died
# --------------------------------------------------------------------------------------------
@dataclass
class ReapReport:
    retried: list[int]
    failed: list[int]
    redispatched: list[int] = field(default_factory=list)


def reap_stale_nodes(now: Any = None) -> ReapReport:
    """Retry (or fail, after TESSERA_MAX_ATTEMPTS) running nodes whose heartbeat is older than the limit,
    and send again the message of queued nodes that no worker took (see :func:`redispatch_lost`).

    Bound: a node whose worker dies is noticed within TESSERA_STALE_AFTER_SECONDS plus one reaper
    interval (TESSERA_HEARTBEAT_SECONDS) by any live worker.
    """
    now = now or timezone.now()
    limit = now - timedelta(seconds=float(settings.TESSERA_STALE_AFTER_SECONDS))
    report = ReapReport([], [])
    stale = list(
        NodeRun.objects.filter(status=S.RUNNING, heartbeat_at__lt=limit).values_list("pk", "run_id", "attempt")
    )
    for pk, run_id, attempt in stale:
        with transaction.atomic():
            run = Run.objects.select_for_update().get(pk=run_id)
            nr = NodeRun.objects.get(pk=pk)
            if nr.status != S.RUNNING or nr.attempt != attempt or (nr.heartbeat_at and nr.heartbeat_at >= limit):
                continue
            silent = (now - nr.heartbeat_at).total_seconds() if nr.heartbeat_at else 0.0
            _retry_or_fail(
                run, nr, f"worker {nr.worker} stopped responding (no heartbeat for {silent:.0f} s)", now, report
            )
    report.redispatched = redispatch_lost(now)
    return report


def release_nodes(worker: str, *, why: str = "shut down") -> ReapReport:
    """Hand back the nodes still ``running`` under a worker's name once its processes are stopped (it is
    shutting down): each is retried (or failed, after TESSERA_MAX_ATTEMPTS) exactly as if the worker had
    been killed, without waiting for its heartbeat to go stale. Worker names must be unique (Celery's
    ``-n``), as they are in compose and ``make start``."""
    now = timezone.now()
    report = ReapReport([], [])
    pairs = NodeRun.objects.filter(status=S.RUNNING, worker=worker[:200]).values_list("pk", "attempt")
    for pk, attempt in sorted(pairs):
        with transaction.atomic():
            run_id = NodeRun.objects.filter(pk=pk).values_list("run_id", flat=True).first()
            if run_id is None:
                continue
            run = Run.objects.select_for_update().get(pk=run_id)
            nr = NodeRun.objects.get(pk=pk)
            if nr.status != S.RUNNING or nr.attempt != attempt:
                continue  # it finished, or was cancelled, meanwhile
            _retry_or_fail(run, nr, f"worker {nr.worker} {why} while running it", now, report)
    return report


def _retry_or_fail(run: Run, nr: NodeRun, lost: str, now: Any, report: ReapReport) -> None:
    """Another attempt for a running node whose worker is gone, or its failure after the last one. Caller
    holds the run's lock and has checked the node is still ``running`` for the attempt it knows."""
    _fail_orphaned_parts(nr, lost, now)
    if nr.attempt < settings.TESSERA_MAX_ATTEMPTS:
        nr.status = S.QUEUED
        nr.attempt += 1
        nr.reason = f"retrying: {lost}"
        nr.heartbeat_at = None
        nr.dispatched_at = now
        nr.redispatches = 0
        nr.log += f"{lost}; retrying as attempt {nr.attempt}\n"
        nr.save(update_fields=["status", "attempt", "reason", "heartbeat_at", "dispatched_at", "redispatches", "log"])
        emit(run, "node_retrying", **node_payload(nr))
        item = [(nr.pk, nr.attempt, nr.queue)]
        transaction.on_commit(lambda: _dispatch(item))
        report.retried.append(nr.pk)
    else:
        nr.status = S.FAILED
        nr.error = {
            "code": "worker_lost",
            "node": nr.node_id,
            "message": f"Node '{nr.node_id}' ({nr.module_name}) failed: {lost} after {nr.attempt} attempt(s).",
        }
        nr.finished_at = now
        nr.heartbeat_at = None
        nr.save(update_fields=["status", "error", "finished_at", "heartbeat_at"])
        emit(run, "node_failed", **node_payload(nr))
        _advance_locked(run)
        report.failed.append(nr.pk)


def _fail_orphaned_parts(nr: NodeRun, lost: str, now: Any) -> None:
    """The lost attempt's parts that nobody will finish: those not yet taken (no node is left to collect
    them; the next attempt makes its own) and those its own worker was running (a part the node's worker
    runs has no heartbeat of its own). Parts another live worker runs finish as they would have."""
    part = NodePart.Status
    orphaned = NodePart.objects.filter(node_run=nr, attempt=nr.attempt).filter(
        Q(status__in=[part.WAITING, part.PENDING]) | Q(status=part.RUNNING, heartbeat_at__isnull=True)
    )
    orphaned.update(
        status=part.FAILED,
        error={"code": "worker_lost", "node": nr.node_id, "message": f"{lost}; the node's attempt ended"},
        finished_at=now,
    )


def redispatch_lost(now: Any = None) -> list[int]:
    """Send the messages the broker did not take (:func:`send_unsent`), then send again the message of
    each node queued longer than TESSERA_REDISPATCH_AFTER_SECONDS.

    A queued node whose message the broker lost (Redis restarted without persistence, a purged
    queue) would otherwise wait forever. Sending again is safe: a node runs only if it is still
    queued for that attempt when a worker takes a message, so a duplicate does nothing. A node that
    waits only because every worker is busy gets its message again after 1, 2, 4 ... times the
    limit (at most 10 minutes apart), so a long queue does not fill the broker with copies.
    """
    now = now or timezone.now()
    sent = send_unsent(now)
    if sent is None:
        return []  # the broker does not answer: nothing more to try in this pass
    base = float(settings.TESSERA_REDISPATCH_AFTER_SECONDS)
    queued = NodeRun.objects.filter(status=S.QUEUED, dispatched_at__lt=now - timedelta(seconds=base))
    for nr in queued.only("pk", "attempt", "queue", "dispatched_at", "redispatches", "run_id", "node_id"):
        wait = min(base * 2**nr.redispatches, 600.0)
        if nr.dispatched_at is None or (now - nr.dispatched_at).total_seconds() < wait:
            continue
        note = f"no worker took it for {wait:.0f} s (a lost message, or every worker busy): sent again\n"
        claimed = NodeRun.objects.filter(
            pk=nr.pk, status=S.QUEUED, attempt=nr.attempt, dispatched_at=nr.dispatched_at
        ).update(dispatched_at=now, redispatches=F("redispatches") + 1, log=Concat(F("log"), Value(note)))
        if not claimed:  # another worker's reaper, or a worker taking it, was first
            continue
        unsent = send_nodes([(nr.pk, nr.attempt, nr.queue)])
        if unsent:
            _mark_unsent(unsent.items, unsent.error)
            break
        sent.append(nr.pk)
    return sent


def send_unsent(now: Any = None) -> list[int] | None:
    """Send the message of every queued node whose earlier send failed (the broker was unreachable).

    Every worker's reaper calls this each TESSERA_HEARTBEAT_SECONDS, so such a node is sent within one
    pass of the broker answering again. Each message is claimed first (``dispatched_at`` set while it
    was empty), so two reapers do not both send it. Returns the nodes sent, or None when a send failed
    again: the node is marked unsent again and the rest wait for the next pass.
    """
    now = now or timezone.now()
    sent: list[int] = []
    unsent = NodeRun.objects.filter(status=S.QUEUED, dispatched_at__isnull=True).order_by("pk")
    for pk, attempt, queue in unsent.values_list("pk", "attempt", "queue"):
        claimed = NodeRun.objects.filter(pk=pk, status=S.QUEUED, attempt=attempt, dispatched_at__isnull=True).update(
            dispatched_at=now
        )
        if not claimed:
            continue
        failed = send_nodes([(pk, attempt, queue)])
        if failed:
            NodeRun.objects.filter(pk=pk, status=S.QUEUED, attempt=attempt, dispatched_at=now).update(
                dispatched_at=None
            )
            return None
        note = "its message was sent now that the broker answers again\n"
        NodeRun.objects.filter(pk=pk).update(log=Concat(F("log"), Value(note)))
        sent.append(pk)
    return sent
