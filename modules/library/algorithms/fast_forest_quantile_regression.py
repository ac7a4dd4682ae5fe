"""Fast Forest Quantile Regression: untrained LightGBM random forests, one per quantile to predict."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, Field

from modules.library._learners import LearnerParams, make_learner, quantile_column, value_range
from modules.sdk import Module, Out, RunContext, UntrainedModel

Trees = Annotated[int, Field(ge=1, le=10_000)]
Leaves = Annotated[int, Field(ge=2, le=131_072)]
LeafSamples = Annotated[int, Field(ge=1)]
Bagging = Annotated[float, Field(gt=0.0, lt=1.0)]
Fraction = Annotated[float, Field(gt=0.0, le=1.0)]
Quantile = Annotated[float, Field(gt=0.0, lt=1.0)]


def _sorted_levels(levels: list[float]) -> list[float]:
    return sorted(set(levels))


class FastForestQuantileRegression(Module):
    """Predicts chosen quantiles of a numeric label (e.g. 0.25, 0.5, 0.75) rather than its mean.

    One forest per quantile: ``lightgbm.LGBMRegressor(boosting_type="rf", objective="quantile",
    alpha=quantile, n_estimators, num_leaves, min_child_samples, subsample=bagging fraction,
    subsample_freq=1, colsample_bytree=feature fraction, feature_fraction_bynode=split fraction,
    random_state)`` on one thread; each leaf holds the quantile of its training rows and the trees
    are averaged. The forests are the members of a ``VotingRegressor``, so Score Model writes one
    column per quantile, ``Quantile:0.25`` and so on, and Evaluate Model reports the quantile (pinball)
    loss of each. Azure's Meinshausen forest keeps the rows of every leaf instead; its "Quantile
    sample count" has no counterpart and is not offered. Quantiles are scored in increasing order.
    The bagging fraction must be below 1 (a random forest needs row sampling).
    """

    id = "fast_forest_quantile_regression"
    name = "Fast Forest Quantile Regression"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(LearnerParams):
        number_of_trees: Trees = Field(100, title="Number of trees", description="Trees in each forest.")
        number_of_leaves: Leaves = Field(20, title="Number of leaves", description="Leaves each tree may grow.")
        minimum_number_of_training_instances_required_to_form_a_leaf: LeafSamples = Field(
            10,
            title="Minimum number of training instances required to form a leaf",
            description="Rows each leaf must hold.",
        )
        bagging_fraction: Bagging = Field(
            0.7, title="Bagging fraction", description="Share of the rows each tree learns from (below 1)."
        )
        feature_fraction: Fraction = Field(
            0.7, title="Feature fraction", description="Share of the features each tree may use."
        )
        split_fraction: Fraction = Field(
            0.7, title="Split fraction", description="Share of the tree's features tried at each split."
        )
        quantiles_to_be_estimated: Annotated[list[Quantile], AfterValidator(_sorted_levels)] = Field(
            [0.25, 0.5, 0.75],
            min_length=1,
            max_length=99,
            title="Quantiles to be estimated",
            description="Quantile levels between 0 and 1 to predict; one scored column each.",
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for the row and feature sampling."
        )
        range_for_number_of_trees: list[Trees] = value_range("number_of_trees", [16, 32, 64])
        range_for_number_of_leaves: list[Leaves] = value_range("number_of_leaves", [16, 32, 64])
        range_for_minimum_number_of_training_instances_required_to_form_a_leaf: list[LeafSamples] = value_range(
            "minimum_number_of_training_instances_required_to_form_a_leaf", [1, 5, 10]
        )
        range_for_bagging_fraction: list[Bagging] = value_range("bagging_fraction", [0.25, 0.5, 0.75])
        range_for_feature_fraction: list[Fraction] = value_range("feature_fraction", [0.25, 0.5, 0.75])
        range_for_split_fraction: list[Fraction] = value_range("split_fraction", [0.25, 0.5, 0.75])

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "regression", build_estimator)}


def build_estimator(params: FastForestQuantileRegression.Params) -> Any:
    from sklearn.ensemble import VotingRegressor

    return VotingRegressor([(quantile_column(q), quantile_forest(params, q)) for q in params.quantiles_to_be_estimated])


def quantile_forest(params: FastForestQuantileRegression.Params, level: float) -> Any:
    from lightgbm import LGBMRegressor

    return LGBMRegressor(
        boosting_type="rf",
        objective="quantile",
        alpha=level,
        n_estimators=params.number_of_trees,
        num_leaves=params.number_of_leaves,
        min_child_samples=params.minimum_number_of_training_instances_required_to_form_a_leaf,
        subsample=params.bagging_fraction,
        subsample_freq=1,
        colsample_bytree=params.feature_fraction,
        feature_fraction_bynode=params.split_fraction,
        random_state=params.random_number_seed,
        n_jobs=1,
        verbose=-1,
    )
