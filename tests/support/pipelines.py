"""Build pipeline documents tersely in tests: nodes as (id, module, params), edges as 'a.port -> b.port'."""

from __future__ import annotations

from typing import Any


def document(nodes: list[tuple[str, str, dict[str, Any]]], edges: list[str], **layout: Any) -> dict[str, Any]:
    return {
        "schema_version": 1,
        "nodes": [{"id": i, "module": m, "version": 1, "params": p} for i, m, p in nodes],
        "edges": [_edge(e) for e in edges],
        "parameters": {},
        "layout": {i: {"x": 100 * n, "y": 80 * n} for n, (i, _, _) in enumerate(nodes)} | layout,
    }


def _edge(text: str) -> dict[str, Any]:
    source, target = (part.strip() for part in text.split("->"))
    s_node, s_port = source.split(".")
    t_node, t_port = target.split(".")
    return {"source": {"node": s_node, "port": s_port}, "target": {"node": t_node, "port": t_port}}


def train_score_evaluate(dataset_id: int, label: str, **split: Any) -> dict[str, Any]:
    """Dataset → Split → Two-Class Logistic Regression + Train → Score → Evaluate."""
    return document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": dataset_id}}),
            ("split", "split_data", {"fraction_of_rows_in_first_output_dataset": 0.7, "random_seed": 42, **split}),
            (
                "learner",
                "two_class_logistic_regression",
                {"l1_regularization_weight": 0.0, "l2_regularization_weight": 1.0},
            ),
            ("train", "train_model", {"label_column": label}),
            ("score", "score_model", {}),
            ("evaluate", "evaluate_model", {}),
        ],
        [
            "data.dataset -> split.dataset",
            "learner.untrained_model -> train.untrained_model",
            "split.results_dataset1 -> train.dataset",
            "train.trained_model -> score.trained_model",
            "split.results_dataset2 -> score.dataset",
            "score.scored_dataset -> evaluate.scored_dataset",
        ],
    )
