"""Managing pipeline endpoints over /api/: publish (from a version or a run), versions and the default,
unpublish, keys, delete, the runs list and "run now"; every change in the activity feed."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from designer.activity.models import ActivityEvent
from designer.pipelines.models import Pipeline
from designer.pipelines.services import save_version
from designer.published import services
from designer.published.models import PipelineEndpoint, PublishedRun, PublishedVersion
from designer.runs import services as runs
from designer.runs.models import Run
from designer.workspaces.models import Workspace
from tests.designer.runs.conftest import drain

from .conftest import counts, publish

pytestmark = pytest.mark.django_db


def feed(verb: str | None = None) -> list[tuple[str, str, dict[str, Any]]]:
    events = ActivityEvent.objects.filter(object_type="pipeline_endpoint").order_by("id")
    if verb:
        events = events.filter(verb=verb)
    return [(e.verb, e.actor_name, e.detail) for e in events]


def create(client: APIClient, workspace: Workspace, **body: Any) -> Any:
    return client.post(
        "/api/pipeline-endpoints/", {"workspace": workspace.pk, "name": "nightly", **body}, format="json"
    )


def test_an_editor_publishes_a_pipeline_version_as_an_endpoint(
    as_editor: APIClient, as_viewer: APIClient, workspace: Workspace, pipeline: Pipeline
) -> None:
    response = create(as_editor, workspace, pipeline=pipeline.pk, description="Every night")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["default_version"], body["default_pipeline_version"]) == ("nightly", 1, 1)
    assert body["runs_url"] == "http://testserver/pipeline-endpoints/nightly/runs"
    assert body["swagger_url"] == "http://testserver/pipeline-endpoints/nightly/swagger.json"
    assert set(body["keys"]) == {"primary", "secondary"} and body["keys"]["primary"] != body["keys"]["secondary"]
    [version] = body["versions"]
    assert (version["number"], version["pipeline_version"], version["is_default"], version["runs"]) == (1, 1, True, 0)
    params = {p["name"]: p for p in version["parameters"]}
    assert params["fraction"]["default"] == 0.5 and params["fraction"]["type"] == "number"
    assert params["fraction"]["bindings"][0]["node"] == "split"
    assert params["fraction"]["schema"]["allOf"][1]["maximum"] == 1
    assert feed() == [("published", "eddie", {"version": 1, "pipeline_version": 1, "pipeline": pipeline.pk})]
    seen_by_viewer = as_viewer.get(f"/api/pipeline-endpoints/{body['id']}/").json()
    assert seen_by_viewer["keys"] is None and seen_by_viewer["name"] == "nightly"


def test_publishing_from_a_run_stores_its_values_as_the_versions_defaults(
    as_editor: APIClient, owner: Any, workspace: Workspace, pipeline: Pipeline
) -> None:
    save_version(owner, pipeline, pipeline.versions.get().document, "v2", base_version=1)
    run = drain(runs.submit_run(user=owner, pipeline=pipeline, version=pipeline.versions.get(number=1),
                                values={"fraction": 0.25, "note": "from run"}))  # fmt: skip

    created = create(as_editor, workspace, run=run.pk)

    assert created.status_code == 201, created.content
    [version] = created.json()["versions"]
    assert (version["pipeline_version"], version["from_run"]) == (1, run.pk)
    assert version["defaults"] == run.parameter_values
    params = {p["name"]: p for p in version["parameters"]}
    assert (params["fraction"]["default"], params["fraction"]["document_default"]) == (0.25, 0.5)
    assert params["note"]["default"] == "from run"
    endpoint = PipelineEndpoint.objects.get()
    triggered = drain(services.start_run(endpoint, kind="rest"))
    assert triggered.parameter_values["fraction"] == 0.25
    assert feed("published")[0][2]["from_run"] == run.pk


def test_a_run_publishes_as_a_new_version_of_an_existing_endpoint(
    as_editor: APIClient, owner: Any, endpoint: PipelineEndpoint, pipeline: Pipeline
) -> None:
    run = drain(runs.submit_run(user=owner, pipeline=pipeline, values={"fraction": 0.75}))

    response = as_editor.post(
        f"/api/pipeline-endpoints/{endpoint.pk}/versions/", {"run": run.pk, "make_default": True}, format="json"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["default_version"] == 2
    assert [(v["number"], v["pipeline_version"], v["defaults"].get("fraction")) for v in body["versions"]] == [
        (1, 1, None),
        (2, 1, 0.75),
    ]
    assert feed("published")[-1][2] == {"version": 2, "pipeline_version": 1, "from_run": run.pk, "default": True}


def test_bad_defaults_and_foreign_runs_are_refused_naming_the_field_and_nothing_is_created(
    as_editor: APIClient, workspace: Workspace, pipeline: Pipeline, outsider: Any, other_workspace: Workspace
) -> None:
    from .conftest import make_pipeline

    theirs = drain(runs.submit_run(user=outsider, pipeline=make_pipeline(outsider, other_workspace, "Theirs")))
    before = counts() | {"endpoints": PipelineEndpoint.objects.count()}

    wrong_type = create(as_editor, workspace, pipeline=pipeline.pk, defaults={"fraction": "most"})
    out_of_range = create(as_editor, workspace, pipeline=pipeline.pk, defaults={"fraction": 2})
    foreign_run = create(as_editor, workspace, run=theirs.pk)
    no_version = create(as_editor, workspace, pipeline=pipeline.pk, version=9)
    bad_name = create(as_editor, workspace, pipeline=pipeline.pk, name="Not A Name")

    assert wrong_type.status_code == 400
    assert [p["path"] for p in wrong_type.json()["problems"]] == ["defaults.fraction"]
    assert [p["path"] for p in out_of_range.json()["problems"]] == ["defaults.fraction"]
    assert foreign_run.status_code == 400 and "run" in foreign_run.json()["fields"]
    assert no_version.status_code == 400 and no_version.json()["problems"] == [{"field": "version"}]
    assert bad_name.status_code == 400 and "name" in bad_name.json()["fields"]
    assert counts() | {"endpoints": PipelineEndpoint.objects.count()} == before


def test_a_taken_name_is_refused(as_editor: APIClient, workspace: Workspace, endpoint: PipelineEndpoint) -> None:
    response = create(as_editor, workspace, pipeline=endpoint.pipeline_id)

    assert response.status_code == 400
    assert response.json()["fields"]["name"] == ["A pipeline endpoint named 'nightly' already exists."]


def test_the_default_version_changes_and_unpublishing_keeps_what_ran(
    as_editor: APIClient, owner: Any, endpoint: PipelineEndpoint
) -> None:
    services.publish_version(endpoint, user=owner)
    services.publish_version(endpoint, user=owner)
    url = f"/api/pipeline-endpoints/{endpoint.pk}/"
    services.start_run(endpoint, kind="rest", number=2)

    unknown = as_editor.patch(url, {"default_version": 7}, format="json")
    switched = as_editor.patch(url, {"default_version": 3}, format="json")
    the_default = as_editor.delete(f"{url}versions/3/")
    ran = as_editor.delete(f"{url}versions/2/")
    withdrawn = as_editor.delete(f"{url}versions/1/")

    assert unknown.status_code == 400 and unknown.json()["problems"] == [{"field": "version"}]
    assert switched.status_code == 200 and switched.json()["default_version"] == 3
    assert the_default.status_code == 409 and "make another one the default" in the_default.json()["detail"]
    assert ran.status_code == 409 and "has 1 run" in ran.json()["detail"]
    assert withdrawn.status_code == 204
    assert list(PublishedVersion.objects.values_list("number", flat=True)) == [2, 3]
    assert [(v, d) for v, _a, d in feed() if v == "updated"] == [
        ("updated", {"default_version": 3}),
        ("updated", {"unpublished_version": 1}),
    ]


def test_regenerating_a_key_is_recorded_without_the_key(as_editor: APIClient, endpoint: PipelineEndpoint) -> None:
    old = endpoint.secondary_key

    response = as_editor.post(
        f"/api/pipeline-endpoints/{endpoint.pk}/regenerate-key/", {"key": "secondary"}, format="json"
    )

    endpoint.refresh_from_db()
    assert response.json() == {"primary": endpoint.primary_key, "secondary": endpoint.secondary_key}
    assert endpoint.secondary_key != old
    [event] = ActivityEvent.objects.filter(verb="key_regenerated")
    assert (event.object_type, event.detail) == ("pipeline_endpoint", {"key": "secondary"})
    assert endpoint.secondary_key not in str(event.detail) and old not in str(event.detail)


def test_deleting_an_endpoint_keeps_its_runs(as_editor: APIClient, endpoint: PipelineEndpoint) -> None:
    run = services.start_run(endpoint, kind="rest")

    response = as_editor.delete(f"/api/pipeline-endpoints/{endpoint.pk}/")

    assert response.status_code == 204
    assert not PipelineEndpoint.objects.exists() and not PublishedRun.objects.exists()
    kept = Run.objects.get(pk=run.pk)
    assert kept.trigger["endpoint_name"] == "nightly"
    assert feed("deleted") == [("deleted", "eddie", {"runs_kept": 1})]


def test_the_runs_list_shows_each_runs_trigger_values_and_status(
    as_editor: APIClient, as_viewer: APIClient, endpoint: PipelineEndpoint
) -> None:
    drain(services.start_run(endpoint, kind="schedule", values={"fraction": 0.25}, detail={"schedule": 3}))
    now = as_editor.post(f"/api/pipeline-endpoints/{endpoint.pk}/runs/", {"parameters": {"note": "hi"}}, format="json")

    listed = as_viewer.get(f"/api/pipeline-endpoints/{endpoint.pk}/runs/").json()["results"]
    only_schedules = as_viewer.get(f"/api/pipeline-endpoints/{endpoint.pk}/runs/", {"kind": "schedule"}).json()
    bad_kind = as_viewer.get(f"/api/pipeline-endpoints/{endpoint.pk}/runs/", {"kind": "cron"})

    assert now.status_code == 201 and now.json()["trigger"]["kind"] == "manual"
    assert [(r["kind"], r["status"], r["created_by"]) for r in listed] == [
        ("manual", "running", "eddie"),
        ("schedule", "completed", None),
    ]
    assert listed[1]["parameters"]["fraction"] == 0.25 and listed[1]["trigger"]["schedule"] == 3
    assert listed[0]["parameters"]["note"] == "hi" and listed[0]["version"] == 1
    assert only_schedules["count"] == 1
    assert bad_kind.status_code == 400


def test_run_now_refuses_a_bad_value_naming_it(as_editor: APIClient, endpoint: PipelineEndpoint) -> None:
    before = counts()

    response = as_editor.post(
        f"/api/pipeline-endpoints/{endpoint.pk}/runs/", {"parameters": {"fraction": "x"}}, format="json"
    )

    assert response.status_code == 400
    assert [p["path"] for p in response.json()["problems"]] == ["values.fraction"]
    assert counts() == before


def test_lists_are_scoped_to_the_callers_workspaces(
    api: Any, owner: Any, outsider: Any, workspace: Workspace, other_workspace: Workspace, endpoint: PipelineEndpoint
) -> None:
    publish(outsider, other_workspace, "theirs")

    mine = api(owner).get("/api/pipeline-endpoints/").json()["results"]
    theirs = api(outsider).get("/api/pipeline-endpoints/").json()["results"]
    peeking = api(outsider).get(f"/api/pipeline-endpoints/{endpoint.pk}/")

    assert [e["name"] for e in mine] == ["nightly"] and [e["name"] for e in theirs] == ["theirs"]
    assert mine[0]["last_run"] is None and mine[0]["version_count"] == 1
    assert peeking.status_code == 404


def test_the_management_openapi_document_is_for_members(
    as_viewer: APIClient, api: Any, outsider: Any, endpoint: PipelineEndpoint
) -> None:
    doc = as_viewer.get(f"/api/pipeline-endpoints/{endpoint.pk}/openapi/")

    assert doc.status_code == 200 and "/runs" in doc.json()["paths"]
    assert api(outsider).get(f"/api/pipeline-endpoints/{endpoint.pk}/openapi/").status_code == 404


def test_deleting_the_pipeline_deletes_its_endpoints_and_runs(
    as_editor: APIClient, endpoint: PipelineEndpoint, pipeline: Pipeline
) -> None:
    drain(services.start_run(endpoint, kind="rest"))

    response = as_editor.delete(f"/api/pipelines/{pipeline.pk}/")

    assert response.status_code == 204, response.content
    assert not PipelineEndpoint.objects.exists() and not PublishedVersion.objects.exists()
    assert not Run.objects.filter(pipeline_id=pipeline.pk).exists()
