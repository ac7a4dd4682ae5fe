"""Two-Class Logistic Regression: an untrained binary logistic-regression classifier."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

from ._logistic import logistic_pipeline, version_1_pipeline

Tolerance = Annotated[float, Field(gt=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]
Memory = Annotated[int, Field(ge=1)]


class TwoClassLogisticRegression(Module):
    """Logistic regression for a label with exactly two values.

    Azure minimises ``sum(log-loss) + L1 * |w|_1 + L2/2 * |w|^2``; scikit-learn's
    ``LogisticRegression`` minimises ``C * sum(log-loss) + l1_ratio * |w|_1 + (1 - l1_ratio)/2 * |w|^2``,
    which is the same objective up to a constant factor when

    - L1 = 0, L2 > 0: ``solver="lbfgs"``, ``C = 1/L2``, ``l1_ratio = 0``;
    - L1 = 0, L2 = 0: ``solver="lbfgs"``, ``C = inf`` (no penalty).

    With L1 > 0 (the default, L1 = L2 = 1) scikit-learn has only SAGA, which needed hundreds of passes
    to meet the default tolerance (108 s on the 32,561 adult census rows), so from version 2 the model is
    ``modules.estimators.elastic_logistic.ElasticNetLogisticRegression(l1=L1, l2=L2, tol)``: Azure's
    objective itself, minimised by L-BFGS-B on the positive and negative parts of the weights and
    stopped, as Azure stops, when it improves by less than the tolerance, relatively (well under a
    second on that table). Version 1 (kept so pipelines saved with it fit as before) used SAGA.

    Features are standardized inside the model (as Azure's linear learners normalize them), so the
    weights penalize every feature alike and the solvers converge; at most 1000 L-BFGS iterations, and
    Train Model logs a note when that limit stops the solver first. Both L-BFGS solvers keep a fixed
    history of 10 corrections, so "Memory size for L-BFGS" is accepted for compatibility with Azure
    pipelines but does not change the result (so it has no range to sweep: every value would give the
    same model).
    """

    id = "two_class_logistic_regression"
    name = "Two-Class Logistic Regression"
    category = "Machine Learning Algorithms"
    version = 2

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
            0,
            ge=0,
            title="Random number seed",
            description="Kept for Azure compatibility: both solvers are deterministic (version 1's SAGA used it).",
        )
        range_for_optimization_tolerance: list[Tolerance] = value_range("optimization_tolerance", [1e-4, 1e-7])
        range_for_l1_regularization_weight: list[Weight] = value_range(
            "l1_regularization_weight", [0.0, 0.01, 0.1, 1.0]
        )
        range_for_l2_regularization_weight: list[Weight] = value_range("l2_regularization_weight", [0.01, 0.1, 1.0])

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "binary", build_estimator)}


def build_estimator(params: TwoClassLogisticRegression.Params) -> Any:
    return logistic_pipeline(*_settings(params))


def _settings(params: TwoClassLogisticRegression.Params) -> tuple[float, float, float, int]:
    return (
        params.l1_regularization_weight,
        params.l2_regularization_weight,
        params.optimization_tolerance,
        params.random_number_seed,
    )


class TwoClassLogisticRegressionV1(TwoClassLogisticRegression):
    """Two-Class Logistic Regression as saved before version 2 (SAGA when L1 > 0); kept so that
    pipelines saved with it fit the model they always fitted."""

    id = "two_class_logistic_regression"
    version = 1

    def run(self, inputs: dict[str, Any], params: TwoClassLogisticRegression.Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "binary", build_estimator_v1)}


def build_estimator_v1(params: TwoClassLogisticRegression.Params) -> Any:
    return version_1_pipeline(*_settings(params))
