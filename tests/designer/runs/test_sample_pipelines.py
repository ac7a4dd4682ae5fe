"""Every sample pipeline, opened through the API into a fresh workspace, runs to completion on real workers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from designer.datasets.models import Dataset
from designer.pipelines.samples import SAMPLE_PIPELINES, available

from .conftest import node_status, output_table, wait_for_run

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


def _metrics(http: httpx.Client, run_id: int, port: str = "evaluation_results") -> dict[str, Any]:
    response = http.get(f"/api/runs/{run_id}/nodes/evaluate/outputs/{port}/")
    assert response.status_code == 200, response.text
    return response.json()["metrics"]


def _regression(http: httpx.Client, run_id: int) -> None:
    values = _metrics(http, run_id)["values"]
    assert 0.2 < values["Coefficient of Determination"] < 1
    assert 0 < values["Mean Absolute Error"] < 70  # the label spreads from 25 to 346


def _binary(minimum_auc: float) -> Callable[[httpx.Client, int], None]:
    def check(http: httpx.Client, run_id: int) -> None:
        metrics = _metrics(http, run_id)
        assert metrics["task"] == "binary"
        assert metrics["values"]["AUC"] > minimum_auc
        assert metrics["values"]["Accuracy"] > 0.5

    return check


def _feature_selection(http: httpx.Client, run_id: int) -> None:
    _binary(0.95)(http, run_id)
    kept = output_table(http, run_id, "select_features", "filtered_dataset")
    assert "diagnosis" in kept.columns and len(kept.columns) == 11  # 10 features and the diagnosis


def _multiclass(minimum_accuracy: float) -> Callable[[httpx.Client, int], None]:
    def check(http: httpx.Client, run_id: int) -> None:
        metrics = _metrics(http, run_id)
        assert metrics["task"] == "multiclass"
        assert metrics["values"]["Overall Accuracy"] > minimum_accuracy

    return check


def _python_script(http: httpx.Client, run_id: int) -> None:
    _multiclass(0.85)(http, run_id)
    scripted = output_table(http, run_id, "script", "result_dataset")
    assert (scripted["petal_ratio"] == scripted["petal_length_cm"] / scripted["petal_width_cm"]).all()


def _clustering(http: httpx.Client, run_id: int) -> None:
    metrics = _metrics(http, run_id)
    held_out = output_table(http, run_id, "split", "results_dataset2")
    values = metrics["values"]
    assert metrics["task"] == "clustering"
    assert values["Number of Points"] == len(held_out) > 90  # 30% of the 342 measured penguins
    assert values["Average Distance to Cluster Center"] < values["Average Distance to Other Center"]
    assigned = output_table(http, run_id, "assign", "results_dataset")
    # the clusters find the species: most penguins share a cluster with most of their species
    majority = assigned.groupby("species")["Assignments"].agg(lambda s: s.value_counts().iloc[0]).sum()
    assert majority / len(assigned) > 0.7


def _text(http: httpx.Client, run_id: int) -> None:
    # 140 training sentences carry little signal (the sample says so): check the steps, not the AUC
    metrics = _metrics(http, run_id)
    assert metrics["task"] == "binary"
    assert 0 <= metrics["values"]["AUC"] <= 1 and metrics["detail"]["rows"] == 60
    vocabulary = output_table(http, run_id, "ngrams", "result_vocabulary")
    features = output_table(http, run_id, "features", "results_dataset")
    assert len(vocabulary) > 50
    assert "review" not in features.columns and "sentiment" in features.columns
    words = [c for c in features.columns if c.startswith("Preprocessed review.[") and c != "Preprocessed review.[OOV]"]
    assert len(words) == len(vocabulary)


def _image(http: httpx.Client, run_id: int) -> None:
    # 126 training shapes, 12 epochs of a narrow ResNet on a CPU: well above chance (1/3)
    _multiclass(0.8)(http, run_id)
    scored = output_table(http, run_id, "score", "scored_dataset")
    assert len(scored) == 54 and set(scored["Label"]) == {"circle", "square", "triangle"}


def _recommendation(http: httpx.Client, run_id: int) -> None:
    values = _metrics(http, run_id, "metric")["values"]
    assert 0 < values["Mean Absolute Error"] < 0.9  # ratings 1 to 5; predicting the mean is off by about 0.85
    assert values["Root Mean Squared Error"] >= values["Mean Absolute Error"]


CHECKS: dict[str, Callable[[httpx.Client, int], None]] = {
    "regression-diabetes": _regression,
    "binary-feature-selection-breast-cancer": _feature_selection,
    "multiclass-penguins": _multiclass(0.9),
    "clustering-penguins": _clustering,
    "cross-validation-wine": _multiclass(0.9),
    "hyperparameter-tuning-breast-cancer": _binary(0.95),
    "python-script-iris": _python_script,
    "text-classification-movie-reviews": _text,
    "image-classification-shapes": _image,
    "recommendation-movie-ratings": _recommendation,
}


def test_every_sample_has_a_sanity_check() -> None:
    assert sorted(CHECKS) == sorted(s.slug for s in available())


@pytest.mark.parametrize("slug", [s.slug for s in SAMPLE_PIPELINES])
def test_the_sample_opens_into_a_fresh_workspace_and_runs_to_completion(slug, workers, server, http, lab):
    # given a fresh workspace without any dataset
    assert not Dataset.objects.filter(workspace=lab).exists()

    # when the sample is opened there through the API and submitted
    opened = http.post(f"/api/sample-pipelines/{slug}/open/", json={"workspace": lab.pk})
    assert opened.status_code == 201, opened.text
    assert opened.json()["validation"]["problems"] == []
    submitted = http.post("/api/runs/", json={"pipeline": opened.json()["id"]})
    assert submitted.status_code == 201, submitted.text
    run = wait_for_run(http, submitted.json()["id"], timeout=90)

    # then every node completed, and the results make sense for the task
    document = opened.json()["head"]["document"]
    assert run["status"] == "completed", run
    assert node_status(run) == {n["id"]: "completed" for n in document["nodes"]}
    CHECKS[slug](http, run["id"])
