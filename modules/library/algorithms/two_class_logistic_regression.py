"""Two-Class Logistic Regression: an untrained binary logistic-regression classifier."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

Tolerance = Annotated[float, Field(gt=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]
Memory = Annotated[int, Field(ge=1)]


class TwoClassLogisticRegression(Module):
    """Logistic regression for a label with exactly two values.

    Azure minimises ``sum(log-loss) + L1 * |w|_1 + L2/2 * |w|^2``; scikit-learn's
    ``LogisticRegression`` minimises ``C * sum(log-loss) + l1_ratio * |w|_1 + (1 - l1_ratio)/2 * |w|^2``,
    which is the same objective up to a constant factor when

    - L1 = 0, L2 > 0: ``solver="lbfgs"``, ``C = 1/L2``, ``l1_ratio = 0``;
    - L1 = 0, L2 = 0: ``solver="lbfgs"``, ``C = inf`` (no penalty);
    - L1 > 0: ``solver="saga"``, ``C = 1/(L1 + L2)``, ``l1_ratio = L1/(L1 + L2)``.

    Features are standardized inside the model (as Azure's linear learners normalize them), so the
    weights penalize every feature alike and the solvers converge; at most 1000 (L-BFGS) or 2000
    (SAGA) iterations, and Train Model logs a note when that limit stops the solver first.
    scikit-learn's L-BFGS keeps a fixed history of 10 corrections, so "Memory size for L-BFGS"
    is accepted for compatibility with Azure pipelines but does not change the result (so it has no
    range to sweep: every value would give the same model).
    """

    id = "two_class_logistic_regression"
    name = "Two-Class Logistic Regression"
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
        memory_size_for_lbfgs: Memory = Field(
            20,
            title="Memory size for L-BFGS",
            description="Kept for Azure compatibility; scikit-learn's L-BFGS uses a fixed memory of 10.",
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
        return {"untrained_model": make_learner(self, params, "binary", build_estimator)}


def build_estimator(params: TwoClassLogisticRegression.Params) -> Any:
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
