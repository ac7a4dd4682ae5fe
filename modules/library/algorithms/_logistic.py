"""The model Azure's two logistic-regression learners build from their penalties, and the one version 1 built."""

from __future__ import annotations

from typing import Any


def logistic_pipeline(l1: float, l2: float, tol: float, seed: int) -> Any:
    """Standardized features, then ``sum(log-loss) + l1 * |w|_1 + l2/2 * |w|^2`` minimised with L-BFGS.

    Without L1 it is scikit-learn's ``LogisticRegression(solver="lbfgs")``, as in version 1 (the seed
    is kept in its settings so such models are the very same); with L1 it is
    :class:`~modules.estimators.elastic_logistic.ElasticNetLogisticRegression`, which stops when the
    objective improves by less than ``tol``, relatively, as Azure's L-BFGS does.
    """
    if l1 <= 0.0:
        return version_1_pipeline(l1, l2, tol, seed)
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from modules.estimators.elastic_logistic import ElasticNetLogisticRegression

    model = ElasticNetLogisticRegression(l1=l1, l2=l2, tol=tol, max_iter=1000)
    return Pipeline([("scale", StandardScaler()), ("model", model)])


def version_1_pipeline(l1: float, l2: float, tol: float, seed: int) -> Any:
    """Version 1's model: scikit-learn's SAGA with L1 (slow to meet a small tolerance), L-BFGS without."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    common = {"tol": tol, "random_state": seed}
    if l1 > 0.0:
        model = LogisticRegression(C=1.0 / (l1 + l2), l1_ratio=l1 / (l1 + l2), solver="saga", max_iter=2000, **common)
    else:
        c = 1.0 / l2 if l2 > 0.0 else float("inf")
        model = LogisticRegression(C=c, l1_ratio=0.0, solver="lbfgs", max_iter=1000, **common)
    return Pipeline([("scale", StandardScaler()), ("model", model)])
