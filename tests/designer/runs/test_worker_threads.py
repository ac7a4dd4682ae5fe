"""How many threads a worker's context offers a node: the host's cores shared among the nodes and parts
the database says are running on this host when the module first asks (``ctx.threads``)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from designer.pipelines.services import create_pipeline
from designer.runs import services as runs
from designer.runs.context import WorkerContext, running_here, usable_cores
from designer.runs.models import NodePart, NodeRun, Run
from tests.designer.runs.conftest import drain
from tests.designer.runs.test_batch_context import context
from tests.support.pipelines import document

pytestmark = pytest.mark.django_db

HOST = socket.gethostname()


@pytest.fixture
def run(owner: Any, workspace: Any, dataset: Any) -> Run:
    doc = document([("data", "dataset", {"dataset": {"dataset_id": dataset.pk}})], [])
    done = drain(runs.submit_run(user=owner, pipeline=create_pipeline(owner, workspace, "Threads", document=doc)))
    assert done.status == Run.Status.COMPLETED
    return done


def running(run: Run, worker: str) -> NodeRun:
    """Another row of ``run`` marked running on ``worker`` (the fields that matter here copied from its node)."""
    node = run.nodes.get(node_id="data")
    node.pk = None
    node.node_id = f"n{NodeRun.objects.count()}"
    node.status = NodeRun.Status.RUNNING
    node.worker = worker
    node.save()
    return node


def test_a_node_alone_on_its_host_gets_every_core(run: Run) -> None:
    running(run, f"celery@{HOST}")

    assert running_here() == 1
    assert context(run).threads == usable_cores()


def test_nodes_and_parts_on_this_host_share_its_cores_and_other_hosts_do_not_count(run: Run) -> None:
    # given two nodes running here (one under a Celery hostname, one under host:pid), a part running here,
    # and a node running on another host
    node = running(run, f"celery@{HOST}")
    running(run, f"{HOST}:4242")
    running(run, "w1@some-other-host")
    NodePart.objects.create(
        node_run=node, attempt=1, index=0, item="0", status=NodePart.Status.RUNNING, worker=f"{HOST}:77"
    )

    # then three are counted, and a context's threads are the cores divided among them (at least one)
    assert running_here() == 3
    ctx: WorkerContext = context(run)
    assert ctx.threads == max(1, usable_cores() // 3)


def test_the_count_is_taken_once_when_the_module_first_asks(run: Run) -> None:
    ctx = context(run)
    running(run, f"celery@{HOST}")
    first = ctx.threads
    for i in range(3):
        running(run, f"{HOST}:{i}")

    assert ctx.threads == first == usable_cores()
