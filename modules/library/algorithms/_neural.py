"""The settings Azure's three neural-network learners share, and the PyTorch-trained estimator they build."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from modules.library._learners import LearnerParams, value_range

Nodes = Annotated[int, Field(ge=1, le=4096)]
Rate = Annotated[float, Field(gt=0.0, le=10.0)]
Iterations = Annotated[int, Field(ge=1, le=10_000)]


class NeuralParams(LearnerParams):
    hidden_layer_specification: Literal["Fully-connected case"] = Field(
        "Fully-connected case",
        title="Hidden layer specification",
        description="One fully connected hidden layer of sigmoid units (Azure's default; custom Net# is not offered).",
    )
    number_of_hidden_nodes: Nodes = Field(100, title="Number of hidden nodes", description="Units in the hidden layer.")
    learning_rate: Rate = Field(0.1, title="The learning rate", description="Step size of stochastic gradient descent.")
    number_of_learning_iterations: Iterations = Field(
        100, title="Number of learning iterations", description="Passes over the training rows."
    )
    the_initial_learning_weights_diameter: float = Field(
        0.1,
        gt=0.0,
        le=10.0,
        title="The initial learning weights diameter",
        description="Weights start uniform in +-d/2.",
    )
    the_momentum: float = Field(0.0, ge=0.0, lt=1.0, title="The momentum", description="Momentum of SGD.")
    the_type_of_normalizer: Literal["Min-Max", "Gaussian", "None"] = Field(
        "Min-Max", title="The type of normalizer", description="How features are scaled before training."
    )
    mini_batch_size: int = Field(32, ge=1, le=65_536, title="Mini-batch size", description="Rows per SGD step.")
    shuffle_examples: bool = Field(True, title="Shuffle examples", description="Shuffle the rows between iterations.")
    random_number_seed: int = Field(0, ge=0, title="Random number seed", description="Seed for weights and shuffling.")
    range_for_number_of_hidden_nodes: list[Nodes] = value_range("number_of_hidden_nodes", [50, 100, 200])
    range_for_learning_rate: list[Rate] = value_range("learning_rate", [0.01, 0.1, 0.5])
    range_for_number_of_learning_iterations: list[Iterations] = value_range(
        "number_of_learning_iterations", [20, 40, 80]
    )


def settings(params: NeuralParams) -> dict[str, Any]:
    return {
        "hidden_nodes": params.number_of_hidden_nodes,
        "learning_rate": params.learning_rate,
        "iterations": params.number_of_learning_iterations,
        "diameter": params.the_initial_learning_weights_diameter,
        "momentum": params.the_momentum,
        "normalizer": params.the_type_of_normalizer,
        "batch_size": params.mini_batch_size,
        "shuffle": params.shuffle_examples,
        "random_state": params.random_number_seed,
    }


def classifier(params: NeuralParams) -> Any:
    from modules.estimators.torch_mlp import TorchMLPClassifier

    return TorchMLPClassifier(**settings(params))


def regressor(params: NeuralParams) -> Any:
    from modules.estimators.torch_mlp import TorchMLPRegressor

    return TorchMLPRegressor(**settings(params))


DOC = """

    A network with one hidden layer of sigmoid units, trained with PyTorch by stochastic gradient
    descent with momentum over shuffled mini-batches, on the GPU when the worker has one and on the
    CPU otherwise; weights start uniform in [-d/2, d/2]. Features are normalised as chosen (Min-Max by
    default). The trained model keeps only its weights, so it saves like any other model (no pickled
    code) and scores with a plain numpy forward pass. Azure's custom Net# architectures are not offered.
    """
