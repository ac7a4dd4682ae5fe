"""AutoML Classification / Regression: the search equals Optuna driven directly, guardrails, determinism, errors."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest

from modules.library.scoring.score_model import score_table
from modules.library.training import _automl
from modules.library.training.automl import AutoMLClassification, AutoMLRegression
from modules.sdk import DataTable, LocalContext, ModuleError, TrainedModel, default_registry


def _numeric(n: int = 160, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2, x3 = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    y = np.where(x1 + 0.7 * x2 + rng.normal(scale=0.8, size=n) > 0, "yes", "no")
    return pd.DataFrame({"x1": x1, "x2": x2, "x3": x3, "y": pd.Series(y, dtype="str")})


def _run(module: Any, df: pd.DataFrame, **params: Any) -> dict[str, Any]:
    """The module run in-process; measured on the holdout unless ``validation_type`` says otherwise (these tests
    compare with a holdout split by hand; "Automatic" has its own tests)."""
    params.setdefault("validation_type", "Holdout")
    return module.run({"training_dataset": DataTable(df)}, module.parse_params(params), LocalContext())


def _board(out: dict[str, Any]) -> list[dict[str, Any]]:
    df = out["leaderboard"].df.drop(columns=["Duration (s)", "Worker"])
    return df.to_dict("records")


def test_the_search_finds_what_optuna_driven_directly_finds() -> None:
    import optuna
    from sklearn.model_selection import train_test_split

    df = _numeric()
    algorithms = ["Boosted decision tree", "Decision forest", "Logistic regression"]
    out = _run(
        AutoMLClassification(),
        df,
        label_column="y",
        maximum_number_of_trials=9,
        maximum_concurrent_trials=3,
        random_seed=3,
        allowed_algorithms=algorithms,
        soft_voting_ensemble=False,
        prune_trials=False,
    )

    # The same library, the same rounds: 3 asks, 3 tells, three times; each trial trained by Train Model
    # and measured by Evaluate Model on the same stratified holdout.
    fit, held = train_test_split(
        np.arange(len(df)), test_size=round(0.2 * len(df)), random_state=3, stratify=df["y"].to_numpy()
    )
    train, test = DataTable(df.iloc[np.sort(fit)]), DataTable(df.iloc[np.sort(held)])
    registry = default_registry()
    study = optuna.create_study(direction="maximize", sampler=optuna.samplers.TPESampler(seed=3, constant_liar=True))
    found = []
    for _ in range(3):
        asked = [study.ask() for _ in range(3)]
        values = []
        for trial in asked:
            algorithm, settings = _automl.suggest(trial, "binary", algorithms)
            learner_cls = registry.get(_automl.ALGORITHMS["binary"][algorithm])
            learner = learner_cls().run(
                {}, learner_cls.parse_params({**settings, "random_number_seed": 3}), LocalContext()
            )
            ctx = LocalContext()
            model = registry.get("train_model")().run(
                {"untrained_model": learner["untrained_model"], "dataset": train},
                registry.get("train_model").parse_params({"label_column": "y"}),
                ctx,
            )["trained_model"]
            scored = registry.get("score_model")().run(
                {"trained_model": model, "dataset": test}, registry.get("score_model").parse_params({}), ctx
            )["scored_dataset"]
            metrics = registry.get("evaluate_model")().run(
                {"scored_dataset": scored}, registry.get("evaluate_model").parse_params({}), ctx
            )["evaluation_results"]
            values.append(metrics.values["AUC"])
            found.append((algorithm, settings, metrics.values["AUC"]))
        for trial, value in zip(asked, values, strict=True):
            study.tell(trial, value)

    board = _board(out)
    by_trial = sorted(board, key=lambda row: row["Trial"])
    assert [(r["Algorithm"], json.loads(r["Hyperparameters"])) for r in by_trial] == [(a, s) for a, s, _ in found]
    assert [r["AUC"] for r in by_trial] == pytest.approx([v for _, _, v in found], abs=1e-12)
    best = study.best_trial.number
    assert board[0]["Trial"] == best + 1
    assert board[0]["AUC"] == pytest.approx(study.best_value, abs=1e-12)
    assert out["leaderboard"].meta["automl"]["winner"]["algorithm"] == found[best][0]


def test_a_trial_budget_gives_the_same_leaderboard_and_model_every_time() -> None:
    df = _numeric(seed=1)
    df.loc[::9, "x2"] = np.nan
    params = {"label_column": "y", "maximum_number_of_trials": 6, "maximum_concurrent_trials": 2, "random_seed": 5}

    first, second = _run(AutoMLClassification(), df, **params), _run(AutoMLClassification(), df, **params)

    assert _board(first) == _board(second)
    assert sorted(row["Trial"] for row in _board(first)) == [1, 2, 3, 4, 5, 6, 7]  # 6 trials, then the ensemble
    assert next(r for r in _board(first) if r["Trial"] == 7)["Algorithm"] == "Soft-voting ensemble"
    probe = DataTable(df.drop(columns=["y"]).head(20))
    pd.testing.assert_frame_equal(
        score_table(first["trained_model"], probe).df, score_table(second["trained_model"], probe).df
    )


def _crafted(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """An ID column, a leaky column, 95/5 classes, high-cardinality text, free text, a date, missing numbers."""
    rng = np.random.default_rng(seed)
    y = np.where(np.arange(n) % 20 == 0, "fraud", "ok")
    words = np.array(["red", "green", "blue", "small", "large", "fast", "slow", "new", "old"])
    return pd.DataFrame(
        {
            "customer_id": pd.Series([f"C{i:05d}" for i in rng.permutation(n)], dtype="str"),
            "amount": np.where(rng.random(n) < 0.1, np.nan, rng.gamma(2.0, 50.0, n)),
            "refund_flag": pd.Series(np.where(y == "fraud", "R", "N"), dtype="str"),
            "merchant": pd.Series([f"M{v}" for v in rng.integers(0, 150, n)], dtype="str"),
            "note": pd.Series([" ".join(rng.choice(words, 5)) for _ in range(n)], dtype="str"),
            "when": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24, n), unit="h"),
            "y": pd.Series(y, dtype="str"),
        }
    )


def test_the_guardrails_fire_on_crafted_data() -> None:
    out = _run(AutoMLClassification(), _crafted(), label_column="y", maximum_number_of_trials=2)

    rails = out["guardrails"].df.to_dict("records")
    assert [(r["Guardrail"], r["Status"], r["Columns"]) for r in rails] == [
        ("Missing feature values", "fixed", "amount"),
        ("ID-like columns", "fixed", "customer_id"),
        ("High-cardinality text", "fixed", "merchant"),
        ("Free text", "fixed", "note"),
        ("Dates", "fixed", "when"),
        ("Class balance", "fixed", "y"),
        ("Label leakage", "alerted", "refund_flag"),
    ]
    assert rails[5]["Detail"].startswith("imbalanced (ok: 380, fraud: 20; rarest ['fraud'])")
    featurizer = out["trained_model"].estimator.steps[0][1]
    assert (featurizer.numeric, featurizer.dates, featurizer.categorical, featurizer.hashed, featurizer.text) == (
        ["amount"],
        ["when"],
        ["refund_flag"],
        ["merchant"],
        ["note"],
    )
    model = out["trained_model"].estimator.steps[-1][1]
    weights = [v for k, v in model.get_params(deep=True).items() if k.endswith("class_weight")]
    assert weights and set(weights) == {"balanced"}


def test_guardrails_only_alert_when_featurization_is_off() -> None:
    df = _crafted().drop(columns=["amount"])
    out = _run(
        AutoMLClassification(),
        df,
        label_column="y",
        maximum_number_of_trials=1,
        maximum_concurrent_trials=1,
        automatic_featurization=False,
    )

    statuses = {r["Guardrail"]: r["Status"] for r in out["guardrails"].df.to_dict("records")}
    assert statuses == {
        "Missing feature values": "passed",
        "ID-like columns": "alerted",
        "High-cardinality text": "alerted",
        "Free text": "alerted",
        "Dates": "alerted",
        "Class balance": "alerted",
        "Label leakage": "alerted",
    }
    assert [name for name, _ in out["trained_model"].estimator.steps] == ["features", "model"]


def test_the_winner_scores_raw_rows_with_missing_values_and_unseen_text_after_saving() -> None:
    df = _crafted()
    out = _run(AutoMLClassification(), df, label_column="y", maximum_number_of_trials=3, maximum_concurrent_trials=3)
    model = out["trained_model"]
    rows = df.drop(columns=["y"]).head(6).copy()
    rows["amount"] = np.nan
    rows["merchant"] = "never seen"
    rows.loc[rows.index[0], "note"] = None

    loaded = TrainedModel.deserialize(TrainedModel.serialize(model))

    before = score_table(model, DataTable(rows)).df
    pd.testing.assert_frame_equal(score_table(loaded, DataTable(rows)).df, before)
    assert before["Scored Probabilities"].notna().all()


def test_the_explanation_ranks_the_informative_columns_first() -> None:
    out = _run(AutoMLRegression(), _regression(), label_column="target", maximum_number_of_trials=4)

    features = out["explanation"].df["Feature"].tolist()
    assert list(out["explanation"].df.columns) == ["Feature", "Score"]
    assert features[0] == "x1"
    assert set(features) == {"x1", "x2", "noise", "colour"}


def _regression(n: int = 200, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame(
        {
            "x1": x1,
            "x2": x2,
            "noise": rng.normal(size=n),
            "colour": pd.Series(rng.choice(["r", "g", "b"], n), dtype="str"),
            "target": 3 * x1 + x2 + rng.normal(scale=0.3, size=n),
        }
    )


def test_an_exit_score_stops_the_search_after_the_round_that_reaches_it() -> None:
    out = _run(
        AutoMLRegression(),
        _regression(),
        label_column="target",
        maximum_number_of_trials=40,
        maximum_concurrent_trials=2,
        exit_score=0.5,
    )

    board = out["leaderboard"].df
    assert sorted(board.loc[board["Algorithm"] != "Soft-voting ensemble", "Trial"]) == [1, 2]
    assert out["leaderboard"].meta["automl"]["stopped"].startswith("exit score reached")


def test_cross_validation_measures_the_mean_over_the_folds() -> None:
    out = _run(
        AutoMLRegression(),
        _regression(),
        label_column="target",
        maximum_number_of_trials=2,
        validation_type="Cross-validation",
        number_of_folds=4,
        ensemble_method="Average of the best",
    )

    assert out["leaderboard"].meta["sweep"]["evaluation"] == "4-fold cross-validation of the training dataset"
    board = out["leaderboard"].df.sort_values("Trial")
    assert board["Status"].tolist() == ["completed"] * 3
    assert board["Algorithm"].tolist()[-1] == "Soft-voting ensemble"  # measured on the same folds


@pytest.mark.parametrize(
    ("module", "df", "params", "param", "message"),
    [
        (AutoMLClassification(), _numeric(), {"allowed_algorithms": []}, "allowed_algorithms", "no algorithm is"),
        (
            AutoMLClassification(),
            _numeric(),
            {"allowed_algorithms": ["Logistic regression"], "blocked_algorithms": ["Logistic regression"]},
            "blocked_algorithms",
            "every allowed algorithm (Logistic regression) is blocked",
        ),
        (
            AutoMLClassification(),
            _numeric().assign(y=pd.Series(np.arange(160) % 3, dtype="int64").astype(str)),
            {"allowed_algorithms": ["Support vector machine"]},
            "allowed_algorithms",
            "Support vector machine is two-class only",
        ),
        (AutoMLRegression(), _numeric(), {}, "label_column", "label column 'y' is string"),
        (AutoMLClassification(), _numeric(), {"holdout_fraction": 0.995}, "holdout_fraction", "a holdout fraction"),
        (
            AutoMLClassification(),
            _numeric().assign(y="yes"),
            {},
            "label_column",
            "label column 'y' has only 1 class",
        ),
    ],
)
def test_bad_settings_are_refused_naming_the_parameter(
    module: Any, df: pd.DataFrame, params: dict[str, Any], param: str, message: str
) -> None:
    with pytest.raises(ModuleError) as caught:
        _run(module, df, label_column="y", **params)

    assert caught.value.param == param
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize("task", ["binary", "multiclass", "regression"])
def test_every_algorithm_of_every_task_runs_a_trial(task: str) -> None:
    df = _regression().rename(columns={"target": "y"})
    if task == "binary":
        df["y"] = pd.Series(np.where(df["y"] > 0, "a", "b"), dtype="str")
    elif task == "multiclass":
        df["y"] = pd.Series(pd.cut(df["y"], 3, labels=["lo", "mid", "hi"]).astype(str), dtype="str")
    module = AutoMLRegression() if task == "regression" else AutoMLClassification()
    algorithms = list(_automl.ALGORITHMS[task])

    for algorithm in algorithms:
        out = _run(
            module, df, label_column="y", maximum_number_of_trials=1, allowed_algorithms=[algorithm], random_seed=1
        )
        row = out["leaderboard"].df.iloc[0]
        assert (row["Algorithm"], row["Status"]) == (algorithm, "completed")


def test_the_progress_detail_carries_each_trial_as_the_leaderboard_records_it() -> None:
    ctx = LocalContext()
    params = {
        "label_column": "y",
        "maximum_number_of_trials": 4,
        "maximum_concurrent_trials": 2,
        "random_seed": 1,
        "validation_type": "Holdout",
    }
    module = AutoMLClassification()

    out = module.run({"training_dataset": DataTable(_numeric())}, module.parse_params(params), ctx)

    assert ctx.detail["search"] == {"metric": "AUC", "higher_is_better": True, "budget": 4}
    board = out["leaderboard"].df.sort_values("Trial")
    trials = [ctx.detail[str(n)] for n in board["Trial"]]
    # every row of the leaderboard, the soft-voting ensemble's too (5) when greedy selection found one
    assert sorted(ctx.detail) == sorted([*map(str, board["Trial"]), "search"])
    assert [t["algorithm"] for t in trials] == board["Algorithm"].tolist()
    assert [json.dumps(t["settings"], sort_keys=True) for t in trials] == board["Hyperparameters"].tolist()
    assert [t["value"] for t in trials] == board["AUC"].tolist()
    assert [t["duration_s"] for t in trials] == board["Duration (s)"].tolist()
    assert [t["status"] for t in trials] == ["completed"] * len(board)
    assert all(t["elapsed_s"] >= 0 for t in trials)
    # each round is announced running before its trials finish
    assert [fraction for fraction, message in ctx.progress_updates if "running 2" in message] == [0.0, 0.45]


def _trained(task: str, row: dict[str, Any], seed: int, train: DataTable, label: str) -> Any:
    """The trial's learner as the canvas builds it, trained by Train Model on ``train``."""
    registry = default_registry()
    learner_cls = registry.get(_automl.ALGORITHMS[task][row["Algorithm"]])
    settings = json.loads(row["Hyperparameters"])
    fields = learner_cls.Params.model_fields
    learner = learner_cls().run(
        {},
        learner_cls.parse_params(
            {**settings, **({"random_number_seed": seed} if "random_number_seed" in fields else {})}
        ),
        LocalContext(),
    )["untrained_model"]
    train_model = registry.get("train_model")
    return train_model().run(
        {"untrained_model": learner, "dataset": train},
        train_model.parse_params({"label_column": label}),
        LocalContext(),
    )["trained_model"]


def _holdout(df: pd.DataFrame, label: str, seed: int, stratify: bool) -> tuple[DataTable, DataTable]:
    from sklearn.model_selection import train_test_split

    fit, held = train_test_split(
        np.arange(len(df)),
        test_size=round(0.2 * len(df)),
        random_state=seed,
        stratify=df[label].to_numpy() if stratify else None,
    )
    return DataTable(df.iloc[np.sort(fit)]), DataTable(df.iloc[np.sort(held)])


def test_the_soft_voting_ensemble_averages_the_best_distinct_trials_and_wins_only_when_better() -> None:
    from sklearn.metrics import roc_auc_score

    df = _numeric(seed=0)
    params = {"label_column": "y", "maximum_number_of_trials": 8, "maximum_concurrent_trials": 4, "random_seed": 0}
    out = _run(AutoMLClassification(), df, **params, ensemble_size=3, ensemble_method="Average of the best")

    board = out["leaderboard"].df.to_dict("records")
    trials = [r for r in board if r["Algorithm"] != "Soft-voting ensemble"]
    ensemble = next(r for r in board if r["Algorithm"] == "Soft-voting ensemble")
    # its members: the three best trials (board order: best first, earlier trial on ties), distinct settings
    members = trials[:3]
    assert len({(r["Algorithm"], r["Hyperparameters"]) for r in members}) == 3
    assert json.loads(ensemble["Hyperparameters"]) == {"trials": [r["Trial"] for r in members]}
    assert ensemble["Trial"] == 9 and ensemble["Status"] == "completed"
    # measured as a trial is: each member trained by Train Model on the holdout's training rows, their
    # probabilities averaged on the held-out rows
    fit, held = _holdout(df, "y", 0, stratify=True)
    probabilities = np.mean(
        [score_table(_trained("binary", m, 0, fit, "y"), held).df["Scored Probabilities"].to_numpy() for m in members],
        axis=0,
    )
    assert ensemble["AUC"] == pytest.approx(roc_auc_score(held.df["y"] == "yes", probabilities), abs=1e-12)
    # it beats the best single trial here, so it is the trained model: the members refitted on every row
    assert ensemble["AUC"] > trials[0]["AUC"]
    assert board[0]["Trial"] == 9
    assert out["leaderboard"].meta["automl"]["winner"]["algorithm"] == "Soft-voting ensemble"
    assert out["leaderboard"].meta["automl"]["best_single_trial"] == trials[0]["Trial"]
    model = out["trained_model"]
    assert model.name == f"AutoML: soft-voting ensemble of trials {', '.join(str(r['Trial']) for r in members)}"
    rows = DataTable(df.drop(columns=["y"]).head(40))
    expected = np.mean(
        [
            score_table(_trained("binary", m, 0, DataTable(df), "y"), rows).df["Scored Probabilities"].to_numpy()
            for m in members
        ],
        axis=0,
    )
    scored = score_table(model, rows).df
    assert scored["Scored Probabilities"].to_numpy() == pytest.approx(expected, abs=1e-12)
    assert scored["Scored Labels"].tolist() == np.where(expected > 0.5, "yes", "no").tolist()
    loaded = TrainedModel.deserialize(TrainedModel.serialize(model))  # skops, the trusted types only
    pd.testing.assert_frame_equal(score_table(loaded, rows).df, scored)
    # switched off: no ensemble row, and the best single trial is the model
    off = _run(AutoMLClassification(), df, **params, soft_voting_ensemble=False)
    assert [r for r in _board(off) if r["Algorithm"] == "Soft-voting ensemble"] == []
    assert off["leaderboard"].meta["automl"]["winner"]["trial"] == trials[0]["Trial"]


def test_an_ensemble_that_does_not_beat_the_best_trial_stays_a_row_of_the_leaderboard() -> None:
    df = _numeric(seed=1)
    out = _run(
        AutoMLClassification(),
        df,
        label_column="y",
        maximum_number_of_trials=8,
        maximum_concurrent_trials=4,
        random_seed=1,
        ensemble_size=3,
        ensemble_method="Average of the best",
    )

    board = out["leaderboard"].df.to_dict("records")
    ensemble = next(r for r in board if r["Algorithm"] == "Soft-voting ensemble")
    assert ensemble["AUC"] <= board[0]["AUC"] and board[0]["Algorithm"] != "Soft-voting ensemble"
    assert out["leaderboard"].meta["automl"]["winner"]["trial"] == board[0]["Trial"]
    assert not out["trained_model"].name.startswith("AutoML: soft-voting")


def test_a_regression_ensemble_averages_its_members_predictions() -> None:
    df = _regression(seed=3)
    out = _run(
        AutoMLRegression(),
        df,
        label_column="target",
        maximum_number_of_trials=8,
        maximum_concurrent_trials=4,
        random_seed=3,
        ensemble_size=3,
        ensemble_method="Average of the best",
    )

    board = out["leaderboard"].df.to_dict("records")
    assert board[0]["Algorithm"] == "Soft-voting ensemble"
    members = [next(r for r in board if r["Trial"] == n) for n in json.loads(board[0]["Hyperparameters"])["trials"]]
    rows = DataTable(df.drop(columns=["target"]).head(30))
    expected = np.mean(
        [
            score_table(_trained("regression", m, 3, DataTable(df), "target"), rows).df["Scored Labels"].to_numpy()
            for m in members
        ],
        axis=0,
    )
    assert score_table(out["trained_model"], rows).df["Scored Labels"].to_numpy() == pytest.approx(expected, abs=1e-9)


def test_boosted_tree_trials_worse_than_the_median_are_pruned_on_their_validation_loss() -> None:
    from sklearn.metrics import log_loss

    df = _numeric(n=300, seed=4)
    params = {
        "label_column": "y",
        "maximum_number_of_trials": 16,
        "maximum_concurrent_trials": 4,
        "random_seed": 4,
        "allowed_algorithms": ["Boosted decision tree"],
        "soft_voting_ensemble": False,
    }
    out = _run(AutoMLClassification(), df, **params)

    board = out["leaderboard"].df.to_dict("records")
    pruned = [r for r in board if r["Status"] == "pruned"]
    assert pruned, [r["Status"] for r in board]
    assert all(r["Status"] in ("completed", "pruned") for r in board)
    curves = {int(k): v for k, v in out["leaderboard"].meta["automl"]["pruning"]["curves"].items()}
    assert out["leaderboard"].meta["automl"]["pruning"]["loss"] == "log loss"
    fit, held = _holdout(df, "y", 4, stratify=True)
    for row in pruned:
        trees, loss = curves[row["Trial"]][-1]
        assert trees >= 20 and row["Error"].startswith(f"pruned after {trees:g} trees: validation log loss")
        assert np.isnan(row["AUC"])
        # the loss is the log loss of the first ``trees`` trees on the held-out rows, as LightGBM predicts it
        model = _trained("binary", row, 4, fit, "y")
        booster = model.estimator.steps[-1][1].booster_
        encoded = model.estimator.steps[0][1].transform(held.df.drop(columns=["y"]))
        staged = booster.predict(encoded, num_iteration=int(trees))
        assert loss == pytest.approx(log_loss(held.df["y"] == "yes", staged), abs=1e-9)
        # and worse than the median of the boosted-tree trials completed in earlier rounds at that many trees
        round_start = (row["Trial"] - 1) // 4 * 4
        earlier = [
            dict((int(t), v) for t, v in curves[r["Trial"]])
            for r in board
            if r["Status"] == "completed" and r["Trial"] <= round_start
        ]
        at = [c[int(trees)] for c in earlier if int(trees) in c]
        assert len(at) >= 4 and loss > np.median(at)
    # the search without pruning asks the same trials up to the round of the first pruned one
    unpruned = _run(AutoMLClassification(), df, **params | {"prune_trials": False})
    first_round = (min(r["Trial"] for r in pruned) - 1) // 4 * 4
    same = [r for r in _board(unpruned) if r["Trial"] <= first_round + 4]
    assert {r["Trial"]: r["Hyperparameters"] for r in same} == {
        r["Trial"]: r["Hyperparameters"] for r in _board(out) if r["Trial"] <= first_round + 4
    }


def _problem(df: pd.DataFrame, validation_type: str = "Holdout") -> _automl.Problem:
    return _automl.Problem(DataTable(df), None, "binary", "y", 0, validation_type, 0.2, 4, LocalContext())


def _item(**extra: Any) -> dict[str, Any]:
    df = _numeric()
    settings, _ = _automl.featurization(df, {"x1": "number", "x2": "number", "x3": "number"}, "binary", "y", True, 0)
    return {"trial": 1, "algorithm": "Boosted decision tree", "featurization": settings, **extra}


def test_a_trial_stops_between_trees_once_the_searchs_share_of_the_time_budget_ends() -> None:
    import time

    problem = _problem(_numeric())
    done = _automl.run_trial(problem, _item(settings={}))  # (and the imports are done)
    assert done["status"] == "completed" and done["fit_s"] > 0 and done["score_s"] > 0, done
    trees = {"number_of_trees_constructed": 100_000, "learning_rate": 0.02}  # minutes of trees, unless stopped

    row = _automl.run_trial(problem, _item(settings=trees, stop_at=time.time() + 1.0))

    assert row["status"] == "stopped" and row["error"].endswith(" trees"), row
    assert row["duration_s"] < 10
    late = _automl.run_trial(problem, _item(settings={}, stop_at=time.time() - 1))  # ended before it started
    assert late["status"] == "stopped" and late["error"].endswith("after 0 of 1 splits"), late


def test_the_time_budget_reserves_the_winners_refit_and_explanation_from_what_its_trial_measured() -> None:
    from modules.library.training._automl_budget import OUTPUT_SECONDS, SAFETY, TimeBudget, slack

    df = _numeric(n=200)  # 3 features, 40 held-out rows of 200
    trial = {"fit_s": 2.0, "score_s": 0.1}
    clock = TimeBudget(60, 0.0, _problem(df))
    # refit on 200 rows rather than 160: 2.0 x 1.25; the explanation's fit on 160 rows: 2.0; permuting 3
    # columns of the 40 held-out rows plus the base score: 4 x 0.1
    assert clock.tail(trial) == pytest.approx(SAFETY * (2.5 + 2.0 + 0.4) + OUTPUT_SECONDS)
    folds = TimeBudget(60, 0.0, _problem(df, "Cross-validation"))  # a trial fits 4 times on 150 of 200 rows
    assert folds.tail(trial) == pytest.approx(SAFETY * (0.5 * 4 / 3 + 0.5 + 4 * 0.025) + OUTPUT_SECONDS)
    assert TimeBudget(60, 0.0, _problem(df)).tail(None) == 0.2 * 60 + OUTPUT_SECONDS  # nothing measured yet
    assert (slack(8), slack(60)) == (2.0, 6.0)


def test_with_greedy_selection_the_reserve_adds_the_ensembles_other_members_refits_up_to_a_share() -> None:
    from modules.library.training._automl_budget import ENSEMBLE_SHARE, OUTPUT_SECONDS, SAFETY, TimeBudget

    df = _numeric(n=200)
    best, second, third = {"fit_s": 2.0, "score_s": 0.1}, {"fit_s": 1.0, "score_s": 0.1}, {"fit_s": 0.6}
    alone = TimeBudget(60, 0.0, _problem(df)).tail(best)

    # the best trial's tail, plus refitting the other two best distinct trials (on 200 rows rather than 160)
    clock = TimeBudget(60, 0.0, _problem(df), partners=lambda: [best, second, third])
    assert clock.tail(best) == pytest.approx(alone + SAFETY * (1.6 * 1.25))
    # never more than a share of the budget for them
    short = TimeBudget(10, 0.0, _problem(df), partners=lambda: [best, {"fit_s": 40.0}])
    assert short.tail(best) == pytest.approx(TimeBudget(10, 0.0, _problem(df)).tail(best) + ENSEMBLE_SHARE * 10)
    assert clock.tail(None) == 0.2 * 60 + OUTPUT_SECONDS


def test_no_round_starts_when_the_time_left_covers_not_half_a_round_and_the_winners_tail() -> None:
    import time

    from modules.library.training._automl_budget import TimeBudget

    trial = {"fit_s": 1.0, "score_s": 0.0}  # a tail of 1.25 + 1 + 0.5 = 2.75 s
    clock = TimeBudget(10, time.monotonic(), _problem(_numeric()))
    assert clock.search_stops(trial) == ""  # no round measured yet: the first always starts
    clock.rounds = [5.0]
    assert clock.search_stops(trial) == ""  # about 10 s left >= half of 5 + 2.75
    clock.end -= 4.0
    assert clock.search_stops(trial) == ""  # about 6 s left >= half of 5 + 2.75: its trials stop at stop_at
    clock.end -= 1.0
    assert "s of 10 s left, a round of trials takes about 5.0 s and training and explaining the winner about 2.8 s" in (
        clock.search_stops(trial)
    )
    clock.end -= 9.0
    assert clock.search_stops(trial) == "time budget of 10 s spent"


def test_automatic_validation_cross_validates_a_table_small_for_its_time_budget_as_flaml_decides() -> None:
    from modules.library.training.automl import _validation_type

    def chosen(rows: int, columns: int, budget: int, validation: bool = False) -> str:
        df = pd.DataFrame({f"x{i}": np.zeros(rows) for i in range(columns)} | {"y": np.zeros(rows)})
        params = AutoMLRegression.parse_params({"label_column": "y", "time_budget_seconds": budget})
        return _validation_type(params, DataTable(df), DataTable(df) if validation else None)

    # FLAML's rule: rows x columns / 0.9 under 10,000,000 per hour of budget, and under 100,000 rows
    assert chosen(426, 30, 20) == "Cross-validation"  # the breast-cancer sample, 20 s: 14,200 < 55,556
    assert chosen(22_500, 14, 40) == "Holdout"  # the census-like table, 40 s: 350,000 > 111,111
    assert chosen(22_500, 14, 3600) == "Cross-validation"
    assert chosen(100_000, 1, 7 * 24 * 3600) == "Holdout"  # 100,000 rows or more: always a holdout
    assert chosen(1_000, 100, 0) == "Cross-validation"  # no time budget: under 1,000,000 cells
    assert chosen(20_000, 100, 0) == "Holdout"
    assert chosen(426, 30, 20, validation=True) == "Holdout"  # a validation dataset measures instead


def test_automatic_validation_is_the_default_and_says_what_it_chose() -> None:
    ctx = LocalContext()
    module = AutoMLClassification()
    params = module.parse_params({"label_column": "y", "maximum_number_of_trials": 2, "soft_voting_ensemble": False})

    out = module.run({"training_dataset": DataTable(_numeric())}, params, ctx)

    assert params.validation_type == "Automatic" and params.number_of_folds == 5
    assert out["leaderboard"].meta["sweep"]["evaluation"] == "5-fold cross-validation of the training dataset"
    assert "validation (Automatic, 160 rows x 3 feature columns): 5-fold cross-validation of the training dataset" in (
        "\n".join(ctx.logs)
    )
