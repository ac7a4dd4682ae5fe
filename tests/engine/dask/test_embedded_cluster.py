"""The embedded default: a local cluster a worker starts on its own host when a node first needs one, shared
by every process on the host (the scheduler file under the compute folder), started once."""

from __future__ import annotations

import json
from pathlib import Path

from designer.engine.compute import ComputeTarget
from designer.engine.dask_cluster import client_for, embedded_cluster


def test_the_embedded_cluster_starts_once_with_its_workers_and_is_reused(tmp_path: Path) -> None:
    # given a local target and no cluster yet
    target = ComputeTarget("embedded", dask="local", workers=2, memory_limit="300MiB")

    # when a client is asked for twice, and the cluster's address once more as another process would
    client = client_for(target, tmp_path)
    try:
        again = client_for(target, tmp_path)
        address = embedded_cluster(target, tmp_path)

        # then one cluster answers all three, with the declared workers and memory limit each
        assert again is client
        assert address == client.scheduler.address
        workers = client.scheduler_info(n_workers=-1)["workers"].values()
        assert len(workers) == 2
        assert {w["memory_limit"] for w in workers} == {300 * 2**20}
        scheduler_file = tmp_path / "dask-embedded" / "scheduler.json"
        assert json.loads(scheduler_file.read_text())["address"] == address
        assert client.submit(sum, [1, 2, 3]).result() == 6
    finally:
        client.shutdown()  # the scheduler and its workers end; in a worker they stop after 10 idle minutes
