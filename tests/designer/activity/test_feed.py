"""The activity feed: what services record, who may read it, newest first, paginated."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.activity import services as activity
from designer.activity.models import ActivityEvent
from designer.datasets import services as datasets
from designer.endpoints import services as endpoints
from designer.endpoints.models import Endpoint
from designer.pipelines import services as pipelines
from designer.runs import services as runs
from designer.runs.models import Run
from designer.workspaces.models import Workspace
from tests.designer.endpoints.conftest import derive, trained_run  # noqa: F401  (fixture)
from tests.designer.factories import IRIS_CSV, PipelineFactory
from tests.designer.runs.conftest import drain
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db


def _events(workspace: Workspace, **filters: Any) -> list[tuple[str, str, str, str, dict[str, Any]]]:
    rows = ActivityEvent.objects.filter(workspace=workspace, **filters).order_by("id")
    return [(e.actor_name, e.verb, e.object_type, e.object_name, e.detail) for e in rows]


def test_pipeline_writes_are_recorded(workspace: Workspace, owner: Any, editor: Any) -> None:
    pipeline = pipelines.create_pipeline(owner, workspace, "Churn")
    pipelines.save_version(editor, pipeline, pipelines.empty_document(), "again")
    pipelines.restore_version(editor, pipeline, 1)
    pipeline_id = pipeline.pk
    pipelines.delete_pipeline(pipeline, editor)

    assert _events(workspace) == [
        ("olivia", "created", "pipeline", "Churn", {"version": 1}),
        ("eddie", "saved", "pipeline", "Churn", {"version": 2}),
        ("eddie", "restored", "pipeline", "Churn", {"version": 3, "restored_from": 1}),
        ("eddie", "deleted", "pipeline", "Churn", {}),
    ]
    assert set(ActivityEvent.objects.values_list("object_id", flat=True)) == {pipeline_id}


def test_a_refused_save_records_nothing(workspace: Workspace, owner: Any) -> None:
    pipeline = PipelineFactory(workspace=workspace, created_by=owner)
    before = ActivityEvent.objects.count()
    with pytest.raises(Exception, match="You edited version 7"):
        pipelines.save_version(owner, pipeline, pipelines.empty_document(), base_version=7)
    assert ActivityEvent.objects.count() == before


def test_dataset_uploads_and_deletes_are_recorded(workspace: Workspace, owner: Any, editor: Any) -> None:
    dataset = datasets.create_dataset(owner, workspace, "Iris", SimpleUploadedFile("iris.csv", IRIS_CSV.encode()))
    datasets.add_version(editor, dataset, SimpleUploadedFile("iris.csv", IRIS_CSV.encode()))
    datasets.delete_dataset(dataset, editor)

    assert _events(workspace) == [
        ("olivia", "uploaded", "dataset", "Iris", {"version": 1}),
        ("eddie", "uploaded", "dataset", "Iris", {"version": 2}),
        ("eddie", "deleted", "dataset", "Iris", {"versions": 2}),
    ]


def test_runs_are_recorded_when_submitted_and_when_finished(workspace: Workspace, owner: Any, editor: Any) -> None:
    doc = document([("a", "test_sleep", {"seconds": 0})], [])
    pipeline = pipelines.create_pipeline(owner, workspace, "Nap", document=doc)
    run = drain(runs.submit_run(user=editor, pipeline=pipeline))
    assert run.status == Run.Status.COMPLETED

    assert _events(workspace, object_type="run") == [
        ("eddie", "submitted", "run", "Nap", {"version": 1, "pipeline": pipeline.pk, "trigger": "manual"}),
        ("", "finished", "run", "Nap", {"status": "completed", "pipeline": pipeline.pk}),
    ]


def test_endpoint_deploys_redeploys_and_deletes_are_recorded(
    as_editor: Any,
    editor: Any,
    workspace: Workspace,
    trained_run: Run,  # noqa: F811
) -> None:
    derived = derive(as_editor, trained_run)["pipeline"]
    pipeline = pipelines.Pipeline.objects.get(pk=derived["id"])
    pipelines.save_version(editor, pipeline, pipeline.versions.get(number=1).document, "same again")
    endpoint = endpoints.create_endpoint(workspace=workspace, user=editor, name="churn-live", pipeline=pipeline)
    endpoints.redeploy(endpoint, 1)
    endpoints.delete_endpoint(endpoint)

    assert _events(workspace, object_type="endpoint") == [
        ("eddie", "deployed", "endpoint", "churn-live", {"version": 2, "pipeline": pipeline.pk}),
        ("", "redeployed", "endpoint", "churn-live", {"version": 1, "revision": 2}),
        ("", "deleted", "endpoint", "churn-live", {}),
    ]
    assert not Endpoint.objects.exists()


def test_record_refuses_an_unknown_verb(workspace: Workspace, owner: Any) -> None:
    with pytest.raises(ValueError, match="unknown activity verb 'exploded'"):
        activity.record(workspace=workspace, actor=owner, verb="exploded", object_type="pipeline")
    assert not ActivityEvent.objects.exists()


def test_the_feed_is_newest_first_paginated_and_readable_by_a_viewer(
    as_viewer: Any, workspace: Workspace, owner: Any
) -> None:
    pipeline = pipelines.create_pipeline(owner, workspace, "Churn")
    for i in range(3):
        pipelines.save_version(owner, pipeline, pipelines.empty_document(), f"v{i + 2}")

    first = as_viewer.get(f"/api/workspaces/{workspace.pk}/activity/?limit=2")
    second = as_viewer.get(f"/api/workspaces/{workspace.pk}/activity/?limit=2&offset=2")

    assert first.status_code == 200
    assert first.json()["count"] == 4
    assert [e["detail"]["version"] for e in first.json()["results"]] == [4, 3]
    assert [e["detail"]["version"] for e in second.json()["results"]] == [2, 1]
    newest = first.json()["results"][0]
    assert {k: newest[k] for k in ("workspace", "actor", "verb", "object_type", "object_id", "object_name")} == {
        "workspace": workspace.pk,
        "actor": "olivia",
        "verb": "saved",
        "object_type": "pipeline",
        "object_id": pipeline.pk,
        "object_name": "Churn",
    }
    assert newest["summary"] == "olivia saved pipeline 'Churn' (version 4)"


def test_the_feed_filters_by_object(as_viewer: Any, workspace: Workspace, owner: Any) -> None:
    a = pipelines.create_pipeline(owner, workspace, "A")
    pipelines.create_pipeline(owner, workspace, "B")
    response = as_viewer.get(f"/api/workspaces/{workspace.pk}/activity/?object_type=pipeline&object_id={a.pk}")
    assert [e["object_name"] for e in response.json()["results"]] == ["A"]
    bad = as_viewer.get(f"/api/workspaces/{workspace.pk}/activity/?object_type=planet")
    assert bad.status_code == 400


def test_an_outsider_cannot_read_the_feed(as_outsider: Any, workspace: Workspace, owner: Any) -> None:
    pipelines.create_pipeline(owner, workspace, "Secret")
    response = as_outsider.get(f"/api/workspaces/{workspace.pk}/activity/")
    assert response.status_code == 404
    assert b"Secret" not in response.content


def test_summaries_read_as_sentences(workspace: Workspace, owner: Any) -> None:
    def summary(**kwargs: Any) -> str:
        from designer.activity.selectors import summary as summarize

        return summarize(activity.record(workspace=workspace, **kwargs))

    assert (
        summary(
            actor=None,
            verb="finished",
            object_type="run",
            object_id=7,
            object_name="Churn",
            detail={"status": "failed"},
        )
        == "Tessera finished run 7 of 'Churn' (failed)"
    )
    assert (
        summary(
            actor=owner,
            verb="member_added",
            object_type="member",
            object_id=1,
            object_name="nina",
            detail={"role": "editor"},
        )
        == "olivia added nina as editor"
    )
    assert (
        summary(
            actor=owner,
            verb="cloned",
            object_type="pipeline",
            object_id=2,
            object_name="Copy",
            detail={"version": 1, "source": {"name": "Churn"}},
        )
        == "olivia cloned pipeline 'Copy' (version 1, from 'Churn')"
    )
