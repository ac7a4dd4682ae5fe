"""Edit ops for live co-editing: each applies exactly its change, and edits of different nodes commute."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from designer.engine.graph import parse_graph
from designer.engine.ops import OpError, apply_op
from designer.engine.parameters import resolve
from tests.support.pipelines import document

BASE = document(
    [("a", "select_columns", {"columns": ["x"]}), ("b", "select_columns", {}), ("c", "select_columns", {})],
    ["a.results_dataset -> b.dataset"],
)


def node(doc: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in doc["nodes"] if n["id"] == node_id)


def test_set_param_changes_one_parameter_and_reset_restores_the_default():
    changed = apply_op(BASE, {"kind": "set_param", "node": "a", "param": "columns", "value": ["y"]})
    reset = apply_op(changed, {"kind": "set_param", "node": "a", "param": "columns", "reset": True})

    assert node(changed, "a")["params"] == {"columns": ["y"]}
    assert node(reset, "a")["params"] == {}
    assert node(BASE, "a")["params"] == {"columns": ["x"]}  # the input is never changed in place


def test_removing_a_node_removes_its_edges_and_layout():
    after = apply_op(BASE, {"kind": "remove_node", "node": "a"})

    assert [n["id"] for n in after["nodes"]] == ["b", "c"]
    assert after["edges"] == []
    assert "a" not in after["layout"]


def test_connecting_an_occupied_input_replaces_the_old_edge():
    after = apply_op(
        BASE,
        {
            "kind": "add_edge",
            "source": {"node": "c", "port": "results_dataset"},
            "target": {"node": "b", "port": "dataset"},
        },
    )

    assert after["edges"] == [
        {"source": {"node": "c", "port": "results_dataset"}, "target": {"node": "b", "port": "dataset"}}
    ]


def test_set_regenerate_ticks_one_node_and_refuses_anything_but_true_or_false():
    after = apply_op(BASE, {"kind": "set_regenerate", "node": "b", "value": True})

    assert node(after, "b")["regenerate"] is True
    assert node(after, "a")["regenerate"] is False
    with pytest.raises(OpError, match="'value' must be true or false"):
        apply_op(BASE, {"kind": "set_regenerate", "node": "b", "value": "yes"})


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ({"kind": "explode"}, "an op needs a 'kind'"),
        ({"kind": "set_param", "node": "zz", "param": "p", "value": 1}, "node 'zz' is not in the pipeline"),
        ({"kind": "add_node", "node": {"id": "a", "module": "m", "version": 1}}, "node 'a' already exists"),
        ({"kind": "move_node", "node": "a", "x": "left", "y": 0}, "'x' must be a number"),
        (
            {"kind": "add_node", "node": {"id": "bad id!", "module": "m", "version": 1}},
            "would make the pipeline malformed",
        ),
        (
            {"kind": "remove_edge", "source": {"node": "b", "port": "p"}, "target": {"node": "c", "port": "q"}},
            "no edge b.p -> c.q",
        ),
        ({"kind": "set_param", "node": "a", "param": "p", "value": "x" * 300_000}, "at most 256 KB"),
    ],
)
def test_malformed_or_stale_ops_are_refused_with_a_reason(op, message):
    with pytest.raises(OpError) as caught:
        apply_op(BASE, op)

    assert message in str(caught.value)


values = st.one_of(st.integers(-5, 5), st.text(max_size=5), st.booleans(), st.none())
param_ops = st.builds(
    lambda n, p, v: {"kind": "set_param", "node": n, "param": p, "value": v},
    st.sampled_from(["a", "b", "c"]),
    st.sampled_from(["p", "q"]),
    values,
)
move_ops = st.builds(
    lambda n, x, y: {"kind": "move_node", "node": n, "x": x, "y": y},
    st.sampled_from(["a", "b", "c"]),
    st.integers(-500, 500),
    st.integers(-500, 500),
)


regenerate_ops = st.builds(
    lambda n, v: {"kind": "set_regenerate", "node": n, "value": v}, st.sampled_from(["a", "b", "c"]), st.booleans()
)


@given(st.one_of(param_ops, move_ops, regenerate_ops), st.one_of(param_ops, move_ops, regenerate_ops))
def test_edits_of_different_nodes_commute_so_both_survive_in_any_order(first, second):
    assume(first["node"] != second["node"])
    one_way = apply_op(apply_op(BASE, first), second)
    other_way = apply_op(apply_op(BASE, second), first)

    assert one_way == other_way


@given(param_ops, values)
def test_of_two_edits_of_one_parameter_the_later_one_wins(first, later_value):
    second = {**first, "value": later_value}

    after = apply_op(apply_op(BASE, first), second)

    assert node(after, first["node"])["params"][first["param"]] == later_value


# -- pipeline parameters -------------------------------------------------------------------------

FRACTION = {"type": "number", "default": 0.5, "description": "Share of rows."}


def declared(doc: dict[str, Any], **parameters: dict[str, Any]) -> dict[str, Any]:
    for name, spec in parameters.items():
        doc = apply_op(doc, {"kind": "add_parameter", "name": name, "parameter": spec})
    return doc


def bind(node_id: str, param: str, name: str) -> dict[str, Any]:
    return {"kind": "set_param", "node": node_id, "param": param, "value": {"$param": name}}


def test_a_parameter_is_added_bound_to_two_fields_updated_field_by_field_and_unbound():
    doc = declared(BASE, fraction=FRACTION)

    bound = apply_op(apply_op(doc, bind("a", "p", "fraction")), bind("b", "p", "fraction"))
    updated = apply_op(bound, {"kind": "update_parameter", "name": "fraction", "changes": {"default": 0.8}})
    described = apply_op(updated, {"kind": "update_parameter", "name": "fraction", "changes": {"description": "x"}})
    unbound = apply_op(described, {"kind": "set_param", "node": "a", "param": "p", "value": 0.8})

    assert doc["parameters"] == {"fraction": FRACTION}
    assert node(bound, "a")["params"]["p"] == node(bound, "b")["params"]["p"] == {"$param": "fraction"}
    assert described["parameters"]["fraction"] == {"type": "number", "default": 0.8, "description": "x"}
    assert node(unbound, "a")["params"]["p"] == 0.8
    assert node(unbound, "b")["params"]["p"] == {"$param": "fraction"}


def test_removing_a_parameter_leaves_the_fields_it_drove_at_its_default():
    doc = apply_op(apply_op(declared(BASE, fraction=FRACTION), bind("a", "p", "fraction")), bind("c", "q", "fraction"))

    after = apply_op(doc, {"kind": "remove_parameter", "name": "fraction"})

    assert after["parameters"] == {}
    assert node(after, "a")["params"] == {"columns": ["x"], "p": 0.5}
    assert node(after, "c")["params"] == {"q": 0.5}


def test_a_parameter_without_a_default_is_not_removed_while_it_drives_a_field():
    doc = apply_op(declared(BASE, seed={"type": "integer"}), bind("b", "seed", "seed"))

    with pytest.raises(OpError) as caught:
        apply_op(doc, {"kind": "remove_parameter", "name": "seed"})
    unbound = apply_op(doc, {"kind": "set_param", "node": "b", "param": "seed", "reset": True})
    removed = apply_op(unbound, {"kind": "remove_parameter", "name": "seed"})

    assert "no default to leave in the fields it drives (b.seed)" in str(caught.value)
    assert removed["parameters"] == {}


def test_a_field_cannot_be_bound_to_a_parameter_someone_removed_meanwhile():
    doc = declared(BASE, fraction=FRACTION)
    gone = apply_op(doc, {"kind": "remove_parameter", "name": "fraction"})

    with pytest.raises(OpError) as caught:
        apply_op(gone, bind("a", "p", "fraction"))

    assert "no pipeline parameter 'fraction' to bind to (it may have been removed by someone else)" in str(caught.value)


@pytest.mark.parametrize(
    ("op", "message"),
    [
        ({"kind": "add_parameter", "name": "fraction", "parameter": FRACTION}, "'fraction' already exists"),
        ({"kind": "add_parameter", "name": "bad name", "parameter": FRACTION}, "not a valid parameter name"),
        ({"kind": "add_parameter", "name": "n", "parameter": {"type": "colour"}}, "needs a type, one of"),
        ({"kind": "add_parameter", "name": "n", "parameter": {"type": "integer", "default": 0.5}}, "whole number"),
        ({"kind": "add_parameter", "name": "n", "parameter": {"type": "string", "min": 1}}, "unknown fields: min"),
        ({"kind": "add_parameter", "name": "n", "parameter": "number"}, "'parameter' must be"),
        ({"kind": "update_parameter", "name": "fraction", "changes": {"type": "integer"}}, "must be a whole number"),
        ({"kind": "update_parameter", "name": "fraction", "changes": {"colour": 1}}, "'changes' must be"),
        ({"kind": "update_parameter", "name": "nope", "changes": {}}, "no pipeline parameter 'nope'"),
        ({"kind": "remove_parameter", "name": "nope"}, "no pipeline parameter 'nope'"),
        ({"kind": "remove_parameter"}, "'name' must be a pipeline parameter name"),
        (bind("a", "p", "nope"), "no pipeline parameter 'nope' to bind to"),
        ({"kind": "set_param", "node": "a", "param": "p", "value": {"$param": 3}}, "a binding must be"),
        ({"kind": "set_params", "node": "a", "params": {"p": {"$param": "nope"}}}, "no pipeline parameter 'nope'"),
        (
            {"kind": "add_node", "node": {"id": "d", "module": "m", "version": 1, "params": {"p": {"$param": "x"}}}},
            "no pipeline parameter 'x'",
        ),
    ],
)
def test_malformed_or_stale_parameter_ops_are_refused_and_change_nothing(op, message):
    doc = declared(BASE, fraction=FRACTION)
    before = copy.deepcopy(doc)

    with pytest.raises(OpError) as caught:
        apply_op(doc, op)

    assert message in str(caught.value)
    assert doc == before


def test_changing_the_type_and_the_default_together_is_one_op():
    doc = declared(BASE, fraction=FRACTION)

    after = apply_op(
        doc, {"kind": "update_parameter", "name": "fraction", "changes": {"type": "integer", "default": 3}}
    )
    required = apply_op(after, {"kind": "update_parameter", "name": "fraction", "remove_default": True})

    assert after["parameters"]["fraction"] == {"type": "integer", "default": 3, "description": "Share of rows."}
    assert required["parameters"]["fraction"] == {"type": "integer", "description": "Share of rows."}


NAMES = st.sampled_from(["alpha", "beta"])
parameter_ops = st.one_of(
    st.builds(
        lambda n, v: {"kind": "add_parameter", "name": n, "parameter": {"type": "integer", "default": v}},
        NAMES,
        st.integers(-3, 3),
    ),
    st.builds(
        lambda n, v: {"kind": "update_parameter", "name": n, "changes": {"default": v}}, NAMES, st.integers(-3, 3)
    ),
    st.builds(
        lambda n, d: {"kind": "update_parameter", "name": n, "changes": {"description": d}}, NAMES, st.text(max_size=4)
    ),
    st.builds(lambda n: {"kind": "remove_parameter", "name": n}, NAMES),
)
binding_ops = st.builds(bind, st.sampled_from(["a", "b", "c"]), st.sampled_from(["p", "q"]), NAMES)


@given(st.lists(st.one_of(parameter_ops, binding_ops, param_ops), max_size=25))
def test_whatever_order_ops_arrive_in_no_field_is_left_bound_to_nothing(ops):
    doc = BASE
    for op in ops:
        with contextlib.suppress(OpError):  # refused: the document is as it was
            doc = apply_op(doc, op)

    problems = resolve(parse_graph(doc)).problems

    assert [p for p in problems if p.code == "unknown_pipeline_parameter"] == []
    assert problems == []


@given(parameter_ops, parameter_ops)
def test_edits_of_different_parameters_commute(first, second):
    assume(first["name"] != second["name"])
    start = declared(BASE, alpha={"type": "integer", "default": 0})
    try:
        one_way = apply_op(apply_op(start, first), second)
    except OpError:
        one_way = None
    try:
        other_way = apply_op(apply_op(start, second), first)
    except OpError:
        other_way = None

    assert one_way == other_way


FIELD_VALUES = {"default": st.integers(-3, 3), "description": st.text(max_size=4)}
field_updates = st.sampled_from(sorted(FIELD_VALUES)).flatmap(
    lambda f: FIELD_VALUES[f].map(lambda v: {"kind": "update_parameter", "name": "alpha", "changes": {f: v}})
)


@given(field_updates, field_updates)
def test_of_two_updates_of_one_parameter_the_later_one_wins_field_by_field(first, later):
    start = declared(BASE, alpha={"type": "integer", "default": 0, "description": ""})

    after = apply_op(apply_op(start, first), later)

    expected = {"type": "integer", "default": 0, "description": ""} | first["changes"] | later["changes"]
    assert after["parameters"]["alpha"] == expected


@given(parameter_ops, st.one_of(move_ops, regenerate_ops))
def test_parameter_edits_commute_with_layout_and_cache_edits(parameter_op, other):
    start = declared(BASE, alpha={"type": "integer", "default": 0})
    try:
        one_way = apply_op(apply_op(start, parameter_op), other)
        other_way = apply_op(apply_op(start, other), parameter_op)
    except OpError:
        return  # refused either way round: nothing to compare

    assert one_way == other_way
