"""The engine end to end with the real module library: validate, plan, run node by node from the store."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from designer.engine.execute import OutputRecord, execute_node, load_output
from designer.engine.graph import parse_graph
from designer.engine.plan import make_plan, ready_nodes
from designer.engine.store import LocalArtifactStore
from designer.engine.validate import validate
from modules.sdk import Column, LocalContext, TableSchema, default_registry

CSV = "x,y,label\n1,2.5,yes\n2,3.5,no\n3,,yes\n"


def pipeline(columns: list[str]) -> dict[str, object]:
    return {
        "nodes": [
            {"id": "data", "module": "enter_data_manually", "version": 1, "params": {"data": CSV}},
            {"id": "pick", "module": "select_columns", "version": 1, "params": {"columns": columns}},
        ],
        "edges": [{"source": {"node": "data", "port": "dataset"}, "target": {"node": "pick", "port": "dataset"}}],
    }


def test_a_library_pipeline_validates_plans_and_runs(tmp_path: Path) -> None:
    # given typed-in data feeding a column selection
    registry = default_registry()
    graph = parse_graph(pipeline(["label", "x"]))
    store = LocalArtifactStore(tmp_path)

    # when it is validated
    result = validate(graph, registry)

    # then it is valid and the selection's schema is known before running
    assert result.problems == []
    assert result.schemas["pick"] == {
        "results_dataset": TableSchema((Column("x", "integer"), Column("label", "string")))
    }

    # when it is planned and run node by node, each node reading its parents' artifacts
    plan = make_plan(graph, registry)
    done: set[str] = set()
    outputs: dict[str, dict[str, OutputRecord]] = {}
    while ready := ready_nodes(plan, done, done):
        for node_id in ready:
            inputs = {e.target_port: outputs[e.source][e.source_port].digest for e in graph.incoming(node_id).values()}
            outputs[node_id] = execute_node(
                graph.nodes[node_id], registry, inputs, store, LocalContext(node_id=node_id)
            )
            done.add(node_id)

    # then every node ran once and the final table is what pandas gives directly
    assert done == {"data", "pick"}
    final = load_output(store, "table", outputs["pick"]["results_dataset"].digest)
    expected = pd.DataFrame({"x": [1, 2, 3], "label": ["yes", "no", "yes"]})
    pd.testing.assert_frame_equal(final.df, expected, check_dtype=False)
    assert outputs["pick"]["results_dataset"].summary == {
        "rows": 3,
        "columns": [{"name": "x", "type": "integer"}, {"name": "label", "type": "string"}],
    }


def test_a_library_pipeline_with_a_wrong_column_is_refused_before_running() -> None:
    # given a selection naming a column the typed-in data does not have
    graph = parse_graph(pipeline(["x", "colour"]))

    # when validated, then the column is named with the ones available
    problems = validate(graph, default_registry()).problems
    assert [(p.code, p.node, p.param, p.column, p.port) for p in problems] == [
        ("unknown_column", "pick", "columns", "colour", "dataset")
    ]
    assert problems[0].message.endswith("(available: x, y, label).")
