"""Multiclass Logistic Regression: an untrained multinomial logistic-regression classifier."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

from ._logistic import logistic_pipeline, version_1_pipeline

Tolerance = Annotated[float, Field(gt=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]


class MulticlassLogisticRegression(Module):
    """Multinomial (softmax) logistic regression for a label with two or more values.

    The penalties mean what they mean in Two-Class Logistic Regression: L1 = 0 gives scikit-learn's
    ``LogisticRegression(solver="lbfgs")`` with ``C = 1/L2`` (no penalty when L2 is 0 too); L1 > 0
    (the default) gives ``ElasticNetLogisticRegression(l1=L1, l2=L2, tol)``, Azure's objective
    minimised by L-BFGS-B and stopped when it improves by less than the tolerance, relatively. Version 1
    (kept so pipelines saved with it fit as before) used scikit-learn's SAGA for L1 > 0, which took
    minutes on tens of thousands of rows. Features are standardized inside the model; at most 1000
    iterations, and Train Model logs a note when that limit stops the solver first.
    """

    id = "multiclass_logistic_regression"
    name = "Multiclass Logistic Regression"
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
        return {"untrained_model": make_learner(self, params, "multiclass", build_estimator)}


def build_estimator(params: MulticlassLogisticRegression.Params) -> Any:
    return logistic_pipeline(*_settings(params))


def _settings(params: MulticlassLogisticRegression.Params) -> tuple[float, float, float, int]:
    return (
        params.l1_regularization_weight,
        params.l2_regularization_weight,
        params.optimization_tolerance,
        params.random_number_seed,
    )


class MulticlassLogisticRegressionV1(MulticlassLogisticRegression):
    """Multiclass Logistic Regression as saved before version 2 (SAGA when L1 > 0); kept so that
    pipelines saved with it fit the model they always fitted."""

    id = "multiclass_logistic_regression"
    version = 1

    def run(
        self, inputs: dict[str, Any], params: MulticlassLogisticRegression.Params, ctx: RunContext
    ) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "multiclass", build_estimator_v1)}


def build_estimator_v1(params: MulticlassLogisticRegression.Params) -> Any:
    return version_1_pipeline(*_settings(params))
