"""What AutoML Classification and AutoML Regression share: the search, the guardrails, the trials.

**The search** is Optuna's (``optuna.samplers.TPESampler(seed, constant_liar=True)``, driven with
``study.ask()`` / ``study.tell()``): each round asks "Maximum concurrent trials" configurations
(an algorithm, then that algorithm's hyperparameters, :func:`suggest`), measures them with one
``ctx.map`` (one part per trial, on any worker of the node's queue; results come back in item
order) and tells Optuna the results in trial order. The rounds depend only on the seed, the batch
size and the results, never on which worker ran what, so a search bounded by a number of trials
gives the same leaderboard and winner with one worker or ten.

**A trial** is one of Tessera's own learner modules (built through the registry with the suggested
settings, exactly as the learner on the canvas builds it) behind the featurization the guardrails
decided (:class:`modules.estimators.automl_featurizer.AutoFeaturizer`, then Tessera's usual one-hot
encoding). It is fitted on the training rows of the holdout split or of each fold and measured by
Score Model's scoring and the metrics Tune Model Hyperparameters and Evaluate Model report.
"""

from __future__ import annotations

import json
import math
import os
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from modules.library._features import accepts_missing, check_no_missing_numbers, feature_encoder, prepare_features
from modules.library._threads import fitting_threads
from modules.library.scoring.score_model import score_table
from modules.library.training._automl_selection import encode_scores
from modules.library.training.cross_validate_model import LOWER_IS_BETTER, fold_assignments, score_metrics
from modules.library.training.train_model import _label_values
from modules.sdk import DataTable, FittedModel, Learner, ModuleError, RunContext, default_registry, threads_of

#: Algorithm name -> learner module id, per task.
ALGORITHMS: dict[str, dict[str, str]] = {
    "binary": {
        "Boosted decision tree": "two_class_boosted_decision_tree",
        "Decision forest": "two_class_decision_forest",
        "Logistic regression": "two_class_logistic_regression",
        "Neural network": "two_class_neural_network",
        "Support vector machine": "two_class_support_vector_machine",
    },
    "multiclass": {
        "Boosted decision tree": "multiclass_boosted_decision_tree",
        "Decision forest": "multiclass_decision_forest",
        "Logistic regression": "multiclass_logistic_regression",
        "Neural network": "multiclass_neural_network",
    },
    "regression": {
        "Boosted decision tree": "boosted_decision_tree_regression",
        "Decision forest": "decision_forest_regression",
        "Linear regression": "linear_regression",
        "Neural network": "neural_network_regression",
    },
}
#: Above this many distinct values a text column is hashed rather than one-hot encoded.
HIGH_CARDINALITY = 50
#: A column whose values are (almost) all distinct is an identifier: dropped.
ID_SHARE = 0.95
#: Text with at least this many words per value, on average, is free text: vectorized.
FREE_TEXT_WORDS = 3.0
#: Minority / majority class counts at or below this share: imbalanced (handled by class weights).
IMBALANCE = 0.2
#: One feature alone reaching this accuracy (or R²) by cross-validation: suspected label leakage.
LEAKAGE = 0.98
#: Rows the leakage check and the explanation use at most (a seeded sample of larger tables).
SAMPLE_ROWS = 5000
#: Held-out rows permuted with a time budget: the explanation is reserved from the budget, so fewer rows
#: leave more of it to the search (permutation importance on 2,000 rows ranks columns as 5,000 do, noisier).
TIMED_SAMPLE_ROWS = 2000
#: The algorithm name of the soft-voting ensemble's leaderboard row.
ENSEMBLE = "Soft-voting ensemble"
#: Boosting iterations at which a boosted-tree trial reports its validation loss to the pruner.
CHECKPOINTS = (10, 20, 40, 80, 160, 320)
#: Optuna's MedianPruner settings: prune only once this many boosted-tree trials completed and reached
#: the step, and never before this many trees.
PRUNE_AFTER_TRIALS = 4
PRUNE_FROM_TREES = 20


def suggest(trial: Any, task: str, algorithms: list[str]) -> tuple[str, dict[str, Any]]:
    """The algorithm and learner-module settings Optuna's ``trial`` suggests: the search space."""
    algorithm = trial.suggest_categorical("algorithm", algorithms)
    if algorithm == "Boosted decision tree":
        settings = {
            "maximum_number_of_leaves_per_tree": trial.suggest_int("leaves", 4, 64, log=True),
            "minimum_number_of_samples_per_leaf_node": trial.suggest_int("leaf_rows", 2, 40, log=True),
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.5, log=True),
            "number_of_trees_constructed": trial.suggest_int("trees", 20, 300, log=True),
        }
    elif algorithm == "Decision forest":
        settings = {
            "number_of_decision_trees": trial.suggest_int("forest_trees", 8, 128, log=True),
            "maximum_depth_of_the_decision_trees": trial.suggest_int("depth", 3, 32, log=True),
            "minimum_number_of_samples_per_leaf_node": trial.suggest_int("forest_leaf_rows", 1, 20, log=True),
        }
    elif algorithm == "Logistic regression":
        settings = {
            "l1_regularization_weight": 0.0,
            "l2_regularization_weight": trial.suggest_float("l2", 1e-3, 10.0, log=True),
        }
    elif algorithm == "Linear regression":
        settings = {"l2_regularization_weight": trial.suggest_float("ridge_l2", 1e-4, 10.0, log=True)}
    elif algorithm == "Neural network":
        settings = {
            "number_of_hidden_nodes": trial.suggest_int("hidden_nodes", 16, 128, log=True),
            "learning_rate": trial.suggest_float("nn_learning_rate", 0.005, 0.3, log=True),
            "number_of_learning_iterations": trial.suggest_int("iterations", 20, 100, log=True),
            "the_type_of_normalizer": "Gaussian",
        }
    else:  # Support vector machine
        settings = {
            "lambda_weight": trial.suggest_float("lambda", 1e-5, 0.1, log=True),
            "number_of_iterations": trial.suggest_int("svm_iterations", 1, 50, log=True),
        }
    return algorithm, settings


def learner_for(task: str, algorithm: str, settings: dict[str, Any], seed: int) -> Learner:
    """The learner module of ``algorithm`` with ``settings`` and the run's seed, built as on the canvas."""
    module = default_registry().get(ALGORITHMS[task][algorithm])
    fields = module.Params.model_fields
    values = {**settings, **({"random_number_seed": seed} if "random_number_seed" in fields else {})}
    learner: Learner = module().run({}, module.Params.model_validate(values), cast(RunContext, _Quiet()))[
        "untrained_model"
    ]
    return learner


class _Quiet:
    """Learner modules' ``run`` needs a context but uses none of it."""

    node_id, seed, threads = "automl", 0, 1

    def log(self, message: str) -> None:
        return None

    def progress(self, fraction: float, message: str = "", detail: Mapping[str, Any] | None = None) -> None:
        return None

    def check_cancelled(self) -> None:
        return None


# -------------------------------------------------------------------------------------------------
# Guardrails


@dataclass
class Guardrail:
    name: str
    status: str  # passed / fixed / alerted
    columns: list[str]
    detail: str


def featurization(
    df: pd.DataFrame, feature_types: dict[str, str], task: str, label: str, automatic: bool, seed: int
) -> tuple[dict[str, Any], list[Guardrail]]:
    """The featurizer's settings (JSON) and the guardrails that decided them, in report order."""
    n = len(df)
    ids, hashed, text, categorical, numeric, dates = [], [], [], [], [], []
    for name, dtype in feature_types.items():
        series = df[name]
        distinct = int(series.nunique(dropna=True))
        present = int(series.notna().sum())
        if dtype == "string" and _words(series) >= FREE_TEXT_WORDS:
            text.append(name)  # sentences are (almost) all distinct too, but they are not identifiers
        elif dtype in ("integer", "string", "category") and n >= 20 and present and distinct >= ID_SHARE * present:
            ids.append(name)
        elif dtype in ("number", "integer"):
            numeric.append(name)
        elif dtype == "datetime":
            dates.append(name)
        elif dtype in ("string", "category") and distinct > HIGH_CARDINALITY:
            hashed.append(name)
        else:
            categorical.append(name)
    missing = [name for name in feature_types if name not in ids and bool(df[name].isna().any())]
    off = "automatic featurization is off: "
    rails = [
        _rail(
            "Missing feature values",
            missing,
            automatic,
            "missing numbers filled with the training median, missing text kept as its own value",
            off + "learners that cannot take missing numbers fail on them",
        ),
        _rail(
            "ID-like columns",
            ids,
            automatic,
            f"(almost) every value distinct (at least {ID_SHARE:.0%} of the rows): dropped",
            off + "one-hot encoded like any text (their 100 most frequent values)",
        ),
        _rail(
            "High-cardinality text",
            hashed,
            automatic,
            f"more than {HIGH_CARDINALITY} distinct values: hashed into 32 columns",
            off + "one-hot encoded (their 100 most frequent values)",
        ),
        _rail(
            "Free text",
            text,
            automatic,
            f"at least {FREE_TEXT_WORDS:g} words per value on average: word counts hashed into 64 columns",
            off + "one-hot encoded as whole values",
        ),
        _rail(
            "Dates",
            dates,
            automatic,
            "expanded into year, month, day, weekday and hour",
            off + "used as seconds since 1970",
        ),
    ]
    if task != "regression":
        rails.append(_imbalance(df[label], automatic))
    rails.append(_leakage(df, feature_types, [c for c in feature_types if c not in ids], task, label, seed))
    if not automatic:
        numeric, categorical = [], []
        return {"automatic": False, "class_weights": False}, rails
    settings = {
        "automatic": True,
        "class_weights": any(r.name == "Class balance" and r.status == "fixed" for r in rails),
        "featurizer": {
            "numeric": numeric,
            "dates": dates,
            "categorical": categorical,
            "hashed": hashed,
            "text": text,
        },
    }
    return settings, rails


def _rail(name: str, columns: list[str], automatic: bool, fixed: str, alerted: str) -> Guardrail:
    if not columns:
        return Guardrail(name, "passed", [], "none found")
    return Guardrail(name, "fixed" if automatic else "alerted", columns, fixed if automatic else alerted)


def _words(series: pd.Series) -> float:
    values = series.dropna().astype(str)
    if values.empty:
        return 0.0
    return float(np.mean([len(v.split()) for v in values]))


def _imbalance(labels: pd.Series, automatic: bool) -> Guardrail:
    counts = labels.astype(str).value_counts()
    share = float(counts.min() / counts.max()) if len(counts) else 1.0
    detail = ", ".join(f"{k}: {v}" for k, v in counts.items())
    if share > IMBALANCE:
        return Guardrail("Class balance", "passed", [], f"classes {detail}")
    rare = [str(k) for k, v in counts.items() if v / counts.max() <= IMBALANCE]
    if automatic:
        return Guardrail(
            "Class balance",
            "fixed",
            [str(labels.name)],
            f"imbalanced ({detail}; rarest {rare}): learners that take class weights weigh classes inversely "
            "to their counts (class_weight='balanced')",
        )
    return Guardrail("Class balance", "alerted", [str(labels.name)], f"imbalanced ({detail}); not weighted")


def _leakage(
    df: pd.DataFrame, feature_types: dict[str, str], candidates: list[str], task: str, label: str, seed: int
) -> Guardrail:
    """Each feature alone, by a small cross-validated decision tree: does it predict the label almost perfectly?"""
    from sklearn.model_selection import cross_val_score
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    rows = df.sample(SAMPLE_ROWS, random_state=seed) if len(df) > SAMPLE_ROWS else df
    y = rows[label].to_numpy(dtype="float64") if task == "regression" else rows[label].astype(str).to_numpy()
    if len(rows) < 10 or (task != "regression" and pd.Series(y).value_counts().min() < 3):
        return Guardrail("Label leakage", "passed", [], "too few rows to check")
    leaky = []
    for name in candidates:
        x = _single(rows[name], feature_types[name])
        if task == "regression":
            model: Any = DecisionTreeRegressor(max_depth=6, random_state=seed)
            score = float(np.mean(cross_val_score(model, x, y, cv=3, scoring="r2")))
        else:
            model = DecisionTreeClassifier(max_depth=6, random_state=seed)
            score = float(np.mean(cross_val_score(model, x, y, cv=3, scoring="accuracy")))
            majority = float(pd.Series(y).value_counts(normalize=True).max())
            if majority >= LEAKAGE:
                continue  # the label alone is that predictable
        if score >= LEAKAGE:
            leaky.append((name, score))
    if not leaky:
        return Guardrail("Label leakage", "passed", [], f"no feature alone reaches {LEAKAGE:g}")
    what = "R²" if task == "regression" else "accuracy"
    found = ", ".join(f"{name} ({what} {score:.3f})" for name, score in leaky)
    return Guardrail(
        "Label leakage",
        "alerted",
        [name for name, _ in leaky],
        f"alone predicts the label almost perfectly: {found}. Check that it is known before the label is; "
        "remove it with Select Columns in Dataset if not",
    )


def _single(series: pd.Series, dtype: str) -> np.ndarray:
    if dtype in ("number", "integer"):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        return values.fillna(values.median() if values.notna().any() else 0.0).to_numpy().reshape(-1, 1)
    codes = pd.Series(pd.Categorical(series.astype(str)).codes, index=series.index)
    return codes.to_numpy(dtype="float64").reshape(-1, 1)


def guardrail_table(rails: list[Guardrail]) -> DataTable:
    df = pd.DataFrame(
        {
            "Guardrail": pd.Series([r.name for r in rails], dtype="str"),
            "Status": pd.Series([r.status for r in rails], dtype="str"),
            "Columns": pd.Series([", ".join(r.columns) for r in rails], dtype="str"),
            "Detail": pd.Series([r.detail for r in rails], dtype="str"),
        }
    )
    return DataTable(df, {})


# -------------------------------------------------------------------------------------------------
# Trials


class Problem:
    """The training rows, label and evaluation of one AutoML node: the same on whichever worker reads it."""

    def __init__(
        self,
        training: DataTable,
        validation: DataTable | None,
        task: str,
        label: str,
        seed: int,
        validation_type: str,
        holdout: float,
        folds: int,
        ctx: RunContext,
    ) -> None:
        self.training = training.with_df(training.df.reset_index(drop=True))
        self.validation = validation
        self.task = task
        self.label = label
        self.seed = seed
        self.ctx = ctx
        schema = self.training.schema
        self.feature_types: dict[str, str] = {c.name: str(c.dtype) for c in schema.columns if c.name != label}
        self.validation_type = validation_type
        self.holdout = holdout
        self.folds = folds
        self.spent: dict[str, float] = {}  # the last ``measure``'s seconds fitting and scoring

    def held_out(self) -> list[DataTable]:
        """The held-out rows of each evaluation, in ``measure``'s order: the validation dataset, or each split's."""
        if self.validation is not None:
            return [self.validation]
        return [self.training.with_df(self.training.df.iloc[held]) for _, held in self.splits()]

    def splits(self, log: RunContext | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """(training rows, held-out rows) of each evaluation; empty when a validation dataset measures."""
        if self.validation is not None:
            return []
        n = len(self.training.df)
        labels = self.training.df[self.label]
        if self.validation_type == "Cross-validation":
            assigned = fold_assignments(labels, self.task, self.folds, self.seed, "number_of_folds", log or _Quiet())  # type: ignore[arg-type]
            return [(np.flatnonzero(assigned != k), np.flatnonzero(assigned == k)) for k in range(self.folds)]
        from sklearn.model_selection import train_test_split

        index = np.arange(n)
        held = max(1, round(self.holdout * n))
        if n - held < 2:
            raise ModuleError(
                f"a holdout fraction of {self.holdout:g} leaves {n - held} of the {n} training rows to train on",
                param="holdout_fraction",
            )
        stratify = labels.astype(str).to_numpy() if self.task != "regression" else None
        if stratify is not None and pd.Series(stratify).value_counts().min() < 2:
            stratify = None
        fit, out = train_test_split(index, test_size=held, random_state=self.seed, stratify=stratify)
        return [(np.sort(fit), np.sort(out))]

    def fit(
        self,
        learner: Learner | Ensemble,
        settings: dict[str, Any],
        rows: np.ndarray | None,
        watch: Pruning | None = None,
        stop_at: float | None = None,
    ) -> FittedModel:
        """``learner`` behind the featurization, fitted on ``rows`` of the training data (all when ``None``).

        An :class:`Ensemble` is the soft-voting ensemble of its learners (``modules.estimators.automl_ensemble``):
        one featurization and encoding, the members fitted behind it on the same rows. ``watch`` reports a
        boosted-tree fit's validation loss to the pruner as trees are added (:class:`Pruning`); ``stop_at``
        (``time.time()``) stops a boosted-tree fit between two trees once passed (:class:`TimeUp`).
        """
        from sklearn.base import clone
        from sklearn.pipeline import Pipeline

        from modules.estimators.automl_ensemble import AveragingRegressor, SoftVotingClassifier
        from modules.estimators.automl_featurizer import AutoFeaturizer

        ensemble = learner if isinstance(learner, Ensemble) else None
        learners = ensemble.learners if ensemble else [cast(Learner, learner)]
        first = learners[0]
        df = self.training.df if rows is None else self.training.df.iloc[rows]
        dtype = self.training.schema.get(self.label).dtype  # type: ignore[union-attr]
        y, classes = _label_values(df[self.label], dtype, first, self.label)
        members = [clone(one.estimator) for one in learners]
        for member in members:
            if settings.get("class_weights"):
                _balance(member)
        if ensemble:
            named = [(f"trial {n}", member) for n, member in zip(ensemble.trials, members, strict=True)]
            averaging = SoftVotingClassifier if first.task != "regression" else AveragingRegressor
            estimator: Any = averaging(named, weights=ensemble.weights)
        else:
            estimator = members[0]
        features = prepare_features(df, self.feature_types, port="training_dataset")
        if not settings.get("automatic") and not accepts_missing(estimator):
            check_no_missing_numbers(features, self.feature_types, first.name or first.learner, "training_dataset")
        if settings.get("automatic"):
            featurizer = AutoFeaturizer(**settings["featurizer"])
            steps = [
                ("automl", featurizer),
                ("features", feature_encoder(featurizer.output_types())),
                ("model", estimator),
            ]
        else:
            steps = [("features", feature_encoder(self.feature_types)), ("model", estimator)]
        pipeline = Pipeline(steps)
        fit_params: dict[str, Any] = {}
        if ensemble:
            fit_params["model__threads"] = threads_of(self.ctx)
        elif _is_lightgbm(estimator) and (watch is not None or stop_at is not None):
            callbacks = [watch.callback(pipeline, classes)] if watch is not None else []
            fit_params["model__callbacks"] = callbacks + ([_time_limit(stop_at)] if stop_at is not None else [])
        if ensemble:
            pipeline.fit(features, y, **fit_params)
        else:
            with fitting_threads(estimator, threads_of(self.ctx)):
                pipeline.fit(features, y, **fit_params)
        name = ensemble_name(ensemble.trials, ensemble.weights) if ensemble else first.name or first.learner
        return FittedModel(
            estimator=pipeline,
            task=first.task,
            learner="automl_soft_voting_ensemble" if ensemble else first.learner,
            label_column=self.label,
            feature_columns=list(self.feature_types),
            feature_types=dict(self.feature_types),
            classes=classes,
            name=f"AutoML: {name}",
        )

    def measure(
        self,
        learner: Learner | Ensemble,
        settings: dict[str, Any],
        pruning: dict[str, Any] | None = None,
        stop_at: float | None = None,
        keep_scores: bool = False,
    ) -> tuple[dict[str, float], list[list[float]]]:
        """The trial's metrics (on the validation dataset, the holdout rows, or the mean over the folds) and,
        for a boosted-tree trial measured with ``pruning``, its validation-loss curve on the first of them
        (``[[trees, loss], ...]``). Raises :class:`Pruned` when the pruner stops it, :class:`TimeUp` once
        ``stop_at`` (``time.time()``) has passed, between folds or trees. ``self.spent`` says the seconds its
        fits and its scoring took (``fit_s``, ``score_s``), summed over the splits. With ``keep_scores``,
        ``self.scored`` holds each split's scored held-out rows (what ensemble selection averages)."""
        self.spent = {"fit_s": 0.0, "score_s": 0.0}
        self.scored: list[DataTable] = []
        if self.validation is not None:
            splits: list[tuple[np.ndarray | None, DataTable]] = [(None, self.validation)]
        else:
            splits = [
                (fit_rows, self.training.with_df(self.training.df.iloc[held_rows]))
                for fit_rows, held_rows in self.splits()
            ]
        per_split = []
        curve: list[list[float]] = []
        for k, (fit_rows, held) in enumerate(splits):
            self.ctx.check_cancelled()
            if stop_at is not None and time.time() >= stop_at:
                raise TimeUp(f"after {k} of {len(splits)} splits")
            watch = Pruning(pruning, self, held) if pruning is not None and k == 0 else None
            began = time.monotonic()
            model = self.fit(learner, settings, fit_rows, watch, stop_at)
            scoring = time.monotonic()
            if watch is not None:
                curve = watch.curve
            scored = score_table(model, held, append=False)
            if keep_scores:
                self.scored.append(scored)
            per_split.append(score_metrics(scored, self.label))
            self.spent["fit_s"] += scoring - began
            self.spent["score_s"] += time.monotonic() - scoring
        return {name: _mean([split[name] for split in per_split]) for name in per_split[0]}, curve


@dataclass
class Ensemble:
    """The soft-voting ensemble of the learners of ``trials`` (their leaderboard numbers, in order), each
    counted once or ``weights`` times (greedy ensemble selection)."""

    trials: list[int]
    learners: list[Learner]
    weights: list[int] | None = None


def ensemble_of(task: str, members: list[dict[str, Any]], seed: int, weights: list[int] | None = None) -> Ensemble:
    """The ensemble of ``members`` (leaderboard rows: trial, algorithm, settings), weighted by ``weights``."""
    return Ensemble(
        [m["trial"] for m in members],
        [learner_for(task, m["algorithm"], m["settings"], seed) for m in members],
        list(weights) if weights is not None else None,
    )


def ensemble_name(trials: list[int], weights: list[int] | None = None) -> str:
    """ "soft-voting ensemble of trials 3, 7" (each once), or "... of trials 3 ×2, 7 ×1" (weighted)."""
    if weights is None:
        return f"{ENSEMBLE.lower()} of trials {', '.join(str(n) for n in trials)}"
    return f"{ENSEMBLE.lower()} of trials {', '.join(f'{n} ×{w}' for n, w in zip(trials, weights, strict=True))}"


class TimeUp(Exception):
    """The search's share of the time budget ended while a trial ran: it stops (``str``: where)."""


def _time_limit(stop_at: float) -> Any:
    """A LightGBM callback that stops the fit between two trees once ``stop_at`` (``time.time()``) passed."""

    def check(env: Any) -> None:
        if time.time() >= stop_at:
            raise TimeUp(f"after {env.iteration + 1} trees")

    return check


class Pruned(Exception):
    """The pruner stopped a trial: after ``trees`` trees its validation loss was worse than the median."""

    def __init__(self, trees: int, loss: float, median: float, curve: list[list[float]]) -> None:
        super().__init__(trees, loss, median)
        self.trees, self.loss, self.median, self.curve = trees, loss, median, curve


class Pruning:
    """Optuna's ``MedianPruner`` on a boosted-tree trial's validation loss while its trees are added.

    The node hands each boosted-tree trial the loss curves of the boosted-tree trials completed in
    earlier rounds (``{"curves": [[[trees, loss], ...], ...]}``); the trial rebuilds them as completed
    trials of a small in-memory Optuna study, reports its own loss (log loss for classes, mean squared
    error for numbers) on the held-out rows after 10, 20, 40, 80, 160 and 320 trees, and stops when
    ``MedianPruner(n_startup_trials=4, n_warmup_steps=19, n_min_trials=4)`` says so: after at least 20
    trees, its loss is worse than the median of at least 4 completed trials at the same number of trees.
    The curves come from earlier rounds only, so the decision is the same on any worker.
    """

    def __init__(self, pruning: dict[str, Any], problem: Problem, held: DataTable) -> None:
        self.pruning = pruning
        self.problem = problem
        self.held = held
        self.curve: list[list[float]] = []

    def callback(self, pipeline: Any, classes: list[Any]) -> Any:
        import optuna

        study = optuna.create_study(
            direction="minimize",
            pruner=optuna.pruners.MedianPruner(
                n_startup_trials=PRUNE_AFTER_TRIALS,
                n_warmup_steps=PRUNE_FROM_TREES - 1,
                n_min_trials=PRUNE_AFTER_TRIALS,
            ),
        )
        for curve in self.pruning.get("curves", []):
            steps = {int(trees): float(loss) for trees, loss in curve}
            if steps:
                study.add_trial(
                    optuna.trial.create_trial(
                        state=optuna.trial.TrialState.COMPLETE, value=steps[max(steps)], intermediate_values=steps
                    )
                )
        trial = study.ask()
        held: dict[str, Any] = {}

        def report(env: Any) -> None:
            trees = env.iteration + 1
            if trees not in CHECKPOINTS or trees >= env.end_iteration:
                return
            if not held:
                features = prepare_features(self.held.df, self.problem.feature_types, port="training_dataset")
                held["x"] = _transform(pipeline, features)
                held["y"] = _targets(self.held.df[self.problem.label], classes, self.problem)
            if held["y"] is None:
                return  # a held-out class the fit rows lack: no loss to compare
            loss = _loss(env.model.predict(held["x"], num_iteration=trees), held["y"], len(classes))
            self.curve.append([trees, loss])
            trial.report(loss, trees)
            if trial.should_prune():
                completed = [t.intermediate_values[trees] for t in study.trials if trees in t.intermediate_values]
                raise Pruned(trees, loss, float(np.median(completed[:-1] if completed else [loss])), self.curve)

        return report


def _is_lightgbm(estimator: Any) -> bool:
    return type(estimator).__module__.startswith("lightgbm")


def _transform(pipeline: Any, features: pd.DataFrame) -> Any:
    """``features`` through the pipeline's fitted steps before the model (fitted by the time trees grow)."""
    out: Any = features
    for _, step in pipeline.steps[:-1]:
        out = step.transform(out)
    return out


def _targets(series: pd.Series, classes: list[Any], problem: Problem) -> np.ndarray | None:
    """The held-out labels as the booster sees them: numbers, or the index of each class in ``classes``."""
    if problem.task == "regression":
        return series.to_numpy(dtype="float64")
    from modules.library.training.train_model import _plain_labels

    dtype = problem.training.schema.get(problem.label).dtype  # type: ignore[union-attr]
    index = {c: k for k, c in enumerate(classes)}
    values = [_python_value(v) for v in _plain_labels(series, dtype)]
    if any(v not in index for v in values):
        return None
    return np.array([index[v] for v in values], dtype="int64")


def _python_value(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _loss(predicted: Any, y: np.ndarray, classes: int) -> float:
    """Log loss (classes) or mean squared error (numbers) of a booster's predictions."""
    p = np.asarray(predicted, dtype="float64")
    if classes == 0:
        return float(np.mean((p - y) ** 2))
    if p.ndim == 1:
        p = np.column_stack([1.0 - p, p])
    chosen = np.clip(p[np.arange(len(y)), y], 1e-15, 1.0)
    return float(-np.mean(np.log(chosen)))


def _balance(estimator: Any) -> None:
    """``class_weight='balanced'`` wherever the (nested) estimator takes class weights."""
    keys = [key for key in estimator.get_params(deep=True) if key == "class_weight" or key.endswith("__class_weight")]
    if keys:
        estimator.set_params(**dict.fromkeys(keys, "balanced"))


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if all(not math.isnan(v) for v in values) else float("nan")


def worker_name() -> str:
    """This process, as the leaderboard's Worker column names it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def run_trial(problem: Problem, item: dict[str, Any]) -> dict[str, Any]:
    """One trial (``item``: trial number, algorithm, settings, featurization, and the members of an ensemble
    or the pruner's curves) -> its row of the leaderboard: completed, pruned or failed."""
    started = time.monotonic()
    worker = worker_name()
    row: dict[str, Any] = {"status": "completed", "error": "", "metrics": {}, "worker": worker, "curve": []}
    stop_at = item.get("stop_at")
    try:
        if item["algorithm"] == ENSEMBLE:
            ensemble = ensemble_of(problem.task, item["members"], problem.seed)
            row["metrics"], _ = problem.measure(ensemble, item["featurization"])
        else:
            learner = learner_for(problem.task, item["algorithm"], item["settings"], problem.seed)
            keep = bool(item.get("keep_scores"))
            row["metrics"], row["curve"] = problem.measure(
                learner, item["featurization"], item.get("pruning"), stop_at, keep_scores=keep
            )
            if keep:
                row["scores"] = encode_scores(problem.scored, problem.label)
        row.update({k: round(v, 4) for k, v in problem.spent.items()})
    except TimeUp as up:
        row.update(status="stopped", error=f"the search's share of the time budget ended: stopped {up}")
    except Pruned as stop:
        row.update(
            status="pruned",
            curve=stop.curve,
            error=f"pruned after {stop.trees} trees: validation {_loss_name(problem)} {stop.loss:.4g}, "
            f"worse than the median {stop.median:.4g} of earlier boosted-tree trials at {stop.trees} trees",
        )
    except ModuleError as exc:
        row.update(status="failed", error=exc.message)
    except (ValueError, ArithmeticError, RuntimeError) as exc:  # a learner that cannot fit these settings
        row.update(status="failed", error=f"{type(exc).__name__}: {exc}")
    row["duration_s"] = _since(started)
    return row


def _loss_name(problem: Problem) -> str:
    return "mean squared error" if problem.task == "regression" else "log loss"


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


def higher_is_better(metric: str) -> bool:
    return metric not in LOWER_IS_BETTER


def leaderboard(rows: list[dict[str, Any]], metrics: tuple[str, ...], metric: str) -> DataTable:
    df = pd.DataFrame(
        {
            "Trial": pd.Series([r["trial"] for r in rows], dtype="int64"),
            "Algorithm": pd.Series([r["algorithm"] for r in rows], dtype="str"),
            "Hyperparameters": pd.Series([json.dumps(r["settings"], sort_keys=True) for r in rows], dtype="str"),
        }
    )
    for name in metrics:
        df[name] = pd.Series([r["metrics"].get(name, float("nan")) for r in rows], dtype="float64")
    df["Duration (s)"] = pd.Series([r["duration_s"] for r in rows], dtype="float64")
    df["Worker"] = pd.Series([r["worker"] for r in rows], dtype="str")
    df["Status"] = pd.Series([r["status"] for r in rows], dtype="str")
    df["Error"] = pd.Series([r["error"] for r in rows], dtype="str")
    df = df.sort_values(
        [metric, "Trial"], ascending=[not higher_is_better(metric), True], na_position="last", kind="stable"
    )
    return DataTable(df.reset_index(drop=True), {})


def importance(
    model: FittedModel,
    rows: DataTable,
    label: str,
    metric: str,
    seed: int,
    affordable: Callable[[int, float], int] | None = None,
    deadline: float | None = None,
) -> DataTable:
    """Permutation importance of each input column on ``rows``: how much worse ``metric`` gets shuffled.

    With a time budget: ``affordable(rows, seconds)`` says how many rows to keep once scoring the rows took
    ``seconds`` (0: none, no explanation), and columns not reached by ``deadline`` (``time.monotonic()``)
    are left out; either is said in the table's ``explanation`` meta (``shortened``)."""
    most = SAMPLE_ROWS if deadline is None else TIMED_SAMPLE_ROWS
    df = rows.df.sample(most, random_state=seed) if len(rows.df) > most else rows.df
    df = df.reset_index(drop=True)
    began = time.monotonic()
    base = score_metrics(score_table(model, rows.with_df(df)), label)[metric]
    shortened = []
    if affordable is not None:
        keep = affordable(len(df), time.monotonic() - began)
        if keep == 0:
            return no_importance(metric, "the time budget left does not cover permuting the columns")
        if keep < len(df):
            shortened.append(f"{keep} of {len(df)} held-out rows (time budget)")
            df = df.sample(keep, random_state=seed).reset_index(drop=True)
            base = score_metrics(score_table(model, rows.with_df(df)), label)[metric]
    rng = np.random.default_rng(seed)
    sign = 1.0 if higher_is_better(metric) else -1.0
    names, scores = [], []
    for name in model.feature_columns:
        if deadline is not None and time.monotonic() >= deadline:
            break
        shuffled = df.copy()
        shuffled[name] = df[name].to_numpy()[rng.permutation(len(df))]
        value = score_metrics(score_table(model, rows.with_df(shuffled)), label)[metric]
        names.append(name)
        scores.append(sign * (base - value))
    if len(names) < len(model.feature_columns):
        shortened.append(f"{len(names)} of {len(model.feature_columns)} columns permuted before the time budget ended")
    table = pd.DataFrame({"Feature": pd.Series(names, dtype="str"), "Score": pd.Series(scores, dtype="float64")})
    table = table.sort_values(["Score", "Feature"], ascending=[False, True], kind="stable").reset_index(drop=True)
    meta: dict[str, Any] = {"method": "permutation", "metric": metric, "rows": len(df)}
    if shortened:
        meta["shortened"] = "; ".join(shortened)
    return DataTable(table, {"explanation": meta})


def no_importance(metric: str, reason: str) -> DataTable:
    """The explanation left out (``reason``): no rows."""
    table = pd.DataFrame({"Feature": pd.Series([], dtype="str"), "Score": pd.Series([], dtype="float64")})
    return DataTable(table, {"explanation": {"method": "none", "metric": metric, "rows": 0, "shortened": reason}})
