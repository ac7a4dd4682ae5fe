"""Server-built Plotly figures: column distributions and Evaluate Model charts, checked against NumPy and the metrics.

The evaluation inputs come from the real module library (Split, a learner, Train, Score, Evaluate)
on scikit-learn's bundled breast cancer and diabetes data. Runs without Django.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris

from designer.engine.figures import PANEL_HEIGHT, column_figure, evaluation_figures
from modules.sdk import DataTable, LocalContext, Metrics, default_registry

ROOT = Path(__file__).resolve().parents[2]


def run(module_id: str, inputs: dict[str, Any], **params: Any) -> dict[str, Any]:
    cls = default_registry().get(module_id)
    return cls().run(inputs, cls.parse_params(params), LocalContext())


def train_and_score(frame: pd.DataFrame, label: str, learner: str, **params: Any) -> DataTable:
    split = run(
        "split_data", {"dataset": DataTable(frame)}, fraction_of_rows_in_first_output_dataset=0.7, random_seed=7
    )
    untrained = run(learner, {}, **params)["untrained_model"]
    model = run("train_model", {"untrained_model": untrained, "dataset": split["results_dataset1"]}, label_column=label)
    scored: DataTable = run(
        "score_model", {"trained_model": model["trained_model"], "dataset": split["results_dataset2"]}
    )["scored_dataset"]
    return scored


def evaluate(scored: DataTable, compare: DataTable | None = None) -> Metrics:
    inputs = {"scored_dataset": scored} | ({"scored_dataset_to_compare": compare} if compare is not None else {})
    result: Metrics = run("evaluate_model", inputs)["evaluation_results"]
    return result


@pytest.fixture(scope="module")
def cancer() -> pd.DataFrame:
    data = load_breast_cancer(as_frame=True)
    frame: pd.DataFrame = data.frame.drop(columns="target")
    frame["diagnosis"] = pd.Series(np.where(data.target == 1, "benign", "malignant"), dtype="str")
    return frame


@pytest.fixture(scope="module")
def binary(cancer: pd.DataFrame) -> Metrics:
    return evaluate(train_and_score(cancer, "diagnosis", "two_class_logistic_regression"))


@pytest.fixture(scope="module")
def compared(cancer: pd.DataFrame) -> Metrics:
    logistic = train_and_score(cancer, "diagnosis", "two_class_logistic_regression")
    trees = train_and_score(cancer, "diagnosis", "two_class_boosted_decision_tree", number_of_trees_constructed=10)
    return evaluate(logistic, trees)


@pytest.fixture(scope="module")
def regression() -> Metrics:
    frame = load_diabetes(as_frame=True, scaled=False).frame.astype("float64")
    return evaluate(train_and_score(frame, "target", "linear_regression"))


def figures_of(result: Metrics) -> dict[str, dict[str, Any]]:
    return evaluation_figures(result.values, result.task, result.detail)


def trace(figure: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in figure["data"] if t.get("name") == name)


def assert_plain_json(figure: dict[str, Any]) -> None:
    assert json.loads(json.dumps(figure, allow_nan=False)) == figure  # no NaN, no numpy, nothing JSON cannot hold


# -- one column ---------------------------------------------------------------------------------------


def test_a_numeric_column_is_a_histogram_with_numpys_counts_and_missing_values_noted(cancer: pd.DataFrame) -> None:
    # given a float column with three missing values
    frame = cancer[["mean radius"]].copy()
    frame.loc[[3, 40, 77], "mean radius"] = np.nan

    # when its figure is built
    figure = column_figure(frame, "mean radius", bins=25)

    # then it is one bar trace whose bars are NumPy's bins and counts over the present values
    present = frame["mean radius"].dropna().to_numpy()
    counts, edges = np.histogram(present, bins=25)
    assert_plain_json(figure)
    [bars] = figure["data"]
    assert bars["type"] == "bar"
    assert bars["y"] == counts.tolist()
    assert bars["x"] == pytest.approx(((edges[:-1] + edges[1:]) / 2).tolist())
    assert bars["width"] == pytest.approx(np.diff(edges).tolist())
    np.testing.assert_allclose(bars["customdata"], np.column_stack([edges[:-1], edges[1:]]))
    assert figure["layout"]["title"]["text"] == "mean radius (3 missing left out)"


def test_the_default_is_thirty_bins() -> None:
    values = np.random.default_rng(0).normal(size=1000)

    figure = column_figure(pd.DataFrame({"x": values}), "x")

    assert figure["data"][0]["y"] == np.histogram(values, bins=30)[0].tolist()
    assert figure["layout"]["title"]["text"] == "x"


def test_whole_numbers_over_a_short_range_get_one_bar_per_value() -> None:
    # given an integer column holding 1 to 4 and a missing value
    frame = pd.DataFrame({"rooms": pd.array([1, 2, 2, 4, 4, 4, None], dtype="Int64")})

    figure = column_figure(frame, "rooms")

    [bars] = figure["data"]
    assert bars["x"] == [1.0, 2.0, 3.0, 4.0]
    assert bars["y"] == [1, 2, 0, 3]
    assert bars["y"] == np.histogram([1, 2, 2, 4, 4, 4], bins=np.arange(0.5, 5.5))[0].tolist()
    assert figure["layout"]["xaxis"]["dtick"] == 1
    assert figure["layout"]["title"]["text"] == "rooms (1 missing left out)"


def test_infinities_are_left_out_of_the_histogram_and_counted() -> None:
    frame = pd.DataFrame({"ratio": [1.0, 2.0, np.inf, -np.inf, np.nan, 3.0]})

    figure = column_figure(frame, "ratio", bins=3)

    assert figure["data"][0]["y"] == [1, 1, 1]
    assert figure["layout"]["title"]["text"] == "ratio (1 missing, 2 infinite left out)"


def test_a_column_with_no_values_draws_no_bars() -> None:
    figure = column_figure(pd.DataFrame({"empty": [np.nan, np.nan]}), "empty")

    assert_plain_json(figure)
    assert figure["data"][0]["y"] == []
    assert figure["layout"]["title"]["text"] == "empty (2 missing left out)"


def test_a_text_column_shows_its_commonest_values_and_one_other_bar() -> None:
    # given 25 distinct colours, colour i appearing 30 - i times, and two missing values
    values = [f"colour {i}" for i in range(25) for _ in range(30 - i)] + [None, None]
    frame = pd.DataFrame({"colour": pd.Series(values, dtype="str")})

    # when the 20 commonest are asked for
    figure = column_figure(frame, "colour", top=20)

    # then the bars are the commonest 20, most common first, plus one bar summing the other 5
    assert_plain_json(figure)
    [bars] = figure["data"]
    assert bars["type"] == "bar" and bars["orientation"] == "h"
    assert bars["y"] == [f"colour {i}" for i in range(20)] + ["other (5 values)"]
    assert bars["x"] == [30 - i for i in range(20)] + [sum(30 - i for i in range(20, 25))]
    assert figure["layout"]["yaxis"]["type"] == "category"
    assert figure["layout"]["yaxis"]["autorange"] == "reversed"
    assert figure["layout"]["title"]["text"] == "colour: top 20 of 25 values (2 missing left out)"


def test_a_text_column_with_few_values_has_no_other_bar() -> None:
    figure = column_figure(pd.DataFrame({"yes": ["a", "b", "a"]}), "yes")

    assert figure["data"][0]["y"] == ["a", "b"]
    assert figure["data"][0]["x"] == [2, 1]
    assert figure["layout"]["title"]["text"] == "yes"


def test_true_false_columns_are_counted_as_values() -> None:
    figure = column_figure(pd.DataFrame({"ok": pd.array([True, False, True, None], dtype="boolean")}), "ok")

    assert figure["data"][0]["y"] == ["True", "False"]
    assert figure["data"][0]["x"] == [2, 1]


def test_a_date_column_is_a_histogram_over_time() -> None:
    frame = pd.DataFrame({"day": pd.to_datetime(pd.Series(["2024-01-01", "2024-01-02", None, "2024-01-31"]))})

    figure = column_figure(frame, "day", bins=3)

    assert_plain_json(figure)
    assert figure["layout"]["xaxis"]["type"] == "date"
    assert figure["data"][0]["y"] == [2, 0, 1]
    assert figure["data"][0]["customdata"][0][0] == "2024-01-01T00:00:00"
    assert figure["layout"]["title"]["text"] == "day (1 missing left out)"


def test_an_unknown_column_raises_with_the_available_names() -> None:
    frame = pd.DataFrame({"age": [1], "income": ["x"]})

    with pytest.raises(KeyError) as raised:
        column_figure(frame, "agee")

    assert raised.value.args[0] == "no column 'agee' (available: age, income)"


@pytest.mark.parametrize("option", [{"bins": 0}, {"top": 0}])
def test_bins_and_top_must_be_positive(option: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        column_figure(pd.DataFrame({"x": [1.0]}), "x", **option)


# -- two-class evaluation -----------------------------------------------------------------------------


def test_the_threshold_slider_shows_every_metric_and_count_at_each_threshold(binary: Metrics) -> None:
    chart = figures_of(binary)["threshold"]

    [slider] = chart["layout"]["sliders"]
    table = binary.detail["threshold_table"]
    assert len(slider["steps"]) == len(table)
    at_07 = next(step for step in slider["steps"] if step["label"] == "0.70")
    row = next(r for r in table if r["threshold"] == 0.7)
    moved = at_07["args"][0]
    assert moved["shapes[0].x0"] == moved["shapes[0].x1"] == 0.7
    assert f"TP {row['True Positives']} · FP {row['False Positives']}" in moved["title.text"]
    assert f"Accuracy {row['Accuracy']:.3f}" in moved["title.text"]
    assert slider["steps"][slider["active"]]["label"] == "0.50"  # starts at the chosen threshold


def test_the_threshold_title_is_short_lines_that_fit_a_narrow_panel(binary: Metrics) -> None:
    chart = figures_of(binary)["threshold"]

    title = chart["layout"]["title"]["text"]
    row = next(r for r in binary.detail["threshold_table"] if r["threshold"] == 0.5)
    lines = [re.sub(r"</?sup>", "", line) for line in title.split("<br>")]
    assert lines == [
        "At threshold 0.50",
        f"Accuracy {row['Accuracy']:.3f} · Precision {row['Precision']:.3f} · Recall {row['Recall']:.3f}"
        f" · F1 {row['F1 Score']:.3f}",
        f"TP {row['True Positives']} · FP {row['False Positives']} · TN {row['True Negatives']}"
        f" · FN {row['False Negatives']}",
    ]
    assert chart["layout"]["margin"]["t"] == 84  # room for the three lines above the plot


def test_lift_is_the_true_positive_rate_over_the_share_of_rows_targeted(binary: Metrics) -> None:
    lift = trace(figures_of(binary)["lift"], "scored dataset")

    [[tn, fp], [fn, tp]] = binary.detail["confusion_matrix"]["matrix"]
    base = (fn + tp) / (tn + fp + fn + tp)
    roc = binary.detail["roc_curve"]
    expected = [
        (t * base + f * (1 - base), t / (t * base + f * (1 - base)))
        for f, t in zip(roc["fpr"], roc["tpr"], strict=True)
        if t * base + f * (1 - base) > 0
    ]
    assert lift["x"] == pytest.approx([e[0] for e in expected])
    assert lift["y"] == pytest.approx([e[1] for e in expected])
    assert lift["y"][0] == pytest.approx(1 / base)  # the top-scored rows are all positives here


def test_a_two_class_evaluation_has_roc_precision_recall_confusion_threshold_and_lift_charts(binary: Metrics) -> None:
    figures = figures_of(binary)

    assert list(figures) == ["roc", "precision_recall", "confusion_matrix", "threshold", "lift"]
    for figure in figures.values():
        assert_plain_json(figure)
    assert {t["type"] for name in ("roc", "precision_recall", "threshold") for t in figures[name]["data"]} == {
        "scatter"
    }
    assert [t["type"] for t in figures["confusion_matrix"]["data"]] == ["heatmap"]


def test_the_roc_curve_is_the_evaluations_points_with_the_chance_diagonal_and_auc(binary: Metrics) -> None:
    roc = figures_of(binary)["roc"]

    curve = trace(roc, "scored dataset")
    assert curve["x"] == binary.detail["roc_curve"]["fpr"]
    assert curve["y"] == binary.detail["roc_curve"]["tpr"]
    assert curve["customdata"] == binary.detail["roc_curve"]["thresholds"]
    chance = trace(roc, "chance")
    assert (chance["x"], chance["y"]) == ([0, 1], [0, 1])
    assert roc["layout"]["title"]["text"] == f"ROC curve · AUC {binary.values['AUC']:.3f}"


def test_the_precision_recall_curve_is_the_evaluations_points(binary: Metrics) -> None:
    chart = figures_of(binary)["precision_recall"]

    curve = trace(chart, "scored dataset")
    assert curve["x"] == binary.detail["precision_recall_curve"]["recall"]
    assert curve["y"] == binary.detail["precision_recall_curve"]["precision"]
    [[tn, fp], [fn, tp]] = binary.detail["confusion_matrix"]["matrix"]
    baseline = next(t for t in chart["data"] if t["name"].startswith("all positive"))
    assert baseline["y"] == pytest.approx([(fn + tp) / (tn + fp + fn + tp)] * 2)


def test_the_confusion_heatmap_holds_the_matrix_and_the_class_labels(binary: Metrics) -> None:
    chart = figures_of(binary)["confusion_matrix"]

    [heat] = chart["data"]
    assert heat["z"] == binary.detail["confusion_matrix"]["matrix"]
    assert heat["x"] == heat["y"] == ["benign", "malignant"]
    assert heat["texttemplate"] == "%{z:,}"
    assert chart["layout"]["yaxis"]["autorange"] == "reversed"  # actual classes read top to bottom
    assert chart["layout"]["title"]["text"] == "Confusion matrix at threshold 0.5"


def test_the_threshold_chart_draws_each_metric_of_the_threshold_table(binary: Metrics) -> None:
    chart = figures_of(binary)["threshold"]

    table = binary.detail["threshold_table"]
    assert [t["name"] for t in chart["data"]] == ["Accuracy", "Precision", "Recall", "F1 Score"]
    for line in chart["data"]:
        assert line["x"] == [row["threshold"] for row in table]
        assert line["y"] == [row[line["name"]] for row in table]
    [marker] = chart["layout"]["shapes"]
    assert marker["x0"] == marker["x1"] == 0.5


def test_a_second_scored_input_is_drawn_over_the_first(compared: Metrics) -> None:
    figures = figures_of(compared)
    right = compared.detail["compare"]

    roc = figures["roc"]
    assert trace(roc, "left input")["x"] == compared.detail["roc_curve"]["fpr"]
    assert trace(roc, "right input")["x"] == right["detail"]["roc_curve"]["fpr"]
    assert trace(roc, "right input")["y"] == right["detail"]["roc_curve"]["tpr"]
    assert trace(roc, "left input")["line"]["color"] != trace(roc, "right input")["line"]["color"]
    assert roc["layout"]["title"]["text"] == (
        f"ROC curve · AUC {compared.values['AUC']:.3f} (left) vs {right['values']['AUC']:.3f} (right)"
    )
    assert (
        trace(figures["precision_recall"], "right input")["y"] == right["detail"]["precision_recall_curve"]["precision"]
    )
    assert [h["z"] for h in figures["confusion_matrix"]["data"]] == [
        compared.detail["confusion_matrix"]["matrix"],
        right["detail"]["confusion_matrix"]["matrix"],
    ]


def test_a_single_class_evaluation_has_no_curves_but_keeps_its_matrix() -> None:
    # given a scored table whose labels are all one class (no ROC curve can be drawn)
    scored = DataTable(
        pd.DataFrame({"y": ["a", "a", "a"], "Scored Labels": ["a", "a", "b"], "Scored Probabilities": [0.1, 0.2, 0.9]}),
        {"label_column": "y", "task": "binary", "positive_class": "b"},
    )

    figures = figures_of(evaluate(scored))

    assert list(figures) == ["confusion_matrix", "threshold"]
    assert figures["confusion_matrix"]["data"][0]["z"] == [[2, 1], [0, 0]]


# -- regression and multiclass ------------------------------------------------------------------------


def test_a_regression_evaluation_plots_predicted_against_actual_with_the_identity_line(regression: Metrics) -> None:
    figures = figures_of(regression)

    assert list(figures) == ["predicted_vs_actual", "residuals"]
    chart = figures["predicted_vs_actual"]
    assert_plain_json(chart)
    points = trace(chart, "scored dataset")
    assert (points["type"], points["mode"]) == ("scatter", "markers")
    assert points["x"] == regression.detail["sample"]["actual"]
    assert points["y"] == regression.detail["sample"]["predicted"]
    identity = trace(chart, "y = x")
    everything = points["x"] + points["y"]
    assert identity["x"] == identity["y"] == [min(everything), max(everything)]
    r2 = regression.values["Coefficient of Determination"]
    assert chart["layout"]["title"]["text"] == f"Predicted vs actual · R² {r2:.3f}"


def test_residuals_are_actual_minus_predicted_beside_their_histogram(regression: Metrics) -> None:
    chart = figures_of(regression)["residuals"]

    assert_plain_json(chart)
    scatter, bars = chart["data"]
    actual = np.array(regression.detail["sample"]["actual"])
    predicted = np.array(regression.detail["sample"]["predicted"])
    assert (scatter["type"], bars["type"], bars["orientation"]) == ("scatter", "bar", "h")
    assert scatter["x"] == predicted.tolist()
    assert scatter["y"] == pytest.approx((actual - predicted).tolist())
    assert bars["x"] == np.histogram(actual - predicted, bins=30)[0].tolist()
    assert (scatter["xaxis"], bars["xaxis"], bars["yaxis"]) == ("x", "x2", "y2")


def test_compared_regressions_share_the_residual_bins() -> None:
    frame = load_diabetes(as_frame=True, scaled=False).frame.astype("float64")
    result = evaluate(
        train_and_score(frame, "target", "linear_regression"),
        train_and_score(frame, "target", "linear_regression", solution_method="Online Gradient Descent"),
    )

    chart = figures_of(result)["residuals"]

    left, right = (t for t in chart["data"] if t["type"] == "bar")
    assert left["y"] == right["y"] and left["width"] == right["width"]
    assert sum(left["x"]) == sum(right["x"]) == result.detail["rows"]
    assert {t["name"] for t in chart["data"]} == {"left input", "right input"}


def test_a_multiclass_evaluation_has_its_confusion_matrix() -> None:
    # given iris scored by a shallow tree and measured by Evaluate Model
    from sklearn.tree import DecisionTreeClassifier

    iris = load_iris(as_frame=True)
    names = np.array(iris.target_names)[iris.target]
    predicted = DecisionTreeClassifier(max_depth=1, random_state=0).fit(iris.data, names).predict(iris.data)
    scored = DataTable(
        pd.DataFrame({"species": names, "Scored Labels": predicted}), {"label_column": "species", "task": "multiclass"}
    )
    result = evaluate(scored)

    figures = figures_of(result)

    assert list(figures) == ["confusion_matrix"]
    [heat] = figures["confusion_matrix"]["data"]
    assert heat["z"] == result.detail["confusion_matrix"]["matrix"]
    assert heat["x"] == ["setosa", "versicolor", "virginica"]
    assert figures["confusion_matrix"]["layout"]["title"]["text"] == "Confusion matrix"


def test_an_unknown_task_has_no_figures() -> None:
    assert evaluation_figures({"x": 1.0}, "", {}) == {}


# -- one look -----------------------------------------------------------------------------------------


def test_every_figure_shares_the_house_look(binary: Metrics, regression: Metrics) -> None:
    figures = [*figures_of(binary).values(), *figures_of(regression).values()]
    figures.append(column_figure(pd.DataFrame({"x": [1.0, 2.0]}), "x"))

    for figure in figures:
        layout = figure["layout"]
        assert layout["autosize"] is True and layout["height"] == PANEL_HEIGHT
        look = layout["template"]["layout"]
        assert look["paper_bgcolor"] == look["plot_bgcolor"] == "white"
        assert look["font"]["size"] == 12
        assert look["margin"]["t"] <= 48 and look["margin"]["l"] <= 60


def test_importing_the_figures_module_does_not_load_plotly() -> None:
    code = "import sys, designer.engine.figures; print('plotly' in sys.modules)"

    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)

    assert result.stdout.strip() == "False"
