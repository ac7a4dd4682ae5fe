"""POST /api/runs/<id>/batch-inference-pipeline/: who may derive, what the derived pipeline holds, and every
refusal naming why with nothing created."""

from __future__ import annotations

from typing import Any

from designer.artifacts.models import ArtifactOwnership
from designer.pipelines.models import Pipeline
from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.models import Run
from tests.designer.runs.conftest import drain
from tests.support.pipelines import document

LABEL = "diagnosis"


def _url(run: Run) -> str:
    return f"/api/runs/{run.pk}/batch-inference-pipeline/"


def _nodes(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n["id"]: n for n in doc["nodes"]}


def test_a_completed_run_gives_a_pipeline_that_scores_its_dataset_in_mini_batches(as_editor, trained_run):
    response = as_editor.post(_url(trained_run), {}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pipeline"]["name"] == "Cancer - batch inference"
    doc = body["pipeline"]["head"]["document"]
    nodes = _nodes(doc)
    assert {i: n["module"] for i, n in nodes.items()} == {
        "data": "dataset",
        "parallel_run": "parallel_run",
        "register_dataset": "register_dataset",
    }
    # the training dataset is the input, through a dataset parameter that callers can set to other data
    assert nodes["data"]["params"]["dataset"] == {"$param": "input_data"}
    assert doc["parameters"]["input_data"]["type"] == "dataset"
    assert doc["parameters"]["input_data"]["default"]["dataset_id"] == trained_run.dataset.pk  # type: ignore[attr-defined]
    assert nodes["register_dataset"]["params"]["dataset_name"] == "Cancer - scored"
    assert nodes["parallel_run"]["params"]["mini_batch_size"] == 10_000  # defaults filled in, shown in the form
    scoring = _nodes(nodes["parallel_run"]["params"]["scoring_pipeline"])
    assert sorted(n["module"] for n in scoring.values()) == [
        "saved_trained_model", "score_model", "web_service_input", "web_service_output"
    ]  # fmt: skip
    columns = [
        c["name"] for c in next(n for n in scoring.values() if n["module"] == "web_service_input")["params"]["columns"]
    ]
    assert len(columns) == 30 and LABEL not in columns
    assert body["notes"][0] == (
        "Breast cancer (Wisconsin diagnostic) kept as the batch input, bound to the pipeline parameter 'input_data': "
        "submit, publish or schedule it with another dataset (or, published, a CSV file) to score other data."
    )
    assert any("Split Data" in note for note in body["notes"])
    validation = as_editor.post(f"/api/pipelines/{body['pipeline']['id']}/validate/", {}, format="json").json()
    assert validation["problems"] == []


def test_the_name_and_the_scored_dataset_can_be_chosen(as_editor, trained_run):
    response = as_editor.post(
        _url(trained_run), {"name": "Nightly scoring", "dataset_name": "cancer scores"}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["pipeline"]["name"] == "Nightly scoring"
    assert _nodes(body["pipeline"]["head"]["document"])["register_dataset"]["params"]["dataset_name"] == "cancer scores"


def test_deriving_needs_an_editor_a_member_and_a_completed_run(as_viewer, as_outsider, as_editor, trained_run):
    before = Pipeline.objects.count()

    assert as_viewer.post(_url(trained_run), {}, format="json").status_code == 403
    assert as_outsider.post(_url(trained_run), {}, format="json").status_code == 404
    Run.objects.filter(pk=trained_run.pk).update(status=Run.Status.RUNNING)
    refused = as_editor.post(_url(trained_run), {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["detail"] == (
        f"Run {trained_run.pk} is running; a batch inference pipeline is derived from a completed run."
    )
    assert Pipeline.objects.count() == before


def test_a_run_that_scores_no_model_is_refused_with_422_naming_the_node(as_editor, owner, workspace, trained_run):
    dataset = trained_run.dataset  # type: ignore[attr-defined]
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset.pk}}),
            ("learner", "two_class_logistic_regression", {}),
            ("train", "train_model", {"label_column": LABEL}),
        ],
        ["data.dataset -> train.dataset", "learner.untrained_model -> train.untrained_model"],
    )
    run = drain(runs.submit_run(user=owner, pipeline=create_pipeline(owner, workspace, "No scorer", document=doc)))
    before = Pipeline.objects.count()

    refused = as_editor.post(_url(run), {}, format="json")

    assert refused.status_code == 422
    body = refused.json()
    assert [(p["code"], p["node"]) for p in body["problems"]] == [("no_scorer", "train")]
    assert "no Score Model uses it" in body["detail"]
    assert Pipeline.objects.count() == before


def test_an_unknown_field_is_refused_by_name(as_editor, trained_run):
    before = Pipeline.objects.count()

    refused = as_editor.post(_url(trained_run), {"mini_batch": 5}, format="json")

    assert refused.status_code == 400
    assert "mini_batch" in refused.json()["fields"]
    assert Pipeline.objects.count() == before


def test_a_scoring_pipeline_naming_another_workspaces_model_is_refused_when_saved(
    as_editor, as_outsider, trained_run, other_workspace
):
    derived = as_editor.post(_url(trained_run), {}, format="json").json()
    doc = derived["pipeline"]["head"]["document"]
    model = next(
        n
        for n in _nodes(doc)["parallel_run"]["params"]["scoring_pipeline"]["nodes"]
        if n["module"] == "saved_trained_model"
    )["params"]["artifact"]
    before = Pipeline.objects.count()

    refused = as_outsider.post(
        "/api/pipelines/", {"workspace": other_workspace.pk, "name": "stolen", "document": doc}, format="json"
    )

    assert refused.status_code == 400, refused.content
    problems = [(p["code"], p["node"], p["param"]) for p in refused.json()["problems"]]
    assert ("foreign_artifact", "parallel_run", "scoring_pipeline") in problems
    assert model[:12] in refused.json()["detail"]
    assert Pipeline.objects.count() == before
    assert not ArtifactOwnership.objects.filter(workspace=other_workspace, digest=model).exists()


def test_asking_twice_for_the_same_run_opens_the_first_pipeline_instead_of_another_copy(as_editor, trained_run):
    first = as_editor.post(_url(trained_run), {}, format="json")
    count = Pipeline.objects.filter(workspace=trained_run.workspace).count()

    again = as_editor.post(_url(trained_run), {"name": "Another name"}, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["pipeline"]["id"] == first.json()["pipeline"]["id"]
    assert again.json()["pipeline"]["name"] == "Cancer - batch inference"
    assert again.json()["notes"][1:] == first.json()["notes"]
    assert Pipeline.objects.filter(workspace=trained_run.workspace).count() == count
