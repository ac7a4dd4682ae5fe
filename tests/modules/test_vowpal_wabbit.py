"""Train and Score Vowpal Wabbit Model: the same predictions as vowpalwabbit itself, a model that travels as bytes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from vowpalwabbit import Workspace

from modules.library.text_analytics.score_vowpal_wabbit_model import ScoreVowpalWabbitModel
from modules.library.text_analytics.train_vowpal_wabbit_model import TrainVowpalWabbitModel
from modules.sdk import DataTable, FittedModel, LocalContext, ModuleError, TrainedModel
from modules.sdk.ports import TRUSTED_PREFIXES

TRAIN, SCORE = TrainVowpalWabbitModel(), ScoreVowpalWabbitModel()


def _vw_lines(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    lines = []
    for _ in range(n):
        price, size = rng.normal(size=2).round(4)
        colour = rng.choice(["red", "green", "blue"])
        label = 1 if price - size + (colour == "red") > 0 else -1
        lines.append(f"{label} |f price:{price} size:{size} colour={colour}")
    return lines


def _train(table: DataTable, **params: Any) -> FittedModel:
    model: FittedModel = TRAIN.run({"training_data": table}, TRAIN.parse_params(params), LocalContext())[
        "trained_model"
    ]
    return model


def _score(model: FittedModel, table: DataTable, **params: Any) -> pd.DataFrame:
    scored: DataTable = SCORE.run(
        {"trained_model": model, "test_data": table}, SCORE.parse_params(params), LocalContext()
    )["scored_dataset"]
    return scored.df


def _direct(arguments: str, train: list[str], test: list[str]) -> list[float]:
    workspace = Workspace(f"{arguments} --quiet")
    for line in train:
        workspace.learn(line)
    predictions = [float(workspace.predict(line)) for line in test]
    workspace.finish()
    return predictions


def _failure(module: Any, inputs: dict[str, Any], **params: Any) -> ModuleError:
    with pytest.raises(ModuleError) as caught:
        module.run(inputs, module.parse_params(params), LocalContext())
    return caught.value


def test_vw_lines_score_exactly_as_vowpalwabbit_called_directly() -> None:
    train, test = _vw_lines(300, seed=0), _vw_lines(40, seed=1)
    arguments = "--loss_function logistic -q ff -b 18 --power_t 0.4"

    model = _train(
        DataTable(pd.DataFrame({"line": train})), vw_arguments=arguments, input_format="VW", text_column="line"
    )
    scored = _score(model, DataTable(pd.DataFrame({"line": test})), include_labels=True, include_raw_scores=True)

    expected = _direct(arguments, train, test)
    assert model.task == "binary"
    assert scored["Raw Scores"].tolist() == expected
    np.testing.assert_array_equal(scored["Scored Probabilities"], 1 / (1 + np.exp(-np.array(expected))))
    assert scored["Scored Labels"].tolist() == [1 if p > 0 else -1 for p in expected]
    assert scored["Labels"].tolist() == [int(line.split()[0]) for line in test]


def test_table_columns_become_the_documented_vw_lines_and_score_as_vowpalwabbit_does() -> None:
    df = pd.DataFrame(
        {
            "rooms": pd.array([3, 4, None, 2, 5, 3], dtype="Int64"),
            "area sq:m": [70.5, 90.0, 55.25, 40.0, 120.0, 65.0],
            "city": pd.Series(["Oslo", "Bergen", "Oslo", None, "Tromso city", "Bergen"], dtype="str"),
            "price": [2.5, 3.1, 1.9, 1.2, 4.4, 2.2],
        }
    )
    lines = [
        "2.5 |f rooms:3.0 area_sq_m:70.5 city=Oslo",
        "3.1 |f rooms:4.0 area_sq_m:90.0 city=Bergen",
        "1.9 |f area_sq_m:55.25 city=Oslo",
        "1.2 |f rooms:2.0 area_sq_m:40.0",
        "4.4 |f rooms:5.0 area_sq_m:120.0 city=Tromso_city",
        "2.2 |f rooms:3.0 area_sq_m:65.0 city=Bergen",
    ]

    model = _train(DataTable(df), vw_arguments="--learning_rate 0.1", label_column="price")
    scored = _score(model, DataTable(df))

    assert model.task == "regression"
    assert model.estimator.lines(df.drop(columns="price"), [str(v) for v in df["price"]]) == lines
    assert scored["Scored Labels"].tolist() == _direct("--learning_rate 0.1", lines, lines)


def test_several_passes_match_vowpalwabbit_reading_the_same_lines_from_a_file(tmp_path: Any) -> None:
    train = _vw_lines(200, seed=2)
    data = tmp_path / "train.vw"
    data.write_text("".join(line + "\n" for line in train))
    arguments = "--loss_function logistic"
    direct = Workspace(f"{arguments} --quiet -d {data} --passes 3 -c -k --cache_file {tmp_path / 'cache'}")
    expected = [float(direct.predict(line)) for line in train[:20]]
    direct.finish()

    model = _train(
        DataTable(pd.DataFrame({"line": train})),
        vw_arguments=arguments,
        input_format="VW",
        text_column="line",
        number_of_passes=3,
    )

    assert (
        _score(model, DataTable(pd.DataFrame({"line": train[:20]})), include_raw_scores=True)["Raw Scores"].tolist()
        == expected
    )


def test_a_multiclass_model_scores_one_probability_per_class_and_survives_the_store() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=150)
    df = pd.DataFrame({"x": x, "kind": np.where(x < -0.5, "low", np.where(x > 0.5, "high", "mid"))})

    model = _train(DataTable(df), vw_arguments="--oaa 3 --probabilities --loss_function logistic", label_column="kind")
    back = TrainedModel.deserialize(TrainedModel.serialize(model))

    before, after = _score(model, DataTable(df)), _score(back, DataTable(df))
    assert model.classes == ["high", "low", "mid"]
    assert [c for c in before.columns if c.startswith("Scored")] == [
        "Scored Labels",
        'Scored Probabilities for Class "high"',
        'Scored Probabilities for Class "low"',
        'Scored Probabilities for Class "mid"',
    ]
    pd.testing.assert_frame_equal(after, before)


def test_the_model_round_trips_through_the_store_as_bytes_and_scores_identically() -> None:
    train = [" ".join(line.split()[:4]).replace("|f ", "") for line in _vw_lines(120, seed=4)]
    test = [" ".join(line.split()[:4]).replace("|f ", "") for line in _vw_lines(30, seed=5)]
    model = _train(
        DataTable(pd.DataFrame({"svm": train})),
        vw_arguments="--loss_function logistic",
        input_format="SVMLight",
        text_column="svm",
    )
    table = DataTable(pd.DataFrame({"svm": test}))

    back = TrainedModel.deserialize(TrainedModel.serialize(model))

    assert train[0] == "-1 price:-0.6518 size:-0.1747"
    assert type(back.estimator).__module__.startswith(TRUSTED_PREFIXES)
    assert back.estimator.model_.dtype == np.uint8
    np.testing.assert_array_equal(back.estimator.model_, model.estimator.model_)
    pd.testing.assert_frame_equal(
        _score(back, table, include_labels=True, include_raw_scores=True),
        _score(model, table, include_labels=True, include_raw_scores=True),
    )


# -- bad input ----------------------------------------------------------------------------------------


def test_a_missing_label_column_is_named() -> None:
    error = _failure(TRAIN, {"training_data": DataTable(pd.DataFrame({"x": [1.0, 2.0]}))}, label_column="y")

    assert (error.param, error.column) == ("label_column", "y")
    assert error.message == "column 'y' is not in the training data (available: x)"


def test_a_file_option_in_the_vw_arguments_is_refused_naming_the_parameter() -> None:
    table = DataTable(pd.DataFrame({"x": [1.0, 2.0], "y": [0.5, 1.5]}))

    error = _failure(TRAIN, {"training_data": table}, vw_arguments="-b 18 --data=/etc/passwd", label_column="y")

    assert error.param == "vw_arguments"
    assert error.message == (
        "VW arguments: --data is not allowed here (Tessera handles files, passes and scoring itself)"
    )


def test_an_unknown_vw_option_is_reported_on_the_vw_arguments() -> None:
    table = DataTable(pd.DataFrame({"x": [1.0, 2.0], "y": [0.5, 1.5]}))

    error = _failure(TRAIN, {"training_data": table}, vw_arguments="--no_such_option", label_column="y")

    assert error.param == "vw_arguments"
    assert error.message == "Vowpal Wabbit refused the arguments: unrecognised option '--no_such_option'"


def test_a_text_row_that_is_not_a_vw_line_is_named_with_its_column_and_row() -> None:
    table = DataTable(pd.DataFrame({"line": ["1 |f a:1", "0 a:2"]}))

    error = _failure(TRAIN, {"training_data": table}, input_format="VW", text_column="line")

    assert (error.param, error.column) == ("text_column", "line")
    assert error.message == "text column 'line' row 2 is not a VW line (no '|' before the features): '0 a:2'"


def test_a_two_class_loss_with_three_label_values_names_the_label_column() -> None:
    table = DataTable(pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": ["a", "b", "c"]}))

    error = _failure(TRAIN, {"training_data": table}, vw_arguments="--loss_function logistic", label_column="y")

    assert (error.param, error.column) == ("label_column", "y")
    assert error.message == (
        "label column 'y' has 3 classes; a two-class loss (--loss_function logistic or hinge) needs exactly 2"
    )


def test_scoring_without_a_feature_column_names_it() -> None:
    model = _train(DataTable(pd.DataFrame({"x": [1.0, 2.0, 3.0], "y": [0.5, 1.5, 2.5]})), label_column="y")

    error = _failure(SCORE, {"trained_model": model, "test_data": DataTable(pd.DataFrame({"z": [1.0]}))})

    assert (error.port, error.column) == ("test_data", "x")


def test_columns_in_another_order_score_the_same_with_interactions() -> None:
    rng = np.random.default_rng(6)
    df = pd.DataFrame({"b": rng.normal(size=60), "a": rng.normal(size=60), "y": rng.normal(size=60)})
    model = _train(DataTable(df), vw_arguments="-q ff", label_column="y")

    shuffled = _score(model, DataTable(df[["y", "a", "b"]]))

    assert shuffled["Scored Labels"].tolist() == _score(model, DataTable(df))["Scored Labels"].tolist()
