"""Contract cases for the PyTorch neural-network learners."""

from __future__ import annotations

from ._helpers import Case, _no_inputs

SMALL = {"number_of_hidden_nodes": 8, "number_of_learning_iterations": 5}

CASES: dict[str, Case] = {
    "two_class_neural_network": Case(_no_inputs, SMALL),
    "multiclass_neural_network": Case(_no_inputs, SMALL),
    "neural_network_regression": Case(_no_inputs, SMALL),
}
