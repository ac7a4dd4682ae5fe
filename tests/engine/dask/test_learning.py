"""Score Model, Evaluate Model and Train Model (LightGBM's Dask estimators): the Dask path against the pandas path."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from designer.engine.compute import ComputeTarget
from designer.engine.execute import NodeFailed
from modules.sdk import Cancelled, FittedModel, LocalContext
from tests.support.dask_cluster import local_cluster

from .conftest import Both, assert_same_table

#: Distributed LightGBM is not bit-identical to one machine's: its AUC must stay this close (README).
AUC_TOLERANCE = 0.005


def classification(n: int, seed: int = 0) -> pd.DataFrame:
    """Six numeric features (one with missing values) and a 0/1 label they predict well but not perfectly."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6))
    logit = 1.5 * x[:, 0] - x[:, 1] + 0.8 * x[:, 2] * x[:, 3] + rng.normal(0, 1.0, n)
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(6)])
    df.loc[rng.random(n) < 0.05, "f5"] = np.nan
    df["label"] = (logit > 0).astype("int64")
    return df


def pipeline_inputs(both: Both, train_rows: int, test_rows: int) -> tuple[str, str, str]:
    """Digests of a boosted-tree learner, a training table and a test table."""
    learner = both.run("two_class_boosted_decision_tree", {"number_of_trees_constructed": 60}, {}, dask=False)
    train = both.put(classification(train_rows, seed=1), label_column="label")
    test = both.put(classification(test_rows, seed=2), label_column="label")
    return learner["untrained_model"].digest, train, test


@pytest.fixture
def big_partitions(both: Both) -> Both:
    both.target = ComputeTarget("test", dask="tcp://test", path="dask", partition_rows=5000)
    return both


def test_score_and_evaluate_model_give_the_same_scores_and_metrics(both: Both) -> None:
    # given a model trained on the pandas path and a test table read in partitions of 7 rows
    learner, train, test = pipeline_inputs(both, 400, 60)
    trained = both.run(
        "train_model", {"label_column": "label"}, {"untrained_model": learner, "dataset": train}, dask=False
    )
    model = trained["trained_model"].digest

    # when Score Model runs both ways, then every row has the same scores
    pandas, dask = both.both("score_model", {}, {"trained_model": model, "dataset": test})
    assert_same_table(pandas["scored_dataset"], dask["scored_dataset"])

    # and Evaluate Model on the scored table gives the same metrics
    scored = both.run("score_model", {}, {"trained_model": model, "dataset": test}, dask=False)
    pandas, dask = both.both("evaluate_model", {}, {"scored_dataset": scored["scored_dataset"].digest})
    assert pandas["evaluation_results"].values == dask["evaluation_results"].values
    assert pandas["evaluation_results"].task == "binary"


def test_train_model_with_lightgbm_on_dask_stays_within_the_auc_tolerance(big_partitions: Both) -> None:
    both = big_partitions
    # given a boosted-tree learner and 20,000 training rows in 4 partitions over 2 workers (on 4,000 rows the
    # distributed bins, found from each worker's own rows, moved the AUC by up to 0.0042; on 20,000 by 0.0013)
    learner, train, test = pipeline_inputs(both, 20_000, 5_000)
    inputs = {"untrained_model": learner, "dataset": train}

    # when Train Model runs both ways
    pandas, dask = both.both("train_model", {"label_column": "label"}, inputs)

    # then both are the same kind of model, and score the test table within the tolerance
    local, distributed = pandas["trained_model"], dask["trained_model"]
    assert isinstance(distributed, FittedModel)
    assert type(distributed.estimator.steps[-1][1]) is type(local.estimator.steps[-1][1])
    assert (distributed.classes, distributed.feature_columns) == (local.classes, local.feature_columns)
    assert any("data-parallel on the Dask cluster" in line for line in both.logs)
    auc = {name: _auc(both, model, test) for name, model in (("pandas", local), ("dask", distributed))}
    assert auc["pandas"] > 0.8
    assert abs(auc["pandas"] - auc["dask"]) <= AUC_TOLERANCE, auc


def _auc(both: Both, model: FittedModel, test: str) -> float:
    from sklearn.metrics import roc_auc_score

    from modules.library.scoring.score_model import score_table
    from modules.sdk import Table

    table = Table.deserialize(both.store.get(test))
    scored = score_table(model, table)
    return float(roc_auc_score(scored.df["label"], scored.df["Scored Probabilities"]))


class Cancellable(LocalContext):
    """A context whose run is cancelled once ``cancel`` is set, as a worker's is by the run's cancellation."""

    def __init__(self) -> None:
        super().__init__(node_id="n")
        self.cancel = threading.Event()

    def check_cancelled(self) -> None:
        if self.cancel.is_set():
            raise Cancelled("the run was cancelled")


def long_training(both: Both) -> tuple[dict[str, str], Any]:
    """Inputs of a LightGBM training that would take minutes (tiny learning rate, 100,000 trees) on 80,000 rows
    in 4 partitions, and a function that lists the workers boosting."""
    params = {"number_of_trees_constructed": 100_000, "learning_rate": 0.001}
    learner = both.run("two_class_boosted_decision_tree", params, {}, dask=False)["untrained_model"].digest
    train = both.put(classification(80_000, seed=1), label_column="label")

    def boosting() -> list[str]:  # the workers training (those the partitions landed on: usually both)
        return sorted(w for w, keys in both.client.processing().items() if any("_train_part" in str(k) for k in keys))

    return {"untrained_model": learner, "dataset": train}, boosting


def in_thread(run: Any) -> tuple[threading.Thread, list[BaseException]]:
    outcome: list[BaseException] = []

    def target() -> None:
        try:
            run()
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def _wait_for(condition: Any, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_worker_lost_while_lightgbm_trains_fails_the_node_naming_it(store: Any, tmp_path: Path) -> None:
    from distributed import Client

    # given a cluster of its own (one of its workers is killed) and a long LightGBM training on it
    with local_cluster(tmp_path / "dask") as cluster, Client(cluster.address) as client:
        both = Both(store, client)
        both.target = ComputeTarget("test", dask="tcp://test", path="dask", partition_rows=20_000)
        inputs, boosting = long_training(both)
        training, outcome = in_thread(lambda: both.run("train_model", {"label_column": "label"}, inputs, dask=True))
        _wait_for(lambda: boosting() or bool(outcome))
        assert not outcome, outcome
        time.sleep(1.0)  # past setting up LightGBM's network: boosting rounds are under way

        # when a training worker's process is killed (as the nanny does past the memory limit); it is restarted
        victim = boosting()[0]
        pids = client.run(os.getpid)
        os.kill(pids[victim], signal.SIGKILL)
        killed = time.monotonic()

        # then the node fails within seconds, naming the worker and its memory limit, not with a socket error
        training.join(timeout=60)
        assert not training.is_alive(), "Train Model still running 60 s after its Dask worker was killed"
        assert time.monotonic() - killed < 30
        assert len(outcome) == 1 and isinstance(outcome[0], NodeFailed), outcome
        problem = outcome[0].problem
        assert (problem.code, problem.node, problem.port) == ("module_error", "n", "dataset"), problem
        assert f"Dask worker {victim} (memory limit 0.5 GiB) left the cluster" in problem.message


def test_cancelling_a_run_stops_lightgbms_training_on_every_dask_worker(store: Any, tmp_path: Path) -> None:
    from distributed import Client

    # given a long LightGBM training on a cluster of its own
    with local_cluster(tmp_path / "dask") as cluster, Client(cluster.address) as client:
        both = Both(store, client)
        both.target = ComputeTarget("test", dask="tcp://test", path="dask", partition_rows=20_000)
        inputs, boosting = long_training(both)
        ctx = Cancellable()
        run = lambda: both.run("train_model", {"label_column": "label"}, inputs, dask=True, ctx=ctx)  # noqa: E731
        training, outcome = in_thread(run)
        _wait_for(lambda: boosting() or bool(outcome))
        assert not outcome, outcome
        time.sleep(1.0)

        # when the run is cancelled
        ctx.cancel.set()
        cancelled = time.monotonic()

        # then the node stops within seconds
        training.join(timeout=30)
        assert not training.is_alive() and time.monotonic() - cancelled < 10
        assert len(outcome) == 1 and isinstance(outcome[0], Cancelled), outcome
        # and so does the training on both workers: the cluster is free for the next node, and trains it
        _wait_for(lambda: not any(client.processing().values()), timeout=30)
        quick = both.run("two_class_boosted_decision_tree", {"number_of_trees_constructed": 5}, {}, dask=False)
        again = both.run(
            "train_model",
            {"label_column": "label"},
            {**inputs, "untrained_model": quick["untrained_model"].digest},
            dask=True,
        )
        assert isinstance(load(both, again), FittedModel)


def load(both: Both, records: dict[str, Any]) -> Any:
    return both.values(records)["trained_model"]


def test_train_model_refuses_to_gather_a_table_past_what_a_worker_may_hold(
    both: Both, monkeypatch: pytest.MonkeyPatch
) -> None:
    from modules.library.scoring.score_model import score_table
    from modules.sdk import DataTable

    # given a learner without a distributed trainer (its table is gathered into the worker), 2,000 rows in
    # partitions of 7, and a worker allowed to gather 0.02 MiB
    learner = both.run("two_class_logistic_regression", {}, {}, dask=False)["untrained_model"].digest
    table = classification(2_000, seed=1).drop(columns="f5")  # no missing values: logistic regression takes none
    inputs = {"untrained_model": learner, "dataset": both.put(table, label_column="label")}
    monkeypatch.setenv("TESSERA_GATHER_LIMIT_MB", "0.02")

    # when Train Model runs on the Dask path, then it stops gathering and fails naming the port and the way out
    with pytest.raises(NodeFailed) as failed:
        both.run("train_model", {"label_column": "label"}, inputs, dask=True)
    problem = failed.value.problem
    assert (problem.code, problem.node, problem.port) == ("module_error", "n", "dataset"), problem
    assert "Train Model" in problem.message and "too large to gather into one worker" in problem.message
    assert "TESSERA_GATHER_LIMIT_MB" in problem.message and "Partition and Sample" in problem.message

    # and within the limit the same table is gathered and trains the model the pandas path trains
    monkeypatch.setenv("TESSERA_GATHER_LIMIT_MB", "64")
    pandas, dask = both.both("train_model", {"label_column": "label"}, inputs)
    assert any("the table is gathered" in line for line in both.logs)
    rows = DataTable(classification(50, seed=2).drop(columns=["f5", "label"]), {})
    scores = [score_table(m["trained_model"], rows).df["Scored Probabilities"] for m in (pandas, dask)]
    pd.testing.assert_series_equal(*scores)
