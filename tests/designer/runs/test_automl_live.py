"""An AutoML node's leaderboard while it runs on real workers: the rows so far at ``nodes/<node>/live/``, sent
round by round with its progress events, and only to members of the run's workspace."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from designer.pipelines.services import create_pipeline
from designer.runs.models import RunEvent
from tests.support.pipelines import document

from .conftest import output_table, submit, upload_sample, wait_for_run

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


def _doc(dataset_id: int, **params: Any) -> dict[str, Any]:
    automl = {"label_column": "diagnosis", "maximum_concurrent_trials": 2, "random_seed": 2, **params}
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("automl", "automl_classification", automl),
        ],
        ["data.dataset -> automl.training_dataset"],
    )


def _trials(live: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted((row for key, row in live.items() if key != "search"), key=lambda row: row["trial"])


def test_a_running_automl_node_exposes_its_leaderboard_rows_so_far(workers, server, http, ada, lab, outsider):
    dataset = upload_sample(ada, lab)
    params = {"maximum_number_of_trials": 1000, "allowed_algorithms": ["Logistic regression"]}
    pipeline = create_pipeline(ada, lab, "Long AutoML", document=_doc(dataset.pk, **params))
    run = submit(http, pipeline.pk)
    url = f"/api/runs/{run['id']}/nodes/automl/live/"
    deadline = time.monotonic() + 90
    while True:  # two rounds of two trials have finished, the search goes on
        body = http.get(url).json()
        done = [row for row in _trials(body["live"]) if row["status"] == "completed"]
        if len(done) >= 4:
            break
        assert time.monotonic() < deadline, body
        time.sleep(0.3)

    assert body["status"] == "running"
    assert body["live"]["search"] == {"metric": "AUC", "higher_is_better": True, "budget": 1000}
    first = done[0]
    assert first["trial"] == 1
    assert first["algorithm"] == "Logistic regression"
    assert set(first["settings"]) == {"l1_regularization_weight", "l2_regularization_weight"}
    assert 0.9 < first["value"] <= 1.0
    assert first["value"] == first["metrics"]["AUC"]
    assert first["duration_s"] > 0
    assert first["worker"] != ""
    assert [row["trial"] for row in done[:4]] == [1, 2, 3, 4]
    assert APIClient().get(url).status_code in (401, 403)
    stranger = APIClient()
    stranger.force_authenticate(outsider)
    assert stranger.get(url).status_code == 404
    assert http.get(f"/api/runs/{run['id']}/nodes/nope/live/").status_code == 404

    assert http.post(f"/api/runs/{run['id']}/cancel/").status_code == 200
    wait_for_run(http, run["id"], timeout=30)


def test_progress_events_carry_each_round_and_the_finished_node_keeps_every_row(workers, server, http, ada, lab):
    dataset = upload_sample(ada, lab)
    pipeline = create_pipeline(ada, lab, "AutoML", document=_doc(dataset.pk, maximum_number_of_trials=6))

    done = wait_for_run(http, submit(http, pipeline.pk)["id"], timeout=180)

    assert done["status"] == "completed", done
    live = http.get(f"/api/runs/{done['id']}/nodes/automl/live/").json()["live"]
    board = output_table(http, done["id"], "automl", "leaderboard").sort_values("Trial")
    trials = _trials(live)
    assert [row["trial"] for row in trials] == board["Trial"].tolist() == [1, 2, 3, 4, 5, 6]
    assert [row["algorithm"] for row in trials] == board["Algorithm"].tolist()
    assert [row["status"] for row in trials] == board["Status"].tolist()
    assert [row["worker"] for row in trials] == board["Worker"].tolist()
    # The events, replayed in order, rebuild the same records. (How many events carry them depends on the
    # heartbeat: a quick search can finish both rounds within one; rows arriving mid-run are checked above.)
    events = RunEvent.objects.filter(run_id=done["id"], type="node_progress").order_by("id")
    replayed: dict[str, Any] = {}
    carrying = 0
    for event in events:
        detail = event.payload.get("detail") or {}
        carrying += bool(detail)
        replayed.update(detail)
    assert replayed == live
    assert carrying >= 1
