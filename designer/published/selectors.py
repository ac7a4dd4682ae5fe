"""Reads for published pipelines: endpoints scoped to members, a published version's parameters (with
the defaults it stores), the runs an endpoint started, and what a key holder may see of one run."""

from __future__ import annotations

import copy
from typing import Any

from django.db.models import QuerySet

from designer.components.planning import expanded
from designer.engine.graph import parse_graph
from designer.engine.parameter_schema import values_json_schema
from designer.pipelines.selectors import parameter_schema
from designer.runs.models import NodeRun, Run
from designer.runs.selectors import elapsed_seconds
from designer.workspaces.permissions import scope_to_member

from .models import PipelineEndpoint, PublishedRun, PublishedVersion

#: The port type whose outputs a key holder may download (as CSV or Parquet).
TABLE = "table"


def endpoints_for_user(user: Any) -> QuerySet[PipelineEndpoint]:
    queryset = PipelineEndpoint.objects.select_related("pipeline", "created_by")
    return scope_to_member(queryset, user)


def endpoint_named(name: str) -> PipelineEndpoint | None:
    """For key holders: the endpoint with that name, whoever asks (the key is checked next)."""
    return PipelineEndpoint.objects.select_related("pipeline", "workspace").filter(name=name).first()


def versions_of(endpoint: PipelineEndpoint) -> QuerySet[PublishedVersion]:
    return endpoint.versions.select_related("version", "published_by").order_by("number")


def parameters_of(published: PublishedVersion) -> dict[str, Any]:
    """``pipelines.selectors.parameter_schema`` of the published pipeline version, with the version's
    stored defaults in place of the document's (``document_default`` keeps the one the pipeline declares),
    and the JSON Schema of the whole ``{"name": value}`` object accordingly."""
    described = copy.deepcopy(parameter_schema(published.version)["parameters"])
    stored = published.defaults or {}
    for p in described:
        if "default" in p:
            p["document_default"] = p["default"]
        if p["name"] in stored:
            p["default"] = copy.deepcopy(stored[p["name"]])
            p["required"] = False
            p["schema"] = {**p["schema"], "default": copy.deepcopy(stored[p["name"]])}
    return {"parameters": described, "schema": values_json_schema(described)}


def runs_of(endpoint: PipelineEndpoint) -> QuerySet[PublishedRun]:
    return PublishedRun.objects.filter(endpoint=endpoint).select_related("run", "run__pipeline_version")


def published_run(endpoint: PipelineEndpoint, run_id: int) -> Run | None:
    """The run ``run_id`` if ``endpoint`` started it."""
    link = PublishedRun.objects.filter(endpoint=endpoint, run_id=run_id).select_related("run").first()
    return link.run if link is not None else None


def endpoint_of_run(run_id: int) -> PipelineEndpoint | None:
    """The endpoint that started ``run_id``, if one did (what a key may follow over the WebSocket)."""
    link = PublishedRun.objects.filter(run_id=run_id).select_related("endpoint").first()
    return link.endpoint if link is not None else None


def _consumed(run: Run) -> set[tuple[str, str]]:
    """(node, port) pairs another node of the run reads: the others are the run's results."""
    graph = expanded(parse_graph(run.pipeline_version.document), run.workspace_id)  # node ids as the run's
    return {(e.source, e.source_port) for e in graph.edges}


def table_outputs(run: Run) -> list[dict[str, Any]]:
    """Every table a finished node of ``run`` produced, in node order: rows and columns when known, and
    ``final`` for those no other node reads (what the pipeline is for, e.g. a scored dataset)."""
    consumed = _consumed(run)
    found = []
    for node in run.nodes.filter(status__in=NodeRun.DONE).order_by("id"):
        for port, out in (node.outputs or {}).items():
            if out.get("type") != TABLE:
                continue
            summary = out.get("summary") or {}
            found.append(
                {
                    "node": node.node_id,
                    "port": port,
                    "module": node.module_id,
                    "final": (node.node_id, port) not in consumed,
                    "rows": summary.get("rows"),
                    "columns": summary.get("columns"),
                }
            )
    return found


def table_output(run: Run, node_id: str, port: str) -> dict[str, Any] | None:
    """The stored record of one table output of ``run`` (digest, type, size), if it has one."""
    node = run.nodes.filter(node_id=node_id, status__in=NodeRun.DONE).first()
    out = (node.outputs or {}).get(port) if node is not None else None
    return out if out is not None and out.get("type") == TABLE else None


def run_state(run: Run) -> dict[str, Any]:
    """What a key holder polls: the run's status, its nodes' statuses, the values it ran with and its tables."""
    run.refresh_from_db()
    link = PublishedRun.objects.filter(run=run).first()
    return {
        "id": run.pk,
        "status": run.status,
        "error": run.error,
        "version": link.number if link is not None else None,
        "pipeline_version": run.pipeline_version.number,
        "parameters": run.parameter_values,
        "trigger": run.trigger,
        "created_at": run.created_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "elapsed": elapsed_seconds(run),
        "nodes": [
            {
                "node": n.node_id,
                "module": n.module_id,
                "module_name": n.module_name,
                "status": n.status,
                "progress": n.progress,
                "error": (n.error or {}).get("message") if isinstance(n.error, dict) else n.error,
                "started_at": n.started_at,
                "finished_at": n.finished_at,
            }
            for n in run.nodes.all().order_by("id")
        ],
        "outputs": table_outputs(run),
    }
