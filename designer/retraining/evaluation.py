"""Champion against challenger on the same held-out rows: where each model and those rows are found, and
the small pipeline that scores both the same way on the workers.

The champion is the Saved Trained Model feeding Score Model in the endpoint's pinned document; the
challenger is the trained model the retraining run's Score Model scored with, and the held-out rows are
the table that Score Model scored (the rows its Evaluate Model measured). The evaluation pipeline is
Saved Trained Model ×2 + Saved Dataset → Score Model ×2 (with the run's Score Model parameters) →
one Evaluate Model, the challenger on its left input and the champion on its right, so its figures draw
both curves on one chart.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from designer.artifacts import artifact_store
from designer.engine.execute import load_output
from designer.engine.graph import Edge, Graph, Node, parse_graph, to_document
from designer.engine.store import ArtifactMissing
from designer.runs.inputs import input_digests, run_graph
from designer.runs.models import NodeRun, Run
from modules.sdk import FittedModel, Metrics, TrainedModel, default_registry

EVALUATE = "evaluate"  # the Evaluate Model node of the evaluation pipeline
CHALLENGER_SIDE, CHAMPION_SIDE = "left input", "right input"  # how Evaluate Model's figures name its inputs


class NotEvaluable(Exception):
    """The models cannot be compared; the message says why, in words a user can act on."""


# -- the pipelines: which Evaluate Model measures which Score Model ----------------------------------------


@dataclass(frozen=True)
class Measured:
    """An Evaluate Model fed by a Score Model that scores with a trained model: the nodes and edges."""

    evaluate: str
    score: str
    model: Edge  # into the Score Model's trained_model port
    rows: Edge  # into the Score Model's dataset port


def measured(graph: Graph) -> Measured | None:
    """The first Evaluate Model (in running order) whose scored dataset comes straight from a Score Model."""
    for node_id in graph.topological_order():
        if graph.nodes[node_id].module != "evaluate_model":
            continue
        scored = graph.incoming(node_id).get("scored_dataset")
        if scored is None or graph.nodes[scored.source].module != "score_model":
            continue
        into_score = graph.incoming(scored.source)
        if "trained_model" in into_score and "dataset" in into_score:
            return Measured(node_id, scored.source, into_score["trained_model"], into_score["dataset"])
    return None


# -- the champion ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Champion:
    artifact: str  # digest of the served trained model
    task: str


def champion_of(document: dict[str, Any]) -> Champion:
    """The trained model an endpoint's document serves: the Saved Trained Model feeding its Score Model."""
    graph = parse_graph(document)
    found = []
    for node in graph.nodes.values():
        if node.module != "score_model":
            continue
        edge = graph.incoming(node.id).get("trained_model")
        source = graph.nodes[edge.source] if edge else None
        if source is not None and source.module == "saved_trained_model":
            found.append(str(source.params.get("artifact", "")))
    if len(set(found)) != 1:
        raise NotEvaluable(
            "The endpoint's pipeline must score with exactly one Saved Trained Model (a Score Model fed by it); "
            f"it has {len(set(found))}."
        )
    try:
        return Champion(found[0], _task_of(found[0]))
    except ArtifactMissing:
        raise NotEvaluable(f"The endpoint's trained model ({found[0][:12]}) is gone from the artifact store.") from None


def _task_of(digest: str) -> str:
    """The task a trained model solves. Read from the artifact's ``meta.json`` where it has one (the SDK's
    zip of meta and estimator), so a web request does not import scikit-learn and skops to unpickle it
    (seconds in a fresh process); otherwise from the loaded model."""
    data = artifact_store().get(digest)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            task = json.loads(archive.read("meta.json")).get("task")
        if isinstance(task, str) and task:
            return task
    except (zipfile.BadZipFile, KeyError, ValueError):
        pass
    model = TrainedModel.deserialize(data)
    if not isinstance(model, FittedModel):
        raise NotEvaluable("The endpoint's Saved Trained Model does not hold a trained model.")
    return model.task


# -- the challenger ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChallengerSources:
    model_node: str
    model_port: str
    model: str  # digest of the challenger's trained model
    held_out: str  # digest of the rows its Score Model scored
    score_params: dict[str, Any]
    score_version: int


def challenger_sources(run: Run) -> ChallengerSources:
    """Where a completed retraining run's trained model and held-out rows are."""
    graph = run_graph(run)
    found = measured(graph)
    if found is None:
        raise NotEvaluable(
            f"Run {run.pk} has no Evaluate Model fed by a Score Model, so it has no held-out rows to compare on."
        )
    done = set(run.nodes.filter(status__in=NodeRun.DONE).values_list("node_id", flat=True))
    if not {found.model.source, found.rows.source} <= done:
        raise NotEvaluable(f"Run {run.pk} did not finish the nodes that train and score its model.")
    digests = input_digests(run, graph, found.score)
    score = graph.nodes[found.score]
    return ChallengerSources(
        model_node=found.model.source,
        model_port=found.model.source_port,
        model=digests["trained_model"],
        held_out=digests["dataset"],
        score_params=dict(score.params),
        score_version=score.version,
    )


def evaluation_document(
    champion: str, challenger: ChallengerSources, *, run_id: int, endpoint_name: str
) -> dict[str, Any]:
    """Both models scored the same way on the challenger run's held-out rows, measured by one Evaluate Model."""
    registry = default_registry()

    def node(node_id: str, module: str, params: dict[str, Any], version: int | None = None) -> Node:
        return Node(node_id, module, version or registry.latest_version(module), params)

    nodes = [
        node("held_out", "saved_dataset", {"artifact": challenger.held_out, "source": f"run {run_id}: held-out rows"}),
        node("challenger", "saved_trained_model", {"artifact": challenger.model, "source": f"run {run_id}"}),
        node("champion", "saved_trained_model", {"artifact": champion, "source": f"endpoint {endpoint_name}"}),
        node("score_challenger", "score_model", challenger.score_params, challenger.score_version),
        node("score_champion", "score_model", challenger.score_params, challenger.score_version),
        node(EVALUATE, "evaluate_model", {}),
    ]
    edges = [
        Edge("challenger", "trained_model", "score_challenger", "trained_model"),
        Edge("held_out", "dataset", "score_challenger", "dataset"),
        Edge("champion", "trained_model", "score_champion", "trained_model"),
        Edge("held_out", "dataset", "score_champion", "dataset"),
        Edge("score_challenger", "scored_dataset", EVALUATE, "scored_dataset"),
        Edge("score_champion", "scored_dataset", EVALUATE, "scored_dataset_to_compare"),
    ]
    at = {"held_out": (0, 1), "challenger": (0, 0), "champion": (0, 2), "score_challenger": (1, 0)}
    at |= {"score_champion": (1, 2), EVALUATE: (2, 1)}
    layout = {n.id: {"x": 260 * at[n.id][1], "y": 140 * at[n.id][0]} for n in nodes}
    return to_document(Graph({n.id: n for n in nodes}, edges, {}, layout))


# -- the results -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    challenger: dict[str, Any]
    champion: dict[str, Any]
    metrics: Metrics  # as Evaluate Model wrote it (for the figures)


def evaluation_results(evaluation: Run) -> Results:
    node = evaluation.nodes.filter(node_id=EVALUATE).first()
    record = ((node.outputs or {}) if node else {}).get("evaluation_results")
    if record is None:
        raise NotEvaluable(f"Evaluation run {evaluation.pk} has no Evaluate Model results.")
    try:
        metrics = load_output(artifact_store(), record["type"], record["digest"])
    except ArtifactMissing:
        raise NotEvaluable(f"The results of evaluation run {evaluation.pk} are gone from the artifact store.") from None
    compared = metrics.detail.get("compare") or {}
    return Results(_plain(metrics.values), _plain(compared.get("values") or {}), metrics)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    return {str(k): (v if isinstance(v, int | float | str) or v is None else str(v)) for k, v in values.items()}
