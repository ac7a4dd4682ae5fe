"""Charts of special tables: a hyperparameter sweep, feature scores, cluster assignments, from real module output."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sklearn.datasets import load_breast_cancer, load_iris

from designer.engine.figures import table_figures
from modules.sdk import DataTable, LocalContext, default_registry


def run(module_id: str, inputs: dict[str, Any] | None = None, **params: Any) -> dict[str, Any]:
    cls = default_registry().get(module_id)
    return cls().run(dict(inputs or {}), cls.parse_params(params), LocalContext())


def test_a_sweep_is_drawn_by_trial_and_by_each_swept_parameter():
    frame = load_breast_cancer(as_frame=True).frame.iloc[:200]
    learner = run(
        "two_class_decision_forest",
        create_trainer_mode="Parameter Range",
        range_for_number_of_decision_trees=[2, 4],
        range_for_maximum_depth_of_the_decision_trees=[2, 3],
        range_for_minimum_number_of_samples_per_leaf_node=[1],
    )["untrained_model"]
    table = run(
        "tune_model_hyperparameters",
        {"untrained_model": learner, "training_dataset": DataTable(frame)},
        label_column="target",
        number_of_cross_validation_folds=3,
    )["sweep_results"]

    figures = table_figures(table.df, table.meta)

    sweep = table.meta["sweep"]
    by_trial = figures["sweep_by_trial"]
    assert len(by_trial["data"][0]["x"]) == 4
    best_index = sorted(table.df["Trial"]).index(sweep["best_trial"])
    colours = by_trial["data"][0]["marker"]["color"]
    assert colours[best_index] != colours[(best_index + 1) % 4]
    per_parameter = [k for k in figures if k.startswith("sweep_") and k != "sweep_by_trial"]
    assert len(per_parameter) == len(sweep["parameters"]) >= 2


def test_feature_scores_are_bars_best_first():
    frame = load_iris(as_frame=True).frame
    features = run(
        "filter_based_feature_selection",
        {"dataset": DataTable(frame)},
        target_column="target",
        number_of_desired_features=2,
    )["features"]

    figure = table_figures(features.df, features.meta)["feature_scores"]

    bars = figure["data"][0]
    assert bars["orientation"] == "h"
    assert list(bars["y"]) == [str(f) for f in features.df["Feature"]]
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"


def test_cluster_assignments_are_projected_and_coloured_by_cluster():
    frame = load_iris(as_frame=True).frame.drop(columns=["target"])
    learner = run("k_means_clustering", number_of_centroids=3)["untrained_model"]
    trained = run("train_clustering_model", {"untrained_model": learner, "dataset": DataTable(frame)})
    assigned = run("assign_data_to_clusters", {"trained_model": trained["trained_model"], "dataset": DataTable(frame)})
    table = next(v for v in assigned.values() if isinstance(v, DataTable))

    figure = table_figures(table.df, table.meta)["clusters"]

    sizes = table.df["Assignments"].value_counts()
    assert len(figure["data"]) == len(sizes)
    assert sum(len(trace["x"]) for trace in figure["data"]) == 150


def test_an_ordinary_table_has_no_special_figures():
    assert table_figures(pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), {}) == {}


def test_a_training_curve_draws_loss_and_accuracy_per_epoch_and_marks_the_best():
    from designer.engine.figures import training_figure

    curve = [
        {"epoch": 1, "train_loss": 1.1, "train_accuracy": 0.4, "validation_loss": 1.0, "validation_accuracy": 0.5},
        {"epoch": 2, "train_loss": 0.7, "train_accuracy": 0.7, "validation_loss": 0.8, "validation_accuracy": 0.75},
        {"epoch": 3, "train_loss": 0.5, "train_accuracy": 0.8, "validation_loss": 0.9, "validation_accuracy": 0.7},
    ]

    figure = training_figure({"curve": curve, "best_epoch": 2, "stopped_early": True})

    assert figure is not None
    lines = {(t["name"], t["xaxis"]): t["y"] for t in figure["data"]}
    assert lines[("train", "x")] == [1.1, 0.7, 0.5]
    assert lines[("validation", "x2")] == [0.5, 0.75, 0.7]
    assert figure["layout"]["title"]["text"] == "Training curve · best epoch 2 · stopped early"
    assert training_figure({"curve": []}) is None


def test_a_training_log_gives_the_curve_of_its_epoch_lines_only():
    from designer.engine.figures import curve_from_log, training_figure

    log = "\n".join(
        [
            "training on cpu",
            "epoch 1, batch 10: loss 1.2000",
            "epoch 1/12: train loss 1.1000, train accuracy 0.4000, validation loss 1.0000, validation accuracy 0.5000",
            "epoch 2, batch 10: loss 0.9000",
            "[12:00:05] epoch 2/12: train loss 0.7000, train accuracy 0.7000, "
            "validation loss 0.8000, validation accuracy 0.7500",
            "stopped early: no better validation accuracy for 3 epochs",
        ]
    )

    curve = curve_from_log(log)

    assert curve == [
        {"epoch": 1, "train_loss": 1.1, "train_accuracy": 0.4, "validation_loss": 1.0, "validation_accuracy": 0.5},
        {"epoch": 2, "train_loss": 0.7, "train_accuracy": 0.7, "validation_loss": 0.8, "validation_accuracy": 0.75},
    ]
    figure = training_figure({"curve": curve})
    assert figure is not None
    assert {(t["name"], t["xaxis"]): t["x"] for t in figure["data"]}[("validation", "x2")] == [1, 2]
    assert curve_from_log("") == []
    assert curve_from_log("epoch 1, batch 5: loss 0.3000\nno epochs yet") == []
