"""Logistic regression with Azure's L1 + L2 penalty, fitted by L-BFGS-B in a few iterations.

Azure's logistic-regression learners minimise ``sum(log-loss) + L1 * |w|_1 + L2/2 * |w|^2`` (the
intercept is not penalised) with L-BFGS and an orthant-wise step for the L1 term (OWL-QN), and stop
when the loss improves by less than the optimization tolerance, relatively. scikit-learn can only
fit that penalty with SAGA, a stochastic solver whose own stopping rule (the largest change of a
weight in one pass) needs hundreds of passes to meet Azure's default tolerance of 1e-7: over a
minute on 32,561 adult census rows, against a second here.

Here the weights are split into their positive and negative parts, ``w = u - v`` with ``u, v >= 0``,
which makes ``|w|_1 = sum(u + v)`` smooth: the same minimum, found by scipy's bound-constrained
L-BFGS-B with Azure's stopping rule (``ftol``: the relative improvement of the objective). Two
classes give one weight vector and a sigmoid; more give one vector per class and a softmax
(multinomial), as scikit-learn's ``LogisticRegression`` does. The fitted estimator keeps scikit-learn's
attribute names (``coef_``, ``intercept_``, ``classes_``, ``n_iter_``) and predicts through
``LinearClassifierMixin``; its state is arrays and plain values, so it saves through skops.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator  # noqa: TID253 - outside the catalogue path
from sklearn.linear_model._base import LinearClassifierMixin  # noqa: TID253 - outside the catalogue path

#: Corrections L-BFGS-B keeps (scikit-learn's L-BFGS keeps 10 too).
MEMORY = 10


class ElasticNetLogisticRegression(LinearClassifierMixin, BaseEstimator):
    """``sum(log-loss) + l1 * |w|_1 + l2/2 * |w|^2``, minimised until it improves by less than ``tol``, relatively."""

    def __init__(self, l1: float = 1.0, l2: float = 1.0, tol: float = 1e-7, max_iter: int = 1000) -> None:
        self.l1 = l1
        self.l2 = l2
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, x: Any, y: Any) -> ElasticNetLogisticRegression:
        from scipy.optimize import minimize
        from sklearn.exceptions import ConvergenceWarning  # noqa: TID253 - outside the catalogue path
        from threadpoolctl import threadpool_limits

        data = np.ascontiguousarray(x, dtype="float64")
        self.classes_, codes = np.unique(np.asarray(y), return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(f"a classifier needs at least 2 classes; the data has {len(self.classes_)}")
        self.n_features_in_ = data.shape[1]
        objective = _Objective(data, codes, len(self.classes_), float(self.l1), float(self.l2))
        # One BLAS thread: the products are small, numpy's and scipy's BLAS pools spinning against each other
        # made the fit ten times slower on two busy cores, and the sums then do not depend on the host.
        with threadpool_limits(limits=1, user_api="blas"):
            result = minimize(
                objective,
                np.zeros(objective.size),
                jac=True,
                method="L-BFGS-B",
                bounds=objective.bounds(),
                options={"maxiter": self.max_iter, "maxcor": MEMORY, "ftol": self.tol, "gtol": 0.0, "maxls": 50},
            )
        self.coef_, self.intercept_ = objective.unpack(result.x)
        self.n_iter_ = np.array([result.nit], dtype=np.int32)
        if result.status == 1:  # the iteration limit
            warnings.warn(
                f"L-BFGS-B reached max_iter={self.max_iter} iterations before the loss improved by less than "
                f"tol={self.tol:g}",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def predict_proba(self, x: Any) -> np.ndarray:
        from scipy.special import expit, softmax

        scores = self.decision_function(x)
        if scores.ndim == 1:
            positive = expit(scores)
            return np.column_stack([1.0 - positive, positive])
        probabilities: np.ndarray = softmax(scores, axis=1)
        return probabilities

    def predict_log_proba(self, x: Any) -> np.ndarray:
        return np.log(self.predict_proba(x))


class _Objective:
    """The penalised loss and its gradient over ``[u, v, intercepts]`` (``w = u - v``, ``u, v >= 0``)."""

    def __init__(self, x: np.ndarray, codes: np.ndarray, n_classes: int, l1: float, l2: float) -> None:
        self.x, self.l1, self.l2 = x, l1, l2
        self.rows = 1 if n_classes == 2 else n_classes  # one weight vector for two classes (sigmoid)
        self.features = x.shape[1]
        if self.rows == 1:
            self.target = codes.astype("float64")
        else:
            self.target = np.zeros((len(codes), n_classes))
            self.target[np.arange(len(codes)), codes] = 1.0
        self.size = 2 * self.rows * self.features + self.rows

    def bounds(self) -> list[tuple[float | None, float | None]]:
        weights = 2 * self.rows * self.features
        return [(0.0, None)] * weights + [(None, None)] * self.rows

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        block = self.rows * self.features
        w = (theta[:block] - theta[block : 2 * block]).reshape(self.rows, self.features)
        return w, theta[2 * block :].copy()

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        from scipy.special import expit, log_softmax, softmax

        w, b = self.unpack(theta)
        scores = self.x @ w.T + b  # (n, rows)
        if self.rows == 1:
            z = scores[:, 0]
            loss = float(np.sum(np.logaddexp(0.0, z) - self.target * z))
            residual = (expit(z) - self.target)[:, None]
        else:
            loss = float(-np.sum(log_softmax(scores, axis=1) * self.target))
            residual = softmax(scores, axis=1) - self.target
        grad_w = residual.T @ self.x  # (rows, features): the loss's
        block = self.rows * self.features
        u, v = theta[:block], theta[block : 2 * block]
        loss += self.l1 * float(np.sum(u) + np.sum(v)) + 0.5 * self.l2 * float(u @ u + v @ v)
        flat = grad_w.ravel()
        grad = np.concatenate([flat + self.l1 + self.l2 * u, -flat + self.l1 + self.l2 * v, residual.sum(axis=0)])
        return loss, grad
