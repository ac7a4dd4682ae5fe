"""Reads of a run's Evaluate Model results, one entry per model measured, each named by its learner.

Evaluate Model measures one scored table, or two side by side (its second input, Azure's layout for
comparing two models). The second model's values live in the output's ``compare``; this module puts
both on an equal footing, names each by the learner it was trained from (Score → Train → learner), and
picks the task's main metric for the runs table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from designer.artifacts import artifact_store
from designer.components.planning import expanded
from designer.engine.graph import Graph
from designer.engine.learners import labels, learner_of
from designer.engine.store import ArtifactMissing
from designer.pipelines.mapper import graph_of
from modules.sdk import PORT_TYPES, default_registry

from .models import NodeRun, Run

#: Evaluate Model's inputs, in the order their models are shown.
INPUTS = ("scored_dataset", "scored_dataset_to_compare")
FALLBACK_LABELS = ("First model", "Second model")

#: The metric that sums a model up in lists, by Evaluate Model's task.
MAIN_METRIC = {
    "binary": "AUC",
    "multiclass": "Overall Accuracy",
    "regression": "Coefficient of Determination",
    "quantile_regression": "Average Quantile Loss",
    "clustering": "Average Distance to Cluster Center",
}


@dataclass
class EvaluatedModel:
    input: str  # the Evaluate Model input its scored table came in on
    label: str  # the learner's name (with its node id when both models share one)
    learner: str | None  # the learner module's name; None when no learner was found upstream
    learner_node: str | None
    values: dict[str, Any]


@dataclass
class Evaluation:
    node: NodeRun
    port: str
    task: str
    models: list[EvaluatedModel] = field(default_factory=list)

    @property
    def main_metric(self) -> str | None:
        if self.task == "logged" or not self.models:
            return None  # a script's own metrics: the runs table lists them among the key metrics
        if self.task in MAIN_METRIC:
            return MAIN_METRIC[self.task]
        return next((name for name in MAIN_METRIC.values() if name in self.models[0].values), None)


def evaluations(run: Run, *, read_store: bool = True) -> list[Evaluation]:
    """Every metrics output of the run, in node order, with its models named.

    Values come from the output's summary, written when the node finished. An older row's summary has
    neither the task nor the second model: with ``read_store`` they are read from the artifact (skipped
    if it is gone); without it (run lists, where one read per row would be too slow) the first model's
    values stand alone and the task is guessed from the metric names.
    """
    found: list[Evaluation] = []
    graph: Graph | None = None
    for node in sorted(run.nodes.all(), key=lambda n: n.pk):
        for port, out in (node.outputs or {}).items():
            if out.get("type") != "metrics":
                continue
            summary = _summary(out, read_store)
            if summary is None:
                continue
            if graph is None:
                graph = expanded(graph_of(run.pipeline_version), run.workspace_id)  # node ids as the run's
            found.append(_evaluation(graph, node, port, summary))
    return found


def _summary(out: dict[str, Any], read_store: bool) -> dict[str, Any] | None:
    summary = out.get("summary") or {}
    if "task" in summary or (not read_store and "values" in summary):
        return summary
    if not read_store:
        return None
    try:
        value = PORT_TYPES["metrics"].deserialize(artifact_store().get(out["digest"]))
    except (ArtifactMissing, KeyError):
        return None
    compare = value.detail.get("compare")
    stored: dict[str, Any] = {"values": value.values, "task": value.task}
    if isinstance(compare, dict):
        stored["compare"] = {"values": compare.get("values") or {}}
    return json.loads(json.dumps(stored, default=str))


#: The task of a script's Logged values (``tessera.log_metric``): no learner behind it, named as such.
LOGGED = "logged"
LOGGED_LABEL = "Logged by the script"


def _evaluation(graph: Graph, node: NodeRun, port: str, summary: dict[str, Any]) -> Evaluation:
    if summary.get("task") == LOGGED:
        values = dict(summary.get("values") or {})
        model = EvaluatedModel(input=INPUTS[0], label=LOGGED_LABEL, learner=None, learner_node=None, values=values)
        return Evaluation(node=node, port=port, task=LOGGED, models=[model])
    sides = [dict(summary.get("values") or {})]
    if isinstance(summary.get("compare"), dict):
        sides.append(dict(summary["compare"].get("values") or {}))
    registry = default_registry()
    learners = [learner_of(graph, node.node_id, INPUTS[i], registry) for i in range(len(sides))]
    names = labels(learners, list(FALLBACK_LABELS[: len(sides)]))
    models = [
        EvaluatedModel(
            input=INPUTS[i],
            label=names[i],
            learner=learners[i].name if learners[i] else None,
            learner_node=learners[i].node if learners[i] else None,
            values=values,
        )
        for i, values in enumerate(sides)
    ]
    return Evaluation(node=node, port=port, task=str(summary.get("task") or ""), models=models)


def main_metrics(run: Run) -> list[dict[str, Any]]:
    """The task's main metric of every model the run evaluated (AUC, Overall Accuracy, R², ...)."""
    rows = []
    for evaluation in evaluations(run, read_store=False):
        metric = evaluation.main_metric
        if metric is None:
            continue
        for model in evaluation.models:
            rows.append(
                {
                    "node": evaluation.node.node_id,
                    "port": evaluation.port,
                    "input": model.input,
                    "label": model.label,
                    "learner_node": model.learner_node,
                    "task": evaluation.task,
                    "metric": metric,
                    "value": model.values.get(metric),
                }
            )
    return rows


def models_of(run: Run, node_id: str, port: str) -> list[dict[str, Any]]:
    """The models one metrics output measured, named (for the evaluation view): input, label, learner node."""
    graph = expanded(graph_of(run.pipeline_version), run.workspace_id)
    registry = default_registry()
    inputs = [p for p in INPUTS if p in graph.incoming(node_id)]
    learners = [learner_of(graph, node_id, p, registry) for p in inputs]
    names = labels(learners, list(FALLBACK_LABELS[: len(inputs)]))
    return [
        {"input": p, "label": name, "learner_node": learner.node if learner else None}
        for p, name, learner in zip(inputs, names, learners, strict=True)
    ]
