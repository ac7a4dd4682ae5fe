"""Tune Model Hyperparameters: sweep the ranges of a Parameter Range learner and train the best setting."""

from __future__ import annotations

import math
from typing import Any, Literal, cast

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError

from modules.library._learners import parameter_sweep
from modules.library.scoring.score_model import score_table
from modules.library.training.cross_validate_model import (
    CLASSIFICATION_METRICS,
    LOWER_IS_BETTER,
    check_labelled,
    check_learner,
    fold_assignments,
    metric_names,
    score_metrics,
    train_quietly,
)
from modules.sdk import (
    DataTable,
    FittedModel,
    In,
    Learner,
    Module,
    ModuleError,
    Out,
    ParamModel,
    RunContext,
    Table,
    TrainedModel,
    UntrainedModel,
    column,
    default_registry,
)

TRIAL = "Trial"
ClassificationMetric = Literal["Accuracy", "Precision", "Recall", "F-score", "AUC", "Average log loss"]
RegressionMetric = Literal[
    "Mean absolute error",
    "Root of mean squared error",
    "Relative absolute error",
    "Relative squared error",
    "Coefficient of determination",
]


class TuneModelHyperparameters(Module):
    """Try settings of a learner in Parameter Range mode, measure each, and output the best one trained.

    "Entire grid" tries every combination of the learner's ranges; "Random sweep" tries at most
    "Maximum number of runs" of them, drawn without repetition with the random seed
    (``sklearn.model_selection.ParameterSampler``). Each trial builds the learner with single values
    and trains it exactly as Train Model does, scores exactly as Score Model does, and is measured by
    the chosen metric. With a validation dataset, each trial trains on the training dataset and is
    measured on the validation dataset. **Without one, each trial is measured by k-fold
    cross-validation of the training dataset** (the folds of Cross Validate Model: stratified for
    classification, shuffled with the random seed, the same folds for every trial; the metric is the
    mean over the folds, as ``GridSearchCV`` averages). The best trial (ties: the earlier trial) is
    then trained on the whole training dataset and output as the trained best model.

    **Trials are spread across workers**: each trial is one part of the node's work, which any worker
    serving the node's queue may take, while the node's own worker takes trials too (so a lone worker
    still finishes the sweep). Start more workers (``make worker`` on other machines) and a sweep of
    many trials finishes sooner; the log says which worker ran each trial. The results do not depend
    on which worker ran what: the folds and each learner's random state are seeded.

    "Sweep results" has one row per trial, best first: the trial number, the value of each tunable
    parameter (named by its title) and every metric of the task. Its ``meta["sweep"]`` names the
    ranking metric, its direction, the parameter and metric columns and the best trial, so the
    inspector can plot the metric against each parameter.

    A learner in Single Parameter mode has nothing to sweep: it runs as a sweep of one trial (its
    cross-validated or validation metrics, and the model trained on all the training data), with a
    note in the log. Better than Azure: multiclass models can be ranked by every classification metric
    (precision, recall and F-score macro-averaged, one-vs-rest AUC, log loss), not accuracy alone;
    progress is reported per trial and a cancelled run stops between trials; a sweep without a
    validation dataset is cross-validated rather than measured on the rows it trained on.
    """

    id = "tune_model_hyperparameters"
    name = "Tune Model Hyperparameters"
    category = "Model Training"

    class Inputs:
        untrained_model = In(UntrainedModel, "Untrained model")
        training_dataset = In(Table, "Training dataset")
        validation_dataset = In(Table, "Optional validation dataset", optional=True)

    class Outputs:
        sweep_results = Out(Table, "Sweep results")
        trained_best_model = Out(TrainedModel, "Trained best model")

    class Params(ParamModel):
        specify_parameter_sweeping_mode: Literal["Entire grid", "Random sweep"] = Field(
            "Random sweep",
            title="Specify parameter sweeping mode",
            description="Entire grid: every combination of the learner's ranges. "
            "Random sweep: at most 'Maximum number of runs' combinations drawn at random.",
        )
        maximum_number_of_runs_on_random_sweep: int = Field(
            5,
            ge=1,
            le=10_000,
            title="Maximum number of runs on random sweep",
            description="How many combinations a random sweep tries (all of them if the grid is smaller).",
        )
        random_seed: int = Field(
            0, ge=0, title="Random seed", description="Seed of the random sweep and of the cross-validation folds."
        )
        label_column: str = column(
            "training_dataset", title="Label column", description="The column the model learns to predict."
        )
        metric_for_measuring_performance_for_classification: ClassificationMetric = Field(
            "Accuracy",
            title="Metric for measuring performance for classification",
            description="How two-class and multiclass trials are ranked (multiclass: macro-averaged).",
        )
        metric_for_measuring_performance_for_regression: RegressionMetric = Field(
            "Mean absolute error",
            title="Metric for measuring performance for regression",
            description="How regression trials are ranked.",
        )
        number_of_cross_validation_folds: int = Field(
            5,
            ge=2,
            le=100,
            title="Number of cross-validation folds",
            description="Without a validation dataset, each trial is measured by cross-validation with this many "
            "folds of the training dataset; unused when a validation dataset is connected.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        learner: Learner = inputs["untrained_model"]
        training: DataTable = inputs["training_dataset"]
        validation: DataTable | None = inputs.get("validation_dataset")
        check_learner(learner, self.name)
        label = params.label_column
        check_labelled(training, label, "training_dataset")
        if validation is not None:
            check_labelled(validation, label, "validation_dataset")
        metric = _metric(learner.task, params)
        trials, parameters = _trials(learner, params, ctx)
        sweep = _Sweep.of(inputs, params, ctx, log_folds=True)
        # One part per trial: a worker's context spreads them over the queue's workers.
        items = [{"trial": i + 1, "setting": trial} for i, trial in enumerate(trials)]
        span = (0.0, len(trials) / (len(trials) + 1))
        measured = ctx.map(self, inputs, params, items, what="trial", progress=span)
        rows = []
        for i, (trial, values) in enumerate(zip(trials, measured, strict=True)):
            rows.append({TRIAL: i + 1, **{p: trial.get(name) for name, p in parameters.items()}, **values})
            ctx.log(f"trial {i + 1}: {metric} = {values[metric]:.6g}")
        ctx.check_cancelled()
        best = _best(rows, metric)
        ctx.progress(span[1], f"training trial {best} on the whole training dataset")
        model = sweep.best_model(trials[best - 1])
        ctx.progress(1.0, "tuned")
        table = _results_table(rows, list(parameters.values()), metric_names(learner.task), metric)
        table.meta["sweep"] = {
            "metric": metric,
            "higher_is_better": metric not in LOWER_IS_BETTER,
            "trial_column": TRIAL,
            "parameters": list(parameters.values()),
            "parameter_names": {title: name for name, title in parameters.items()},
            "metrics": list(metric_names(learner.task)),
            "best_trial": best,
            "learner": learner.learner,
            "mode": params.specify_parameter_sweeping_mode,
            "evaluation": "validation dataset"
            if validation is not None
            else f"{params.number_of_cross_validation_folds}-fold cross-validation of the training dataset",
        }
        return {"sweep_results": table, "trained_best_model": model}

    def run_part(self, inputs: dict[str, Any], params: Params, ctx: RunContext, item: Any) -> dict[str, float]:
        """One trial: ``item`` is ``{"trial": number, "setting": single-parameter settings}``; its metrics."""
        sweep = _Sweep.of(inputs, params, ctx)
        return sweep.measure(int(item["trial"]) - 1, dict(item["setting"]), inputs.get("validation_dataset"))


def _metric(task: str, params: TuneModelHyperparameters.Params) -> str:
    if task == "regression":
        return params.metric_for_measuring_performance_for_regression
    return params.metric_for_measuring_performance_for_classification


def _trials(
    learner: Learner, params: TuneModelHyperparameters.Params, ctx: RunContext
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The settings to try (each a complete single-parameter ``Params`` dict) and ``{tunable parameter: title}``."""
    from sklearn.model_selection import ParameterSampler

    grid = parameter_sweep(learner)
    what = learner.name or learner.learner
    if grid is None:
        ctx.log(
            f"{what} is in Single Parameter mode, so there is nothing to sweep: its one setting is measured "
            "and trained (set its Create trainer mode to 'Parameter Range' to sweep ranges)"
        )
        return [{}], {}
    module = default_registry().get(learner.learner)
    fields = module.Params.model_fields
    ranges: dict[str, str] = getattr(module.Params, "ranges", dict)()
    parameters = {name: fields[name].title or name for name in fields if name in ranges}
    if params.specify_parameter_sweeping_mode == "Entire grid":
        points = [dict(point) for point in grid]
        ctx.log(f"entire grid: {len(points)} trials of {what}")
        return points, parameters
    runs = params.maximum_number_of_runs_on_random_sweep
    if runs >= len(grid):
        ctx.log(f"the grid of {what} has {len(grid)} combinations, no more than the {runs} runs asked for: all tried")
    sampler = ParameterSampler(grid.param_grid, n_iter=min(runs, len(grid)), random_state=params.random_seed)
    return [dict(point) for point in sampler], parameters


class _Sweep:
    """Builds, trains and measures the trials of one sweep; the same on whichever worker runs a trial."""

    def __init__(self, learner: Learner, training: DataTable, label: str, ctx: RunContext) -> None:
        self.learner = learner
        self.training = training
        self.label = label
        self.ctx = ctx
        self.folds: np.ndarray | None = None

    @classmethod
    def of(
        cls,
        inputs: dict[str, Any],
        params: TuneModelHyperparameters.Params,
        ctx: RunContext,
        *,
        log_folds: bool = False,
    ) -> _Sweep:
        """The sweep of a node's inputs and parameters; without a validation dataset, with its folds
        (seeded, so every worker draws the same ones)."""
        learner: Learner = inputs["untrained_model"]
        training: DataTable = inputs["training_dataset"]
        sweep = cls(learner, training.with_df(training.df.reset_index(drop=True)), params.label_column, ctx)
        if inputs.get("validation_dataset") is None:
            sweep.folds = fold_assignments(
                sweep.training.df[params.label_column],
                learner.task,
                params.number_of_cross_validation_folds,
                params.random_seed,
                "number_of_cross_validation_folds",
                ctx if log_folds else cast(RunContext, _Silent(ctx)),
            )
        return sweep

    def candidate(self, trial: dict[str, Any]) -> Learner:
        if not trial:
            return self.learner  # Single Parameter mode: the learner as connected
        module = default_registry().get(self.learner.learner)
        try:
            settings = module.Params.model_validate(trial)
        except ValidationError as exc:
            raise ModuleError(
                f"the ranges of {self.learner.name or self.learner.learner} give an invalid setting: "
                f"{exc.errors()[0]['msg']}",
                port="untrained_model",
            ) from None
        made: Learner = module().run({}, settings, self.ctx)["untrained_model"]
        return made

    def measure(self, index: int, trial: dict[str, Any], validation: DataTable | None) -> dict[str, float]:
        candidate = self.candidate(trial)
        where = f"trial {index + 1}"
        if validation is not None:
            model = train_quietly(candidate, self.training, self.label, self.ctx, where=where, port="training_dataset")
            return score_metrics(score_table(model, validation), self.label)
        assert self.folds is not None
        df = self.training.df
        per_fold = []
        for k in range(int(self.folds.max()) + 1):
            self.ctx.check_cancelled()
            held_out = self.folds == k
            train = self.training.with_df(df[~held_out].reset_index(drop=True))
            model = train_quietly(
                candidate, train, self.label, self.ctx, where=f"{where}, fold {k}", port="training_dataset"
            )
            per_fold.append(score_metrics(score_table(model, self.training.with_df(df[held_out])), self.label))
        return {name: _mean([fold[name] for fold in per_fold]) for name in per_fold[0]}

    def best_model(self, trial: dict[str, Any]) -> FittedModel:
        """The best setting trained on the whole training dataset (learners are seeded: a trial's own
        model, trained on another worker, would be the same one)."""
        return train_quietly(
            self.candidate(trial), self.training, self.label, self.ctx, where="best trial", port="training_dataset"
        )


class _Silent:
    """A context whose log goes nowhere: each trial redraws the folds, which the node logged once already."""

    def __init__(self, ctx: RunContext) -> None:
        self._ctx = ctx

    def log(self, message: str) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ctx, name)


def _mean(values: list[float]) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return float(np.mean(values)) if len(finite) == len(values) else float("nan")


def _best(rows: list[dict[str, Any]], metric: str) -> int:
    """The trial number of the best row by ``metric``; the earlier trial wins a tie."""
    scored = [(row[metric], row[TRIAL]) for row in rows if not math.isnan(row[metric])]
    if not scored:
        param = (
            "metric_for_measuring_performance_for_classification"
            if metric in CLASSIFICATION_METRICS
            else "metric_for_measuring_performance_for_regression"
        )
        raise ModuleError(
            f"{metric} is undefined for every trial (e.g. AUC when the held-out rows hold one class, or a model "
            "without probabilities); choose another metric",
            param=param,
        )
    sign = 1.0 if metric in LOWER_IS_BETTER else -1.0
    return int(min(scored, key=lambda pair: (sign * pair[0], pair[1]))[1])


def _results_table(
    rows: list[dict[str, Any]], parameters: list[str], metrics: tuple[str, ...], metric: str
) -> DataTable:
    df = pd.DataFrame({TRIAL: pd.Series([row[TRIAL] for row in rows], dtype="int64")})
    for name in parameters:
        df[name] = _typed([row[name] for row in rows])
    for name in metrics:
        df[name] = pd.Series([row[name] for row in rows], dtype="float64")
    ascending = metric in LOWER_IS_BETTER
    df = df.sort_values([metric, TRIAL], ascending=[ascending, True], na_position="last", kind="stable")
    return DataTable(df.reset_index(drop=True), {})


def _typed(values: list[Any]) -> pd.Series:
    """A parameter column in the plainest type that holds all its values."""
    if all(isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="boolean")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="Int64")
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return pd.Series(values, dtype="float64")
    return pd.Series(["" if v is None else str(v) for v in values], dtype="str")
