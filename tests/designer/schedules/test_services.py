"""Schedules and data triggers through their services: saving (with the beat entry, or nothing at all when
refused) and firing (one run per tick or version, skips and failures recorded with why). Runs are not
executed here; tests/designer/schedules/test_on_processes.py runs them on workers and beat processes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from designer.activity.models import ActivityEvent
from designer.api import Unprocessable
from designer.datasets.models import Dataset, DatasetVersion
from designer.datasets.services import add_version, create_dataset
from designer.published.models import PipelineEndpoint, PublishedRun
from designer.published.services import publish_version
from designer.runs import services as run_services
from designer.runs.models import Run
from designer.schedules import services
from designer.schedules.dispatch import dataset_version_created
from designer.schedules.models import Schedule
from designer.schedules.selectors import timing_of

from .conftest import counts, csv_file

pytestmark = pytest.mark.django_db

HOURLY = {"cron": "0 * * * *", "timezone": "Europe/Paris"}


def _next_tick(schedule: Schedule, n: int = 1) -> Any:
    return timing_of(schedule).following(timezone.now(), n)[-1]


# -- saving -------------------------------------------------------------------------------------


def test_a_schedule_is_saved_with_its_beat_entry_and_an_activity_event(endpoint: PipelineEndpoint, owner: Any) -> None:
    schedule = services.create_schedule(
        endpoint, user=owner, data={**HOURLY, "name": "Hourly", "values": {"fraction": 0.25}}
    )

    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    assert task.task == "tessera.fire_schedule" and json.loads(task.kwargs) == {"schedule_id": schedule.pk}
    assert task.enabled and task.crontab is not None and task.interval is None
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("0", "*", "Europe/Paris")
    event = ActivityEvent.objects.get(verb="created", object_type="schedule")
    assert (event.object_id, event.object_name, event.actor) == (schedule.pk, "Hourly", owner)
    assert event.detail == {"endpoint": endpoint.pk, "timing": "Every hour"}


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"cron": "0 0 30 2 *"}, "cron", "never fires"),
        ({"cron": "0 6 * * *", "timezone": "Atlantis/Capital"}, "timezone", "not a known time zone"),
        ({"interval_seconds": 30}, "interval_seconds", "60 seconds or more"),
        ({"cron": "0 6 * * *", "start_at": "late", "end_at": "early"}, "end_at", "after the start"),
        ({**HOURLY, "values": {"fraction": "most"}}, "values", "fraction"),
        ({**HOURLY, "values": {"fraction": 7}}, "values", "fraction"),
        ({**HOURLY, "values": {"speed": 1}}, "values", "no pipeline parameter 'speed'"),
        ({**HOURLY, "version": 9}, "version", "does not publish version 9"),
    ],
)
def test_a_schedule_that_cannot_work_is_refused_naming_the_field_and_nothing_is_saved(
    endpoint: PipelineEndpoint, owner: Any, data: dict[str, Any], field: str, words: str
) -> None:
    now = timezone.now()
    data = {**data}
    if data.get("start_at") == "late":
        data |= {"start_at": now + timedelta(days=2), "end_at": now + timedelta(days=1)}
    before = counts()

    with pytest.raises(Unprocessable) as refused:
        services.create_schedule(endpoint, user=owner, data=data)

    problems = refused.value.problems
    assert [p["field"] for p in problems] == [field]
    assert words in json.dumps(problems) + str(refused.value.detail)
    assert counts() == before


def test_pausing_resuming_and_a_new_timing_follow_through_to_the_beat_entry(
    endpoint: PipelineEndpoint, owner: Any
) -> None:
    schedule = services.create_schedule(endpoint, user=owner, data=HOURLY)
    since = schedule.timing_since

    paused = services.set_paused(schedule, user=owner, paused=True)
    assert paused.paused and not PeriodicTask.objects.get(pk=schedule.periodic_task_id).enabled
    resumed = services.set_paused(paused, user=owner, paused=False)
    assert PeriodicTask.objects.get(pk=schedule.periodic_task_id).enabled
    assert resumed.timing_since == since  # pausing is not a new timing
    changed = services.update_schedule(resumed, user=owner, changes={"interval_seconds": 120, "cron": ""})

    task = PeriodicTask.objects.get(pk=schedule.periodic_task_id)
    assert task.crontab is None and task.interval.every == 120 and task.interval.period == "seconds"
    assert changed.timing_since >= since
    verbs = list(ActivityEvent.objects.filter(object_type="schedule").order_by("id").values_list("verb", flat=True))
    assert verbs == ["created", "paused", "resumed", "updated"]


def test_a_refused_change_changes_nothing(endpoint: PipelineEndpoint, owner: Any) -> None:
    schedule = services.create_schedule(endpoint, user=owner, data=HOURLY)
    before = counts()

    with pytest.raises(Unprocessable) as refused:
        services.update_schedule(schedule, user=owner, changes={"cron": "0 0 31 2 *", "name": "never"})

    assert refused.value.problems[0]["field"] == "cron"
    schedule.refresh_from_db()
    assert (schedule.cron, schedule.name) == ("0 * * * *", "")
    assert PeriodicTask.objects.get(pk=schedule.periodic_task_id).crontab.day_of_month == "*"
    assert counts() == before


def test_deleting_a_schedule_removes_its_beat_entry_and_keeps_its_runs(endpoint: PipelineEndpoint, owner: Any) -> None:
    schedule = services.create_schedule(endpoint, user=owner, data=HOURLY)
    fired = services.fire_tick(schedule.pk, _next_tick(schedule))
    assert fired is not None and fired.run is not None
    schedule_id = schedule.pk

    services.delete_schedule(schedule, user=owner)

    assert not Schedule.objects.exists() and not PeriodicTask.objects.exists()
    assert Run.objects.filter(pk=fired.run.pk).exists()
    assert ActivityEvent.objects.filter(verb="deleted", object_type="schedule", object_id=schedule_id).exists()


# -- firing -------------------------------------------------------------------------------------


def test_a_tick_starts_one_run_with_the_schedules_values_however_often_it_is_sent(
    endpoint: PipelineEndpoint, owner: Any
) -> None:
    schedule = services.create_schedule(endpoint, user=owner, data={**HOURLY, "values": {"fraction": 0.25}})
    tick = _next_tick(schedule)

    first = services.fire_tick(schedule.pk, tick)
    again = services.fire_tick(schedule.pk, tick)

    assert first is not None and again is None
    assert (first.outcome, first.tick, first.reason) == ("ran", tick, "")
    run = Run.objects.get()
    assert run == first.run and run.parameter_values["fraction"] == 0.25
    assert run.trigger == {
        "kind": "schedule",
        "endpoint": endpoint.pk,
        "endpoint_name": "nightly",
        "version": 1,
        "schedule": schedule.pk,
        "tick": tick.isoformat(),
    }
    assert PublishedRun.objects.get().kind == "schedule"
    event = ActivityEvent.objects.get(verb="triggered", object_type="schedule")
    assert event.detail == {"tick": tick.isoformat(), "endpoint": endpoint.pk, "run": run.pk}


def test_a_time_that_is_not_a_tick_of_the_schedule_starts_nothing(endpoint: PipelineEndpoint, owner: Any) -> None:
    schedule = services.create_schedule(endpoint, user=owner, data=HOURLY)
    tick = _next_tick(schedule)
    before = counts()

    assert services.fire_tick(schedule.pk, tick + timedelta(seconds=1)) is None
    assert services.fire_tick(schedule.pk, tick - timedelta(hours=2)) is None  # before the schedule existed
    assert services.fire_tick(schedule.pk + 1000, tick) is None  # no such schedule

    assert counts() == before


def test_a_paused_schedules_tick_is_recorded_as_skipped(endpoint: PipelineEndpoint, owner: Any) -> None:
    schedule = services.create_schedule(endpoint, user=owner, data={**HOURLY, "paused": True})

    fired = services.fire_tick(schedule.pk, _next_tick(schedule))

    assert fired is not None and (fired.outcome, fired.reason) == ("skipped", "skipped: the schedule is paused")
    assert not Run.objects.exists() and not ActivityEvent.objects.filter(verb="triggered").exists()


def test_a_tick_while_max_concurrent_runs_are_running_is_skipped(endpoint: PipelineEndpoint, owner: Any) -> None:
    schedule = services.create_schedule(endpoint, user=owner, data={**HOURLY, "max_concurrent": 1})
    first = services.fire_tick(schedule.pk, _next_tick(schedule, 1))
    assert first is not None and first.run is not None and first.run.status == "running"  # not executed here

    second = services.fire_tick(schedule.pk, _next_tick(schedule, 2))
    run_services.cancel_run(first.run)
    third = services.fire_tick(schedule.pk, _next_tick(schedule, 3))

    assert second is not None and second.outcome == "skipped"
    assert second.reason == "skipped: 1 run of this schedule still running (max concurrent runs: 1)"
    assert third is not None and third.outcome == "ran"
    assert Run.objects.count() == 2


@pytest.mark.parametrize(
    ("policy", "which", "outcome", "words"),
    [
        ("skip", "latest", "skipped", "this schedule skips missed runs"),
        ("skip", "older", "skipped", "this schedule skips missed runs"),
        ("run_once", "latest", "ran", ""),
        ("run_once", "older", "skipped", "runs instead (run once)"),
    ],
)
def test_missed_ticks_follow_the_schedules_policy(
    endpoint: PipelineEndpoint, owner: Any, settings: Any, policy: str, which: str, outcome: str, words: str
) -> None:
    # given an hourly schedule set up a day ago, and beat back after hours of downtime
    settings.TESSERA_SCHEDULE_GRACE_SECONDS = 0
    schedule = services.create_schedule(endpoint, user=owner, data={**HOURLY, "missed": policy})
    Schedule.objects.filter(pk=schedule.pk).update(timing_since=timezone.now() - timedelta(days=1))
    latest = timing_of(Schedule.objects.get(pk=schedule.pk)).previous(timezone.now())
    tick = latest if which == "latest" else latest - timedelta(hours=3)

    fired = services.fire_tick(schedule.pk, tick)

    assert fired is not None and fired.outcome == outcome and words in fired.reason
    assert Run.objects.count() == (1 if outcome == "ran" else 0)


def test_a_tick_whose_run_cannot_start_is_recorded_as_failed_with_why(
    endpoint: PipelineEndpoint, owner: Any, workspace: Any
) -> None:
    other = create_dataset(owner, workspace, "Other numbers", csv_file(10))
    values = {"training_data": {"dataset_id": other.pk, "version": None}}
    schedule = services.create_schedule(endpoint, user=owner, data={**HOURLY, "values": values})
    other.delete()  # the dataset the schedule names is gone since

    fired = services.fire_tick(schedule.pk, _next_tick(schedule))

    assert fired is not None and fired.outcome == "failed" and fired.run is None
    assert fired.reason.startswith("could not start: ") and "training_data" in fired.reason
    assert not Run.objects.exists() and not PublishedRun.objects.exists()
    event = ActivityEvent.objects.get(verb="triggered", object_type="schedule")
    assert event.detail["failed"] == fired.reason


# -- "Schedule this run" ------------------------------------------------------------------------


def test_scheduling_a_run_of_a_published_version_reuses_its_version_and_values(
    endpoint: PipelineEndpoint, owner: Any
) -> None:
    run = run_services.submit_run(user=owner, pipeline=endpoint.pipeline, values={"fraction": 0.75, "seconds": 0})

    schedule = services.schedule_run(run, user=owner, data={"interval_seconds": 3600})

    assert (schedule.endpoint, schedule.version, schedule.name) == (endpoint, 1, f"From run {run.pk}")
    assert schedule.values == run.parameter_values and schedule.values["fraction"] == 0.75


def test_scheduling_a_run_whose_version_is_not_published_is_refused_naming_why(
    endpoint: PipelineEndpoint, owner: Any
) -> None:
    pipeline = endpoint.pipeline
    from designer.pipelines.services import save_version

    save_version(owner, pipeline, pipeline.versions.get(number=1).document, "second", base_version=1)
    run = run_services.submit_run(user=owner, pipeline=pipeline)  # version 2: not published
    before = counts()

    with pytest.raises(Unprocessable) as refused:
        services.schedule_run(run, user=owner, data={"interval_seconds": 3600})

    assert refused.value.problems == [{"field": "run", "code": "not_published"}]
    assert "Version 2 of 'Pipeline nightly' is not published" in str(refused.value.detail)
    assert counts() == before


def test_a_run_published_by_two_endpoints_needs_one_named(endpoint: PipelineEndpoint, owner: Any) -> None:
    from designer.published.services import create_endpoint

    twin = create_endpoint(workspace=endpoint.workspace, user=owner, name="twin", pipeline=endpoint.pipeline)
    run = run_services.submit_run(user=owner, pipeline=endpoint.pipeline)

    with pytest.raises(Unprocessable) as refused:
        services.schedule_run(run, user=owner, data={"interval_seconds": 3600})
    chosen = services.schedule_run(run, user=owner, data={"interval_seconds": 3600}, endpoint_id=twin.pk)

    assert refused.value.problems == [{"field": "endpoint", "code": "ambiguous"}]
    assert "'nightly'" in str(refused.value.detail) and "'twin'" in str(refused.value.detail)
    assert chosen.endpoint == twin


# -- data triggers ------------------------------------------------------------------------------


def test_a_trigger_runs_once_per_new_version_with_that_version_as_its_parameter(
    endpoint: PipelineEndpoint, owner: Any, numbers: Dataset
) -> None:
    trigger = services.create_trigger(
        endpoint, user=owner, data={"dataset": numbers.pk, "parameter": "training_data", "values": {"fraction": 0.2}}
    )
    second = add_version(owner, numbers, csv_file(30))

    fired = services.fire_trigger(trigger.pk, second.pk)
    again = services.fire_trigger(trigger.pk, second.pk)

    assert fired is not None and again is None and fired.outcome == "ran"
    run = Run.objects.get()
    assert run.parameter_values["training_data"] == {"dataset_id": numbers.pk, "version": 2}
    assert run.parameter_values["fraction"] == 0.2
    assert run.trigger == {
        "kind": "data",
        "endpoint": endpoint.pk,
        "endpoint_name": "nightly",
        "version": 1,
        "trigger": trigger.pk,
        "dataset": numbers.pk,
        "dataset_version": 2,
    }
    assert ActivityEvent.objects.filter(verb="triggered", object_type="trigger", object_id=trigger.pk).count() == 1


def test_a_trigger_ignores_versions_of_other_datasets_and_older_versions(
    endpoint: PipelineEndpoint, owner: Any, numbers: Dataset, workspace: Any
) -> None:
    first = numbers.versions.get(version=1)  # made before the trigger
    trigger = services.create_trigger(endpoint, user=owner, data={"dataset": numbers.pk, "parameter": "training_data"})
    other = create_dataset(owner, workspace, "Other", csv_file(5)).versions.get()
    before = counts()

    assert services.fire_trigger(trigger.pk, first.pk) is None
    assert services.fire_trigger(trigger.pk, other.pk) is None
    assert counts() == before


def test_a_paused_trigger_records_the_version_as_skipped(
    endpoint: PipelineEndpoint, owner: Any, numbers: Dataset
) -> None:
    trigger = services.create_trigger(
        endpoint, user=owner, data={"dataset": numbers.pk, "parameter": "training_data", "paused": True}
    )
    version = add_version(owner, numbers, csv_file(30))

    fired = services.fire_trigger(trigger.pk, version.pk)

    assert fired is not None and (fired.outcome, fired.reason) == ("skipped", "skipped: the trigger is paused")
    assert not Run.objects.exists()


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"dataset": "elsewhere"}, "dataset", "is not a dataset of this endpoint's workspace"),
        ({"dataset": 10**9}, "dataset", "is not a dataset of this endpoint's workspace"),
        ({"parameter": "fraction"}, "parameter", "its dataset parameters: training_data"),
        ({"values": {"training_data": {"dataset_id": 1}}}, "values", "leave it out of the values"),
        ({"values": {"fraction": "half"}}, "values", "fraction"),
        ({"version": 4}, "version", "does not publish version 4"),
    ],
)
def test_a_trigger_that_cannot_work_is_refused_naming_the_field_and_nothing_is_saved(
    endpoint: PipelineEndpoint,
    owner: Any,
    numbers: Dataset,
    outsider: Any,
    other_workspace: Any,
    change: dict[str, Any],
    field: str,
    words: str,
) -> None:
    data = {"dataset": numbers.pk, "parameter": "training_data", **change}
    if data["dataset"] == "elsewhere":
        data["dataset"] = create_dataset(outsider, other_workspace, "Theirs", csv_file(5)).pk
    before = counts()

    with pytest.raises(Unprocessable) as refused:
        services.create_trigger(endpoint, user=owner, data=data)

    assert [p["field"] for p in refused.value.problems] == [field]
    assert words in json.dumps(refused.value.problems) + str(refused.value.detail)
    assert counts() == before


def test_a_new_dataset_version_announces_itself_to_triggers_after_commit(
    owner: Any, numbers: Dataset, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        version = add_version(owner, numbers, csv_file(12))

    announced = [c for c in callbacks if getattr(c, "func", None) is dataset_version_created]
    assert [c.args for c in announced] == [(numbers.pk, version.pk)]
    assert DatasetVersion.objects.filter(dataset=numbers).count() == 2


def test_a_version_published_later_can_be_scheduled(endpoint: PipelineEndpoint, owner: Any) -> None:
    """A schedule pinned to a published version keeps running it when the endpoint's default moves on."""
    publish_version(endpoint, user=owner, make_default=True)
    schedule = services.create_schedule(endpoint, user=owner, data={**HOURLY, "version": 1})

    fired = services.fire_tick(schedule.pk, _next_tick(schedule))

    assert fired is not None and fired.run is not None and fired.run.trigger["version"] == 1
