"""The pipeline document: strict parsing, the canonical form, upgrades, graph queries, the JSON Schema."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.engine import graph as graph_module
from designer.engine.graph import (
    PIPELINE_JSON_SCHEMA,
    SCHEMA_VERSION,
    CycleError,
    Edge,
    Graph,
    Node,
    parse_graph,
    to_document,
    upgrade,
)
from designer.engine.problems import GraphFormatError, Problem


def doc(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "schema_version": 1,
        "nodes": [
            {"id": "n1", "module": "const", "version": 1, "params": {"rows": 2}},
            {"id": "n2", "module": "add_one", "version": 1, "params": {}, "regenerate": True},
        ],
        "edges": [{"source": {"node": "n1", "port": "table"}, "target": {"node": "n2", "port": "table"}}],
        "parameters": {"seed": 7},
        "layout": {"n1": {"x": 10, "y": 20.5, "comment": "source", "colour": "#ff0000"}},
    }
    base.update(overrides)
    return base


def problems_of(document: Any) -> list[tuple[str, str | None]]:
    with pytest.raises(GraphFormatError) as info:
        parse_graph(document)
    return [(p.code, p.path) for p in info.value.problems]


# -- parsing ------------------------------------------------------------------------------------


def test_parse_builds_nodes_edges_parameters_and_layout() -> None:
    # given a well-formed document
    document = doc()

    # when it is parsed
    graph = parse_graph(document)

    # then every part is there, with defaults filled in
    assert graph.nodes == {
        "n1": Node("n1", "const", 1, {"rows": 2}, False),
        "n2": Node("n2", "add_one", 1, {}, True),
    }
    assert graph.edges == [Edge("n1", "table", "n2", "table")]
    assert graph.parameters == {"seed": 7}
    assert graph.layout == {"n1": {"x": 10, "y": 20.5, "comment": "source", "colour": "#ff0000"}}


def test_parse_does_not_alias_the_input_document() -> None:
    # given a document
    document = doc()

    # when it is parsed and the document is changed afterwards
    graph = parse_graph(document)
    document["nodes"][0]["params"]["rows"] = 99
    document["parameters"]["seed"] = 0

    # then the graph keeps what was parsed
    assert graph.nodes["n1"].params == {"rows": 2}
    assert graph.parameters == {"seed": 7}


def test_round_trip_through_the_canonical_document() -> None:
    # given a parsed graph
    graph = parse_graph(doc())

    # when it goes to its document, through JSON text, and back
    text = json.dumps(to_document(graph))
    again = parse_graph(json.loads(text))

    # then nothing changed
    assert again == graph


def test_to_document_has_the_canonical_shape() -> None:
    # given a graph with a minimal node
    graph = Graph(nodes={"a": Node("a", "const", 1)}, edges=[], parameters={}, layout={})

    # when it is written out
    document = to_document(graph)

    # then every field is spelled out
    assert document == {
        "schema_version": SCHEMA_VERSION,
        "nodes": [{"id": "a", "module": "const", "version": 1, "params": {}, "regenerate": False}],
        "edges": [],
        "parameters": {},
        "layout": {},
    }


def test_optional_top_level_fields_default_to_empty() -> None:
    # given a document with only nodes and edges
    document = {"nodes": [{"id": "a", "module": "const", "version": 1}], "edges": []}

    # when it is parsed
    graph = parse_graph(document)

    # then parameters and layout are empty and the node has its defaults
    assert graph == Graph(nodes={"a": Node("a", "const", 1, {}, False)}, edges=[], parameters={}, layout={})


def test_layout_for_unknown_nodes_is_dropped_silently() -> None:
    # given a layout entry for a node that was deleted
    document = doc(layout={"gone": {"x": 1, "y": 2}, "n2": {"x": 3, "y": 4}})

    # when the document is parsed
    graph = parse_graph(document)

    # then only the entry for an existing node remains
    assert graph.layout == {"n2": {"x": 3, "y": 4}}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ([], [("format", None)]),
        ("nodes", [("format", None)]),
        (None, [("format", None)]),
        (doc(extra=1), [("format", "extra")]),
        ({"nodes": []}, [("format", "edges")]),
        (doc(nodes={}), [("format", "nodes")]),
        (doc(edges="n1->n2"), [("format", "edges")]),
        (doc(parameters=[]), [("format", "parameters")]),
        (doc(layout=[]), [("format", "layout")]),
        (doc(schema_version="1"), [("format", "schema_version")]),
        (doc(schema_version=0), [("format", "schema_version")]),
    ],
)
def test_top_level_faults(document: Any, expected: list[tuple[str, str | None]]) -> None:
    # when a malformed document is parsed, then each fault is reported at its path
    assert problems_of(document) == expected


def _with_node(node: Any, index: int = 1) -> dict[str, Any]:
    document = doc(edges=[])
    document["nodes"][index] = node
    return document


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ("n2", [("format", "nodes[1]")]),
        ({"id": "n2", "module": "m", "version": 1, "colour": "red"}, [("format", "nodes[1].colour")]),
        ({"module": "m", "version": 1}, [("format", "nodes[1].id")]),
        ({"id": "", "module": "m", "version": 1}, [("format", "nodes[1].id")]),
        ({"id": "has space", "module": "m", "version": 1}, [("format", "nodes[1].id")]),
        ({"id": "x" * 65, "module": "m", "version": 1}, [("format", "nodes[1].id")]),
        ({"id": 5, "module": "m", "version": 1}, [("format", "nodes[1].id")]),
        ({"id": "n2\n", "module": "m", "version": 1}, [("format", "nodes[1].id")]),
        ({"id": "n2", "module": "", "version": 1}, [("format", "nodes[1].module")]),
        ({"id": "n2", "module": 3, "version": 1}, [("format", "nodes[1].module")]),
        ({"id": "n2", "module": "m"}, [("format", "nodes[1].version")]),
        ({"id": "n2", "module": "m", "version": "1"}, [("format", "nodes[1].version")]),
        ({"id": "n2", "module": "m", "version": True}, [("format", "nodes[1].version")]),
        ({"id": "n2", "module": "m", "version": 0}, [("format", "nodes[1].version")]),
        ({"id": "n2", "module": "m", "version": 1, "params": []}, [("format", "nodes[1].params")]),
        ({"id": "n2", "module": "m", "version": 1, "params": {"f": float("nan")}}, [("format", "nodes[1].params.f")]),
        ({"id": "n2", "module": "m", "version": 1, "params": {"s": {1, 2}}}, [("format", "nodes[1].params.s")]),
        ({"id": "n2", "module": "m", "version": 1, "regenerate": "yes"}, [("format", "nodes[1].regenerate")]),
        ({"id": "n1", "module": "m", "version": 1}, [("duplicate_node", "nodes[1].id")]),
    ],
)
def test_node_faults(node: Any, expected: list[tuple[str, str | None]]) -> None:
    # when a document with one bad node is parsed, then the fault names the node's field
    assert problems_of(_with_node(node)) == expected


def _with_edge(edge: Any) -> dict[str, Any]:
    return doc(edges=[{"source": {"node": "n1", "port": "table"}, "target": {"node": "n2", "port": "table"}}, edge])


@pytest.mark.parametrize(
    ("edge", "expected"),
    [
        (["n1", "n2"], [("format", "edges[1]")]),
        ({"source": {"node": "n1", "port": "table"}}, [("format", "edges[1].target")]),
        (
            {"source": {"node": "n1", "port": "table"}, "target": {"node": "n2", "port": "t"}, "id": "e1"},
            [("format", "edges[1].id")],
        ),
        ({"source": {"node": "n1"}, "target": {"node": "n2", "port": "t"}}, [("format", "edges[1].source.port")]),
        (
            {"source": {"node": "n1", "port": ""}, "target": {"node": "n2", "port": "t"}},
            [("format", "edges[1].source.port")],
        ),
        (
            {"source": {"node": "n1", "port": "t", "x": 1}, "target": {"node": "n2", "port": "t"}},
            [("format", "edges[1].source.x")],
        ),
        (
            {"source": {"node": "n1", "port": "t"}, "target": {"node": "n9", "port": "t"}},
            [("dangling_edge", "edges[1].target.node")],
        ),
        (
            {"source": {"node": "zz", "port": "t"}, "target": {"node": "n2", "port": "t"}},
            [("dangling_edge", "edges[1].source.node")],
        ),
        ({"source": "n1.table", "target": {"node": "n2", "port": "t"}}, [("format", "edges[1].source")]),
    ],
)
def test_edge_faults(edge: Any, expected: list[tuple[str, str | None]]) -> None:
    # when a document with one bad edge is parsed, then the fault names the edge's field
    assert problems_of(_with_edge(edge)) == expected


@pytest.mark.parametrize(
    ("layout", "expected"),
    [
        ({"n1": []}, [("format", "layout.n1")]),
        ({"n1": {"x": "left"}}, [("format", "layout.n1.x")]),
        ({"n1": {"y": True}}, [("format", "layout.n1.y")]),
        ({"n1": {"comment": 5}}, [("format", "layout.n1.comment")]),
        ({"n1": {"z": 5}}, [("format", "layout.n1.z")]),
    ],
)
def test_layout_faults(layout: Any, expected: list[tuple[str, str | None]]) -> None:
    # when a layout entry of an existing node is malformed, then it is reported
    assert problems_of(doc(layout=layout)) == expected


def test_every_fault_is_reported_at_once() -> None:
    # given a document with faults in several places
    document = doc(
        extra=True,
        nodes=[
            {"id": "n1", "module": "const", "version": "one"},
            {"id": "n1", "module": "const", "version": 1},
            {"id": "n2", "module": "", "version": 1},
        ],
        edges=[{"source": {"node": "n1", "port": "table"}, "target": {"node": "nope", "port": "table"}}],
        layout={},
    )

    # when it is parsed, then all of them are listed, each with its path
    assert problems_of(document) == [
        ("format", "extra"),
        ("format", "nodes[0].version"),
        ("duplicate_node", "nodes[1].id"),
        ("format", "nodes[2].module"),
        ("dangling_edge", "edges[0].target.node"),
    ]


def test_messages_are_sentences_naming_the_fault() -> None:
    # given a duplicate node id
    document = _with_node({"id": "n1", "module": "m", "version": 1})

    # when it is parsed
    with pytest.raises(GraphFormatError) as info:
        parse_graph(document)

    # then the message says what is wrong in words
    assert info.value.problems == [
        Problem("duplicate_node", "Node id 'n1' is used twice; node ids must be unique.", node="n1", path="nodes[1].id")
    ]
    assert str(info.value) == "Node id 'n1' is used twice; node ids must be unique."


def test_an_edge_of_a_broken_node_is_not_called_dangling() -> None:
    # given a node with a bad version that an edge points at
    document = doc()
    document["nodes"][1]["version"] = -1

    # when parsed, then only the node is blamed
    assert problems_of(document) == [("format", "nodes[1].version")]


def test_too_many_nodes_is_refused_naming_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a limit of 3 nodes and a document with 4
    monkeypatch.setattr(graph_module, "MAX_NODES", 3)
    document = doc(nodes=[{"id": f"n{i}", "module": "m", "version": 1} for i in range(4)], edges=[])

    # when it is parsed
    with pytest.raises(GraphFormatError) as info:
        parse_graph(document)

    # then the one problem names the limit
    assert info.value.problems == [
        Problem("format", "A pipeline may have at most 3 nodes; this one has 4.", path="nodes")
    ]


def test_node_and_edge_limits_are_2000_and_10000() -> None:
    # then the documented limits hold, in the parser and in the JSON Schema
    assert (graph_module.MAX_NODES, graph_module.MAX_EDGES) == (2000, 10000)
    assert PIPELINE_JSON_SCHEMA["properties"]["nodes"]["maxItems"] == 2000
    assert PIPELINE_JSON_SCHEMA["properties"]["edges"]["maxItems"] == 10000


def test_too_many_edges_is_refused() -> None:
    # given 10001 edges
    edge = {"source": {"node": "n1", "port": "table"}, "target": {"node": "n2", "port": "table"}}
    document = doc(edges=[edge] * 10001)

    # when parsed, then the limit is named
    assert problems_of(document) == [("format", "edges")]


def test_a_large_pipeline_parses_quickly() -> None:
    # given 2000 nodes in a chain
    nodes = [{"id": f"n{i}", "module": "add_one", "version": 1, "params": {"column": "a"}} for i in range(2000)]
    edges = [
        {"source": {"node": f"n{i}", "port": "table"}, "target": {"node": f"n{i + 1}", "port": "table"}}
        for i in range(1999)
    ]

    # when it is parsed and ordered
    graph = parse_graph({"nodes": nodes, "edges": edges})

    # then the order follows the chain
    assert graph.topological_order() == [f"n{i}" for i in range(2000)]


# -- upgrades -----------------------------------------------------------------------------------


def test_a_document_without_schema_version_is_version_1() -> None:
    # given a document with no schema version
    document = doc()
    del document["schema_version"]

    # when upgraded, then it is version 1 and the input is untouched
    assert upgrade(document)["schema_version"] == 1
    assert "schema_version" not in document


def test_a_document_from_a_newer_tessera_is_refused() -> None:
    # given a document with a future schema version
    document = doc(schema_version=SCHEMA_VERSION + 1)

    # when it is parsed
    with pytest.raises(GraphFormatError) as info:
        parse_graph(document)

    # then the message says so
    assert [p.path for p in info.value.problems] == ["schema_version"]
    assert "written by a newer Tessera" in str(info.value)


def test_upgrade_steps_run_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a world at schema version 3 where version 1 stored "links" and version 2 stored "wires"
    monkeypatch.setattr(graph_module, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(
        graph_module,
        "UPGRADES",
        {
            1: lambda d: {**{k: v for k, v in d.items() if k != "links"}, "wires": d["links"]},
            2: lambda d: {**{k: v for k, v in d.items() if k != "wires"}, "edges": d["wires"]},
        },
    )

    # when a version-1 document is upgraded
    upgraded = upgrade({"schema_version": 1, "nodes": [], "links": []})

    # then both steps ran
    assert upgraded == {"schema_version": 3, "nodes": [], "edges": []}


# -- graph queries ------------------------------------------------------------------------------


def diamond() -> Graph:
    """a -> b, a -> c, b -> d, c -> d, plus a lone e; document order d, c, b, a, e on purpose."""
    nodes = {n: Node(n, "m", 1) for n in ("d", "c", "b", "a", "e")}
    edges = [
        Edge("a", "out", "b", "in"),
        Edge("a", "out", "c", "in"),
        Edge("b", "out", "d", "left"),
        Edge("c", "out", "d", "right"),
    ]
    return Graph(nodes=nodes, edges=edges, parameters={}, layout={})


def test_neighbour_queries() -> None:
    # given a diamond
    g = diamond()

    # then each query answers from the edges
    assert g.incoming("d") == {"left": Edge("b", "out", "d", "left"), "right": Edge("c", "out", "d", "right")}
    assert g.outgoing("a") == [Edge("a", "out", "b", "in"), Edge("a", "out", "c", "in")]
    assert g.parents("d") == {"b", "c"}
    assert g.children("a") == {"b", "c"}
    assert g.parents("e") == set()
    assert g.descendants(["a"]) == {"b", "c", "d"}
    assert g.descendants(["b", "d"]) == set()
    assert g.descendants(["b", "c"]) == {"d"}


def test_topological_order_breaks_ties_by_document_order() -> None:
    # given a diamond listed backwards in the document, then ready nodes go in document order
    assert diamond().topological_order() == ["a", "c", "b", "d", "e"]


def test_cycle_error_lists_the_nodes_on_the_cycle() -> None:
    # given a -> b -> c -> a, with d downstream of the cycle and e upstream of it
    nodes = {n: Node(n, "m", 1) for n in ("e", "a", "b", "c", "d")}
    edges = [
        Edge("e", "o", "a", "i2"),
        Edge("a", "o", "b", "i"),
        Edge("b", "o", "c", "i"),
        Edge("c", "o", "a", "i"),
        Edge("c", "o", "d", "i"),
    ]
    g = Graph(nodes=nodes, edges=edges, parameters={}, layout={})

    # when it is ordered
    with pytest.raises(CycleError) as info:
        g.topological_order()

    # then only the nodes on the cycle are named, and the orderable part is kept
    assert info.value.nodes == ["a", "b", "c"]
    assert info.value.cycles == [["a", "b", "c"]]
    assert info.value.order == ["e"]
    assert isinstance(info.value, ValueError)


def test_separate_cycles_and_self_loops_are_told_apart() -> None:
    # given x <-> y and a self-looping z
    nodes = {n: Node(n, "m", 1) for n in ("x", "y", "z")}
    edges = [Edge("x", "o", "y", "i"), Edge("y", "o", "x", "i"), Edge("z", "o", "z", "i")]
    g = Graph(nodes=nodes, edges=edges, parameters={}, layout={})

    # when it is ordered, then each cycle is listed on its own
    with pytest.raises(CycleError) as info:
        g.topological_order()
    assert info.value.cycles == [["x", "y"], ["z"]]
    assert info.value.nodes == ["x", "y", "z"]


# -- JSON Schema --------------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    # then the schema itself checks out against its metaschema
    jsonschema.Draft202012Validator.check_schema(PIPELINE_JSON_SCHEMA)


def test_canonical_documents_validate_against_the_schema() -> None:
    # given the canonical document of a parsed graph
    document = to_document(parse_graph(doc()))

    # then the schema accepts it
    jsonschema.Draft202012Validator(PIPELINE_JSON_SCHEMA).validate(document)


SCHEMA_EXPRESSIBLE_FAULTS = [
    [],
    doc(extra=1),
    {"nodes": []},
    doc(nodes={}),
    doc(parameters=[]),
    doc(layout={"n1": {"x": "left"}}),
    doc(layout={"n1": {"z": 1}}),
    doc(schema_version=SCHEMA_VERSION + 1),
    _with_node({"id": "has space", "module": "m", "version": 1}),
    _with_node({"id": "", "module": "m", "version": 1}),
    _with_node({"id": "n2", "module": "", "version": 1}),
    _with_node({"id": "n2", "module": "m", "version": True}),
    _with_node({"id": "n2", "module": "m", "version": 0}),
    _with_node({"id": "n2", "module": "m", "version": 1, "regenerate": "yes"}),
    _with_node({"id": "n2", "module": "m", "version": 1, "colour": "red"}),
    _with_node({"id": "n2", "module": "m"}),
    _with_edge({"source": {"node": "n1"}, "target": {"node": "n2", "port": "t"}}),
    _with_edge({"source": {"node": "n1", "port": "t"}, "target": {"node": "n2", "port": "t"}, "id": 1}),
]


@pytest.mark.parametrize("document", SCHEMA_EXPRESSIBLE_FAULTS)
def test_documents_the_parser_refuses_are_refused_by_the_schema(document: Any) -> None:
    # given a document the parser refuses
    with pytest.raises(GraphFormatError):
        parse_graph(copy.deepcopy(document))

    # then the JSON Schema refuses it too
    assert not jsonschema.Draft202012Validator(PIPELINE_JSON_SCHEMA).is_valid(document)


# -- property: round trip -----------------------------------------------------------------------

ids = st.from_regex(r"\A[A-Za-z0-9_-]{1,12}\Z")
json_scalars = (
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    json_scalars | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
param_dicts = st.dictionaries(st.text(max_size=8), json_values, max_size=4)
layouts = st.fixed_dictionaries(
    {},
    optional={
        "x": st.floats(-1e6, 1e6),
        "y": st.integers(-5000, 5000),
        "comment": st.text(max_size=10),
        "colour": st.sampled_from(["#fff", "red", ""]),
    },
)


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    node_ids = draw(st.lists(ids, min_size=0, max_size=8, unique=True))
    nodes = {
        nid: Node(
            nid,
            draw(st.from_regex(r"\A[a-z][a-z0-9_]{1,10}\Z")),
            draw(st.integers(1, 5)),
            draw(param_dicts),
            draw(st.booleans()),
        )
        for nid in node_ids
    }
    edges = []
    if node_ids:
        for _ in range(draw(st.integers(0, 10))):
            edges.append(Edge(draw(st.sampled_from(node_ids)), draw(ids), draw(st.sampled_from(node_ids)), draw(ids)))
    layout = {nid: draw(layouts) for nid in node_ids if draw(st.booleans())}
    return Graph(nodes=nodes, edges=edges, parameters=draw(param_dicts), layout=layout)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_property_parse_inverts_to_document(graph: Graph) -> None:
    # when any graph goes to its document, through JSON text, and back
    document = to_document(graph)
    again = parse_graph(json.loads(json.dumps(document)))

    # then it is unchanged, and the document satisfies the published schema
    assert again == graph
    assert jsonschema.Draft202012Validator(PIPELINE_JSON_SCHEMA).is_valid(document)
