"""Reads for retraining: what a policy may be set to for an endpoint, and a challenger's figures."""

from __future__ import annotations

import json
from typing import Any

from designer.api import Unprocessable
from designer.endpoints.models import Endpoint
from designer.engine.figures import evaluation_figures
from designer.published.models import PipelineEndpoint

from . import metrics
from .evaluation import CHALLENGER_SIDE, CHAMPION_SIDE, NotEvaluable, evaluation_results
from .models import Challenger
from .policies import auto_promote_allowed, champion_task, retrainer


def options(endpoint: Endpoint) -> dict[str, Any]:
    """The choices a policy form offers: the served model's task and its metrics, and each pipeline
    endpoint of the workspace with its dataset parameters (or why it cannot retrain)."""
    try:
        task, problem = champion_task(endpoint), ""
    except Unprocessable as exc:
        task, problem = "", str(exc.detail)
    offered = []
    for pe in PipelineEndpoint.objects.filter(workspace_id=endpoint.workspace_id).order_by("name"):
        entry: dict[str, Any] = {"id": pe.pk, "name": pe.name, "default_version": pe.default_version}
        try:
            found = retrainer(pe)
        except Unprocessable as exc:
            offered.append(entry | {"dataset_parameters": [], "reports_metrics": False, "problem": str(exc.detail)})
            continue
        why = ""
        if not found.dataset_parameters:
            why = "Not parameterized on a training dataset (no dataset parameter drives a Dataset node)."
        elif not found.measures:
            why = "Reports no metric (no Evaluate Model fed by a Score Model)."
        offered.append(
            entry | {"dataset_parameters": found.dataset_parameters, "reports_metrics": found.measures, "problem": why}
        )
    return {
        "task": task,
        "problem": problem,
        "metrics": [m.to_json() for m in metrics.metrics_for(task)],
        "pipeline_endpoints": offered,
        "auto_promote_allowed": auto_promote_allowed(),
    }


_SIDES = (
    (CHALLENGER_SIDE, "challenger"),
    (CHAMPION_SIDE, "champion"),
    ("(left)", "(challenger)"),
    ("(right)", "(champion)"),
)


def figures(challenger: Challenger) -> dict[str, Any]:
    """Evaluate Model's charts of the evaluation (ROC, precision-recall, ... as the task has them) with both
    models drawn on each, named "challenger" and "champion"; empty before the evaluation has finished."""
    evaluation = challenger.evaluation_run
    if evaluation is None or challenger.evaluated_at is None or not challenger.challenger_metrics:
        return {}
    try:
        results = evaluation_results(evaluation)
    except NotEvaluable:
        return {}
    drawn = evaluation_figures(results.metrics.values, results.metrics.task, results.metrics.detail)
    text = json.dumps(drawn)
    for side, name in _SIDES:
        text = text.replace(side, name)
    renamed: dict[str, Any] = json.loads(text)
    return renamed
