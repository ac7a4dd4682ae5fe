"""Score Model, Evaluate Model and Train Model (LightGBM's Dask estimators): the Dask path against the pandas path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from designer.engine.compute import ComputeTarget
from modules.sdk import FittedModel

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
