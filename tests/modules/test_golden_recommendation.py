"""The recommenders against the same computation written directly: numpy SGD, PyTorch, scikit-learn metrics."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import mean_absolute_error, ndcg_score, r2_score, root_mean_squared_error

from modules.sdk import DataTable, TrainedModel
from tests.modules.cases.recommendation import ratings

Runner = Callable[..., dict[str, Any]]
SVD = {"number_of_factors": 3, "number_of_recommendation_algorithm_iterations": 20, "learning_rate": 0.05}


def _positions(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    codes, uniques = pd.factorize(values, sort=False)  # ids numbered in order of first appearance
    return codes, list(uniques)


def _direct_svd(df: pd.DataFrame, factors: int, iterations: int, lr: float, reg: float, seed: int) -> Any:
    users, user_ids = _positions(df["user"])
    items, item_ids = _positions(df["item"])
    r = df["rating"].to_numpy(dtype="float64")
    rng = np.random.default_rng(seed)
    p = rng.normal(0.0, 0.1, (len(user_ids), factors))
    q = rng.normal(0.0, 0.1, (len(item_ids), factors))
    bu, bi, mu = np.zeros(len(user_ids)), np.zeros(len(item_ids)), r.mean()
    for _ in range(iterations):
        for t in rng.permutation(len(r)):
            u, i = users[t], items[t]
            err = r[t] - (mu + bu[u] + bi[i] + p[u] @ q[i])
            bu[u] += lr * (err - reg * bu[u])
            bi[i] += lr * (err - reg * bi[i])
            old_p = p[u].copy()
            p[u] += lr * (err * q[i] - reg * p[u])
            q[i] += lr * (err * old_p - reg * q[i])

    def predict(user: Any, item: Any) -> float:
        u = user_ids.index(user) if user in user_ids else None
        i = item_ids.index(item) if item in item_ids else None
        value = mu + (bu[u] if u is not None else 0.0) + (bi[i] if i is not None else 0.0)
        if u is not None and i is not None:
            value += p[u] @ q[i]
        return float(np.clip(value, r.min(), r.max()))

    return predict


def test_svd_rating_predictions_match_the_same_sgd_written_in_numpy(run: Runner) -> None:
    df = ratings()
    model = run("train_svd_recommender", {"dataset": DataTable(df)}, **SVD, random_number_seed=3)["trained_model"]
    to_score = pd.DataFrame(
        {
            "user": pd.array([0, 1, 5, 99, 2], dtype="Int64"),
            "item": pd.Series(["item1", "item4", "new", "item2", "item9"], dtype="str"),
        }
    )

    scored = run(
        "score_svd_recommender",
        {"trained_model": model, "dataset": DataTable(to_score)},
        recommender_prediction_kind="Rating Prediction",
    )["scored_dataset"].df

    predict = _direct_svd(df, 3, 20, 0.05, 0.02, 3)
    expected = [predict(u, i) for u, i in zip(to_score["user"], to_score["item"], strict=True)]
    assert list(scored.columns) == ["User", "Item", "Rating"]
    assert scored["User"].tolist() == [0, 1, 5, 99, 2]
    np.testing.assert_allclose(scored["Rating"].to_numpy(), expected, rtol=0, atol=1e-12)


def test_svd_recommends_the_top_predicted_items_from_all_items(run: Runner) -> None:
    df = ratings()
    model = run("train_svd_recommender", {"dataset": DataTable(df)}, **SVD)["trained_model"]
    users = pd.DataFrame({"user": pd.array([4, 0], dtype="Int64")})

    scored = run(
        "score_svd_recommender",
        {"trained_model": model, "dataset": DataTable(users)},
        recommended_item_selection="From All Items",
        maximum_number_of_items_to_recommend_to_a_user=3,
        whether_to_return_the_predicted_ratings_of_the_items_along_with_the_labels=True,
    )["scored_dataset"].df

    predict = _direct_svd(df, 3, 20, 0.05, 0.02, 0)
    catalogue = list(pd.unique(df["item"]))
    for row, user in enumerate([4, 0]):
        rated = sorted(((-predict(user, item), n, item) for n, item in enumerate(catalogue)))[:3]
        assert [scored[f"Item {j}"][row] for j in (1, 2, 3)] == [item for _, _, item in rated]
        np.testing.assert_allclose(
            [scored[f"Rating {j}"][row] for j in (1, 2, 3)], [-s for s, _, _ in rated], atol=1e-12
        )
    assert list(scored.columns) == ["User", "Item 1", "Item 2", "Item 3", "Rating 1", "Rating 2", "Rating 3"]


def test_from_rated_and_from_unrated_items_rank_the_right_pools(run: Runner) -> None:
    df = ratings()
    model = run("train_svd_recommender", {"dataset": DataTable(df)}, **SVD)["trained_model"]
    predict = _direct_svd(df, 3, 20, 0.05, 0.02, 0)
    catalogue = list(pd.unique(df["item"]))

    rated = run(
        "score_svd_recommender",
        {"trained_model": model, "dataset": DataTable(df)},
        maximum_number_of_items_to_recommend_to_a_user=2,
    )["scored_dataset"].df
    unrated = run(
        "score_svd_recommender",
        {"trained_model": model, "dataset": DataTable(df), "training_data": DataTable(df)},
        recommended_item_selection="From Unrated Items (to suggest new items to users)",
        maximum_number_of_items_to_recommend_to_a_user=2,
    )["scored_dataset"].df

    for row, user in enumerate(pd.unique(df["user"])):
        own = df.loc[df["user"] == user, "item"].tolist()
        others = [i for i in catalogue if i not in own]
        best_own = [i for _, _, i in sorted((-predict(user, i), n, i) for n, i in enumerate(own))[:2]]
        best_new = [i for _, _, i in sorted((-predict(user, i), n, i) for n, i in enumerate(others))[:2]]
        assert [rated["Item 1"][row], rated["Item 2"][row]] == best_own
        assert [unrated["Item 1"][row], unrated["Item 2"][row]] == best_new


def _wide_deep_network(n_users: int, n_items: int, seed: int) -> dict[str, Any]:
    """Wide & Deep with user/item embeddings of 4, hidden 8-4, batch norm, drawn in the documented order."""
    g = torch.Generator().manual_seed(seed)
    user_emb, item_emb = torch.nn.Embedding(n_users + 1, 4), torch.nn.Embedding(n_items + 1, 4)
    layers = [torch.nn.Linear(8, 8), torch.nn.Linear(8, 4), torch.nn.Linear(4, 1)]
    norms = [torch.nn.BatchNorm1d(8), torch.nn.BatchNorm1d(4)]
    wide = torch.nn.Embedding(n_users + n_items + 2 + 50, 1)
    modules = torch.nn.ModuleList([user_emb, item_emb, *layers, *norms, wide]).double()
    with torch.no_grad():
        for emb in (user_emb, item_emb):
            emb.weight.copy_(torch.randn(emb.weight.shape, generator=g, dtype=torch.float64) * 0.1)
            emb.weight[0] = 0.0
        for layer in layers:
            bound = 1 / np.sqrt(layer.in_features)
            layer.weight.copy_((torch.rand(layer.weight.shape, generator=g, dtype=torch.float64) * 2 - 1) * bound)
            layer.bias.copy_((torch.rand(layer.bias.shape, generator=g, dtype=torch.float64) * 2 - 1) * bound)
        wide.weight.zero_()
    wide_bias = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    return {
        "g": g,
        "user": user_emb,
        "item": item_emb,
        "layers": layers,
        "norms": norms,
        "wide": wide,
        "bias": wide_bias,
        "all": modules,
    }


def _wide_deep_forward(net: dict[str, Any], u: Any, i: Any, n_users: int, n_items: int, dropout: float) -> Any:
    cross = (u * 1_000_003 + i) % 50
    known = ((u > 0) & (i > 0)).double()
    w = net["wide"]
    wide = w(u)[:, 0] + w(n_users + 1 + i)[:, 0] + known * w(n_users + n_items + 2 + cross)[:, 0] + net["bias"]
    x = torch.cat([net["user"](u), net["item"](i)], dim=1)
    for layer, norm in zip(net["layers"][:2], net["norms"], strict=True):
        x = torch.relu(norm(layer(x)))
        if net["all"].training:
            x = x * (torch.rand(x.shape, generator=net["g"], dtype=torch.float64) >= dropout) / (1 - dropout)
    return wide + net["layers"][2](x)[:, 0]


def test_wide_and_deep_matches_the_same_network_trained_directly_in_pytorch(run: Runner) -> None:
    df = ratings()
    params = {
        "epochs": 4,
        "batch_size": 8,
        "wide_part_optimizer": "Adagrad",
        "wide_optimizer_learning_rate": 0.05,
        "deep_part_optimizer": "Adam",
        "deep_optimizer_learning_rate": 0.01,
        "crossed_feature_dimension": 50,
        "user_embedding_dimension": 4,
        "item_embedding_dimension": 4,
        "hidden_units": "8,4",
        "dropout": 0.25,
        "random_number_seed": 5,
    }
    model = run("train_wide_and_deep_recommender", {"dataset": DataTable(df)}, **params)["trained_model"]
    model = TrainedModel.deserialize(TrainedModel.serialize(model))
    to_score = pd.DataFrame(
        {
            "user": pd.array([0, 3, 7, 42], dtype="Int64"),
            "item": pd.Series(["item2", "item5", "nope", "item1"], dtype="str"),
        }
    )
    scored = run(
        "score_wide_and_deep_recommender",
        {"trained_model": model, "dataset": DataTable(to_score)},
        recommender_prediction_kind="Rating Prediction",
    )["scored_dataset"].df

    users, user_ids = _positions(df["user"])
    items, item_ids = _positions(df["item"])
    nu, ni = len(user_ids), len(item_ids)
    y = df["rating"].to_numpy()
    net = _wide_deep_network(nu, ni, 5)
    wide_opt = torch.optim.Adagrad([net["wide"].weight, net["bias"]], lr=0.05)
    deep = [*net["user"].parameters(), *net["item"].parameters()]
    for layer in net["layers"][:2]:
        deep += [*layer.parameters()]
    deep += [p for norm in net["norms"] for p in norm.parameters()] + [*net["layers"][2].parameters()]
    deep_opt = torch.optim.Adam(deep, lr=0.01)
    u_all, i_all = torch.from_numpy(users + 1), torch.from_numpy(items + 1)
    target = torch.from_numpy(y - y.mean())
    net["all"].train()
    for _ in range(4):
        order = torch.randperm(len(y), generator=net["g"])
        for start in range(0, len(y), 8):
            batch = order[start : start + 8]
            if len(batch) < 2:
                continue
            wide_opt.zero_grad()
            deep_opt.zero_grad()
            loss = torch.mean((_wide_deep_forward(net, u_all[batch], i_all[batch], nu, ni, 0.25) - target[batch]) ** 2)
            loss.backward()
            wide_opt.step()
            deep_opt.step()
    net["all"].eval()
    ask_u = torch.tensor([user_ids.index(u) + 1 if u in user_ids else 0 for u in to_score["user"]])
    ask_i = torch.tensor([item_ids.index(i) + 1 if i in item_ids else 0 for i in to_score["item"]])
    with torch.no_grad():
        expected = np.clip(y.mean() + _wide_deep_forward(net, ask_u, ask_i, nu, ni, 0.25).numpy(), y.min(), y.max())

    np.testing.assert_allclose(scored["Rating"].to_numpy(), expected, rtol=0, atol=1e-6)
    assert scored["Rating"].nunique() == 4


def test_rating_metrics_match_scikit_learn(run: Runner) -> None:
    df = ratings()
    model = run("train_svd_recommender", {"dataset": DataTable(df)}, **SVD)["trained_model"]
    scored = run(
        "score_svd_recommender",
        {"trained_model": model, "dataset": DataTable(df)},
        recommender_prediction_kind="Rating Prediction",
    )["scored_dataset"]

    values = run("evaluate_recommender", {"test_dataset": DataTable(df), "scored_dataset": scored})["metric"].values

    y, p = df["rating"].to_numpy(), scored.df["Rating"].to_numpy()
    assert values["Mean Absolute Error"] == pytest.approx(mean_absolute_error(y, p), abs=1e-12)
    assert values["Root Mean Squared Error"] == pytest.approx(root_mean_squared_error(y, p), abs=1e-12)
    assert values["Coefficient of Determination"] == pytest.approx(r2_score(y, p), abs=1e-12)
    assert values["Number of Ratings"] == len(df)


def test_ndcg_precision_and_recall_match_a_direct_computation() -> None:
    from modules.sdk import LocalContext, default_registry

    test = pd.DataFrame(
        {
            "user": pd.array([1, 1, 1, 1, 2, 2, 2], dtype="Int64"),
            "item": pd.array([10, 11, 12, 13, 10, 14, 15], dtype="Int64"),
            "rating": [5.0, 3.0, 1.0, 4.0, 2.0, 5.0, 4.0],
        }
    )
    scored = pd.DataFrame(
        {
            "User": pd.array([1, 2, 3], dtype="Int64"),
            "Item 1": pd.array([11, 16, 10], dtype="Int64"),
            "Item 2": pd.array([13, 14, 11], dtype="Int64"),
            "Item 3": pd.array([12, 10, None], dtype="Int64"),
        }
    )
    cls = default_registry().get("evaluate_recommender")

    values = (
        cls()
        .run(
            {"test_dataset": DataTable(test), "scored_dataset": DataTable(scored)},
            cls.parse_params({"relevance_threshold": 4.0}),
            LocalContext(),
        )["metric"]
        .values
    )

    # user 1: items 10..13 rated 5,3,1,4; recommended 11,13,12 -> scores 3,2,1 for them, 0 for 10
    ndcg_1 = ndcg_score([[5.0, 3.0, 1.0, 4.0]], [[0.0, 3.0, 1.0, 2.0]], k=3)
    # user 2: rated 10,14,15 as 2,5,4 and 16 not rated; recommended 16,14,10
    ndcg_2 = ndcg_score([[2.0, 5.0, 4.0, 0.0]], [[1.0, 2.0, 0.0, 3.0]], k=3)
    assert values["NDCG"] == pytest.approx((ndcg_1 + ndcg_2) / 2, abs=1e-12)
    # relevant (rating >= 4): user 1 {10, 13}, user 2 {14, 15}
    assert values["Precision at K"] == pytest.approx((1 / 3 + 1 / 3) / 2, abs=1e-12)
    assert values["Recall at K"] == pytest.approx((1 / 2 + 1 / 2) / 2, abs=1e-12)
    assert (values["K"], values["Users Evaluated"]) == (3, 2)
