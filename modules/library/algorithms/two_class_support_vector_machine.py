"""Two-Class Support Vector Machine: an untrained linear SVM with calibrated probabilities."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

Iterations = Annotated[int, Field(ge=1, le=10_000)]
Lambda = Annotated[float, Field(gt=0.0)]
#: Folds used to fit the probability calibration (Platt scaling) on held-out decision values.
CALIBRATION_FOLDS = 5


class TwoClassSupportVectorMachine(Module):
    """A linear support vector machine (Pegasos) for a label with exactly two values.

    ``SGDClassifier(loss="hinge", penalty="l2", alpha=lambda, learning_rate="optimal",
    max_iter=iterations, tol=None, random_state=seed)``: stochastic sub-gradient descent on
    ``lambda/2 * |w|^2 + mean hinge loss`` with the ``1/(lambda * t)`` step size of Pegasos, which
    Azure's SVM uses. "Normalize features" rescales each feature to [0, 1] first (``MinMaxScaler``);
    "Project to the unit sphere" then scales each row to length 1 (``Normalizer``). Scores become
    probabilities with a sigmoid (Platt scaling) fitted on 5-fold held-out scores:
    ``CalibratedClassifierCV(method="sigmoid", cv=5, ensemble=False)`` (each class needs 5 rows).
    """

    id = "two_class_support_vector_machine"
    name = "Two-Class Support Vector Machine"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(LearnerParams):
        number_of_iterations: Iterations = Field(
            1, title="Number of iterations", description="Passes over the training rows."
        )
        lambda_weight: Lambda = Field(
            0.001, title="Lambda", description="Weight of the regularization penalty (Pegasos' lambda)."
        )
        normalize_features: bool = Field(
            True, title="Normalize features", description="Rescale each feature to [0, 1] before training."
        )
        project_to_the_unit_sphere: bool = Field(
            False, title="Project to the unit sphere", description="Scale each row to unit length before training."
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for the order of the rows in each pass."
        )
        range_for_number_of_iterations: list[Iterations] = value_range("number_of_iterations", [1, 10, 100])
        range_for_lambda_weight: list[Lambda] = value_range("lambda_weight", [1e-5, 1e-4, 1e-3, 1e-2, 0.1])

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "binary", build_estimator)}


def build_estimator(params: TwoClassSupportVectorMachine.Params) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import MinMaxScaler, Normalizer

    svm = SGDClassifier(
        loss="hinge",
        penalty="l2",
        alpha=params.lambda_weight,
        learning_rate="optimal",
        max_iter=params.number_of_iterations,
        tol=None,
        random_state=params.random_number_seed,
    )
    steps: list[tuple[str, Any]] = []
    if params.normalize_features:
        steps.append(("normalize", MinMaxScaler()))
    if params.project_to_the_unit_sphere:
        steps.append(("unit_sphere", Normalizer()))
    calibrated = CalibratedClassifierCV(svm, method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=False)
    return Pipeline([*steps, ("model", calibrated)])
