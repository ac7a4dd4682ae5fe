"""Reads for runs, always scoped to the workspaces the caller belongs to."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, QuerySet

from designer.workspaces.models import Membership

from .models import NodeRun, Run, RunEvent


def runs_for_user(user: Any) -> QuerySet[Run]:
    if not user or not user.is_authenticated:
        return Run.objects.none()
    member_of = Membership.objects.filter(user=user).values("workspace_id")
    return Run.objects.filter(workspace_id__in=member_of).select_related("pipeline", "pipeline_version", "created_by")


def run_for_user(user: Any, run_id: int) -> Run | None:
    return runs_for_user(user).filter(pk=run_id).first()


def elapsed_seconds(run: Run) -> float | None:
    from django.utils import timezone

    start = run.started_at or run.created_at
    if start is None:
        return None
    end = run.finished_at or timezone.now()
    return round((end - start).total_seconds(), 3)


def node_state(n: NodeRun) -> dict[str, Any]:
    return {
        "node": n.node_id,
        "module": n.module_id,
        "module_version": n.module_version,
        "module_name": n.module_name,
        "status": n.status,
        "reason": n.reason,
        "attempt": n.attempt,
        "worker": n.worker,
        "queue": n.queue,
        "progress": n.progress,
        "progress_message": n.progress_message,
        "error": n.error,
        "cache_key": n.cache_key,
        "outputs": n.outputs,
        "started_at": n.started_at.isoformat() if n.started_at else None,
        "finished_at": n.finished_at.isoformat() if n.finished_at else None,
    }


def run_snapshot(run: Run) -> dict[str, Any]:
    """Current state plus the sequence number of the last event it includes."""
    last_seq = RunEvent.objects.filter(run=run).aggregate(m=Max("id"))["m"] or 0
    run.refresh_from_db()
    return {
        "run": {
            "id": run.pk,
            "pipeline": run.pipeline_id,
            "version": run.pipeline_version.number,
            "status": run.status,
            "error": run.error,
            "elapsed": elapsed_seconds(run),
            "created_at": run.created_at.isoformat(),
            "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        },
        "nodes": [node_state(n) for n in run.nodes.all()],
        "last_seq": last_seq,
    }


def key_metrics(run: Run, limit: int = 6) -> dict[str, Any]:
    """Scalar metrics of the run's metrics outputs, for run lists."""
    found: dict[str, Any] = {}
    for n in run.nodes.all():
        for _port, out in (n.outputs or {}).items():
            if out.get("type") == "metrics":
                for name, value in (out.get("summary", {}).get("values") or {}).items():
                    if isinstance(value, int | float) and len(found) < limit:
                        found[name] = value
    return found
