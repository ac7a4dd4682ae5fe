"""Boosted Decision Tree Regression: an untrained LightGBM gradient-boosted regressor."""

from __future__ import annotations

from typing import Any

from modules.library._learners import make_learner
from modules.sdk import Module, Out, RunContext, UntrainedModel

from ._boosting import BoostingParams, boosting_settings


class BoostedDecisionTreeRegression(Module):
    """Gradient-boosted regression trees (MART), on LightGBM as in Azure.

    ``lightgbm.LGBMRegressor(num_leaves, min_child_samples, learning_rate, n_estimators, random_state)``
    on one thread, so parallel nodes do not fight over cores and the result is repeatable. Missing
    numeric values are allowed: the trees learn where to send them. In Parameter Range mode the four
    tree settings take lists of values for Tune Model Hyperparameters.
    """

    id = "boosted_decision_tree_regression"
    name = "Boosted Decision Tree Regression"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(BoostingParams):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "regression", build_estimator)}


def build_estimator(params: BoostedDecisionTreeRegression.Params) -> Any:
    from lightgbm import LGBMRegressor

    return LGBMRegressor(**boosting_settings(params))
