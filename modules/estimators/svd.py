"""Biased matrix factorisation fitted by stochastic gradient descent ("SVD", as Funk's and Surprise's).

A rating is predicted as ``mu + b_u + b_i + p_u . q_i``: the mean training rating, a user bias, an
item bias and the dot product of the user's and the item's factor vectors. Factors start normal with
mean 0 and standard deviation 0.1, biases at 0; each iteration visits every rating once, in an order
shuffled with the seed, and moves the four terms of that rating against its error (L2-regularised).

Cold ids fall back on what is known: an unknown user on ``mu + b_i``, an unknown item on
``mu + b_u``, both unknown on ``mu``; predictions are clipped to the training ratings' range.
Only numpy arrays are kept, so the model saves through skops and needs nothing but numpy to score.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._recommender import RecommenderBase

INIT_STD = 0.1


def sgd_svd(
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    n_items: int,
    *,
    factors: int,
    iterations: int,
    learning_rate: float,
    regularization: float,
    seed: int,
    on_iteration: Callable[[int], None] | None = None,
) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(mu, b_u, b_i, P, Q)`` fitted to the ratings; raises ``FloatingPointError`` when it diverges."""
    rng = np.random.default_rng(seed)
    p = rng.normal(0.0, INIT_STD, (n_users, factors))
    q = rng.normal(0.0, INIT_STD, (n_items, factors))
    bu = np.zeros(n_users)
    bi = np.zeros(n_items)
    mu = float(ratings.mean())
    lr, reg = learning_rate, regularization
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(iterations):
            _epoch(rng.permutation(len(ratings)).tolist(), users, items, ratings, mu, bu, bi, p, q, lr, reg)
            if not all(np.isfinite(a).all() for a in (bu, bi, p, q)):
                raise FloatingPointError(f"the factors overflowed in iteration {epoch + 1}")
            if on_iteration is not None:
                on_iteration(epoch)
    return mu, bu, bi, p, q


def _epoch(
    order: list[int],
    users: np.ndarray,
    items: np.ndarray,
    ratings: np.ndarray,
    mu: float,
    bu: np.ndarray,
    bi: np.ndarray,
    p: np.ndarray,
    q: np.ndarray,
    lr: float,
    reg: float,
) -> None:
    """One pass over the ratings in ``order``, updating the biases and factors in place."""
    for t in order:
        u, i = users[t], items[t]
        pu, qi = p[u], q[i]
        err = ratings[t] - (mu + bu[u] + bi[i] + pu @ qi)
        bu[u] += lr * (err - reg * bu[u])
        bi[i] += lr * (err - reg * bi[i])
        p[u], q[i] = pu + lr * (err * qi - reg * pu), qi + lr * (err * pu - reg * qi)


class SVDRecommender(RecommenderBase):
    def __init__(
        self,
        n_factors: int = 200,
        n_iterations: int = 30,
        learning_rate: float = 0.005,
        regularization: float = 0.02,
        random_state: int = 0,
    ) -> None:
        self.n_factors = n_factors
        self.n_iterations = n_iterations
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.random_state = random_state

    def fit(self, x: Any, y: Any, on_iteration: Callable[[int], None] | None = None) -> SVDRecommender:
        users, items, ratings = self._remember(x, y)
        self.mean_, self.user_bias_, self.item_bias_, self.user_factors_, self.item_factors_ = sgd_svd(
            users,
            items,
            ratings,
            len(self.users_),
            len(self.items_),
            factors=self.n_factors,
            iterations=self.n_iterations,
            learning_rate=self.learning_rate,
            regularization=self.regularization,
            seed=self.random_state,
            on_iteration=on_iteration,
        )
        return self

    def _predict_positions(self, users: np.ndarray, items: np.ndarray, **features: Any) -> np.ndarray:
        known_u, known_i = users >= 0, items >= 0
        u, i = np.where(known_u, users, 0), np.where(known_i, items, 0)
        both = known_u & known_i
        dot = np.einsum("nf,nf->n", self.user_factors_[u], self.item_factors_[i])
        out: np.ndarray = (
            self.mean_
            + np.where(known_u, self.user_bias_[u], 0.0)
            + np.where(known_i, self.item_bias_[i], 0.0)
            + np.where(both, dot, 0.0)
        )
        return out
