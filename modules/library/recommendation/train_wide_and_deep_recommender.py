"""Train Wide and Deep Recommender: a hybrid of a linear model and a neural network, trained with PyTorch."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from modules.sdk import DataTable, In, Module, ModuleError, Out, ParamModel, RunContext, Table, TrainedModel

from ._side_features import feature_frame
from ._triples import item_column, rating_column, read_triples, user_column

Optimizer = Literal["Adagrad", "Adam", "RMSProp", "SGD", "Adadelta"]
MAX_LAYERS = 10
MAX_UNITS = 4096


class TrainWideAndDeepRecommender(Module):
    """Learn ratings from user-item-rating triples and, optionally, user and item features.

    The wide part is a linear model over the user id, the item id and their cross (hashed into the
    crossed feature dimension); the deep part embeds the ids and the categorical features, adds the
    numeric features (standardised) and passes them through the hidden layers. Both are trained
    together with PyTorch on the squared rating error (each part with its own optimizer), on the GPU
    when the worker has one; the trained model keeps only numpy weights, so it saves like any other
    model and scores without PyTorch. Same data and settings give the same model (seeded).

    The triples are read as Train SVD Recommender reads them (first three columns unless chosen; a
    repeated user-item pair is refused). A features table has the id in the column named as in the
    ratings (else its first column) and one row per id; its other columns are features. Users or
    items unseen in training are predicted from their features and the other side (Azure's
    cold-start behaviour). Azure's Ftrl optimizer is not offered (PyTorch has none); dropout is the
    probability of zeroing a hidden unit while training.
    """

    id = "train_wide_and_deep_recommender"
    name = "Train Wide and Deep Recommender"
    category = "Recommendation"
    queue = "gpu"

    class Inputs:
        dataset = In(Table, "Training dataset of user-item-rating triples")
        user_features = In(Table, "User features", optional=True)
        item_features = In(Table, "Item features", optional=True)

    class Outputs:
        trained_model = Out(TrainedModel, "Trained Wide and Deep recommender")

    class Params(ParamModel):
        epochs: int = Field(15, ge=1, le=1000, title="Epochs", description="Passes over all ratings.")
        batch_size: int = Field(64, ge=1, le=65_536, title="Batch size", description="Ratings per gradient step.")
        wide_part_optimizer: Optimizer = Field(
            "Adagrad", title="Wide part optimizer", description="Optimizer of the linear (wide) part."
        )
        wide_optimizer_learning_rate: float = Field(
            0.1,
            gt=0.0,
            le=2.0,
            title="Wide optimizer learning rate",
            description="Step size of the wide part (0 to 2).",
        )
        crossed_feature_dimension: int = Field(
            1000,
            ge=1,
            le=10_000_000,
            title="Crossed feature dimension",
            description="Buckets the user-item crosses of the wide part are hashed into.",
        )
        deep_part_optimizer: Optimizer = Field(
            "Adagrad", title="Deep part optimizer", description="Optimizer of the neural (deep) part."
        )
        deep_optimizer_learning_rate: float = Field(
            0.1,
            gt=0.0,
            le=2.0,
            title="Deep optimizer learning rate",
            description="Step size of the deep part (0 to 2).",
        )
        user_embedding_dimension: int = Field(
            16, ge=1, le=1024, title="User embedding dimension", description="Length of each user id embedding."
        )
        item_embedding_dimension: int = Field(
            16, ge=1, le=1024, title="Item embedding dimension", description="Length of each item id embedding."
        )
        categorical_features_embedding_dimension: int = Field(
            4,
            ge=1,
            le=1024,
            title="Categorical features embedding dimension",
            description="Length of the embedding of each categorical user or item feature.",
        )
        hidden_units: str = Field(
            "256,128",
            title="Hidden units",
            description="Units of each hidden layer of the deep part, comma-separated (e.g. 1000,500,100).",
        )
        activation_function: Literal["ReLU", "Sigmoid", "Tanh", "Linear", "LeakyReLU"] = Field(
            "ReLU", title="Activation function", description="Applied after each hidden layer."
        )
        dropout: float = Field(
            0.1, ge=0.0, lt=1.0, title="Dropout", description="Probability of zeroing a hidden unit while training."
        )
        batch_normalization: bool = Field(
            True, title="Batch Normalization", description="Normalise each hidden layer over the batch."
        )
        random_number_seed: int = Field(
            0, ge=0, title="Random number seed", description="Seed for the initial weights, batches and dropout."
        )
        user_column: str | None = user_column()
        item_column: str | None = item_column()
        rating_column: str | None = rating_column()

        @field_validator("hidden_units")
        @classmethod
        def _layers(cls, value: str) -> str:
            layers(value)
            return value

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        from modules.estimators.wide_deep import WideDeepRecommender

        chosen = {"user": params.user_column, "item": params.item_column, "rating": params.rating_column}
        triples = read_triples(inputs["dataset"], chosen, ctx)
        sides = {}
        for side in ("user", "item"):
            table: DataTable | None = inputs.get(f"{side}_features")
            name = triples.names[side]
            port = f"{side}_features"
            sides[side] = None if table is None else feature_frame(table, name, triples.types[name], port)
        estimator = WideDeepRecommender(
            epochs=params.epochs,
            batch_size=params.batch_size,
            wide_optimizer=params.wide_part_optimizer,
            wide_learning_rate=params.wide_optimizer_learning_rate,
            crossed_dim=params.crossed_feature_dimension,
            deep_optimizer=params.deep_part_optimizer,
            deep_learning_rate=params.deep_optimizer_learning_rate,
            user_dim=params.user_embedding_dimension,
            item_dim=params.item_embedding_dimension,
            categorical_dim=params.categorical_features_embedding_dimension,
            hidden_units=layers(params.hidden_units),
            activation=params.activation_function,
            dropout=params.dropout,
            batch_normalization=params.batch_normalization,
            random_state=params.random_number_seed,
        )

        def step(epoch: int, loss: float) -> None:
            ctx.check_cancelled()
            ctx.progress(
                (epoch + 1) / params.epochs, f"epoch {epoch + 1} of {params.epochs}: mean squared error {loss:.4g}"
            )

        ctx.log(f"training on {len(triples.ratings)} ratings")
        try:
            estimator.fit(triples.features(), triples.ratings, sides["user"], sides["item"], on_epoch=step)
        except FloatingPointError as exc:
            raise ModuleError(
                f"training diverged ({exc}); lower the learning rates", param="deep_optimizer_learning_rate"
            ) from None
        return {"trained_model": triples.model(estimator, self.id, "Wide and Deep Recommender")}


def layers(text: str) -> tuple[int, ...]:
    """``"256,128"`` -> ``(256, 128)``; a ``ValueError`` says what is wrong."""
    parts = [p.strip() for p in text.split(",")]
    if not all(p.isdigit() for p in parts):
        raise ValueError(f"hidden units must be whole numbers separated by commas, e.g. 256,128 (got {text!r})")
    units = tuple(int(p) for p in parts)
    if not 1 <= len(units) <= MAX_LAYERS or not all(1 <= u <= MAX_UNITS for u in units):
        raise ValueError(f"give 1 to {MAX_LAYERS} hidden layers of 1 to {MAX_UNITS} units each (got {text!r})")
    return units
