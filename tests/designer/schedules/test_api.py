"""The schedules REST API: what each role may do, refusals naming the field, previews, history, the feed,
and "Schedule this run". (Every route x every caller is in tests/designer/test_permission_matrix.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django_celery_beat.models import PeriodicTask

from designer.pipelines.services import save_version
from designer.published.models import PipelineEndpoint
from designer.runs import services as run_services
from designer.schedules import services
from designer.schedules.models import Schedule
from designer.schedules.selectors import timing_of

from .conftest import counts

pytestmark = pytest.mark.django_db


def _url(endpoint: PipelineEndpoint, what: str = "schedules") -> str:
    return f"/api/pipeline-endpoints/{endpoint.pk}/{what}/"


def test_an_editor_creates_a_schedule_and_sees_its_next_fire_times(as_editor: Any, endpoint: PipelineEndpoint) -> None:
    body = {"name": "Weekdays", "cron": "0 6 * * 1-5", "timezone": "Europe/Paris", "values": {"fraction": 0.3}}

    created = as_editor.post(_url(endpoint), body, format="json")

    assert created.status_code == 201, created.content
    data = created.json()
    assert data["description"] == "At 06:00, Monday through Friday"
    assert len(data["next_fires"]) == 3 and data["next_fire_at"] == data["next_fires"][0]
    assert (data["paused"], data["max_concurrent"], data["missed"], data["last_ticks"]) == (False, 1, "run_once", [])
    assert PeriodicTask.objects.get(pk=Schedule.objects.get().periodic_task_id).enabled


def test_a_viewer_reads_but_may_not_create_and_an_outsider_sees_nothing(
    as_viewer: Any, as_outsider: Any, endpoint: PipelineEndpoint, owner: Any
) -> None:
    services.create_schedule(endpoint, user=owner, data={"cron": "0 6 * * *"})
    before = counts()

    listed = as_viewer.get(_url(endpoint))
    refused = as_viewer.post(_url(endpoint), {"cron": "0 7 * * *"}, format="json")
    hidden = as_outsider.get(_url(endpoint))

    assert listed.status_code == 200 and [s["cron"] for s in listed.json()["results"]] == ["0 6 * * *"]
    assert refused.status_code == 403 and "editor role" in refused.json()["detail"]
    assert hidden.status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cron": "0 0 30 2 *"}, "cron"),
        ({"cron": "0 6 * * *", "timezone": "Nowhere/Special"}, "timezone"),
        ({"interval_seconds": 5}, "interval_seconds"),
        ({"cron": "0 6 * * *", "start_at": "2030-01-02T00:00:00Z", "end_at": "2030-01-01T00:00:00Z"}, "end_at"),
        ({"cron": "0 6 * * *", "values": {"fraction": "most"}}, "values"),
        ({"cron": "0 6 * * *", "version": 3}, "version"),
    ],
)
def test_a_refused_schedule_answers_400_naming_the_field_and_creates_nothing(
    as_editor: Any, endpoint: PipelineEndpoint, body: dict[str, Any], field: str
) -> None:
    before = counts()

    response = as_editor.post(_url(endpoint), body, format="json")

    assert response.status_code == 400, response.content
    assert [p["field"] for p in response.json()["problems"]] == [field]
    assert counts() == before


def test_malformed_input_is_refused_by_field(as_editor: Any, endpoint: PipelineEndpoint) -> None:
    unknown = as_editor.post(_url(endpoint), {"cron": "0 6 * * *", "every": 5}, format="json")
    wrong = as_editor.post(_url(endpoint), {"cron": "0 6 * * *", "missed": "later", "max_concurrent": 0}, format="json")

    assert unknown.status_code == 400 and set(unknown.json()["fields"]) == {"every"}
    assert wrong.status_code == 400 and set(wrong.json()["fields"]) == {"missed", "max_concurrent"}
    assert not Schedule.objects.exists()


def test_the_preview_says_the_timing_in_words_and_its_next_times_or_why_it_cannot_fire(as_viewer: Any) -> None:
    good = as_viewer.post("/api/schedules/preview/", {"cron": "*/15 * * * *"}, format="json").json()
    never = as_viewer.post("/api/schedules/preview/", {"cron": "0 0 30 2 *"}, format="json").json()

    assert good["description"] == "Every 15 minutes" and len(good["next_fires"]) == 3 and good["problems"] == []
    assert never["next_fires"] == [] and never["problems"][0]["field"] == "cron"
    assert "never fires" in never["problems"][0]["message"]


def test_pause_resume_history_and_the_activity_feed(
    as_editor: Any, as_viewer: Any, endpoint: PipelineEndpoint, workspace: Any
) -> None:
    schedule_id = as_editor.post(_url(endpoint), {"cron": "0 * * * *"}, format="json").json()["id"]
    schedule = Schedule.objects.get(pk=schedule_id)
    services.fire_tick(schedule.pk, timing_of(schedule).following(schedule.timing_since, 1)[0])

    paused = as_editor.post(f"/api/schedules/{schedule_id}/pause/")
    resumed = as_editor.post(f"/api/schedules/{schedule_id}/resume/")
    history = as_viewer.get(f"/api/schedules/{schedule_id}/ticks/").json()["results"]
    feed = as_viewer.get(f"/api/workspaces/{workspace.pk}/activity/").json()["results"]

    assert paused.json()["paused"] is True and paused.json()["next_fire_at"] is None
    assert resumed.json()["paused"] is False and resumed.json()["next_fire_at"] is not None
    assert [(t["outcome"], t["run_status"]) for t in history] == [("ran", "running")]
    assert history[0]["run"] is not None
    mine = [(e["verb"], e["object_type"]) for e in feed if e["object_type"] == "schedule"]
    assert mine == [("resumed", "schedule"), ("paused", "schedule"), ("triggered", "schedule"), ("created", "schedule")]


def test_editing_and_deleting_a_schedule(as_editor: Any, endpoint: PipelineEndpoint) -> None:
    schedule_id = as_editor.post(_url(endpoint), {"cron": "0 * * * *"}, format="json").json()["id"]

    edited = as_editor.patch(f"/api/schedules/{schedule_id}/", {"cron": "", "interval_seconds": 900}, format="json")
    refused = as_editor.patch(f"/api/schedules/{schedule_id}/", {"interval_seconds": 1}, format="json")
    deleted = as_editor.delete(f"/api/schedules/{schedule_id}/")

    assert edited.status_code == 200 and edited.json()["description"] == "Every 15 minutes"
    assert refused.status_code == 400 and refused.json()["problems"][0]["field"] == "interval_seconds"
    assert deleted.status_code == 204
    assert not Schedule.objects.exists() and not PeriodicTask.objects.exists()


def test_a_trigger_on_a_dataset_of_another_workspace_is_refused_naming_the_field(
    as_editor: Any, endpoint: PipelineEndpoint, outsider: Any, other_workspace: Any
) -> None:
    from designer.datasets.services import create_dataset

    from .conftest import csv_file

    theirs = create_dataset(outsider, other_workspace, "Theirs", csv_file(5))
    before = counts()

    response = as_editor.post(
        _url(endpoint, "data-triggers"), {"dataset": theirs.pk, "parameter": "training_data"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["problems"] == [{"field": "dataset", "code": "other_workspace"}]
    assert "Theirs" not in response.content.decode()
    assert counts() == before


def test_schedule_this_run(as_editor: Any, endpoint: PipelineEndpoint, owner: Any) -> None:
    published_run = run_services.submit_run(user=owner, pipeline=endpoint.pipeline, values={"fraction": 0.4})
    doc = endpoint.pipeline.versions.get(number=1).document
    save_version(owner, endpoint.pipeline, doc, "unpublished", base_version=1)
    unpublished_run = run_services.submit_run(user=owner, pipeline=endpoint.pipeline)

    created = as_editor.post(f"/api/runs/{published_run.pk}/schedule/", {"cron": "0 6 * * *"}, format="json")
    refused = as_editor.post(f"/api/runs/{unpublished_run.pk}/schedule/", {"cron": "0 6 * * *"}, format="json")

    assert created.status_code == 201, created.content
    assert created.json()["values"]["fraction"] == 0.4 and created.json()["version"] == 1
    assert refused.status_code == 400
    assert refused.json()["problems"] == [{"field": "run", "code": "not_published"}]
    assert "is not published" in refused.json()["detail"]
    assert Schedule.objects.count() == 1
