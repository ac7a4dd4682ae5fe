"""Train Model: fit an untrained model to a labelled table."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from modules.library._features import build_pipeline, features_for
from modules.library._fit_progress import fit_counting, reporting
from modules.library._learners import SUPERVISED, needs_non_negative_label, refuse_parameter_range
from modules.library._threads import fitting_threads
from modules.library.training._dask_fit import NETWORK_TIMEOUT_MINUTES, fit_watched
from modules.sdk import (
    DataTable,
    FittedModel,
    In,
    Learner,
    Module,
    ModuleError,
    Out,
    ParamModel,
    PartitionedTable,
    RunContext,
    Table,
    TrainedModel,
    UntrainedModel,
    column,
    threads_of,
)

#: Where the progress bar stands when the fit begins (checking and encoding come before).
FITTING = 0.1


class TrainModel(Module):
    """Fit the connected learner to the dataset: the label column is predicted from every other column.

    Text, category and true/false columns are one-hot encoded (values never seen in training score
    as "none of the known values"; a text column keeps its 100 most frequent values and lumps the
    rest together, so an ID-like column does not fail training as it does in Azure). Problems are
    reported before fitting, each naming its column: a label with missing values, a two-class
    learner given a label without exactly two values, a classifier given a single class, a
    regression learner given a text label, a negative count for Poisson Regression, missing numbers
    for learners that cannot use them. A learner in Parameter Range mode is refused (it is for Tune
    Model Hyperparameters), and so is a clustering learner (it is for Train Clustering Model).

    Create Python Model's script is the exception, as in Azure: it gets the feature columns as they
    are (their own names and types, missing values included) and encodes them itself.
    """

    id = "train_model"
    name = "Train Model"
    category = "Model Training"

    class Inputs:
        untrained_model = In(UntrainedModel, "Untrained model")
        dataset = In(Table, "Dataset")

    class Outputs:
        trained_model = Out(TrainedModel, "Trained model")

    class Params(ParamModel):
        label_column: str = column(
            "dataset", title="Label column", description="The column the model learns to predict."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        learner: Learner = inputs["untrained_model"]
        table: DataTable = inputs["dataset"]
        _check_learner(learner)
        ctx.progress(0.0, "checking the training data")
        label = params.label_column
        schema = table.schema
        if len(table.df) == 0:
            raise ModuleError("the training dataset has no rows", port="dataset")
        if label not in schema:
            raise ModuleError(
                f"label column {label!r} is not in the dataset (available: {', '.join(schema.names)})",
                param="label_column",
                column=label,
            )
        feature_types: dict[str, str] = {c.name: c.dtype for c in schema.columns if c.name != label}
        if not feature_types:
            raise ModuleError(
                f"the dataset has no feature columns besides the label {label!r}", port="dataset", column=label
            )
        y, classes = _label_values(table.df[label], schema.get(label).dtype, learner, label)  # type: ignore[union-attr]
        features = features_for(learner.estimator, table.df, feature_types, what=learner.name or learner.learner)
        ctx.check_cancelled()
        threads = threads_of(ctx)
        what = f"fitting {learner.name or learner.learner} on {len(features):,} rows × {len(feature_types):,} columns"
        ctx.progress(FITTING, what)
        ctx.log(f"{what}, {_threads(threads)}")
        pipeline = _fit(learner, feature_types, features, y, ctx, threads, what)
        ctx.progress(1.0, "trained")
        model = FittedModel(
            estimator=pipeline,
            task=learner.task,
            learner=learner.learner,
            label_column=label,
            feature_columns=list(feature_types),
            feature_types=feature_types,
            classes=classes,
            name=learner.name,
        )
        return {"trained_model": model}

    def run_dask(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        """LightGBM learners (the Boosted Decision Trees) on numeric features train with LightGBM's Dask
        estimators, data-parallel over the cluster's workers; the trained booster goes into the same
        pipeline ``run`` builds, so the model artifact is the same kind. Distributed training is not
        bit-identical to one machine's: the README states the tolerance the tests hold it to. Any other
        learner, or text and category features, is trained as ``run`` trains it, on the table gathered here."""
        learner: Learner = inputs["untrained_model"]
        table: PartitionedTable = inputs["dataset"]
        _check_learner(learner)
        label = params.label_column
        schema = table.schema
        if label not in schema:
            raise ModuleError(
                f"label column {label!r} is not in the dataset (available: {', '.join(schema.names)})",
                param="label_column",
                column=label,
            )
        feature_types: dict[str, str] = {c.name: c.dtype for c in schema.columns if c.name != label}
        if not _distributable(learner, feature_types):
            ctx.log(f"{learner.name or learner.learner} has no distributed trainer here: the table is gathered")
            return self.run({**inputs, "dataset": table.gather(port="dataset")}, params, ctx)
        return {"trained_model": _fit_on_cluster(learner, table, label, feature_types, ctx)}


def _distributable(learner: Learner, feature_types: dict[str, str]) -> bool:
    from modules.library._features import is_numeric_feature

    module = type(learner.estimator).__module__
    numeric = bool(feature_types) and all(is_numeric_feature(t) for t in feature_types.values())
    return module.startswith("lightgbm") and learner.task in ("binary", "multiclass", "regression") and numeric


def _fit_on_cluster(
    learner: Learner, table: PartitionedTable, label: str, feature_types: dict[str, str], ctx: RunContext
) -> FittedModel:
    import lightgbm.dask as lgb_dask
    from distributed import default_client
    from sklearn.base import clone

    from modules.library._features import build_pipeline, prepare_features
    from modules.library._partitioned import null_counts, value_counts

    ctx.progress(0.0, "checking the training data")
    rows, nulls = null_counts(table, [label])
    if rows == 0:
        raise ModuleError("the training dataset has no rows", port="dataset")
    dtype = table.schema.get(label).dtype  # type: ignore[union-attr]
    # The label's checks on a stand-in holding each distinct value once (and the missing ones): the same errors.
    distinct = list(value_counts(table, label).index) if learner.task != "regression" else []
    stand_in = pd.Series(distinct + [None] * nulls[label], dtype=table.empty[label].dtype)
    if learner.task == "regression":
        stand_in = pd.Series([None] * nulls[label], dtype=table.empty[label].dtype)
    _, classes = _label_values(stand_in, dtype, learner, label)
    empty = prepare_features(table.empty, feature_types)
    features = table.frame.map_partitions(prepare_features, feature_types, meta=empty)
    y = table.frame[label].map_partitions(_label_partition, dtype, meta=(label, _label_dtype(dtype, learner)))
    estimator = learner.estimator
    trainer = lgb_dask.DaskLGBMRegressor if learner.task == "regression" else lgb_dask.DaskLGBMClassifier
    what = f"fitting {learner.name or learner.learner} on {rows:,} rows × {len(feature_types):,} columns"
    ctx.progress(FITTING, what)
    ctx.log(f"{what}, data-parallel on the Dask cluster ({table.npartitions} partitions)")
    client = default_client()
    settings = {"time_out": NETWORK_TIMEOUT_MINUTES, **estimator.get_params()}
    distributed = trainer(**settings, client=client)
    fit_watched(distributed, features.to_dask_array(lengths=True), y.to_dask_array(lengths=True), client, ctx)
    pipeline = build_pipeline(feature_types, clone(estimator))
    if len(pipeline.steps) > 1:  # numeric features only: the encoder passes them through, fitted on one row
        pipeline.steps[0][1].fit(prepare_features(table.frame.head(1), feature_types))
    pipeline.steps[-1] = ("model", distributed.to_local())
    ctx.progress(1.0, "trained")
    return FittedModel(
        estimator=pipeline,
        task=learner.task,
        learner=learner.learner,
        label_column=label,
        feature_columns=list(feature_types),
        feature_types=feature_types,
        classes=classes,
        name=learner.name,
    )


def _label_partition(series: pd.Series, dtype: str) -> pd.Series:
    return pd.Series(_plain_labels(series, dtype), index=series.index, name=series.name)


def _label_dtype(dtype: str, learner: Learner) -> str:
    if learner.task == "regression" or dtype == "number":
        return "float64"
    return {"integer": "int64", "boolean": "bool"}.get(dtype, "object")


def _check_learner(learner: Learner) -> None:
    refuse_parameter_range(learner, "untrained_model", "Train Model")
    if learner.task not in SUPERVISED:
        trainer = "Train Anomaly Detection Model" if learner.task == "anomaly" else "Train Clustering Model"
        article = "an" if learner.task[:1] in "aeiou" else "a"
        raise ModuleError(
            f"{learner.name or learner.learner} is {article} {learner.task} learner; train it with {trainer}",
            port="untrained_model",
        )


def _threads(n: int) -> str:
    """What the log says: learners that cannot use threads (no ``n_jobs``) fit on one whatever this says."""
    return "1 thread" if n == 1 else f"up to {n} threads"


def _fit(
    learner: Learner,
    feature_types: dict[str, str],
    features: pd.DataFrame,
    y: np.ndarray,
    ctx: RunContext,
    threads: int = 1,
    what: str = "fitting",
) -> Any:
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning

    estimator = clone(learner.estimator)
    pipeline = build_pipeline(feature_types, estimator)
    with (
        warnings.catch_warnings(record=True) as caught,
        fitting_threads(estimator, threads),
        reporting(ctx, what, FITTING) as progress,
    ):
        warnings.simplefilter("always", ConvergenceWarning)
        fit_counting(pipeline, features, y, progress, threads)
    ctx.log(f"fitted in {progress.elapsed():.1f} s")
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            ctx.log(f"the solver stopped at its iteration limit before reaching the tolerance: {warning.message}")
    return pipeline


def _label_values(series: pd.Series, dtype: str, learner: Learner, label: str) -> tuple[np.ndarray, list[Any]]:
    missing = int(series.isna().sum())
    if missing:
        raise ModuleError(
            f"label column {label!r} has {missing} missing values; remove those rows first "
            "(Clean Missing Data, cleaning mode 'Remove entire row')",
            param="label_column",
            column=label,
        )
    if learner.task == "regression":
        return _regression_label(series, dtype, learner, label), []
    y = _plain_labels(series, dtype)
    classes = sorted({_python(v) for v in pd.unique(y)})  # each distinct value once, not every row
    if learner.task == "binary" and len(classes) != 2:
        raise ModuleError(
            f"label column {label!r} has {len(classes)} {'class' if len(classes) == 1 else 'classes'}; "
            "a two-class learner needs exactly 2",
            param="label_column",
            column=label,
        )
    if len(classes) < 2:
        raise ModuleError(
            f"label column {label!r} has only 1 class; a classifier needs at least 2",
            param="label_column",
            column=label,
        )
    return y, classes


def _regression_label(series: pd.Series, dtype: str, learner: Learner, label: str) -> np.ndarray:
    if dtype not in ("integer", "number"):
        raise ModuleError(
            f"label column {label!r} is {dtype}; a regression learner needs a numeric label",
            param="label_column",
            column=label,
        )
    y = series.to_numpy(dtype="float64")
    negative = int((y < 0).sum())
    if negative and needs_non_negative_label(learner.estimator):
        raise ModuleError(
            f"label column {label!r} has {negative} negative values; "
            f"{learner.name or learner.learner} models counts, which are 0 or more",
            param="label_column",
            column=label,
        )
    return y


def _plain_labels(series: pd.Series, dtype: str) -> np.ndarray:
    if dtype == "integer":
        return series.to_numpy(dtype="int64")
    if dtype == "boolean":
        return series.to_numpy(dtype=bool)
    if dtype == "number":
        return series.to_numpy(dtype="float64")
    # Text: each distinct value made a str once (the same objects then fill every row), not once per row.
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    return np.array([str(v) for v in uniques], dtype=object)[codes]


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
