"""Linear Regression: an untrained least-squares or gradient-descent linear model."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from modules.sdk import Learner, Module, Out, ParamModel, RunContext, UntrainedModel


class LinearRegression(Module):
    """A linear model of a numeric label.

    Features are standardized (z-score) inside the model before fitting, so the L2 weight means the
    same on every scale and gradient descent converges; this does not change ordinary least-squares
    predictions. scikit-learn equivalents:

    - Ordinary least squares: ``LinearRegression`` when the L2 weight is 0, else ``Ridge(alpha=L2)``;
    - Online Gradient Descent: ``SGDRegressor(alpha=L2, eta0=learning rate, learning_rate="invscaling",
      max_iter=epochs, tol=None)``, i.e. exactly that many passes with a decreasing learning rate.

    The seed is always used (Azure's seed 0 means "from the clock"), so training is repeatable.
    """

    id = "linear_regression"
    name = "Linear Regression"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ParamModel):
        solution_method: Literal["Ordinary least squares", "Online Gradient Descent"] = Field(
            "Ordinary least squares", title="Solution method", description="How the coefficients are found."
        )
        l2_regularization_weight: float = Field(
            0.001, ge=0.0, title="L2 regularization weight", description="Weight of the L2 penalty; 0 for none."
        )
        include_intercept: bool = Field(
            True, title="Include intercept term", description="Fit a constant term as well as the coefficients."
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for the order of examples in gradient descent."
        )
        learning_rate: float = Field(
            0.1, gt=0.0, title="Learning rate", description="Initial step size (Online Gradient Descent)."
        )
        number_of_training_epochs: int = Field(
            10,
            ge=1,
            le=10_000,
            title="Number of training epochs",
            description="Passes over the data (Online Gradient Descent).",
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": Learner(build_estimator(params), task="regression", learner=self.id, name=self.name)}


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
