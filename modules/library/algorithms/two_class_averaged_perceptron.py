"""Two-Class Averaged Perceptron: an untrained averaged perceptron with calibrated probabilities."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

LearningRate = Annotated[float, Field(gt=0.0, le=100.0)]
Iterations = Annotated[int, Field(ge=1, le=10_000)]
#: Folds used to fit the probability calibration (Platt scaling) on held-out decision values.
CALIBRATION_FOLDS = 5


class TwoClassAveragedPerceptron(Module):
    """The averaged perceptron for a label with exactly two values.

    ``SGDClassifier(loss="perceptron", penalty=None, learning_rate="constant", eta0=learning rate,
    max_iter=iterations, tol=None, average=True, random_state=seed)``, i.e. exactly that many passes
    over the shuffled rows, predicting with the average of the weights seen. Features are
    standardized first. A perceptron has no probabilities, so, as Azure, its scores are calibrated
    with a sigmoid (Platt scaling): ``CalibratedClassifierCV(method="sigmoid", cv=5, ensemble=False)``
    fits the calibration on 5-fold held-out scores and the perceptron itself on all the rows (each
    class needs at least 5 rows).
    """

    id = "two_class_averaged_perceptron"
    name = "Two-Class Averaged Perceptron"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(LearnerParams):
        learning_rate: LearningRate = Field(1.0, title="Learning rate", description="Step size of each update.")
        maximum_number_of_iterations: Iterations = Field(
            10, title="Maximum number of iterations", description="Passes over the training rows."
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for the order of the rows in each pass."
        )
        range_for_learning_rate: list[LearningRate] = value_range("learning_rate", [0.1, 0.5, 1.0])
        range_for_maximum_number_of_iterations: list[Iterations] = value_range("maximum_number_of_iterations", [1, 10])

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "binary", build_estimator)}


def build_estimator(params: TwoClassAveragedPerceptron.Params) -> Any:
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    perceptron = SGDClassifier(
        loss="perceptron",
        penalty=None,
        learning_rate="constant",
        eta0=params.learning_rate,
        max_iter=params.maximum_number_of_iterations,
        tol=None,
        average=True,
        random_state=params.random_number_seed,
    )
    calibrated = CalibratedClassifierCV(perceptron, method="sigmoid", cv=CALIBRATION_FOLDS, ensemble=False)
    return Pipeline([("scale", StandardScaler()), ("model", calibrated)])
