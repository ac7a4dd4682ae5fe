"""Planning: cache keys depend on what a node computes and nothing else; the ready-set helper."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.engine.graph import Edge, Graph, Node
from designer.engine.plan import Plan, cache_keys, make_plan, ready_nodes
from modules.sdk import Column, TableSchema

from .toys import REGISTRY, FakeDatasets, build

SCHEMA = TableSchema((Column("a", "integer"),))


def chain() -> Graph:
    return build(
        {"s": ("const", {"names": ["a", "b"]}), "t": ("add_one", {"column": "a"}), "u": ("select", {"columns": ["a"]})},
        ["s.table -> t.table", "t.result -> u.table"],
    )


def test_key_is_the_sha256_of_the_canonical_payload() -> None:
    # given a lone const node
    graph = build({"s": ("const", {"rows": 2})})

    # when keyed
    keys = cache_keys(graph, REGISTRY)

    # then the key hashes module, version, normalized params, inputs and data
    payload = {
        "module": "const",
        "version": 1,
        "params": {"names": ["a", "b"], "rows": 2, "start": 0},
        "inputs": {},
        "data": [],
    }
    expected = hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    assert keys == {"s": expected}


def test_input_keys_enter_the_payload() -> None:
    # given const -> add_one
    graph = build({"s": ("const", {}), "t": ("add_one", {})}, ["s.table -> t.table"])

    # when keyed
    keys = cache_keys(graph, REGISTRY)

    # then the child's key is built from the parent's key and port
    payload = {
        "module": "add_one",
        "version": 1,
        "params": {"column": "a"},
        "inputs": {"table": [keys["s"], "table"]},
        "data": [],
    }
    assert keys["t"] == hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def test_defaults_and_shorthand_normalize() -> None:
    # given the same parameters written in full, by default, and in shorthand
    spelled = build({"u": ("const", {"names": ["a", "b"], "rows": 3, "start": 0})})
    implicit = build({"u": ("const", {})})
    short = build({"s": ("const", {}), "u": ("select", {"columns": ["a"]})}, ["s.table -> u.table"])
    full = build(
        {
            "s": ("const", {}),
            "u": ("select", {"columns": {"start": "none", "rules": [{"op": "include", "names": ["a"]}]}}),
        },
        ["s.table -> u.table"],
    )

    # then they key the same
    assert cache_keys(spelled, REGISTRY) == cache_keys(implicit, REGISTRY)
    assert cache_keys(short, REGISTRY) == cache_keys(full, REGISTRY)


def test_layout_ids_document_order_and_regenerate_do_not_change_keys() -> None:
    # given a chain, and the same chain renamed, reordered, moved on the canvas and flagged to regenerate
    graph = chain()
    renamed = {"s": "src", "t": "plus", "u": "pick"}
    other = Graph(
        nodes={
            renamed[n.id]: dataclasses.replace(n, id=renamed[n.id], regenerate=True)
            for n in reversed(list(graph.nodes.values()))
        },
        edges=[Edge(renamed[e.source], e.source_port, renamed[e.target], e.target_port) for e in reversed(graph.edges)],
        parameters={},
        layout={"src": {"x": 500, "y": -20, "comment": "moved"}},
    )

    # when both are keyed
    keys = cache_keys(graph, REGISTRY)
    other_keys = cache_keys(other, REGISTRY)

    # then each node keeps its key
    assert {renamed[n]: k for n, k in keys.items()} == other_keys


def test_changing_a_parameter_changes_that_node_and_its_descendants_only() -> None:
    # given a chain and a side branch
    graph = chain()
    graph.nodes["side"] = Node("side", "const", 1, {"rows": 1})
    before = cache_keys(graph, REGISTRY)

    # when the middle node's parameter changes
    graph.nodes["t"] = dataclasses.replace(graph.nodes["t"], params={"column": "b"})
    after = cache_keys(graph, REGISTRY)

    # then exactly t and u change
    assert {n for n in before if before[n] != after[n]} == {"t", "u"}


def test_dataset_digests_enter_the_key() -> None:
    # given the same dataset id resolving to two different contents
    graph = build({"d": ("read_dataset", {"dataset": {"dataset_id": 1}})})
    first = FakeDatasets({1: ("1" * 64, SCHEMA)})
    second = FakeDatasets({1: ("2" * 64, SCHEMA)})

    # when keyed against each
    key_first = cache_keys(graph, REGISTRY, first)["d"]
    key_second = cache_keys(graph, REGISTRY, second)["d"]

    # then the keys differ, and each depends on the digest
    assert key_first != key_second
    payload = {
        "module": "read_dataset",
        "version": 1,
        "params": {"dataset": {"dataset_id": 1, "version": None}},
        "inputs": {},
        "data": ["1" * 64],
    }
    assert key_first == hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@pytest.mark.parametrize(
    ("graph", "datasets", "message"),
    [
        (build({"a": ("nope", {})}), None, "node 'a': unknown module 'nope'"),
        (build({"a": ("const", {"rows": -1})}), None, "node 'a' has invalid parameters"),
        (
            build({"a": ("add_one", {}), "b": ("add_one", {})}, ["a.result -> b.table", "b.result -> a.table"]),
            None,
            "Nodes 'a', 'b' form a cycle.",
        ),
        (
            build(
                {"a": ("const", {}), "b": ("const", {}), "c": ("add_one", {})},
                ["a.table -> c.table", "b.table -> c.table"],
            ),
            None,
            "input 'table' of node 'c' has more than one connection",
        ),
        (build({"a": ("const", {}), "c": ("add_one", {})}, ["a.nope -> c.table"]), None, "no output port 'nope'"),
        (build({"a": ("const", {}), "c": ("add_one", {})}, ["a.table -> c.nope"]), None, "no input port 'nope'"),
        (
            Graph(nodes={"a": Node("a", "const", 1)}, edges=[Edge("a", "table", "zz", "table")]),
            None,
            "one of them does not exist",
        ),
        (build({"d": ("read_dataset", {"dataset": {"dataset_id": 1}})}), None, "cache keys need a dataset lookup"),
        (
            build({"d": ("read_dataset", {"dataset": {"dataset_id": 1}})}),
            FakeDatasets({}),
            "dataset 1 cannot be resolved",
        ),
    ],
)
def test_graphs_that_cannot_be_keyed_raise_value_error(graph: Graph, datasets: Any, message: str) -> None:
    # when an invalid graph is keyed, then it is refused with a reason
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        cache_keys(graph, REGISTRY, datasets)


def test_make_plan_orders_and_links_nodes() -> None:
    # given a chain with a lone node listed first
    graph = chain()
    graph.nodes = {"lone": Node("lone", "const", 1), **graph.nodes}

    # when planned
    plan = make_plan(graph, REGISTRY)

    # then order, keys, parents and children are filled in
    assert plan.order == ["lone", "s", "t", "u"]
    assert plan.keys == cache_keys(graph, REGISTRY)
    assert plan.parents == {"lone": set(), "s": set(), "t": {"s"}, "u": {"t"}}
    assert plan.children == {"lone": set(), "s": {"t"}, "t": {"u"}, "u": set()}
    assert plan.descendants("s") == {"t", "u"}
    assert plan.descendants("u") == set()


def test_ready_nodes_follow_the_dependencies() -> None:
    # given a diamond plan: a -> b, a -> c, (b, c) -> d
    plan = Plan(
        order=["a", "b", "c", "d"],
        keys={},
        parents={"a": set(), "b": {"a"}, "c": {"a"}, "d": {"b", "c"}},
        children={"a": {"b", "c"}, "b": {"d"}, "c": {"d"}, "d": set()},
    )

    # then readiness advances as nodes finish, never offering started or done nodes
    assert ready_nodes(plan, done=set(), started=set()) == ["a"]
    assert ready_nodes(plan, done=set(), started={"a"}) == []
    assert ready_nodes(plan, done={"a"}, started={"a"}) == ["b", "c"]
    assert ready_nodes(plan, done={"a", "b"}, started={"a", "b", "c"}) == []
    assert ready_nodes(plan, done={"a", "b", "c"}, started={"a", "b", "c"}) == ["d"]
    assert ready_nodes(plan, done={"a", "b", "c", "d"}, started={"a", "b", "c", "d"}) == []


# -- property: a parameter change re-keys exactly the node and its descendants -----------------


@st.composite
def dags(draw: st.DrawFn) -> Graph:
    """Random DAGs of const sources, add_one steps and two-input joins, listed in a shuffled order."""
    size = draw(st.integers(2, 12))
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    outputs = {"const": "table", "add_one": "result", "join": "table"}
    for i in range(size):
        nid = f"n{i}"
        kind = "const" if i == 0 else draw(st.sampled_from(["const", "add_one", "join"]))
        if kind == "join" and i < 2:
            kind = "add_one"
        if kind == "const":
            nodes[nid] = Node(nid, "const", 1, {"start": draw(st.integers(0, 3))})
        elif kind == "add_one":
            parent = f"n{draw(st.integers(0, i - 1))}"
            nodes[nid] = Node(nid, "add_one", 1, {"column": draw(st.sampled_from(["a", "b"]))})
            edges.append(Edge(parent, outputs[nodes[parent].module], nid, "table"))
        else:
            left, right = draw(st.lists(st.integers(0, i - 1), min_size=2, max_size=2, unique=True))
            nodes[nid] = Node(nid, "join", 1, {})
            edges.append(Edge(f"n{left}", outputs[nodes[f"n{left}"].module], nid, "left"))
            edges.append(Edge(f"n{right}", outputs[nodes[f"n{right}"].module], nid, "right"))
    order = draw(st.permutations(list(nodes)))
    return Graph(nodes={n: nodes[n] for n in order}, edges=edges, parameters={}, layout={})


def _changed(node: Node) -> Node:
    if node.module == "const":
        return dataclasses.replace(node, params={"start": node.params["start"] + 10})
    return dataclasses.replace(node, params={"column": "b" if node.params["column"] == "a" else "a"})


@settings(max_examples=120, deadline=None)
@given(dags(), st.randoms(use_true_random=False))
def test_property_a_parameter_change_rekeys_the_node_and_its_descendants_only(graph: Graph, rnd: random.Random) -> None:
    # given a random DAG and one node with parameters
    before = cache_keys(graph, REGISTRY)
    target = rnd.choice([n for n in graph.nodes.values() if n.module != "join"])

    # when that node's parameter changes
    graph.nodes[target.id] = _changed(target)
    after = cache_keys(graph, REGISTRY)

    # then the changed keys are exactly the node and its descendants
    assert {n for n in before if before[n] != after[n]} == {target.id} | graph.descendants([target.id])


@settings(max_examples=60, deadline=None)
@given(dags(), st.randoms(use_true_random=False))
def test_property_document_order_and_layout_never_change_keys(graph: Graph, rnd: random.Random) -> None:
    # given a random DAG and the same DAG reordered, with a layout and shuffled edges
    ids = list(graph.nodes)
    rnd.shuffle(ids)
    edges = list(graph.edges)
    rnd.shuffle(edges)
    layout = {n: {"x": rnd.random() * 100, "y": rnd.random() * 100} for n in ids}
    other = Graph(nodes={n: graph.nodes[n] for n in ids}, edges=edges, parameters={}, layout=layout)

    # then the keys are the same
    assert cache_keys(other, REGISTRY) == cache_keys(graph, REGISTRY)
