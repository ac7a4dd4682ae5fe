"""Readable scikit-learn / LightGBM for the learners, Train Model, Score Model, Tune Model Hyperparameters,
Cross Validate Model and the clustering modules.

What travels between these sections (both ends are emitted here):
- an untrained model is an unfitted estimator written as the library builds it; in Parameter Range mode it
  is the dict ``{parameter: values to try}`` of the learner's ranges, keyed by the module's parameter names
  so that ``ParameterSampler`` draws exactly the library's settings (Tune builds each candidate itself,
  from the learner's spec);
- a trained model is a fitted ``Pipeline``: Tessera's column preparation, the one-hot encoding, the
  learner's estimator (helpers ``with_features`` / ``prepare_columns``).

An emitter returns ``None`` for a configuration it does not reproduce exactly (the generator then calls
the module library).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from designer.engine.codegen.node_code import Emitter, NodeCode, NodeSpec

from . import _ml_helpers as h


@dataclass(frozen=True)
class Expr:
    """Code standing for a parameter's value (``setting["learning_rate"]``): ``repr`` gives the code."""

    code: str

    def __repr__(self) -> str:
        return self.code


#: One learner's estimator as code: ``build(values, target)`` assigns the estimator to ``target``.
Builder = Callable[[Mapping[str, Any], str], str]


@dataclass(frozen=True)
class LearnerCode:
    task: str
    build: Builder
    imports: tuple[str, ...]
    comment: str


def _number(value: Any) -> str:
    if isinstance(value, float) and math.isinf(value):
        return 'float("inf")'
    return repr(value)


def _forest(estimator: str) -> Builder:
    def build(v: Mapping[str, Any], target: str) -> str:
        bagging = v["resampling_method"] == "Bagging"
        return (
            f"{target} = {estimator}(\n"
            f"    n_estimators={v['number_of_decision_trees']!r},\n"
            f"    max_depth={v['maximum_depth_of_the_decision_trees']!r},\n"
            f"    min_samples_leaf={v['minimum_number_of_samples_per_leaf_node']!r},\n"
            f"    bootstrap={bagging!r},  # {'a bootstrap sample per tree' if bagging else 'all rows for each tree'}\n"
            f"    random_state={v['random_number_seed']!r},\n"
            "    n_jobs=1,\n"
            ")"
        )

    return build


def _boosting(estimator: str) -> Builder:
    def build(v: Mapping[str, Any], target: str) -> str:
        return (
            f"{target} = {estimator}(\n"
            f"    num_leaves={v['maximum_number_of_leaves_per_tree']!r},\n"
            f"    min_child_samples={v['minimum_number_of_samples_per_leaf_node']!r},\n"
            f"    learning_rate={v['learning_rate']!r},\n"
            f"    n_estimators={v['number_of_trees_constructed']!r},\n"
            f"    random_state={v['random_number_seed']!r},\n"
            "    n_jobs=1,\n"
            "    deterministic=True,  # with force_col_wise: the same trees on any number of threads\n"
            "    force_col_wise=True,\n"
            "    verbose=-1,\n"
            ")"
        )

    return build


def _logistic(v: Mapping[str, Any], target: str) -> str:
    """Azure's L1/L2 weights as scikit-learn's C and l1_ratio (see the learner module's docstring). Version
    1's model; version 2 builds the same one without L1 (with L1 it is not written out: ``_may_use_l1``)."""
    l1, l2 = v["l1_regularization_weight"], v["l2_regularization_weight"]
    common = f"tol={v['optimization_tolerance']!r}, random_state={v['random_number_seed']!r}"
    saga = 'LogisticRegression(C={c}, l1_ratio={ratio}, solver="saga", max_iter=2000, ' + common + ")"
    lbfgs = 'LogisticRegression(C={c}, l1_ratio=0.0, solver="lbfgs", max_iter=1000, ' + common + ")"
    if isinstance(l1, Expr) or isinstance(l2, Expr):
        no_penalty = 'float("inf")'
        return (
            f"l1, l2 = {l1!r}, {l2!r}\n"
            "if l1 > 0.0:  # an L1 penalty needs the SAGA solver\n"
            f"    model = {saga.format(c='1.0 / (l1 + l2)', ratio='l1 / (l1 + l2)')}\n"
            "else:  # L2 only (none when L2 is 0 too)\n"
            f"    model = {lbfgs.format(c='1.0 / l2 if l2 > 0.0 else ' + no_penalty)}\n"
            f"{target} = make_pipeline(StandardScaler(), model)"
        )
    if l1 > 0.0:
        model = saga.format(c=_number(1.0 / (l1 + l2)), ratio=repr(l1 / (l1 + l2)))
        why = f"L1 {l1!r} + L2 {l2!r}: the SAGA solver"
    else:
        model = lbfgs.format(c=_number(1.0 / l2 if l2 > 0.0 else float("inf")))
        why = f"L2 {l2!r} only: L-BFGS" if l2 > 0.0 else "no penalty: L-BFGS"
    return f"# {why}; features standardized inside the model\n{target} = make_pipeline(StandardScaler(), {model})"


def _k_means(v: Mapping[str, Any], target: str) -> str:
    init = {"Random": "random", "K-Means++": "k-means++"}[v["initialization"]]
    model = (
        f"KMeans(n_clusters={v['number_of_centroids']!r}, init={init!r}, n_init=1, "
        f"max_iter={v['iterations']!r}, random_state={v['random_number_seed']!r})"
    )
    if v["normalize_features"]:
        return f"{target} = make_pipeline(MinMaxScaler(), {model})  # each feature rescaled to [0, 1] first"
    return f"{target} = {model}"


def _linear(v: Mapping[str, Any], target: str) -> str:
    l2, intercept = v["l2_regularization_weight"], v["include_intercept"]
    if v["solution_method"] == "Online Gradient Descent":
        model = (
            f'SGDRegressor(alpha={l2!r}, fit_intercept={intercept!r}, learning_rate="invscaling", '
            f"eta0={v['learning_rate']!r}, max_iter={v['number_of_training_epochs']!r}, tol=None, "
            f"random_state={v['random_number_seed']!r})"
        )
        why = "online gradient descent"
    else:
        ols = f"LinearRegression(fit_intercept={intercept!r})"
        ridge = f"Ridge(alpha={l2!r}, fit_intercept={intercept!r})"
        why = "least squares, ridge when L2 > 0"
        if isinstance(l2, Expr):
            model = f"{ridge} if {l2!r} > 0.0 else {ols}"
        else:
            model = ridge if l2 > 0.0 else ols
    return f"# {why}; features standardized inside the model\n{target} = make_pipeline(StandardScaler(), {model})"


def _poisson(v: Mapping[str, Any], target: str) -> str:
    model = (
        f"PoissonRegressor(alpha={v['l2_regularization_weight']!r}, tol={v['optimization_tolerance']!r}, "
        'solver="lbfgs", max_iter=1000)'
    )
    return f"{target} = make_pipeline(StandardScaler(), {model})  # features standardized inside the model"


def _svm(v: Mapping[str, Any], target: str) -> str:
    steps = (["MinMaxScaler()"] if v["normalize_features"] else []) + (
        ["Normalizer()"] if v["project_to_the_unit_sphere"] else []
    )
    svm = (
        f'SGDClassifier(loss="hinge", penalty="l2", alpha={v["lambda_weight"]!r}, learning_rate="optimal", '
        f"max_iter={v['number_of_iterations']!r}, tol=None, random_state={v['random_number_seed']!r})"
    )
    return (
        "# a linear SVM; its scores become probabilities by sigmoid calibration (5 folds)\n"
        f"svm = {svm}\n"
        f"{target} = make_pipeline({''.join(step + ', ' for step in steps)}"
        'CalibratedClassifierCV(svm, method="sigmoid", cv=5, ensemble=False))'
    )


def _perceptron(v: Mapping[str, Any], target: str) -> str:
    perceptron = (
        f'SGDClassifier(loss="perceptron", penalty=None, learning_rate="constant", eta0={v["learning_rate"]!r}, '
        f"max_iter={v['maximum_number_of_iterations']!r}, tol=None, average=True, "
        f"random_state={v['random_number_seed']!r})"
    )
    return (
        "# an averaged perceptron; its scores become probabilities by sigmoid calibration (5 folds)\n"
        f"perceptron = {perceptron}\n"
        f"{target} = make_pipeline(\n"
        '    StandardScaler(), CalibratedClassifierCV(perceptron, method="sigmoid", cv=5, ensemble=False)\n'
        ")"
    )


_SCALED = ("from sklearn.pipeline import make_pipeline", "from sklearn.preprocessing import StandardScaler")
LEARNERS: dict[str, LearnerCode] = {
    "two_class_logistic_regression": LearnerCode(
        "binary", _logistic, ("from sklearn.linear_model import LogisticRegression", *_SCALED), "logistic regression"
    ),
    "multiclass_logistic_regression": LearnerCode(
        "multiclass",
        _logistic,
        ("from sklearn.linear_model import LogisticRegression", *_SCALED),
        "multinomial logistic regression",
    ),
    "two_class_boosted_decision_tree": LearnerCode(
        "binary", _boosting("LGBMClassifier"), ("from lightgbm import LGBMClassifier",), "gradient-boosted trees"
    ),
    "multiclass_boosted_decision_tree": LearnerCode(
        "multiclass", _boosting("LGBMClassifier"), ("from lightgbm import LGBMClassifier",), "gradient-boosted trees"
    ),
    "boosted_decision_tree_regression": LearnerCode(
        "regression", _boosting("LGBMRegressor"), ("from lightgbm import LGBMRegressor",), "gradient-boosted trees"
    ),
    "two_class_decision_forest": LearnerCode(
        "binary",
        _forest("RandomForestClassifier"),
        ("from sklearn.ensemble import RandomForestClassifier",),
        "a random forest",
    ),
    "multiclass_decision_forest": LearnerCode(
        "multiclass",
        _forest("RandomForestClassifier"),
        ("from sklearn.ensemble import RandomForestClassifier",),
        "a random forest",
    ),
    "decision_forest_regression": LearnerCode(
        "regression",
        _forest("RandomForestRegressor"),
        ("from sklearn.ensemble import RandomForestRegressor",),
        "a random forest",
    ),
    "linear_regression": LearnerCode(
        "regression",
        _linear,
        ("from sklearn.linear_model import LinearRegression, Ridge, SGDRegressor", *_SCALED),
        "linear regression",
    ),
    "poisson_regression": LearnerCode(
        "regression", _poisson, ("from sklearn.linear_model import PoissonRegressor", *_SCALED), "Poisson regression"
    ),
    "two_class_support_vector_machine": LearnerCode(
        "binary",
        _svm,
        (
            "from sklearn.calibration import CalibratedClassifierCV",
            "from sklearn.linear_model import SGDClassifier",
            "from sklearn.pipeline import make_pipeline",
            "from sklearn.preprocessing import MinMaxScaler, Normalizer",
        ),
        "a support vector machine",
    ),
    "two_class_averaged_perceptron": LearnerCode(
        "binary",
        _perceptron,
        (
            "from sklearn.calibration import CalibratedClassifierCV",
            "from sklearn.linear_model import SGDClassifier",
            *_SCALED,
        ),
        "an averaged perceptron",
    ),
    "k_means_clustering": LearnerCode(
        "clustering",
        _k_means,
        (
            "from sklearn.cluster import KMeans",
            "from sklearn.pipeline import make_pipeline",
            "from sklearn.preprocessing import MinMaxScaler",
        ),
        "k-means",
    ),
}

SINGLE, RANGE = "Single Parameter", "Parameter Range"


def _learner_params(module: str) -> Any:
    from modules.sdk import default_registry

    return default_registry().get(module).Params


def _ranges(spec: NodeSpec) -> dict[str, list[Any]]:
    """``{tunable parameter: the distinct values to try}``, in the module's field order."""
    ranges: dict[str, str] = _learner_params(spec.module).ranges()
    out: dict[str, list[Any]] = {}
    for name, field in ranges.items():
        values: list[Any] = []
        for value in spec.params[field]:
            if value not in values:
                values.append(value)
        out[name] = values
    return out


def _readable_learner(spec: NodeSpec | None) -> LearnerCode | None:
    """The learner's code, if ``spec`` is a learner written here in a configuration reproduced exactly."""
    if spec is None or spec.module not in LEARNERS:
        return None
    if spec.module == "k_means_clustering" and spec.params["initialization"] == "First N":
        return None  # Azure's "First N" start is not written out readably (the library call reproduces it)
    if spec.module in _LOGISTIC and spec.version >= 2 and _may_use_l1(spec):
        return None  # version 2 fits an L1 penalty with Tessera's own L-BFGS-B estimator: the library call
    return LEARNERS[spec.module]


_LOGISTIC = ("two_class_logistic_regression", "multiclass_logistic_regression")


def _may_use_l1(spec: NodeSpec) -> bool:
    """Whether a logistic regression's L1 weight (in Parameter Range mode: any value of its range) is above
    0, or bound to a pipeline parameter, so may be."""
    if _mode(spec) == SINGLE:
        values = [spec.params["l1_regularization_weight"]]
    else:
        values = list(spec.params["range_for_l1_regularization_weight"])
    return any(not isinstance(v, int | float) or v > 0.0 for v in values)


def _mode(spec: NodeSpec) -> str:
    return str(spec.params.get("create_trainer_mode", SINGLE))


def emit_learner(spec: NodeSpec) -> NodeCode | None:
    learner = _readable_learner(spec)
    if learner is None:
        return None
    target = spec.outputs["untrained_model"]
    if _mode(spec) == RANGE:
        if not _tunable(spec):
            return None
        lines = [f"# {spec.title}, Parameter Range mode: the values Tune Model Hyperparameters tries", f"{target} = {{"]
        lines += [f"    {name!r}: {values!r}," for name, values in _ranges(spec).items()]
        return NodeCode(code="\n".join([*lines, "}"]))
    code = f"# {spec.title}: {learner.comment} (untrained)\n{learner.build(spec.params, target)}"
    return NodeCode(code=code, imports=learner.imports)


def _tunable(spec: NodeSpec) -> bool:
    """Whether every setting of the ranges builds an estimator this module's code writes (numbers only)."""
    return all(
        all(isinstance(v, int | float) and not isinstance(v, bool) for v in values) for values in _ranges(spec).values()
    )


# -- training and scoring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trained:
    """What a trained-model variable is: the learner it was built from, its label, the node that trained it."""

    learner: NodeSpec
    code: LearnerCode
    label: str


def _trained(spec: NodeSpec, port: str = "trained_model") -> Trained | None:
    """The readable model feeding ``port``, from Train Model or Tune Model Hyperparameters."""
    source = spec.sources.get(port)
    if source is None or source.module not in ("train_model", "tune_model_hyperparameters"):
        return None
    learner = source.sources.get("untrained_model")
    code = _readable_learner(learner)
    if learner is None or code is None or code.task == "clustering":
        return None
    if source.module == "train_model":
        if _mode(learner) != SINGLE or emit_train(source) is None:
            return None
    elif emit_tune(source) is None:
        return None
    return Trained(learner, code, str(source.params["label_column"]))


def emit_train(spec: NodeSpec) -> NodeCode | None:
    learner = spec.sources.get("untrained_model")
    code = _readable_learner(learner)
    if learner is None or code is None or code.task == "clustering" or _mode(learner) != SINGLE:
        return None
    data, untrained = spec.inputs["dataset"], spec.inputs["untrained_model"]
    label = str(spec.params["label_column"])
    if code.task == "regression":
        y = f'{data}[{label!r}].to_numpy(dtype="float64")'
        helpers: tuple[str, ...] = (h.FEATURES,)
    else:
        y = f"class_labels({data}[{label!r}])"
        helpers = (h.FEATURES, h.CLASS_LABELS)
    lines = [
        f"# {spec.title}: learn {label!r} from every other column. Tessera's featurization (with_features): numbers",
        "# and dates as float64 with missing values kept as NaN, text/category/true-false columns one-hot encoded.",
        f"features = {data}.drop(columns=[{label!r}])",
        f"y = {y}",
        "# the pipeline picks the feature columns from the table it is given, training or scoring",
        f"{spec.outputs['trained_model']} = with_features(features, clone({untrained})).fit({data}, y)",
    ]
    return NodeCode(
        code="\n".join(lines),
        imports=(*h.FEATURES_IMPORTS, *h.TRAIN_ON_IMPORTS),
        helpers=helpers,
    )


def _score_helpers(task: str) -> tuple[str, ...]:
    return (h.SCORE, h.SCORER_SOURCES[task])


def _score_meta(task: str, label: str, variable: str, model: str) -> str:
    roles = {"labels": "Scored Labels"}
    extra = ""
    if task == "binary":
        roles["probabilities"] = "Scored Probabilities"
        extra = f', "positive_class": {model}.classes_.tolist()[-1]'
    labelled = f'**({{"label_column": {label!r}}} if {label!r} in {variable}.columns else {{}})'
    return f'{{"task": {task!r}, "score_columns": {roles!r}{extra}, {labelled}}}'


def emit_score(spec: NodeSpec) -> NodeCode | None:
    trained = _trained(spec)
    if trained is None:
        return None
    task, label = trained.code.task, trained.label
    out, model, data = spec.outputs["scored_dataset"], spec.inputs["trained_model"], spec.inputs["dataset"]
    append = bool(spec.params["append_score_columns_to_output"])
    what = {
        "binary": '"Scored Labels" and "Scored Probabilities" (of the larger class)',
        "multiclass": '"Scored Labels" and one "Scored Probabilities for Class ..." column per class',
        "regression": '"Scored Labels"',
    }[task]
    call = f"{h.SCORERS[task]}({model}, {data}, {label!r}" + ("" if append else ", append=False") + ")"
    return NodeCode(
        code=f"# {spec.title}: {what}\n{out} = {call}",
        imports=("import numpy as np", "import pandas as pd"),
        helpers=_score_helpers(task),
        meta={"scored_dataset": _score_meta(task, label, out, model)},
    )


# -- evaluation --------------------------------------------------------------------------------------------


def _scored_task(spec: NodeSpec, port: str) -> tuple[str, str] | tuple[str, int] | None:
    """(task, label column) of a readable scored table feeding ``port``, or ("clustering", clusters)."""
    source = spec.sources.get(port)
    if source is None:
        return None
    out_port = spec.source_ports.get(port, "")
    if source.module == "score_model" and emit_score(source) is not None:
        trained = _trained(source)
        assert trained is not None
        return trained.code.task, trained.label
    if source.module == "cross_validate_model" and out_port == "scored_results" and emit_cross_validate(source):
        learner = source.sources["untrained_model"]
        return LEARNERS[learner.module].task, str(source.params["label_column"])
    clusters = _clusters_of(source, out_port)
    if clusters is not None:
        return "clustering", clusters
    return None


def _clusters_of(source: NodeSpec, port: str) -> int | None:
    if source.module == "train_clustering_model" and port == "results_dataset" and emit_train_clustering(source):
        return int(source.sources["untrained_model"].params["number_of_centroids"])
    if source.module == "assign_data_to_clusters" and emit_assign(source) is not None:
        trainer = source.sources["trained_model"]
        return int(trainer.sources["untrained_model"].params["number_of_centroids"])
    return None


def emit_evaluate(spec: NodeSpec) -> NodeCode | None:
    first = _scored_task(spec, "scored_dataset")
    if first is None:
        return None
    ports = ["scored_dataset"]
    if "scored_dataset_to_compare" in spec.inputs:
        second = _scored_task(spec, "scored_dataset_to_compare")
        if second is None or second[0] != first[0]:
            return None
        ports.append("scored_dataset_to_compare")
    task = first[0]
    out = spec.outputs["evaluation_results"]
    imports: tuple[str, ...] = ()
    if task == "clustering":
        function, helper = "clustering_metrics", h.EVALUATE_CLUSTERING
        helpers: tuple[str, ...] = (helper,)
    else:
        function, helper, imports = h.EVALUATORS[task]
        helpers = (h.PLAIN, helper)
    what = {"binary": "two-class"}.get(task, task)
    lines = [f"# {spec.title}: {what} metrics" + ("" if task == "clustering" else " (rows without a label left out)")]
    for port, target in zip(ports, [out, f"{out}_to_compare"], strict=False):
        about = first if port == "scored_dataset" else _scored_task(spec, port)
        assert about is not None
        if port != "scored_dataset":
            lines.append("# the second scored dataset's metrics, shown beside the first's")
        lines.append(f"{target} = {function}({spec.inputs[port]}, {about[1]!r})")
    return NodeCode(
        code="\n".join(lines), imports=("import numpy as np", "import pandas as pd", *imports), helpers=helpers
    )


# -- cross-validation and tuning ---------------------------------------------------------------------------

CLASSIFICATION_METRICS = ["Accuracy", "Precision", "Recall", "F-score", "AUC", "Average log loss"]
REGRESSION_METRICS = [
    "Mean absolute error",
    "Root of mean squared error",
    "Relative absolute error",
    "Relative squared error",
    "Coefficient of determination",
]
LOWER_IS_BETTER = {"Average log loss", *REGRESSION_METRICS[:4]}


def _metrics(task: str) -> list[str]:
    return REGRESSION_METRICS if task == "regression" else CLASSIFICATION_METRICS


def _fold_pieces(task: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Helpers and imports to train, score and measure folds of a ``task`` learner."""
    _, metrics_helper, metrics_imports = h.FOLD_METRICS[task]
    helpers = (h.FEATURES, h.CLASS_LABELS, h.TRAIN_ON, *_score_helpers(task), h.FOLDS, h.PLAIN, metrics_helper)
    imports = ("import numpy as np", *h.FEATURES_IMPORTS, *h.TRAIN_ON_IMPORTS, *h.FOLDS_IMPORTS, *metrics_imports)
    return helpers, imports


def emit_cross_validate(spec: NodeSpec) -> NodeCode | None:
    learner = spec.sources.get("untrained_model")
    code = _readable_learner(learner)
    if learner is None or code is None or code.task == "clustering" or _mode(learner) != SINGLE:
        return None
    task, label = code.task, str(spec.params["label_column"])
    folds, seed = int(spec.params["number_of_folds"]), int(spec.params["random_seed"])
    classify = task != "regression"
    score, measure = h.SCORERS[task], h.FOLD_METRICS[task][0]
    scored, by_fold = spec.outputs["scored_results"], spec.outputs["evaluation_results_by_fold"]
    lines = [
        f"# {spec.title}: {folds} folds ({'stratified by ' + repr(label) + ', ' if classify else ''}shuffled with "
        f"seed {seed}); each fold is",
        f"# held out once and scored by a model trained on the other {folds - 1} exactly as Train Model trains.",
        f"data = {spec.inputs['dataset']}.reset_index(drop=True)",
        f"folds = fold_numbers(data[{label!r}], {folds}, seed={seed}, stratified={classify})",
        "parts, rows = [], []",
        f"for k in range({folds}):",
        "    held_out = folds == k",
        f"    model = train_on({spec.inputs['untrained_model']}, data[~held_out].reset_index(drop=True), "
        f"{label!r}, classify={classify})",
        f"    scored = {score}(model, data[held_out], {label!r})",
        '    scored["Fold Assignments"] = np.int64(k)',
        "    parts.append(scored)",
        '    counts = {"Fold Number": str(k), "Number of examples in fold": int(held_out.sum())}',
        f"    rows.append({{**counts, **{measure}(scored, {label!r}, model)}})",
        f"{scored} = pd.concat(parts).sort_index()",
        f"{by_fold} = by_fold_table(rows, {learner.title!r}, {_metrics(task)!r})",
    ]
    helpers, imports = _fold_pieces(task)
    meta = _score_meta(task, label, scored, "model")
    return NodeCode(
        code="\n".join(lines),
        imports=("import pandas as pd", *imports),
        helpers=(*helpers, h.BY_FOLD),
        meta={"scored_results": meta, "evaluation_results_by_fold": "{}"},
    )


def _column_dtype(values: list[Any]) -> str | None:
    """The sweep table's type for a parameter's values (as the library types them), or None for others."""
    if all(isinstance(v, bool) for v in values):
        return "boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float64"
    return None


def emit_tune(spec: NodeSpec) -> NodeCode | None:
    learner = spec.sources.get("untrained_model")
    code = _readable_learner(learner)
    if learner is None or code is None or code.task == "clustering":
        return None
    task, label, p = code.task, str(spec.params["label_column"]), spec.params
    metric = str(
        p["metric_for_measuring_performance_for_regression"]
        if task == "regression"
        else p["metric_for_measuring_performance_for_classification"]
    )
    lower, classify = metric in LOWER_IS_BETTER, task != "regression"
    trials = _trials(spec, learner, code)
    if trials is None:
        return None
    how, setup, candidate, columns, imports = trials
    measure, score = h.FOLD_METRICS[task][0], h.SCORERS[task]
    validation = spec.inputs.get("validation_dataset")
    if validation is None:
        folds, seed = int(p["number_of_cross_validation_folds"]), int(p["random_seed"])
        stratified = f"stratified by {label!r}, " if classify else ""
        header = [
            f"# {spec.title}: try {how};",
            f"# each is measured by its mean {metric} over {folds} cross-validation folds ({stratified}shuffled",
            f"# with seed {seed}); the best is trained on the whole training dataset.",
        ]
        loop = [
            f"folds = fold_numbers(data[{label!r}], {folds}, seed={seed}, stratified={classify})",
            "rows = []",
            "for trial, setting in enumerate(settings, start=1):",
            "    per_fold = []",
            f"    for k in range({folds}):",
            "        held_out = folds == k",
            f"        model = train_on({candidate}, data[~held_out].reset_index(drop=True), {label!r}, "
            f"classify={classify})",
            f"        per_fold.append({measure}({score}(model, data[held_out], {label!r}), {label!r}, model))",
            "    metrics = mean_over_folds(per_fold)",
        ]
    else:
        header = [
            f"# {spec.title}: try {how};",
            f"# each is trained on the training dataset and measured by its {metric} on the validation dataset;",
            "# the best is trained on the whole training dataset.",
        ]
        loop = [
            "rows = []",
            "for trial, setting in enumerate(settings, start=1):",
            f"    model = train_on({candidate}, data, {label!r}, classify={classify})",
            f"    metrics = {measure}({score}(model, {validation}, {label!r}), {label!r}, model)",
        ]
    row = ['        "Trial": trial,', *(f"        {t!r}: setting[{n!r}]," for t, (n, _) in columns.items())]
    best = "make_model(settings[best - 1])" if candidate == "make_model(setting)" else candidate
    dtypes = {title: dtype for title, (_, dtype) in columns.items()}
    lines = [
        *header,
        *setup,
        f"data = {spec.inputs['training_dataset']}.reset_index(drop=True)",
        *loop,
        "    rows.append({",
        *row,
        "        **metrics,",
        "    })",
        f"best = best_trial(rows, {metric!r}, lower_is_better={lower})",
        f"{spec.outputs['trained_best_model']} = train_on({best}, data, {label!r}, classify={classify})",
        f"{spec.outputs['sweep_results']} = sweep_table(",
        f"    rows, {dtypes!r}, {_metrics(task)!r}, {metric!r}, lower_is_better={lower}",
        ")",
    ]
    helpers, fold_imports = _fold_pieces(task)
    meta = _sweep_meta(spec, learner, metric, lower, {t: n for t, (n, _) in columns.items()}, task)
    return NodeCode(
        code="\n".join(lines),
        imports=("import math", "import pandas as pd", *fold_imports, *imports),
        helpers=(*helpers, h.SWEEP),
        meta={"sweep_results": meta},
    )


Trials = tuple[str, list[str], str, dict[str, tuple[str, str]], tuple[str, ...]]


def _trials(spec: NodeSpec, learner: NodeSpec, code: LearnerCode) -> Trials | None:
    """What a sweep tries: (its description, the code drawing ``settings``, the code of one candidate,
    ``{column title: (parameter, dtype)}``, imports); None when the ranges are not written out here."""
    p = spec.params
    if _mode(learner) == SINGLE:
        setup = [f"# ({learner.title} is in Single Parameter mode: nothing to sweep)", "settings = [{}]"]
        return "its one setting", setup, spec.inputs["untrained_model"], {}, ()
    if not _tunable(learner):
        return None
    ranges = _ranges(learner)
    fields = _learner_params(learner.module).model_fields
    columns: dict[str, tuple[str, str]] = {}
    for name, values in ranges.items():
        dtype = _column_dtype(values)
        if dtype is None:
            return None
        columns[fields[name].title or name] = (name, dtype)
    size = math.prod(len(v) for v in ranges.values())
    untrained = spec.inputs["untrained_model"]
    if p["specify_parameter_sweeping_mode"] == "Entire grid":
        how = f"every one of the {size} combinations of the ranges"
        draw = f"settings = list(ParameterGrid({untrained}))"
        sampler = "from sklearn.model_selection import ParameterGrid"
    else:
        runs = min(int(p["maximum_number_of_runs_on_random_sweep"]), size)
        how = f"{runs} of the {size} combinations of the ranges drawn at random (seed {p['random_seed']})"
        draw = f"settings = list(ParameterSampler({untrained}, n_iter={runs}, random_state={p['random_seed']!r}))"
        sampler = "from sklearn.model_selection import ParameterSampler"
    body = code.build({**learner.params, **{name: Expr(f"setting[{name!r}]") for name in ranges}}, "model")
    setup = [
        "",
        "",
        "def make_model(setting: dict):",
        f'    """{learner.title} with one setting of its ranges."""',
        *(f"    {line}" for line in body.splitlines()),
        "    return model",
        "",
        "",
        draw,
    ]
    return how, setup, "make_model(setting)", columns, (sampler, *code.imports)


def _sweep_meta(
    spec: NodeSpec,
    learner: NodeSpec,
    metric: str,
    lower: bool,
    columns: Mapping[str, str],
    task: str,
) -> str:
    p = spec.params
    evaluation = (
        "validation dataset"
        if "validation_dataset" in spec.inputs
        else f"{p['number_of_cross_validation_folds']}-fold cross-validation of the training dataset"
    )
    sweep = {
        "metric": metric,
        "higher_is_better": not lower,
        "trial_column": "Trial",
        "parameters": list(columns),
        "parameter_names": dict(columns),
        "metrics": _metrics(task),
        "best_trial": "BEST",
        "learner": learner.module,
        "mode": p["specify_parameter_sweeping_mode"],
        "evaluation": evaluation,
    }
    best = f"int({spec.outputs['sweep_results']}['Trial'].iloc[0])"
    return "{'sweep': " + repr(sweep).replace("'BEST'", best) + "}"


# -- clustering --------------------------------------------------------------------------------------------


def _column_set(selection: Mapping[str, Any], data: str) -> str | None:
    """Code for the names a column selection picks from ``data`` (in table order); None for type rules."""
    rules = selection.get("rules") or []
    if any(rule.get("types") for rule in rules):
        return None
    if not rules:
        return f"list({data}.columns)" if selection.get("start") == "all" else None
    if selection.get("start") == "none" and len(rules) == 1 and rules[0]["op"] == "include":
        return f"[c for c in {data}.columns if c in {list(rules[0]['names'])!r}]"
    if selection.get("start") == "all" and len(rules) == 1 and rules[0]["op"] == "exclude":
        return f"[c for c in {data}.columns if c not in {list(rules[0]['names'])!r}]"
    return None


def emit_train_clustering(spec: NodeSpec) -> NodeCode | None:
    learner = spec.sources.get("untrained_model")
    code = _readable_learner(learner)
    if learner is None or code is None or code.task != "clustering":
        return None
    data = spec.inputs["dataset"]
    chosen = _column_set(spec.params["column_set"], data)
    if chosen is None:
        return None
    model, results = spec.outputs["trained_model"], spec.outputs["results_dataset"]
    append = bool(spec.params["check_for_append_or_uncheck_for_result_only"])
    lines = [
        f"# {spec.title}: cluster the rows on the chosen columns (featurized as Train Model does: with_features),",
        "# then assign the training rows as Assign Data to Clusters would.",
        f"features = {data}[{chosen}]",
        "# the pipeline picks the feature columns from the table it is given, training or assigning",
        f"{model} = with_features(features, clone({spec.inputs['untrained_model']})).fit({data})",
        f"{results} = assign_clusters({model}, {data}" + ("" if append else ", append=False") + ")",
    ]
    return NodeCode(
        code="\n".join(lines),
        imports=(*h.FEATURES_IMPORTS, *h.TRAIN_ON_IMPORTS),
        helpers=(h.FEATURES, h.ASSIGN),
        meta={"results_dataset": _cluster_meta(int(learner.params["number_of_centroids"]))},
    )


def _cluster_meta(clusters: int) -> str:
    roles = {
        "assignments": "Assignments",
        **{f"distance:{k}": f"DistancesToClusterCenter no.{k}" for k in range(clusters)},
    }
    return repr({"task": "clustering", "score_columns": roles})


def emit_assign(spec: NodeSpec) -> NodeCode | None:
    trainer = spec.sources.get("trained_model")
    if trainer is None or trainer.module != "train_clustering_model" or emit_train_clustering(trainer) is None:
        return None
    append = bool(spec.params["check_for_append_or_uncheck_for_result_only"])
    out = spec.outputs["results_dataset"]
    call = f"assign_clusters({spec.inputs['trained_model']}, {spec.inputs['dataset']}" + (
        "" if append else ", append=False"
    )
    clusters = int(trainer.sources["untrained_model"].params["number_of_centroids"])
    return NodeCode(
        code=f'# {spec.title}: each row\'s cluster ("Assignments") and its distance to every center\n{out} = {call})',
        imports=("import numpy as np", "import pandas as pd"),
        helpers=(h.ASSIGN,),
        meta={"results_dataset": _cluster_meta(clusters)},
    )


EMITTERS: dict[str, Emitter] = {
    **dict.fromkeys(LEARNERS, emit_learner),
    "train_model": emit_train,
    "score_model": emit_score,
    "evaluate_model": emit_evaluate,
    "cross_validate_model": emit_cross_validate,
    "tune_model_hyperparameters": emit_tune,
    "train_clustering_model": emit_train_clustering,
    "assign_data_to_clusters": emit_assign,
}
