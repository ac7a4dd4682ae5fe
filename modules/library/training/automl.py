"""AutoML Classification and AutoML Regression: search Tessera's learners with Optuna, train the best one."""

from __future__ import annotations

import json
import math
import time
from typing import Any, ClassVar, Literal

from pydantic import Field, create_model

from modules.library.training import _automl, _automl_selection
from modules.library.training._automl_budget import OUTPUT_SECONDS, SELECTION_SHARE, TimeBudget, slack
from modules.library.training.cross_validate_model import check_labelled, metric_names
from modules.sdk import (
    DataTable,
    In,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TrainedModel,
    column,
)

ClassificationAlgorithm = Literal[
    "Boosted decision tree", "Decision forest", "Logistic regression", "Neural network", "Support vector machine"
]
RegressionAlgorithm = Literal["Boosted decision tree", "Decision forest", "Linear regression", "Neural network"]


class _AutoML(Module):
    """What the two AutoML modules share; each says its task, metrics and algorithms."""

    category = "Model Training"
    tasks: ClassVar[tuple[str, ...]] = ()

    class Inputs:
        training_dataset = In(Table, "Training dataset")
        validation_dataset = In(Table, "Optional validation dataset", optional=True)

    class Outputs:
        trained_model = Out(TrainedModel, "Trained model")
        leaderboard = Out(Table, "Leaderboard")
        guardrails = Out(Table, "Data guardrails")
        explanation = Out(Table, "Explanation")

    def run(self, inputs: dict[str, Any], params: Any, ctx: RunContext) -> dict[str, Any]:
        import optuna

        started = time.monotonic()
        problem, algorithms = self._problem(inputs, params, ctx)
        ctx.progress(0.0, "checking the data (guardrails)")
        settings, rails = _automl.featurization(
            problem.training.df,
            problem.feature_types,
            problem.task,
            problem.label,
            params.automatic_featurization,
            params.random_seed,
        )
        for rail in rails:
            ctx.log(f"guardrail {rail.name}: {rail.status}" + (f" ({', '.join(rail.columns)})" if rail.columns else ""))
        if params.validation_type == AUTOMATIC and problem.validation is None:
            rows, columns = len(problem.training.df), len(problem.feature_types)
            ctx.log(f"validation (Automatic, {rows:,} rows x {columns} feature columns): {_evaluation(problem)}")
        problem.splits(ctx)  # refuse an impossible split here, before any trial, and log how folds fall
        metric = params.primary_metric
        rows: list[dict[str, Any]] = []
        partners = (lambda: _top_distinct(rows, metric, params.ensemble_size)) if _greedy(params) else None
        clock = (
            TimeBudget(params.time_budget_seconds, started, problem, partners) if params.time_budget_seconds else None
        )
        higher = _automl.higher_is_better(metric)
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        study = optuna.create_study(
            direction="maximize" if higher else "minimize",
            sampler=optuna.samplers.TPESampler(seed=params.random_seed, constant_liar=True),
        )
        budget = params.maximum_number_of_trials
        scores: dict[int, dict[str, Any] | None] = {}  # trial -> its held-out scores (greedy ensemble selection)
        search = {"metric": metric, "higher_is_better": higher, "budget": budget}
        ctx.progress(0.0, f"trial 0 / {budget}", detail={"search": search})
        stop = ""
        while len(rows) < budget and not stop:
            ctx.check_cancelled()
            asked = []
            for _ in range(min(params.maximum_concurrent_trials, budget - len(rows))):
                trial = study.ask()
                algorithm, chosen = _automl.suggest(trial, problem.task, algorithms)
                asked.append((trial, algorithm, chosen))
            items = _items(asked, rows, settings, params, clock)
            span = (len(rows) / budget * 0.9, (len(rows) + len(items)) / budget * 0.9)
            running = {str(item["trial"]): _live(item, None, metric, started) for item in items}
            ctx.progress(span[0], f"trial {len(rows)} / {budget}, running {len(items)}", detail=running)
            round_started = time.monotonic()
            results = ctx.map(self, inputs, params, items, what="trial", progress=span)
            if clock is not None:
                clock.rounds.append(time.monotonic() - round_started)
            for (trial, _, _), item, result in zip(asked, items, results, strict=True):
                _tell(study, trial, result, metric)
                scores[item["trial"]] = result.pop("scores", None)
                rows.append({**{k: v for k, v in item.items() if k not in _ITEM_ONLY}, **result})
                ctx.log(
                    f"trial {item['trial']} ({item['algorithm']}, worker {result['worker']}): "
                    + _outcome(result, metric)
                )
            if _greedy(params):
                _keep_library_scores(rows, scores, metric)
            best = _best(rows, metric)
            summary = (
                "no trial succeeded yet"
                if best is None
                else f"best {metric} {_metric(best, metric)} ({best['algorithm']})"
            )
            finished = {
                str(item["trial"]): _live(item, result, metric, started)
                for item, result in zip(items, results, strict=True)
            }
            ctx.progress(span[1], f"trial {len(rows)} / {budget}, {summary}", detail=finished)
            stop = _stop(params, best, metric, clock)
        if stop:
            ctx.log(f"search stopped after {len(rows)} trials: {stop}")
        searched = time.monotonic() - started
        single = _best(rows, metric)
        if single is None:
            raise _no_winner(rows, params, metric)
        reserved = clock.tail(single) if clock is not None else 0.0
        if _greedy(params):
            best = self._selected(problem, params, ctx, rows, scores, settings, started, clock) or single
        else:
            best = self._ensemble(inputs, params, ctx, rows, settings, started, clock) or single
        ctx.check_cancelled()
        ctx.progress(0.9, f"training trial {best['trial']} ({best['algorithm']}) on the whole training dataset")
        learner = _learner(problem, best, params.random_seed)
        refitting = time.monotonic()
        model = problem.fit(learner, settings, None)
        if clock is not None:
            ctx.log(f"trial {best['trial']} trained on every training row in {time.monotonic() - refitting:.1f} s")
        ctx.progress(0.95, "explaining the winner")
        explanation = self._explain(problem, learner, settings, model, metric, params.random_seed, best, clock, ctx)
        table = _automl.leaderboard(rows, metric_names(problem.task), metric)
        table.meta["sweep"] = {
            "metric": metric,
            "higher_is_better": higher,
            "trial_column": "Trial",
            "parameters": ["Algorithm"],
            "parameter_names": {},
            "metrics": list(metric_names(problem.task)),
            "best_trial": best["trial"],
            "learner": best["algorithm"],
            "mode": "AutoML (Optuna TPE)",
            "evaluation": _evaluation(problem),
        }
        table.meta["automl"] = {
            "winner": {"trial": best["trial"], "algorithm": best["algorithm"], "settings": best["settings"]},
            "best_single_trial": single["trial"],
            "pruning": {
                "loss": "mean squared error" if problem.task == "regression" else "log loss",
                "curves": {str(r["trial"]): r.get("curve", []) for r in rows if r.get("curve")},
            },
            "stopped": stop or "trial budget",
            "budget": budget,
            "search_s": round(searched, 3),
            "elapsed_s": round(time.monotonic() - started, 3),
        }
        if clock is not None:
            table.meta["automl"]["time_budget"] = {
                "seconds": params.time_budget_seconds,
                "slack_s": slack(params.time_budget_seconds),
            }
        if clock is not None:  # what the budget's estimate of the tail is judged by
            ctx.log(
                f"after the search: {time.monotonic() - started - searched:.1f} s (ensemble, refit, explanation and "
                f"outputs; {reserved:.1f} s were reserved for the winner's), {max(0.0, clock.left()):.1f} s of the "
                f"time budget left"
            )
        ctx.progress(1.0, f"best {metric} {_metric(best, metric)}: trial {best['trial']} ({best['algorithm']})")
        return {
            "trained_model": model,
            "leaderboard": table,
            "guardrails": _automl.guardrail_table(rails),
            "explanation": explanation,
        }

    def _selected(
        self,
        problem: _automl.Problem,
        params: Any,
        ctx: RunContext,
        rows: list[dict[str, Any]],
        scores: dict[int, dict[str, Any] | None],
        settings: dict[str, Any],
        started: float,
        clock: TimeBudget | None = None,
    ) -> dict[str, Any] | None:
        """Greedy ensemble selection over the trials' held-out scores (``_automl_selection``): a row of the
        leaderboard when it beats the best single trial, and the row to train unless the time left does not
        cover training it."""
        metric = params.primary_metric
        began = time.monotonic()
        kept = [r for r in rows if scores.get(r["trial"]) is not None]
        library = _top_distinct(kept, metric, _automl_selection.LIBRARY)
        if len(library) < 2:
            missing = sum(1 for r in rows if r["status"] == "completed" and scores.get(r["trial"]) is None)
            why = (
                f"{missing} completed trial(s) kept no held-out scores (more than "
                f"{_automl_selection.SCORES_LIMIT:,} values, or classes missing from a fold's rows)"
                if missing
                else "fewer than 2 distinct trials completed"
            )
            ctx.log(f"no soft-voting ensemble: {why}")
            return None
        ctx.check_cancelled()
        ctx.progress(0.88, f"greedy ensemble selection over the best {len(library)} distinct trials")
        greedy = _automl_selection.select(
            [(r["trial"], scores[r["trial"]]) for r in library],
            problem.held_out(),
            problem.label,
            metric,
            _automl.higher_is_better(metric),
            params.ensemble_size,
            deadline=began + max(1.0, SELECTION_SHARE * clock.seconds) if clock is not None else None,
        )
        if greedy is not None and greedy.cut_short:
            ctx.log(f"greedy ensemble selection stopped after {len(greedy.path)} picks (time budget)")
        ranked = greedy.ranked() if greedy is not None else []
        if greedy is None or not ranked:
            ctx.log(
                f"greedy ensemble selection over {len(library)} distinct trials: no mix beats trial "
                f"{library[0]['trial']} alone ({metric} {library[0]['metrics'][metric]:.6g})"
            )
            return None
        by_trial = {r["trial"]: r for r in rows}

        def cost(i: int) -> float:  # refitting the mix of the first i + 1 picks on every training row
            members = [by_trial[t] for t in greedy.counts[i]]
            return clock.cost(members, refit=True, explain=False) + OUTPUT_SECONDS if clock is not None else 0.0

        left = clock.left() if clock is not None else math.inf
        chosen = next((i for i in ranked if cost(i) <= left), None)
        selection = greedy.selection(ranked[0] if chosen is None else chosen)
        members = [by_trial[t] for t in selection.trials]
        row: dict[str, Any] = {
            "trial": len(rows) + 1,
            "algorithm": _automl.ENSEMBLE,
            "settings": {"trials": selection.trials, "weights": selection.weights},
            "featurization": settings,
            "members": [{k: m[k] for k in ("trial", "algorithm", "settings")} for m in members],
            "weights": selection.weights,
            "status": "completed",
            "error": "",
            "metrics": selection.metrics,
            "curve": [],
            "worker": _automl.worker_name(),  # selected here, by the node's own process, from the trials' scores
            "duration_s": round(time.monotonic() - began, 3),
            "fit_s": round(sum(float(m.get("fit_s", 0.0)) for m in members), 4),
            "score_s": round(sum(float(m.get("score_s", 0.0)) for m in members), 4),
        }
        rows.append(row)
        ctx.progress(
            0.9,
            f"{_automl.ENSEMBLE.lower()}: {_outcome(row, metric)}",
            detail={str(row["trial"]): _live(row, row, metric, started)},
        )
        name = _automl.ensemble_name(selection.trials, selection.weights)
        ctx.log(
            f"trial {row['trial']} ({name}, greedy selection over {len(library)} distinct trials, "
            f"{sum(selection.weights)} picks): {metric} = {selection.value:.6g}, against {selection.single:.6g} "
            f"for trial {selection.trials[0]} alone, on the held-out rows it was selected on"
        )
        if chosen is None:
            ctx.log(
                f"{max(0.0, left):.1f} s of the time budget are left and training this ensemble, or any smaller one "
                f"that beats trial {selection.trials[0]}, would take longer (at least "
                f"{min(cost(i) for i in ranked):.1f} s): the best single trial is the trained model"
            )
            return None
        if chosen != ranked[0]:
            best = greedy.selection(ranked[0])
            ctx.log(
                f"(the best mix, {_automl.ensemble_name(best.trials, best.weights)}, {metric} {best.value:.6g}, "
                f"would take {cost(ranked[0]):.1f} s to train, more than the {left:.1f} s left)"
            )
        ctx.log("the ensemble is the trained model")
        return row

    def _ensemble(
        self,
        inputs: dict[str, Any],
        params: Any,
        ctx: RunContext,
        rows: list[dict[str, Any]],
        settings: dict[str, Any],
        started: float,
        clock: TimeBudget | None = None,
    ) -> dict[str, Any] | None:
        """Measure the soft-voting ensemble of the best distinct trials as one more trial (a row of the
        leaderboard); it is the row to train when it beats the best single trial on the primary metric.
        With a time budget, only when the time left covers measuring and training it."""
        size = params.ensemble_size if getattr(params, "soft_voting_ensemble", False) else 0
        members = _top_distinct(rows, params.primary_metric, size)
        if len(members) < 2:
            if size:
                ctx.log("no soft-voting ensemble: fewer than 2 distinct trials completed")
            return None
        if clock is not None:
            need = clock.cost(members, measure=True, refit=True, explain=False) + OUTPUT_SECONDS
            if clock.left() < need:
                ctx.log(
                    f"no soft-voting ensemble: {max(0.0, clock.left()):.1f} s of the time budget left, measuring "
                    f"and training it would take about {need:.1f} s"
                )
                return None
        ctx.check_cancelled()
        metric = params.primary_metric
        item: dict[str, Any] = {
            "trial": len(rows) + 1,
            "algorithm": _automl.ENSEMBLE,
            "settings": {"trials": [m["trial"] for m in members]},
            "featurization": settings,
            "members": [{k: m[k] for k in ("trial", "algorithm", "settings")} for m in members],
        }
        trials = ", ".join(str(m["trial"]) for m in members)
        ctx.progress(
            0.88,
            f"measuring the {_automl.ENSEMBLE.lower()} of trials {trials}",
            detail={str(item["trial"]): _live(item, None, metric, started)},
        )
        result = ctx.map(self, inputs, params, [item], what="trial", progress=(0.88, 0.9))[0]
        rows.append({**item, **result})
        ctx.progress(
            0.9,
            f"{_automl.ENSEMBLE.lower()} of trials {trials}: {_outcome(result, metric)}",
            detail={str(item["trial"]): _live(item, result, metric, started)},
        )
        ctx.log(f"trial {item['trial']} ({_automl.ENSEMBLE} of trials {trials}): " + _outcome(result, metric))
        single, ensemble = _best([r for r in rows if r is not rows[-1]], metric), rows[-1]
        value = ensemble["metrics"].get(metric, math.nan)
        if single is None or ensemble["status"] != "completed" or math.isnan(value):
            return None
        best = single["metrics"][metric]
        beats = value > best if _automl.higher_is_better(metric) else value < best
        if beats and clock is not None:
            need = clock.cost(members, refit=True, explain=False) + OUTPUT_SECONDS
            if clock.left() < need:
                ctx.log(
                    f"the ensemble beats the best single trial {single['trial']} ({metric} {value:.6g} against "
                    f"{best:.6g}), but {max(0.0, clock.left()):.1f} s of the time budget are left and training it "
                    f"would take about {need:.1f} s: the best single trial is the trained model"
                )
                return None
        ctx.log(
            f"the ensemble {'beats' if beats else 'does not beat'} the best single trial {single['trial']} "
            f"({metric} {value:.6g} against {single['metrics'][metric]:.6g}): "
            + ("it is the trained model" if beats else "the best single trial is")
        )
        return ensemble if beats else None

    def run_part(self, inputs: dict[str, Any], params: Any, ctx: RunContext, item: Any) -> dict[str, Any]:
        """One trial: ``item`` says its number, algorithm, settings and featurization; its leaderboard row."""
        problem, _ = self._problem(inputs, params, ctx)
        return _automl.run_trial(problem, item)

    def _problem(self, inputs: dict[str, Any], params: Any, ctx: RunContext) -> tuple[_automl.Problem, list[str]]:
        training: DataTable = inputs["training_dataset"]
        validation: DataTable | None = inputs.get("validation_dataset")
        label = params.label_column
        check_labelled(training, label, "training_dataset")
        if validation is not None:
            check_labelled(validation, label, "validation_dataset")
        if len(training.schema.columns) < 2:
            raise ModuleError(
                f"the training dataset has no feature columns besides the label {label!r}",
                port="training_dataset",
                column=label,
            )
        task = self._task(training, label)
        algorithms = _algorithms(params, task)
        problem = _automl.Problem(
            training,
            validation,
            task,
            label,
            params.random_seed,
            _validation_type(params, training, validation),
            params.holdout_fraction,
            params.number_of_folds,
            ctx,
        )
        return problem, algorithms

    def _task(self, training: DataTable, label: str) -> str:
        raise NotImplementedError

    def _explain(
        self,
        problem: _automl.Problem,
        learner: Any,
        settings: dict[str, Any],
        model: Any,
        metric: str,
        seed: int,
        winner: dict[str, Any] | None = None,
        clock: TimeBudget | None = None,
        ctx: RunContext | None = None,
    ) -> DataTable:
        """Permutation importance on rows the explained model did not train on: the validation dataset, or
        the (first) held-out rows with the winner refitted on the rest. With a time budget, on fewer rows
        when the time left does not cover them all, and none at all when it does not cover the fit."""
        rows = clock.explanation_rows if clock is not None else None
        deadline = clock.end - OUTPUT_SECONDS if clock is not None else None
        if problem.validation is not None:
            table = _automl.importance(model, problem.validation, problem.label, metric, seed, rows, deadline)
        else:
            if clock is not None and winner is not None:
                need = clock.cost([winner], refit=False, explain=True) + OUTPUT_SECONDS  # an ensemble's row: all fits
                if clock.left() < need:
                    reason = (
                        f"{max(0.0, clock.left()):.1f} s of the time budget left, fitting the winner on the "
                        f"rows before its held-out rows and permuting its columns would take about {need:.1f} s"
                    )
                    if winner["algorithm"] != _automl.ENSEMBLE or clock.left() < OUTPUT_SECONDS:
                        if ctx is not None:
                            ctx.log(f"no explanation: {reason}")
                        return _automl.no_importance(metric, reason)
                    # An ensemble costs a fit per member: its trained model is explained on held-out rows it
                    # also trained on, which says what it relies on (and may overstate what it overfits).
                    held = problem.held_out()[0]
                    table = _automl.importance(model, held, problem.label, metric, seed, rows, deadline)
                    table.meta["explanation"]["trained_on_rows"] = True
                    note = f"the ensemble is explained as trained on every row, held-out rows included ({reason})"
                    table.meta["explanation"]["shortened"] = "; ".join(
                        filter(None, [note, table.meta["explanation"].get("shortened")])
                    )
                    if ctx is not None:
                        ctx.log(f"explanation: {note}")
                    return table
            fit_rows, held_rows = problem.splits()[0]
            held = problem.training.with_df(problem.training.df.iloc[held_rows])
            fitted = problem.fit(learner, settings, fit_rows)
            table = _automl.importance(fitted, held, problem.label, metric, seed, rows, deadline)
        note = table.meta["explanation"].get("shortened")
        if note and ctx is not None:
            ctx.log(f"explanation shortened: {note}")
        return table


def _algorithms(params: Any, task: str) -> list[str]:
    blocked = set(params.blocked_algorithms)
    known = _automl.ALGORITHMS[task]
    unknown = [a for a in params.allowed_algorithms if a not in known]
    if unknown and task == "multiclass":
        allowed = [a for a in params.allowed_algorithms if a in known and a not in blocked]
        if not allowed:
            raise ModuleError(
                f"{', '.join(unknown)} is two-class only and the label has more than two classes; "
                "allow another algorithm",
                param="allowed_algorithms",
            )
    allowed = [a for a in params.allowed_algorithms if a in known and a not in blocked]
    if not params.allowed_algorithms:
        raise ModuleError("no algorithm is allowed; allow at least one", param="allowed_algorithms")
    if not allowed:
        raise ModuleError(
            f"every allowed algorithm ({', '.join(params.allowed_algorithms)}) is blocked; "
            "unblock one or allow another",
            param="blocked_algorithms",
        )
    return allowed


def _live(item: dict[str, Any], result: dict[str, Any] | None, metric: str, started: float) -> dict[str, Any]:
    """A trial's live leaderboard row (``ctx.progress`` detail): running until ``result`` is known; its
    ``elapsed_s`` is when the search learnt it, in seconds since the search began."""
    row: dict[str, Any] = {
        "trial": item["trial"],
        "algorithm": item["algorithm"],
        "settings": item["settings"],
        "status": "running",
        "value": None,
        "metrics": {},
        "duration_s": None,
        "worker": "",
        "error": "",
        "elapsed_s": round(time.monotonic() - started, 3),
    }
    if result is not None:
        value = result["metrics"].get(metric, float("nan"))
        row.update(
            status=result["status"],
            value=None if isinstance(value, float) and math.isnan(value) else value,
            metrics={k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in result["metrics"].items()},
            duration_s=result["duration_s"],
            worker=result["worker"],
            error=result["error"],
        )
    return row


def _learner(problem: _automl.Problem, row: dict[str, Any], seed: int) -> Any:
    """The learner of a leaderboard row: a trial's learner module, or the ensemble of its members."""
    if row["algorithm"] == _automl.ENSEMBLE:
        return _automl.ensemble_of(problem.task, row["members"], seed, row.get("weights"))
    return _automl.learner_for(problem.task, row["algorithm"], row["settings"], seed)


def _items(
    asked: list[tuple[Any, str, dict[str, Any]]],
    rows: list[dict[str, Any]],
    settings: dict[str, Any],
    params: Any,
    clock: TimeBudget | None,
) -> list[dict[str, Any]]:
    """The parts of a round: one per asked trial, with the pruner's curves and, with a time budget, when to stop."""
    items = [
        {"trial": len(rows) + i + 1, "algorithm": a, "settings": s, "featurization": settings}
        for i, (_, a, s) in enumerate(asked)
    ]
    if _greedy(params):  # each trial keeps its held-out scores for ensemble selection
        for item in items:
            item["keep_scores"] = True
    if _pruning(params):
        curves = _curves(rows)
        for item in items:
            if item["algorithm"] == "Boosted decision tree":
                item["pruning"] = {"curves": curves}
    if clock is not None:  # trials still running when the search's share of the budget ends stop
        stop_at = round(clock.stop_at(_best(rows, params.primary_metric)), 3)
        for item in items:
            item["stop_at"] = stop_at
    return items


def _tell(study: Any, trial: Any, result: dict[str, Any], metric: str) -> None:
    """Optuna learns a trial's outcome: its value, pruned, or failed (failed, stopped by the time budget)."""
    import optuna

    value = result["metrics"].get(metric, float("nan"))
    if result["status"] == "completed" and not math.isnan(value):
        study.tell(trial, value)
    elif result["status"] == "pruned":
        study.tell(trial, state=optuna.trial.TrialState.PRUNED)
    else:
        study.tell(trial, state=optuna.trial.TrialState.FAIL)


def _no_winner(rows: list[dict[str, Any]], params: Any, metric: str) -> ModuleError:
    if params.time_budget_seconds and any(r["status"] == "stopped" for r in rows):
        return ModuleError(
            f"the time budget of {params.time_budget_seconds} s ended before any trial finished; give it more time",
            param="time_budget_seconds",
        )
    first = next((r["error"] for r in rows if r["error"]), f"{metric} is undefined for every trial")
    return ModuleError(f"no trial succeeded ({first})", param="primary_metric")


def _pruning(params: Any) -> bool:
    return bool(getattr(params, "prune_trials", False))


def _greedy(params: Any) -> bool:
    """Whether the ensemble is chosen by greedy selection (version 3's default) rather than as the best averaged."""
    return bool(getattr(params, "soft_voting_ensemble", False)) and getattr(params, "ensemble_method", "") == GREEDY


def _keep_library_scores(rows: list[dict[str, Any]], scores: dict[int, dict[str, Any] | None], metric: str) -> None:
    """Only the trials greedy selection may pick (the best distinct ones) keep their held-out scores in memory: a
    search of hundreds of trials holds 20 trials' scores, not all of them."""
    kept = [r for r in rows if scores.get(r["trial"]) is not None]
    library = {r["trial"] for r in _top_distinct(kept, metric, _automl_selection.LIBRARY)}
    for row in kept:
        if row["trial"] not in library:
            scores[row["trial"]] = None


#: What a round's part items carry that the leaderboard's rows do not.
_ITEM_ONLY = ("pruning", "stop_at", "keep_scores")


def _curves(rows: list[dict[str, Any]]) -> list[list[list[float]]]:
    """The validation-loss curves of the completed boosted-tree trials so far: what the pruner compares with."""
    return [r["curve"] for r in rows if r["status"] == "completed" and r.get("curve")]


def _top_distinct(rows: list[dict[str, Any]], metric: str, size: int) -> list[dict[str, Any]]:
    """The best ``size`` completed trials, each configuration once (the earlier of equal ones), best first."""
    seen, top = set(), []
    for row in sorted(
        (r for r in rows if r["status"] == "completed" and not math.isnan(r["metrics"].get(metric, math.nan))),
        key=lambda r: ((-1.0 if _automl.higher_is_better(metric) else 1.0) * r["metrics"][metric], r["trial"]),
    ):
        key = (row["algorithm"], json.dumps(row["settings"], sort_keys=True))
        if key not in seen:
            seen.add(key)
            top.append(row)
    return top[:size]


def _outcome(result: dict[str, Any], metric: str) -> str:
    if result["status"] == "completed":
        return f"{metric} = {result['metrics'].get(metric, math.nan):.6g}"
    return f"{result['status']}: {result['error']}"


def _best(rows: list[dict[str, Any]], metric: str) -> dict[str, Any] | None:
    """The best completed trial by ``metric``; the earlier trial wins a tie."""
    scored = [r for r in rows if r["status"] == "completed" and not math.isnan(r["metrics"].get(metric, math.nan))]
    if not scored:
        return None
    sign = -1.0 if _automl.higher_is_better(metric) else 1.0
    return min(scored, key=lambda r: (sign * r["metrics"][metric], r["trial"]))


def _metric(row: dict[str, Any], metric: str) -> str:
    return f"{row['metrics'][metric]:.4g}"


def _stop(params: Any, best: dict[str, Any] | None, metric: str, clock: TimeBudget | None) -> str:
    """Why the search stops after this round ("" to go on)."""
    if best is not None and params.exit_score is not None:
        value = best["metrics"][metric]
        reached = value >= params.exit_score if _automl.higher_is_better(metric) else value <= params.exit_score
        if reached:
            return f"exit score reached ({metric} {value:.6g}, exit score {params.exit_score:g})"
    return clock.search_stops(best) if clock is not None else ""


def _validation_type(params: Any, training: DataTable, validation: DataTable | None) -> str:
    """ "Holdout" or "Cross-validation": as chosen, or for "Automatic" by FLAML's rule (``flaml.AutoML``'s
    ``eval_method="auto"``): cross-validation when the training table is small for the time it has, else a
    holdout. The same on every worker (it depends on the table and the parameters only)."""
    if params.validation_type != AUTOMATIC or validation is not None:
        return "Holdout" if params.validation_type == AUTOMATIC else params.validation_type
    rows, columns = len(training.df), max(1, len(training.schema.columns) - 1)
    cells = rows * columns / 0.9
    if params.time_budget_seconds:
        small = cells < CV_CELLS_PER_HOUR * params.time_budget_seconds / 3600 and rows < CV_ROWS
    else:
        small = cells < CV_CELLS_UNTIMED
    return "Cross-validation" if small else "Holdout"


def _evaluation(problem: _automl.Problem) -> str:
    if problem.validation is not None:
        return "validation dataset"
    if problem.validation_type == "Cross-validation":
        return f"{problem.folds}-fold cross-validation of the training dataset"
    return f"holdout of {problem.holdout:.0%} of the training dataset"


#: "Automatic" validation cross-validates below these sizes (FLAML's ``SMALL_LARGE_THRES`` and
#: ``CV_HOLDOUT_THRESHOLD``: rows x feature columns / 0.9 per hour of time budget, and rows); without a time
#: budget, below :data:`CV_CELLS_UNTIMED` cells (a fit of a few seconds at most, times the folds).
CV_CELLS_PER_HOUR = 10_000_000
CV_ROWS = 100_000
CV_CELLS_UNTIMED = 1_000_000
AUTOMATIC = "Automatic"


class _SearchParams(ParamModel):
    label_column: str = column("training_dataset", title="Label column", description="The column to predict.")
    maximum_number_of_trials: int = Field(
        8,
        ge=1,
        le=1000,
        title="Maximum number of trials",
        description="Trial budget: the search stops after this many.",
    )
    time_budget_seconds: int = Field(
        0,
        ge=0,
        le=7 * 24 * 3600,
        title="Time budget (seconds)",
        description="The whole node's time (0: no time budget): the search stops early enough that the "
        "ensemble, training the winner on every row and explaining it fit in it too; trials still running "
        "when the search's share ends are stopped. The node may run over by 10 % (at least 2 s).",
    )
    exit_score: float | None = Field(
        None,
        title="Exit score",
        description="Stop once the best trial's primary metric reaches this (at least it, or at most it for "
        "errors); empty: no exit score.",
    )
    maximum_concurrent_trials: int = Field(
        4,
        ge=1,
        le=64,
        title="Maximum concurrent trials",
        description="Trials asked for at once and run in parallel on the queue's workers. The search "
        "depends on it (not on the number of workers).",
    )
    validation_type: Literal["Holdout", "Cross-validation"] = Field(
        "Holdout",
        title="Validation type",
        description="How a trial is measured without a validation dataset: on a held-out share of the "
        "training rows (stratified for classes), or the mean over k folds.",
    )
    holdout_fraction: float = Field(
        0.2, gt=0.0, lt=1.0, title="Holdout fraction", description="Share of training rows held out (Holdout)."
    )
    number_of_folds: int = Field(3, ge=2, le=20, title="Number of folds", description="Folds (Cross-validation).")
    random_seed: int = Field(0, ge=0, title="Random seed", description="Seed of the search, the split and learners.")
    automatic_featurization: bool = Field(
        True,
        title="Automatic featurization",
        description="Impute, drop ID-like columns, hash high-cardinality and free text, expand dates, weigh "
        "imbalanced classes. Off: Train Model's encoding, and guardrails only alert.",
    )


# Version 2's parameters (version 1 had neither an ensemble nor pruning) and version 3's (the ensemble method),
# shared by both modules.
_SOFT_VOTING_ENSEMBLE: Any = Field(
    True,
    title="Soft-voting ensemble",
    description="After the search, build an ensemble of the best trials (probabilities averaged for classes, "
    "predictions for numbers); it is the trained model only when it beats the best single trial on the "
    "primary metric.",
)
GREEDY = "Greedy selection"
_ENSEMBLE_METHOD: Any = Field(
    GREEDY,
    title="Ensemble method",
    description="Greedy selection: from the best trials' scores on their held-out rows, add one trial at a "
    "time, again and again, the one that improves the primary metric most (Caruana's ensemble selection, "
    "as auto-sklearn does; a trial picked twice weighs twice; no extra fit). Average of the best: the best "
    "distinct trials, each once, measured like a trial.",
)
_ENSEMBLE_SIZE: Any = Field(
    5,
    ge=2,
    le=20,
    title="Ensemble size",
    description="At most this many distinct trials in the ensemble (Average of the best: the best this many, "
    "fewer if fewer completed).",
)
_PRUNE_TRIALS: Any = Field(
    True,
    title="Prune unpromising trials",
    description="Stop a boosted-tree trial early when its validation loss, as trees are added, is worse "
    "than the median of earlier boosted-tree trials at the same number of trees (Optuna's MedianPruner).",
)
_VALIDATION_TYPE: Any = Field(
    AUTOMATIC,
    title="Validation type",
    description="How a trial is measured without a validation dataset: Automatic (k-fold cross-validation "
    "when the training table is small for the time budget, as FLAML decides: rows x columns / 0.9 under "
    "10,000,000 per hour of budget and under 100,000 rows, or under 1,000,000 cells without a time budget; "
    "else the holdout), on a held-out share of the training rows (stratified for classes), or the mean "
    "over k folds.",
)
_NUMBER_OF_FOLDS: Any = Field(5, ge=2, le=20, title="Number of folds", description="Folds (Cross-validation).")
_VERSION_2 = ("soft_voting_ensemble", "ensemble_size", "prune_trials")
_VERSION_3 = ("ensemble_method",)
#: Fields version 3 redefined: older versions keep their own (Holdout by default, 3 folds).
_REDEFINED_IN_3 = ("validation_type", "number_of_folds")


class AutoMLClassification(_AutoML):
    """Search Tessera's classification learners and their hyperparameters; output the best one trained.

    Two-class and multiclass labels alike (two values: two-class learners, more: multiclass learners).
    The search is Optuna's TPE sampler, seeded, asked "Maximum concurrent trials" configurations at a
    time; each trial runs as one part of the node on any worker of its queue. Before the search the
    data guardrails check the training data (missing values, ID-like columns, high-cardinality and
    free text, dates, class imbalance, label leakage) and decide the featurization every trial uses;
    the "Data guardrails" table says what each found and did. The winner is refitted on every
    training row, featurization included, and output as an ordinary trained model: Score Model,
    Evaluate Model, inference pipelines and endpoints use it as they use Train Model's.
    "Leaderboard" has one row per trial (best first); "Explanation" ranks the input columns by
    permutation importance on held-out rows.
    """

    id = "automl_classification"
    name = "AutoML Classification"
    version = 3

    class Params(_SearchParams):
        primary_metric: Literal["AUC", "Accuracy", "F-score", "Precision", "Recall", "Average log loss"] = Field(
            "AUC",
            title="Primary metric",
            description="What the search optimizes (multiclass: macro-averaged, AUC one-vs-rest).",
        )
        allowed_algorithms: list[ClassificationAlgorithm] = Field(
            ["Boosted decision tree", "Decision forest", "Logistic regression"],
            title="Allowed algorithms",
            description="Learners the search may try (Support vector machine: two-class labels only).",
        )
        blocked_algorithms: list[ClassificationAlgorithm] = Field(
            [], title="Blocked algorithms", description="Learners the search never tries."
        )
        validation_type: Literal["Automatic", "Holdout", "Cross-validation"] = _VALIDATION_TYPE  # type: ignore[assignment]
        number_of_folds: int = _NUMBER_OF_FOLDS
        soft_voting_ensemble: bool = _SOFT_VOTING_ENSEMBLE
        ensemble_method: Literal["Greedy selection", "Average of the best"] = _ENSEMBLE_METHOD
        ensemble_size: int = _ENSEMBLE_SIZE
        prune_trials: bool = _PRUNE_TRIALS

    def _task(self, training: DataTable, label: str) -> str:
        classes = training.df[label].nunique(dropna=True)
        if classes < 2:
            raise ModuleError(
                f"label column {label!r} has only {classes} class; a classifier needs at least 2",
                param="label_column",
                column=label,
            )
        return "binary" if classes == 2 else "multiclass"


class AutoMLRegression(_AutoML):
    """Search Tessera's regression learners and their hyperparameters; output the best one trained.

    As AutoML Classification (same search, trials on the queue's workers, guardrails without class
    balance, outputs), for a numeric label.
    """

    id = "automl_regression"
    name = "AutoML Regression"
    version = 3

    class Params(_SearchParams):
        primary_metric: Literal[
            "Coefficient of determination",
            "Root of mean squared error",
            "Mean absolute error",
            "Relative absolute error",
            "Relative squared error",
        ] = Field("Coefficient of determination", title="Primary metric", description="What the search optimizes.")
        allowed_algorithms: list[RegressionAlgorithm] = Field(
            ["Boosted decision tree", "Decision forest", "Linear regression"],
            title="Allowed algorithms",
            description="Learners the search may try.",
        )
        blocked_algorithms: list[RegressionAlgorithm] = Field(
            [], title="Blocked algorithms", description="Learners the search never tries."
        )
        validation_type: Literal["Automatic", "Holdout", "Cross-validation"] = _VALIDATION_TYPE  # type: ignore[assignment]
        number_of_folds: int = _NUMBER_OF_FOLDS
        soft_voting_ensemble: bool = _SOFT_VOTING_ENSEMBLE
        ensemble_method: Literal["Greedy selection", "Average of the best"] = _ENSEMBLE_METHOD
        ensemble_size: int = _ENSEMBLE_SIZE
        prune_trials: bool = _PRUNE_TRIALS

    def _task(self, training: DataTable, label: str) -> str:
        dtype = training.schema.get(label).dtype  # type: ignore[union-attr]
        if dtype not in ("integer", "number"):
            raise ModuleError(
                f"label column {label!r} is {dtype}; AutoML Regression needs a numeric label",
                param="label_column",
                column=label,
            )
        return "regression"


def _legacy(module: type[_AutoML], version: int, dropped: tuple[str, ...], what: str) -> type[_AutoML]:
    """``module`` as saved at ``version``, kept so older pipelines still run (and give the models they gave): its
    parameters are the latest's without ``dropped``; the run reads a missing one as that version did (no
    ensemble method: the average of the best; no ensemble: none)."""
    latest = module.Params
    fields = {k: (v.annotation, v) for k, v in latest.model_fields.items() if k not in dropped}
    for name in _REDEFINED_IN_3:
        old = _SearchParams.model_fields[name]
        fields[name] = (old.annotation, old)
    params = create_model(f"{module.__name__}V{version}Params", __base__=ParamModel, **fields)  # type: ignore[call-overload]

    @classmethod  # type: ignore[misc]
    def migrate_params(cls: Any, from_version: int, saved: dict[str, Any]) -> dict[str, Any]:
        return dict(saved)

    return type(
        f"{module.__name__}V{version}",
        (module,),
        {
            "__doc__": f"{module.name} as saved at version {version} ({what}); kept so older pipelines still run.",
            "__module__": module.__module__,
            "id": module.id,
            "name": module.name,
            "version": version,
            "Params": params,
            "migrate_params": migrate_params,
        },
    )


AutoMLClassificationV1 = _legacy(AutoMLClassification, 1, _VERSION_2 + _VERSION_3, "no ensemble, no pruning")
AutoMLRegressionV1 = _legacy(AutoMLRegression, 1, _VERSION_2 + _VERSION_3, "no ensemble, no pruning")
AutoMLClassificationV2 = _legacy(AutoMLClassification, 2, _VERSION_3, "the ensemble averages the best trials")
AutoMLRegressionV2 = _legacy(AutoMLRegression, 2, _VERSION_3, "the ensemble averages the best trials")
