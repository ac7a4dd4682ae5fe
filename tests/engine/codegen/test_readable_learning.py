"""The readable learning sections give the module library's results exactly: each chain (learner -> Train ->
Score -> Evaluate, Tune, Cross Validate, clustering) runs through the library and as emitted code in a fresh
namespace, and the tables and metrics must be equal, bit for bit (no tolerance is needed anywhere)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from designer.datasets.samples import breast_cancer, diabetes, iris, palmer_penguins, wine
from designer.engine.codegen.node_code import NodeCode, NodeSpec
from designer.engine.codegen.readable import emitters
from designer.engine.codegen.readable.learning import EMITTERS, Expr
from designer.engine.codegen.specs import node_spec
from modules.sdk import DataTable, LocalContext, default_registry


def run_module(
    module_id: str, inputs: Mapping[str, Any], params: Mapping[str, Any], version: int | None = None
) -> dict[str, Any]:
    cls = default_registry().get(module_id, version)
    return cls().run(dict(inputs), cls.parse_params(dict(params)), LocalContext(threads=2))


def emit(spec: NodeSpec) -> NodeCode:
    code = EMITTERS[spec.module](spec)
    assert code is not None, f"{spec.module} gave no readable code"
    return code


def execute(sections: list[NodeCode], bound: Mapping[str, Any]) -> dict[str, Any]:
    """The sections as one script (imports, helpers, code), run in a fresh namespace holding ``bound``."""
    imports = sorted({line for s in sections for line in s.imports})
    helpers = list(dict.fromkeys(helper for s in sections for helper in s.helpers))
    text = "\n".join([*imports, "", *helpers, "", *(s.code for s in sections)])
    assert not re.search(r"^\s*(from|import)\s+(modules|designer)\b", text, re.MULTILINE), text
    compile(text, "<script>", "exec")
    namespace: dict[str, Any] = dict(bound)
    exec(compile(text, "<script>", "exec"), namespace)  # noqa: S102  (the emitted script, as the export runs it)
    for section in sections:  # every meta expression evaluates in the script's namespace
        for expression in section.meta.values():
            eval(expression, namespace)  # noqa: S307
    return namespace


def split(df: pd.DataFrame, seed: int = 3, fraction: float = 0.7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two parts of ``df`` in shuffled order, keeping the original index (as Split Data does)."""
    order = np.random.default_rng(seed).permutation(len(df))
    cut = int(len(df) * fraction)
    return df.iloc[order[:cut]], df.iloc[order[cut:]]


def mixed(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Numbers with missing values, text with missing values, a category, true/false, whole numbers, dates."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 70, n)
    hours = rng.normal(40, 8, n).round(1)
    hours[rng.random(n) < 0.1] = np.nan
    work = rng.choice(np.array(["Private", "Self-emp", "Gov", None], dtype=object), n)
    score = age + np.nan_to_num(hours, nan=40) / 2 + (work == "Gov") * 5 + rng.normal(0, 6, n)
    return pd.DataFrame(
        {
            "age": pd.array(age, dtype="Int64"),
            "hours": hours,
            "workclass": pd.Series(work, dtype="str"),
            "region": pd.Series(rng.choice(["north", "south", "east"], n)).astype("category"),
            "married": pd.array(rng.random(n) > 0.5, dtype="boolean"),
            "joined": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
            "income": pd.Series(np.where(score > 62, ">50K", "<=50K"), dtype="str"),
            "band": pd.Series(np.digitize(score, [50, 60, 70]), dtype="int64"),
            "score": score,
        }
    )


def penguins() -> pd.DataFrame:
    return palmer_penguins()


def learner_spec(module_id: str, version: int | None = None, **params: Any) -> NodeSpec:
    return node_spec("learner", module_id, params, version=version)


def learner(module_id: str, version: int | None = None, **params: Any) -> Any:
    return run_module(module_id, {}, params, version)["untrained_model"]


def train_score_evaluate(
    module_id: str,
    df: pd.DataFrame,
    label: str,
    learner_params: Mapping[str, Any] | None = None,
    *,
    append: bool = True,
    version: int | None = None,
) -> None:
    """Learner -> Train Model -> Score Model -> Evaluate Model through the library and as emitted code."""
    train_df, test_df = split(df)
    lp = dict(learner_params or {})
    model = run_module(
        "train_model",
        {"untrained_model": learner(module_id, version, **lp), "dataset": DataTable(train_df)},
        {"label_column": label},
    )["trained_model"]
    scored = run_module(
        "score_model",
        {"trained_model": model, "dataset": DataTable(test_df)},
        {"append_score_columns_to_output": append},
    )["scored_dataset"]
    metrics = run_module("evaluate_model", {"scored_dataset": scored}, {})["evaluation_results"]

    learn = learner_spec(module_id, version, **lp)
    train = node_spec(
        "train",
        "train_model",
        {"label_column": label},
        inputs={"untrained_model": "learner_untrained_model", "dataset": "train_df"},
        sources={"untrained_model": learn},
    )
    score = node_spec(
        "score",
        "score_model",
        {"append_score_columns_to_output": append},
        inputs={"trained_model": "train_trained_model", "dataset": "test_df"},
        sources={"trained_model": train},
        source_ports={"trained_model": "trained_model"},
    )
    evaluate = node_spec(
        "evaluate",
        "evaluate_model",
        {},
        inputs={"scored_dataset": "score_scored_dataset"},
        sources={"scored_dataset": score},
        source_ports={"scored_dataset": "scored_dataset"},
    )
    sections = [emit(learn), emit(train), emit(score), emit(evaluate)]
    ns = execute(sections, {"train_df": train_df, "test_df": test_df})

    assert_frame_equal(ns["score_scored_dataset"], scored.df, check_exact=True)
    assert ns["evaluate_evaluation_results"] == metrics.values
    meta = eval(sections[2].meta["scored_dataset"], ns)  # noqa: S307
    assert meta == {k: v for k, v in scored.meta.items()}


LEARNER_CASES = [
    ("two_class_logistic_regression", breast_cancer, "diagnosis", {"version": 1}),  # version 1, L1 + L2: SAGA
    ("two_class_logistic_regression", breast_cancer, "diagnosis", {"l1_regularization_weight": 0.0}),
    (
        "two_class_logistic_regression",
        breast_cancer,
        "diagnosis",
        {"l1_regularization_weight": 0.0, "l2_regularization_weight": 0.0},
    ),
    ("two_class_boosted_decision_tree", breast_cancer, "diagnosis", {}),
    ("two_class_boosted_decision_tree", mixed, "income", {"number_of_trees_constructed": 30}),
    ("two_class_decision_forest", mixed, "income", {}),
    ("two_class_decision_forest", mixed, "married", {"resampling_method": "Replicate"}),
    ("multiclass_decision_forest", penguins, "species", {"number_of_decision_trees": 16}),
    ("multiclass_decision_forest", mixed, "band", {}),
    ("multiclass_logistic_regression", wine, "cultivar", {"l1_regularization_weight": 0.0}),
    ("multiclass_logistic_regression", iris, "species", {"version": 1}),
    ("multiclass_boosted_decision_tree", penguins, "island", {"number_of_trees_constructed": 20}),
    ("boosted_decision_tree_regression", diabetes, "disease_progression", {"learning_rate": 0.1}),
    ("boosted_decision_tree_regression", mixed, "score", {}),
    ("decision_forest_regression", diabetes, "disease_progression", {}),
    ("decision_forest_regression", mixed, "score", {"number_of_decision_trees": 4}),
    ("linear_regression", diabetes, "disease_progression", {}),  # ridge
    ("linear_regression", diabetes, "disease_progression", {"l2_regularization_weight": 0.0}),  # least squares
    ("linear_regression", diabetes, "disease_progression", {"solution_method": "Online Gradient Descent"}),
    ("poisson_regression", diabetes, "disease_progression", {"l2_regularization_weight": 0.1}),
    ("two_class_support_vector_machine", breast_cancer, "diagnosis", {}),
    (
        "two_class_support_vector_machine",
        breast_cancer,
        "diagnosis",
        {"normalize_features": False, "project_to_the_unit_sphere": True, "number_of_iterations": 5},
    ),
    ("two_class_averaged_perceptron", breast_cancer, "diagnosis", {}),
]


@pytest.mark.parametrize(("module_id", "frame", "label", "params"), LEARNER_CASES)
def test_a_learner_trained_scored_and_evaluated_as_written_equals_the_library(module_id, frame, label, params):
    df = frame()
    if label == "island":
        df = df.dropna(subset=["sex"])  # keep some missing numbers, as LightGBM takes them
    params = dict(params)
    train_score_evaluate(module_id, df, label, params, version=params.pop("version", None))


@pytest.mark.parametrize("module_id", ["two_class_logistic_regression", "multiclass_logistic_regression"])
@pytest.mark.parametrize(
    "params",
    [
        {},  # L1 1 by default
        {"l1_regularization_weight": 0.5},
        {"l1_regularization_weight": {"$param": "l1"}},  # bound: may be above 0
        {"create_trainer_mode": "Parameter Range", "range_for_l1_regularization_weight": [0.0, 1.0]},
    ],
)
def test_a_version_2_logistic_regression_with_an_l1_penalty_is_left_to_the_library(module_id, params):
    # Version 2 fits L1 with Tessera's own estimator (modules/estimators/elastic_logistic.py), which has no
    # scikit-learn equivalent to write out; without L1 it is scikit-learn's L-BFGS and stays readable.
    raw = {k: v for k, v in params.items() if not isinstance(v, dict)}
    spec = learner_spec(module_id, **raw)
    if "l1_regularization_weight" in params and isinstance(params["l1_regularization_weight"], dict):
        spec = NodeSpec(
            **{**spec.__dict__, "params": {**spec.params, "l1_regularization_weight": Expr('PARAMETERS["l1"]')}}
        )
    assert spec.version >= 2
    assert EMITTERS[module_id](spec) is None
    assert EMITTERS[module_id](learner_spec(module_id, l1_regularization_weight=0.0)) is not None


def test_two_class_metrics_of_rows_that_hold_and_get_no_positive_label_equal_the_modules():
    # Evaluate Model's readable code reads only the table (its positive class is not in it): here no row is,
    # or is predicted, the positive class "malignant".
    df = breast_cancer()
    train_df, test_df = split(df)
    forest = learner("two_class_decision_forest")
    model = run_module(
        "train_model", {"untrained_model": forest, "dataset": DataTable(train_df)}, {"label_column": "diagnosis"}
    )["trained_model"]
    scored = run_module("score_model", {"trained_model": model, "dataset": DataTable(test_df)}, {})["scored_dataset"]
    negatives = scored.df[(scored.df["diagnosis"] == "benign") & (scored.df["Scored Labels"] == "benign")]
    metrics = run_module("evaluate_model", {"scored_dataset": DataTable(negatives, scored.meta)}, {})

    learn = learner_spec("two_class_decision_forest")
    train = node_spec(
        "train",
        "train_model",
        {"label_column": "diagnosis"},
        inputs={"untrained_model": "learner_untrained_model", "dataset": "train_df"},
        sources={"untrained_model": learn},
    )
    score = node_spec(
        "score",
        "score_model",
        {},
        inputs={"trained_model": "train_trained_model", "dataset": "x"},
        sources={"trained_model": train},
    )
    evaluate = node_spec(
        "evaluate", "evaluate_model", {}, inputs={"scored_dataset": "negatives"}, sources={"scored_dataset": score}
    )
    ns = execute([emit(evaluate)], {"negatives": negatives})
    assert ns["evaluate_evaluation_results"] == metrics["evaluation_results"].values
    assert metrics["evaluation_results"].values["Accuracy"] == 1.0


def test_scores_without_the_input_columns_keep_only_the_label_and_the_scores():
    train_score_evaluate("two_class_boosted_decision_tree", mixed(), "income", append=False)


def test_a_second_scored_dataset_is_measured_alongside_and_the_first_metrics_are_the_modules():
    df = wine()
    train_df, test_df = split(df)
    learn = learner_spec("multiclass_decision_forest")
    forest = learner("multiclass_decision_forest")
    model = run_module(
        "train_model", {"untrained_model": forest, "dataset": DataTable(train_df)}, {"label_column": "cultivar"}
    )["trained_model"]
    first = run_module("score_model", {"trained_model": model, "dataset": DataTable(test_df)}, {})["scored_dataset"]
    second = run_module("score_model", {"trained_model": model, "dataset": DataTable(train_df)}, {})["scored_dataset"]
    metrics = run_module("evaluate_model", {"scored_dataset": first, "scored_dataset_to_compare": second}, {})

    train = node_spec(
        "train",
        "train_model",
        {"label_column": "cultivar"},
        inputs={"untrained_model": "learner_untrained_model", "dataset": "train_df"},
        sources={"untrained_model": learn},
    )
    scores = [
        node_spec(
            name,
            "score_model",
            {},
            inputs={"trained_model": "train_trained_model", "dataset": data},
            sources={"trained_model": train},
        )
        for name, data in (("first", "test_df"), ("second", "train_df"))
    ]
    evaluate = node_spec(
        "evaluate",
        "evaluate_model",
        {},
        inputs={"scored_dataset": "first_scored_dataset", "scored_dataset_to_compare": "second_scored_dataset"},
        sources={"scored_dataset": scores[0], "scored_dataset_to_compare": scores[1]},
    )
    ns = execute(
        [emit(learn), emit(train), *map(emit, scores), emit(evaluate)], {"train_df": train_df, "test_df": test_df}
    )
    assert ns["evaluate_evaluation_results"] == metrics["evaluation_results"].values
    assert ns["evaluate_evaluation_results_to_compare"] == metrics["evaluation_results"].detail["compare"]["values"]


# -- Tune Model Hyperparameters -----------------------------------------------------------------------------

TUNE_CASES = [
    # the sample pipeline "hyperparameter-tuning-breast-cancer"
    (
        "two_class_decision_forest",
        breast_cancer,
        "diagnosis",
        {
            "create_trainer_mode": "Parameter Range",
            "range_for_number_of_decision_trees": [8, 16],
            "range_for_maximum_depth_of_the_decision_trees": [4, 8, 16],
            "range_for_minimum_number_of_samples_per_leaf_node": [1, 4],
        },
        {
            "specify_parameter_sweeping_mode": "Random sweep",
            "maximum_number_of_runs_on_random_sweep": 6,
            "random_seed": 0,
            "metric_for_measuring_performance_for_classification": "AUC",
            "number_of_cross_validation_folds": 3,
        },
        False,
    ),
    (
        "boosted_decision_tree_regression",
        diabetes,
        "disease_progression",
        {
            "create_trainer_mode": "Parameter Range",
            "range_for_maximum_number_of_leaves_per_tree": [4, 8],
            "range_for_learning_rate": [0.05, 0.2],
            "range_for_number_of_trees_constructed": [20, 40],
            "range_for_minimum_number_of_samples_per_leaf_node": [10],
        },
        {
            "specify_parameter_sweeping_mode": "Random sweep",
            "maximum_number_of_runs_on_random_sweep": 5,
            "random_seed": 7,
            "number_of_cross_validation_folds": 3,
            "metric_for_measuring_performance_for_regression": "Root of mean squared error",
        },
        False,
    ),
    (
        "multiclass_logistic_regression",
        wine,
        "cultivar",
        {
            "create_trainer_mode": "Parameter Range",
            "range_for_l1_regularization_weight": [0.0],  # with L1, version 2 is left to the library
            "range_for_l2_regularization_weight": [0.01, 0.1, 1.0],
            "range_for_optimization_tolerance": [1e-4],
        },
        {
            "specify_parameter_sweeping_mode": "Entire grid",
            "metric_for_measuring_performance_for_classification": "Average log loss",
            "number_of_cross_validation_folds": 3,
        },
        False,
    ),
    (
        "two_class_boosted_decision_tree",
        mixed,
        "income",
        {
            "create_trainer_mode": "Parameter Range",
            "range_for_maximum_number_of_leaves_per_tree": [4, 16],
            "range_for_number_of_trees_constructed": [10, 30],
            "range_for_learning_rate": [0.1],
            "range_for_minimum_number_of_samples_per_leaf_node": [5, 20],
        },
        {"maximum_number_of_runs_on_random_sweep": 3, "random_seed": 2},
        True,
    ),  # with a validation dataset
    (
        "two_class_logistic_regression",
        breast_cancer,
        "diagnosis",
        {"l1_regularization_weight": 0.0},
        {"number_of_cross_validation_folds": 4, "metric_for_measuring_performance_for_classification": "F-score"},
        False,
    ),  # Single Parameter mode: one trial
]


@pytest.mark.parametrize(("module_id", "frame", "label", "learner_params", "params", "validated"), TUNE_CASES)
def test_a_sweep_as_written_draws_measures_and_trains_what_the_library_does(
    module_id, frame, label, learner_params, params, validated
):
    df = frame()
    training, validation = split(df) if validated else (df.iloc[::-1], None)
    params = {**params, "label_column": label}
    inputs = {"untrained_model": learner(module_id, **learner_params), "training_dataset": DataTable(training)}
    bound = {"training": training}
    spec_inputs = {"untrained_model": "learner_untrained_model", "training_dataset": "training"}
    if validation is not None:
        inputs["validation_dataset"] = DataTable(validation)
        bound["validation"] = validation
        spec_inputs["validation_dataset"] = "validation"
    out = run_module("tune_model_hyperparameters", inputs, params)
    scored = run_module("score_model", {"trained_model": out["trained_best_model"], "dataset": DataTable(df)}, {})

    learn = learner_spec(module_id, **learner_params)
    tune = node_spec(
        "tune", "tune_model_hyperparameters", params, inputs=spec_inputs, sources={"untrained_model": learn}
    )
    score = node_spec(
        "score",
        "score_model",
        {},
        inputs={"trained_model": "tune_trained_best_model", "dataset": "df"},
        sources={"trained_model": tune},
        source_ports={"trained_model": "trained_best_model"},
    )
    sections = [emit(learn), emit(tune), emit(score)]
    ns = execute(sections, {**bound, "df": df})

    assert_frame_equal(ns["tune_sweep_results"], out["sweep_results"].df, check_exact=True)
    assert_frame_equal(ns["score_scored_dataset"], scored["scored_dataset"].df, check_exact=True)
    assert eval(sections[1].meta["sweep_results"], ns) == out["sweep_results"].meta  # noqa: S307


# -- Cross Validate Model --------------------------------------------------------------------------------------

CV_CASES = [
    ("multiclass_logistic_regression", wine, "cultivar", {"l1_regularization_weight": 0.0}, 5),  # the sample
    ("two_class_decision_forest", mixed, "income", {}, 4),
    ("boosted_decision_tree_regression", diabetes, "disease_progression", {"number_of_trees_constructed": 20}, 3),
    ("multiclass_boosted_decision_tree", penguins, "species", {"number_of_trees_constructed": 10}, 3),
]


@pytest.mark.parametrize(("module_id", "frame", "label", "learner_params", "folds"), CV_CASES)
def test_cross_validation_as_written_gives_the_libraries_folds_scores_and_metrics(
    module_id, frame, label, learner_params, folds
):
    df = frame().iloc[::-1]  # an index out of order, as a split leaves it
    params = {"label_column": label, "number_of_folds": folds, "random_seed": 5}
    out = run_module(
        "cross_validate_model",
        {"untrained_model": learner(module_id, **learner_params), "dataset": DataTable(df)},
        params,
    )
    metrics = run_module("evaluate_model", {"scored_dataset": out["scored_results"]}, {})["evaluation_results"]

    learn = learner_spec(module_id, **learner_params)
    cv = node_spec(
        "cv",
        "cross_validate_model",
        params,
        inputs={"untrained_model": "learner_untrained_model", "dataset": "df"},
        sources={"untrained_model": learn},
    )
    evaluate = node_spec(
        "evaluate",
        "evaluate_model",
        {},
        inputs={"scored_dataset": "cv_scored_results"},
        sources={"scored_dataset": cv},
        source_ports={"scored_dataset": "scored_results"},
    )
    sections = [emit(learn), emit(cv), emit(evaluate)]
    ns = execute(sections, {"df": df})

    assert_frame_equal(ns["cv_scored_results"], out["scored_results"].df, check_exact=True)
    assert_frame_equal(ns["cv_evaluation_results_by_fold"], out["evaluation_results_by_fold"].df, check_exact=True)
    assert ns["evaluate_evaluation_results"] == metrics.values
    assert eval(sections[1].meta["scored_results"], ns) == out["scored_results"].meta  # noqa: S307


# -- clustering --------------------------------------------------------------------------------------------------

MEASUREMENTS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


@pytest.mark.parametrize(
    ("learner_params", "column_set", "append"),
    [
        ({"number_of_centroids": 3}, {"start": "none", "rules": [{"op": "include", "names": MEASUREMENTS}]}, True),
        (
            {
                "number_of_centroids": 4,
                "normalize_features": False,
                "initialization": "Random",
                "random_number_seed": 3,
            },
            {"start": "all", "rules": [{"op": "exclude", "names": ["species", "year"]}]},
            False,
        ),
    ],
)
def test_clustering_as_written_assigns_and_measures_what_the_library_does(learner_params, column_set, append):
    df = penguins().dropna()
    train_df, test_df = split(df)
    params = {"column_set": column_set, "check_for_append_or_uncheck_for_result_only": append}
    trained = run_module(
        "train_clustering_model",
        {"untrained_model": learner("k_means_clustering", **learner_params), "dataset": DataTable(train_df)},
        params,
    )
    assigned = run_module(
        "assign_data_to_clusters", {"trained_model": trained["trained_model"], "dataset": DataTable(test_df)}, {}
    )["results_dataset"]
    metrics = run_module("evaluate_model", {"scored_dataset": assigned}, {})["evaluation_results"]
    training_metrics = run_module("evaluate_model", {"scored_dataset": trained["results_dataset"]}, {})

    learn = learner_spec("k_means_clustering", **learner_params)
    train = node_spec(
        "train",
        "train_clustering_model",
        params,
        inputs={"untrained_model": "learner_untrained_model", "dataset": "train_df"},
        sources={"untrained_model": learn},
    )
    assign = node_spec(
        "assign",
        "assign_data_to_clusters",
        {},
        inputs={"trained_model": "train_trained_model", "dataset": "test_df"},
        sources={"trained_model": train},
        source_ports={"trained_model": "trained_model"},
    )
    evaluate = node_spec(
        "evaluate",
        "evaluate_model",
        {},
        inputs={"scored_dataset": "assign_results_dataset"},
        sources={"scored_dataset": assign},
        source_ports={"scored_dataset": "results_dataset"},
    )
    on_training = node_spec(
        "evaluate2",
        "evaluate_model",
        {},
        inputs={"scored_dataset": "train_results_dataset"},
        sources={"scored_dataset": train},
        source_ports={"scored_dataset": "results_dataset"},
    )
    sections = [emit(learn), emit(train), emit(assign), emit(evaluate), emit(on_training)]
    ns = execute(sections, {"train_df": train_df, "test_df": test_df})

    assert_frame_equal(ns["train_results_dataset"], trained["results_dataset"].df, check_exact=True)
    assert_frame_equal(ns["assign_results_dataset"], assigned.df, check_exact=True)
    assert ns["evaluate_evaluation_results"] == metrics.values
    assert ns["evaluate2_evaluation_results"] == training_metrics["evaluation_results"].values
    assert eval(sections[2].meta["results_dataset"], ns) == assigned.meta  # noqa: S307


# -- what is left to the library, and coverage ---------------------------------------------------------------------


def test_configurations_not_written_out_are_left_to_the_library():
    first_n = learner_spec("k_means_clustering", initialization="First N")
    assert EMITTERS["k_means_clustering"](first_n) is None
    neural = learner_spec("two_class_neural_network")
    train = node_spec(
        "train",
        "train_model",
        {"label_column": "y"},
        inputs={"untrained_model": "learner_untrained_model", "dataset": "d"},
        sources={"untrained_model": neural},
    )
    assert EMITTERS["train_model"](train) is None
    score = node_spec(
        "score",
        "score_model",
        {},
        inputs={"trained_model": "train_trained_model", "dataset": "d"},
        sources={"trained_model": train},
    )
    assert EMITTERS["score_model"](score) is None
    unknown_source = node_spec("evaluate", "evaluate_model", {}, inputs={"scored_dataset": "x"})
    assert EMITTERS["evaluate_model"](unknown_source) is None
    typed_columns = node_spec(
        "train",
        "train_clustering_model",
        {"column_set": {"start": "none", "rules": [{"op": "include", "names": [], "types": ["numeric"]}]}},
        inputs={"untrained_model": "learner_untrained_model", "dataset": "d"},
        sources={"untrained_model": learner_spec("k_means_clustering")},
    )
    assert EMITTERS["train_clustering_model"](typed_columns) is None


def test_the_learning_emitters_are_registered_with_the_readable_emitters():
    registered = emitters()
    assert {module: registered[module] for module in EMITTERS} == EMITTERS


def test_every_learning_emitter_has_an_exactness_case():
    chains = {"train_model", "score_model", "evaluate_model", "tune_model_hyperparameters", "cross_validate_model"}
    clustering = {"k_means_clustering", "train_clustering_model", "assign_data_to_clusters"}
    cases = {case[0] for case in LEARNER_CASES + TUNE_CASES + CV_CASES}
    assert set(EMITTERS) == cases | chains | clustering
