"""A node's parts (``ctx.map``) spread over real Celery workers: Tune Model Hyperparameters' trials and a test module.

Two solo-pool workers serve the ``cpu`` queue; the node's own worker runs parts too.
"""

from __future__ import annotations

import io
import time
from typing import Any

import pandas as pd
import pytest

from designer.datasets.models import Dataset
from designer.engine.graph import parse_graph
from designer.pipelines.services import create_pipeline
from designer.runs.models import NodePart, NodeRun
from modules.sdk import LocalContext, Table, default_registry
from tests.support.pipelines import document

from .conftest import node_status, output_table, submit, upload_sample, wait_for_run

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]
P = NodePart.Status


def _parts(run_id: int, node: str) -> list[NodePart]:
    return list(NodePart.objects.filter(node_run__run_id=run_id, node_run__node_id=node).order_by("index"))


def _wait(condition: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise TimeoutError(f"{what} after {timeout} s")


def _split(**params: Any) -> dict[str, Any]:
    return document([("split", "test_split_sleep", params)], [])


def test_the_parts_of_a_node_run_on_both_workers_and_come_back_in_order(workers, server, http, ada, lab):
    pipeline = create_pipeline(ada, lab, "Parts", document=_split(parts=6, seconds=0.6))

    done = wait_for_run(http, submit(http, pipeline.pk)["id"], timeout=60)

    assert done["status"] == "completed", done
    result = output_table(http, done["id"], "split", "result")
    assert result["part"].tolist() == [1, 2, 3, 4, 5, 6]
    assert result["square"].tolist() == [1, 4, 9, 16, 25, 36]
    worker_pids = {w.proc.pid for w in workers.workers}
    assert set(result["pid"]) == worker_pids  # both worker processes ran parts
    parts = _parts(done["id"], "split")
    assert [p.status for p in parts] == [P.DONE] * 6
    assert len({p.worker for p in parts}) == 2
    log = NodeRun.objects.get(run_id=done["id"], node_id="split").log
    assert "6 parts offered to every worker on the 'cpu' queue" in log
    assert "done on this worker" in log  # the node's own worker took parts
    node_pid = workers.by_hostname(done["nodes"][0]["worker"]).proc.pid
    remote = next(p for p in parts if not p.worker.endswith(f":{node_pid}"))
    assert f"part {remote.index + 1} done on {remote.worker}" in log
    assert f"[part {remote.index + 1}]" in log and f"part {remote.index + 1} slept" in log  # its own log came along
    # and the run's API says how the parts spread, as the node panel shows it
    spread = done["nodes"][0]["spread"]
    assert spread["what"] == "part" and spread["parts"] == 6
    assert spread["workers"] == {w: sum(p.worker == w for p in parts) for w in {p.worker for p in parts}}
    assert spread["node_worker"].endswith(f":{node_pid}")


def test_a_failing_part_fails_the_node_with_the_modules_own_error(workers, server, http, ada, lab):
    pipeline = create_pipeline(ada, lab, "Failing part", document=_split(parts=6, seconds=0.3, fail_part=5))

    done = wait_for_run(http, submit(http, pipeline.pk)["id"], timeout=60)

    assert done["status"] == "failed"
    error = done["nodes"][0]["error"]
    assert error["code"] == "module_error"
    assert error["param"] == "fail_part"
    assert error["node"] == "split"
    assert "part 5 fails on purpose" in error["message"]
    parts = _parts(done["id"], "split")
    assert parts[4].status == P.FAILED
    assert all(p.status in (P.DONE, P.CANCELLED, P.FAILED) for p in parts)  # nothing left pending or running


def test_a_part_whose_worker_dies_runs_again_on_the_nodes_worker(workers, server, http, ada, lab, settings):
    pipeline = create_pipeline(ada, lab, "Dying part", document=_split(parts=2, seconds=4))
    run = submit(http, pipeline.pk)

    # when the worker running a part (not the node's worker) is killed outright
    def remote_running() -> NodePart | None:  # a part another worker runs is the one with a heartbeat
        return next((p for p in _parts(run["id"], "split") if p.status == P.RUNNING and p.heartbeat_at), None)

    part = _wait(remote_running, 30, "no part ran on the other worker")
    pid = int(part.worker.rsplit(":", 1)[1])
    victim = next(w for w in workers.workers if w.proc.pid == pid)
    victim.kill()

    # then the node's worker notices the silence, runs the part itself, and the node completes
    done = wait_for_run(http, run["id"], timeout=settings.TESSERA_STALE_AFTER_SECONDS + 30)
    assert done["status"] == "completed", done
    assert done["nodes"][0]["attempt"] == 1  # the node itself was not retried
    again = NodePart.objects.get(pk=part.pk)
    assert again.status == P.DONE
    assert again.worker != part.worker
    log = NodeRun.objects.get(run_id=run["id"], node_id="split").log
    assert f"part {part.index + 1}: worker {part.worker} stopped responding; it runs again" in log
    assert output_table(http, done["id"], "split", "result")["square"].tolist() == [1, 4]


def test_cancelling_the_run_stops_parts_on_other_workers(workers, server, http, ada, lab):
    pipeline = create_pipeline(ada, lab, "Cancelled parts", document=_split(parts=2, seconds=120))
    run = submit(http, pipeline.pk)
    _wait(
        lambda: (
            [p for p in _parts(run["id"], "split") if p.status == P.RUNNING] == _parts(run["id"], "split")
            and len(_parts(run["id"], "split")) == 2
        ),
        30,
        "both parts did not start",
    )

    assert http.post(f"/api/runs/{run['id']}/cancel/").status_code == 200

    _wait(
        lambda: all(p.status == P.CANCELLED for p in _parts(run["id"], "split")),
        10,
        "the parts did not stop",
    )
    done = wait_for_run(http, run["id"], timeout=10)
    assert node_status(done) == {"split": "cancelled"}
    # both workers are free again: a new run's parts start at once
    quick = create_pipeline(ada, lab, "After cancel", document=_split(parts=2, seconds=0))
    assert wait_for_run(http, submit(http, quick.pk)["id"], timeout=30)["status"] == "completed"


def test_tuning_spreads_its_trials_and_matches_a_sweep_run_in_one_process(workers, server, http, ada, lab):
    dataset = upload_sample(ada, lab)
    tune = {
        "specify_parameter_sweeping_mode": "Entire grid",
        "label_column": "diagnosis",
        "metric_for_measuring_performance_for_classification": "AUC",
        "number_of_cross_validation_folds": 3,
    }
    forest = {
        "create_trainer_mode": "Parameter Range",
        "range_for_number_of_decision_trees": [8, 16],
        "range_for_maximum_depth_of_the_decision_trees": [2, 4, 8],
        "range_for_minimum_number_of_samples_per_leaf_node": [1],
    }
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset.pk}}),
            ("learner", "two_class_decision_forest", forest),
            ("tune", "tune_model_hyperparameters", tune),
        ],
        ["data.dataset -> tune.training_dataset", "learner.untrained_model -> tune.untrained_model"],
    )
    pipeline = create_pipeline(ada, lab, "Tuning", document=doc)

    done = wait_for_run(http, submit(http, pipeline.pk)["id"], timeout=120)

    assert done["status"] == "completed", done
    parts = _parts(done["id"], "tune")
    assert len(parts) == 6 and all(p.status == P.DONE for p in parts)
    assert len({p.worker for p in parts}) == 2, [p.worker for p in parts]
    on_workers = output_table(http, done["id"], "tune", "sweep_results")
    in_one_process = _sweep_in_process(dataset, doc)
    pd.testing.assert_frame_equal(on_workers, in_one_process, check_dtype=False)


def _sweep_in_process(dataset: Dataset, doc: dict[str, Any]) -> pd.DataFrame:
    """The same sweep run by the module in this process (``LocalContext``: parts in turn)."""
    from designer.artifacts import artifact_store

    registry = default_registry()
    graph = parse_graph(doc)
    version = dataset.versions.order_by("-version").first()
    table = Table.deserialize(artifact_store().get(version.digest))
    ctx = LocalContext()
    learner_node, tune_node = graph.nodes["learner"], graph.nodes["tune"]
    learner_cls = registry.get(learner_node.module)
    learner = learner_cls().run({}, learner_cls.parse_params(learner_node.params), ctx)["untrained_model"]
    tune_cls = registry.get(tune_node.module)
    out = tune_cls().run(
        {"untrained_model": learner, "training_dataset": table}, tune_cls.parse_params(tune_node.params), ctx
    )
    buffer = io.StringIO()
    out["sweep_results"].df.to_csv(buffer, index=False)
    buffer.seek(0)
    return pd.read_csv(buffer)
