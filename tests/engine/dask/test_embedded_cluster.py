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


def test_a_cluster_started_to_die_with_its_parent_ends_when_the_parent_is_killed(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    # given a process that starts a cluster tied to it (as the test suite's are), and prints its processes
    program = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from designer.engine.dask_cluster import start_local_cluster\n"
        f"cluster = start_local_cluster(Path({str(tmp_path)!r}), workers=1, memory_limit='300MiB', idle_timeout=None,"
        " die_with_parent=True)\n"
        "print(' '.join(str(p.pid) for p in cluster.processes), flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pids = [int(p) for p in parent.stdout.readline().split()]
    assert len(pids) == 2  # the scheduler and one worker (its nanny)

    # when that process is killed, with no chance to stop its cluster
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()

    # then the scheduler and the worker end within seconds
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids):
        assert time.monotonic() < deadline, [pid for pid in pids if _alive(pid)]
        time.sleep(0.2)


def _alive(pid: int) -> bool:
    """A process that still runs (a zombie whose parent died is reaped by init: gone too)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
