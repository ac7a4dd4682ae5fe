"""AutoML's soft-voting ensemble: the top trials' learners, each fitted on the same rows, their answers averaged.

It is the last step of an AutoML pipeline (after the featurization and the encoding the members
share), so the trained model stays an ordinary scikit-learn pipeline that Score Model, endpoints and
skops handle as any other. Classification averages the members' class probabilities (soft voting;
every member sees the same labels, so their ``classes_`` are the same sorted values); regression
averages their predictions. With ``weights`` (AutoML's greedy ensemble selection: how many times each
member was picked) the average is weighted; without, every member counts once. Members are fitted one
after another, each on the threads the fit is given and saved as if fitted on one
(``modules.library._threads.fitting_threads``), so the saved bytes do not depend on the worker. Its state
is the list of fitted members, their weights and the classes: skops loads it from the trusted
``modules.estimators`` package.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone  # noqa: TID253 - outside the catalogue path


class _Averaging(BaseEstimator):
    weights: list[float] | None = None  # models saved before weights existed load without the attribute

    def __init__(self, members: list[tuple[str, Any]] | None = None, weights: list[float] | None = None) -> None:
        self.members = members
        self.weights = weights

    def fit(self, X: Any, y: Any, threads: int = 1) -> Any:
        from modules.library._threads import fitting_threads

        fitted = []
        for name, member in self.members or []:
            estimator = clone(member)
            with fitting_threads(estimator, threads):
                estimator.fit(X, y)
            fitted.append((name, estimator))
        if not fitted:
            raise ValueError("an ensemble needs at least one member")
        if self.weights is not None and (len(self.weights) != len(fitted) or min(self.weights) <= 0):
            raise ValueError(f"{len(fitted)} members need as many positive weights, not {self.weights}")
        self.members_ = fitted
        return self

    def _mean(self, answers: Any) -> np.ndarray:
        """The members' answers (float64 arrays, in order) averaged: each once, or weighted by ``weights``."""
        total: np.ndarray | None = None
        if self.weights is None:
            for answer in answers:
                total = answer if total is None else total + answer
            return total / len(self.members_)  # type: ignore[operator]
        for weight, answer in zip(self.weights, answers, strict=True):
            total = weight * answer if total is None else total + weight * answer
        return total / float(sum(self.weights))  # type: ignore[operator]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        members = [m for _, m in self.members or []]
        tags.input_tags.allow_nan = bool(members) and all(_allows_nan(m) for m in members)
        return tags


class SoftVotingClassifier(ClassifierMixin, _Averaging):
    """The (weighted) mean of the members' ``predict_proba``; the label with the highest mean."""

    def fit(self, X: Any, y: Any, threads: int = 1) -> SoftVotingClassifier:
        super().fit(X, y, threads)
        self.classes_ = np.unique(y)
        for name, member in self.members_:
            if not np.array_equal(np.asarray(member.classes_), self.classes_):
                raise ValueError(f"member {name} learnt classes {list(member.classes_)}, not {list(self.classes_)}")
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._mean(np.asarray(member.predict_proba(X), dtype="float64") for _, member in self.members_)

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class AveragingRegressor(RegressorMixin, _Averaging):
    """The (weighted) mean of the members' predictions."""

    def predict(self, X: Any) -> np.ndarray:
        return self._mean(np.asarray(member.predict(X), dtype="float64").reshape(-1) for _, member in self.members_)


def _allows_nan(estimator: Any) -> bool:
    try:
        return bool(estimator.__sklearn_tags__().input_tags.allow_nan)
    except AttributeError:
        return False
