"""The registry refuses malformed modules when they are registered, naming the problem; discovery finds the library."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import modules.library as library
from modules.sdk import (
    In,
    InvalidModule,
    Module,
    Out,
    ParamModel,
    Registry,
    RunContext,
    Table,
    column,
    default_registry,
)

LIBRARY = {
    "dataset",
    "enter_data_manually",
    "select_columns",
    "clean_missing_data",
    "normalize_data",
    "split_data",
    "linear_regression",
    "two_class_logistic_regression",
    "two_class_boosted_decision_tree",
    "train_model",
    "score_model",
    "evaluate_model",
}


_ABSENT = object()  # pass as an attribute's value to leave that attribute out


def _module(**attrs: Any) -> type[Module]:
    """A well-formed module class, with ``attrs`` overriding its parts."""

    class Inputs:
        dataset = In(Table, "Dataset")

    class Outputs:
        result = Out(Table, "Result")

    class Params(ParamModel):
        label: str = column("dataset", default="y")

    def run(self: Module, inputs: dict[str, Any], params: Any, ctx: RunContext) -> dict[str, Any]:
        return {"result": inputs["dataset"]}

    body: dict[str, Any] = {
        "id": "good_module",
        "name": "Good module",
        "category": "Utilities",
        "Inputs": Inputs,
        "Outputs": Outputs,
        "Params": Params,
        "run": run,
        "__module__": __name__,
    }
    body.update(attrs)
    body = {k: v for k, v in body.items() if v is not _ABSENT}
    return type("Candidate", (Module,), body)


def test_a_well_formed_module_registers() -> None:
    registry = Registry()

    registry.register(_module())

    assert "good_module" in registry
    assert registry.get("good_module").name == "Good module"


@pytest.mark.parametrize(
    ("attrs", "problem"),
    [
        ({"id": "Bad-Id"}, "id 'Bad-Id' must be lower_snake_case"),
        ({"id": _ABSENT}, "id None must be lower_snake_case"),
        ({"Outputs": type("Outputs", (), {})}, "declares no output port"),
        ({"category": "Magic"}, "category 'Magic' is not one of"),
        ({"name": "  "}, "name is missing"),
        ({"run": _ABSENT}, "does not implement run()"),
        ({"version": 0}, "version 0 must be a positive integer"),
    ],
    ids=["bad-id", "no-id", "no-outputs", "bad-category", "no-name", "no-run", "bad-version"],
)
def test_malformed_modules_are_refused_naming_the_problem(attrs: dict[str, Any], problem: str) -> None:
    registry = Registry()

    with pytest.raises(InvalidModule, match=problem.replace("(", r"\(").replace(")", r"\)")):
        registry.register(_module(**attrs))

    assert len(registry) == 0


def test_a_column_parameter_pointing_at_a_missing_port_is_refused() -> None:
    class Params(ParamModel):
        label: str = column("training_data", default="y")

    with pytest.raises(InvalidModule, match="column parameter 'label' points at unknown input port 'training_data'"):
        Registry().register(_module(Params=Params))


def test_params_that_are_not_a_param_model_are_refused() -> None:
    with pytest.raises(InvalidModule, match="Params must subclass ParamModel"):
        Registry().register(_module(Params=dict))


def test_the_same_id_and_version_registered_twice_is_refused() -> None:
    registry = Registry()
    registry.register(_module())

    with pytest.raises(InvalidModule, match="module 'good_module' version 1 is registered twice"):
        registry.register(_module())

    assert len(registry) == 1


def test_a_new_version_of_the_same_id_is_accepted_and_becomes_latest() -> None:
    registry = Registry()
    registry.register(_module())

    registry.register(_module(version=2))

    assert registry.latest_version("good_module") == 2
    assert registry.get("good_module", 1).version == 1


def test_discovery_finds_every_library_module() -> None:
    registry = Registry()

    registry.discover("modules.library")

    declared = set()
    for source in Path(library.__file__).parent.rglob("*.py"):
        declared |= set(re.findall(r'^    id = "([a-z0-9_]+)"$', source.read_text(), flags=re.M))
    assert declared >= LIBRARY, "the foundation modules are still declared"
    assert {m.id for m in registry.latest()} == declared


def test_the_default_registry_serves_a_json_catalogue_grouped_by_category() -> None:
    catalogue = default_registry().catalogue()

    assert {entry["id"] for entry in catalogue} >= LIBRARY
    categories = [entry["category"] for entry in catalogue]
    assert categories == sorted(categories, key=categories.index)  # each category is contiguous
