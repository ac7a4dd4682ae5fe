"""Two-Class Decision Forest: an untrained random forest classifier for a two-valued label."""

from __future__ import annotations

from typing import Any

from modules.library._learners import make_learner
from modules.sdk import Module, Out, RunContext, UntrainedModel

from ._forests import ForestParams, forest_settings


class TwoClassDecisionForest(Module):
    """An ensemble of classification trees that vote, for a label with exactly two values.

    ``sklearn.ensemble.RandomForestClassifier(n_estimators, max_depth, min_samples_leaf, bootstrap,
    random_state)``; the probability is the trees' average class share. "Bagging" resampling draws a
    bootstrap sample per tree, "Replicate" gives every tree all the rows (the trees still differ by
    the features tried at each split). Unknown text values at scoring time are always allowed (they
    score as "none of the known values"), so Azure's "Allow unknown values for categorical features"
    is not offered, nor "Number of random splits per node", which scikit-learn has no counterpart for.
    Missing numeric values are allowed.
    """

    id = "two_class_decision_forest"
    name = "Two-Class Decision Forest"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(ForestParams):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "binary", build_estimator)}


def build_estimator(params: TwoClassDecisionForest.Params) -> Any:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(**forest_settings(params))
