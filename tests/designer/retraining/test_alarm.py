"""The drift alarm: measured on sampled scoring requests, it starts one drift run of the retraining pipeline."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from designer.activity.models import ActivityEvent
from designer.published.models import PublishedRun
from designer.retraining import alarms, services
from designer.retraining.models import RetrainingPolicy
from designer.runs.models import Run
from tests.support.retraining import drifted, request_rows, table_of

pytestmark = pytest.mark.django_db
A = RetrainingPolicy.AlarmState


def send(endpoint: Any, rows: list[dict[str, Any]]) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {endpoint.primary_key}")
    body = json.dumps({"Inputs": {"WebServiceInput0": rows}})
    response = client.generic("POST", f"/endpoints/{endpoint.name}/score", body, content_type="application/json")
    assert response.status_code == 200, response.content


def calm(trained: Any, seed: int, n: int = 90) -> list[dict[str, Any]]:
    return request_rows(table_of(trained.dataset, 1).sample(n, random_state=seed))


def moved(trained: Any, seed: int, n: int = 90, columns: int | None = None) -> list[dict[str, Any]]:
    rows = table_of(trained.dataset, 1).sample(n, random_state=seed)
    shifted = drifted(rows)
    if columns is not None:  # only the first ``columns`` features move
        keep = [c for c in rows.columns if c != "diagnosis"][columns:]
        shifted[keep] = rows[keep]
    return request_rows(shifted)


def policy_for(trained: Any, retrainer: Any, owner: Any, **fields: Any) -> RetrainingPolicy:
    body = {"pipeline_endpoint": retrainer.pk, "metric": "AUC", "drift_min_rows": 150} | fields
    return services.save_policy(trained.endpoint, owner, body)[0]


def drift_runs() -> list[Run]:
    return [p.run for p in PublishedRun.objects.filter(kind="drift").select_related("run")]


def test_drifted_traffic_fires_the_alarm_once_and_starts_a_drift_run(trained, retrainer, owner) -> None:
    policy = policy_for(trained, retrainer, owner)
    for seed in (1, 2):
        send(trained.endpoint, calm(trained, seed))

    assert alarms.check(policy.pk) == A.OK
    assert drift_runs() == []

    for seed in (3, 4, 5):
        send(trained.endpoint, moved(trained, seed))
    fired = alarms.check(policy.pk)
    again = alarms.check(policy.pk)  # the run it started is not decided: no second alarm

    assert (fired, again) == (A.DRIFTED, A.RETRAINING)
    [run] = drift_runs()
    alarm = run.trigger["alarm"]
    assert run.trigger["kind"] == "drift" and run.trigger["retraining_policy"] == policy.pk
    assert run.trigger["scoring_endpoint"] == trained.endpoint.pk
    assert alarm["input"] == "WebServiceInput0" and alarm["recent_rows"] == 450 and alarm["measured"] == 30
    assert alarm["drifted"] * 2 >= alarm["measured"] and alarm["threshold"] == "the input drifted"
    assert len(alarm["features"]) == alarm["drifted"]
    first = alarm["features"][0]
    assert set(first) == {"column", "test", "statistic", "p_value", "distance"} and first["p_value"] < 0.05
    event = ActivityEvent.objects.get(verb="alarmed")
    assert (event.object_type, event.object_id, event.actor) == ("endpoint", trained.endpoint.pk, None)
    assert event.detail["run"] == run.pk and event.detail["features"] == [f["column"] for f in alarm["features"]]
    assert ActivityEvent.objects.filter(verb="triggered", detail__run=run.pk, detail__kind="drift").exists()
    policy.refresh_from_db()
    assert policy.alarm_state == A.RETRAINING and policy.alarm_fired_at is not None
    assert policy.alarm_detail["note"].startswith("A retraining run")


def test_a_threshold_of_n_features(trained, retrainer, owner) -> None:
    policy = policy_for(trained, retrainer, owner)  # the default: the input drifted (half its features)
    for seed in (6, 7):
        send(trained.endpoint, moved(trained, seed, columns=3))  # three features move: not half of thirty

    assert alarms.check(policy.pk) == A.OK
    assert drift_runs() == []
    services.save_policy(trained.endpoint, owner, {"drift_features": 3}, partial=True)
    assert alarms.check(policy.pk) == A.DRIFTED
    [run] = drift_runs()
    assert run.trigger["alarm"]["threshold"] == "3 drifted features" and run.trigger["alarm"]["drifted"] >= 3


def test_too_few_rows_or_an_alarm_switched_off_start_nothing(trained, retrainer, owner) -> None:
    policy = policy_for(trained, retrainer, owner, drift_min_rows=1000)
    for seed in (8, 9):
        send(trained.endpoint, moved(trained, seed))

    too_few = alarms.check(policy.pk)
    services.save_policy(trained.endpoint, owner, {"alarm_enabled": False, "drift_min_rows": 10}, partial=True)
    off = alarms.check(policy.pk)

    assert (too_few, off) == (A.NOT_ENOUGH_DATA, A.OFF)
    assert drift_runs() == [] and not ActivityEvent.objects.filter(verb="alarmed").exists()


def test_after_a_decision_only_later_traffic_counts(trained, retrainer, owner) -> None:
    policy = policy_for(trained, retrainer, owner)
    for seed in (10, 11):
        send(trained.endpoint, moved(trained, seed))
    RetrainingPolicy.objects.filter(pk=policy.pk).update(alarm_since=timezone.now())  # as a decision does

    assert alarms.check(policy.pk) == A.NOT_ENOUGH_DATA
    for seed in (12, 13):
        send(trained.endpoint, moved(trained, seed))
    assert alarms.check(policy.pk) == A.DRIFTED
