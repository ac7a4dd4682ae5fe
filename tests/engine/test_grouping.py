"""Group and ungroup: the selection becomes one component node whose expansion computes exactly what the
selection did (same cache keys), and ungrouping gives the nodes back."""

from __future__ import annotations

import pytest

from designer.engine.component_check import check_version
from designer.engine.components import ComponentVersion, MappingLookup, expand
from designer.engine.graph import Edge, parse_graph, to_document
from designer.engine.grouping import GroupingError, group, ungroup
from designer.engine.parameters import resolve
from designer.engine.plan import cache_keys

from .test_components import REGISTRY
from .toys import build


def pipeline():
    graph = build(
        {
            "s": ("const", {"names": ["a", "b"]}),
            "t": ("add_one", {"column": "a"}),
            "u": ("select", {"columns": ["a", "b"]}),
            "v": ("add_one", {"column": {"$param": "col"}}),
        },
        ["s.table -> t.table", "t.result -> u.table", "u.result -> v.table"],
    )
    graph.parameters = {"col": {"type": "string", "default": "b"}}
    graph.layout = {
        "s": {"x": 0, "y": 0},
        "t": {"x": 100, "y": 100},
        "u": {"x": 300, "y": 100},
        "v": {"x": 0, "y": 400},
    }
    return graph


def keys_of(graph, versions=None):
    expanded = expand(graph, REGISTRY, versions).graph
    return cache_keys(resolve(expanded, {}).graph, REGISTRY)


def test_grouping_replaces_the_selection_by_one_node_that_computes_the_same() -> None:
    graph = pipeline()

    grouping = group(graph, ["t", "u"], REGISTRY)
    _face, problems = check_version(grouping.document, REGISTRY, None, component_id=4, name="Prep")
    replaced = grouping.replace_selection(4, 1, "Prep")
    versions = MappingLookup({(4, 1): ComponentVersion(4, 1, "Prep", grouping.document)})

    assert problems == []
    assert list(replaced.nodes) == ["s", "prep", "v"]
    assert replaced.nodes["prep"].module == "component:4" and replaced.nodes["prep"].link == "latest"
    assert set(replaced.edges) == {Edge("s", "table", "prep", "table"), Edge("prep", "result", "v", "table")}
    assert replaced.layout["prep"] == {"x": 200.0, "y": 100.0}
    assert parse_graph(to_document(replaced)) == replaced
    original = keys_of(graph)
    grouped = keys_of(replaced, versions)
    assert grouped["prep/t"] == original["t"] and grouped["prep/u"] == original["u"] and grouped["v"] == original["v"]


def test_a_field_bound_to_a_pipeline_parameter_is_exposed_and_the_node_passes_the_reference() -> None:
    graph = pipeline()

    grouping = group(graph, ["u", "v"], REGISTRY)
    replaced = grouping.replace_selection(5, 1, "Tail")
    versions = MappingLookup({(5, 1): ComponentVersion(5, 1, "Tail", grouping.document)})

    assert grouping.document["parameters"] == [
        {"name": "col", "description": "Pipeline parameter 'col'", "targets": [{"node": "v", "param": "column"}]}
    ]
    assert replaced.nodes["tail"].params == {"col": {"$param": "col"}}
    assert keys_of(replaced, versions)["tail/v"] == keys_of(graph)["v"]


def test_ungroup_gives_back_nodes_that_compute_the_same_with_exposed_values_written_in() -> None:
    graph = pipeline()
    grouping = group(
        graph, ["t", "u"], REGISTRY, parameters=[{"name": "bump", "targets": [{"node": "t", "param": "column"}]}]
    )
    replaced = grouping.replace_selection(4, 1, "Prep")
    moved = replaced.nodes["prep"]
    replaced.nodes["prep"] = type(moved)(moved.id, moved.module, moved.version, {"bump": "b"}, link="latest")

    back = ungroup(replaced, "prep", grouping.document)

    assert set(back.nodes) == {"s", "t", "u", "v"}
    assert back.nodes["t"].params == {"column": "b"}
    assert set(back.edges) == set(graph.edges)


def test_faults_are_listed_and_name_the_node() -> None:
    graph = pipeline()

    with pytest.raises(GroupingError) as missing:
        group(graph, ["t", "ghost"], REGISTRY)
    with pytest.raises(GroupingError) as uncovered:
        group(
            graph, ["t", "u"], REGISTRY, inputs=[], outputs=[{"name": "out", "source": {"node": "u", "port": "result"}}]
        )
    with pytest.raises(GroupingError) as script:
        ungroup(graph, "t", {})

    assert [p.node for p in missing.value.problems] == ["ghost"]
    assert [(p.node, p.port) for p in uncovered.value.problems] == [("t", "table")]
    assert script.value.problems[0].node == "t"
