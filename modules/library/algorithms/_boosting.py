"""The settings Azure's boosted-tree learners share, and the LightGBM keyword arguments they map to."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from modules.library._learners import LearnerParams, value_range

Leaves = Annotated[int, Field(ge=2, le=131_072)]
LeafSamples = Annotated[int, Field(ge=1)]
LearningRate = Annotated[float, Field(gt=0.0, le=1.0)]
Trees = Annotated[int, Field(ge=1, le=100_000)]


class BoostingParams(LearnerParams):
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
    number_of_trees_constructed: Trees = Field(100, title="Number of trees constructed", description="Boosting rounds.")
    random_number_seed: int = Field(0, ge=0, title="Random number seed", description="Seed for LightGBM.")
    range_for_maximum_number_of_leaves_per_tree: list[Leaves] = value_range(
        "maximum_number_of_leaves_per_tree", [2, 8, 32, 128]
    )
    range_for_minimum_number_of_samples_per_leaf_node: list[LeafSamples] = value_range(
        "minimum_number_of_samples_per_leaf_node", [1, 10, 50]
    )
    range_for_learning_rate: list[LearningRate] = value_range("learning_rate", [0.025, 0.05, 0.1, 0.2, 0.4])
    range_for_number_of_trees_constructed: list[Trees] = value_range("number_of_trees_constructed", [20, 100, 500])


def boosting_settings(params: BoostingParams) -> dict[str, Any]:
    """Keyword arguments shared by ``LGBMRegressor`` and ``LGBMClassifier``: quiet, one thread (Train Model
    fits on the threads the run gives it), and the same trees on any number of threads (``_threads``)."""
    return {
        "num_leaves": params.maximum_number_of_leaves_per_tree,
        "min_child_samples": params.minimum_number_of_samples_per_leaf_node,
        "learning_rate": params.learning_rate,
        "n_estimators": params.number_of_trees_constructed,
        "random_state": params.random_number_seed,
        "n_jobs": 1,
        "deterministic": True,
        "force_col_wise": True,
        "verbose": -1,
    }
