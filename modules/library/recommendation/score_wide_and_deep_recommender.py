"""Score Wide and Deep Recommender: predict ratings or recommend items with a trained Wide and Deep model."""

from __future__ import annotations

from typing import Any

import numpy as np

from modules.sdk import DataTable, FittedModel, In, Module, Out, RunContext, Table, TrainedModel

from ._scoring import ScoreParams, check_model, score
from ._side_features import feature_frame


class ScoreWideAndDeepRecommender(Module):
    """Predict ratings (``User, Item, Rating``) or recommend items (``User, Item 1 .. Item k``).

    The prediction kinds and item selections are those of Score SVD Recommender. User and item
    features tables connected here add features for ids the training tables lacked (new users or
    items: the cold-start case) and replace those of ids they repeat; without them the features seen
    in training are used. A user or item unseen in training and absent from the features is predicted
    from the other side alone. Scoring is a numpy forward pass; PyTorch is not needed.
    """

    id = "score_wide_and_deep_recommender"
    name = "Score Wide and Deep Recommender"
    category = "Recommendation"

    class Inputs:
        trained_model = In(TrainedModel, "Trained Wide and Deep recommendation model")
        dataset = In(Table, "Dataset to score")
        user_features = In(Table, "User features", optional=True)
        item_features = In(Table, "Item features", optional=True)
        training_data = In(Table, "Training data", optional=True, doc="Needed by From Unrated Items.")

    class Outputs:
        scored_dataset = Out(Table, "Scored dataset")

    class Params(ScoreParams):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        model: FittedModel = inputs["trained_model"]
        check_model(model, "WideDeepRecommender", self.name)
        estimator = model.estimator
        tables = {}
        for side, column in zip(("user", "item"), model.feature_columns, strict=True):
            table: DataTable | None = inputs.get(f"{side}_features")
            known = estimator.sides_[side]
            kinds = (list(known["numeric"]), list(known["categorical"]))
            port = f"{side}_features"
            id_type = model.feature_types[column]
            tables[side] = None if table is None else feature_frame(table, column, id_type, port, kinds)

        def predict(users: np.ndarray, items: np.ndarray) -> np.ndarray:
            out: np.ndarray = estimator.predict_ids(users, items, tables["user"], tables["item"])
            return out

        scored = score(model, inputs["dataset"], inputs.get("training_data"), params, predict, ctx)
        ctx.log(f"scored {len(scored.df)} rows")
        return {"scored_dataset": scored}
