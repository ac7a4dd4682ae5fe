"""Validation of artifact digests: a digest a document names must belong to the pipeline's workspace."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import pytest
from pydantic import BaseModel

from designer.engine.graph import parse_graph
from designer.engine.problems import Problem
from designer.engine.validate import artifact_refs, validate
from modules.sdk import ParamModel, artifact_digest, artifact_params, default_registry
from tests.support.pipelines import document

MINE, THEIRS, OTHER = "a" * 64, "b" * 64, "c" * 64
WSI = {"name": "WebServiceInput0", "columns": [{"name": "x", "type": "number"}]}


class Owned:
    """An ``ArtifactLookup`` over a fixed set, counting its calls (validation asks once for all digests)."""

    def __init__(self, *digests: str) -> None:
        self.digests = set(digests)
        self.calls: list[set[str]] = []

    def owned(self, digests: Collection[str]) -> set[str]:
        self.calls.append(set(digests))
        return set(digests) & self.digests


def _graph(*nodes: tuple[str, str, dict[str, Any]]) -> Any:
    return parse_graph(document(list(nodes), []))


def test_a_digest_that_is_not_the_workspaces_is_a_problem_naming_node_param_and_path() -> None:
    # given a saved model the workspace owns and a saved transformation it does not
    graph = _graph(
        ("model", "saved_trained_model", {"artifact": MINE}),
        ("transform", "saved_transformation", {"artifact": THEIRS}),
    )
    artifacts = Owned(MINE)

    # when validated with the workspace's artifacts
    result = validate(graph, default_registry(), artifacts=artifacts)

    # then the foreign one alone is a problem, and both were asked about at once
    assert result.problems == [
        Problem(
            "foreign_artifact",
            "Node 'transform' (Saved Transformation): parameter 'artifact' names artifact bbbbbbbbbbbb..., which "
            "does not belong to this workspace; use an artifact produced by one of its runs, uploaded to one of "
            "its datasets or registered in its model registry.",
            node="transform",
            param="artifact",
            path="nodes[1].params.artifact",
        )
    ]
    assert artifacts.calls == [{MINE, THEIRS}]


def test_a_web_service_inputs_drift_baseline_is_checked_too() -> None:
    graph = _graph(("input", "web_service_input", {**WSI, "baseline": THEIRS}))

    result = validate(graph, default_registry(), artifacts=Owned(MINE))

    assert [(p.code, p.node, p.param) for p in result.problems] == [("foreign_artifact", "input", "baseline")]


def test_an_empty_baseline_names_no_artifact() -> None:
    graph = _graph(("input", "web_service_input", {**WSI, "baseline": ""}))
    artifacts = Owned()

    result = validate(graph, default_registry(), artifacts=artifacts)

    assert result.problems == []
    assert artifacts.calls == []  # nothing to ask


def test_a_node_whose_other_parameters_are_invalid_is_still_checked() -> None:
    graph = _graph(("model", "saved_trained_model", {"artifact": THEIRS, "source": 12}))

    result = validate(graph, default_registry(), artifacts=Owned())

    assert sorted((p.code, p.param) for p in result.problems) == [
        ("foreign_artifact", "artifact"),
        ("invalid_param", "source"),
    ]


def test_a_value_that_is_not_a_digest_is_left_to_parameter_validation() -> None:
    graph = _graph(("model", "saved_trained_model", {"artifact": "../../var/first-user.txt"}))
    artifacts = Owned()

    result = validate(graph, default_registry(), artifacts=artifacts)

    assert [(p.code, p.param) for p in result.problems] == [("invalid_param", "artifact")]
    assert artifacts.calls == []


def test_without_a_lookup_no_digest_is_checked() -> None:
    graph = _graph(("model", "saved_trained_model", {"artifact": THEIRS}))

    assert validate(graph, default_registry()).problems == []


def test_nodes_of_unknown_modules_name_no_artifact() -> None:
    graph = _graph(("x", "not_installed", {"artifact": THEIRS}), ("m", "saved_dataset", {"artifact": OTHER}))

    assert artifact_refs(graph, default_registry()) == [("m", "artifact", OTHER)]


def test_artifact_params_lists_the_parameters_declared_with_artifact_digest() -> None:
    class Params(ParamModel):
        model: str = artifact_digest(title="Model", description="A model.")
        name: str = "x"
        baseline: str = artifact_digest(title="Baseline", description="Rows.", optional=True)

    assert artifact_params(Params) == ["model", "baseline"]
    assert Params(model=MINE).baseline == ""
    with pytest.raises(ValueError):
        Params(model="")  # required unless optional


def _string_fields(schema: dict[str, Any], root: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    fields = []
    for name, prop in schema.get("properties", {}).items():
        if "$ref" in prop:
            prop = root["$defs"][prop["$ref"].split("/")[-1]]
        fields.append((name, prop))
    return fields


@pytest.mark.parametrize("module", sorted(default_registry(), key=lambda c: (c.id, c.version)),
                         ids=lambda c: f"{c.id}-v{c.version}")  # fmt: skip
def test_every_parameter_that_holds_a_digest_is_declared_as_an_artifact(module: Any) -> None:
    """A parameter shaped like a digest (a 64-hex pattern, or "digest" in its description) that was not declared
    with ``artifact_digest`` would escape the workspace check: every module is held to it."""
    params: type[BaseModel] = module.Params
    schema = params.model_json_schema()
    declared = set(artifact_params(params))
    for name, prop in _string_fields(schema, schema):
        looks_like_one = "{64}" in str(prop.get("pattern", "")) or "digest" in str(prop.get("description", "")).lower()
        if looks_like_one:
            assert name in declared, f"{module.id}: parameter '{name}' holds a digest but is not an artifact_digest"
