"""Poisson Regression: an untrained log-linear model of a count label."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

Tolerance = Annotated[float, Field(gt=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]


class PoissonRegression(Module):
    """A Poisson regression (log link) for a label of non-negative counts.

    ``sklearn.linear_model.PoissonRegressor(alpha=L2, tol, solver="lbfgs", max_iter=1000)`` after
    standardizing the features. scikit-learn averages the deviance over the rows, so the L2 weight
    here is per row (Azure's is on the summed log-likelihood); Azure's L1 weight and L-BFGS memory
    size have no scikit-learn counterpart and are not offered. Train Model refuses a negative label.
    """

    id = "poisson_regression"
    name = "Poisson Regression"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(LearnerParams):
        optimization_tolerance: Tolerance = Field(
            1e-7, title="Optimization tolerance", description="Stop when the gradient is below this."
        )
        l2_regularization_weight: Weight = Field(
            1.0, title="L2 regularization weight", description="Weight of the L2 (ridge) penalty, per row."
        )
        range_for_optimization_tolerance: list[Tolerance] = value_range("optimization_tolerance", [1e-5, 1e-8])
        range_for_l2_regularization_weight: list[Weight] = value_range("l2_regularization_weight", [0.01, 0.1, 1.0])

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "regression", build_estimator)}


def build_estimator(params: PoissonRegression.Params) -> Any:
    from sklearn.linear_model import PoissonRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    model = PoissonRegressor(
        alpha=params.l2_regularization_weight, tol=params.optimization_tolerance, solver="lbfgs", max_iter=1000
    )
    return Pipeline([("scale", StandardScaler()), ("model", model)])
