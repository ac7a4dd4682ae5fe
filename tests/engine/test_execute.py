"""Executing one node: values in from the store, outputs checked and stored, failures made readable."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from designer.engine.execute import NodeFailed, OutputRecord, execute_node, load_output, summarize
from designer.engine.graph import Node
from designer.engine.problems import Problem
from designer.engine.store import ArtifactStore, LocalArtifactStore
from modules.sdk import Cancelled, DataTable, LocalContext, Metrics, Table

from .toys import REGISTRY, CancelledContext


@pytest.fixture
def store(tmp_path: Path) -> ArtifactStore:
    return LocalArtifactStore(tmp_path)


def put_table(store: ArtifactStore, df: pd.DataFrame, **meta: object) -> str:
    return store.put(Table.serialize(DataTable(df, dict(meta))))


def test_a_source_node_stores_its_output(store: ArtifactStore) -> None:
    # given a const node
    node = Node("n1", "const", 1, {"names": ["a"], "rows": 2, "start": 5})

    # when it is executed
    records = execute_node(node, REGISTRY, {}, store, LocalContext(node_id="n1"))

    # then its table is in the store and described by its record
    record = records["table"]
    assert list(records) == ["table"]
    assert record.port == "table"
    assert record.type == "table"
    assert record.size == store.size(record.digest)
    assert record.summary == {"rows": 2, "columns": [{"name": "a", "type": "integer"}]}
    table = load_output(store, "table", record.digest)
    pd.testing.assert_frame_equal(table.df, pd.DataFrame({"a": [5, 6]}))


def test_inputs_are_loaded_from_the_store(store: ArtifactStore) -> None:
    # given a stored table with metadata and an add_one node reading it
    digest = put_table(store, pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}), label_column="b")
    node = Node("n2", "add_one", 1, {"column": "a"})

    # when it is executed
    records = execute_node(node, REGISTRY, {"table": digest}, store, LocalContext())

    # then the output is the input plus one, with metadata kept
    result = load_output(store, "table", records["result"].digest)
    pd.testing.assert_frame_equal(result.df, pd.DataFrame({"a": [2, 3], "b": ["x", "y"]}))
    assert result.meta == {"label_column": "b"}


def test_executing_twice_gives_the_same_digest(store: ArtifactStore) -> None:
    # given a deterministic node
    node = Node("n1", "const", 1, {})

    # when it runs twice, then the content-addressed outputs agree
    first = execute_node(node, REGISTRY, {}, store, LocalContext())
    second = execute_node(node, REGISTRY, {}, store, LocalContext())
    assert first == second


def test_metrics_summaries_are_json_safe(store: ArtifactStore) -> None:
    # given a count node over a three-row table
    digest = put_table(store, pd.DataFrame({"a": [1, 2, 3]}))

    # when it is executed
    records = execute_node(Node("m", "count", 1), REGISTRY, {"table": digest}, store, LocalContext())

    # then the summary holds the values with NaN as None, and the artifact keeps the NaN
    assert records["metrics"] == OutputRecord(
        port="metrics",
        type="metrics",
        digest=records["metrics"].digest,
        size=records["metrics"].size,
        summary={"values": {"rows": 3, "ratio": None}, "task": ""},
    )
    metrics = load_output(store, "metrics", records["metrics"].digest)
    assert isinstance(metrics, Metrics)
    assert metrics.values["rows"] == 3
    ratio = metrics.values["ratio"]
    assert isinstance(ratio, float)
    assert math.isnan(ratio)


def test_module_error_becomes_node_failed_naming_what_is_at_fault(store: ArtifactStore) -> None:
    # given a module that reports a user error
    node = Node("n3", "fail", 1)

    # when it is executed
    with pytest.raises(NodeFailed) as info:
        execute_node(node, REGISTRY, {}, store, LocalContext())

    # then the problem names node, param, column and port in a readable message
    assert info.value.problem == Problem(
        "module_error",
        "Node 'n3' (Fail) failed: column 'x' has no values.",
        node="n3",
        port="table",
        param="mode",
        column="x",
    )
    assert "ModuleError" in info.value.traceback
    assert str(info.value) == "Node 'n3' (Fail) failed: column 'x' has no values."


def test_a_column_error_from_run_keeps_its_column(store: ArtifactStore) -> None:
    # given add_one asked for a column the table does not have
    digest = put_table(store, pd.DataFrame({"a": [1]}))

    # when executed
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("n3", "add_one", 1, {"column": "x"}), REGISTRY, {"table": digest}, store, LocalContext())

    # then the message and fields name the column
    assert info.value.problem.message == "Node 'n3' (Add One) failed: column 'x' is not in the input."
    assert (info.value.problem.param, info.value.problem.column) == ("column", "x")


def test_other_exceptions_become_internal_errors_with_traceback(store: ArtifactStore) -> None:
    # given a module with a bug
    digest = put_table(store, pd.DataFrame({"a": [1]}))

    # when executed
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("c", "crash", 1), REGISTRY, {"table": digest}, store, LocalContext())

    # then the problem is an internal error naming the exception, and the traceback is kept
    assert info.value.problem == Problem(
        "internal_error",
        "Node 'c' (Crash) failed with an internal error: ZeroDivisionError: division by zero.",
        node="c",
    )
    assert "ZeroDivisionError" in info.value.traceback
    assert "raise ZeroDivisionError" in info.value.traceback


def test_wrong_output_type_is_an_internal_error_and_nothing_is_stored(tmp_path: Path) -> None:
    # given a module returning a bare DataFrame
    store = LocalArtifactStore(tmp_path)

    # when executed
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("w", "wrong_type", 1), REGISTRY, {}, store, LocalContext())

    # then the port and both types are named, and no artifact was written
    assert info.value.problem == Problem(
        "internal_error",
        "Node 'w' (Wrong Type): output 'Result' should be a Data table, not DataFrame.",
        node="w",
        port="table",
    )
    assert list(tmp_path.iterdir()) == []


def test_an_output_parquet_cannot_encode_is_an_internal_error_naming_it_and_nothing_is_stored(tmp_path: Path) -> None:
    # given a module returning a column Arrow holds but Parquet has no type for
    store = LocalArtifactStore(tmp_path)

    # when executed
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("u", "unstorable", 1), REGISTRY, {}, store, LocalContext())

    # then the node and output are named with Arrow's reason, the traceback is Arrow's, and no file is left
    problem = info.value.problem
    assert (problem.code, problem.node, problem.port) == ("internal_error", "u", "table")
    assert problem.message.startswith(
        "Node 'u' (Unstorable): output 'Result' cannot be saved: ArrowNotImplementedError"
    )
    assert "month_day_nano_interval" in problem.message
    assert "write_table" in info.value.traceback
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_missing_output_is_an_internal_error(store: ArtifactStore) -> None:
    # when a module forgets one of its outputs
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("m", "no_output", 1), REGISTRY, {}, store, LocalContext())

    # then the missing port is named
    assert info.value.problem == Problem(
        "internal_error", "Node 'm' (No Output) did not produce its output 'Second'.", node="m", port="second"
    )


def test_cancelled_propagates_unchanged(store: ArtifactStore) -> None:
    # given a cancelled run
    ctx = CancelledContext()

    # when a node is executed, then Cancelled escapes as itself
    with pytest.raises(Cancelled):
        execute_node(Node("s", "slow", 1), REGISTRY, {}, store, ctx)


def test_cancelled_raised_inside_run_propagates(store: ArtifactStore, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a context that is cancelled only once the module has started
    ctx = LocalContext()
    calls: list[str] = []

    def cancel_after_start() -> None:
        calls.append("check")
        if len(calls) > 1:
            raise Cancelled()

    monkeypatch.setattr(ctx, "check_cancelled", cancel_after_start)

    # when executed, then the module's own check raises Cancelled through the engine
    with pytest.raises(Cancelled):
        execute_node(Node("s", "slow", 1), REGISTRY, {}, store, ctx)
    assert ctx.logs == ["starting"]


def test_invalid_params_fail_as_module_error(store: ArtifactStore) -> None:
    # when a node with invalid parameters is executed
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("n1", "const", 1, {"rows": -3}), REGISTRY, {}, store, LocalContext())

    # then the parameter is named
    assert info.value.problem == Problem(
        "module_error",
        "Node 'n1' (Constant) failed: parameter 'rows' is invalid: Input should be greater than or equal to 0.",
        node="n1",
        param="rows",
    )


def test_missing_required_input_fails_before_running(store: ArtifactStore) -> None:
    # when add_one runs with no input
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("n2", "add_one", 1), REGISTRY, {}, store, LocalContext())

    # then the port is named
    assert info.value.problem == Problem(
        "module_error", "Node 'n2' (Add One) failed: input 'Dataset' is not connected.", node="n2", port="table"
    )


def test_a_missing_input_artifact_is_an_internal_error(store: ArtifactStore) -> None:
    # when the input digest is not in the store
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("n2", "add_one", 1), REGISTRY, {"table": "a" * 64}, store, LocalContext())

    # then the port is named
    assert info.value.problem.code == "internal_error"
    assert info.value.problem.port == "table"
    assert info.value.problem.message == (
        "Node 'n2' (Add One): the artifact for input 'Dataset' cannot be read: "
        f"artifact {'a' * 64} is not in the store."
    )


def test_unknown_module_is_an_internal_error(store: ArtifactStore) -> None:
    # when a node names a module that is not installed
    with pytest.raises(NodeFailed) as info:
        execute_node(Node("n9", "nope", 1), REGISTRY, {}, store, LocalContext())

    # then it fails without running anything
    assert info.value.problem == Problem("internal_error", "Node 'n9' cannot run: unknown module 'nope'.", node="n9")


def test_load_output_refuses_unknown_types(store: ArtifactStore) -> None:
    # when an unknown type name is given, then it is refused with the known ones
    with pytest.raises(ValueError, match="unknown port type 'image'"):
        load_output(store, "image", "0" * 64)


def test_a_metrics_summary_keeps_the_task_and_the_second_models_values() -> None:
    # given Evaluate Model's result for two scored inputs: the second model's values under detail.compare
    value = Metrics(
        values={"AUC": 0.9, "Accuracy": float("nan")},
        task="binary",
        detail={"rows": 10, "compare": {"values": {"AUC": 0.8, "Accuracy": 0.75}, "detail": {"rows": 10}}},
    )

    # then the summary the run view reads without the artifact holds both, JSON-safe, and no curves
    assert summarize(value) == {
        "values": {"AUC": 0.9, "Accuracy": None},
        "task": "binary",
        "compare": {"values": {"AUC": 0.8, "Accuracy": 0.75}},
    }
