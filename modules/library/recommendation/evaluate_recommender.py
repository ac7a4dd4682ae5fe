"""Evaluate Recommender: measure predicted ratings or recommended lists against held-out ratings."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from modules.sdk import DataTable, In, Metrics, MetricsPort, Module, ModuleError, Out, ParamModel, RunContext, Table

from ._triples import read_triples

ITEM_COLUMN = re.compile(r"^Item (\d+)$")


class EvaluateRecommender(Module):
    """Compare a scored dataset from a Score ... Recommender module with the test ratings.

    The test dataset holds user-item-rating triples: the columns the recommender was trained with
    when it has them, else its first three columns (as Azure). Rating Prediction (``User, Item,
    Rating``): Mean Absolute Error and Root Mean Squared Error over the pairs found in the test set,
    as Azure reports, plus the Coefficient of Determination (1 - squared error / variance of the
    test ratings). Item Recommendation (``User, Item 1 .. Item k``): Azure reports the average NDCG;
    here NDCG at k uses the test ratings as gains (0 for an item the user did not rate) with a
    ``1 / log2(position + 1)`` discount, divided by the DCG of the user's k best test ratings, as
    scikit-learn's ``ndcg_score``; users absent from the test set are left out (logged). Precision at
    k (relevant items among those recommended) and Recall at k (recommended among the user's relevant
    items) are added: an item is relevant when the user rated it in the test set at or above the
    relevance threshold (any rating when no threshold is set, which makes precision 1 for lists
    drawn From Rated Items).
    """

    id = "evaluate_recommender"
    name = "Evaluate Recommender"
    category = "Recommendation"

    class Inputs:
        test_dataset = In(Table, "Test dataset")
        scored_dataset = In(Table, "Scored dataset")

    class Outputs:
        metric = Out(MetricsPort, "Metric")

    class Params(ParamModel):
        relevance_threshold: float | None = Field(
            None,
            title="Relevance threshold",
            description="Item Recommendation only: the lowest test rating that makes an item relevant for "
            "precision and recall; empty means any rated item is relevant.",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        scored: DataTable = inputs["scored_dataset"]
        test: DataTable = inputs["test_dataset"]
        if len(scored.df) == 0:
            raise ModuleError("the scored dataset has no rows", port="scored_dataset")
        kind = _kind(scored)
        chosen = _test_columns(test, scored.meta.get("recommender") or {})
        truth = read_triples(test, chosen, ctx, port="test_dataset")
        frame = pd.DataFrame({"u": _keys(truth.users), "i": _keys(truth.items), "r": truth.ratings})
        if kind == "rating_prediction":
            return {"metric": _rating_metrics(scored.df, frame, ctx)}
        return {"metric": _list_metrics(scored.df, frame, params.relevance_threshold, ctx)}


def _kind(scored: DataTable) -> str:
    kind = (scored.meta.get("recommender") or {}).get("kind")
    columns = set(scored.df.columns)
    if kind == "rating_prediction" or (kind is None and {"User", "Item", "Rating"} <= columns):
        missing = [c for c in ("User", "Item", "Rating") if c not in columns]
        if missing:
            raise ModuleError(f"the scored dataset has no {missing[0]!r} column", port="scored_dataset")
        return "rating_prediction"
    if "User" in columns and any(ITEM_COLUMN.match(str(c)) for c in columns):
        return "item_recommendation"
    raise ModuleError(
        "the scored dataset has neither User, Item, Rating (rating prediction) nor User, Item 1, Item 2, ... "
        "(item recommendation) columns; connect the output of Score SVD or Score Wide and Deep Recommender",
        port="scored_dataset",
    )


def _test_columns(test: DataTable, roles: dict[str, Any]) -> dict[str, str | None]:
    names = [roles.get(f"{r}_column") for r in ("user", "item", "rating")]
    if all(isinstance(n, str) and n in test.df.columns for n in names):
        return dict(zip(("user", "item", "rating"), names, strict=True))
    return {"user": None, "item": None, "rating": None}


def _keys(values: Any) -> np.ndarray:
    """Ids comparable across tables: numbers as floats, anything else as text (missing -> NaN)."""
    series = pd.Series(values)
    if pd.api.types.is_bool_dtype(series.dtype):
        return np.array([np.nan if pd.isna(v) else str(bool(v)) for v in series.astype(object)], dtype=object)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return np.asarray(series.to_numpy(dtype="float64", na_value=np.nan), dtype=object)
    out: list[Any] = []
    for v in series.astype(object):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            out.append(np.nan)
        elif isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool):
            out.append(float(v))
        else:
            out.append(str(v))
    return np.array(out, dtype=object)


def _rating_metrics(scored: pd.DataFrame, truth: pd.DataFrame, ctx: RunContext) -> Metrics:
    predicted = pd.DataFrame(
        {
            "u": _keys(scored["User"]),
            "i": _keys(scored["Item"]),
            "p": pd.to_numeric(scored["Rating"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan),
        }
    )
    joined = predicted.merge(truth, on=["u", "i"], how="inner").dropna(subset=["p"])
    if len(joined) < len(predicted):
        ctx.log(f"{len(predicted) - len(joined)} scored rows have no rating in the test dataset and are left out")
    if len(joined) == 0:
        raise ModuleError("no scored user-item pair has a rating in the test dataset", port="test_dataset", column=None)
    y, p = joined["r"].to_numpy(dtype="float64"), joined["p"].to_numpy(dtype="float64")
    error = y - p
    spread = ((y - y.mean()) ** 2).sum()
    values: dict[str, float | int | str | None] = {
        "Mean Absolute Error": float(np.abs(error).mean()),
        "Root Mean Squared Error": float(np.sqrt((error**2).mean())),
        "Coefficient of Determination": None if spread == 0 else float(1.0 - (error**2).sum() / spread),
        "Number of Ratings": len(joined),
    }
    return Metrics(values=values, task="recommendation", detail={"kind": "rating_prediction", "rows": len(joined)})


def _list_metrics(scored: pd.DataFrame, truth: pd.DataFrame, threshold: float | None, ctx: RunContext) -> Metrics:
    slots = sorted((int(m.group(1)), c) for c in scored.columns if (m := ITEM_COLUMN.match(str(c))))
    k = len(slots)
    by_user = {u: dict(zip(g["i"], g["r"], strict=True)) for u, g in truth.groupby("u", sort=False)}
    lists = [_keys(scored[c]) for _, c in slots]
    ndcgs: list[float] = []
    precisions: list[float] = []
    recalls: list[float] = []
    absent = 0
    for row, user in enumerate(_keys(scored["User"]).tolist()):
        rated = by_user.get(user)
        recommended = [items[row] for items in lists if not pd.isna(items[row])]
        if rated is None or not recommended:
            absent += 1
            continue
        gains = np.array([rated.get(item, 0.0) for item in recommended], dtype="float64")
        ideal = np.sort(np.fromiter(rated.values(), dtype="float64"))[::-1][:k]
        best = _dcg(ideal)
        if best > 0:
            ndcgs.append(_dcg(gains) / best)
        relevant = {i for i, r in rated.items() if threshold is None or r >= threshold}
        hits = sum(item in relevant for item in recommended)
        precisions.append(hits / len(recommended))
        if relevant:
            recalls.append(hits / len(relevant))
    if absent:
        ctx.log(f"{absent} scored users have no rating in the test dataset (or an empty list) and are left out")
    if not precisions:
        raise ModuleError("no scored user has a rating in the test dataset", port="test_dataset")
    values: dict[str, float | int | str | None] = {
        "NDCG": float(np.mean(ndcgs)) if ndcgs else None,
        "Precision at K": float(np.mean(precisions)),
        "Recall at K": float(np.mean(recalls)) if recalls else None,
        "K": k,
        "Users Evaluated": len(precisions),
    }
    return Metrics(values=values, task="recommendation", detail={"kind": "item_recommendation", "k": k})


def _dcg(gains: np.ndarray) -> float:
    return float((gains / np.log2(np.arange(len(gains)) + 2)).sum())
