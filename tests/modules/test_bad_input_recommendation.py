"""The Recommendation modules refuse bad input naming the column, port or parameter, and handle cold ids."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from modules.sdk import DataTable, ModuleError, default_registry
from tests.modules.cases.recommendation import ratings

Runner = Callable[..., dict[str, Any]]
SMALL = {"number_of_factors": 2, "number_of_recommendation_algorithm_iterations": 3}


def _svd(run: Runner, df: pd.DataFrame | None = None) -> Any:
    return run("train_svd_recommender", {"dataset": DataTable(ratings() if df is None else df)}, **SMALL)[
        "trained_model"
    ]


def test_a_text_rating_column_is_refused_by_name(run: Runner) -> None:
    df = ratings().assign(rating=lambda d: d["rating"].astype(str).astype("str"))

    with pytest.raises(ModuleError) as caught:
        _svd(run, df)

    assert (caught.value.column, caught.value.param) == ("rating", "rating_column")
    assert "ratings must be numbers" in caught.value.message


def test_a_user_item_pair_rated_twice_is_refused_naming_the_pair(run: Runner) -> None:
    df = ratings()
    df = pd.concat([df, df.iloc[[3]]], ignore_index=True)

    with pytest.raises(ModuleError) as caught:
        _svd(run, df)

    user, item = df["user"][3], df["item"][3]
    assert caught.value.message.startswith(f"user {int(user)!r} rated item {item!r} more than once (2 rows")
    assert (caught.value.port, caught.value.column) == ("dataset", "item")


def test_an_empty_ratings_table_is_refused(run: Runner) -> None:
    with pytest.raises(ModuleError) as caught:
        _svd(run, ratings().iloc[0:0])

    assert (caught.value.port, caught.value.message) == ("dataset", "the dataset has no rows")


def test_a_table_of_two_columns_names_the_missing_rating(run: Runner) -> None:
    with pytest.raises(ModuleError) as caught:
        _svd(run, ratings()[["user", "item"]])

    assert caught.value.param == "rating_column"
    assert "need the rating in column 3" in caught.value.message


def test_a_chosen_column_that_does_not_exist_is_named(run: Runner) -> None:
    with pytest.raises(ModuleError) as caught:
        run("train_svd_recommender", {"dataset": DataTable(ratings())}, **SMALL, user_column="customer")

    assert (caught.value.param, caught.value.column) == ("user_column", "customer")


def test_rows_without_a_rating_are_left_out_and_logged(run: Runner) -> None:
    df = ratings()
    df.loc[[0, 5], "rating"] = np.nan

    model = _svd(run, df)

    assert "2 rows without a user, item or rating are left out" in run.ctx.logs  # type: ignore[attr-defined]
    assert model.estimator.rating_range_.tolist() == [df["rating"].min(), df["rating"].max()]


@pytest.mark.parametrize(
    ("module_id", "params"),
    [
        ("train_svd_recommender", {"learning_rate": 2.5}),
        ("train_svd_recommender", {"number_of_factors": 0}),
        ("train_wide_and_deep_recommender", {"hidden_units": "256,abc"}),
        ("train_wide_and_deep_recommender", {"dropout": 1.0}),
        ("score_svd_recommender", {"maximum_number_of_items_to_recommend_to_a_user": 0}),
    ],
)
def test_parameters_out_of_range_are_refused_by_name(module_id: str, params: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        default_registry().get(module_id).parse_params(params)

    assert [e["loc"][0] for e in caught.value.errors()] == list(params)


def test_a_diverging_learning_rate_is_reported_on_that_parameter(run: Runner) -> None:
    with pytest.raises(ModuleError) as caught:
        run(
            "train_svd_recommender",
            {"dataset": DataTable(ratings())},
            number_of_factors=2,
            number_of_recommendation_algorithm_iterations=50,
            learning_rate=2.0,
        )

    assert caught.value.param == "learning_rate"
    assert "diverged" in caught.value.message


def test_an_unknown_user_is_rated_from_the_mean_and_the_item_bias(run: Runner) -> None:
    model = _svd(run)
    estimator = model.estimator
    item = list(estimator.items_).index("item3")
    new = pd.DataFrame(
        {"user": pd.array([1000, 1000], dtype="Int64"), "item": pd.Series(["item3", "never"], dtype="str")}
    )

    scored = run(
        "score_svd_recommender",
        {"trained_model": model, "dataset": DataTable(new)},
        recommender_prediction_kind="Rating Prediction",
    )["scored_dataset"].df

    lo, hi = estimator.rating_range_
    assert scored["Rating"].tolist() == [
        float(np.clip(estimator.mean_ + estimator.item_bias_[item], lo, hi)),
        float(np.clip(estimator.mean_, lo, hi)),
    ]
    assert run.ctx.logs[-2].startswith("2 rows have a user or item not seen in training")  # type: ignore[attr-defined]


def test_an_unknown_user_gets_the_items_with_the_highest_bias(run: Runner) -> None:
    model = _svd(run)
    estimator = model.estimator

    scored = run(
        "score_svd_recommender",
        {"trained_model": model, "dataset": DataTable(pd.DataFrame({"user": pd.array([1000], dtype="Int64")}))},
        recommended_item_selection="From All Items",
        maximum_number_of_items_to_recommend_to_a_user=3,
    )["scored_dataset"].df

    best = np.argsort(-estimator.item_bias_, kind="stable")[:3]
    assert scored.iloc[0, 1:].tolist() == [str(estimator.items_[b]) for b in best]


def test_from_unrated_items_without_training_data_names_the_port(run: Runner) -> None:
    model = _svd(run)

    with pytest.raises(ModuleError) as caught:
        run(
            "score_svd_recommender",
            {"trained_model": model, "dataset": DataTable(ratings())},
            recommended_item_selection="From Unrated Items (to suggest new items to users)",
        )

    assert (caught.value.port, caught.value.param) == ("training_data", "recommended_item_selection")


def test_scoring_a_table_without_the_trained_user_column_names_it(run: Runner) -> None:
    model = _svd(run)

    with pytest.raises(ModuleError) as caught:
        run(
            "score_svd_recommender",
            {"trained_model": model, "dataset": DataTable(ratings().rename(columns={"user": "who"}))},
        )

    assert (caught.value.port, caught.value.column) == ("dataset", "user")


def test_from_rated_items_skips_users_below_the_minimum_pool(run: Runner) -> None:
    model = _svd(run)
    df = ratings()
    one = df.groupby("user").head(1)  # every user has a single rated item

    scored = run(
        "score_svd_recommender",
        {"trained_model": model, "dataset": DataTable(pd.concat([one, df[df["user"] == 0]]))},
        minimum_size_of_the_recommendation_pool_for_a_single_user=2,
    )["scored_dataset"].df

    assert scored["User"].tolist() == [0]


def test_a_model_from_another_trainer_is_refused(run: Runner, table: DataTable) -> None:
    learner = run("linear_regression", {})["untrained_model"]
    model = run("train_model", {"untrained_model": learner, "dataset": table}, label_column="hours")["trained_model"]

    with pytest.raises(ModuleError) as caught:
        run("score_svd_recommender", {"trained_model": model, "dataset": DataTable(ratings())})

    assert caught.value.port == "trained_model"
    assert "Train SVD Recommender" in caught.value.message


def test_a_features_table_with_a_repeated_id_is_refused(run: Runner) -> None:
    features = pd.DataFrame({"user": pd.array([0, 0], dtype="Int64"), "age": [30.0, 31.0]})

    with pytest.raises(ModuleError) as caught:
        run(
            "train_wide_and_deep_recommender",
            {"dataset": DataTable(ratings()), "user_features": DataTable(features)},
            epochs=1,
            hidden_units="4",
        )

    assert (caught.value.port, caught.value.column) == ("user_features", "user")


def test_evaluating_a_table_that_is_not_scored_by_a_recommender_names_the_port(run: Runner) -> None:
    with pytest.raises(ModuleError) as caught:
        run("evaluate_recommender", {"test_dataset": DataTable(ratings()), "scored_dataset": DataTable(ratings())})

    assert caught.value.port == "scored_dataset"
    assert "Score SVD or Score Wide and Deep Recommender" in caught.value.message


def test_rating_predictions_without_any_test_rating_are_refused(run: Runner) -> None:
    scored = pd.DataFrame(
        {"User": pd.array([99], dtype="Int64"), "Item": pd.Series(["x"], dtype="str"), "Rating": [3.0]}
    )

    with pytest.raises(ModuleError) as caught:
        run("evaluate_recommender", {"test_dataset": DataTable(ratings()), "scored_dataset": DataTable(scored)})

    assert caught.value.port == "test_dataset"
