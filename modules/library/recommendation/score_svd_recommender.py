"""Score SVD Recommender: predict ratings or recommend items with a trained SVD recommender."""

from __future__ import annotations

from typing import Any

from modules.sdk import DataTable, FittedModel, In, Module, Out, RunContext, Table, TrainedModel

from ._scoring import ScoreParams, check_model, score


class ScoreSVDRecommender(Module):
    """Predict ratings (``User, Item, Rating``) or recommend items (``User, Item 1 .. Item k``).

    Rating Prediction rates each user-item pair of the dataset to score. Item Recommendation ranks,
    for each user of the dataset to score, either every item seen in training (From All Items, for
    production), the items paired with that user in the dataset to score (From Rated Items, for
    evaluation with Evaluate Recommender; users with fewer such items than the minimum pool size are
    skipped), or the training items the user has not rated in the connected training data (From
    Unrated Items, which therefore needs that input). The user and item columns are found by the
    names they had in training. Unlike Azure, users and items unseen in training are scored from the
    biases (a new user gets the items with the highest item bias) instead of being dropped; the log
    says how many rows that concerns.
    """

    id = "score_svd_recommender"
    name = "Score SVD Recommender"
    category = "Recommendation"

    class Inputs:
        trained_model = In(TrainedModel, "Trained SVD recommender")
        dataset = In(Table, "Dataset to score")
        training_data = In(Table, "Training data", optional=True, doc="Needed by From Unrated Items.")

    class Outputs:
        scored_dataset = Out(Table, "Scored dataset")

    class Params(ScoreParams):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        model: FittedModel = inputs["trained_model"]
        check_model(model, "SVDRecommender", self.name)
        table: DataTable = inputs["dataset"]
        scored = score(model, table, inputs.get("training_data"), params, model.estimator.predict_ids, ctx)
        ctx.log(f"scored {len(scored.df)} rows")
        return {"scored_dataset": scored}
