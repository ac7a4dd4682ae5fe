"""Reads for runs, always scoped to the workspaces the caller belongs to."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, QuerySet

from designer.engine.diff import diff, to_json
from designer.pipelines.mapper import graph_of
from designer.workspaces.models import Membership

from .evaluations import INPUTS, LOGGED, evaluations
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
        "spread": n.spread,
        "compute": n.compute,
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
    """Scalar metrics of the run's metrics outputs (the first model of each), for run lists; see also
    ``evaluations.main_metrics``, which names every model and picks the task's main metric."""
    found: dict[str, Any] = {}
    for n in run.nodes.all():
        for _port, out in (n.outputs or {}).items():
            if out.get("type") == "metrics":
                for name, value in (out.get("summary", {}).get("values") or {}).items():
                    if isinstance(value, int | float) and len(found) < limit:
                        found[name] = value
    return found


# -- comparing two runs ---------------------------------------------------------------------------


def metrics_outputs(run: Run) -> list[tuple[NodeRun, str, dict[str, Any]]]:
    """Every metrics output of the run as (node, port, the first model's metric values), in node order."""
    return [(e.node, e.port, dict(e.models[0].values)) for e in evaluations(run)]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def metric_differences(a: Run, b: Run) -> list[dict[str, Any]]:
    """One row per (node, port, model, metric) found in either run: both values and ``b - a`` where both are numbers.

    Evaluate Model with two scored inputs measures two models: each has its own rows (``model`` is the
    input it came in on, ``learner`` its learner's name, "a → b" when the runs used different ones).
    Rows follow run a's nodes, then those only run b has; within a node, the first model's rows, then
    the second's; metric names alphabetically (the stored JSON keeps no order). A side without the
    metric is null."""
    rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    names: dict[tuple[str, str, str], dict[str, str]] = {}
    for side, run in (("a", a), ("b", b)):
        for evaluation in evaluations(run):
            for model in evaluation.models:
                group = (evaluation.node.node_id, evaluation.port, model.input)
                names.setdefault(group, {})[side] = model.label
                for name, value in sorted(model.values.items()):
                    row = rows.setdefault(
                        (*group, name),
                        {
                            "node": evaluation.node.node_id,
                            "port": evaluation.port,
                            "module": evaluation.node.module_id,
                            "model": model.input,
                            "learner": "",
                            "metric": name,
                            "a": None,
                            "b": None,
                        },
                    )
                    row[side] = value
    nodes = list(dict.fromkeys((node, port) for node, port, _, _ in rows))
    ordered = sorted(
        rows.values(),
        key=lambda r: (nodes.index((r["node"], r["port"])), INPUTS.index(r["model"]), r["metric"]),
    )
    for row in ordered:
        sides = names[(row["node"], row["port"], row["model"])]
        row["learner"] = " → ".join(dict.fromkeys(sides[s] for s in ("a", "b") if s in sides))
        row["delta"] = row["b"] - row["a"] if _is_number(row["a"]) and _is_number(row["b"]) else None
    return ordered


def logged_series(run: Run) -> dict[tuple[str, str], list[list[float]]]:
    """Every metric a script of the run logged over steps (``tessera.log_metric(..., step=)``), by (node, metric)."""
    from designer.artifacts import artifact_store
    from designer.engine.store import ArtifactMissing
    from modules.sdk import PORT_TYPES

    found: dict[tuple[str, str], list[list[float]]] = {}
    for node in sorted(run.nodes.all(), key=lambda n: n.pk):
        for out in (node.outputs or {}).values():
            if out.get("type") != "metrics" or (out.get("summary") or {}).get("task") != LOGGED:
                continue
            try:
                value = PORT_TYPES["metrics"].deserialize(artifact_store().get(out["digest"]))
            except (ArtifactMissing, KeyError):
                continue
            for name, points in sorted((value.detail.get("series") or {}).items()):
                if isinstance(points, list) and len(points) > 1:
                    found[(node.node_id, name)] = points
    return found


def series_differences(a: Run, b: Run) -> list[dict[str, Any]]:
    """Metrics logged over steps in either run, both sides' points (null where a run has none): drawn overlaid."""
    sides = {"a": logged_series(a), "b": logged_series(b)}
    keys = list(dict.fromkeys([*sides["a"], *sides["b"]]))
    return [
        {"node": node, "metric": name, "a": sides["a"].get((node, name)), "b": sides["b"].get((node, name))}
        for node, name in keys
    ]


def provenance_of(run: Run) -> dict[str, Any]:
    """What the run ran: its pipeline version, each node's module version, and the submitter's Git state."""
    modules: dict[str, dict[str, Any]] = {}
    for node in run.nodes.all():
        entry = modules.setdefault(node.module_id, {"module": node.module_id, "name": node.module_name, "versions": []})
        if node.module_version not in entry["versions"]:
            entry["versions"].append(node.module_version)
    return {
        "pipeline_version": run.pipeline_version.number,
        "modules": sorted(modules.values(), key=lambda m: m["name"]),
        "git": run.git or None,
    }


def commit_difference(a: Run, b: Run) -> dict[str, Any]:
    """Both runs' commits and whether they differ (flagged only when both runs were submitted from Git), or
    whether one of them was submitted from a working copy with changes not committed."""
    ca, cb = (a.git or {}).get("commit"), (b.git or {}).get("commit")
    return {
        "a": ca,
        "b": cb,
        "different": bool(ca and cb and ca != cb),
        "dirty": bool((a.git or {}).get("dirty") or (b.git or {}).get("dirty")),
    }


def compare_runs(a: Run, b: Run) -> dict[str, Any]:
    """Two runs side by side: their pipeline versions, the design diff from a's version to b's, their metrics,
    the metrics their scripts logged over steps, and whether their code came from different commits."""
    return {
        "same_pipeline": a.pipeline_id == b.pipeline_id,
        "diff": to_json(diff(graph_of(a.pipeline_version), graph_of(b.pipeline_version))),
        "metrics": metric_differences(a, b),
        "series": series_differences(a, b),
        "commits": commit_difference(a, b),
    }
