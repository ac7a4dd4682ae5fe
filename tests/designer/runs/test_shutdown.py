"""A worker asked to stop (SIGTERM) mid-node exits within the stated bound, and the node runs again elsewhere.

Real processes: the worker stopped is started as ``make start`` and compose start theirs (prefork, two
children) or as the test pool's are (solo); the node is then retried by a worker of the test pool.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from designer.pipelines.services import create_pipeline
from designer.runs import tasks
from designer.runs.models import NodeRun
from tests.support.pipelines import document
from tests.support.processes import Worker

from .conftest import node_status, submit, wait_for_run, wait_node

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]

GRACE = 1.0  # TESSERA_SHUTDOWN_GRACE_SECONDS of the worker stopped
#: What the product promises (README): a worker exits within the grace period plus RELEASE_SECONDS.
BOUND = GRACE + tasks.RELEASE_SECONDS
MARGIN = 5.0  # signal delivery and interpreter exit on a loaded 2-core machine
NODE_SECONDS = 20.0  # far longer than the bound: a worker that waited for the node would overrun it


@pytest.mark.parametrize(
    ("pool", "to", "caught"),
    [
        ("prefork", "process", False),
        ("prefork", "process group", False),
        # the pool child's SystemExit turned into an error by the code it interrupted: not a failure
        ("prefork", "process group", True),
        ("solo", "process", False),
    ],
    ids=["prefork-sigterm-main", "prefork-sigterm-group", "prefork-sigterm-group-caught", "solo-sigterm"],
)
def test_a_worker_stopped_mid_node_exits_within_the_bound_and_the_node_completes_on_another(
    pool, to, caught, workers, server, http, ada, lab, tmp_path
):
    # given one worker, alone, running a long node
    workers.stop()
    victim = Worker(
        f"stopped-{pool}-{to.replace(' ', '-')}{'-caught' if caught else ''}",
        pool=pool,
        concurrency=2 if pool == "prefork" else 1,
        TESSERA_SHUTDOWN_GRACE_SECONDS=str(GRACE),
    )
    try:
        victim.wait_ready()
        doc = document(
            [
                # the retry (attempt 2) finds the file its first attempt created, and does not sleep again
                (
                    "slow",
                    "test_sleep",
                    {"seconds": NODE_SECONDS, "once": str(tmp_path / "slept"), "exit_as_error": caught},
                ),
                ("next", "test_sleep", {"seconds": 0}),
            ],
            ["slow.result -> next.dataset"],
        )
        pipeline = create_pipeline(ada, lab, "Stopped", document=doc)
        run = submit(http, pipeline.pk)
        node = wait_node(http, run["id"], "slow", "running", timeout=60)
        assert node["worker"] == victim.hostname
        if caught:  # inside the module's loop, not still preparing the node
            deadline = time.monotonic() + 30
            while not NodeRun.objects.get(run_id=run["id"], node_id="slow").progress:
                assert time.monotonic() < deadline, "the node never reported progress"
                time.sleep(0.1)

        # when it is asked to stop: SIGTERM to its main process (docker stop, scripts/start's trap) or to
        # its whole process group (systemd, a terminal)
        if to == "process":
            os.kill(victim.proc.pid, signal.SIGTERM)
        else:
            os.killpg(victim.proc.pid, signal.SIGTERM)

        # then it exits within the bound, without waiting for the node
        try:
            victim.proc.wait(timeout=BOUND + MARGIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"worker still running {BOUND + MARGIN} s after SIGTERM: {victim.log_path}")
        stopped = NodeRun.objects.get(run_id=run["id"], node_id="slow")
        # handed back, not left running nor failed
        assert (stopped.status, stopped.attempt) == (NodeRun.Status.QUEUED, 2), (stopped.error, victim.log_path)
        assert stopped.reason == f"retrying: worker {victim.hostname} shut down while running it"
    finally:
        victim.kill()
        victim.stop()

    # and the node is retried, like one whose worker was killed, and completes on a worker of the pool
    workers.ensure()
    done = wait_for_run(http, run["id"])
    assert done["status"] == "completed"
    assert node_status(done) == {"slow": "completed", "next": "completed"}
    slow = next(n for n in done["nodes"] if n["node"] == "slow")
    assert slow["attempt"] == 2
    assert slow["worker"] in {w.hostname for w in workers.workers}
    assert slow["reason"].startswith(f"retrying: worker {victim.hostname} shut down")
