"""Security-relevant and destructive actions reach the activity feed, read back over the REST API:
key regeneration (which key, never the key), membership changes, deletions and cancellations, each with
who did it; refused actions record nothing."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from designer.activity.models import ActivityEvent
from designer.datasets.models import Dataset
from designer.endpoints.models import Endpoint
from designer.pipelines.services import create_pipeline
from designer.registry.models import RegisteredModel
from designer.runs import services as runs
from designer.runs.models import Run
from designer.workspaces.models import Workspace
from tests.designer.endpoints.conftest import live, trained_run  # noqa: F401  (fixtures)
from tests.designer.factories import UserFactory
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db

FIELDS = ("actor", "verb", "object_type", "object_name", "detail")


def feed(client: Any, workspace: Workspace, **query: Any) -> list[dict[str, Any]]:
    """The workspace's whole feed as JSON, oldest first."""
    response = client.get(f"/api/workspaces/{workspace.pk}/activity/", {"limit": 1000, **query})
    assert response.status_code == 200, response.content
    return list(reversed(response.json()["results"]))


def rows(events: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [tuple(e[f] for f in FIELDS) for e in events]


# -- endpoint keys --------------------------------------------------------------------------------


def test_regenerating_each_key_is_recorded_naming_the_key_and_never_its_value(
    as_editor: Any,
    as_viewer: Any,
    workspace: Workspace,
    live: dict[str, Any],  # noqa: F811
) -> None:
    # given a live endpoint with its two keys
    old = dict(live["keys"])
    url = f"/api/endpoints/{live['id']}/regenerate-key/"

    # when eddie regenerates the primary key, then the secondary one
    primary = as_editor.post(url, {"key": "primary"}, format="json")
    secondary = as_editor.post(url, {"key": "secondary"}, format="json")

    # then the feed says who regenerated which key, in words too
    assert (primary.status_code, secondary.status_code) == (200, 200)
    events = feed(as_viewer, workspace, object_type="endpoint")
    assert rows(events[-2:]) == [
        ("eddie", "key_regenerated", "endpoint", "cancer", {"key": "primary"}),
        ("eddie", "key_regenerated", "endpoint", "cancer", {"key": "secondary"}),
    ]
    assert [e["object_id"] for e in events[-2:]] == [live["id"], live["id"]]
    assert events[-1]["summary"] == "eddie regenerated the secondary key of endpoint 'cancer'"
    # and no key, old or new, appears anywhere in the feed (the viewer who reads it may not see keys)
    everything = as_viewer.get(f"/api/workspaces/{workspace.pk}/activity/", {"limit": 1000}).content.decode()
    keys = [old["primary"], old["secondary"], primary.json()["primary"], secondary.json()["secondary"]]
    assert len(set(keys)) == 4
    for key in keys:
        assert key not in everything
    stored = json.dumps(list(ActivityEvent.objects.values("object_name", "detail", "actor_name")))
    assert not any(key in stored for key in keys)


def test_a_refused_regeneration_records_nothing(
    as_editor: Any,
    as_viewer: Any,
    live: dict[str, Any],  # noqa: F811
) -> None:
    before = ActivityEvent.objects.count()
    url = f"/api/endpoints/{live['id']}/regenerate-key/"

    by_viewer = as_viewer.post(url, {"key": "primary"}, format="json")
    unknown = as_editor.post(url, {"key": "tertiary"}, format="json")

    assert (by_viewer.status_code, unknown.status_code) == (403, 400)
    assert ActivityEvent.objects.count() == before
    assert Endpoint.objects.get().primary_key == live["keys"]["primary"]


# -- membership -----------------------------------------------------------------------------------


def test_members_added_re_roled_and_removed_are_in_the_feed_json(
    as_owner: Any, as_viewer: Any, workspace: Workspace
) -> None:
    newcomer = UserFactory(username="nina")
    base = f"/api/workspaces/{workspace.pk}/members/"

    added = as_owner.post(base, {"user": "nina", "role": "viewer"}, format="json")
    promoted = as_owner.patch(f"{base}{newcomer.pk}/", {"role": "editor"}, format="json")
    removed = as_owner.delete(f"{base}{newcomer.pk}/")

    assert (added.status_code, promoted.status_code, removed.status_code) == (201, 200, 204)
    events = feed(as_viewer, workspace, object_type="member")
    assert rows(events) == [
        ("olivia", "member_added", "member", "nina", {"role": "viewer"}),
        ("olivia", "role_changed", "member", "nina", {"role": "editor", "previous_role": "viewer"}),
        ("olivia", "member_removed", "member", "nina", {"role": "editor"}),
    ]
    assert {e["object_id"] for e in events} == {newcomer.pk}
    assert [e["summary"] for e in events] == [
        "olivia added nina as viewer",
        "olivia made nina editor",
        "olivia removed nina",
    ]


def test_an_editor_cannot_change_roles_and_nothing_is_recorded(
    as_editor: Any, workspace: Workspace, viewer: Any
) -> None:
    response = as_editor.patch(f"/api/workspaces/{workspace.pk}/members/{viewer.pk}/", {"role": "owner"}, format="json")

    assert response.status_code == 403
    assert not ActivityEvent.objects.filter(object_type="member").exists()


# -- deletions ------------------------------------------------------------------------------------


def test_deleting_a_pipeline_and_a_dataset_records_who_deleted_them(
    as_editor: Any, as_viewer: Any, workspace: Workspace, owner: Any, dataset: Dataset
) -> None:
    pipeline = create_pipeline(owner, workspace, "Churn")

    gone_pipeline = as_editor.delete(f"/api/pipelines/{pipeline.pk}/")
    gone_dataset = as_editor.delete(f"/api/datasets/{dataset.pk}/")

    assert (gone_pipeline.status_code, gone_dataset.status_code) == (204, 204)
    events = [e for e in feed(as_viewer, workspace) if e["verb"] == "deleted"]
    assert rows(events) == [
        ("eddie", "deleted", "pipeline", "Churn", {}),
        ("eddie", "deleted", "dataset", "Iris", {"versions": 1}),
    ]
    assert [e["object_id"] for e in events] == [pipeline.pk, dataset.pk]
    assert events[1]["summary"] == "eddie deleted dataset 'Iris'"


def test_a_viewer_cannot_delete_and_nothing_is_recorded(as_viewer: Any, workspace: Workspace, dataset: Dataset) -> None:
    response = as_viewer.delete(f"/api/datasets/{dataset.pk}/")

    assert response.status_code == 403
    assert Dataset.objects.filter(pk=dataset.pk).exists()
    assert not ActivityEvent.objects.filter(verb="deleted").exists()


def test_deleting_a_model_version_and_an_endpoint_records_who_deleted_them(
    as_editor: Any,
    as_viewer: Any,
    workspace: Workspace,
    trained_run: Run,  # noqa: F811
    live: dict[str, Any],  # noqa: F811
) -> None:
    # given a registered model that the live endpoint serves
    registered = as_editor.post(
        "/api/models/",
        {"workspace": workspace.pk, "run": trained_run.pk, "node": "train", "name": "cancer-model"},
        format="json",
    )
    assert registered.status_code == 201, registered.content
    model_id = registered.json()["id"]

    # when eddie tries to delete the model (refused while served), deletes the endpoint, then the model
    refused = as_editor.delete(f"/api/models/{model_id}/")
    events_after_refusal = ActivityEvent.objects.filter(verb="deleted").count()
    endpoint = as_editor.delete(f"/api/endpoints/{live['id']}/")
    model = as_editor.delete(f"/api/models/{model_id}/")

    # then the refusal recorded nothing, and both deletions name eddie
    assert (refused.status_code, endpoint.status_code, model.status_code) == (409, 204, 204)
    assert events_after_refusal == 0
    events = [e for e in feed(as_viewer, workspace) if e["verb"] == "deleted"]
    assert rows(events) == [
        ("eddie", "deleted", "endpoint", "cancer", {}),
        ("eddie", "deleted", "model", "cancer-model", {"version": 1}),
    ]
    assert [e["object_id"] for e in events] == [live["id"], model_id]
    assert events[1]["summary"] == "eddie deleted model 'cancer-model' (version 1)"
    assert not RegisteredModel.objects.exists()
    models_only = feed(as_viewer, workspace, object_type="model")
    assert [e["verb"] for e in models_only] == ["deleted"]


def test_cancelling_a_run_records_who_cancelled_it(
    as_editor: Any, as_viewer: Any, workspace: Workspace, owner: Any
) -> None:
    pipeline = create_pipeline(owner, workspace, "Nap", document=document([("a", "test_sleep", {"seconds": 0})], []))
    run = runs.submit_run(user=owner, pipeline=pipeline)

    response = as_editor.post(f"/api/runs/{run.pk}/cancel/")
    again = as_editor.post(f"/api/runs/{run.pk}/cancel/")  # already over: nothing more to record

    assert (response.status_code, again.status_code) == (200, 200)
    events = feed(as_viewer, workspace, object_type="run")
    assert rows(events) == [
        ("olivia", "submitted", "run", "Nap", {"version": 1, "pipeline": pipeline.pk, "trigger": "manual"}),
        ("eddie", "cancelled", "run", "Nap", {"pipeline": pipeline.pk}),
        (None, "finished", "run", "Nap", {"status": "cancelled", "pipeline": pipeline.pk}),
    ]
    assert events[1]["summary"] == f"eddie cancelled run {run.pk} of 'Nap'"


def test_deleting_a_workspace_takes_its_feed_and_goes_to_the_audit_log(
    as_owner: Any, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    # the feed lives inside the workspace, so the deletion is recorded where an operator keeps logs
    workspace_id = workspace.pk
    with caplog.at_level(logging.INFO, logger="tessera.audit"):
        response = as_owner.delete(f"/api/workspaces/{workspace_id}/")

    assert response.status_code == 204
    assert [r.getMessage() for r in caplog.records if r.name == "tessera.audit"] == [
        f"olivia deleted workspace {workspace_id} 'Team'"
    ]
    assert as_owner.get(f"/api/workspaces/{workspace_id}/activity/").status_code == 404
    assert not ActivityEvent.objects.filter(workspace_id=workspace_id).exists()


def test_only_an_owner_deletes_a_workspace_and_a_refusal_logs_nothing(
    as_editor: Any, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="tessera.audit"):
        response = as_editor.delete(f"/api/workspaces/{workspace.pk}/")

    assert response.status_code == 403
    assert Workspace.objects.filter(pk=workspace.pk).exists()
    assert [r for r in caplog.records if r.name == "tessera.audit"] == []
