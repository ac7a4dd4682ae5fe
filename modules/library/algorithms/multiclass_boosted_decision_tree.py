"""Multiclass Boosted Decision Tree: an untrained LightGBM gradient-boosted classifier for many classes."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.library._learners import make_learner
from modules.sdk import Module, Out, RunContext, UntrainedModel

from ._boosting import BoostingParams, boosting_settings


class MulticlassBoostedDecisionTree(Module):
    """Gradient-boosted trees (LightGBM) for a label with two or more values.

    ``lightgbm.LGBMClassifier(num_leaves, min_child_samples, learning_rate, n_estimators,
    random_state)`` on one thread: a softmax model with one tree per class and round when the label
    has more than two values. The seed defaults to 42, as in Azure. Missing numeric values are allowed.
    """

    id = "multiclass_boosted_decision_tree"
    name = "Multiclass Boosted Decision Tree"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(BoostingParams):
        random_number_seed: int = Field(
            42, ge=0, title="Random number seed", description="Seed for LightGBM (Azure's default)."
        )

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "multiclass", build_estimator)}


def build_estimator(params: MulticlassBoostedDecisionTree.Params) -> Any:
    from lightgbm import LGBMClassifier

    return LGBMClassifier(**boosting_settings(params))
