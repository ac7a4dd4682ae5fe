"""Pipeline diffs: what changed between two documents, applying a diff as a patch, and its JSON form."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.engine.diff import (
    ABSENT,
    DiffConflict,
    DiffFormatError,
    EdgeAdded,
    LayoutChange,
    NodeAdded,
    NodeChange,
    PipelineDiff,
    Swap,
    ValueChange,
    apply_diff,
    diff,
    from_json,
    to_json,
)
from designer.engine.graph import Edge, Graph, Node, parse_graph, to_document


def doc(**overrides: Any) -> dict[str, Any]:
    """data -> split -> train; the canonical form, as a saved version holds it."""
    base: dict[str, Any] = {
        "schema_version": 1,
        "nodes": [
            {"id": "data", "module": "dataset", "version": 1, "params": {"dataset": {"dataset_id": 3}}},
            {"id": "split", "module": "split_data", "version": 1, "params": {"fraction": 0.7, "seed": 42}},
            {"id": "train", "module": "train_model", "version": 1, "params": {"label_column": "y"}},
        ],
        "edges": [
            {"source": {"node": "data", "port": "dataset"}, "target": {"node": "split", "port": "dataset"}},
            {"source": {"node": "split", "port": "first"}, "target": {"node": "train", "port": "dataset"}},
        ],
        "parameters": {"seed": 7},
        "layout": {"data": {"x": 0, "y": 0}, "split": {"x": 0, "y": 100}, "train": {"x": 0, "y": 200}},
    }
    base.update(overrides)
    return to_document(parse_graph(base))


def text(document: Any) -> str:
    """Exact JSON text, so that ``true`` and ``1`` (equal in Python) differ."""
    return json.dumps(document, sort_keys=True)


def node(document: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in document["nodes"] if n["id"] == node_id)


def end(edge: Edge) -> tuple[str, str, str, str]:
    return (edge.source, edge.source_port, edge.target, edge.target_port)


# -- what a diff lists ----------------------------------------------------------------------------


def test_a_document_compared_with_itself_has_no_changes() -> None:
    d = diff(doc(), doc())

    assert d == PipelineDiff()
    assert (d.is_empty, d.has_semantic_changes, d.layout_only) == (True, False, False)


def test_changed_parameters_are_listed_with_their_old_and_new_values() -> None:
    # given a new version where the split fraction changed, the seed went and stratification came
    new = doc()
    node(new, "split")["params"] = {"fraction": 0.8, "stratify_by": "y"}

    # when they are compared
    d = diff(doc(), new)

    # then one node changed, with each parameter's old and new value
    assert d.nodes_changed == (
        NodeChange(
            id="split",
            params=(
                ValueChange("fraction", 0.7, 0.8),
                ValueChange("seed", 42, ABSENT),
                ValueChange("stratify_by", ABSENT, "y"),
            ),
        ),
    )
    assert [p.kind for p in d.nodes_changed[0].params] == ["changed", "removed", "added"]
    assert (d.nodes_added, d.nodes_removed, d.edges_added, d.edges_removed, d.layout) == ((), (), (), (), ())
    assert d.has_semantic_changes and not d.layout_only


def test_a_module_version_bump_and_the_regenerate_flag_are_node_changes() -> None:
    new = doc()
    node(new, "train").update(version=2, regenerate=True)

    d = diff(doc(), new)

    assert d.nodes_changed == (NodeChange(id="train", version=Swap(1, 2), regenerate=Swap(False, True)),)


def test_true_and_one_are_different_parameter_values() -> None:
    old, new = doc(), doc()
    node(old, "split")["params"]["seed"] = 1
    node(new, "split")["params"]["seed"] = True

    d = diff(old, new)

    assert d.nodes_changed == (NodeChange(id="split", params=(ValueChange("seed", 1, True),)),)
    assert text(apply_diff(old, d)) == text(new)


def test_rewiring_is_an_edge_removed_and_an_edge_added() -> None:
    # given train now takes split's second output
    new = doc()
    new["edges"][1]["source"]["port"] = "second"

    d = diff(doc(), new)

    assert [end(e) for e in d.edges_removed] == [("split", "first", "train", "dataset")]
    assert [(a.index, end(a.edge)) for a in d.edges_added] == [(1, ("split", "second", "train", "dataset"))]
    assert (d.nodes_changed, d.edge_order) == ((), None)


def test_a_removed_node_takes_its_edges_and_layout_with_it() -> None:
    new = doc()
    new["nodes"] = new["nodes"][:2]
    new["edges"] = new["edges"][:1]
    del new["layout"]["train"]

    d = diff(doc(), new)

    assert d.nodes_removed == (Node("train", "train_model", 1, {"label_column": "y"}),)
    assert [end(e) for e in d.edges_removed] == [("split", "first", "train", "dataset")]
    assert (d.nodes_added, d.layout, d.node_order) == ((), (), None)
    assert apply_diff(doc(), d) == new


def test_an_added_node_keeps_its_place_and_its_layout() -> None:
    new = doc()
    new["nodes"].insert(1, {"id": "clean", "module": "clean_missing", "version": 3, "params": {}, "regenerate": False})
    new["layout"]["clean"] = {"x": 50, "y": 50, "comment": "new"}

    d = diff(doc(), new)

    assert d.nodes_added == (NodeAdded(1, Node("clean", "clean_missing", 3)),)
    assert d.layout == (LayoutChange("clean", None, {"x": 50, "y": 50, "comment": "new"}),)
    assert d.node_order is None
    assert apply_diff(doc(), d) == new


def test_moving_a_node_is_a_layout_only_change() -> None:
    new = doc()
    new["layout"]["split"] = {"x": 300, "y": 100, "colour": "#ff0000"}

    d = diff(doc(), new)

    assert d.layout == (LayoutChange("split", {"x": 0, "y": 100}, {"x": 300, "y": 100, "colour": "#ff0000"}),)
    assert (d.has_semantic_changes, d.layout_only, d.is_empty) == (False, True, False)


def test_reordering_nodes_and_edges_is_layout_only_and_still_applies_exactly() -> None:
    new = doc()
    new["nodes"].reverse()
    new["edges"].reverse()

    d = diff(doc(), new)

    assert d.node_order == ("train", "split", "data")
    assert d.edge_order == (1, 0)
    assert d.layout_only
    assert apply_diff(doc(), d) == new


def test_pipeline_parameter_changes_are_listed() -> None:
    d = diff(doc(), doc(parameters={"seed": 8, "threshold": 0.5}))

    assert d.parameters == (ValueChange("seed", 7, 8), ValueChange("threshold", ABSENT, 0.5))
    assert d.has_semantic_changes


def test_declaring_changing_binding_and_unbinding_pipeline_parameters_are_listed_and_apply() -> None:
    fraction = {"type": "number", "default": 0.7, "description": ""}
    old = doc(parameters={"fraction": fraction, "seed": {"type": "integer", "default": 42}})
    node(old, "split")["params"]["fraction"] = {"$param": "fraction"}
    new = copy.deepcopy(old)
    new["parameters"] = {"fraction": {**fraction, "default": 0.8, "description": "Share"}, "rows": {"type": "integer"}}
    node(new, "split")["params"] = {"fraction": 0.8, "seed": {"$param": "rows"}}  # unbound one, bound another

    d = diff(old, new)

    assert d.parameters == (
        ValueChange("fraction", fraction, {**fraction, "default": 0.8, "description": "Share"}),
        ValueChange("seed", {"type": "integer", "default": 42}, ABSENT),
        ValueChange("rows", ABSENT, {"type": "integer"}),
    )
    [split] = d.nodes_changed
    assert split.params == (
        ValueChange("fraction", {"$param": "fraction"}, 0.8),
        ValueChange("seed", 42, {"$param": "rows"}),
    )
    assert apply_diff(old, d) == new
    assert from_json(json.loads(json.dumps(to_json(d)))) == d
    meanwhile = copy.deepcopy(old)
    meanwhile["parameters"]["fraction"]["default"] = 0.75  # a teammate changed the default since
    with pytest.raises(DiffConflict) as caught:
        apply_diff(meanwhile, d)
    assert caught.value.problems[0].startswith("Pipeline parameter 'fraction' is ")


def test_graphs_give_graphs_and_documents_give_documents() -> None:
    old, new = parse_graph(doc()), parse_graph(doc(parameters={}))

    patched = apply_diff(old, diff(old, new))

    assert isinstance(patched, Graph)
    assert patched == new
    assert apply_diff(doc(), diff(doc(), doc(parameters={}))) == doc(parameters={})


# -- applying a diff that does not fit --------------------------------------------------------------


def test_applying_to_a_pipeline_that_changed_since_lists_every_conflict() -> None:
    # given a diff made against the original, and a teammate's version that moved on meanwhile
    new = doc(parameters={"seed": 8})
    node(new, "split")["params"]["fraction"] = 0.8
    d = diff(doc(), new)
    theirs = doc(parameters={"seed": 9})
    node(theirs, "split")["params"]["fraction"] = 0.6
    before = copy.deepcopy(theirs)

    # when the diff is applied to it
    with pytest.raises(DiffConflict) as info:
        apply_diff(theirs, d)

    # then both conflicts are named, and the document is untouched
    assert info.value.problems == [
        "Node 'split' parameter 'fraction' is 0.6, not 0.7 as the diff expects.",
        "Pipeline parameter 'seed' is 9, not 7 as the diff expects.",
    ]
    assert theirs == before


def test_removing_what_is_not_there_and_adding_what_is_are_conflicts() -> None:
    d = PipelineDiff(
        nodes_removed=(Node("ghost", "m", 1),),
        nodes_added=(NodeAdded(0, Node("data", "dataset", 1)),),
        edges_removed=(Edge("data", "x", "split", "y"),),
        edges_added=(EdgeAdded(0, Edge("data", "dataset", "nowhere", "in")),),
    )

    with pytest.raises(DiffConflict) as info:
        apply_diff(doc(), d)

    assert info.value.problems == [
        "Node 'ghost' cannot be removed: it is not in the pipeline.",
        "Node 'data' cannot be added: the pipeline already has it.",
        "The edge data.x -> split.y cannot be removed: it is not in the pipeline.",
        "The edge data.dataset -> nowhere.in would name node 'nowhere', which is not there.",
    ]


# -- the JSON form ----------------------------------------------------------------------------------


def test_the_json_form_spells_out_every_change() -> None:
    new = doc(parameters={})
    node(new, "train").update(version=2, params={"label_column": "z"})
    new["edges"][1]["source"]["port"] = "second"
    new["layout"]["data"] = {"x": 10, "y": 0}

    body = to_json(diff(doc(), new))

    assert body == {
        "format": 1,
        "summary": {
            "nodes_added": 0,
            "nodes_removed": 0,
            "nodes_changed": 1,
            "edges_added": 1,
            "edges_removed": 1,
            "parameters_changed": 1,
            "layout_changed": 1,
            "semantic": True,
            "layout_only": False,
            "empty": False,
        },
        "semantic": {
            "nodes_added": [],
            "nodes_removed": [],
            "nodes_changed": [
                {
                    "id": "train",
                    "module": None,
                    "version": {"old": 1, "new": 2},
                    "regenerate": None,
                    "params": [{"name": "label_column", "change": "changed", "old": "y", "new": "z"}],
                }
            ],
            "edges_added": [
                {
                    "index": 1,
                    "edge": {
                        "source": {"node": "split", "port": "second"},
                        "target": {"node": "train", "port": "dataset"},
                    },
                }
            ],
            "edges_removed": [
                {"source": {"node": "split", "port": "first"}, "target": {"node": "train", "port": "dataset"}}
            ],
            "parameters": [{"name": "seed", "change": "removed", "old": 7}],
        },
        "layout": {
            "nodes": [{"node": "data", "old": {"x": 0, "y": 0}, "new": {"x": 10, "y": 0}}],
            "node_order": None,
            "edge_order": None,
        },
    }
    assert from_json(json.loads(json.dumps(body))) == diff(doc(), new)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b: b.update(format=2), "diff.format must be 1, not 2."),
        (lambda b: b.update(extra=1), "diff has unknown fields: extra."),
        (lambda b: b["semantic"].pop("parameters"), "diff.semantic is missing: parameters."),
        (
            lambda b: b["semantic"]["nodes_changed"][0]["version"].update(new="2"),
            "diff.semantic.nodes_changed[0].version.new must be a int.",
        ),
        (
            lambda b: b["semantic"]["parameters"][0].update(change="added"),
            "diff.semantic.parameters[0].change says 'added' but the values say 'changed'.",
        ),
        (lambda b: b["layout"].update(edge_order=[-1]), "diff.layout.edge_order[0] must be an integer of at least 0."),
    ],
)
def test_malformed_json_is_refused_naming_the_path(mutate: Any, message: str) -> None:
    new = doc(parameters={"seed": 8})
    node(new, "train")["version"] = 2
    body = to_json(diff(doc(), new))
    mutate(body)

    with pytest.raises(DiffFormatError) as info:
        from_json(body)

    assert str(info.value) == message


def test_a_node_in_the_json_form_is_checked_like_a_pipeline_node() -> None:
    body = to_json(diff(doc(), doc(nodes=[], edges=[])))
    body["semantic"]["nodes_removed"][0]["id"] = "a b"

    with pytest.raises(DiffFormatError) as info:
        from_json(body)

    assert str(info.value) == (
        "diff.semantic.nodes_removed[0] is not a valid node: "
        "Node id 'a b' at nodes[0] must be 1 to 64 letters, digits, '_' or '-'."
    )


# -- properties -----------------------------------------------------------------------------------

POOL = ["a", "b", "c", "d", "e", "f", "g"]
PORTS = ["in", "out", "left"]
json_scalars = (
    st.none()
    | st.booleans()
    | st.sampled_from([0, 1, 1.0, -0.0, 0.0])
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("xyz"), inner, max_size=3),
    max_leaves=6,
)
param_dicts = st.dictionaries(st.sampled_from(["p", "q", "r", "s"]), json_values, max_size=4)
layout_entries = st.fixed_dictionaries(
    {},
    optional={
        "x": st.floats(-1e4, 1e4) | st.integers(-100, 100),
        "y": st.integers(-100, 100),
        "comment": st.text(max_size=5),
        "colour": st.sampled_from(["#fff", "red"]),
    },
)
nodes_from = st.builds(
    Node,
    id=st.just(""),
    module=st.sampled_from(["dataset", "split_data", "train_model"]),
    version=st.integers(1, 3),
    params=param_dicts,
    regenerate=st.booleans(),
)


@st.composite
def edges_between(draw: st.DrawFn, node_ids: list[str]) -> list[Edge]:
    if not node_ids:
        return []
    end_nodes, ports = st.sampled_from(node_ids), st.sampled_from(PORTS)
    return draw(st.lists(st.builds(Edge, end_nodes, ports, end_nodes, ports), max_size=8))


@st.composite
def graphs(draw: st.DrawFn) -> Graph:
    """Graphs over a small pool of ids, modules and ports, so two of them share nodes and edges."""
    node_ids = draw(st.lists(st.sampled_from(POOL), max_size=len(POOL), unique=True))
    nodes = {nid: Node(nid, *_node_fields(draw(nodes_from))) for nid in node_ids}
    layout = {nid: draw(layout_entries) for nid in node_ids if draw(st.booleans())}
    return Graph(nodes=nodes, edges=draw(edges_between(node_ids)), parameters=draw(param_dicts), layout=layout)


def _node_fields(n: Node) -> tuple[str, int, dict[str, Any], bool]:
    return (n.module, n.version, n.params, n.regenerate)


@st.composite
def edits(draw: st.DrawFn, old: Graph) -> Graph:
    """What an editor does to ``old``: drop, change and add nodes, rewire, move; order mostly kept."""
    kept = [nid for nid in old.nodes if draw(st.booleans())]
    nodes = {}
    for nid in kept:
        n = old.nodes[nid]
        nodes[nid] = Node(nid, *_node_fields(draw(nodes_from))) if draw(st.booleans()) else n
    for nid in draw(st.lists(st.sampled_from([p for p in POOL if p not in old.nodes] or ["z"]), unique=True)):
        nodes[nid] = Node(nid, *_node_fields(draw(nodes_from)))
    ids = list(nodes)
    edges = [e for e in old.edges if e.source in nodes and e.target in nodes and draw(st.booleans())]
    edges += draw(edges_between(ids))
    layout = {nid: old.layout[nid] for nid in ids if nid in old.layout and draw(st.booleans())}
    layout |= {nid: draw(layout_entries) for nid in ids if draw(st.booleans())}
    parameters = old.parameters if draw(st.booleans()) else draw(param_dicts)
    return Graph(nodes=nodes, edges=edges, parameters=parameters, layout=layout)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two valid documents: either unrelated, or the second an edit of the first."""
    old = draw(graphs())
    new = draw(graphs()) if draw(st.booleans()) else draw(edits(old))
    return json.loads(json.dumps(to_document(old))), json.loads(json.dumps(to_document(new)))


@settings(max_examples=300, deadline=None)
@given(pairs())
def test_property_applying_the_diff_gives_the_new_document(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = pair
    before = copy.deepcopy(old)

    patched = apply_diff(old, diff(old, new))

    assert text(patched) == text(new)
    assert old == before  # neither diff nor apply_diff touches its input
    assert apply_diff(parse_graph(old), diff(parse_graph(old), parse_graph(new))) == parse_graph(new)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_property_a_document_has_no_diff_with_itself(graph: Graph) -> None:
    document = json.loads(json.dumps(to_document(graph)))

    d = diff(document, copy.deepcopy(document))

    assert d.is_empty
    assert to_json(d)["summary"]["empty"] is True


@settings(max_examples=300, deadline=None)
@given(pairs())
def test_property_the_json_form_round_trips(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = pair
    d = diff(old, new)

    again = from_json(json.loads(json.dumps(to_json(d))))

    assert again == d
    assert text(to_json(again)) == text(to_json(d))
    assert text(apply_diff(old, again)) == text(new)


@settings(max_examples=150, deadline=None)
@given(pairs())
def test_property_layout_only_means_the_semantic_documents_agree(pair: tuple[dict[str, Any], dict[str, Any]]) -> None:
    old, new = pair

    d = diff(old, new)

    def semantic(document: dict[str, Any]) -> str:
        return text(
            {
                "nodes": sorted(text(n) for n in document["nodes"]),
                "edges": sorted(text(e) for e in document["edges"]),
                "parameters": document["parameters"],
            }
        )

    assert d.has_semantic_changes == (semantic(old) != semantic(new))
