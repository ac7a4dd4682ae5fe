"""Schedules and triggers on real processes: PostgreSQL, Redis, two Celery workers, two Celery beat
processes (the database scheduler, as `make beat` runs it) and a live server for uploads."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from designer.celery import app
from designer.datasets.models import Dataset
from designer.runs.models import NodeRun, Run
from designer.schedules import services
from designer.schedules.dispatch import FIRE_TRIGGER
from designer.schedules.models import Schedule, ScheduleTick, TriggerFiring
from designer.schedules.selectors import timing_of
from tests.support.processes import Beat

from .conftest import numbers_csv, publish

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def beats(workers: Any, settings: Any) -> Iterator[list[Beat]]:  # noqa: F811
    """Two beat processes on the same schedule table, next to the two workers."""
    settings.TESSERA_SCHEDULE_MIN_INTERVAL_SECONDS = 1  # seconds-long intervals, for the test's sake
    started = [Beat("a"), Beat("b")]
    try:
        for beat in started:
            beat.wait_ready()
        yield started
    finally:
        for beat in started:
            beat.stop()


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} after {timeout} s")


def _ticks(schedule: Schedule) -> list[ScheduleTick]:
    return list(ScheduleTick.objects.filter(schedule=schedule).order_by("tick"))


def _stop(schedule: Schedule, user: Any) -> None:
    """Pause, then let messages already sent land, so the counts below are final."""
    services.set_paused(Schedule.objects.get(pk=schedule.pk), user=user, paused=True)
    time.sleep(3)


def test_two_beat_processes_start_exactly_one_run_per_tick(beats: list[Beat], ada: Any, lab: Any) -> None:  # noqa: F811
    # given a schedule every 2 seconds on a published pipeline, with two beat processes running
    endpoint = publish(ada, lab)
    schedule = services.create_schedule(endpoint, user=ada, data={"interval_seconds": 2, "max_concurrent": 50})

    # when it has ticked at least 7 times
    _wait(lambda: len(_ticks(schedule)) >= 7, 60, "fewer than 7 ticks")
    _stop(schedule, ada)

    # then every tick started one run, no tick was missed, and both processes sent every tick
    ticks = _ticks(schedule)
    runs = Run.objects.filter(trigger__schedule=schedule.pk)
    assert [t.outcome for t in ticks] == ["ran"] * len(ticks), [t.reason for t in ticks]
    assert runs.count() == len(ticks)
    assert sorted(r.trigger["tick"] for r in runs) == [t.tick.isoformat() for t in ticks]
    assert ticks[0].tick == timing_of(schedule).following(schedule.timing_since, 1)[0]
    assert {(b.tick - a.tick).total_seconds() for a, b in zip(ticks, ticks[1:], strict=False)} == {2.0}
    sent = [beat.sent(f"tessera schedule {schedule.pk}") for beat in beats]
    assert min(sent) >= len(ticks) - 1, sent  # each process sent (nearly) every tick: duplicates were real
    _wait(lambda: not runs.exclude(status="completed").exists(), 60, "scheduled runs still not completed")


def test_a_paused_schedule_does_not_fire_until_it_is_resumed(beats: list[Beat], ada: Any, lab: Any) -> None:  # noqa: F811
    endpoint = publish(ada, lab)
    schedule = services.create_schedule(
        endpoint, user=ada, data={"interval_seconds": 1, "paused": True, "max_concurrent": 50}
    )

    time.sleep(5)
    assert _ticks(schedule) == [] and not Run.objects.exists()
    assert sum(beat.sent(f"tessera schedule {schedule.pk}") for beat in beats) == 0

    resumed = services.set_paused(Schedule.objects.get(pk=schedule.pk), user=ada, paused=False)
    _wait(lambda: len(_ticks(schedule)) >= 2, 30, "no ticks after resuming")
    _stop(schedule, ada)

    ticks = _ticks(schedule)
    assert all(t.tick > resumed.updated_at for t in ticks)  # nothing from the paused time is caught up
    assert Run.objects.filter(trigger__schedule=schedule.pk).count() == len(ticks)


def test_ticks_while_max_concurrent_runs_are_running_are_skipped_and_recorded(
    beats: list[Beat],
    ada: Any,  # noqa: F811
    lab: Any,  # noqa: F811
) -> None:
    # given one run at a time, and runs that take about 7 seconds (the Sleep node), every 2 seconds
    endpoint = publish(ada, lab)
    data = {"interval_seconds": 2, "max_concurrent": 1, "values": {"seconds": 7}}
    schedule = services.create_schedule(endpoint, user=ada, data=data)

    _wait(lambda: len(_ticks(schedule)) >= 4, 60, "fewer than 4 ticks")
    _stop(schedule, ada)

    ticks = _ticks(schedule)
    assert ticks[0].outcome == "ran"
    assert [(t.outcome, t.reason) for t in ticks[1:3]] == [
        ("skipped", "skipped: 1 run of this schedule still running (max concurrent runs: 1)")
    ] * 2
    assert Run.objects.filter(trigger__schedule=schedule.pk).count() == sum(t.outcome == "ran" for t in ticks)


def test_a_data_trigger_starts_one_run_per_uploaded_version_with_that_version(
    workers: Any,  # noqa: F811
    http: Any,  # noqa: F811
    ada: Any,  # noqa: F811
    lab: Any,  # noqa: F811
) -> None:
    # given a trigger on the dataset the published pipeline reads
    endpoint = publish(ada, lab)
    numbers = Dataset.objects.get(workspace=lab, name="Numbers nightly")
    body = {"dataset": numbers.pk, "parameter": "training_data", "values": {"fraction": 0.5}}
    created = http.post(f"/api/pipeline-endpoints/{endpoint.pk}/data-triggers/", json=body)
    assert created.status_code == 201, created.text
    trigger_id = created.json()["id"]

    # when two new versions are uploaded over the API (30 rows, then 20)
    for rows in (30, 20):
        files = {"file": ("numbers.csv", numbers_csv(rows), "text/csv")}
        uploaded = http.post(f"/api/datasets/{numbers.pk}/versions/", files=files)
        assert uploaded.status_code == 201, uploaded.text
    runs = Run.objects.filter(trigger__trigger=trigger_id)
    _wait(lambda: runs.count() == 2 and not runs.exclude(status="completed").exists(), 90, "two completed runs")

    # then each version started one run that read that version
    by_version = {r.trigger["dataset_version"]: r for r in runs}
    assert sorted(by_version) == [2, 3]
    for version, rows in ((2, 30), (3, 20)):
        run = by_version[version]
        assert run.parameter_values["training_data"] == {"dataset_id": numbers.pk, "version": version}
        split = NodeRun.objects.get(run=run, node_id="split")
        assert split.outputs["results_dataset1"]["summary"]["rows"] == rows // 2
    assert sorted(TriggerFiring.objects.values_list("dataset_version__version", "outcome")) == [
        (2, "ran"),
        (3, "ran"),
    ]

    # and a repeated message for a version starts nothing more
    app.send_task(FIRE_TRIGGER, args=[trigger_id, numbers.versions.get(version=3).pk])
    time.sleep(3)
    assert runs.count() == 2 and TriggerFiring.objects.count() == 2
