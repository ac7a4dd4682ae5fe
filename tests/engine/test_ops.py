"""Edit ops for live co-editing: each applies exactly its change, and edits of different nodes commute."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from designer.engine.ops import OpError, apply_op
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
