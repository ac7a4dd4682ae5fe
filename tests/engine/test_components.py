"""Components: expansion into namespaced inner nodes, cache keys equal to the inlined pipeline's, problems
that name the component node and the inner node, nesting, self-containment, linked and pinned nodes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.engine.component_check import check_version
from designer.engine.components import (
    ComponentVersion,
    MappingLookup,
    accept_update,
    available_updates,
    describe,
    expand,
    used_versions,
)
from designer.engine.graph import Edge, Graph, Node, parse_graph, to_document
from designer.engine.plan import cache_keys
from designer.engine.problems import GraphFormatError
from designer.engine.validate import validate
from modules.library.python_language.script_component import MAX_SCRIPT_CHARS, ScriptComponent
from modules.sdk import Registry

from .toys import TOYS, build

REGISTRY = Registry()
for _cls in (*TOYS, ScriptComponent):
    REGISTRY.register(_cls)


def inner_doc(graph: Graph) -> dict[str, Any]:
    return to_document(graph)


#: "Prep": add one to a column, then select columns; exposes the column to add to.
PREP = {
    "kind": "graph",
    "graph": inner_doc(
        build(
            {"t": ("add_one", {"column": "a"}), "u": ("select", {"columns": ["a", "b"]})},
            ["t.result -> u.table"],
        )
    ),
    "inputs": [{"name": "dataset", "description": "", "targets": [{"node": "t", "port": "table"}]}],
    "outputs": [{"name": "cleaned", "description": "", "source": {"node": "u", "port": "result"}}],
    "parameters": [{"name": "column", "description": "Column to bump", "targets": [{"node": "t", "param": "column"}]}],
}


def lookup(**versions: tuple[int, int, dict[str, Any]]) -> MappingLookup:
    return MappingLookup(
        {
            (ident, number): ComponentVersion(ident, number, name.capitalize(), doc)
            for name, (ident, number, doc) in versions.items()
        }
    )


def outer(params: dict[str, Any] | None = None, version: int = 1, component: int = 7) -> Graph:
    return Graph(
        nodes={
            "s": Node("s", "const", 1, {"names": ["a", "b", "c"]}),
            "prep": Node("prep", f"component:{component}", version, params or {}),
            "after": Node("after", "add_one", 1, {"column": "b"}),
        },
        edges=[Edge("s", "table", "prep", "dataset"), Edge("prep", "cleaned", "after", "table")],
    )


def inlined(column: str = "a") -> Graph:
    return build(
        {
            "s": ("const", {"names": ["a", "b", "c"]}),
            "t": ("add_one", {"column": column}),
            "u": ("select", {"columns": ["a", "b"]}),
            "after": ("add_one", {"column": "b"}),
        },
        ["s.table -> t.table", "t.result -> u.table", "u.result -> after.table"],
    )


def test_a_component_node_expands_into_namespaced_inner_nodes_wired_to_its_ports() -> None:
    expansion = expand(outer(), REGISTRY, lookup(prep=(7, 1, PREP)))

    assert expansion.problems == []
    assert list(expansion.graph.nodes) == ["s", "prep/t", "prep/u", "after"]
    assert set(expansion.graph.edges) == {
        Edge("prep/t", "result", "prep/u", "table"),
        Edge("s", "table", "prep/t", "table"),
        Edge("prep/u", "result", "after", "table"),
    }
    assert expansion.components_json() == {"prep": {"component": 7, "version": 1, "nodes": ["prep/t", "prep/u"]}}


def test_inner_cache_keys_equal_those_of_the_same_nodes_inlined() -> None:
    expansion = expand(outer({"column": "b"}), REGISTRY, lookup(prep=(7, 1, PREP)))

    keys = cache_keys(expansion.graph, REGISTRY)
    flat = cache_keys(inlined(column="b"), REGISTRY)

    assert keys["prep/t"] == flat["t"] and keys["prep/u"] == flat["u"] and keys["after"] == flat["after"]
    assert keys["prep/t"] != cache_keys(inlined(column="a"), REGISTRY)["t"]


def test_a_new_version_with_one_inner_change_changes_only_the_keys_below_it() -> None:
    changed = {**PREP, "graph": {**PREP["graph"], "nodes": [dict(n) for n in PREP["graph"]["nodes"]]}}
    changed["graph"]["nodes"][1]["params"] = {"columns": ["a"]}
    versions = lookup(prep=(7, 1, PREP), prep2=(7, 2, changed))

    before = cache_keys(expand(outer(version=1), REGISTRY, versions).graph, REGISTRY)
    after = cache_keys(expand(outer(version=2), REGISTRY, versions).graph, REGISTRY)

    assert before["prep/t"] == after["prep/t"]
    assert before["prep/u"] != after["prep/u"] and before["after"] != after["after"]


def test_a_pipeline_parameter_bound_to_an_exposed_parameter_gives_the_key_of_the_constant() -> None:
    graph = outer({"column": {"$param": "col"}})
    graph.parameters = {"col": {"type": "string", "default": "b"}}
    from designer.engine.parameters import resolve

    expansion = expand(graph, REGISTRY, lookup(prep=(7, 1, PREP)))
    resolved = resolve(expansion.graph, {"col": "b"}).graph

    assert cache_keys(resolved, REGISTRY)["prep/t"] == cache_keys(inlined(column="b"), REGISTRY)["t"]
    assert validate(graph, REGISTRY, components=lookup(prep=(7, 1, PREP))).problems == []


def test_nested_components_get_ids_a_b_c_and_still_key_as_inlined() -> None:
    wrapper = {
        "kind": "graph",
        "graph": {
            "schema_version": 1,
            "nodes": [{"id": "inner", "module": "component:7", "version": 1, "params": {"column": "b"}}],
            "edges": [],
        },
        "inputs": [{"name": "data", "targets": [{"node": "inner", "port": "dataset"}]}],
        "outputs": [{"name": "out", "source": {"node": "inner", "port": "cleaned"}}],
        "parameters": [],
    }
    graph = Graph(
        nodes={"s": Node("s", "const", 1, {"names": ["a", "b", "c"]}), "w": Node("w", "component:8", 1, {})},
        edges=[Edge("s", "table", "w", "data")],
    )

    expansion = expand(graph, REGISTRY, lookup(prep=(7, 1, PREP), wrap=(8, 1, wrapper)))

    assert expansion.problems == []
    assert list(expansion.graph.nodes) == ["s", "w/inner/t", "w/inner/u"]
    assert set(expansion.groups) == {"w", "w/inner"}
    assert cache_keys(expansion.graph, REGISTRY)["w/inner/u"] == cache_keys(inlined(column="b"), REGISTRY)["u"]
    assert used_versions(graph, lookup(prep=(7, 1, PREP), wrap=(8, 1, wrapper))) == {(8, 1), (7, 1)}


def _self(ident: int, uses: int) -> dict[str, Any]:
    return {
        "kind": "graph",
        "graph": {"nodes": [{"id": "x", "module": f"component:{uses}", "version": 1}], "edges": []},
        "inputs": [],
        "outputs": [{"name": "out", "source": {"node": "x", "port": "out"}}],
        "parameters": [],
    }


@pytest.mark.parametrize("chain", [[(5, 5)], [(5, 6), (6, 5)], [(5, 6), (6, 9), (9, 5)]])
def test_a_component_that_contains_itself_is_refused(chain: list[tuple[int, int]]) -> None:
    versions = MappingLookup({(a, 1): ComponentVersion(a, 1, f"C{a}", _self(a, b)) for a, b in chain})
    graph = Graph(nodes={"n": Node("n", "component:5", 1)}, edges=[])

    result = validate(graph, REGISTRY, components=versions)

    assert [p.code for p in result.problems] == ["component_cycle"]
    assert "contains itself" in result.problems[0].message
    # and saving the version that closes the loop is refused before anything is created
    face, problems = check_version(_self(5, chain[0][1]), REGISTRY, versions, component_id=5, name="C5")
    assert any(p.code == "component_cycle" for p in problems)


def test_an_invalid_inner_parameter_names_the_component_node_and_the_inner_node() -> None:
    broken = {**PREP, "graph": {**PREP["graph"], "nodes": [dict(n) for n in PREP["graph"]["nodes"]]}}
    broken["graph"]["nodes"][1]["params"] = {"columns": ["a", "zzz"]}

    result = validate(outer(), REGISTRY, components=lookup(prep=(7, 1, broken)))

    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.code == "unknown_column" and problem.node == "prep/u" and problem.column == "zzz"
    assert problem.message.startswith("Component 'Prep' (node prep) › Select Columns (u): parameter 'columns'")
    assert problem.path == "nodes[1].inner.u.params.columns"


def test_a_bad_value_for_an_exposed_parameter_names_that_parameter_on_the_component_node() -> None:
    result = validate(outer({"column": "nope"}), REGISTRY, components=lookup(prep=(7, 1, PREP)))

    assert [(p.code, p.node, p.param, p.path) for p in result.problems] == [
        ("unknown_column", "prep", "column", "nodes[1].params.column")
    ]
    assert "Component 'Prep' (node prep): parameter 'column'" in result.problems[0].message
    assert "'nope'" in result.problems[0].message


def test_column_pickers_inside_see_the_columns_flowing_in_and_the_component_ports_have_schemas() -> None:
    result = validate(outer({"column": "c"}), REGISTRY, components=lookup(prep=(7, 1, PREP)))

    assert result.problems == []
    assert result.schemas["prep"]["cleaned"] is not None
    assert result.schemas["prep"]["cleaned"].names == ["a", "b"]
    assert result.schemas["prep/t"]["result"].names == ["a", "b", "c"]


def test_an_edge_to_a_port_the_component_does_not_have_is_named() -> None:
    graph = outer()
    graph.edges.append(Edge("s", "table", "prep", "other"))

    result = validate(graph, REGISTRY, components=lookup(prep=(7, 1, PREP)))

    assert [(p.code, p.node, p.port) for p in result.problems] == [("unknown_port", "prep", "other")]
    assert "its input ports are: 'dataset'" in result.problems[0].message


def test_unknown_parameter_and_missing_version_are_refused_naming_the_node() -> None:
    versions = lookup(prep=(7, 1, PREP))

    unknown = validate(outer({"colour": "red"}), REGISTRY, components=versions).problems
    missing = validate(outer(version=3), REGISTRY, components=versions).problems

    assert [(p.code, p.node, p.param) for p in unknown] == [("invalid_param", "prep", "colour")]
    assert [(p.code, p.node, p.path) for p in missing] == [("unknown_component", "prep", "nodes[1].version")]


def test_a_pinned_node_ignores_newer_versions_and_a_linked_one_moves_only_when_accepted() -> None:
    graph = Graph(
        nodes={
            "linked": Node("linked", "component:7", 1, link="latest"),
            "default": Node("default", "component:7", 1),
            "pinned": Node("pinned", "component:7", 1, link="pinned"),
            "plain": Node("plain", "const", 1),
        },
        edges=[],
    )

    updates = available_updates(graph, {7: 3})
    accepted = accept_update(graph, "linked", 3)

    assert updates == {"linked": 3, "default": 3}
    assert graph.nodes["linked"].version == 1  # nothing moves until accepted
    assert accepted.nodes["linked"].version == 3 and accepted.nodes["pinned"].version == 1
    assert available_updates(accepted, {7: 3}) == {"default": 3}


def test_link_is_kept_by_the_document_and_allowed_on_component_nodes_only() -> None:
    doc = {"nodes": [{"id": "p", "module": "component:7", "version": 2, "link": "pinned"}], "edges": []}

    graph = parse_graph(doc)

    assert graph.nodes["p"].link == "pinned"
    assert to_document(graph)["nodes"][0]["link"] == "pinned"
    with pytest.raises(GraphFormatError) as err:
        parse_graph({"nodes": [{"id": "c", "module": "const", "version": 1, "link": "latest"}], "edges": []})
    assert err.value.problems[0].path == "nodes[0].link"
    with pytest.raises(GraphFormatError):
        parse_graph({"nodes": [{"id": "c", "module": "component:x", "version": 1}], "edges": []})


def test_check_version_refuses_inner_ports_neither_connected_nor_exposed_and_double_exposure() -> None:
    unfed = {**PREP, "inputs": []}
    twice = {
        **PREP,
        "parameters": [
            {"name": "one", "targets": [{"node": "t", "param": "column"}]},
            {"name": "two", "targets": [{"node": "t", "param": "column"}]},
        ],
    }
    clash = {**PREP, "outputs": [{"name": "dataset", "source": {"node": "u", "port": "result"}}]}
    nowhere = {**PREP, "inputs": [{"name": "dataset", "targets": [{"node": "ghost", "port": "table"}]}]}

    ok_face, ok = check_version(PREP, REGISTRY, None, component_id=7, name="Prep")
    _f, unfed_problems = check_version(unfed, REGISTRY, None, component_id=7, name="Prep")
    _f, twice_problems = check_version(twice, REGISTRY, None, component_id=7)
    _f, clash_problems = check_version(clash, REGISTRY, None, component_id=7)
    _f, nowhere_problems = check_version(nowhere, REGISTRY, None, component_id=7)

    assert ok == []
    assert ok_face is not None and [p["type"] for p in ok_face.inputs] == ["table"]
    assert [(p.code, p.node, p.port) for p in unfed_problems] == [("missing_input", "t", "table")]
    assert "exposed twice" in twice_problems[0].message
    assert "used twice" in clash_problems[0].message
    assert "ghost" in nowhere_problems[0].message and nowhere_problems[0].port == "dataset"


def test_the_catalogue_entry_is_shaped_like_a_module_entry() -> None:
    entry = describe(ComponentVersion(7, 2, "Prep", PREP, "Bump and select"), REGISTRY)
    module_entry = REGISTRY.get("add_one").describe()

    assert set(entry) == set(module_entry)
    assert entry["id"] == "component:7" and entry["version"] == 2 and entry["category"] == "Components"
    assert [(p["name"], p["type"], p["optional"]) for p in entry["inputs"]] == [("dataset", "table", False)]
    assert [(p["name"], p["type"]) for p in entry["outputs"]] == [("cleaned", "table")]
    assert entry["params_schema"]["properties"]["column"]["default"] == "a"
    assert entry["column_params"] == [{"param": "column", "widget": "column", "port": "dataset"}]


# -- script components ----------------------------------------------------------------------------

SCRIPT = {
    "kind": "script",
    "script": "def run(inputs, params):\n    return {'result': inputs['dataset'].head(params['k'])}\n",
    "spec": {
        "category": "Text Analytics",
        "description": "First k rows",
        "inputs": [{"name": "dataset", "type": "table", "optional": False, "description": ""}],
        "outputs": [{"name": "result", "type": "table", "description": ""}],
        "parameters": [{"name": "k", "type": "integer", "default": 3, "minimum": 1, "maximum": 100}],
    },
}


def test_a_script_component_becomes_one_node_of_the_hidden_module_with_its_ports_mapped() -> None:
    graph = Graph(
        nodes={
            "s": Node("s", "const", 1),
            "top": Node("top", "component:3", 1, {"k": 2}),
            "after": Node("after", "select", 1, {"columns": ["a"]}),
        },
        edges=[Edge("s", "table", "top", "dataset"), Edge("top", "result", "after", "table")],
    )

    expansion = expand(graph, REGISTRY, lookup(top=(3, 1, SCRIPT)))

    node = expansion.graph.nodes["top"]
    assert node.module == "script_component" and node.params["values"] == {"k": 2}
    assert set(expansion.graph.edges) == {
        Edge("s", "table", "top", "input_1"),
        Edge("top", "output_1", "after", "table"),
    }
    assert expansion.components_json()["top"]["ports"] == {
        "inputs": {"dataset": "input_1"},
        "outputs": {"result": "output_1"},
    }
    assert validate(graph, REGISTRY, components=lookup(top=(3, 1, SCRIPT))).problems == []
    entry = describe(ComponentVersion(3, 1, "Top", SCRIPT), REGISTRY)
    assert entry["category"] == "Text Analytics" and entry["params_schema"]["properties"]["k"]["maximum"] == 100


def test_a_script_component_value_out_of_range_or_a_required_input_unconnected_is_named() -> None:
    graph = Graph(nodes={"top": Node("top", "component:3", 1, {"k": 5})}, edges=[])

    problems = validate(graph, REGISTRY, components=lookup(top=(3, 1, SCRIPT))).problems

    assert [(p.code, p.node, p.port) for p in problems] == [("missing_input", "top", "dataset")]
    graph = Graph(
        nodes={"s": Node("s", "const", 1), "top": Node("top", "component:3", 1, {"k": 500})},
        edges=[Edge("s", "table", "top", "dataset")],
    )
    problems = validate(graph, REGISTRY, components=lookup(top=(3, 1, SCRIPT))).problems
    assert [(p.code, p.node, p.param) for p in problems] == [("invalid_param", "top", "k")]
    assert "at most 100" in problems[0].message


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"spec": {**SCRIPT["spec"], "inputs": [{"name": "dataset", "type": "model"}]}}, "spec.inputs[0].type"),
        (
            {"spec": {**SCRIPT["spec"], "outputs": [{"name": "dataset", "type": "table"}]}},
            "spec.outputs[0].name",
        ),
        ({"spec": {**SCRIPT["spec"], "parameters": [{"name": "k", "type": "float"}]}}, "spec.parameters[0].type"),
        ({"script": "#" * (MAX_SCRIPT_CHARS + 1)}, "script"),
        (
            {"spec": {**SCRIPT["spec"], "environment": {"name": "x", "version": 1, "hash": "0" * 64}}},
            "spec.environment",
        ),
    ],
)
def test_a_bad_spec_or_an_oversized_script_is_refused_naming_the_field(change: dict[str, Any], path: str) -> None:
    _face, problems = check_version({**SCRIPT, **change}, REGISTRY, None, component_id=3)

    assert [p.path for p in problems] == [path]


def test_a_script_components_environment_reaches_its_node_and_its_cache_key() -> None:
    from modules.library.python_language._requirements import content_hash

    lines = ["tabulate==0.9.0"]
    choice = {
        "name": "tabular",
        "version": 2,
        "base": "worker",
        "requirements": lines,
        "hash": content_hash("worker", lines),
    }
    with_env = {**SCRIPT, "spec": {**SCRIPT["spec"], "environment": choice}}
    graph = Graph(
        nodes={"s": Node("s", "const", 1), "top": Node("top", "component:3", 1, {"k": 2})},
        edges=[Edge("s", "table", "top", "dataset")],
    )

    plain = expand(graph, REGISTRY, lookup(top=(3, 1, SCRIPT))).graph
    chosen = expand(graph, REGISTRY, lookup(top=(3, 1, with_env))).graph

    assert "environment" not in plain.nodes["top"].params and chosen.nodes["top"].params["environment"] == choice
    assert cache_keys(plain, REGISTRY)["top"] != cache_keys(chosen, REGISTRY)["top"]
    assert validate(graph, REGISTRY, components=lookup(top=(3, 1, with_env))).problems == []


# -- properties -----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    length=st.integers(min_value=2, max_value=7),
    data=st.data(),
)
def test_grouping_any_contiguous_run_of_a_chain_keeps_every_cache_key(length: int, data: st.DataObject) -> None:
    columns = data.draw(st.lists(st.sampled_from(["a", "b"]), min_size=length, max_size=length))
    start = data.draw(st.integers(min_value=0, max_value=length - 1))
    stop = data.draw(st.integers(min_value=start + 1, max_value=length))
    chain = [f"n{i}" for i in range(length)]
    flat = build(
        {"s": ("const", {}), **{n: ("add_one", {"column": c}) for n, c in zip(chain, columns, strict=True)}},
        [f"{a}.result -> {b}.table" for a, b in zip(["s", *chain], chain, strict=False)],
    )
    flat.edges[0] = Edge("s", "table", chain[0], "table")
    grouped_ids = chain[start:stop]
    inner = build(
        {n: ("add_one", {"column": columns[chain.index(n)]}) for n in grouped_ids},
        [f"{a}.result -> {b}.table" for a, b in zip(grouped_ids, grouped_ids[1:], strict=False)],
    )
    doc = {
        "kind": "graph",
        "graph": to_document(inner),
        "inputs": [{"name": "dataset", "targets": [{"node": grouped_ids[0], "port": "table"}]}],
        "outputs": [{"name": "out", "source": {"node": grouped_ids[-1], "port": "result"}}],
        "parameters": [],
    }
    outside = [n for n in chain if n not in grouped_ids]
    nodes = {"s": Node("s", "const", 1)}
    nodes.update({n: flat.nodes[n] for n in chain[:start]})
    nodes["g"] = Node("g", "component:1", 1)
    nodes.update({n: flat.nodes[n] for n in chain[stop:]})
    before = chain[start - 1] if start > 0 else "s"
    edges = [e for e in flat.edges if e.source in nodes and e.target in nodes]
    edges.append(Edge(before, "table" if before == "s" else "result", "g", "dataset"))
    if stop < length:
        edges.append(Edge("g", "out", chain[stop], "table"))
    graph = Graph(nodes=nodes, edges=edges)

    expansion = expand(graph, REGISTRY, lookup(g=(1, 1, doc)))
    keys = cache_keys(expansion.graph, REGISTRY)
    flat_keys = cache_keys(flat, REGISTRY)

    assert expansion.problems == []
    assert {n: keys[n] for n in outside} == {n: flat_keys[n] for n in outside}
    assert {n: keys[f"g/{n}"] for n in grouped_ids} == {n: flat_keys[n] for n in grouped_ids}


def test_accepting_an_update_while_co_editing_is_one_op_on_component_nodes_only() -> None:
    from designer.engine.ops import OpError, apply_op

    doc = {
        "nodes": [
            {"id": "p", "module": "component:7", "version": 1, "link": "latest"},
            {"id": "c", "module": "const", "version": 1},
        ],
        "edges": [],
    }

    moved = apply_op(doc, {"kind": "set_component_version", "node": "p", "version": 3, "link": "pinned"})

    assert (moved["nodes"][0]["version"], moved["nodes"][0]["link"]) == (3, "pinned")
    with pytest.raises(OpError, match="not a component node"):
        apply_op(doc, {"kind": "set_component_version", "node": "c", "version": 2})
    with pytest.raises(OpError, match="positive whole number"):
        apply_op(doc, {"kind": "set_component_version", "node": "p", "version": 0})


def test_regenerate_on_a_component_node_regenerates_every_inner_node() -> None:
    graph = outer()
    graph.nodes["prep"] = Node("prep", "component:7", 1, {}, regenerate=True)

    expansion = expand(graph, REGISTRY, lookup(prep=(7, 1, PREP)))

    assert {n.id: n.regenerate for n in expansion.graph.nodes.values()} == {
        "s": False,
        "prep/t": True,
        "prep/u": True,
        "after": False,
    }


def test_a_compute_target_chosen_on_a_component_node_is_every_inner_nodes_and_keeps_the_keys() -> None:
    # given a component whose node "u" names a compute target of its own
    doc = {
        **PREP,
        "graph": {
            **PREP["graph"],
            "nodes": [{**n, "compute": "saved"} if n["id"] == "u" else n for n in PREP["graph"]["nodes"]],
        },
    }
    plain = expand(outer(), REGISTRY, lookup(prep=(7, 1, doc))).graph
    graph = outer()
    graph.nodes["prep"] = Node("prep", "component:7", 1, {}, compute="big")

    # when the canvas chooses "big" on the component node
    expansion = expand(graph, REGISTRY, lookup(prep=(7, 1, doc)))

    # then every inner node runs on it, the nodes outside keep theirs, and no cache key changes
    assert expansion.problems == []
    assert {n.id: n.compute for n in expansion.graph.nodes.values()} == {
        "s": None,
        "prep/t": "big",
        "prep/u": "big",
        "after": None,
    }
    # without a choice on the component node, an inner node keeps the target saved in the component
    assert {n.id: n.compute for n in plain.nodes.values()}["prep/u"] == "saved"
    assert cache_keys(expansion.graph, REGISTRY) == cache_keys(plain, REGISTRY)
