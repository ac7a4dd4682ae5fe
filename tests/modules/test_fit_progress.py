"""Train Model reports a learner's own steps (boosting rounds, trees, epochs) with the very model it fits
without counting, beats "N s elapsed" for learners that cannot count, and stops a counting fit when the
run is cancelled."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.library import _fit_progress
from modules.library._fit_progress import reporting
from modules.sdk import Cancelled, DataTable, LocalContext, TrainedModel, default_registry


def labelled(n: int = 2000, seed: int = 0) -> DataTable:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.normal(size=(n, 4)), columns=["a", "b", "c", "d"])
    df["colour"] = pd.Series(rng.choice(["red", "green", "blue"], size=n), dtype="str")
    signal = df["a"] - df["b"] * df["c"] + (df["colour"] == "red") + rng.normal(scale=0.5, size=n)
    df["label"] = pd.Series(np.where(signal > 0.3, "yes", "no"), dtype="str")
    return DataTable(df)


def learner(module_id: str, ctx: Any, **params: Any) -> Any:
    cls = default_registry().get(module_id)
    return cls().run({}, cls.parse_params(params), ctx)["untrained_model"]


def train(module_id: str, ctx: LocalContext, data: DataTable | None = None, **params: Any) -> Any:
    cls = default_registry().get("train_model")
    inputs = {"untrained_model": learner(module_id, ctx, **params), "dataset": data or labelled()}
    model = cls().run(inputs, cls.parse_params({"label_column": "label"}), ctx)["trained_model"]
    return TrainedModel.deserialize(TrainedModel.serialize(model)).estimator


def fit_directly(module_id: str, **params: Any) -> Any:
    """The same pipeline Train Model builds, fitted with plain ``Pipeline.fit`` (no counting)."""
    from modules.library._features import build_pipeline, features_for

    table = labelled().df
    types = {"a": "number", "b": "number", "c": "number", "d": "number", "colour": "string"}
    estimator = learner(module_id, LocalContext(), **params).estimator
    features = features_for(estimator, table, types, what=module_id)
    return build_pipeline(types, estimator).fit(features, table["label"].to_numpy(dtype=object))


def fractions(ctx: LocalContext) -> list[float]:
    return [f for f, _ in ctx.progress_updates]


@pytest.mark.parametrize(
    ("module_id", "params", "unit", "steps", "first", "last"),
    [
        ("two_class_boosted_decision_tree", {"number_of_trees_constructed": 12}, "boosting round", 12, 1, 12),
        ("two_class_decision_forest", {"number_of_decision_trees": 8}, "tree", 4, 2, 8),
        ("two_class_neural_network", {"number_of_learning_iterations": 5}, "epoch", 5, 1, 5),
    ],
)
def test_a_counting_learner_reports_each_step_and_fits_the_model_it_fits_uncounted(
    module_id: str, params: dict[str, Any], unit: str, steps: int, first: int, last: int
) -> None:
    # when Train Model fits a learner that counts its steps (on 2 threads: the forest grows 2 trees at a time)
    ctx = LocalContext(threads=2)
    counted = train(module_id, ctx, **params)

    # then the bar moves once per step, up to 1, each message saying which step
    during = [(f, m) for f, m in ctx.progress_updates if f"{unit} " in m]
    assert len(during) == steps
    assert [f for f, _ in during] == sorted({f for f, _ in during})
    assert during[-1][0] == 1.0
    name = default_registry().get(module_id).name
    assert during[0][1] == f"fitting {name} on 2,000 rows × 5 columns: {unit} {first} / {last}"
    assert during[-1][1] == f"fitting {name} on 2,000 rows × 5 columns: {unit} {last} / {last}"
    # and the model is the one a plain fit gives, to the bit
    rows = labelled(300, seed=1).df.drop(columns="label")
    np.testing.assert_array_equal(counted.predict_proba(rows), fit_directly(module_id, **params).predict_proba(rows))
    final = counted.steps[-1][1]
    assert final.get_params() == fit_directly(module_id, **params).steps[-1][1].get_params()


def test_a_forest_grown_in_chunks_holds_the_trees_grown_at_once() -> None:
    # when a forest of 10 trees grows 2 at a time through Train Model
    counted = train("two_class_decision_forest", LocalContext(threads=2), number_of_decision_trees=10)
    direct = fit_directly("two_class_decision_forest", number_of_decision_trees=10)

    # then every tree is the same tree, and the forest says it grows all at once, without warm start
    ours, theirs = counted.steps[-1][1], direct.steps[-1][1]
    assert (ours.n_estimators, ours.warm_start, len(ours.estimators_)) == (10, False, 10)
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        assert a.random_state == b.random_state
        np.testing.assert_array_equal(a.tree_.threshold, b.tree_.threshold)
        np.testing.assert_array_equal(a.tree_.value, b.tree_.value)


def test_lightgbm_counted_keeps_the_same_model_text() -> None:
    counted = train("two_class_boosted_decision_tree", LocalContext(threads=1), number_of_trees_constructed=15)
    direct = fit_directly("two_class_boosted_decision_tree", number_of_trees_constructed=15)

    assert counted.steps[-1][1].booster_.model_to_string() == direct.steps[-1][1].booster_.model_to_string()


def test_a_learner_that_cannot_count_beats_with_the_time_elapsed(monkeypatch: pytest.MonkeyPatch) -> None:
    # given beats every 50 ms and a block of work that lasts 0.4 s
    monkeypatch.setattr(_fit_progress, "BEAT_SECONDS", 0.05)
    ctx = LocalContext()

    with reporting(ctx, "fitting Poisson Regression on 10 rows × 2 columns", 0.1):
        time.sleep(0.4)

    # then several beats came, all at the fraction the fit began at, saying what it does and for how long
    assert len(ctx.progress_updates) >= 4
    assert {f for f, _ in ctx.progress_updates} == {0.1}
    assert all(
        m.startswith("fitting Poisson Regression on 10 rows × 2 columns, ") and m.endswith(" s elapsed")
        for _, m in ctx.progress_updates
    )


def test_no_beat_comes_after_the_fit_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_fit_progress, "BEAT_SECONDS", 0.02)
    ctx = LocalContext()

    with reporting(ctx, "fitting", 0.1):
        time.sleep(0.1)
    seen = len(ctx.progress_updates)
    time.sleep(0.1)

    assert seen >= 2
    assert len(ctx.progress_updates) == seen


class CancelsAfter(LocalContext):
    """A run cancelled once the fit has reported ``steps`` steps."""

    def __init__(self, steps: int) -> None:
        super().__init__(threads=1)
        self.steps = steps

    def check_cancelled(self) -> None:
        if sum(" / " in m for _, m in self.progress_updates) >= self.steps:
            raise Cancelled("run cancelled")


@pytest.mark.parametrize(
    ("module_id", "params"),
    [
        ("two_class_boosted_decision_tree", {"number_of_trees_constructed": 50}),
        ("two_class_decision_forest", {"number_of_decision_trees": 40}),
        ("two_class_neural_network", {"number_of_learning_iterations": 50}),
    ],
)
def test_a_counting_fit_stops_at_the_step_after_the_run_is_cancelled(module_id: str, params: dict[str, Any]) -> None:
    ctx = CancelsAfter(3)

    with pytest.raises(Cancelled):
        train(module_id, ctx, **params)

    assert sum(" / " in m for _, m in ctx.progress_updates) == 3
