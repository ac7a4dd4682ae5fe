"""AutoML's trials as parts on two real Celery workers: spread over both, the same leaderboard as in one process,
and a cancelled search stops every trial."""

from __future__ import annotations

import time
from typing import Any

import pytest

from designer.artifacts import artifact_store
from designer.pipelines.services import create_pipeline
from designer.runs.models import NodePart
from modules.sdk import LocalContext, Table, default_registry
from tests.support.pipelines import document

from .conftest import node_status, output_table, submit, upload_sample, wait_for_run

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]
P = NodePart.Status
AUTOML = {
    "label_column": "diagnosis",
    "maximum_number_of_trials": 8,
    "maximum_concurrent_trials": 4,
    "random_seed": 2,
}


def _doc(dataset_id: int, **params: Any) -> dict[str, Any]:
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("automl", "automl_classification", {**AUTOML, **params}),
        ],
        ["data.dataset -> automl.training_dataset"],
    )


def _parts(run_id: int) -> list[NodePart]:
    return list(NodePart.objects.filter(node_run__run_id=run_id, node_run__node_id="automl").order_by("index"))


def test_trials_run_on_both_workers_and_give_the_leaderboard_of_one_process(workers, server, http, ada, lab):
    dataset = upload_sample(ada, lab)
    pipeline = create_pipeline(ada, lab, "AutoML", document=_doc(dataset.pk))

    done = wait_for_run(http, submit(http, pipeline.pk)["id"], timeout=180)

    assert done["status"] == "completed", done
    board = output_table(http, done["id"], "automl", "leaderboard")
    assert len(board) == 8
    assert board["Worker"].nunique() == 2, board["Worker"].tolist()
    parts = NodePart.objects.filter(node_run__run_id=done["id"])
    assert len({p.worker for p in parts}) == 2
    version = dataset.versions.order_by("-version").first()
    table = Table.deserialize(artifact_store().get(version.digest))
    module = default_registry().get("automl_classification")
    alone = module().run({"training_dataset": table}, module.parse_params(AUTOML), LocalContext())["leaderboard"].df
    columns = ["Trial", "Algorithm", "Hyperparameters", "AUC", "Accuracy", "Status"]
    assert board[columns].to_dict("records") == alone[columns].to_dict("records")


def test_cancelling_the_search_stops_every_trial_within_seconds(workers, server, http, ada, lab):
    dataset = upload_sample(ada, lab)
    params = {
        "maximum_number_of_trials": 1000,
        "maximum_concurrent_trials": 2,
        "allowed_algorithms": ["Neural network"],
    }
    pipeline = create_pipeline(ada, lab, "Long AutoML", document=_doc(dataset.pk, **params))
    run = submit(http, pipeline.pk)
    deadline = time.monotonic() + 60
    while not any(p.status == P.DONE for p in _parts(run["id"])):  # the search is under way
        assert time.monotonic() < deadline, "no trial finished"
        time.sleep(0.2)

    cancelled_at = time.monotonic()
    assert http.post(f"/api/runs/{run['id']}/cancel/").status_code == 200
    done = wait_for_run(http, run["id"], timeout=15)

    assert node_status(done) == {"data": "completed", "automl": "cancelled"}
    while any(p.status in (P.WAITING, P.PENDING, P.RUNNING) for p in _parts(run["id"])):
        assert time.monotonic() - cancelled_at < 10, [p.status for p in _parts(run["id"])]
        time.sleep(0.2)
    assert len(_parts(run["id"])) < 1000
