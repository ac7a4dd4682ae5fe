"""Batch inference on two real Celery workers: a training run's model scores a dataset in mini-batches spread
over both workers, row for row as Score Model does; failing mini-batches are retried and counted against the
error threshold; cancelling stops every part.

Each test trains on the workers, derives the batch pipeline over REST, and runs it over REST.
"""

from __future__ import annotations

import copy
import io
import re
import time
import uuid
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from django.conf import settings

from designer.artifacts import artifact_store
from designer.datasets.models import Dataset
from designer.datasets.services import create_dataset_from_frame
from designer.pipelines.models import Pipeline
from designer.pipelines.services import create_pipeline, save_version
from designer.published import services as published
from designer.runs.models import NodePart, NodeRun, RunEvent
from modules.sdk import DataTable, Table
from tests.designer.runs.conftest import node_status, submit, wait_for_run
from tests.support.pipelines import document

pytestmark = [pytest.mark.workers, pytest.mark.django_db(transaction=True)]
P = NodePart.Status
LABEL = "label"
FEATURES = [f"f{i}" for i in range(8)]


def frame(rows: int, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(rows, len(FEATURES))), columns=FEATURES)
    df["colour"] = pd.Series(rng.choice(np.array(["red", "green", "blue"]), rows), dtype="str")
    signal = df.f0 - df.f1 + (df.colour == "red") + rng.normal(size=rows)
    df[LABEL] = pd.Series(np.where(signal > 0.3, "yes", "no"), dtype="str")
    return df


class Trained:
    """A dataset of ``rows`` rows, a training run on the workers whose Score Model scored every row, and the
    batch inference pipeline derived from it over REST."""

    def __init__(self, http: Any, user: Any, workspace: Any, rows: int) -> None:
        self.http = http
        self.user = user
        self.dataset = create_dataset_from_frame(user, workspace, f"rows {rows}", frame(rows))
        doc = document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": self.dataset.pk}}),
                ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.1, "random_seed": 3}),
                ("learner", "two_class_logistic_regression", {}),
                ("train", "train_model", {"label_column": LABEL}),
                ("score", "score_model", {}),
            ],
            [
                "data.dataset -> split.dataset",
                "split.results_dataset1 -> train.dataset",
                "learner.untrained_model -> train.untrained_model",
                "train.trained_model -> score.trained_model",
                "data.dataset -> score.dataset",  # Score Model scores every row: what the batch job must match
            ],
        )
        training = create_pipeline(user, workspace, "Churn", document=doc)
        self.run = wait_for_run(http, submit(http, training.pk)["id"], timeout=180)
        assert self.run["status"] == "completed", self.run
        derived = http.post(f"/api/runs/{self.run['id']}/batch-inference-pipeline/", json={})
        assert derived.status_code == 201, derived.text
        self.pipeline = Pipeline.objects.get(pk=derived.json()["pipeline"]["id"])
        self.document = derived.json()["pipeline"]["head"]["document"]

    def expected(self) -> DataTable:
        return output(self.run["id"], "score", "scored_dataset")

    def batch(self, scoring: Any = None, **params: Any) -> dict[str, Any]:
        """Save the batch pipeline with these Parallel Run parameters (and scoring pipeline), run it, wait."""
        doc = copy.deepcopy(self.document)
        node = next(n for n in doc["nodes"] if n["id"] == "parallel_run")
        node["params"].update(params)
        if scoring is not None:
            node["params"]["scoring_pipeline"] = scoring(copy.deepcopy(node["params"]["scoring_pipeline"]))
        save_version(self.user, self.pipeline, doc, message=str(params))
        return submit(self.http, self.pipeline.pk)


def output(run_id: int, node: str, port: str) -> DataTable:
    record = NodeRun.objects.get(run_id=run_id, node_id=node).outputs[port]
    table: DataTable = Table.deserialize(artifact_store().get(record["digest"]))
    return table


def with_step(module: str, **params: Any) -> Any:
    """A scoring pipeline edit: ``module`` inserted between the Web Service Input and Score Model."""

    def edit(scoring: dict[str, Any]) -> dict[str, Any]:
        scoring["nodes"].append({"id": "step", "module": module, "version": 1, "params": params})
        for edge in scoring["edges"]:
            if edge["target"] == {"node": "score", "port": "dataset"}:
                source = dict(edge["source"])
                edge["source"] = {"node": "step", "port": "result"}
                scoring["edges"].append({"source": source, "target": {"node": "step", "port": "dataset"}})
                break
        return scoring

    return edit


def _parts(run_id: int) -> list[NodePart]:
    return list(NodePart.objects.filter(node_run__run_id=run_id, node_run__node_id="parallel_run").order_by("index"))


def _most_at_once(parts: list[NodePart]) -> int:
    """The most parts that were running at the same moment."""
    spans = [(p.started_at, p.finished_at) for p in parts if p.started_at and p.finished_at]
    return max(sum(1 for s, f in spans if s <= start < f) for start, _ in spans)


def test_200000_rows_scored_in_mini_batches_on_both_workers_equal_score_model_row_for_row(workers, server, http, ada,
                                                                                         lab):  # fmt: skip
    trained = Trained(http, ada, lab, rows=200_000)

    done = wait_for_run(http, trained.batch(mini_batch_size=20_000, max_concurrent_mini_batches=4)["id"], timeout=240)

    assert done["status"] == "completed", done
    scored = output(done["id"], "parallel_run", "scored_dataset")
    expected = trained.expected()
    pd.testing.assert_frame_equal(scored.df, expected.df)  # every row, in input order, the same scores
    assert scored.meta == expected.meta
    assert output(done["id"], "parallel_run", "failed_mini_batches").df.empty
    # the mini-batches spread over both workers, never more than four at once
    parts = _parts(done["id"])
    assert [p.status for p in parts] == [P.DONE] * 10
    assert len({p.worker for p in parts}) >= 2  # (another directory's worker pool may be alive too)
    node = NodeRun.objects.get(run_id=done["id"], node_id="parallel_run")
    assert node.spread["parts"] == 10 and node.spread["what"] == "mini-batch"
    assert node.spread["workers"] == {w: sum(p.worker == w for p in parts) for w in {p.worker for p in parts}}
    assert _most_at_once(parts) <= 4
    assert "10 mini-batches offered to every worker on the 'cpu' queue, 4 at a time" in node.log
    assert "scored 200,000 of 200,000 rows in input order" in node.log
    # the browser's progress bar moved forward in whole mini-batches and reached the end (values are
    # sampled once per heartbeat, so a sub-second run may show only the last one)
    progress = [
        e.payload
        for e in RunEvent.objects.filter(run_id=done["id"], type="node_progress").order_by("id")
        if e.payload.get("node") == "parallel_run"
    ]
    messages = [p.get("message", "") for p in progress]
    counts = [int(m.split(" / ")[0].replace(",", "")) for m in messages if re.fullmatch(r"[\d,]+ / 200,000 rows", m)]
    assert counts == sorted(counts) and all(c % 20_000 == 0 for c in counts), messages
    fractions = [p["progress"] for p in progress]
    assert fractions == sorted(fractions) and fractions[-1] == 1
    # and the scored rows are the next version of the named dataset, as stored (no copy)
    version = Dataset.objects.get(workspace=lab, name="Churn - scored").versions.get()
    assert (version.digest, version.rows) == (node.outputs["scored_dataset"]["digest"], 200_000)
    assert version.profile["sampled_rows"] == 100_000


def _poison(trained: Trained, row: int, failures: int) -> Any:
    counter = settings.DATA_DIR / f"poison-{uuid.uuid4().hex}"
    value = float(frame(20_000)["f0"].iloc[row])
    return with_step("test_poison_rows", column="f0", value=value, failures=failures, counter=str(counter))


def test_a_failing_mini_batch_is_retried_and_the_error_threshold_decides_what_a_failure_does(workers, server, http,
                                                                                            ada, lab):  # fmt: skip
    trained = Trained(http, ada, lab, rows=20_000)
    expected = trained.expected().df
    batching = {"mini_batch_size": 2000, "max_concurrent_mini_batches": 3, "run_max_try": 3}

    # a mini-batch that fails once is tried again and scored
    retried = wait_for_run(http, trained.batch(_poison(trained, 7000, failures=1), **batching)["id"], timeout=120)
    assert retried["status"] == "completed", retried
    pd.testing.assert_frame_equal(output(retried["id"], "parallel_run", "scored_dataset").df, expected)
    log = NodeRun.objects.get(run_id=retried["id"], node_id="parallel_run").log
    assert "mini-batch 4 (rows 6,000-7,999), attempt 1 of 3 failed: Node 'step' (Poison rows (test)) failed: a " \
           "poisoned row (attempt 1)" in log  # fmt: skip
    assert "mini-batch 4 (rows 6,000-7,999) scored" in log
    scores = Dataset.objects.get(workspace=lab, name="Churn - scored")
    assert scores.versions.get().rows == 20_000

    # over the threshold (0 rows by default) the node fails naming the mini-batch and its rows; nothing is saved
    failed = wait_for_run(http, trained.batch(_poison(trained, 7000, failures=-1), **batching)["id"], timeout=120)
    assert failed["status"] == "failed"
    error = next(n for n in failed["nodes"] if n["node"] == "parallel_run")["error"]
    assert (error["code"], error["param"]) == ("module_error", "error_threshold")
    assert error["message"] == (
        "Node 'parallel_run' (Parallel Run) failed: 1 mini-batch(es) failed (2,000 rows), over the error threshold of "
        "0 rows: mini-batch 4 (rows 6,000-7,999) after 3 attempt(s): Node 'step' (Poison rows (test)) failed: a "
        "poisoned row (attempt 3)."
    )
    assert node_status(failed)["register_dataset"] == "skipped"
    assert scores.versions.count() == 1  # no new version

    # under the threshold the run completes without those rows, and says which they were
    tolerated = trained.batch(_poison(trained, 7000, failures=-1), **batching, error_threshold=2000)
    done = wait_for_run(http, tolerated["id"], timeout=120)
    assert done["status"] == "completed", done
    scored = output(done["id"], "parallel_run", "scored_dataset").df
    pd.testing.assert_frame_equal(scored, expected.drop(index=range(6000, 8000)).reset_index(drop=True))
    report = output(done["id"], "parallel_run", "failed_mini_batches").df
    assert report[["mini_batch", "first_row", "last_row", "rows", "attempts"]].to_dict("records") == [
        {"mini_batch": 4, "first_row": 6000, "last_row": 7999, "rows": 2000, "attempts": 3}
    ]
    log = NodeRun.objects.get(run_id=done["id"], node_id="parallel_run").log
    assert "2,000 rows of 1 failed mini-batch(es) left out" in log
    assert [v.rows for v in scores.versions.order_by("version")] == [20_000, 18_000]


def test_cancelling_a_batch_run_stops_every_mini_batch(workers, server, http, ada, lab):
    trained = Trained(http, ada, lab, rows=20_000)
    run = trained.batch(with_step("test_sleep", seconds=1.5), mini_batch_size=1000, max_concurrent_mini_batches=2)

    deadline = time.monotonic() + 90
    while not any(p.status == P.DONE for p in _parts(run["id"])):
        assert time.monotonic() < deadline, "no mini-batch finished"
        time.sleep(0.1)
    cancelled = http.post(f"/api/runs/{run['id']}/cancel/")
    assert cancelled.status_code == 200, cancelled.text
    stopped_at = time.monotonic()

    while any(p.status in (P.WAITING, P.PENDING, P.RUNNING) for p in _parts(run["id"])):
        assert time.monotonic() - stopped_at < 20, [p.status for p in _parts(run["id"])]
        time.sleep(0.2)
    time.sleep(3)  # long enough for a stray message to start another mini-batch, if one could
    parts = _parts(run["id"])
    assert {p.status for p in parts} <= {P.DONE, P.CANCELLED}
    assert sum(p.status == P.DONE for p in parts) < 20
    assert wait_for_run(http, run["id"], timeout=10)["status"] == "cancelled"
    assert NodeRun.objects.get(run_id=run["id"], node_id="parallel_run").status == NodeRun.Status.CANCELLED


def test_a_published_batch_pipeline_scores_a_csv_sent_to_its_trigger_url_as_a_downloadable_job(workers, server, http,
                                                                                                 ada, lab):  # fmt: skip
    # Given the batch pipeline derived from a training run, published as it came (its input a dataset parameter)
    trained = Trained(http, ada, lab, rows=2_000)
    endpoint = published.create_endpoint(workspace=lab, user=ada, name="churn-batch", pipeline=trained.pipeline)
    key = {"Authorization": f"Bearer {endpoint.primary_key}"}

    # When a client sends a CSV of 500 rows to its trigger URL with the key
    rows = frame(2_000).iloc[100:600]
    body = rows.to_csv(index=False).encode()
    started = httpx.post(f"{server.url}/pipeline-endpoints/churn-batch/runs", headers=key,
                         files={"input_data": ("new.csv", body, "text/csv")})  # fmt: skip
    assert started.status_code == 202, started.text

    # Then the job runs on the workers, and the scored file it downloads is Score Model's answer for those rows
    done = _poll(server.url, "churn-batch", started.json()["id"], key)
    assert done["status"] == "completed", done
    [scored] = [o for o in done["outputs"] if (o["node"], o["port"]) == ("parallel_run", "scored_dataset")]
    got = pd.read_csv(io.BytesIO(httpx.get(scored["download_url"], headers=key).content))
    expected = trained.expected().df.iloc[100:600].reset_index(drop=True)
    assert len(got) == 500
    assert list(got["Scored Labels"]) == list(expected["Scored Labels"])
    np.testing.assert_allclose(got["Scored Probabilities"], expected["Scored Probabilities"], rtol=1e-9)
    # and the file became a version of the endpoint's override dataset, the scored rows one of "Churn - scored"
    assert (
        done["parameters"]["input_data"]["dataset_id"]
        == Dataset.objects.get(workspace=lab, name="churn-batch · input_data").pk
    )
    assert Dataset.objects.get(workspace=lab, name="Churn - scored").versions.get().rows == 500


def _poll(base: str, name: str, run_id: int, headers: dict[str, str], timeout: float = 180) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = httpx.get(f"{base}/pipeline-endpoints/{name}/runs/{run_id}", headers=headers).json()
        if state["status"] in ("completed", "failed", "cancelled"):
            return state
        time.sleep(0.3)
    raise TimeoutError(f"run {run_id} did not finish: {state}")
