"""Run and node states say what happened: below a failed node everything is skipped, never reused.

Executed in-process on PostgreSQL and the real artifact store (the scheduler is the same code a worker runs).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from designer.artifacts import artifact_store
from designer.pipelines.services import create_pipeline
from designer.runs import services
from designer.runs.models import CacheEntry, NodeRun, Run, RunEvent
from designer.workspaces.models import Membership, Workspace
from tests.support.pipelines import document

from .conftest import drain, upload_sample

pytestmark = pytest.mark.django_db
S = NodeRun.Status


@pytest.fixture
def user() -> Any:
    return get_user_model().objects.create_user("sky", "sky@example.com", "pw-sky-123456")


@pytest.fixture
def ws(user: Any) -> Workspace:
    ws = Workspace.objects.create(name="Skips", created_by=user)
    Membership.objects.create(workspace=ws, user=user, role="owner")
    return ws


def statuses(run: Run) -> dict[str, str]:
    return dict(run.nodes.values_list("node_id", "status"))


def test_descendants_of_a_failed_node_are_skipped_even_when_the_cache_holds_their_outputs(user, ws):
    # given a run that computed data -> clean -> model, and an independent branch, all now in the cache
    dataset = upload_sample(user, ws)
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset.pk}}),
            ("clean", "test_sleep", {"seconds": 0, "tag": "clean"}),
            ("model", "test_sleep", {"seconds": 0, "tag": "model"}),
            ("other", "test_sleep", {"seconds": 0, "tag": "other"}),
        ],
        ["data.dataset -> clean.dataset", "clean.result -> model.dataset"],
    )
    pipeline = create_pipeline(user, ws, "pruned", document=doc)
    first = drain(services.submit_run(user=user, pipeline=pipeline))
    assert first.status == Run.Status.COMPLETED
    # and the stored dataset (the data node's output) is then lost from the artifact store
    store = artifact_store()
    version = dataset.versions.get()
    data_out = first.nodes.get(node_id="data").outputs
    for digest in {version.digest} | {o["digest"] for o in data_out.values()}:
        store.delete(digest)
    cached = {e.node_id: e for e in CacheEntry.objects.filter(workspace=ws)}
    assert all(store.exists(o["digest"]) for n in ("clean", "model") for o in cached[n].outputs.values())

    # when the same pipeline runs again
    second = drain(services.submit_run(user=user, pipeline=pipeline))

    # then the data node runs and fails, and what depends on it is skipped, not reused from the cache
    assert second.status == Run.Status.FAILED
    assert statuses(second) == {"data": S.FAILED, "clean": S.SKIPPED, "model": S.SKIPPED, "other": S.REUSED}
    reasons = dict(second.nodes.values_list("node_id", "reason"))
    assert reasons["clean"] == "skipped: upstream node 'data' failed"
    assert reasons["model"] == "skipped: upstream node 'data' failed"
    assert reasons["other"].startswith("reused: ")
    assert second.nodes.get(node_id="model").outputs == {}
    events = list(RunEvent.objects.filter(run=second).values_list("type", "payload__node"))
    assert ("node_reused", "clean") not in events and ("node_reused", "model") not in events
    assert ("node_skipped", "clean") in events and ("node_skipped", "model") in events


def test_a_skip_below_two_failed_nodes_names_both(user, ws):
    doc = document(
        [
            ("left", "test_fail", {"message": "left"}),
            ("right", "test_fail", {"message": "right"}),
            ("after_left", "test_sleep", {"seconds": 0}),
            ("after_right", "test_sleep", {"seconds": 0}),
        ],
        ["left.result -> after_left.dataset", "right.result -> after_right.dataset"],
    )
    run = drain(services.submit_run(user=user, pipeline=create_pipeline(user, ws, "two", document=doc)))

    assert run.status == Run.Status.FAILED
    reasons = dict(run.nodes.values_list("node_id", "reason"))
    assert reasons["after_left"] == "skipped: upstream node 'left' failed"
    assert reasons["after_right"] == "skipped: upstream node 'right' failed"


def test_below_a_regenerated_node_the_cache_is_used_only_once_the_node_has_run(user, ws):
    # given a chain whose outputs are all cached
    doc = document(
        [("n0", "test_sleep", {"seconds": 0}), ("n1", "test_sleep", {"seconds": 0})], ["n0.result -> n1.dataset"]
    )
    pipeline = create_pipeline(user, ws, "chain", document=doc)
    drain(services.submit_run(user=user, pipeline=pipeline))

    # when the first node is regenerated
    run = services.submit_run(user=user, pipeline=pipeline, regenerate=["n0"])

    # then its child waits for it (pending, not yet reused) ...
    assert statuses(run) == {"n0": S.QUEUED, "n1": S.PENDING}
    assert run.nodes.get(node_id="n0").reason == "ran: regenerate output was requested"
    # ... and is reused once it has run
    done = drain(run)
    assert done.status == Run.Status.COMPLETED
    assert statuses(done) == {"n0": S.COMPLETED, "n1": S.REUSED}
