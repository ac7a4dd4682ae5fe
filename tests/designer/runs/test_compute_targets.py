"""Compute targets on real processes: a node that names a Dask target runs partition-parallel on a real cluster
(scheduler + 2 worker processes) from a Celery worker listening on that target's queue; the same pipeline
without the choice reuses its outputs (the cache key does not depend on the path), and regenerated on the
pandas path gives the same tables."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from designer.api import Unprocessable
from designer.artifacts import artifact_store
from designer.datasets.services import create_dataset
from designer.engine.compute import parse_targets
from designer.engine.execute import load_output
from designer.pipelines.services import create_pipeline
from designer.runs.models import Run
from designer.runs.services import submit_run
from tests.support.dask_cluster import local_cluster
from tests.support.pipelines import document
from tests.support.processes import Worker

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]

QUEUE = "dask-test"
X = {"start": "none", "rules": [{"op": "include", "names": ["x"]}]}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with local_cluster(tmp_path_factory.mktemp("dask")) as c:
        yield c


def _declared(address: str) -> list[dict[str, Any]]:
    return [
        {"name": "cpu", "dask": None},
        {"name": "big", "queue": QUEUE, "dask": address, "path": "dask", "partition_rows": 5},
    ]


@pytest.fixture
def dask_worker(cluster: Any, settings: Any, workers: Any) -> Iterator[Worker]:
    """A Celery worker on the Dask target's queue; this process (which submits) knows the same targets."""
    declared = _declared(cluster.address)
    settings.TESSERA_COMPUTE_TARGETS = parse_targets(declared)
    worker = Worker("dask", queues=QUEUE, TESSERA_COMPUTE_TARGETS=json.dumps(declared))
    worker.wait_ready()
    try:
        yield worker
    finally:
        worker.stop()


def _csv(n: int = 40) -> bytes:
    rng = np.random.default_rng(5)
    x = rng.normal(size=n).round(3)
    lines = ["x,y,group"] + [f"{'' if i % 6 == 0 else x[i]},{i * 0.5},{'ab'[i % 2]}" for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def _document(dataset_id: int, compute: str | None) -> dict[str, Any]:
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id, "version": None}}),
            ("clean", "clean_missing_data", {"cleaning_mode": "Replace with mean", "columns": X}),
            ("norm", "normalize_data", {}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.6, "random_seed": 7}),
        ],
        [
            "data.dataset -> clean.dataset",
            "clean.cleaned_dataset -> norm.dataset",
            "norm.transformed_dataset -> split.dataset",
        ],
    )
    if compute is not None:
        for node in doc["nodes"][1:]:
            node["compute"] = compute
    return doc


def _wait(run: Run, timeout: float = 120) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_terminal:
            return run
        time.sleep(0.2)
    raise TimeoutError(f"run {run.pk} did not end: {[(n.node_id, n.status) for n in run.nodes.all()]}")


def _table(run: Run, node: str, port: str) -> pd.DataFrame:
    output = run.nodes.get(node_id=node).outputs[port]
    return load_output(artifact_store(), output["type"], output["digest"]).df


def test_a_node_on_a_dask_target_runs_on_the_cluster_and_gives_what_pandas_gives(dask_worker, ada, lab) -> None:
    # given a pipeline whose transformations name the Dask target
    data = create_dataset(ada, lab, "Numbers", SimpleUploadedFile("n.csv", _csv(), "text/csv"))
    on_dask = create_pipeline(ada, lab, "On Dask", document=_document(data.pk, "big"))

    # when it runs
    run = _wait(submit_run(user=ada, pipeline=on_dask))

    # then every node completed, the transformations on the Dask target's queue and partition-parallel
    nodes = {n.node_id: n for n in run.nodes.all()}
    assert run.status == "completed", {k: (n.status, n.error) for k, n in nodes.items()}
    assert {k: n.queue for k, n in nodes.items()} == {"data": "cpu", "clean": QUEUE, "norm": QUEUE, "split": QUEUE}
    assert all("running partition-parallel on compute target 'big'" in nodes[k].log for k in ("clean", "norm", "split"))
    assert "partition-parallel" not in nodes["data"].log
    # and each node's record says where it ran, as its panel shows it
    assert nodes["data"].compute == {"target": "cpu", "path": "pandas"}
    for k in ("clean", "norm", "split"):
        where = nodes[k].compute
        assert (where["target"], where["path"], where["scheduler"]) == ("big", "dask", dask_worker_address(nodes[k]))
        assert where["partitions"] == 8  # 40 rows in partitions of 5
        assert "dashboard" in where

    # when the same pipeline without the choice runs, then its nodes are reused: the keys are the same
    plain = create_pipeline(ada, lab, "Plain", document=_document(data.pk, None))
    reused = _wait(submit_run(user=ada, pipeline=plain))
    assert {n.node_id: n.status for n in reused.nodes.all()} == dict.fromkeys(
        ["data", "clean", "norm", "split"], "reused"
    )

    # and regenerated on the pandas path (the default target has no cluster here), the tables are the same
    again = _wait(submit_run(user=ada, pipeline=plain, regenerate=["clean", "norm", "split"]))
    assert again.status == "completed"
    assert "partition-parallel" not in again.nodes.get(node_id="split").log
    for node, port in (("clean", "cleaned_dataset"), ("norm", "transformed_dataset"), ("split", "results_dataset1")):
        pd.testing.assert_frame_equal(_table(run, node, port), _table(again, node, port), rtol=1e-12)


def dask_worker_address(node: Any) -> str:
    """The scheduler address the node's log names (the cluster the test started)."""
    line = next(x for x in node.log.splitlines() if "running partition-parallel" in x)
    return line.split("(", 1)[1].split(";", 1)[0]


def test_a_module_without_a_dask_path_on_the_dask_target_fails_naming_itself_and_the_size(
    dask_worker, ada, lab
) -> None:
    # given Clip Values (no partition-parallel path) on the target whose path is dask
    data = create_dataset(ada, lab, "Numbers", SimpleUploadedFile("n.csv", _csv(), "text/csv"))
    doc = document(
        [("data", "dataset", {"dataset": {"dataset_id": data.pk, "version": None}}), ("clip", "clip_values", {})],
        ["data.dataset -> clip.dataset"],
    )
    doc["nodes"][1]["compute"] = "big"
    pipeline = create_pipeline(ada, lab, "Clip on Dask", document=doc)

    # when it runs
    run = _wait(submit_run(user=ada, pipeline=pipeline))

    # then the node failed with a message naming the module and the size, suggesting Partition and Sample
    clip = run.nodes.get(node_id="clip")
    assert (run.status, clip.status, clip.error["code"], clip.error["port"]) == (
        "failed",
        "failed",
        "input_too_large",
        "dataset",
    )
    assert "Clip Values" in clip.error["message"] and "bytes) of Parquet" in clip.error["message"]
    assert "Partition and Sample" in clip.error["message"]
    assert clip.compute == {"target": "big"}  # refused before it ran either way


def test_a_node_naming_an_undeclared_target_is_refused_and_nothing_runs(settings, ada, lab) -> None:
    settings.TESSERA_COMPUTE_TARGETS = parse_targets([{"name": "cpu", "dask": None}])
    data = create_dataset(ada, lab, "Numbers", SimpleUploadedFile("n.csv", _csv(), "text/csv"))
    pipeline = create_pipeline(ada, lab, "Elsewhere", document=_document(data.pk, "gpu-cluster"))

    with pytest.raises(Unprocessable) as refused:
        submit_run(user=ada, pipeline=pipeline)

    found = [(p["node"], p["code"]) for p in refused.value.problems]
    assert found == [(n, "unknown_compute") for n in ("clean", "norm", "split")]
    assert Run.objects.count() == 0


def test_the_catalogue_lists_the_compute_targets(http) -> None:
    body = http.get("/api/compute-targets/").json()
    assert [t["name"] for t in body] == ["default"]
    assert body[0]["cluster"] == "local" and body[0]["path"] == "auto" and body[0]["queue"] == "cpu"
    modules = {m["id"]: m for m in http.get("/api/modules/").json()}
    assert modules["normalize_data"]["partition_parallel"] is True
    assert modules["two_class_logistic_regression"]["partition_parallel"] is False
