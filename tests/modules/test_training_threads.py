"""Train Model fits on the threads its context gives (``ctx.threads``), and the model it saves is the same
on any number of them: same trees, same predictions, same settings (one thread for serving)."""

from __future__ import annotations

from typing import Any

import lightgbm
import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier

from modules.library._threads import fitting_threads
from modules.sdk import DataTable, LocalContext, TrainedModel, default_registry, threads_of


def labelled(n: int = 3000, seed: int = 0) -> DataTable:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6))
    x[rng.random(x.shape) < 0.05] = np.nan
    label = np.where(np.nan_to_num(x[:, 0]) + np.nan_to_num(x[:, 1]) * x[:, 2].clip(-1, 1) > 0, "yes", "no")
    df = pd.DataFrame(x, columns=[f"f{i}" for i in range(6)])
    df["label"] = pd.Series(label, dtype="str")
    return DataTable(df)


def train(learner_id: str, threads: int, **learner_params: Any) -> Any:
    registry = default_registry()
    ctx = LocalContext(threads=threads)
    learner_cls = registry.get(learner_id)
    learner = learner_cls().run({}, learner_cls.parse_params(learner_params), ctx)["untrained_model"]
    train_cls = registry.get("train_model")
    inputs = {"untrained_model": learner, "dataset": labelled()}
    model = train_cls().run(inputs, train_cls.parse_params({"label_column": "label"}), ctx)["trained_model"]
    return TrainedModel.deserialize(TrainedModel.serialize(model)).estimator  # as it is saved and served


@pytest.mark.parametrize(
    ("learner_id", "params"),
    [
        (
            "two_class_boosted_decision_tree",
            {"number_of_trees_constructed": 40, "maximum_number_of_leaves_per_tree": 31},
        ),
        ("two_class_decision_forest", {"number_of_decision_trees": 6}),
    ],
)
def test_a_model_trained_on_two_threads_is_the_one_trained_on_one(learner_id: str, params: dict[str, Any]) -> None:
    # when the same learner is trained on the same rows with 1 and with 2 threads
    one, two = train(learner_id, 1, **params), train(learner_id, 2, **params)

    # then the saved models hold the same trees, predict alike, and say one thread
    rows = labelled(500, seed=1).df.drop(columns="label")
    np.testing.assert_array_equal(one.predict_proba(rows), two.predict_proba(rows))
    final_one, final_two = one.steps[-1][1], two.steps[-1][1]
    assert final_one.get_params() == final_two.get_params()
    assert final_two.n_jobs == 1
    if hasattr(final_one, "booster_"):
        assert final_one.booster_.model_to_string() == final_two.booster_.model_to_string()


def test_lightgbm_fits_on_the_threads_given_and_saves_one() -> None:
    # given a LightGBM classifier built as the learners build it (one thread)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2000, 4)), rng.integers(0, 2, 2000)
    model = lightgbm.LGBMClassifier(n_estimators=5, n_jobs=1, deterministic=True, force_col_wise=True, verbose=-1)
    seen: list[int] = []

    # when it is fitted inside fitting_threads(model, 3)
    with fitting_threads(model, 3):
        model.fit(x, y, callbacks=[lambda env: seen.append(env.params["num_threads"])])

    # then LightGBM trained on 3 threads, and the fitted model says 1 again, in its settings and its text
    assert set(seen) == {3}
    assert model.get_params()["n_jobs"] == 1
    assert "[num_threads: 1]" in model.booster_.model_to_string()
    assert model.predict_proba(x).shape == (2000, 2)


def test_an_estimator_without_n_jobs_is_left_alone() -> None:
    # given an estimator whose settings have no n_jobs
    from sklearn.tree import DecisionTreeClassifier

    model = DecisionTreeClassifier()

    # when it is fitted inside fitting_threads, then its settings are untouched
    with fitting_threads(model, 4):
        model.fit([[0], [1]], [0, 1])
    assert model.get_params() == DecisionTreeClassifier().get_params()


def test_a_forest_gets_the_threads_during_the_fit_only() -> None:
    forest = RandomForestClassifier(n_estimators=2, n_jobs=1)
    with fitting_threads(forest, 2):
        assert forest.n_jobs == 2
    assert forest.n_jobs == 1


@pytest.mark.parametrize(("given", "expected"), [(None, 1), (4, 4), (0, 1), (-2, 1), ("x", 1)])
def test_threads_of_a_context(given: Any, expected: int) -> None:
    class Old:  # a context written before ctx.threads existed
        pass

    ctx = Old() if given is None else LocalContext(threads=given)
    assert threads_of(ctx) == expected


def test_a_local_context_uses_one_thread_unless_told() -> None:
    assert LocalContext().threads == 1


@pytest.mark.parametrize(
    ("learner_id", "params", "uses_threads"),
    [
        ("two_class_boosted_decision_tree", {"number_of_trees_constructed": 40}, True),
        ("multiclass_boosted_decision_tree", {"number_of_trees_constructed": 20}, True),
        ("two_class_decision_forest", {"number_of_decision_trees": 6}, False),
    ],
)
def test_score_model_predicts_on_the_nodes_threads_with_the_same_scores(
    learner_id: str, params: dict[str, Any], uses_threads: bool
) -> None:
    from modules.library.scoring.score_model import predict_threads, score_table

    # given a model saved as Train Model saves it, and rows to score
    registry = default_registry()
    learner_cls = registry.get(learner_id)
    learner = learner_cls().run({}, learner_cls.parse_params(params), LocalContext())["untrained_model"]
    train_cls = registry.get("train_model")
    inputs = {"untrained_model": learner, "dataset": labelled()}
    model = train_cls().run(inputs, train_cls.parse_params({"label_column": "label"}), LocalContext())["trained_model"]
    model = TrainedModel.deserialize(TrainedModel.serialize(model))
    rows = labelled(20_000, seed=2)

    # when Score Model scores them on one thread and on two (as a node alone on a 2-core worker would)
    one = score_table(model, rows, threads=1).df
    two = score_table(model, rows, threads=2).df
    node = registry.get("score_model")
    by_node = node().run({"trained_model": model, "dataset": rows}, node.parse_params({}), LocalContext(threads=2))

    # then the scores are the same to the bit, and only LightGBM is handed the threads
    pd.testing.assert_frame_equal(one, two, check_exact=True)
    pd.testing.assert_frame_equal(one, by_node["scored_dataset"].df, check_exact=True)
    assert predict_threads(model.estimator, 2) == ({"num_threads": 2} if uses_threads else {})
    assert predict_threads(model.estimator, 1) == {}
