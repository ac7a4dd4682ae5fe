"""Linear Regression: an untrained least-squares or gradient-descent linear model."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

Weight = Annotated[float, Field(ge=0.0)]
Rate = Annotated[float, Field(gt=0.0)]
Epochs = Annotated[int, Field(ge=1, le=10_000)]


class LinearRegression(Module):
    """A linear model of a numeric label.

    Features are standardized (z-score) inside the model before fitting, so the L2 weight means the
    same on every scale and gradient descent converges; this does not change ordinary least-squares
    predictions. scikit-learn equivalents:

    - Ordinary least squares: ``LinearRegression`` when the L2 weight is 0, else ``Ridge(alpha=L2)``;
    - Online Gradient Descent: ``SGDRegressor(alpha=L2, eta0=learning rate, learning_rate="invscaling",
      max_iter=epochs, tol=None)``, i.e. exactly that many passes with a decreasing learning rate.

    The seed is always used (Azure's seed 0 means "from the clock"), so training is repeatable.

    Parameter Range mode sweeps the L2 weight, the learning rate and the number of epochs for Online
    Gradient Descent, as Azure does; better than Azure, it also sweeps the L2 weight of ordinary least
    squares (ridge regression), where Azure refuses to sweep. For least squares the learning-rate and
    epoch ranges are ignored: they do not change that model, so they would only repeat trials.
    """

    id = "linear_regression"
    name = "Linear Regression"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(LearnerParams):
        solution_method: Literal["Ordinary least squares", "Online Gradient Descent"] = Field(
            "Ordinary least squares", title="Solution method", description="How the coefficients are found."
        )
        l2_regularization_weight: Weight = Field(
            0.001, title="L2 regularization weight", description="Weight of the L2 penalty; 0 for none."
        )
        include_intercept: bool = Field(
            True, title="Include intercept term", description="Fit a constant term as well as the coefficients."
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for the order of examples in gradient descent."
        )
        learning_rate: Rate = Field(
            0.1, title="Learning rate", description="Initial step size (Online Gradient Descent)."
        )
        number_of_training_epochs: Epochs = Field(
            10, title="Number of training epochs", description="Passes over the data (Online Gradient Descent)."
        )
        range_for_l2_regularization_weight: list[Weight] = value_range(
            "l2_regularization_weight", [0.0, 0.001, 0.01, 0.1]
        )
        range_for_learning_rate: list[Rate] = value_range("learning_rate", [0.01, 0.05, 0.1])
        range_for_number_of_training_epochs: list[Epochs] = value_range("number_of_training_epochs", [5, 10, 50])

        def sweep(self) -> dict[str, list[Any]]:
            grid = super().sweep()
            if self.solution_method == "Ordinary least squares":  # these do not change a least-squares fit
                grid["learning_rate"] = [self.learning_rate]
                grid["number_of_training_epochs"] = [self.number_of_training_epochs]
            return grid

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "regression", build_estimator)}


def build_estimator(params: LinearRegression.Params) -> Any:
    from sklearn.linear_model import LinearRegression as OLS
    from sklearn.linear_model import Ridge, SGDRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    l2, intercept = params.l2_regularization_weight, params.include_intercept
    model: Any
    if params.solution_method == "Online Gradient Descent":
        model = SGDRegressor(
            alpha=l2,
            fit_intercept=intercept,
            learning_rate="invscaling",
            eta0=params.learning_rate,
            max_iter=params.number_of_training_epochs,
            tol=None,
            random_state=params.random_number_seed,
        )
    elif l2 == 0.0:
        model = OLS(fit_intercept=intercept)
    else:
        model = Ridge(alpha=l2, fit_intercept=intercept)
    return Pipeline([("scale", StandardScaler()), ("model", model)])
