"""AutoML's greedy ensemble selection (version 3): equal to Caruana's procedure driven directly on the trials
refitted by Train Model and scored by Score Model; weighted members; older versions unchanged."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.estimators.automl_ensemble import SoftVotingClassifier
from modules.library.scoring.score_model import score_table
from modules.library.training import _automl, _automl_selection
from modules.library.training.automl import (
    AutoMLClassification,
    AutoMLClassificationV2,
    AutoMLRegression,
)
from modules.library.training.cross_validate_model import binary_metrics, binary_truth, score_metrics
from modules.sdk import DataTable, LocalContext, TrainedModel, default_registry
from tests.modules.test_automl import _holdout, _numeric, _regression, _run, _trained

ENSEMBLE = "Soft-voting ensemble"


def _caruana(scores: dict[int, np.ndarray], order: list[int], y: np.ndarray, size: int, picks: int) -> dict[int, int]:
    """Caruana's ensemble selection written out: start empty, add with replacement the trial whose probabilities
    averaged in give the best AUC (the first of equal ones, in ``order``), at most ``size`` distinct; the best
    prefix (the earliest of equal ones)."""
    from sklearn.metrics import roc_auc_score

    counts: dict[int, int] = {}
    total = np.zeros(len(y))
    best_value, best_counts = -np.inf, {}
    for _ in range(picks):
        pool = [t for t in order if t in counts] if len(counts) >= size else order
        values = [roc_auc_score(y, (total + scores[t]) / (sum(counts.values()) + 1)) for t in pool]
        chosen = pool[int(np.argmax(values))]
        total = total + scores[chosen]
        counts[chosen] = counts.get(chosen, 0) + 1
        if max(values) > best_value:
            best_value, best_counts = max(values), dict(counts)
    return best_counts


def test_greedy_selection_picks_what_caruanas_procedure_picks_from_the_trials_own_held_out_scores() -> None:
    # given a search whose best trials disagree enough for a mix to win
    df = _numeric(seed=0)
    params = {"label_column": "y", "maximum_number_of_trials": 12, "maximum_concurrent_trials": 4, "random_seed": 0}
    out = _run(AutoMLClassification(), df, **params, ensemble_size=3)

    board = out["leaderboard"].df.to_dict("records")
    ensemble = next(r for r in board if r["Algorithm"] == ENSEMBLE)
    trials = [r for r in board if r["Algorithm"] != ENSEMBLE and r["Status"] == "completed"]
    # each completed trial trained by Train Model on the holdout's training rows, scored by Score Model on the rest
    fit, held = _holdout(df, "y", 0, stratify=True)
    library = []
    for row in trials:  # the best distinct ones, best first (the board's order)
        if (row["Algorithm"], row["Hyperparameters"]) not in {(r["Algorithm"], r["Hyperparameters"]) for r in library}:
            library.append(row)
    library = library[: _automl_selection.LIBRARY]
    probabilities = {
        r["Trial"]: score_table(_trained("binary", r, 0, fit, "y"), held).df["Scored Probabilities"].to_numpy()
        for r in library
    }
    y = held.df["y"].to_numpy() == "yes"
    expected = _caruana(probabilities, [r["Trial"] for r in library], y, 3, _automl_selection.PICKS)

    # then the ensemble row holds the same trials with the same weights, in first-pick order
    chosen = json.loads(ensemble["Hyperparameters"])
    assert dict(zip(chosen["trials"], chosen["weights"], strict=True)) == expected
    assert chosen["trials"][0] == trials[0]["Trial"] and len(expected) >= 2
    # its metrics are those of the weighted mean of those probabilities, by Evaluate Model's definitions
    mixed = sum(w * probabilities[t] for t, w in expected.items()) / sum(expected.values())
    assert ensemble["AUC"] == pytest.approx(binary_metrics(y, mixed)["AUC"], abs=1e-12)
    assert ensemble["Average log loss"] == pytest.approx(binary_metrics(y, mixed)["Average log loss"], abs=1e-12)
    assert ensemble["AUC"] > trials[0]["AUC"] and board[0]["Trial"] == ensemble["Trial"]
    assert ensemble["Worker"] == _automl.worker_name() and ensemble["Status"] == "completed"  # this process

    # and the trained model is that ensemble refitted on every row: members trained by Train Model, weighted
    model = out["trained_model"]
    weights = ", ".join(f"{t} ×{w}" for t, w in zip(chosen["trials"], chosen["weights"], strict=True))
    assert model.name == f"AutoML: soft-voting ensemble of trials {weights}"
    rows = DataTable(df.drop(columns=["y"]).head(40))
    members = {r["Trial"]: r for r in trials}
    whole = {
        t: score_table(_trained("binary", members[t], 0, DataTable(df), "y"), rows).df["Scored Probabilities"]
        for t in chosen["trials"]
    }
    weighted = sum(w * whole[t].to_numpy() for t, w in expected.items()) / sum(expected.values())
    scored = score_table(model, rows).df
    assert scored["Scored Probabilities"].to_numpy() == pytest.approx(weighted, abs=1e-12)
    assert scored["Scored Labels"].tolist() == np.where(weighted > 0.5, "yes", "no").tolist()
    loaded = TrainedModel.deserialize(TrainedModel.serialize(model))  # skops, the trusted types only
    pd.testing.assert_frame_equal(score_table(loaded, rows).df, scored)


def test_selection_weighs_a_trial_picked_twice_and_keeps_to_the_ensemble_size() -> None:
    # given three trials' scores on 8 held-out rows: a alone is best, a and b together better, c useless
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0], dtype=bool)
    a = np.array([0.9, 0.8, 0.4, 0.6, 0.5, 0.3, 0.2, 0.1])
    b = np.array([0.6, 0.3, 0.9, 0.7, 0.2, 0.4, 0.1, 0.35])
    c = np.array([0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5])
    held = [DataTable(pd.DataFrame({"y": pd.Series(np.where(y, "yes", "no"), dtype="str")}))]

    def encoded(p: np.ndarray) -> dict[str, Any]:
        table = DataTable(pd.DataFrame({"y": held[0].df["y"], "Scored Probabilities": p}))
        table.meta.update(task="binary", positive_class="yes")
        return _automl_selection.encode_scores([table], "y")  # type: ignore[return-value]

    library = [(1, encoded(a)), (2, encoded(b)), (3, encoded(c))]

    greedy = _automl_selection.select(library, held, "y", "AUC", True, size=5, picks=6)
    limited = _automl_selection.select(library, held, "y", "AUC", True, size=1, picks=6)

    assert greedy is not None and greedy.counts[0] == {1: 1} and greedy.path[0] == binary_metrics(y, a)["AUC"]
    found = greedy.selection(greedy.ranked()[0])
    assert found.trials[0] == 1 and 3 not in found.trials and len(found.trials) == 2
    assert found.value == max(greedy.path) > found.single == greedy.path[0]
    mixed = sum(w * p for w, p in zip(found.weights, (a, b), strict=True)) / sum(found.weights)
    assert found.metrics["AUC"] == pytest.approx(binary_metrics(y, mixed)["AUC"], abs=1e-12)
    # prefixes are ranked best first, each mixing two trials at least and beating trial 1 alone
    assert all(len(greedy.counts[i]) >= 2 and greedy.path[i] > greedy.path[0] for i in greedy.ranked())
    # one distinct trial at most: trial 1 picked again and again, no mix to rank
    assert limited is not None and all(c == {1: i + 1} for i, c in enumerate(limited.counts))
    assert limited.ranked() == []


def test_held_out_scores_travel_exactly_and_not_past_the_limit(monkeypatch) -> None:
    p = np.random.default_rng(0).random(50)
    table = DataTable(pd.DataFrame({"y": pd.Series(["a"] * 50, dtype="str"), "Scored Probabilities": p}))
    table.meta.update(task="binary", positive_class="a")

    encoded = _automl_selection.encode_scores([table, table], "y")

    assert encoded is not None and json.loads(json.dumps(encoded)) == encoded
    decoded = _automl_selection.decode_scores(encoded)
    assert len(decoded) == 2 and decoded[1]["Scored Probabilities"].tobytes() == p.tobytes()
    monkeypatch.setattr(_automl_selection, "SCORES_LIMIT", 99)
    assert _automl_selection.encode_scores([table, table], "y") is None


@pytest.mark.parametrize("metric", ["AUC", "Accuracy", "Precision", "Recall", "F-score", "Average log loss"])
def test_one_two_class_metric_alone_is_the_one_score_metrics_gives(metric: str) -> None:
    rng = np.random.default_rng(1)
    labels = pd.Series(rng.choice(["yes", "no"], 300), dtype="str")
    p = rng.random(300)
    scored = DataTable(
        pd.DataFrame({"y": labels, "Scored Probabilities": p}), {"task": "binary", "positive_class": "yes"}
    )

    assert binary_metrics(binary_truth(labels, "yes"), p)[metric] == score_metrics(scored, "y")[metric]


def test_a_regression_ensemble_is_selected_on_the_mean_over_the_folds() -> None:
    df = _regression(seed=3)
    out = _run(
        AutoMLRegression(),
        df,
        label_column="target",
        maximum_number_of_trials=10,
        maximum_concurrent_trials=5,
        random_seed=3,
        validation_type="Cross-validation",
        number_of_folds=3,
    )

    board = out["leaderboard"].df.to_dict("records")
    ensembles = [r for r in board if r["Algorithm"] == ENSEMBLE]
    best_single = max(r["Coefficient of determination"] for r in board if r["Algorithm"] != ENSEMBLE)
    if ensembles:  # a row only when it beats the best single trial on the folds' mean
        assert ensembles[0]["Coefficient of determination"] > best_single
        chosen = json.loads(ensembles[0]["Hyperparameters"])
        assert len(chosen["trials"]) >= 2 and all(w >= 1 for w in chosen["weights"])
    else:
        assert board[0]["Coefficient of determination"] == best_single
    assert out["trained_model"].task == "regression"


def test_version_2_still_averages_the_best_trials_each_once() -> None:
    df = _numeric(seed=0)
    params = {"label_column": "y", "maximum_number_of_trials": 8, "maximum_concurrent_trials": 4, "random_seed": 0}
    module = AutoMLClassificationV2()

    out = module.run(
        {"training_dataset": DataTable(df)}, module.parse_params({**params, "ensemble_size": 3}), LocalContext()
    )

    assert default_registry().latest_version("automl_classification") == 3
    assert "ensemble_method" not in AutoMLClassificationV2.Params.model_fields
    ensemble = next(r for r in out["leaderboard"].df.to_dict("records") if r["Algorithm"] == ENSEMBLE)
    assert list(json.loads(ensemble["Hyperparameters"])) == ["trials"]  # no weights: each member once
    latest = _run(AutoMLClassification(), df, **params, ensemble_size=3, ensemble_method="Average of the best")
    pd.testing.assert_frame_equal(
        out["leaderboard"].df.drop(columns=["Duration (s)", "Worker"]),
        latest["leaderboard"].df.drop(columns=["Duration (s)", "Worker"]),
    )


def test_an_ensemble_saved_without_weights_scores_as_it_did() -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(80, 3)), rng.integers(0, 2, 80)
    members = [("a", LogisticRegression()), ("b", DecisionTreeClassifier(max_depth=2, random_state=0))]
    model = SoftVotingClassifier(members).fit(x, y)
    del model.__dict__["weights"]  # as skops loads a model saved before weights existed

    expected = (members[0][1].fit(x, y).predict_proba(x) + members[1][1].fit(x, y).predict_proba(x)) / 2
    assert model.predict_proba(x) == pytest.approx(expected, abs=1e-15)
    weighted = SoftVotingClassifier(members, weights=[3, 1]).fit(x, y)
    assert weighted.predict_proba(x) == pytest.approx(
        (3 * members[0][1].predict_proba(x) + members[1][1].predict_proba(x)) / 4, abs=1e-15
    )


@pytest.mark.parametrize("metric", ["AUC", "Accuracy", "Precision", "Recall", "F-score", "Average log loss"])
@pytest.mark.parametrize("case", ["random", "ties", "certain", "one class", "none predicted"])
def test_the_fast_metric_selection_uses_equals_the_one_evaluate_model_reports(metric: str, case: str) -> None:
    rng = np.random.default_rng(7)
    y = rng.random(500) < 0.3
    p = {
        "random": rng.random(500),
        "ties": rng.integers(0, 5, 500) / 4,  # many equal scores, 0 and 1 among them
        "certain": y.astype("float64"),
        "one class": rng.random(500),
        "none predicted": rng.random(500) * 0.5,
    }[case]
    if case == "one class":
        y = np.zeros(500, dtype=bool)

    fast = _automl_selection.fast_binary_metric(metric, y, p)

    expected = binary_metrics(y, p)[metric]
    assert (np.isnan(fast) and np.isnan(expected)) or fast == pytest.approx(expected, abs=1e-12)


def test_only_the_trials_selection_may_pick_keep_their_scores_in_memory() -> None:
    from modules.library.training.automl import _keep_library_scores

    # given 30 completed trials (the last five repeating earlier settings) and a failed one, all but it with scores
    rows = [
        {"trial": n, "algorithm": "A", "settings": {"k": n % 25}, "status": "completed", "metrics": {"AUC": n / 100}}
        for n in range(1, 31)
    ] + [{"trial": 31, "algorithm": "A", "settings": {}, "status": "failed", "metrics": {}}]
    scores: dict[int, Any] = {n: {"splits": []} for n in range(1, 31)} | {31: None}

    _keep_library_scores(rows, scores, "AUC")

    # then the 20 best distinct ones keep theirs (30..11, a repeat's own scores kept: it is the better of its pair)
    assert {n for n, s in scores.items() if s is not None} == set(range(11, 31))
    assert _automl_selection.LIBRARY == 20
