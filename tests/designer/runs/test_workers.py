"""End to end on real processes: Celery workers on Redis + PostgreSQL, a Daphne server, a real WebSocket."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import datetime
from typing import Any

import numpy as np
import pytest
import websockets
from sklearn import metrics as skm
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline as SkPipeline
from sklearn.preprocessing import StandardScaler

from designer.pipelines.services import create_pipeline, save_version
from designer.runs.models import NodeRun
from tests.support.pipelines import document, train_score_evaluate

from .conftest import node_status, output_table, submit, upload_sample, wait_for_run, wait_node

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]


async def _follow(ws_url: str, token: str, run_id: int, timeout: float = 120) -> list[dict[str, Any]]:
    """Connect, take the snapshot, collect events until the run finishes."""
    messages: list[dict[str, Any]] = []
    headers = {"Authorization": f"Token {token}"}
    async with websockets.connect(
        f"{ws_url}/ws/runs/{run_id}/", additional_headers=headers, origin=ws_url.replace("ws://", "http://")
    ) as ws:
        async with asyncio.timeout(timeout):
            while True:
                msg = json.loads(await ws.recv())
                messages.append(msg)
                if msg["type"] == "snapshot" and msg["run"]["status"] in ("completed", "failed", "cancelled"):
                    return messages
                if msg["type"] == "event" and msg["event"]["type"] == "run_finished":
                    return messages


def test_train_score_evaluate_runs_on_workers_streams_events_and_reuses_the_cache(workers, server, http, ada, lab):
    # given a real dataset and a train/score/evaluate pipeline
    dataset = upload_sample(ada, lab)
    pipeline = create_pipeline(ada, lab, "Breast cancer", document=train_score_evaluate(dataset.pk, "diagnosis"))

    # when it is submitted and followed over a real WebSocket
    run = submit(http, pipeline.pk)
    messages = asyncio.run(_follow(server.ws_url, http.token, run["id"]))
    finished = wait_for_run(http, run["id"])

    # then every node ran and finished, and the events told the story in order
    assert finished["status"] == "completed", finished
    assert node_status(finished) == dict.fromkeys(
        ["data", "split", "learner", "train", "score", "evaluate"], "completed"
    )
    assert messages[0]["type"] == "snapshot"
    events = [m["event"] for m in messages[1:]]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    seen = {(e["type"], e.get("node")) for e in events} | {
        (f"node_{n['status']}", n["node"]) for n in messages[0]["nodes"]
    }
    assert ("node_finished", "evaluate") in seen
    assert events[-1]["type"] == "run_finished" and events[-1]["status"] == "completed"

    # and the metrics equal the same model fitted directly with scikit-learn on the same split
    train_df = output_table(http, run["id"], "split", "results_dataset1")
    test_df = output_table(http, run["id"], "split", "results_dataset2")
    features = [c for c in train_df.columns if c != "diagnosis"]
    direct = SkPipeline(
        [
            ("features", ColumnTransformer([("num", "passthrough", features)])),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(C=1.0, tol=1e-7, max_iter=10_000)),
        ]
    ).fit(train_df[features], train_df["diagnosis"])
    positive = sorted(train_df["diagnosis"].unique())[1]
    proba = direct.predict_proba(test_df[features])[:, list(direct.classes_).index(positive)]
    predicted = np.where(proba >= 0.5, positive, sorted(train_df["diagnosis"].unique())[0])
    got = http.get(f"/api/runs/{run['id']}/nodes/evaluate/outputs/evaluation_results/").json()["metrics"]["values"]
    assert got["AUC"] == pytest.approx(skm.roc_auc_score(test_df["diagnosis"] == positive, proba), abs=1e-6)
    assert got["Accuracy"] == pytest.approx(skm.accuracy_score(test_df["diagnosis"], predicted), abs=1e-9)

    # when the unchanged pipeline is submitted again, every node is reused
    again = wait_for_run(http, submit(http, pipeline.pk)["id"])
    assert again["status"] == "completed"
    assert set(node_status(again).values()) == {"reused"}
    assert all(n["reason"].startswith("reused:") for n in again["nodes"])

    # when one parameter changes, that node and its descendants re-run, nothing else
    doc = train_score_evaluate(dataset.pk, "diagnosis")
    doc["nodes"][2]["params"]["l2_regularization_weight"] = 0.5  # the learner
    save_version(ada, pipeline, doc, message="weaker regularization")
    changed = wait_for_run(http, submit(http, pipeline.pk)["id"])
    assert node_status(changed) == {
        "data": "reused",
        "split": "reused",
        "learner": "completed",
        "train": "completed",
        "score": "completed",
        "evaluate": "completed",
    }

    # and the regenerate flag forces one node to run again although it is cached
    forced = wait_for_run(http, submit(http, pipeline.pk, regenerate=["split"])["id"])
    assert node_status(forced)["split"] == "completed"
    assert node_status(forced)["data"] == "reused"


def test_independent_branches_run_in_parallel_on_different_workers(workers, server, http, ada, lab):
    # given two 2-second branches that do not depend on each other
    doc = document(
        [("a", "test_sleep", {"seconds": 2.0, "tag": "a"}), ("b", "test_sleep", {"seconds": 2.0, "tag": "b"})], []
    )
    pipeline = create_pipeline(ada, lab, "Parallel", document=doc)

    # when submitted
    run = wait_for_run(http, submit(http, pipeline.pk)["id"])

    # then both ran at the same time (each started before the other finished), each on its own worker
    assert run["status"] == "completed"
    a, b = ({k: datetime.fromisoformat(n[k]) for k in ("started_at", "finished_at")} for n in run["nodes"])
    assert a["started_at"] < b["finished_at"] and b["started_at"] < a["finished_at"], run["nodes"]
    assert {n["worker"] for n in run["nodes"]} == {w.hostname for w in workers.workers}


def test_failing_node_fails_the_run_and_skips_its_descendants(workers, server, http, ada, lab):
    doc = document(
        [
            ("ok", "test_sleep", {"seconds": 0}),
            ("bad", "test_fail", {"message": "no good"}),
            ("after", "test_sleep", {"seconds": 0}),
        ],
        ["ok.result -> bad.dataset", "bad.result -> after.dataset"],
    )
    pipeline = create_pipeline(ada, lab, "Failing", document=doc)

    run = wait_for_run(http, submit(http, pipeline.pk)["id"])

    assert run["status"] == "failed"
    assert node_status(run) == {"ok": "completed", "bad": "failed", "after": "skipped"}
    bad = next(n for n in run["nodes"] if n["node"] == "bad")
    assert "Node 'bad'" in bad["error"]["message"] and "failing on purpose: no good" in bad["error"]["message"]
    assert bad["error"]["param"] == "message"
    assert "failing on purpose" in run["error"]
    log = http.get(f"/api/runs/{run['id']}/nodes/bad/log/")
    assert log.status_code == 200 and "attempt 1" in log.text


def test_cancelling_a_run_stops_its_running_node(workers, server, http, ada, lab):
    doc = document(
        [("slow", "test_sleep", {"seconds": 60}), ("next", "test_sleep", {"seconds": 0})],
        ["slow.result -> next.dataset"],
    )
    pipeline = create_pipeline(ada, lab, "Slow", document=doc)
    run = submit(http, pipeline.pk)
    wait_node(http, run["id"], "slow", "running")

    response = http.post(f"/api/runs/{run['id']}/cancel/")

    assert response.status_code == 200
    done = wait_for_run(http, run["id"], timeout=10)
    assert done["status"] == "cancelled"
    assert node_status(done) == {"slow": "cancelled", "next": "cancelled"}


def test_a_killed_worker_does_not_leave_the_run_running(workers, server, http, ada, lab, settings):
    # given a node that takes a while
    doc = document([("slow", "test_sleep", {"seconds": 5})], [])
    pipeline = create_pipeline(ada, lab, "Crash", document=doc)
    run = submit(http, pipeline.pk)
    node = wait_node(http, run["id"], "slow", "running")

    # when the worker running it is killed outright (SIGKILL: no cleanup, no acknowledgement)
    victim = workers.by_hostname(node["worker"])
    victim.kill()
    killed_at = time.monotonic()

    # then the surviving worker notices the silence and retries the node within the documented bound
    bound = settings.TESSERA_STALE_AFTER_SECONDS + 2 * settings.TESSERA_HEARTBEAT_SECONDS + 5 + 10
    done = wait_for_run(http, run["id"], timeout=bound)
    assert time.monotonic() - killed_at < bound
    slow = done["nodes"][0]
    assert done["status"] == "completed"
    assert slow["attempt"] == 2
    assert slow["worker"] != victim.hostname
    assert slow["reason"].startswith("retrying: worker " + victim.hostname)


def test_a_node_whose_message_the_broker_lost_runs_once_a_worker_is_back(workers, server, http, ada, lab, settings):
    # given no worker running, a submitted run whose message the broker then loses (Redis restarted
    # without persistence: the queue is emptied)
    from tests.designer.conftest import _purge_queues

    workers.stop()
    doc = document([("slow", "test_sleep", {"seconds": 0.2})], [])
    pipeline = create_pipeline(ada, lab, "Lost message", document=doc)
    run = submit(http, pipeline.pk)
    _purge_queues()
    assert node_status(http.get(f"/api/runs/{run['id']}/").json()) == {"slow": "queued"}

    # when workers come back
    workers.ensure()

    # then a worker's reaper sends the message again and the node runs, once
    done = wait_for_run(http, run["id"], timeout=settings.TESSERA_REDISPATCH_AFTER_SECONDS + 30)
    assert done["status"] == "completed"
    slow = done["nodes"][0]
    assert slow["attempt"] == 1
    node = NodeRun.objects.get(run_id=run["id"], node_id="slow")
    assert node.redispatches >= 1
    assert "(a lost message, or every worker busy): sent again" in node.log
    assert node.log.count("attempt 1 on ") == 1  # the duplicates did not run it twice


def test_a_worker_runs_the_node_its_finished_node_made_ready_itself(workers, http, ada, lab):
    # given a chain of four nodes and two idle workers
    doc = document(
        [(name, "test_sleep", {"seconds": 0}) for name in ("a", "b", "c", "d")],
        ["a.result -> b.dataset", "b.result -> c.dataset", "c.result -> d.dataset"],
    )
    pipeline = create_pipeline(ada, lab, "Chain", document=doc)

    # when it runs
    finished = wait_for_run(http, submit(http, pipeline.pk)["id"])

    # then each child ran on its parent's worker, once, as soon as the parent finished (no broker message:
    # with two workers taking messages, a child would land on the other one about every other time)
    assert finished["status"] == "completed", finished
    nodes = {n.node_id: n for n in NodeRun.objects.filter(run_id=finished["id"])}
    assert len({n.worker for n in nodes.values()}) == 1, {k: n.worker for k, n in nodes.items()}
    assert all(n.attempt == 1 for n in nodes.values())
    for parent, child in [("a", "b"), ("b", "c"), ("c", "d")]:
        assert nodes[child].started_at >= nodes[parent].finished_at
        assert nodes[child].dispatched_at >= nodes[parent].finished_at
