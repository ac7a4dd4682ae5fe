"""Comparing two runs over REST: both pipeline versions, the design diff, and each metric's difference."""

from __future__ import annotations

from typing import Any

import pytest

from designer.artifacts import artifact_store
from designer.pipelines import services as pipeline_services
from designer.pipelines.models import Pipeline
from designer.runs import services
from designer.runs.models import NodeRun, Run
from designer.workspaces.models import Workspace
from modules.sdk import Metrics, MetricsPort
from tests.designer.factories import PipelineFactory
from tests.support.pipelines import document, train_score_evaluate

from .conftest import drain, upload_sample

pytestmark = pytest.mark.django_db

COMPARE = "/api/runs/compare/"


# -- two real runs of one pipeline, before and after a change of regularization -------------------


@pytest.fixture
def cancer_pipeline(workspace: Workspace, owner: Any) -> Pipeline:
    dataset = upload_sample(owner, workspace)
    return pipeline_services.create_pipeline(
        owner, workspace, "Cancer", document=train_score_evaluate(dataset.pk, "diagnosis")
    )


@pytest.fixture
def runs(cancer_pipeline: Pipeline, owner: Any, editor: Any) -> tuple[Run, Run]:
    """Run 1 of version 1 (L2 weight 1); run 2 of version 2 (L2 weight 100), both finished in-process."""
    first = drain(services.submit_run(user=owner, pipeline=cancer_pipeline))
    changed = cancer_pipeline.versions.get(number=1).document
    changed["nodes"][2]["params"]["l2_regularization_weight"] = 100.0
    pipeline_services.save_version(editor, cancer_pipeline, changed, message="stronger L2", base_version=1)
    second = drain(services.submit_run(user=editor, pipeline=cancer_pipeline))
    assert (first.status, second.status) == (Run.Status.COMPLETED, Run.Status.COMPLETED), (first.error, second.error)
    return first, second


def evaluation_values(run: Run) -> dict[str, Any]:
    return run.nodes.get(node_id="evaluate").outputs["evaluation_results"]["summary"]["values"]


def test_a_viewer_compares_two_runs_of_a_changed_pipeline(as_viewer: Any, runs: tuple[Run, Run]) -> None:
    first, second = runs

    response = as_viewer.get(COMPARE, {"a": first.pk, "b": second.pk})

    assert response.status_code == 200, response.content
    body = response.json()
    # both runs with the versions they executed
    assert (body["a"]["run"]["id"], body["a"]["run"]["version"], body["a"]["version"]["number"]) == (first.pk, 1, 1)
    assert (body["b"]["run"]["id"], body["b"]["run"]["version"], body["b"]["version"]["number"]) == (second.pk, 2, 2)
    assert body["b"]["version"]["message"] == "stronger L2"
    assert body["a"]["version"]["document"] == first.pipeline_version.document
    assert body["same_pipeline"] is True
    # the design diff is the one parameter that changed
    assert body["diff"]["summary"]["semantic"] is True
    assert body["diff"]["semantic"]["nodes_changed"] == [
        {
            "id": "learner",
            "module": None,
            "version": None,
            "regenerate": None,
            "params": [{"name": "l2_regularization_weight", "change": "changed", "old": 1.0, "new": 100.0}],
        }
    ]
    # and every metric of Evaluate Model, side by side
    a_values, b_values = evaluation_values(first), evaluation_values(second)
    assert body["metrics"] == [
        {
            "node": "evaluate",
            "port": "evaluation_results",
            "module": "evaluate_model",
            "model": "scored_dataset",
            "learner": "Two-Class Logistic Regression",
            "metric": name,
            "a": a_values[name],
            "b": b_values[name],
            "delta": b_values[name] - a_values[name],
        }
        for name in sorted(a_values)
    ]
    assert {"Accuracy", "AUC", "F1 Score"} <= {row["metric"] for row in body["metrics"]}
    assert any(row["delta"] != 0 for row in body["metrics"])


def test_compared_metrics_are_the_ones_the_evaluation_output_shows(as_viewer: Any, runs: tuple[Run, Run]) -> None:
    first, second = runs
    shown = as_viewer.get(f"/api/runs/{second.pk}/nodes/evaluate/outputs/evaluation_results/").json()

    body = as_viewer.get(COMPARE, {"a": first.pk, "b": second.pk}).json()

    assert {row["metric"]: row["b"] for row in body["metrics"]} == shown["metrics"]["values"]


def test_a_run_compared_with_itself_has_no_diff_and_zero_deltas(as_editor: Any, runs: tuple[Run, Run]) -> None:
    first, _ = runs

    body = as_editor.get(COMPARE, {"a": first.pk, "b": first.pk}).json()

    assert body["diff"]["summary"]["empty"] is True
    assert {row["delta"] for row in body["metrics"]} == {0}
    assert [row["a"] for row in body["metrics"]] == [row["b"] for row in body["metrics"]]


# -- hand-made runs for the edge cases (no training needed) ------------------------------------------


def recorded_run(pipeline: Pipeline, number: int, outputs: dict[str, dict[str, Any]]) -> Run:
    """A finished run of version ``number`` whose nodes (node id -> outputs) are recorded as a worker would."""
    run = Run.objects.create(
        workspace=pipeline.workspace,
        pipeline=pipeline,
        pipeline_version=pipeline.versions.get(number=number),
        created_by=pipeline.created_by,
        status=Run.Status.COMPLETED,
    )
    for node_id, node_outputs in outputs.items():
        NodeRun.objects.create(
            run=run,
            node_id=node_id,
            module_id="evaluate_model",
            module_version=1,
            module_name="Evaluate Model",
            cache_key=node_id * 8,
            status=NodeRun.Status.COMPLETED,
            outputs=node_outputs,
        )
    return run


def metrics_output(values: dict[str, Any], *, summary: bool = True) -> dict[str, Any]:
    data = MetricsPort.serialize(Metrics(values=values, task="binary", detail={}))
    out = {"digest": artifact_store().put(data), "type": "metrics", "size": len(data)}
    return {**out, "summary": {"values": values}} if summary else {**out, "summary": {}}


@pytest.fixture
def small_pipeline(workspace: Workspace, owner: Any) -> Pipeline:
    return PipelineFactory(
        workspace=workspace,
        name="Small",
        created_by=owner,
        document=document([("evaluate", "evaluate_model", {})], []),
    )


def test_metrics_missing_on_one_side_or_not_numbers_have_no_delta(as_viewer: Any, small_pipeline: Pipeline) -> None:
    # given run a measured Accuracy and a task name, run b measured Accuracy and AUC, and read from the store
    a = recorded_run(
        small_pipeline, 1, {"evaluate": {"evaluation_results": metrics_output({"Accuracy": 0.5, "Task": "binary"})}}
    )
    b = recorded_run(
        small_pipeline,
        1,
        {"evaluate": {"evaluation_results": metrics_output({"AUC": 0.75, "Accuracy": 0.75}, summary=False)}},
    )

    body = as_viewer.get(COMPARE, {"a": a.pk, "b": b.pk}).json()

    base = {
        "node": "evaluate",
        "port": "evaluation_results",
        "module": "evaluate_model",
        "model": "scored_dataset",
        "learner": "First model",  # no learner is wired into this hand-made Evaluate Model
    }
    assert body["metrics"] == [
        {**base, "metric": "AUC", "a": None, "b": 0.75, "delta": None},
        {**base, "metric": "Accuracy", "a": 0.5, "b": 0.75, "delta": 0.25},
        {**base, "metric": "Task", "a": "binary", "b": None, "delta": None},
    ]
    assert body["diff"]["summary"]["empty"] is True


def test_runs_of_different_pipelines_compare_their_designs(
    as_owner: Any, small_pipeline: Pipeline, workspace: Workspace, owner: Any
) -> None:
    other = PipelineFactory(
        workspace=workspace, name="Other", created_by=owner, document=document([("score", "score_model", {})], [])
    )
    a = recorded_run(small_pipeline, 1, {})
    b = recorded_run(other, 1, {})

    body = as_owner.get(COMPARE, {"a": a.pk, "b": b.pk}).json()

    assert body["same_pipeline"] is False
    assert [n["id"] for n in body["diff"]["semantic"]["nodes_removed"]] == ["evaluate"]
    assert [n["node"]["id"] for n in body["diff"]["semantic"]["nodes_added"]] == ["score"]
    assert body["metrics"] == []


def test_a_run_the_caller_cannot_see_is_404_naming_it(
    as_viewer: Any, as_outsider: Any, small_pipeline: Pipeline, other_workspace: Workspace, outsider: Any
) -> None:
    # given a team run, and a run in a workspace only otto belongs to
    team = recorded_run(small_pipeline, 1, {})
    elsewhere = recorded_run(
        PipelineFactory(workspace=other_workspace, created_by=outsider, document=document([], [])), 1, {}
    )

    viewer_side = as_viewer.get(COMPARE, {"a": team.pk, "b": elsewhere.pk})
    outsider_side = as_outsider.get(COMPARE, {"a": team.pk, "b": elsewhere.pk})
    unknown = as_viewer.get(COMPARE, {"a": 999999, "b": team.pk})

    assert viewer_side.status_code == 404
    assert viewer_side.json() == {"detail": f"run {elsewhere.pk} does not exist"}
    assert outsider_side.status_code == 404
    assert outsider_side.json() == {"detail": f"run {team.pk} does not exist"}
    assert unknown.json() == {"detail": "run 999999 does not exist"}
    assert Run.objects.count() == 2


def test_anonymous_callers_are_refused(api: Any, small_pipeline: Pipeline) -> None:
    run = recorded_run(small_pipeline, 1, {})

    response = api(None).get(COMPARE, {"a": run.pk, "b": run.pk})

    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ({"a": 1}, {"b": ["This field is required."]}),
        ({"a": "x", "b": 1}, {"a": ["A valid integer is required."]}),
        ({"a": 0, "b": 1}, {"a": ["Ensure this value is greater than or equal to 1."]}),
    ],
)
def test_a_bad_query_names_the_parameter(as_viewer: Any, query: dict[str, Any], fields: dict[str, Any]) -> None:
    response = as_viewer.get(COMPARE, query)

    assert response.status_code == 400
    assert response.json() == {"detail": "Some fields are invalid.", "fields": fields}


def test_compare_is_described_in_the_openapi_schema(as_viewer: Any) -> None:
    schema = as_viewer.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/runs/compare/"]["get"]
    assert [(p["name"], p["required"]) for p in operation["parameters"]] == [("a", True), ("b", True)]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/RunComparison"
    }
    assert set(schema["components"]["schemas"]["RunComparison"]["properties"]) == {
        "a",
        "b",
        "same_pipeline",
        "diff",
        "metrics",
        "series",
        "commits",
    }


# -- Evaluate Model comparing two models ------------------------------------------------------------------


def two_models(dataset_id: int, perceptron_passes: int) -> dict[str, Any]:
    """Logistic regression and an averaged perceptron trained on one split, scored into one Evaluate Model."""
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42}),
            ("logistic", "two_class_logistic_regression", {"l2_regularization_weight": 1.0}),
            ("perceptron", "two_class_averaged_perceptron", {"maximum_number_of_iterations": perceptron_passes}),
            ("train_a", "train_model", {"label_column": "diagnosis"}),
            ("train_b", "train_model", {"label_column": "diagnosis"}),
            ("score_a", "score_model", {}),
            ("score_b", "score_model", {}),
            ("evaluate", "evaluate_model", {}),
        ],
        [
            "data.dataset -> split.dataset",
            "logistic.untrained_model -> train_a.untrained_model",
            "perceptron.untrained_model -> train_b.untrained_model",
            "split.results_dataset1 -> train_a.dataset",
            "split.results_dataset1 -> train_b.dataset",
            "train_a.trained_model -> score_a.trained_model",
            "train_b.trained_model -> score_b.trained_model",
            "split.results_dataset2 -> score_a.dataset",
            "split.results_dataset2 -> score_b.dataset",
            "score_a.scored_dataset -> evaluate.scored_dataset",
            "score_b.scored_dataset -> evaluate.scored_dataset_to_compare",
        ],
    )


@pytest.fixture
def two_model_runs(workspace: Workspace, owner: Any) -> tuple[Run, Run]:
    """Run 1, then run 2 after a change to the second model only (the perceptron's passes over the data)."""
    dataset = upload_sample(owner, workspace)
    pipeline = pipeline_services.create_pipeline(owner, workspace, "Two models", document=two_models(dataset.pk, 10))
    first = drain(services.submit_run(user=owner, pipeline=pipeline))
    pipeline_services.save_version(owner, pipeline, two_models(dataset.pk, 1), message="one pass", base_version=1)
    second = drain(services.submit_run(user=owner, pipeline=pipeline))
    assert (first.status, second.status) == (Run.Status.COMPLETED, Run.Status.COMPLETED), (first.error, second.error)
    return first, second


def test_both_models_of_evaluate_model_are_compared_each_named_by_its_learner(
    as_viewer: Any, two_model_runs: tuple[Run, Run]
) -> None:
    first, second = two_model_runs
    summaries = [r.nodes.get(node_id="evaluate").outputs["evaluation_results"]["summary"] for r in (first, second)]

    body = as_viewer.get(COMPARE, {"a": first.pk, "b": second.pk}).json()

    by_model: dict[str, list[dict[str, Any]]] = {}
    for row in body["metrics"]:
        by_model.setdefault(row["model"], []).append(row)
    assert list(by_model) == ["scored_dataset", "scored_dataset_to_compare"]
    assert {r["learner"] for r in by_model["scored_dataset"]} == {"Two-Class Logistic Regression"}
    assert {r["learner"] for r in by_model["scored_dataset_to_compare"]} == {"Two-Class Averaged Perceptron"}
    # the second model's rows hold its own values, read from the summaries written when the node finished
    second_a, second_b = (s["compare"]["values"] for s in summaries)
    assert {r["metric"]: (r["a"], r["b"]) for r in by_model["scored_dataset_to_compare"]} == {
        name: (second_a[name], second_b[name]) for name in second_a
    }
    # only the perceptron changed: the first model's deltas are 0, the second model's are not all 0
    assert {r["delta"] for r in by_model["scored_dataset"]} == {0}
    assert any(r["delta"] not in (0, None) for r in by_model["scored_dataset_to_compare"])


def test_the_runs_list_shows_each_models_main_metric(as_viewer: Any, two_model_runs: tuple[Run, Run]) -> None:
    first, _ = two_model_runs
    summary = first.nodes.get(node_id="evaluate").outputs["evaluation_results"]["summary"]

    runs = as_viewer.get("/api/runs/", {"pipeline": first.pipeline_id}).json()["results"]

    listed = next(r for r in runs if r["id"] == first.pk)
    base = {"node": "evaluate", "port": "evaluation_results", "task": "binary", "metric": "AUC"}
    assert listed["main_metrics"] == [
        {
            **base,
            "input": "scored_dataset",
            "label": "Two-Class Logistic Regression",
            "learner_node": "logistic",
            "value": summary["values"]["AUC"],
        },
        {
            **base,
            "input": "scored_dataset_to_compare",
            "label": "Two-Class Averaged Perceptron",
            "learner_node": "perceptron",
            "value": summary["compare"]["values"]["AUC"],
        },
    ]


def test_the_evaluation_output_names_both_models(as_viewer: Any, two_model_runs: tuple[Run, Run]) -> None:
    first, _ = two_model_runs

    body = as_viewer.get(f"/api/runs/{first.pk}/nodes/evaluate/outputs/evaluation_results/").json()
    figures = as_viewer.get(f"/api/runs/{first.pk}/nodes/evaluate/outputs/evaluation_results/figures/").json()

    assert body["models"] == [
        {"input": "scored_dataset", "label": "Two-Class Logistic Regression", "learner_node": "logistic"},
        {"input": "scored_dataset_to_compare", "label": "Two-Class Averaged Perceptron", "learner_node": "perceptron"},
    ]
    assert [t["name"] for t in figures["figures"]["roc"]["data"][:2]] == [
        "Two-Class Logistic Regression",
        "Two-Class Averaged Perceptron",
    ]


def test_an_older_summary_without_the_second_model_is_read_from_the_store(
    as_viewer: Any, small_pipeline: Pipeline
) -> None:
    # given a run recorded before summaries held the task and the second model
    data = MetricsPort.serialize(
        Metrics(values={"AUC": 0.9}, task="binary", detail={"compare": {"values": {"AUC": 0.7}, "detail": {}}})
    )
    out = {
        "digest": artifact_store().put(data),
        "type": "metrics",
        "size": len(data),
        "summary": {"values": {"AUC": 0.9}},
    }
    a = recorded_run(small_pipeline, 1, {"evaluate": {"evaluation_results": out}})

    body = as_viewer.get(COMPARE, {"a": a.pk, "b": a.pk}).json()

    assert [(r["model"], r["learner"], r["a"], r["delta"]) for r in body["metrics"]] == [
        ("scored_dataset", "First model", 0.9, 0),
        ("scored_dataset_to_compare", "Second model", 0.7, 0),
    ]
