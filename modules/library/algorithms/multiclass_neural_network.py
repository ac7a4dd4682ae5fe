"""Multiclass Neural Network: an untrained PyTorch neural network."""

from __future__ import annotations

import inspect
from typing import Any

from modules.library._learners import make_learner
from modules.sdk import Module, Out, RunContext, UntrainedModel

from ._neural import DOC, NeuralParams, classifier


class MulticlassNeuralNetwork(Module):
    __doc__ = inspect.cleandoc("""A neural network for a label with three or more values.""" + DOC)

    id = "multiclass_neural_network"
    name = "Multiclass Neural Network"
    category = "Machine Learning Algorithms"

    class Outputs:
        untrained_model = Out(UntrainedModel, "Untrained model")

    class Params(NeuralParams):
        pass

    def run(self, inputs: dict[str, Any], params: Params, ctx: RunContext) -> dict[str, Any]:
        return {"untrained_model": make_learner(self, params, "multiclass", classifier)}
