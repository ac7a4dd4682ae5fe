"""Validation: each kind of problem with what it names, all problems at once, schema propagation."""

from __future__ import annotations

from designer.engine.graph import Edge, Graph, Node
from designer.engine.problems import Problem
from designer.engine.validate import ValidationResult, validate
from modules.sdk import Column, TableSchema

from .toys import REGISTRY, FakeDatasets, build

IRIS = TableSchema((Column("sepal", "number"), Column("petal", "number"), Column("species", "string")))


def codes(result: ValidationResult) -> list[str]:
    return [p.code for p in result.problems]


def test_a_valid_pipeline_has_no_problems_and_known_schemas() -> None:
    # given const -> add_one -> select
    graph = build(
        {
            "n1": ("const", {"names": ["a", "b"]}),
            "n2": ("add_one", {"column": "b"}),
            "n3": ("select", {"columns": ["b"]}),
        },
        ["n1.table -> n2.table", "n2.result -> n3.table"],
    )

    # when it is validated
    result = validate(graph, REGISTRY)

    # then it is fine and every output schema is known
    assert result.ok
    assert result.problems == []
    ab = TableSchema((Column("a", "integer"), Column("b", "integer")))
    assert result.schemas == {
        "n1": {"table": ab},
        "n2": {"result": ab},
        "n3": {"result": TableSchema((Column("b", "integer"),))},
    }


def test_unknown_module() -> None:
    # given a node whose module is not installed
    graph = build({"n1": ("nope", {})})

    # when validated, then the node is named and its schemas are empty
    result = validate(graph, REGISTRY)
    assert result.problems == [
        Problem(
            "unknown_module",
            "Node 'n1' uses the module 'nope', which is not installed.",
            node="n1",
            path="nodes[0].module",
        )
    ]
    assert result.schemas == {"n1": {}}


def test_unknown_version() -> None:
    # given a node asking for a version that does not exist
    graph = build({"n1": ("const", {})}, version=7)

    # when validated, then the version problem names the latest installed one
    assert validate(graph, REGISTRY).problems == [
        Problem(
            "unknown_version",
            "Node 'n1' (Constant) uses version 7 of its module, which is not installed "
            "(the latest installed version is 1).",
            node="n1",
            path="nodes[0].version",
        )
    ]


def test_unknown_ports_name_the_available_ones() -> None:
    # given an edge from a port that does not exist into a port that does not exist
    graph = build({"n1": ("const", {}), "n2": ("add_one", {})}, ["n1.data -> n2.input", "n1.table -> n2.table"])

    # when validated
    result = validate(graph, REGISTRY)

    # then both ends are reported with the ports that do exist
    assert result.problems == [
        Problem(
            "unknown_port",
            "Node 'n1' (Constant) has no output port 'data'; its output ports are: 'table'.",
            node="n1",
            port="data",
            path="edges[0].source.port",
        ),
        Problem(
            "unknown_port",
            "Node 'n2' (Add One) has no input port 'input'; its input ports are: 'table'.",
            node="n2",
            port="input",
            path="edges[0].target.port",
        ),
    ]


def test_incompatible_ports_name_both_types() -> None:
    # given a table wired into a trained-model input
    graph = build({"n1": ("const", {}), "n2": ("use_model", {})}, ["n1.table -> n2.model"])

    # when validated
    result = validate(graph, REGISTRY)

    # then the problem names both types by label, and the input is not also called missing
    assert result.problems == [
        Problem(
            "incompatible_ports",
            "Node 'n2' (Use Model): input 'Trained model' takes a Trained model, but it is connected to output "
            "'Table' of Node 'n1' (Constant), which gives a Data table.",
            node="n2",
            port="model",
            path="edges[0]",
        )
    ]


def test_two_edges_into_one_input() -> None:
    # given two sources wired into the same input
    graph = build(
        {"a": ("const", {}), "b": ("const", {}), "c": ("add_one", {})},
        ["a.table -> c.table", "b.table -> c.table"],
    )

    # when validated, then the duplicate is reported once, naming both sources
    assert validate(graph, REGISTRY).problems == [
        Problem(
            "duplicate_input",
            "Node 'c' (Add One): input 'Dataset' has 2 connections (Node 'a' (Constant), Node 'b' (Constant)); "
            "an input takes exactly one.",
            node="c",
            port="table",
        )
    ]


def test_missing_required_input_but_not_optional_ones() -> None:
    # given a join with only its left side wired, and a fail node whose only input is optional
    graph = build({"a": ("const", {}), "j": ("join", {}), "f": ("fail", {})}, ["a.table -> j.left"])

    # when validated, then only the join's right input is missing
    assert validate(graph, REGISTRY).problems == [
        Problem(
            "missing_input",
            "Node 'j' (Join): input 'Right' is not connected.",
            node="j",
            port="right",
            path="nodes[1]",
        )
    ]


def test_cycle_names_its_nodes() -> None:
    # given a -> b -> a fed by a const
    graph = build(
        {"c": ("const", {}), "a": ("join", {}), "b": ("add_one", {})},
        ["c.table -> a.left", "b.result -> a.right", "a.table -> b.table"],
    )

    # when validated
    result = validate(graph, REGISTRY)

    # then the cycle is reported and the schemas past it are unknown, those before it known
    assert result.problems == [
        Problem(
            "cycle",
            "Node 'a' (Join), Node 'b' (Add One) form a cycle; a pipeline must flow one way, so remove one of the "
            "edges between them.",
            node="a",
        )
    ]
    assert result.schemas["c"]["table"] is not None
    assert result.schemas["a"] == {"table": None}
    assert result.schemas["b"] == {"result": None}


def test_invalid_params_map_pydantic_errors_to_dotted_params() -> None:
    # given a const with a too-large row count, a wrong type inside a list and an unknown parameter
    graph = build({"n1": ("const", {"rows": 5000, "names": ["a", 3], "colour": "red"})})

    # when validated
    result = validate(graph, REGISTRY)

    # then each pydantic error becomes a problem naming the parameter path
    assert result.problems == [
        Problem(
            "invalid_param",
            "Node 'n1' (Constant): parameter 'names.1' is invalid: Input should be a valid string.",
            node="n1",
            param="names.1",
            path="nodes[0].params.names.1",
        ),
        Problem(
            "invalid_param",
            "Node 'n1' (Constant): parameter 'rows' is invalid: Input should be less than or equal to 1000.",
            node="n1",
            param="rows",
            path="nodes[0].params.rows",
        ),
        Problem(
            "invalid_param",
            "Node 'n1' (Constant): 'colour' is not a parameter of this module.",
            node="n1",
            param="colour",
            path="nodes[0].params.colour",
        ),
    ]
    assert result.schemas == {"n1": {"table": None}}


def test_missing_required_param() -> None:
    # given a dataset node without its dataset
    graph = build({"d": ("read_dataset", {})})

    # when validated, then the required parameter is named
    assert validate(graph, REGISTRY).problems == [
        Problem(
            "invalid_param",
            "Node 'd' (Dataset): parameter 'dataset' is required.",
            node="d",
            param="dataset",
            path="nodes[0].params.dataset",
        )
    ]


def test_unknown_column_for_a_single_column_param() -> None:
    # given add_one naming a column the const does not make
    graph = build(
        {"n1": ("const", {"names": ["a", "b"]}), "n2": ("add_one", {"column": "z"})}, ["n1.table -> n2.table"]
    )

    # when validated
    result = validate(graph, REGISTRY)

    # then the column, param, port and available columns are named, and the output schema is unknown
    assert result.problems == [
        Problem(
            "unknown_column",
            "Node 'n2' (Add One): parameter 'column' names column 'z', which is not in the table reaching input "
            "'Dataset' (available: a, b).",
            node="n2",
            port="table",
            param="column",
            column="z",
            path="nodes[1].params.column",
        )
    ]
    assert result.schemas["n2"] == {"result": None}


def test_unknown_columns_in_a_selection_are_each_reported() -> None:
    # given a selection naming two missing columns and one present
    graph = build(
        {"n1": ("const", {"names": ["a"]}), "n2": ("select", {"columns": ["x", "a", "y"]})}, ["n1.table -> n2.table"]
    )

    # when validated, then each missing column is a problem, and no duplicate comes from schema inference
    result = validate(graph, REGISTRY)
    assert [(p.code, p.column, p.param, p.port) for p in result.problems] == [
        ("unknown_column", "x", "columns", "table"),
        ("unknown_column", "y", "columns", "table"),
    ]


def test_columns_are_not_checked_when_the_input_schema_is_unknown() -> None:
    # given add_one behind a module whose schema inference is broken
    graph = build(
        {"n1": ("const", {}), "n2": ("crash", {}), "n3": ("add_one", {"column": "z"})},
        ["n1.table -> n2.table", "n2.result -> n3.table"],
    )

    # when validated, then nothing is reported (the crash leaves the schema unknown, it does not fail validation)
    result = validate(graph, REGISTRY)
    assert result.problems == []
    assert result.schemas["n2"] == {"result": None}
    assert result.schemas["n3"] == {"result": None}


def test_module_error_in_schema_inference_becomes_a_problem() -> None:
    # given a picky module refusing its threshold while inferring
    graph = build({"n1": ("const", {}), "n2": ("picky", {"threshold": 11})}, ["n1.table -> n2.table"])

    # when validated, then the module's error is kept with its param and column
    assert validate(graph, REGISTRY).problems == [
        Problem(
            "invalid_param",
            "Node 'n2' (Picky): threshold is above the largest value of column 'a'.",
            node="n2",
            param="threshold",
            column="a",
        )
    ]


def test_dataset_nodes_get_their_schema_from_the_lookup() -> None:
    # given a dataset node feeding a selection, and a lookup that knows the dataset
    datasets = FakeDatasets({5: ("d" * 64, IRIS)})
    graph = build(
        {"d": ("read_dataset", {"dataset": {"dataset_id": 5}}), "s": ("select", {"columns": ["petal"]})},
        ["d.table -> s.table"],
    )

    # when validated
    result = validate(graph, REGISTRY, datasets)

    # then the dataset's schema flows downstream
    assert result.ok
    assert result.schemas["d"] == {"table": IRIS}
    assert result.schemas["s"] == {"result": TableSchema((Column("petal", "number"),))}


def test_unknown_dataset_is_reported_with_the_lookup_reason() -> None:
    # given a dataset id the lookup does not know
    datasets = FakeDatasets({})
    graph = build({"d": ("read_dataset", {"dataset": {"dataset_id": 9, "version": 2}})})

    # when validated
    result = validate(graph, REGISTRY, datasets)

    # then the problem names the node, parameter and the reason
    assert result.problems == [
        Problem(
            "unknown_dataset",
            "Node 'd' (Dataset): parameter 'dataset' names dataset 9 version 2, which cannot be used: "
            "dataset 9 does not exist or is not shared with you.",
            node="d",
            param="dataset",
            path="nodes[0].params.dataset",
        )
    ]
    assert result.schemas == {"d": {"table": None}}


def test_datasets_are_not_checked_without_a_lookup() -> None:
    # given a dataset node and no lookup
    graph = build({"d": ("read_dataset", {"dataset": {"dataset_id": 9}})})

    # when validated, then there is no problem and the schema is unknown
    result = validate(graph, REGISTRY)
    assert result.problems == []
    assert result.schemas == {"d": {"table": None}}


def test_every_problem_is_reported_at_once() -> None:
    # given a pipeline with many faults
    graph = build(
        {
            "n1": ("const", {"rows": -1}),
            "n2": ("nope", {}),
            "n3": ("join", {}),
            "n4": ("use_model", {}),
            "n5": ("add_one", {"column": "q"}),
        },
        ["n1.table -> n3.left", "n1.table -> n4.model", "n6.table -> n5.table"],
    )
    graph.nodes["n6"] = Node("n6", "const", 1, {})

    # when validated, then every problem is there
    assert codes(validate(graph, REGISTRY)) == [
        "invalid_param",
        "unknown_module",
        "incompatible_ports",
        "missing_input",
        "unknown_column",
    ]


def test_edges_to_nodes_that_are_not_there_are_dangling() -> None:
    # given a graph built in code with an edge to a missing node
    graph = Graph(nodes={"a": Node("a", "const", 1)}, edges=[Edge("a", "table", "ghost", "table")])

    # when validated, then the edge is dangling
    assert validate(graph, REGISTRY).problems == [
        Problem(
            "dangling_edge",
            "Edge 0 connects node 'ghost', which is not in the pipeline.",
            node="ghost",
            path="edges[0].target.node",
        )
    ]


def test_schemas_propagate_through_two_inputs() -> None:
    # given two consts joined
    graph = build(
        {"l": ("const", {"names": ["a"]}), "r": ("const", {"names": ["b"]}), "j": ("join", {})},
        ["l.table -> j.left", "r.table -> j.right"],
    )

    # when validated, then the join's schema combines both
    assert validate(graph, REGISTRY).schemas["j"] == {
        "table": TableSchema((Column("a", "integer"), Column("b_r", "integer")))
    }


def test_non_table_outputs_have_unknown_schemas() -> None:
    # given a node producing metrics
    graph = build({"c": ("const", {}), "m": ("count", {})}, ["c.table -> m.table"])

    # when validated, then the metrics port is listed with no schema
    assert validate(graph, REGISTRY).schemas["m"] == {"metrics": None}


def test_result_to_dict_is_plain_json() -> None:
    # given a result with one problem and one known schema
    graph = build({"n1": ("const", {"names": ["a"]}), "n2": ("add_one", {"column": "z"})}, ["n1.table -> n2.table"])

    # when serialized
    data = validate(graph, REGISTRY).to_dict()

    # then problems and schemas are dicts
    assert data["ok"] is False
    assert data["problems"][0]["code"] == "unknown_column"
    assert data["problems"][0]["column"] == "z"
    assert data["schemas"] == {
        "n1": {"table": {"columns": [{"name": "a", "type": "integer"}], "meta": {}}},
        "n2": {"result": None},
    }
