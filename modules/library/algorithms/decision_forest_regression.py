"""Decision Forest Regression: an untrained random forest of regression trees."""

from __future__ import annotations

from typing import Any

from modules.library._learners import make_learner
from modules.sdk import Module, Out, RunContext, UntrainedModel

from ._forests import ForestParams, forest_settings


class DecisionForestRegression(Module):
    """An ensemble of regression trees whose predictions are averaged.

    ``sklearn.ensemble.RandomForestRegressor(n_estimators, max_depth, min_samples_leaf, bootstrap,
    random_state)``: "Bagging" resampling draws a bootstrap sample per tree, "Replicate" gives every
    tree all the rows (then the trees differ only by ties, as scikit-learn considers every feature at
    each split of a regression forest). Azure's "Number of random splits per node" has no scikit-learn
    counterpart (each split is searched exhaustively) and is not offered. Missing numeric values are
    allowed. The predicted value is the mean of the trees' predictions, not Azure's Gaussian mixture.
    """

    id = "decision_forest_regression"
    name = "Decision Forest Regression"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ForestParams):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "regression", build_estimator)}


def build_estimator(params: DecisionForestRegression.Params) -> Any:
    from sklearn.ensemble import RandomForestRegressor

    return RandomForestRegressor(**forest_settings(params))
