"""Scoring a recommender, shared by Score SVD and Score Wide and Deep Recommender.

Rating Prediction writes ``User, Item, Rating`` for each row of the dataset to score. Item
Recommendation writes one row per user, ``User, Item 1 .. Item k`` (best first) and, when asked,
``Rating 1 .. Rating k``; a user with fewer candidates than k gets missing values in the last places.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, FittedModel, ModuleError, ParamModel, RunContext

from ._triples import ids_of

RATING_PREDICTION = "Rating Prediction"
ITEM_RECOMMENDATION = "Item Recommendation"
FROM_ALL = "From All Items"
FROM_RATED = "From Rated Items (for model evaluation)"
FROM_UNRATED = "From Unrated Items (to suggest new items to users)"
#: Predictions computed at once while ranking (users x candidate items), to bound memory.
BLOCK = 1_000_000

Predict = Callable[[np.ndarray, np.ndarray], np.ndarray]


class ScoreParams(ParamModel):
    recommender_prediction_kind: Literal["Rating Prediction", "Item Recommendation"] = Field(
        "Item Recommendation",
        title="Recommender prediction kind",
        description="Predict the rating of each user-item pair, or recommend a ranked list of items to each user.",
    )
    recommended_item_selection: Literal[
        "From All Items",
        "From Rated Items (for model evaluation)",
        "From Unrated Items (to suggest new items to users)",
    ] = Field(
        "From Rated Items (for model evaluation)",
        title="Recommended item selection",
        description="Item Recommendation only. All items: rank every item seen in training. Rated items: rank "
        "the items each user has in the dataset to score (to evaluate). Unrated items: rank the training "
        "items the user has not rated in the connected training data (to suggest new items).",
    )
    maximum_number_of_items_to_recommend_to_a_user: int = Field(
        5, ge=1, le=1000, title="Maximum number of items to recommend to a user", description="Length of each list."
    )
    minimum_size_of_the_recommendation_pool_for_a_single_user: int = Field(
        2,
        ge=1,
        le=1_000_000,
        title="Minimum size of the recommendation pool for a single user",
        description="From Rated Items only: users with fewer items than this in the dataset to score are skipped.",
    )
    whether_to_return_the_predicted_ratings_of_the_items_along_with_the_labels: bool = Field(
        False,
        title="Whether to return the predicted ratings of the items along with the labels",
        description="Item Recommendation only: add Rating 1 .. Rating k beside Item 1 .. Item k.",
    )


def check_model(model: FittedModel, estimator_type: str, scorer: str) -> None:
    if type(model.estimator).__name__ != estimator_type:
        what = model.name or model.learner
        raise ModuleError(
            f"{what} is not a recommender trained by {scorer.replace('Score', 'Train')}; "
            f"connect that module's trained model",
            port="trained_model",
        )


def score(
    model: FittedModel,
    table: DataTable,
    training: DataTable | None,
    params: ScoreParams,
    predict: Predict,
    ctx: RunContext,
) -> DataTable:
    if len(table.df) == 0:
        raise ModuleError("the dataset to score has no rows", port="dataset")
    names = {"user_column": model.feature_columns[0], "item_column": model.feature_columns[1]}
    meta = {**names, "rating_column": model.label_column}
    if params.recommender_prediction_kind == RATING_PREDICTION:
        out = _ratings(model, table, predict, ctx)
        return DataTable(out, {"recommender": {"kind": "rating_prediction", **meta}})
    out = _recommendations(model, table, training, params, predict, ctx)
    k = params.maximum_number_of_items_to_recommend_to_a_user
    return DataTable(out, {"recommender": {"kind": "item_recommendation", "k": k, **meta}})


def _ratings(model: FittedModel, table: DataTable, predict: Predict, ctx: RunContext) -> pd.DataFrame:
    user, item = model.feature_columns
    ids = ids_of(model, table, ("user", "item"), "dataset")
    users, items = ids[user].to_numpy(), ids[item].to_numpy()
    estimator = model.estimator
    cold = int((~np.isin(_keys(users), estimator.users_) | ~np.isin(_keys(items), estimator.items_)).sum())
    if cold:
        ctx.log(f"{cold} rows have a user or item not seen in training; they are rated from what the model knows")
    return pd.DataFrame(
        {
            "User": table.df[user].reset_index(drop=True),
            "Item": table.df[item].reset_index(drop=True),
            "Rating": predict(users, items),
        }
    )


def _keys(values: np.ndarray) -> np.ndarray:
    from modules.estimators._recommender import key_array

    return key_array(values)


def _recommendations(
    model: FittedModel,
    table: DataTable,
    training: DataTable | None,
    params: ScoreParams,
    predict: Predict,
    ctx: RunContext,
) -> pd.DataFrame:
    user, item = model.feature_columns
    selection = params.recommended_item_selection
    roles = ("user", "item") if selection == FROM_RATED else ("user",)
    ids = ids_of(model, table, roles, "dataset")
    present = ids[user].notna().to_numpy()
    if not present.all():
        ctx.log(f"{int((~present).sum())} rows without a user are left out")
    firsts = ~ids[user][present].duplicated().to_numpy()
    people = table.df[user][present][firsts].reset_index(drop=True)  # as given, in order of first appearance
    keys = ids[user][present][firsts].to_numpy()
    if selection == FROM_RATED:
        pools = _rated_pools(ids[present], user, item, keys, params, ctx)
    else:
        catalogue = model.estimator.items_
        rated = _training_pools(model, training, ctx) if selection == FROM_UNRATED else {}
        pools = [_without(catalogue, rated.get(k)) for k in keys.tolist()]
    keep = np.array([p is not None for p in pools], dtype=bool)
    ranked = _rank(keys[keep], [p for p in pools if p is not None], params, predict, ctx)
    return _layout(model, people[keep].reset_index(drop=True), ranked, params)


def _rated_pools(
    ids: pd.DataFrame, user: str, item: str, keys: np.ndarray, params: ScoreParams, ctx: RunContext
) -> list[np.ndarray | None]:
    from modules.estimators._recommender import key_array

    rows = ids[ids[item].notna()]
    grouped = {k: key_array(g[item].to_numpy()) for k, g in rows.groupby(user, sort=False)}
    minimum = params.minimum_size_of_the_recommendation_pool_for_a_single_user
    pools: list[np.ndarray | None] = []
    for k in keys.tolist():
        pool = grouped.get(k)
        pools.append(None if pool is None or len(np.unique(pool)) < minimum else _first_seen(pool))
    skipped = sum(p is None for p in pools)
    if skipped:
        ctx.log(f"{skipped} users have fewer than {minimum} items to rank in the dataset to score and are skipped")
    return pools


def _first_seen(values: np.ndarray) -> np.ndarray:
    _, first = np.unique(values, return_index=True)
    kept: np.ndarray = values[np.sort(first)]
    return kept


def _training_pools(model: FittedModel, training: DataTable | None, ctx: RunContext) -> dict[Any, np.ndarray]:
    from modules.estimators._recommender import key_array

    if training is None:
        raise ModuleError(
            "From Unrated Items needs the training data connected, to know what each user has already rated",
            port="training_data",
            param="recommended_item_selection",
        )
    user, item = model.feature_columns
    ids = ids_of(model, training, ("user", "item"), "training_data")
    ids = ids[ids[user].notna() & ids[item].notna()]
    return {k: key_array(g[item].to_numpy()) for k, g in ids.groupby(user, sort=False)}


def _without(catalogue: np.ndarray, rated: np.ndarray | None) -> np.ndarray:
    if rated is None or len(rated) == 0:
        return catalogue
    if catalogue.dtype.kind != rated.dtype.kind:
        return catalogue
    kept: np.ndarray = catalogue[~np.isin(catalogue, rated)]
    return kept


def _rank(
    keys: np.ndarray, pools: list[np.ndarray], params: ScoreParams, predict: Predict, ctx: RunContext
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per user, the top items of its pool and their predicted ratings, best first (ties: pool order)."""
    k = params.maximum_number_of_items_to_recommend_to_a_user
    ranked: list[tuple[np.ndarray, np.ndarray]] = []
    start = 0
    while start < len(keys):
        stop, size = start, 0
        while stop < len(keys) and (stop == start or size + len(pools[stop]) <= BLOCK):
            size += len(pools[stop])
            stop += 1
        batch = pools[start:stop]
        users = np.repeat(np.asarray(keys[start:stop], dtype=object), [len(p) for p in batch])
        items = np.concatenate([p.astype(object) for p in batch]) if batch else np.array([], dtype=object)
        predicted = predict(users, items) if len(items) else np.array([])
        at = 0
        for pool in batch:
            scores = predicted[at : at + len(pool)]
            order = np.argsort(-scores, kind="stable")[:k]
            ranked.append((pool[order], scores[order]))
            at += len(pool)
        ctx.check_cancelled()
        start = stop
    return ranked


def _layout(
    model: FittedModel, people: pd.Series, ranked: list[tuple[np.ndarray, np.ndarray]], params: ScoreParams
) -> pd.DataFrame:
    k = params.maximum_number_of_items_to_recommend_to_a_user
    item_type = model.feature_types[model.feature_columns[1]]
    out: dict[str, Any] = {"User": people}
    for j in range(k):
        values = [items[j] if j < len(items) else None for items, _ in ranked]
        out[f"Item {j + 1}"] = _item_series(values, item_type)
    if params.whether_to_return_the_predicted_ratings_of_the_items_along_with_the_labels:
        for j in range(k):
            out[f"Rating {j + 1}"] = pd.Series(
                [float(r[j]) if j < len(r) else np.nan for _, r in ranked], dtype="float64"
            )
    return pd.DataFrame(out)


def _item_series(values: list[Any], item_type: str) -> pd.Series:
    """Item ids in the type of the training item column (ids are kept as floats or text)."""
    if item_type == "integer":
        return pd.Series([None if v is None else round(float(v)) for v in values], dtype="Int64")
    if item_type in ("number", "datetime"):
        return pd.Series([np.nan if v is None else float(v) for v in values], dtype="float64")
    return pd.Series([None if v is None else str(v) for v in values], dtype="str")
