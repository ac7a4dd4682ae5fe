"""The training curve of a node while it trains, read from its log over REST."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest

from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.models import NodeRun, Run
from tests.support.pipelines import train_score_evaluate

from .conftest import upload_sample

pytestmark = pytest.mark.django_db

LOG = (
    "[12:00:00] training on cpu\n"
    "[12:00:01] epoch 1, batch 10: loss 1.2000\n"
    "[12:00:02] epoch 1/5: train loss 1.1000, train accuracy 0.4000, "
    "validation loss 1.0000, validation accuracy 0.5000\n"
    "[12:00:03] epoch 2/5: train loss 0.7000, train accuracy 0.7000, "
    "validation loss 0.8000, validation accuracy 0.7500\n"
)


def curve_url(run: Run, node: str) -> str:
    return f"/api/runs/{run.pk}/nodes/{node}/training-curve/"


@pytest.fixture
def submitted_run(workspace: Any, owner: Any) -> Run:
    """A run submitted but executed by nobody: its nodes' status and log are set by the tests."""
    dataset = upload_sample(owner, workspace)
    pipeline = create_pipeline(owner, workspace, "Cancer", document=train_score_evaluate(dataset.pk, "diagnosis"))
    with mock.patch("designer.runs.services._dispatch"):
        return services.submit_run(user=owner, pipeline=pipeline)


def test_a_viewer_sees_the_curve_of_the_epochs_logged_so_far(as_viewer: Any, submitted_run: Run) -> None:
    # given a node that is running and has logged two epochs
    NodeRun.objects.filter(run=submitted_run, node_id="train").update(status=NodeRun.Status.RUNNING, log=LOG)

    # when its training curve is asked for
    response = as_viewer.get(curve_url(submitted_run, "train"))

    # then it is drawn from those two epoch lines, with the node's status
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "running"
    lines = {(t["name"], t["xaxis"]): (t["x"], t["y"]) for t in body["figures"]["training"]["data"]}
    assert lines[("train", "x")] == ([1, 2], [1.1, 0.7])
    assert lines[("validation", "x")] == ([1, 2], [1.0, 0.8])
    assert lines[("train", "x2")] == ([1, 2], [0.4, 0.7])
    assert lines[("validation", "x2")] == ([1, 2], [0.5, 0.75])


def test_a_node_without_an_epoch_line_has_no_figures(as_viewer: Any, submitted_run: Run) -> None:
    NodeRun.objects.filter(run=submitted_run, node_id="train").update(
        status=NodeRun.Status.RUNNING, log="[12:00:00] training on cpu\n[12:00:01] epoch 1, batch 10: loss 1.2000\n"
    )

    response = as_viewer.get(curve_url(submitted_run, "train"))

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "running", "figures": {}}


def test_outsiders_and_missing_nodes_get_404(as_outsider: Any, as_viewer: Any, submitted_run: Run) -> None:
    NodeRun.objects.filter(run=submitted_run, node_id="train").update(log=LOG)

    outsider = as_outsider.get(curve_url(submitted_run, "train"))
    no_node = as_viewer.get(curve_url(submitted_run, "nope"))

    assert outsider.status_code == 404
    assert outsider.json() == {"detail": f"run {submitted_run.pk} does not exist"}
    assert no_node.status_code == 404
