"""Naming the models Evaluate Model compares by their learners, traced upstream through model ports."""

from __future__ import annotations

from designer.engine.graph import parse_graph
from designer.engine.learners import Learner, labels, learner_of
from modules.sdk import default_registry
from tests.support.pipelines import document

REGISTRY = default_registry()

TWO_MODELS = document(
    [
        ("data", "dataset", {"dataset": {"dataset_id": 1}}),
        ("split", "split_data", {}),
        ("logistic", "two_class_logistic_regression", {}),
        ("boosted", "two_class_boosted_decision_tree", {}),
        ("train_a", "train_model", {"label_column": "y"}),
        ("train_b", "train_model", {"label_column": "y"}),
        ("score_a", "score_model", {}),
        ("score_b", "score_model", {}),
        ("evaluate", "evaluate_model", {}),
    ],
    [
        "data.dataset -> split.dataset",
        "logistic.untrained_model -> train_a.untrained_model",
        "boosted.untrained_model -> train_b.untrained_model",
        "split.results_dataset1 -> train_a.dataset",
        "split.results_dataset1 -> train_b.dataset",
        "train_a.trained_model -> score_a.trained_model",
        "train_b.trained_model -> score_b.trained_model",
        "split.results_dataset2 -> score_a.dataset",
        "split.results_dataset2 -> score_b.dataset",
        "score_a.scored_dataset -> evaluate.scored_dataset",
        "score_b.scored_dataset -> evaluate.scored_dataset_to_compare",
    ],
)


def test_each_scored_input_is_traced_through_score_and_train_to_its_learner() -> None:
    graph = parse_graph(TWO_MODELS)

    first = learner_of(graph, "evaluate", "scored_dataset", REGISTRY)
    second = learner_of(graph, "evaluate", "scored_dataset_to_compare", REGISTRY)

    assert first == Learner("logistic", "Two-Class Logistic Regression")
    assert second == Learner("boosted", "Two-Class Boosted Decision Tree")


def test_an_unconnected_input_has_no_learner() -> None:
    graph = parse_graph(TWO_MODELS)
    graph.edges = [e for e in graph.edges if e.target_port != "scored_dataset_to_compare"]

    assert learner_of(graph, "evaluate", "scored_dataset_to_compare", REGISTRY) is None


def test_a_model_with_no_learner_upstream_is_named_after_the_node_that_made_it() -> None:
    # given a Score Model whose model is a stored one
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": 1}}),
            ("saved", "saved_trained_model", {}),
            ("score", "score_model", {}),
            ("evaluate", "evaluate_model", {}),
        ],
        [
            "saved.trained_model -> score.trained_model",
            "data.dataset -> score.dataset",
            "score.scored_dataset -> evaluate.scored_dataset",
        ],
    )

    found = learner_of(parse_graph(doc), "evaluate", "scored_dataset", REGISTRY)

    assert found == Learner("saved", REGISTRY.get("saved_trained_model").name)


def test_two_models_with_the_same_learner_are_told_apart_by_node() -> None:
    same = [Learner("a", "Two-Class Decision Forest"), Learner("b", "Two-Class Decision Forest")]

    assert labels(same, ["First model", "Second model"]) == [
        "Two-Class Decision Forest (a)",
        "Two-Class Decision Forest (b)",
    ]
    assert labels([None, Learner("b", "Linear Regression")], ["First model", "Second model"]) == [
        "First model",
        "Linear Regression",
    ]
