"""Node titles for messages a user reads beside the canvas: as the cards title them, each naming one card."""

from __future__ import annotations

from designer.engine.graph import parse_graph
from designer.engine.titles import node_titles
from modules.sdk import default_registry
from tests.support.pipelines import document


def test_a_dataset_node_is_titled_by_its_dataset_and_others_by_their_module() -> None:
    graph = parse_graph(
        document(
            [("data", "dataset", {"dataset": {"dataset_id": 4}}), ("split", "split_data", {})],
            ["data.dataset -> split.dataset"],
        )
    )

    assert node_titles(graph, default_registry(), {4: "Penguins"}) == {"data": "Penguins", "split": "Split Data"}
    assert node_titles(graph, default_registry()) == {"data": "Dataset", "split": "Split Data"}  # name unknown


def test_a_title_several_nodes_share_is_numbered_after_its_first_use_in_document_order() -> None:
    graph = parse_graph(
        document(
            [("b", "split_data", {}), ("a", "split_data", {}), ("c", "split_data", {}), ("x", "nope", {})],
            [],
        )
    )

    titles = node_titles(graph, default_registry())

    assert titles == {"b": "Split Data", "a": "Split Data (2)", "c": "Split Data (3)", "x": "nope"}
