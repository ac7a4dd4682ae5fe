"""Multiclass Logistic Regression: an untrained multinomial logistic-regression classifier."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

Tolerance = Annotated[float, Field(gt=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]


class MulticlassLogisticRegression(Module):
    """Multinomial (softmax) logistic regression for a label with two or more values.

    The penalties map to scikit-learn's ``LogisticRegression`` as in Two-Class Logistic Regression:
    L1 = 0 gives ``solver="lbfgs"`` with ``C = 1/L2`` (no penalty when L2 is 0 too); L1 > 0 gives
    ``solver="saga"`` with ``C = 1/(L1 + L2)`` and ``l1_ratio = L1/(L1 + L2)``. Features are
    standardized inside the model; at most 1000 (L-BFGS) or 2000 (SAGA) iterations, and Train Model
    logs a note when that limit stops the solver first.
    """

    id = "multiclass_logistic_regression"
    name = "Multiclass Logistic Regression"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(LearnerParams):
        optimization_tolerance: Tolerance = Field(
            1e-7, title="Optimization tolerance", description="Stop when improvement is below this."
        )
        l1_regularization_weight: Weight = Field(
            1.0, title="L1 regularization weight", description="Weight of the L1 (lasso) penalty."
        )
        l2_regularization_weight: Weight = Field(
            1.0, title="L2 regularization weight", description="Weight of the L2 (ridge) penalty."
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for the SAGA solver's example order."
        )
        range_for_optimization_tolerance: list[Tolerance] = value_range("optimization_tolerance", [1e-4, 1e-7])
        range_for_l1_regularization_weight: list[Weight] = value_range(
            "l1_regularization_weight", [0.0, 0.01, 0.1, 1.0]
        )
        range_for_l2_regularization_weight: list[Weight] = value_range("l2_regularization_weight", [0.01, 0.1, 1.0])

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "multiclass", build_estimator)}


def build_estimator(params: MulticlassLogisticRegression.Params) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    l1, l2 = params.l1_regularization_weight, params.l2_regularization_weight
    common = {"tol": params.optimization_tolerance, "random_state": params.random_number_seed}
    if l1 > 0.0:
        model = LogisticRegression(C=1.0 / (l1 + l2), l1_ratio=l1 / (l1 + l2), solver="saga", max_iter=2000, **common)
    else:
        c = 1.0 / l2 if l2 > 0.0 else float("inf")
        model = LogisticRegression(C=c, l1_ratio=0.0, solver="lbfgs", max_iter=1000, **common)
    return Pipeline([("scale", StandardScaler()), ("model", model)])
