"""Two-Class Boosted Decision Tree: an untrained LightGBM gradient-boosted classifier."""

from __future__ import annotations

from typing import Any

from modules.library._learners import make_learner
from modules.sdk import Module, Out, RunContext, UntrainedModel

from ._boosting import BoostingParams, boosting_settings


class TwoClassBoostedDecisionTree(Module):
    """Gradient-boosted trees (LightGBM, as in Azure) for a label with exactly two values.

    ``lightgbm.LGBMClassifier(num_leaves, min_child_samples, learning_rate, n_estimators,
    random_state)`` on one thread, so parallel nodes on a worker do not fight over cores and the
    result is repeatable. Missing numeric values are allowed: the trees learn where to send them.
    """

    id = "two_class_boosted_decision_tree"
    name = "Two-Class Boosted Decision Tree"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(BoostingParams):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "binary", build_estimator)}


def build_estimator(params: TwoClassBoostedDecisionTree.Params) -> Any:
    from lightgbm import LGBMClassifier

    return LGBMClassifier(**boosting_settings(params))
