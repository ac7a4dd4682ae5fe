"""The server's layered layout for pipelines it builds: top to bottom, ports respected, no card on another."""

from __future__ import annotations

from designer.engine.graph import parse_graph
from designer.engine.layered import GAP_X, GAP_Y, NODE_HEIGHT, NODE_WIDTH, layered_layout
from modules.sdk import default_registry
from tests.support.pipelines import document

ROW = NODE_HEIGHT + GAP_Y
COLUMN = NODE_WIDTH + GAP_X


def test_nodes_go_in_layers_with_each_input_fed_from_the_side_its_port_is_on() -> None:
    # Train Model's inputs are (untrained_model, dataset): the learner belongs on the left, the split on the right,
    # although the document lists the split first.
    graph = parse_graph(
        document(
            [
                ("data", "dataset", {"dataset": {"dataset_id": 1}}),
                ("split", "split_data", {}),
                ("learner", "two_class_logistic_regression", {}),
                ("train", "train_model", {"label_column": "y"}),
            ],
            [
                "data.dataset -> split.dataset",
                "split.results_dataset1 -> train.dataset",
                "learner.untrained_model -> train.untrained_model",
            ],
        )
    )

    layout = layered_layout(graph, default_registry())

    assert {n: (p["x"], p["y"]) for n, p in layout.items()} == {
        "data": (COLUMN // 2, 0),  # a layer of one is centred over the widest
        "split": (COLUMN, ROW),
        "learner": (0, ROW),
        "train": (COLUMN // 2, 2 * ROW),
    }


def test_a_source_sits_just_above_the_node_it_feeds_and_comments_keep_their_room() -> None:
    doc = document(
        [
            ("data", "dataset", {"dataset": {"dataset_id": 1}}),
            ("split", "split_data", {}),
            ("pick", "select_columns", {}),
            ("learner", "two_class_logistic_regression", {}),
            ("train", "train_model", {"label_column": "y"}),
        ],
        [
            "data.dataset -> split.dataset",
            "split.results_dataset1 -> pick.dataset",
            "pick.results_dataset -> train.dataset",
            "learner.untrained_model -> train.untrained_model",
        ],
    )
    doc["layout"] = {"split": {"x": 5, "y": 5, "comment": "70 % to train"}}

    layout = layered_layout(parse_graph(doc), default_registry())

    assert layout["learner"]["y"] == layout["pick"]["y"]  # pulled down beside the node it feeds, not at the top
    assert layout["split"]["comment"] == "70 % to train"
    assert layout["pick"]["y"] - layout["split"]["y"] == ROW + 40  # the comment under Split Data has its room
