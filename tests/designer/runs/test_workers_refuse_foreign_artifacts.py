"""Defense in depth on real Celery workers: a node loads an artifact by digest only if it is its workspace's.

Validation refuses a foreign digest at save and submit. A run queued before that check existed (or a
document written around it) still reaches a worker, which must refuse to load the artifact, naming the
node and the parameter, so the foreign bytes never reach the run's outputs.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from designer.api import Unprocessable
from designer.artifacts.selectors import owned_digests
from designer.datasets.lookup import WorkspaceDatasetLookup
from designer.engine.plan import make_plan
from designer.pipelines.mapper import graph_of
from designer.pipelines.models import Pipeline, PipelineVersion
from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.models import CacheEntry, NodeRun, Run
from designer.workspaces.models import Membership, Workspace
from modules.sdk import default_registry
from tests.support.pipelines import document, train_score_evaluate

from .conftest import upload_sample

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


def _finished(run: Run, timeout: float = 120) -> Run:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_terminal:
            return run
        time.sleep(0.2)
    raise TimeoutError(f"run {run.pk} did not finish in {timeout} s: {run.status}")


def _trained_model(user: Any, workspace: Workspace) -> tuple[str, int]:
    """Train a model on the workers in ``workspace``; its digest and the dataset it was trained on."""
    dataset = upload_sample(user, workspace)
    pipeline = create_pipeline(user, workspace, "Train", document=train_score_evaluate(dataset.pk, "diagnosis"))
    run = _finished(services.submit_run(user=user, pipeline=pipeline))
    assert run.status == "completed", run.error
    return run.nodes.get(node_id="train").outputs["trained_model"]["digest"], dataset.pk


def _scorer(dataset_id: int, model: str) -> dict[str, Any]:
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("model", "saved_trained_model", {"artifact": model, "source": "copied"}),
            ("score", "score_model", {}),
        ],
        ["model.trained_model -> score.trained_model", "data.dataset -> score.dataset"],
    )


def _queue_unchecked(user: Any, pipeline: Pipeline, version: PipelineVersion) -> Run:
    """What submit did before artifacts were checked: plan, queue, dispatch, asking nobody whose digests they are."""
    graph = graph_of(version)
    registry = default_registry()
    plan = make_plan(graph, registry, WorkspaceDatasetLookup(pipeline.workspace))
    with transaction.atomic():
        run = Run.objects.create(
            workspace=pipeline.workspace, pipeline=pipeline, pipeline_version=version, created_by=user,
            status=Run.Status.RUNNING, started_at=timezone.now(),
        )  # fmt: skip
        for node_id in plan.order:
            node = graph.nodes[node_id]
            module = registry.get(node.module, node.version)
            NodeRun.objects.create(
                run=run, node_id=node_id, module_id=node.module, module_version=node.version, module_name=module.name,
                cache_key=plan.keys[node_id], reason="ran: queued before artifacts were checked",
            )  # fmt: skip
        services.advance(run.pk)  # queues the ready nodes; the workers get them when this commits
    return run


def test_a_foreign_digest_saved_before_the_check_fails_on_the_worker_and_its_bytes_go_nowhere(workers, ada, lab):
    # given a model trained in the outsider's workspace, and one trained in ada's lab, both on the workers
    otto = get_user_model().objects.create_user("otto", "otto@example.com", "pw-otto-123456")
    elsewhere = Workspace.objects.create(name="Elsewhere", created_by=otto)
    Membership.objects.create(workspace=elsewhere, user=otto, role="owner")
    foreign, _ = _trained_model(otto, elsewhere)
    own, data = _trained_model(ada, lab)
    assert foreign != own

    # and a scorer in the lab: version 1 names the lab's model (saved through the check), version 2 the
    # outsider's, written directly as a document saved before the check would be
    pipeline = create_pipeline(ada, lab, "Scorer", document=_scorer(data, own))
    legacy = PipelineVersion.objects.create(pipeline=pipeline, number=2, document=_scorer(data, foreign))

    # the lab's own model scores on the workers
    mine = _finished(services.submit_run(user=ada, pipeline=pipeline, version=pipeline.versions.get(number=1)))
    assert mine.status == "completed", mine.error

    # submitting version 2 today is refused before anything runs, naming the node and parameter
    with pytest.raises(Unprocessable) as refused:
        services.submit_run(user=ada, pipeline=pipeline, version=legacy)
    assert [(p["code"], p["node"], p["param"]) for p in refused.value.problems] == [
        ("foreign_artifact", "model", "artifact")
    ]
    assert Run.objects.filter(pipeline_version=legacy).count() == 0

    # when version 2 reaches the workers anyway, as a run queued before the check
    run = _finished(_queue_unchecked(ada, pipeline, legacy))

    # then the node loading it fails naming itself and the parameter, and what depends on it never runs
    assert run.status == "failed"
    nodes = {n.node_id: n for n in run.nodes.all()}
    # (the data node's outputs are cached from the lab's own run: the scheduler reuses them, as submit did)
    assert {k: n.status for k, n in nodes.items()} == {"data": "reused", "model": "failed", "score": "skipped"}
    error = nodes["model"].error
    assert (error["code"], error["node"], error["param"]) == ("module_error", "model", "artifact")
    assert error["message"].startswith("Node 'model' (Saved Trained Model) failed: artifact ")
    assert "does not belong to this run's workspace" in error["message"]
    assert "does not belong to this run's workspace" in run.error
    # and the foreign model's bytes reached no output, no cache entry, and the lab does not own them now
    assert nodes["model"].outputs == {} and nodes["score"].outputs == {}
    lab_outputs = {o["digest"] for n in NodeRun.objects.filter(run__workspace=lab) for o in n.outputs.values()}
    cached = {o["digest"] for e in CacheEntry.objects.filter(workspace=lab) for o in e.outputs.values()}
    assert foreign not in lab_outputs | cached
    assert owned_digests(lab.pk, [foreign, own]) == {own}
