"""Pipeline parameters: declared once, bound to node fields, resolved before validation and cache keys."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from designer.engine.graph import parse_graph
from designer.engine.parameters import bindings, declarations, resolve
from designer.engine.plan import cache_keys
from designer.engine.validate import validate
from modules.sdk import default_registry
from tests.support.pipelines import document

REGISTRY = default_registry()


def _doc(parameters: dict[str, Any], split: dict[str, Any], learner: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = document(
        [
            ("data", "enter_data_manually", {"data": "a,b\n1,x\n2,y\n3,x\n4,y\n"}),
            ("split", "split_data", split),
            ("other", "split_data", learner or {}),
        ],
        ["data.dataset -> split.dataset", "split.results_dataset1 -> other.dataset"],
    )
    doc["parameters"] = parameters
    return doc


FRACTION = {"fraction": {"type": "number", "default": 0.5, "description": "Share of rows in the first output."}}
BOUND = {"fraction_of_rows_in_first_output_dataset": {"$param": "fraction"}}


def test_a_bound_field_takes_the_default_or_the_given_value() -> None:
    graph = parse_graph(_doc(FRACTION, BOUND, BOUND))

    default = resolve(graph)
    given_ = resolve(graph, {"fraction": 0.8})

    assert default.ok and given_.ok
    assert default.graph.nodes["split"].params["fraction_of_rows_in_first_output_dataset"] == 0.5
    assert given_.graph.nodes["split"].params["fraction_of_rows_in_first_output_dataset"] == 0.8
    assert given_.graph.nodes["other"].params["fraction_of_rows_in_first_output_dataset"] == 0.8  # one drives two
    assert given_.values == {"fraction": 0.8}
    assert bindings(graph) == {
        "fraction": [
            ("split", "fraction_of_rows_in_first_output_dataset"),
            ("other", "fraction_of_rows_in_first_output_dataset"),
        ]
    }


def test_two_values_give_two_cache_keys_and_a_value_the_key_of_the_same_constant() -> None:
    bound = parse_graph(_doc(FRACTION, BOUND))
    inlined = parse_graph(_doc({}, {"fraction_of_rows_in_first_output_dataset": 0.8}))

    at_default = cache_keys(resolve(bound).graph, REGISTRY)
    at_08 = cache_keys(resolve(bound, {"fraction": 0.8}).graph, REGISTRY)

    assert at_default["split"] != at_08["split"]
    assert at_default["data"] == at_08["data"]  # upstream of the parameter: unchanged
    assert at_08 == cache_keys(resolve(inlined).graph, REGISTRY)


def test_validation_names_the_pipeline_parameter_of_a_field_it_does_not_fit() -> None:
    graph = parse_graph(_doc(FRACTION, BOUND))

    result = validate(graph, REGISTRY, values={"fraction": 1.5})

    [problem] = result.problems
    assert problem.code == "invalid_param"
    assert (problem.node, problem.param, problem.path) == (
        "split",
        "fraction_of_rows_in_first_output_dataset",
        "parameters.fraction",
    )
    assert problem.message.startswith(
        "Pipeline parameter 'fraction' (= 1.5) does not fit a field it drives: Node 'split'"
    )


def test_every_problem_with_values_and_declarations_is_named_at_once() -> None:
    parameters = {
        "fraction": {"type": "number", "description": ""},  # no default: required
        "seed": {"type": "integer", "default": "seven"},  # a default of the wrong type
        "bad name": {"type": "string", "default": "x"},
        "mode": {"type": "colour"},
    }
    split = BOUND | {"random_seed": {"$param": "seed"}, "stratification_key_column": {"$param": "missing"}}
    graph = parse_graph(_doc(parameters, split))

    result = resolve(graph, {"extra": 1})
    found = {(p.code, p.path or p.param) for p in result.problems}

    assert found == {
        ("invalid_pipeline_parameter", "parameters.seed.default"),
        ("invalid_pipeline_parameter", "parameters.bad name"),
        ("invalid_pipeline_parameter", "parameters.mode.type"),
        ("invalid_parameter_value", "values.extra"),
        ("missing_parameter_value", "values.fraction"),
        ("unknown_pipeline_parameter", "stratification_key_column"),
    }
    assert (
        "fraction_of_rows_in_first_output_dataset" not in result.graph.nodes["split"].params
    )  # not silently defaulted


@pytest.mark.parametrize(
    ("kind", "bad", "good"),
    [
        ("string", 3, "x"),
        ("integer", 2.5, 2),
        ("integer", True, 0),
        ("number", "0.5", 0.5),
        ("boolean", 1, False),
        ("dataset", {"dataset_id": "1"}, {"dataset_id": 1, "version": None}),
        ("dataset", {"dataset_id": 1, "version": 0}, {"dataset_id": 1, "version": 2}),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_naming_the_parameter(kind: str, bad: Any, good: Any) -> None:
    graph = parse_graph(_doc({"p": {"type": kind}}, {}))

    refused = resolve(graph, {"p": bad})
    accepted = resolve(graph, {"p": good})

    assert [(p.code, p.path) for p in refused.problems] == [("invalid_parameter_value", "values.p")]
    assert "Pipeline parameter 'p' must" in refused.problems[0].message
    assert accepted.ok and accepted.values == {"p": good}


def test_declarations_round_trip_through_the_document() -> None:
    graph = parse_graph(_doc(FRACTION | {"seed": {"type": "integer", "description": "required"}}, {}))

    declared, problems = declarations(graph)

    assert problems == []
    assert declared["fraction"].to_json() == FRACTION["fraction"] | {"type": "number"}
    assert declared["seed"].required and "default" not in declared["seed"].to_json()


@given(st.floats(min_value=0.01, max_value=0.99))
def test_resolving_never_changes_an_unbound_field_or_the_document(value: float) -> None:
    doc = _doc(FRACTION, BOUND | {"random_seed": 3})
    graph = parse_graph(doc)

    resolved = resolve(graph, {"fraction": value}).graph

    assert resolved.nodes["split"].params["random_seed"] == 3
    assert graph.nodes["split"].params["fraction_of_rows_in_first_output_dataset"] == {"$param": "fraction"}


def test_a_required_parameter_is_no_fault_while_designing_but_is_when_running() -> None:
    graph = parse_graph(_doc({"fraction": {"type": "number"}}, BOUND))

    designing = validate(graph, REGISTRY)
    running = validate(graph, REGISTRY, values={})

    assert designing.problems == []
    assert [(p.code, p.path) for p in running.problems] == [("missing_parameter_value", "values.fraction")]


def test_a_column_value_not_in_the_data_is_the_fault_of_the_parameter_that_gave_it() -> None:
    doc = _doc({"key": {"type": "string", "default": "a"}}, {"stratification_key_column": {"$param": "key"}})
    graph = parse_graph(doc)

    fits = validate(graph, REGISTRY, values={"key": "b"})
    missing = validate(graph, REGISTRY, values={"key": "nope"})

    assert fits.problems == []
    [problem] = missing.problems
    assert (problem.code, problem.node, problem.param, problem.path) == (
        "unknown_column",
        "split",
        "stratification_key_column",
        "parameters.key",
    )
    assert problem.message.startswith("Pipeline parameter 'key' (= 'nope') does not fit a field it drives:")
