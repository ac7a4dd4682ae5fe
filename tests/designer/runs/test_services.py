"""Run services on PostgreSQL, executed in-process (no broker): planning, scheduling, reaping, cancelling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from designer.api import Unprocessable
from designer.pipelines.services import create_pipeline, save_version
from designer.runs import services
from designer.runs.models import CacheEntry, NodeRun, Run, RunEvent
from designer.workspaces.models import Membership, Workspace
from tests.support.pipelines import document, train_score_evaluate

from .conftest import drain, upload_sample

pytestmark = pytest.mark.django_db
S = NodeRun.Status


@pytest.fixture
def user() -> Any:
    return get_user_model().objects.create_user("grace", "grace@example.com", "pw-grace-123456")


@pytest.fixture
def ws(user: Any) -> Workspace:
    ws = Workspace.objects.create(name="Team", created_by=user)
    Membership.objects.create(workspace=ws, user=user, role="owner")
    return ws


def statuses(run: Run) -> dict[str, str]:
    return dict(run.nodes.values_list("node_id", "status"))


def chain(user: Any, ws: Workspace, *seconds: float) -> Any:
    ids = [f"n{i}" for i in range(len(seconds))]
    doc = document(
        [(i, "test_sleep", {"seconds": s}) for i, s in zip(ids, seconds, strict=True)],
        [f"{a}.result -> {b}.dataset" for a, b in zip(ids, ids[1:], strict=False)],
    )
    return create_pipeline(user, ws, "chain", document=doc)


def test_submit_refuses_an_invalid_pipeline_naming_every_problem_and_creates_nothing(user, ws):
    doc = document(
        [("train", "train_model", {"label_column": "y"}), ("ghost", "no_such_module", {})],
        [],
    )
    pipeline = create_pipeline(user, ws, "broken", document=doc)

    with pytest.raises(Unprocessable) as caught:
        services.submit_run(user=user, pipeline=pipeline)

    problems = caught.value.problems
    assert {(p["code"], p["node"]) for p in problems} >= {
        ("missing_input", "train"),
        ("unknown_module", "ghost"),
    }
    assert "problems to fix" in str(caught.value.detail)
    assert Run.objects.count() == 0


def test_submit_refuses_an_empty_pipeline(user, ws):
    pipeline = create_pipeline(user, ws, "empty")

    with pytest.raises(Unprocessable, match="empty"):
        services.submit_run(user=user, pipeline=pipeline)
    assert Run.objects.count() == 0


def test_submit_refuses_regenerating_an_unknown_node(user, ws):
    pipeline = chain(user, ws, 0)

    with pytest.raises(Unprocessable, match="nope"):
        services.submit_run(user=user, pipeline=pipeline, regenerate=["nope"])
    assert Run.objects.count() == 0


def test_submit_queues_the_roots_and_leaves_the_rest_pending(user, ws):
    run = services.submit_run(user=user, pipeline=chain(user, ws, 0, 0))

    assert run.status == Run.Status.RUNNING
    assert statuses(run) == {"n0": S.QUEUED, "n1": S.PENDING}
    assert run.nodes.get(node_id="n0").attempt == 1
    assert list(RunEvent.objects.filter(run=run).values_list("type", flat=True)) == ["run_started", "node_queued"]


def test_submit_queues_its_roots_in_one_statement_without_reading_its_nodes_back(user, ws):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given a pipeline of three independent nodes
    pipeline = create_pipeline(
        user, ws, "roots", document=document([(f"n{i}", "test_sleep", {"seconds": 0}) for i in range(3)], [])
    )

    with CaptureQueriesContext(connection) as queries:
        run = services.submit_run(user=user, pipeline=pipeline)

    # then all three are queued, each attempt 1 and sent at the same moment
    nodes = list(run.nodes.all())
    assert {n.status for n in nodes} == {S.QUEUED} and {n.attempt for n in nodes} == {1}
    assert len({n.dispatched_at for n in nodes}) == 1
    # with one UPDATE for the three, and the rows just created not read again
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum(s.startswith('UPDATE "runs_noderun"') for s in sql) == 1
    assert not any(s.startswith("SELECT") and 'FROM "runs_noderun"' in s for s in sql)


def test_a_full_pipeline_runs_in_process_then_is_reused_and_a_changed_parameter_reruns_only_downstream(user, ws):
    dataset = upload_sample(user, ws)
    pipeline = create_pipeline(user, ws, "bc", document=train_score_evaluate(dataset.pk, "diagnosis"))

    first = drain(services.submit_run(user=user, pipeline=pipeline))
    assert first.status == Run.Status.COMPLETED
    assert set(statuses(first).values()) == {S.COMPLETED}
    assert CacheEntry.objects.filter(workspace=ws).count() == 6

    second = drain(services.submit_run(user=user, pipeline=pipeline))
    assert set(statuses(second).values()) == {S.REUSED}
    assert second.status == Run.Status.COMPLETED

    doc = train_score_evaluate(dataset.pk, "diagnosis", fraction_of_rows_in_first_output_dataset=0.6)
    save_version(user, pipeline, doc)
    third = drain(services.submit_run(user=user, pipeline=pipeline))
    assert statuses(third) == {
        "data": S.REUSED,
        "learner": S.REUSED,
        "split": S.COMPLETED,
        "train": S.COMPLETED,
        "score": S.COMPLETED,
        "evaluate": S.COMPLETED,
    }
    assert third.nodes.get(node_id="split").reason == "ran: no cached output for these parameters and inputs"


def test_moving_nodes_on_the_canvas_keeps_every_cache_key(user, ws):
    pipeline = chain(user, ws, 0, 0)
    before = drain(services.submit_run(user=user, pipeline=pipeline))
    doc = pipeline.versions.order_by("-number").first().document
    doc["layout"] = {"n0": {"x": 999, "y": 5}, "n1": {"x": -40, "y": 12, "comment": "moved"}}
    save_version(user, pipeline, doc)

    after = services.submit_run(user=user, pipeline=pipeline)

    assert set(statuses(after).values()) == {S.REUSED}
    assert dict(after.nodes.values_list("node_id", "cache_key")) == dict(
        before.nodes.values_list("node_id", "cache_key")
    )


def test_a_failing_node_fails_the_run_with_its_message_and_skips_descendants(user, ws):
    doc = document(
        [("a", "test_sleep", {"seconds": 0}), ("b", "test_fail", {"message": "bad"}), ("c", "test_sleep", {})],
        ["a.result -> b.dataset", "b.result -> c.dataset"],
    )
    run = drain(services.submit_run(user=user, pipeline=create_pipeline(user, ws, "f", document=doc)))

    assert run.status == Run.Status.FAILED
    assert statuses(run) == {"a": S.COMPLETED, "b": S.FAILED, "c": S.SKIPPED}
    b = run.nodes.get(node_id="b")
    assert b.error["node"] == "b" and b.error["param"] == "message"
    assert "failing on purpose: bad" in run.error


def test_a_node_that_fails_while_its_process_is_leaving_stays_running_to_be_handed_back(user, ws):
    # given a node whose module fails (as code interrupted by the worker's stop may)
    doc = document([("b", "test_fail", {"message": "bad"})], [])
    run = services.submit_run(user=user, pipeline=create_pipeline(user, ws, "f", document=doc))
    b = run.nodes.get(node_id="b")

    # when it fails in a process on its way out
    from designer.engine.execute import NodeFailed

    with pytest.raises(NodeFailed):
        services.execute_node_run(b.pk, b.attempt, worker="w", heartbeat=False, leaving=lambda: True)

    # then it is not recorded as failed: it stays running under its worker, for the worker to hand back
    b.refresh_from_db()
    assert (b.status, b.attempt, b.worker, b.error) == (S.RUNNING, 1, "w", None)
    assert services.release_nodes("w").retried == [b.pk]


def test_a_stale_or_duplicate_delivery_does_nothing(user, ws):
    run = services.submit_run(user=user, pipeline=chain(user, ws, 0))
    node = run.nodes.get()

    services.execute_node_run(node.pk, attempt=7, worker="late", heartbeat=False)

    node.refresh_from_db()
    assert node.status == S.QUEUED and node.worker == ""


def _make_stale(node: NodeRun, seconds: float = 120) -> None:
    node.status = S.RUNNING
    node.worker = "w-dead@host"
    node.heartbeat_at = timezone.now() - timedelta(seconds=seconds)
    node.save()


def test_the_reaper_retries_a_silent_node_then_fails_it_after_the_last_attempt(user, ws, settings):
    settings.TESSERA_MAX_ATTEMPTS = 2
    run = services.submit_run(user=user, pipeline=chain(user, ws, 0, 0))
    root = run.nodes.get(node_id="n0")
    _make_stale(root)

    report = services.reap_stale_nodes()

    root.refresh_from_db()
    assert report.retried == [root.pk] and report.failed == []
    assert root.status == S.QUEUED and root.attempt == 2
    assert root.reason.startswith("retrying: worker w-dead@host stopped responding")

    _make_stale(root)
    report = services.reap_stale_nodes()

    root.refresh_from_db()
    run.refresh_from_db()
    assert report.failed == [root.pk]
    assert root.status == S.FAILED and root.error["code"] == "worker_lost"
    assert "after 2 attempt(s)" in root.error["message"]
    assert statuses(run) == {"n0": S.FAILED, "n1": S.SKIPPED}
    assert run.status == Run.Status.FAILED


def test_the_reaper_leaves_nodes_with_a_fresh_heartbeat_alone(user, ws):
    run = services.submit_run(user=user, pipeline=chain(user, ws, 0))
    node = run.nodes.get()
    _make_stale(node, seconds=0)

    report = services.reap_stale_nodes()

    node.refresh_from_db()
    assert report.retried == [] and report.failed == []
    assert node.status == S.RUNNING and node.attempt == 1


def test_a_queued_node_no_worker_took_is_sent_again_less_and_less_often(user, ws, settings):
    settings.TESSERA_REDISPATCH_AFTER_SECONDS = 10
    run = services.submit_run(user=user, pipeline=chain(user, ws, 0))
    node = run.nodes.get()
    sent_at = node.dispatched_at
    assert node.status == S.QUEUED and sent_at is not None

    def at(seconds: float) -> list[int]:
        return services.redispatch_lost(sent_at + timedelta(seconds=seconds))

    assert at(9) == []  # not yet: a worker may simply be busy
    assert at(11) == [node.pk]  # first time after the limit
    assert at(11 + 19) == []  # then after twice the limit
    assert at(11 + 21) == [node.pk]
    assert at(32 + 41) == [node.pk]  # then four times
    node.refresh_from_db()
    assert node.redispatches == 3
    assert node.log.count("sent again") == 3
    assert node.status == S.QUEUED and node.attempt == 1  # the same attempt: a duplicate message does nothing


def test_only_queued_nodes_are_sent_again(user, ws, settings):
    settings.TESSERA_REDISPATCH_AFTER_SECONDS = 10
    run = services.submit_run(user=user, pipeline=chain(user, ws, 0))
    node = run.nodes.get()
    _make_stale(node, seconds=0)  # taken by a worker: running

    assert services.redispatch_lost(timezone.now() + timedelta(seconds=60)) == []


def test_cancel_marks_unfinished_nodes_and_the_run_cancelled(user, ws):
    run = services.submit_run(user=user, pipeline=chain(user, ws, 0, 0))

    services.cancel_run(run)

    run.refresh_from_db()
    assert run.status == Run.Status.CANCELLED
    assert statuses(run) == {"n0": S.CANCELLED, "n1": S.CANCELLED}
    assert RunEvent.objects.filter(run=run).last().type == "run_finished"
    # and a node task delivered afterwards does nothing
    n0 = run.nodes.get(node_id="n0")
    services.execute_node_run(n0.pk, n0.attempt, heartbeat=False)
    n0.refresh_from_db()
    assert n0.status == S.CANCELLED


def test_a_hand_off_writes_its_events_in_order_in_one_statement_and_the_next_node_reads_its_parents_outputs(user, ws):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given a run of three nodes in a chain, its first node queued
    run = services.submit_run(user=user, pipeline=chain(user, ws, 0, 0, 0))
    n0 = run.nodes.get(node_id="n0")
    first_event = RunEvent.objects.filter(run=run).order_by("id").last().pk

    # when one worker runs it and goes on with the nodes that finishing it made ready
    with CaptureQueriesContext(connection) as queries:
        services.execute_node_run(n0.pk, n0.attempt, worker="w", heartbeat=False, chain=lambda: True)

    # then every node ran on that worker, each reading its parent's output
    run.refresh_from_db()
    assert run.status == Run.Status.COMPLETED
    nodes = {n.node_id: n for n in run.nodes.all()}
    assert {n.worker for n in nodes.values()} == {"w"}
    for parent, child in (("n0", "n1"), ("n1", "n2")):
        assert nodes[child].started_at >= nodes[parent].finished_at
    # and each hand-off wrote its three events (finished, queued, started) with one INSERT, numbered in that order
    events = list(RunEvent.objects.filter(run=run, pk__gt=first_event).order_by("id").values_list("type", "payload"))
    assert [(t, p.get("node")) for t, p in events] == [
        ("node_started", "n0"),
        ("node_finished", "n0"),
        ("node_queued", "n1"),
        ("node_started", "n1"),
        ("node_finished", "n1"),
        ("node_queued", "n2"),
        ("node_started", "n2"),
        ("node_finished", "n2"),
        ("run_finished", None),
    ]
    finished = [p for t, p in events if t == "node_finished"]
    assert all(p["status"] == S.COMPLETED and p["progress"] == 1.0 and p["error"] is None for p in finished)
    inserts = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('INSERT INTO "runs_runevent"')]
    assert len(inserts) == 4  # the first node's start, then one per finish (the last with the run's end)
    # and the parents' outputs were not read again by the worker that took the next node
    reads = [q["sql"] for q in queries.captured_queries if "runs_noderun" in q["sql"] and '"node_id" IN' in q["sql"]]
    assert reads == []


@pytest.mark.django_db(transaction=True)  # the part's heartbeat thread reads the rows on its own connection
@pytest.mark.parametrize("leaving", [False, True], ids=["failed", "leaving"])
def test_a_part_that_fails_while_its_process_is_leaving_stays_running_to_be_put_back(user, ws, leaving):
    import json

    from designer.runs import parts
    from designer.runs.models import NodePart

    # given a node running elsewhere, one of whose parts fails (as code interrupted by the worker's stop may)
    doc = document([("split", "test_split_sleep", {"parts": 1, "seconds": 0, "fail_part": 1})], [])
    run = services.submit_run(user=user, pipeline=create_pipeline(user, ws, "p", document=doc))
    node = run.nodes.get()
    NodeRun.objects.filter(pk=node.pk).update(status=S.RUNNING, worker="node-worker")
    part = NodePart.objects.create(
        node_run=node, attempt=node.attempt, index=0, item=json.dumps({"part": 1, "seconds": 0})
    )

    # when a worker runs it, in a process that is (or is not) on its way out
    if leaving:
        with pytest.raises(Exception, match="fails on purpose"):
            parts.execute_part_run(part.pk, worker="w:1", leaving=lambda: True)
    else:
        parts.execute_part_run(part.pk, worker="w:1")

    # then an interrupted part stays running (its stale heartbeat puts it back); only a real failure is recorded
    part.refresh_from_db()
    if leaving:
        assert (part.status, part.worker, part.error) == (NodePart.Status.RUNNING, "w:1", None)
    else:
        assert part.status == NodePart.Status.FAILED and "fails on purpose" in part.error["message"]
