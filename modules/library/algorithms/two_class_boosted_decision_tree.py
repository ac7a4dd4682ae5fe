"""Two-Class Boosted Decision Tree: an untrained LightGBM gradient-boosted classifier."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import Learner, Module, Out, ParamModel, RunContext, UntrainedModel


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

    class Params(ParamModel):
        maximum_number_of_leaves_per_tree: int = Field(
            20, ge=2, le=131_072, title="Maximum number of leaves per tree", description="Leaves each tree may grow."
        )
        minimum_number_of_samples_per_leaf_node: int = Field(
            10,
            ge=1,
            title="Minimum number of samples per leaf node",
            description="Rows a leaf must hold for a split to be made.",
        )
        learning_rate: float = Field(
            0.2, gt=0.0, le=1.0, title="Learning rate", description="Shrinkage applied to each tree (0 to 1)."
        )
        number_of_trees_constructed: int = Field(
            100, ge=1, le=100_000, title="Number of trees constructed", description="Boosting rounds."
        )
        random_number_seed: int = Field(0, ge=0, title="Random number seed", description="Seed for LightGBM.")

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": Learner(build_estimator(params), task="binary", learner=self.id, name=self.name)}


def build_estimator(params: TwoClassBoostedDecisionTree.Params) -> Any:
    from lightgbm import LGBMClassifier

    return LGBMClassifier(
        num_leaves=params.maximum_number_of_leaves_per_tree,
        min_child_samples=params.minimum_number_of_samples_per_leaf_node,
        learning_rate=params.learning_rate,
        n_estimators=params.number_of_trees_constructed,
        random_state=params.random_number_seed,
        n_jobs=1,
        verbose=-1,
    )
