"""Compute targets: the operator's declaration, the path a node takes, and a node's "compute" choice in the document."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.engine.compute import (
    DEFAULT_THRESHOLD_BYTES,
    ComputeSettingsError,
    ComputeTarget,
    choose_path,
    compute_problems,
    target_of,
    targets_from_env,
)
from designer.engine.graph import parse_graph, to_document
from designer.engine.plan import cache_keys
from designer.engine.problems import GraphFormatError
from modules.sdk import default_registry


def test_without_a_declaration_there_is_one_default_target_with_the_embedded_cluster() -> None:
    # given no settings, when the targets are read
    targets = targets_from_env({})

    # then there is one target, on queue cpu, with a local cluster chosen by size
    assert list(targets) == ["default"]
    default = targets["default"]
    assert (default.queue, default.dask, default.path) == ("cpu", "local", "auto")
    assert default.threshold_bytes == DEFAULT_THRESHOLD_BYTES
    assert default.describe()["cluster"] == "local"


def test_targets_are_read_from_json_text_or_a_file(tmp_path: Path) -> None:
    # given two targets declared in a file, and a threshold in megabytes
    declared = [
        {"name": "cpu", "dask": None},
        {"name": "big", "queue": "dask", "dask": "tcp://scheduler:8786", "path": "dask", "partition_rows": 100_000},
    ]
    (tmp_path / "targets.json").write_text(json.dumps(declared))
    env = {"TESSERA_COMPUTE_TARGETS": f"@{tmp_path / 'targets.json'}", "TESSERA_DASK_THRESHOLD_MB": "2"}

    # when they are read
    targets = targets_from_env(env)

    # then both are there, the first is the default, and the threshold is every target's default
    assert list(targets) == ["cpu", "big"]
    assert target_of(targets, None).name == "cpu"
    assert targets["cpu"].describe()["cluster"] == "none"
    assert targets["big"] == ComputeTarget(
        "big", queue="dask", dask="tcp://scheduler:8786", path="dask", partition_rows=100_000, threshold_bytes=2 << 20
    )
    assert targets_from_env({"TESSERA_COMPUTE_TARGETS": json.dumps({"targets": declared})}) == targets_from_env(
        {"TESSERA_COMPUTE_TARGETS": json.dumps(declared)}
    )


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("[]", "non-empty JSON list"),
        ("{not json", "is not JSON"),
        ('[{"name": "a b"}]', "needs a name"),
        ('[{"name": "a"}, {"name": "a"}]', "'a' is declared twice"),
        ('[{"name": "a", "colour": "red"}]', "compute target 'a' has unknown field(s) colour"),
        ('[{"name": "a", "dask": "scheduler"}]', "compute target 'a': dask must be"),
        ('[{"name": "a", "path": "spark"}]', "compute target 'a': path must be one of auto, pandas, dask"),
        ('[{"name": "a", "workers": 0}]', "compute target 'a': workers must be a int of at least 1"),
        ('[{"name": "a", "partition_rows": "many"}]', "compute target 'a': partition_rows must be a int"),
        ("@/nonexistent/targets.json", "cannot be read"),
    ],
)
def test_a_malformed_declaration_is_refused_naming_the_target_and_field(declared: str, message: str) -> None:
    # when a malformed declaration is read, then the error says what is wrong where
    with pytest.raises(ComputeSettingsError) as refused:
        targets_from_env({"TESSERA_COMPUTE_TARGETS": declared})
    assert message in str(refused.value)


def test_the_path_depends_on_the_module_the_cluster_the_rule_and_the_size() -> None:
    auto = ComputeTarget("a", threshold_bytes=1000)
    assert choose_path(auto, True, 999) == "pandas"
    assert choose_path(auto, True, 1000) == "dask"
    assert choose_path(auto, False, 10**12) == "pandas"  # no Dask path in the module
    assert choose_path(ComputeTarget("n", dask=None, path="dask"), True, 10**12) == "pandas"  # no cluster
    assert choose_path(ComputeTarget("p", path="pandas"), True, 10**12) == "pandas"
    assert choose_path(ComputeTarget("d", path="dask"), True, 0) == "dask"


def test_a_node_naming_an_undeclared_target_is_a_problem_naming_the_node() -> None:
    targets = targets_from_env({})
    problems = compute_problems({"a": None, "b": "default", "c": "gpu-cluster"}, targets)
    assert [(p.code, p.node, p.param) for p in problems] == [("unknown_compute", "c", "compute")]
    assert "compute target 'gpu-cluster', which is not declared (declared: default)" in problems[0].message


def _document(compute: str | None) -> dict[str, object]:
    node: dict[str, object] = {
        "id": "s",
        "module": "select_columns",
        "version": 1,
        "params": {"columns": {"start": "all"}},
    }
    if compute is not None:
        node["compute"] = compute
    return {"schema_version": 1, "nodes": [node], "edges": []}


def test_a_node_keeps_its_compute_choice_and_it_does_not_change_its_cache_key() -> None:
    # given the same node with and without a compute choice
    plain, chosen = parse_graph(_document(None)), parse_graph(_document("big"))

    # then the choice round-trips through the document (absent when not made) ...
    assert chosen.nodes["s"].compute == "big"
    assert to_document(chosen)["nodes"][0]["compute"] == "big"  # type: ignore[index]
    assert "compute" not in to_document(plain)["nodes"][0]  # type: ignore[operator]
    assert parse_graph(to_document(chosen)) == chosen

    # ... and both have the same cache key
    registry = default_registry()
    assert cache_keys(plain, registry) == cache_keys(chosen, registry)


def test_a_malformed_compute_choice_is_a_format_problem_at_its_path() -> None:
    with pytest.raises(GraphFormatError) as refused:
        parse_graph(_document("no spaces allowed"))
    assert [p.path for p in refused.value.problems] == ["nodes[0].compute"]


def _never_connected() -> None:
    raise AssertionError("a refused node must not reach the cluster")


@pytest.mark.parametrize(
    ("target", "why"),
    [
        (
            ComputeTarget("big", dask="tcp://nowhere:8786", path="auto", threshold_bytes=1024),
            "over compute target 'big''s threshold of 1.0 KiB",
        ),
        (
            ComputeTarget("big", dask="tcp://nowhere:8786", path="dask"),
            "compute target 'big' runs every table on its Dask cluster",
        ),
    ],
)
def test_a_module_without_a_dask_path_refuses_a_table_the_target_sends_to_the_cluster(
    tmp_path: Path, target: ComputeTarget, why: str
) -> None:
    import numpy as np
    import pandas as pd

    from designer.engine.execute import DaskPath, NodeFailed, execute_node
    from designer.engine.graph import Node
    from designer.engine.store import LocalArtifactStore
    from modules.sdk import DataTable, LocalContext, Table

    # given a stored table over the threshold, and Clip Values (no partition-parallel path) on the Dask target
    store = LocalArtifactStore(tmp_path / "artifacts")
    data = store.put(Table.serialize(DataTable(pd.DataFrame({"x": np.arange(2_000.0)}))))
    registry = default_registry()
    node = Node("clip", "clip_values", registry.get("clip_values").version, {})
    size = store.size(data)

    # when it runs
    with pytest.raises(NodeFailed) as failed:
        execute_node(node, registry, {"dataset": data}, store, LocalContext(), dask=DaskPath(target, _never_connected))

    # then it fails naming the module, the size, why, and what to do instead, at its input port
    problem = failed.value.problem
    assert (problem.code, problem.node, problem.port) == ("input_too_large", "clip", "dataset")
    assert "Clip Values" in problem.message and f"({size:,} bytes)" in problem.message
    assert why in problem.message and "Partition and Sample" in problem.message

    # and below the threshold, or on a target whose path is pandas, it runs as before
    small = ComputeTarget("big", dask="tcp://nowhere:8786", threshold_bytes=size + 1)
    for fine in (small, ComputeTarget("big", dask="tcp://nowhere:8786", path="pandas", threshold_bytes=1)):
        records = execute_node(
            node, registry, {"dataset": data}, store, LocalContext(), dask=DaskPath(fine, _never_connected)
        )
        assert list(records) == ["results_dataset"]


def test_co_editing_sets_and_clears_a_nodes_compute_target_with_one_op() -> None:
    from designer.engine.ops import OpError, apply_op

    doc = {"nodes": [{"id": "n", "module": "normalize_data", "version": 1}], "edges": []}

    chosen = apply_op(doc, {"kind": "set_compute", "node": "n", "value": "big"})
    cleared = apply_op(chosen, {"kind": "set_compute", "node": "n", "value": None})

    assert chosen["nodes"][0]["compute"] == "big"
    assert "compute" not in cleared["nodes"][0]
    with pytest.raises(OpError, match="must name a compute target"):
        apply_op(doc, {"kind": "set_compute", "node": "n", "value": 3})
    with pytest.raises(OpError, match="malformed"):
        apply_op(doc, {"kind": "set_compute", "node": "n", "value": "no spaces allowed"})
