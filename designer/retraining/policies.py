"""Writes for retraining policies: every field is checked against the endpoint, its workspace and the
published pipeline before anything is saved, and a refusal names the field at fault."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from rest_framework.exceptions import ValidationError

from designer.activity import services as activity
from designer.api import Unprocessable
from designer.datasets.models import Dataset
from designer.endpoints.models import Endpoint
from designer.engine.graph import Graph
from designer.engine.parameters import bindings, declarations, resolve
from designer.pipelines.mapper import graph_of
from designer.published.models import PipelineEndpoint
from designer.published.services import published_version
from designer.runs import selectors as run_selectors
from designer.runs.models import Run

from . import metrics
from .evaluation import NotEvaluable, champion_of, measured
from .models import RetrainingPolicy

#: Fields a policy is written with, and their defaults when a PUT leaves them out.
DEFAULTS: dict[str, Any] = {
    "dataset_parameter": "",
    "values": {},
    "margin": 0.0,
    "auto_promote": False,
    "model_name": "",
    "alarm_enabled": True,
    "drift_window_minutes": 60,
    "drift_min_rows": 100,
    "drift_features": None,
}
REQUIRED = ("pipeline_endpoint", "metric")


def auto_promote_allowed() -> bool:
    """Whether the operator lets a policy promote without an editor (TESSERA_RETRAINING_AUTO_PROMOTE)."""
    return bool(getattr(settings, "TESSERA_RETRAINING_AUTO_PROMOTE", False))


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def champion_task(endpoint: Endpoint) -> str:
    """The task of the model the endpoint serves; a 400 naming the endpoint when it cannot be compared."""
    try:
        return champion_of(endpoint.document).task
    except NotEvaluable as exc:
        raise Unprocessable(f"Endpoint '{endpoint.name}' cannot be retrained: {exc}", [{"field": "endpoint"}]) from None


@dataclass(frozen=True)
class Retrainer:
    """What a pipeline endpoint's default version offers a policy."""

    graph: Graph
    dataset_parameters: list[str]  # declared with type "dataset" and bound to a node
    measures: bool  # has an Evaluate Model fed by a Score Model


def retrainer(pipeline_endpoint: PipelineEndpoint) -> Retrainer:
    graph = graph_of(published_version(pipeline_endpoint).version)
    declared, _problems = declarations(graph)
    bound = bindings(graph)
    names = [name for name, spec in declared.items() if spec.type == "dataset" and name in bound]
    return Retrainer(graph, names, measured(graph) is not None)


def _pipeline_endpoint(endpoint: Endpoint, ident: Any) -> PipelineEndpoint:
    found = PipelineEndpoint.objects.filter(pk=ident, workspace_id=endpoint.workspace_id).first()
    if found is None:  # another workspace's says nothing more than one that does not exist
        raise _refuse("pipeline_endpoint", f"There is no pipeline endpoint {ident} in this endpoint's workspace.")
    return found


def _dataset_parameter(pe: PipelineEndpoint, offered: Retrainer, wanted: str) -> str:
    if not offered.dataset_parameters:
        raise _refuse(
            "pipeline_endpoint",
            f"Pipeline endpoint '{pe.name}' is not parameterized on its training dataset: its default version "
            "declares no dataset parameter that drives a Dataset node.",
        )
    if not wanted:
        if len(offered.dataset_parameters) > 1:
            raise _refuse(
                "dataset_parameter",
                f"Pipeline endpoint '{pe.name}' has several dataset parameters; name the training dataset's: "
                + ", ".join(offered.dataset_parameters)
                + ".",
            )
        return offered.dataset_parameters[0]
    if wanted not in offered.dataset_parameters:
        raise _refuse(
            "dataset_parameter",
            f"'{wanted}' is not a dataset parameter of pipeline endpoint '{pe.name}' "
            f"(its dataset parameters: {', '.join(offered.dataset_parameters)}).",
        )
    return wanted


def _metric(endpoint: Endpoint, pe: PipelineEndpoint, offered: Retrainer, name: str) -> metrics.Metric:
    if not offered.measures:
        raise _refuse(
            "pipeline_endpoint",
            f"Pipeline endpoint '{pe.name}' reports no metric: its default version has no Evaluate Model fed by "
            "a Score Model, so its model cannot be compared with the endpoint's.",
        )
    task = champion_task(endpoint)
    metric = metrics.find(task, name)
    if metric is None:
        offered_names = ", ".join(m.name for m in metrics.metrics_for(task)) or "none"
        raise _refuse(
            "metric",
            f"Evaluate Model does not report '{name}' for the {task} model this endpoint serves "
            f"(it reports: {offered_names}).",
        )
    reported = _reported_by_last_run(pe)
    if reported is not None and name not in reported:
        raise _refuse(
            "metric",
            f"The last completed run of pipeline endpoint '{pe.name}' reported no '{name}' "
            f"(it reported: {', '.join(sorted(reported)) or 'nothing'}).",
        )
    return metric


def _reported_by_last_run(pe: PipelineEndpoint) -> set[str] | None:
    """The metric names the measuring Evaluate Model of the endpoint's last completed run reported, if any ran."""
    last = Run.objects.filter(published__endpoint=pe, status=Run.Status.COMPLETED).order_by("-created_at").first()
    if last is None:
        return None
    found = measured(graph_of(last.pipeline_version))
    for node, _port, values in run_selectors.metrics_outputs(last):
        if found is not None and node.node_id == found.evaluate:
            return {k for k, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    return None


def _margin(metric: metrics.Metric, margin: Any) -> float:
    value = float(margin)
    if not math.isfinite(value) or value < 0:
        raise _refuse("margin", f"The margin must be a number of at least 0, not {margin!r}.")
    if metric.proportion and value >= 1:
        raise _refuse(
            "margin",
            f"'{metric.name}' lies between 0 and 1, so a margin of {value:g} could never be met; use less than 1.",
        )
    return value


def _values(endpoint: Endpoint, offered: Retrainer, values: Any) -> dict[str, Any]:
    if not isinstance(values, Mapping):
        raise _refuse("values", "Give the parameter values as an object: {name: value}.")
    values = dict(values)
    problems = [p for p in resolve(offered.graph, values).problems if (p.path or "").startswith("values.")]
    if problems:
        raise ValidationError({"values": [p.message for p in problems]})
    declared, _ = declarations(offered.graph)
    datasets = {name: value["dataset_id"] for name, value in values.items() if declared[name].type == "dataset"}
    for name, ident in datasets.items():
        if not Dataset.objects.filter(pk=ident, workspace_id=endpoint.workspace_id).exists():
            raise _refuse("values", f"Parameter '{name}' names dataset {ident}, which is not in this workspace.")
    return values


def _alarm(data: dict[str, Any]) -> None:
    window, rows, features = data["drift_window_minutes"], data["drift_min_rows"], data["drift_features"]
    if not isinstance(window, int) or not 1 <= window <= 7 * 24 * 60:
        raise _refuse("drift_window_minutes", "The drift window is a whole number of minutes from 1 to 10080 (a week).")
    if not isinstance(rows, int) or not 1 <= rows <= 1_000_000:
        raise _refuse("drift_min_rows", "The rows needed before drift counts is a whole number from 1 to 1000000.")
    if features is not None and (not isinstance(features, int) or not 1 <= features <= 100_000):
        raise _refuse("drift_features", "The number of drifted features is a whole number from 1 to 100000, or null.")


def save_policy(
    endpoint: Endpoint, user: Any, data: Mapping[str, Any], *, partial: bool = False
) -> tuple[RetrainingPolicy, bool]:
    """Create or replace (``partial``: change) the endpoint's policy; every field is checked first."""
    existing = RetrainingPolicy.objects.filter(endpoint=endpoint).first()
    if partial and existing is None:
        raise Unprocessable(f"Endpoint '{endpoint.name}' has no retraining policy to change; PUT one first.")
    base = (
        {f: getattr(existing, f) for f in DEFAULTS}
        | {"pipeline_endpoint": existing.pipeline_endpoint_id, "metric": existing.metric}
        if partial and existing is not None
        else dict(DEFAULTS)
    )
    merged = base | dict(data)
    for field in REQUIRED:
        if merged.get(field) in (None, ""):
            raise _refuse(field, "This field is required.")
    pe = _pipeline_endpoint(endpoint, merged["pipeline_endpoint"])
    offered = retrainer(pe)
    clean: dict[str, Any] = {
        "pipeline_endpoint": pe,
        "dataset_parameter": _dataset_parameter(pe, offered, merged["dataset_parameter"] or ""),
        "values": _values(endpoint, offered, merged["values"] or {}),
    }
    metric = _metric(endpoint, pe, offered, merged["metric"])
    clean |= {"metric": metric.name, "margin": _margin(metric, merged["margin"])}
    if merged["auto_promote"] and not auto_promote_allowed():
        raise _refuse(
            "auto_promote",
            "The operator has not allowed automatic promotion (TESSERA_RETRAINING_AUTO_PROMOTE); "
            "an editor approves each challenger.",
        )
    _alarm(merged)
    clean |= {
        "auto_promote": bool(merged["auto_promote"]),
        "model_name": (merged["model_name"] or endpoint.name).strip()[:200],
        "alarm_enabled": bool(merged["alarm_enabled"]),
        "drift_window_minutes": merged["drift_window_minutes"],
        "drift_min_rows": merged["drift_min_rows"],
        "drift_features": merged["drift_features"],
    }
    with transaction.atomic():
        policy = existing or RetrainingPolicy(
            endpoint=endpoint, workspace_id=endpoint.workspace_id, created_by=_user(user)
        )
        for field, value in clean.items():
            setattr(policy, field, value)
        if not policy.alarm_enabled:
            policy.alarm_state = RetrainingPolicy.AlarmState.OFF
        elif policy.alarm_state == RetrainingPolicy.AlarmState.OFF:
            policy.alarm_state = RetrainingPolicy.AlarmState.UNCHECKED
        policy.save()
        activity.record(
            workspace=endpoint.workspace_id,
            actor=user,
            verb=activity.Verb.UPDATED,
            object_type=activity.ObjectType.ENDPOINT,
            object_id=endpoint.pk,
            object_name=endpoint.name,
            detail={
                "retraining_policy": "changed" if existing else "created",
                "pipeline_endpoint": pe.name,
                "metric": metric.name,
                "auto_promote": policy.auto_promote,
            },
        )
    return policy, existing is None


def delete_policy(policy: RetrainingPolicy, user: Any) -> None:
    """Removes the policy; its challengers stay on the endpoint as a record, and one still being evaluated
    finishes its evaluation (it is then left for an editor: nothing is promoted automatically without a policy)."""
    endpoint = policy.endpoint
    with transaction.atomic():
        policy.delete()
        activity.record(
            workspace=endpoint.workspace_id,
            actor=user,
            verb=activity.Verb.UPDATED,
            object_type=activity.ObjectType.ENDPOINT,
            object_id=endpoint.pk,
            object_name=endpoint.name,
            detail={"retraining_policy": "removed"},
        )


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None
