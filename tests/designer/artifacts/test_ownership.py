"""Which artifacts belong to a workspace: each way one comes to belong, and clones between workspaces."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.artifacts.models import ArtifactOwnership
from designer.artifacts.selectors import owned_digests
from designer.collab.services import EditRefused, apply_edit
from designer.datasets import services as dataset_services
from designer.endpoints import services as endpoint_services
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.pipelines.services import create_pipeline
from designer.registry import services as registry_services
from designer.runs import services as run_services
from designer.workspaces.models import Membership, Workspace
from tests.designer.factories import IRIS_CSV, DatasetFactory
from tests.designer.runs.conftest import drain, upload_sample
from tests.support.pipelines import document, train_score_evaluate

Source = ArtifactOwnership.Source


def _sources(workspace: Workspace) -> dict[str, str]:
    return dict(ArtifactOwnership.objects.filter(workspace=workspace).values_list("digest", "source"))


def _trained(owner: Any, workspace: Workspace) -> Any:
    """A completed train/score/evaluate run in ``workspace`` (nodes run in this process)."""
    dataset = upload_sample(owner, workspace)
    pipeline = create_pipeline(owner, workspace, "Cancer", document=train_score_evaluate(dataset.pk, "diagnosis"))
    run = drain(run_services.submit_run(user=owner, pipeline=pipeline))
    assert run.status == "completed", run.error
    return run


def _saved_model(digest: str, node: str = "model") -> tuple[str, str, dict[str, Any]]:
    return (node, "saved_trained_model", {"artifact": digest})


def test_an_uploaded_table_belongs_to_its_workspace_and_no_other(workspace: Workspace, other_workspace: Workspace):
    dataset = DatasetFactory(workspace=workspace)
    digest = dataset.versions.get().digest

    assert _sources(workspace) == {digest: Source.DATASET}
    assert owned_digests(other_workspace.pk, [digest]) == set()


def test_an_uploaded_zip_and_a_new_version_belong_to_the_workspace(workspace: Workspace, owner: Any):
    def zipped(text: str) -> SimpleUploadedFile:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("helpers.py", text)
        return SimpleUploadedFile("bundle.zip", buffer.getvalue(), content_type="application/zip")

    dataset = dataset_services.create_dataset(owner, workspace, "Bundle", zipped("A = 1\n"))
    dataset_services.add_version(owner, dataset, zipped("A = 2\n"))

    digests = set(dataset.versions.values_list("digest", flat=True))
    assert len(digests) == 2
    assert owned_digests(workspace.pk, digests) == digests


def test_the_same_bytes_uploaded_in_two_workspaces_belong_to_both(workspace: Workspace, other_workspace: Workspace):
    ours = DatasetFactory(workspace=workspace, csv=IRIS_CSV).versions.get().digest
    theirs = DatasetFactory(workspace=other_workspace, csv=IRIS_CSV).versions.get().digest

    assert ours == theirs  # content-addressed: one file in the store
    assert owned_digests(workspace.pk, [ours]) == owned_digests(other_workspace.pk, [ours]) == {ours}


def test_deleting_a_dataset_leaves_its_artifact_with_the_workspace(workspace: Workspace):
    dataset = DatasetFactory(workspace=workspace)
    digest = dataset.versions.get().digest

    dataset_services.delete_dataset(dataset)

    assert owned_digests(workspace.pk, [digest]) == {digest}  # documents naming it keep working


def test_every_output_of_a_run_belongs_to_the_runs_workspace(owner: Any, workspace: Workspace, other_workspace):
    run = _trained(owner, workspace)

    outputs = {o["digest"] for n in run.nodes.all() for o in n.outputs.values()}
    assert len(outputs) >= 6
    assert owned_digests(workspace.pk, outputs) == outputs
    assert owned_digests(other_workspace.pk, outputs) == set()


def test_outputs_a_run_reuses_from_the_cache_belong_to_the_workspace_too(owner: Any, workspace: Workspace):
    first = _trained(owner, workspace)
    outputs = {o["digest"] for n in first.nodes.all() for o in n.outputs.values()}
    ArtifactOwnership.objects.filter(workspace=workspace, digest__in=outputs).delete()  # as a cache from before

    again = run_services.submit_run(user=owner, pipeline=first.pipeline)

    assert set(again.nodes.values_list("status", flat=True)) == {"reused"}
    assert owned_digests(workspace.pk, outputs) == outputs


def test_registering_a_model_makes_it_the_workspaces(owner: Any, workspace: Workspace):
    run = _trained(owner, workspace)
    digest = run.nodes.get(node_id="train").outputs["trained_model"]["digest"]
    ArtifactOwnership.objects.filter(workspace=workspace, digest=digest).delete()  # as if the run's row were gone

    model = registry_services.register_model(owner, run, "train", "cancer")

    assert model.artifact == digest
    assert _sources(workspace)[digest] == Source.MODEL


def test_deriving_an_inference_pipeline_grants_the_drift_baseline_it_samples(owner: Any, workspace: Workspace):
    run = _trained(owner, workspace)

    pipeline, _notes = endpoint_services.create_inference_pipeline(owner, run)

    nodes = {n["id"]: n for n in pipeline.versions.get().document["nodes"]}
    baselines = [n["params"]["baseline"] for n in nodes.values() if n["module"] == "web_service_input"]
    assert len(baselines) == 1
    assert _sources(workspace)[baselines[0]] == Source.BASELINE
    model = next(n["params"]["artifact"] for n in nodes.values() if n["module"] == "saved_trained_model")
    assert _sources(workspace)[model] == Source.RUN


def test_cloning_into_another_workspace_brings_the_sources_artifacts_along(
    api: Any, owner: Any, workspace: Workspace, other_workspace: Workspace
):
    # given a design naming the team's trained model, and its owner an editor of another workspace too
    run = _trained(owner, workspace)
    digest = run.nodes.get(node_id="train").outputs["trained_model"]["digest"]
    source = create_pipeline(owner, workspace, "Scorer", document=document([_saved_model(digest)], []))
    Membership.objects.create(workspace=other_workspace, user=owner, role="editor")

    # when it is cloned there
    response = api(owner).post(f"/api/pipelines/{source.pk}/clone/", {"workspace": other_workspace.pk}, format="json")

    # then the copy is saved without problems, and the model belongs to the target from now on
    assert response.status_code == 201, response.content
    assert response.json()["validation"]["problems"] == []
    assert _sources(other_workspace) == {digest: Source.CLONE}


def test_a_clone_whose_source_names_a_foreign_digest_is_refused_and_grants_nothing(
    api: Any, owner: Any, workspace: Workspace, other_workspace: Workspace, outsider: Any
):
    # given the outsider's dataset, and a team design saved before artifacts were checked that names it
    theirs = DatasetFactory(workspace=other_workspace, csv="a,b\n1,2\n").versions.get().digest
    ours = DatasetFactory(workspace=workspace).versions.get().digest
    source = create_pipeline(owner, workspace, "Old", document=document([_saved_model(ours, "mine")], []))
    PipelineVersion.objects.create(
        pipeline=source, number=2, document=document([_saved_model(ours, "mine"), _saved_model(theirs)], [])
    )
    target = Workspace.objects.create(name="Mine too", created_by=owner)
    Membership.objects.create(workspace=target, user=owner, role="owner")

    # when it is cloned into a third workspace
    response = api(owner).post(f"/api/pipelines/{source.pk}/clone/", {"workspace": target.pk}, format="json")

    # then it is refused naming the node and parameter, and nothing is created or granted, not even "ours"
    assert response.status_code == 400, response.content
    assert [(p["code"], p["node"], p["param"]) for p in response.json()["problems"]] == [
        ("foreign_artifact", "model", "artifact")
    ]
    assert not Pipeline.objects.filter(workspace=target).exists()
    assert _sources(target) == {}


def test_a_collaborative_edit_naming_another_workspaces_artifact_is_refused(
    owner: Any, workspace: Workspace, other_workspace: Workspace
):
    theirs = DatasetFactory(workspace=other_workspace).versions.get().digest
    ours = DatasetFactory(workspace=workspace, csv="a,b\n1,2\n").versions.get().digest
    pipeline = create_pipeline(owner, workspace, "Shared", document=document([_saved_model(ours)], []))

    with pytest.raises(EditRefused, match=r"Node 'model' \(Saved Trained Model\): parameter 'artifact'"):
        apply_edit(owner, pipeline.pk, {"kind": "set_param", "node": "model", "param": "artifact", "value": theirs})
    accepted = apply_edit(owner, pipeline.pk, {"kind": "set_param", "node": "model", "param": "source", "value": "x"})

    pipeline.refresh_from_db()
    assert accepted["seq"] == 1  # the refused edit took no sequence number
    assert pipeline.draft["nodes"][0]["params"] == {"artifact": ours, "source": "x"}
