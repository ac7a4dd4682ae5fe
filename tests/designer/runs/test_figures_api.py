"""Figures of run outputs over REST: evaluation charts, one table column's distribution, and the 4xx cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.models import Run
from tests.support.pipelines import train_score_evaluate

from .conftest import drain, upload_sample

pytestmark = pytest.mark.django_db


def figures_url(run: Run, node: str, port: str) -> str:
    return f"/api/runs/{run.pk}/nodes/{node}/outputs/{port}/figures/"


@pytest.fixture
def binary_run(workspace: Any, owner: Any) -> Run:
    """Breast cancer: split, two-class logistic regression, train, score, evaluate; finished in-process."""
    dataset = upload_sample(owner, workspace)
    pipeline = create_pipeline(owner, workspace, "Cancer", document=train_score_evaluate(dataset.pk, "diagnosis"))
    run = drain(services.submit_run(user=owner, pipeline=pipeline))
    assert run.status == Run.Status.COMPLETED, run.error
    return run


@pytest.fixture
def regression_run(workspace: Any, owner: Any) -> Run:
    """Diabetes progression with linear regression in place of the two-class learner."""
    dataset = upload_sample(owner, workspace, "Diabetes progression")
    doc = train_score_evaluate(dataset.pk, "disease_progression")
    doc["nodes"][2].update(module="linear_regression", params={})
    pipeline = create_pipeline(owner, workspace, "Diabetes", document=doc)
    run = drain(services.submit_run(user=owner, pipeline=pipeline))
    assert run.status == Run.Status.COMPLETED, run.error
    return run


def test_a_viewer_gets_the_charts_of_a_two_class_evaluation(as_viewer: Any, binary_run: Run) -> None:
    # given the evaluation output as the inspector reads it
    output = as_viewer.get(f"/api/runs/{binary_run.pk}/nodes/evaluate/outputs/evaluation_results/").json()
    detail = output["metrics"]["detail"]

    # when its figures are asked for
    response = as_viewer.get(figures_url(binary_run, "evaluate", "evaluation_results"))

    # then there are the five two-class charts, drawn from that same output
    assert response.status_code == 200, response.content
    figures = response.json()["figures"]
    assert list(figures) == ["roc", "precision_recall", "confusion_matrix", "threshold", "lift"]
    # the single model's traces are named by its learner
    roc = next(t for t in figures["roc"]["data"] if t["name"] == "Two-Class Logistic Regression")
    assert (roc["x"], roc["y"]) == (detail["roc_curve"]["fpr"], detail["roc_curve"]["tpr"])
    assert f"AUC {output['metrics']['values']['AUC']:.3f}" in figures["roc"]["layout"]["title"]["text"]
    [heat] = figures["confusion_matrix"]["data"]
    assert heat["type"] == "heatmap"
    assert heat["z"] == detail["confusion_matrix"]["matrix"]
    assert heat["x"] == ["benign", "malignant"]


def test_a_regression_evaluation_has_predicted_vs_actual_and_residuals(as_viewer: Any, regression_run: Run) -> None:
    response = as_viewer.get(figures_url(regression_run, "evaluate", "evaluation_results"))

    assert response.status_code == 200, response.content
    figures = response.json()["figures"]
    assert list(figures) == ["predicted_vs_actual", "residuals"]
    assert [t["type"] for t in figures["residuals"]["data"]] == ["scatter", "bar"]


def test_a_table_column_is_drawn_as_a_histogram_of_its_values(as_viewer: Any, binary_run: Run) -> None:
    # given the scored table, read whole through the output endpoint
    page = as_viewer.get(f"/api/runs/{binary_run.pk}/nodes/score/outputs/scored_dataset/", {"limit": 1000}).json()[
        "table"
    ]
    radius = [row[[c["name"] for c in page["columns"]].index("mean_radius")] for row in page["rows"]]

    # when one numeric column's figure is asked for with 12 bins
    response = as_viewer.get(figures_url(binary_run, "score", "scored_dataset"), {"column": "mean_radius", "bins": 12})

    # then it is the histogram NumPy computes over that column
    assert response.status_code == 200, response.content
    [bars] = response.json()["figures"]["column"]["data"]
    assert bars["type"] == "bar"
    assert bars["y"] == np.histogram(radius, bins=12)[0].tolist()


def test_a_text_column_is_drawn_as_bars_of_its_values(as_viewer: Any, binary_run: Run) -> None:
    response = as_viewer.get(figures_url(binary_run, "score", "scored_dataset"), {"column": "Scored Labels"})

    assert response.status_code == 200, response.content
    [bars] = response.json()["figures"]["column"]["data"]
    assert bars["orientation"] == "h"
    assert sorted(bars["y"]) == ["benign", "malignant"]
    assert sum(bars["x"]) == binary_run.nodes.get(node_id="score").outputs["scored_dataset"]["summary"]["rows"]


def test_a_table_without_a_column_is_400_listing_the_columns(as_viewer: Any, binary_run: Run) -> None:
    response = as_viewer.get(figures_url(binary_run, "score", "scored_dataset"))

    assert response.status_code == 400
    [message] = response.json()["fields"]["column"]
    assert message.startswith("name the column to draw with ?column= (available: mean_radius, ")
    assert "Scored Probabilities" in message


def test_an_unknown_column_is_400_naming_it_and_the_available_ones(as_viewer: Any, binary_run: Run) -> None:
    response = as_viewer.get(figures_url(binary_run, "score", "scored_dataset"), {"column": "radius"})

    assert response.status_code == 400
    [message] = response.json()["fields"]["column"]
    assert message.startswith("no column 'radius' (available: mean_radius, ")


def test_a_model_output_has_no_figures(as_viewer: Any, binary_run: Run) -> None:
    response = as_viewer.get(figures_url(binary_run, "train", "trained_model"))

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "port": ["output 'trained_model' is a trained model; figures exist for tables and metrics"]
    }


@pytest.mark.parametrize("query", [{"bins": 0}, {"bins": "many"}, {"top": 1000}])
def test_bad_bins_or_top_are_400_naming_the_parameter(as_viewer: Any, binary_run: Run, query: dict) -> None:
    response = as_viewer.get(figures_url(binary_run, "score", "scored_dataset"), {"column": "mean_radius", **query})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == list(query)


def test_unknown_nodes_and_ports_are_404_with_the_reason(as_viewer: Any, binary_run: Run) -> None:
    no_node = as_viewer.get(figures_url(binary_run, "ghost", "evaluation_results"))
    no_port = as_viewer.get(figures_url(binary_run, "evaluate", "nope"))

    assert no_node.status_code == 404
    assert no_node.json() == {"detail": f"run {binary_run.pk} has no node 'ghost'"}
    assert no_port.status_code == 404
    assert no_port.json() == {"detail": "node 'evaluate' has no output 'nope' (available: evaluation_results)"}


def test_outsiders_and_anonymous_callers_see_nothing(as_outsider: Any, api: Any, binary_run: Run) -> None:
    url = figures_url(binary_run, "evaluate", "evaluation_results")

    outsider = as_outsider.get(url)
    anonymous = api(None).get(url)

    assert outsider.status_code == 404
    assert outsider.json() == {"detail": f"run {binary_run.pk} does not exist"}
    assert anonymous.status_code in (401, 403)
    assert "figures" not in anonymous.json()
