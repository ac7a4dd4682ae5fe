"""Train SVD Recommender: biased matrix factorisation of a ratings table, fitted with numpy."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from modules.sdk import In, Module, ModuleError, Out, ParamModel, RunContext, Table, TrainedModel

from ._triples import item_column, rating_column, read_triples, user_column


class TrainSVDRecommender(Module):
    """Learn a rating for every user-item pair from user-item-rating triples (collaborative filtering).

    Each rating is modelled as the mean rating plus a user bias, an item bias and the dot product of
    a user and an item factor vector, fitted by stochastic gradient descent with L2 regularisation
    (the "SVD" of Funk and of the Surprise library, which Azure's module follows). Factors start
    normal (standard deviation 0.1), biases at zero, and each iteration visits the ratings in an order
    shuffled with the seed, so the same data and settings always give the same model.

    By default the first three columns are the user, the item and the rating, as in Azure; each can
    be chosen by name instead. The rating must be numeric. Rows missing a user, item or rating are
    left out (logged). A user who rated the same item twice is refused, naming the pair: average or
    drop the repeats first, so that no rating is silently merged. The trained recommender predicts
    ratings for users or items it never saw from what it knows (the item's bias for a new user, the
    user's bias for a new item, the mean rating for both); Azure returns nothing for them.
    """

    id = "train_svd_recommender"
    name = "Train SVD Recommender"
    category = "Recommendation"

    class Inputs:
        dataset = In(Table, "Training dataset of user-item-rating triples")

    class Outputs:
        trained_model = Out(TrainedModel, "Trained SVD recommender")

    class Params(ParamModel):
        number_of_factors: int = Field(
            200, ge=1, le=1000, title="Number of factors", description="Length of each user and item factor vector."
        )
        number_of_recommendation_algorithm_iterations: int = Field(
            30,
            ge=1,
            le=1000,
            title="Number of recommendation algorithm iterations",
            description="Passes of stochastic gradient descent over all ratings.",
        )
        learning_rate: float = Field(
            0.005, gt=0.0, le=2.0, title="Learning rate", description="Step size of each gradient step (0 to 2)."
        )
        regularization_weight: float = Field(
            0.02,
            ge=0.0,
            le=10.0,
            title="Regularization weight",
            description="L2 penalty on the biases and factors (not offered by Azure; Surprise's default).",
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for the initial factors and the order of ratings."
        )
        user_column: str | None = user_column()
        item_column: str | None = item_column()
        rating_column: str | None = rating_column()

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from modules.estimators.svd import SVDRecommender

        chosen = {"user": params.user_column, "item": params.item_column, "rating": params.rating_column}
        triples = read_triples(inputs["dataset"], chosen, ctx)
        iterations = params.number_of_recommendation_algorithm_iterations
        ctx.log(f"fitting {params.number_of_factors} factors to {len(triples.ratings)} ratings")
        estimator = SVDRecommender(
            n_factors=params.number_of_factors,
            n_iterations=iterations,
            learning_rate=params.learning_rate,
            regularization=params.regularization_weight,
            random_state=params.random_number_seed,
        )

        def step(epoch: int) -> None:
            ctx.check_cancelled()
            ctx.progress((epoch + 1) / iterations, f"iteration {epoch + 1} of {iterations}")

        try:
            estimator.fit(triples.features(), triples.ratings, on_iteration=step)
        except FloatingPointError as exc:
            raise ModuleError(f"training diverged ({exc}); lower the learning rate", param="learning_rate") from None
        return {"trained_model": triples.model(estimator, self.id, "SVD Recommender")}
