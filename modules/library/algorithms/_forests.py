"""The decision-forest settings Azure's three forest learners share, and the scikit-learn forest they build."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from modules.library._learners import LearnerParams, value_range

Trees = Annotated[int, Field(ge=1, le=10_000)]
Depth = Annotated[int, Field(ge=1, le=1_000)]
LeafSamples = Annotated[int, Field(ge=1)]


class ForestParams(LearnerParams):
    resampling_method: Literal["Bagging", "Replicate"] = Field(
        "Bagging",
        title="Resampling method",
        description="Bagging: each tree learns from a bootstrap sample of the rows. "
        "Replicate: each tree learns from all the rows.",
    )
    number_of_decision_trees: Trees = Field(8, title="Number of decision trees", description="Trees in the forest.")
    maximum_depth_of_the_decision_trees: Depth = Field(
        32, title="Maximum depth of the decision trees", description="Levels each tree may grow."
    )
    minimum_number_of_samples_per_leaf_node: LeafSamples = Field(
        1, title="Minimum number of samples per leaf node", description="Rows each leaf must hold."
    )
    random_number_seed: int = Field(
        0, ge=0, title="Random number seed", description="Seed for the bootstrap samples and feature choices."
    )
    range_for_number_of_decision_trees: list[Trees] = value_range("number_of_decision_trees", [1, 8, 32])
    range_for_maximum_depth_of_the_decision_trees: list[Depth] = value_range(
        "maximum_depth_of_the_decision_trees", [1, 16, 64]
    )
    range_for_minimum_number_of_samples_per_leaf_node: list[LeafSamples] = value_range(
        "minimum_number_of_samples_per_leaf_node", [1, 4, 16]
    )


def forest_settings(params: ForestParams) -> dict[str, Any]:
    """Keyword arguments shared by ``RandomForestClassifier`` and ``RandomForestRegressor``."""
    return {
        "n_estimators": params.number_of_decision_trees,
        "max_depth": params.maximum_depth_of_the_decision_trees,
        "min_samples_leaf": params.minimum_number_of_samples_per_leaf_node,
        "bootstrap": params.resampling_method == "Bagging",
        "random_state": params.random_number_seed,
        "n_jobs": 1,
    }
