"""Drift of recent scoring inputs against the training rows the endpoint was derived from."""

from __future__ import annotations

from typing import Any

import pytest

from designer.endpoints.models import EndpointSample

from .test_api import as_json_rows, caller, post_json, rows_of

pytestmark = pytest.mark.django_db


def send(live: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    response = post_json(
        caller(live["keys"]["primary"]), "/endpoints/cancer/score", {"Inputs": {"WebServiceInput0": rows}}
    )
    assert response.status_code == 200, response.content


def report(client: Any, live: dict[str, Any]) -> dict[str, Any]:
    response = client.get(f"/api/endpoints/{live['id']}/drift/?minutes=60")
    assert response.status_code == 200, response.content
    return response.json()["inputs"][0]


def test_inputs_like_the_training_data_do_not_drift_and_a_shifted_feature_does(live, trained_run, as_viewer):
    # a random draw of the training rows (the file's first rows are mostly one class: that is drift)
    same = rows_of(trained_run.dataset, 0, 569).sample(90, random_state=3).reset_index(drop=True)
    column = same.columns[0]
    spread = float(same[column].std())

    send(live, as_json_rows(same))
    calm = report(as_viewer, live)
    every = rows_of(trained_run.dataset, 0, 569)
    for seed in (5, 6):  # two fresh draws, with one feature moved by four standard deviations
        shifted = every.sample(90, random_state=seed).reset_index(drop=True)
        shifted[column] = shifted[column] + 4 * spread
        send(live, as_json_rows(shifted))
    moved = report(as_viewer, live)

    assert EndpointSample.objects.count() == 3  # 90 rows each, under the 100-row cap
    assert calm["measured"] == 30 and calm["recent_rows"] == 90
    assert calm["dataset_drifted"] is False
    assert calm["drifted"] < 15
    first = moved["features"][0]
    assert (first["column"], first["drifted"], first["test"]) == (column, True, "Kolmogorov-Smirnov")
    assert first["p_value"] < 1e-6 and first["distance"] > 1.0
    assert moved["dataset_drifted"] is False
    assert moved["figure"]["data"][0]["orientation"] == "h"


def test_when_every_feature_moves_the_dataset_drifts(live, trained_run, as_viewer):
    rows = rows_of(trained_run.dataset, 0, 569).sample(60, random_state=4).reset_index(drop=True)
    moved = rows + 3 * rows.std()

    send(live, as_json_rows(moved))
    result = report(as_viewer, live)

    assert result["dataset_drifted"] is True
    assert result["drifted"] * 2 >= result["measured"]


def test_too_few_recent_rows_are_reported_not_judged(live, as_viewer):
    send(live, live["example"]["Inputs"]["WebServiceInput0"])

    result = report(as_viewer, live)

    assert result["measured"] == 0 and result["dataset_drifted"] is False
    assert "not enough data" in result["features"][0]["note"]
