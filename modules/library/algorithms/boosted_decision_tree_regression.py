"""Boosted Decision Tree Regression: an untrained LightGBM gradient-boosted regressor."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, make_learner, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

Leaves = Annotated[int, Field(ge=2, le=131_072)]
LeafSamples = Annotated[int, Field(ge=1)]
LearningRate = Annotated[float, Field(gt=0.0, le=1.0)]
Trees = Annotated[int, Field(ge=1, le=100_000)]


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

    class Params(LearnerParams):
        maximum_number_of_leaves_per_tree: Leaves = Field(
            20, title="Maximum number of leaves per tree", description="Leaves each tree may grow."
        )
        minimum_number_of_samples_per_leaf_node: LeafSamples = Field(
            10,
            title="Minimum number of samples per leaf node",
            description="Rows a leaf must hold for a split to be made.",
        )
        learning_rate: LearningRate = Field(
            0.2, title="Learning rate", description="Shrinkage applied to each tree (0 to 1)."
        )
        number_of_trees_constructed: Trees = Field(
            100, title="Number of trees constructed", description="Boosting rounds."
        )
        random_number_seed: int = Field(0, ge=0, title="Random number seed", description="Seed for LightGBM.")
        range_for_maximum_number_of_leaves_per_tree: list[Leaves] = value_range(
            "maximum_number_of_leaves_per_tree", [2, 8, 32, 128]
        )
        range_for_minimum_number_of_samples_per_leaf_node: list[LeafSamples] = value_range(
            "minimum_number_of_samples_per_leaf_node", [1, 10, 50]
        )
        range_for_learning_rate: list[LearningRate] = value_range("learning_rate", [0.025, 0.05, 0.1, 0.2, 0.4])
        range_for_number_of_trees_constructed: list[Trees] = value_range("number_of_trees_constructed", [20, 100, 500])

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "regression", build_estimator)}


def build_estimator(params: BoostedDecisionTreeRegression.Params) -> Any:
    from lightgbm import LGBMRegressor

    return LGBMRegressor(
        num_leaves=params.maximum_number_of_leaves_per_tree,
        min_child_samples=params.minimum_number_of_samples_per_leaf_node,
        learning_rate=params.learning_rate,
        n_estimators=params.number_of_trees_constructed,
        random_state=params.random_number_seed,
        n_jobs=1,
        verbose=-1,
    )
